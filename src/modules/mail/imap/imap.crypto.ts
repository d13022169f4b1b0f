import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mailErrors } from '../mail.errors.js';

/**
 * IMAP passwords at rest: AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>` in base64url. The key is
 * KEFU_MAIL_KEY when set, else derived from the app secret with HKDF, so a database dump alone
 * never reveals a mailbox password.
 */
export class SecretBox {
  private keyPromise: Promise<Buffer> | undefined;

  /** `appSecret` is read on first use (the generated secret lives in the data dir). */
  constructor(private readonly options: { key?: string; appSecret: () => Promise<string> }) {}

  private key(): Promise<Buffer> {
    this.keyPromise ??= this.options.key
      ? Promise.resolve(Buffer.from(this.options.key, 'hex'))
      : this.options.appSecret().then((secret) => Buffer.from(hkdfSync('sha256', secret, 'kefu', 'kefu mail: imap passwords', 32)));
    return this.keyPromise;
  }

  async seal(plain: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
  }

  async open(box: string): Promise<string> {
    const [version, iv, tag, sealed] = box.split('.');
    const key = await this.key();
    try {
      if (version !== 'v1' || !iv || !tag || sealed === undefined) throw new Error('malformed');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw mailErrors.mailboxSecretUnreadable('The stored mailbox password cannot be decrypted (was the mail key changed?)', undefined, { cause: error });
    }
  }
}
