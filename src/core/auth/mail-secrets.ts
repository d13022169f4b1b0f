import { createHmac, randomBytes } from 'node:crypto';

const REFERENCE = /⟦secret:([a-z-]{1,40}):([A-Za-z0-9_-]{22,64})⟧/g;

/**
 * Secrets that mail carries (password-reset links) never rest in the outbox (issue 12 #5): the
 * stored text holds a reference `⟦secret:<purpose>:<nonce>⟧`, and the sender turns it into the
 * secret at send time as HMAC(app secret, purpose:nonce). Whoever reads stored mail (the outbox API,
 * a backup, an admin token) sees only the reference, which is useless without the app secret.
 */
export class MailSecrets {
  constructor(private readonly appSecret: () => Promise<string>) {}

  /** A fresh reference for the mail and the secret it stands for (store only its hash). */
  async issue(purpose: string): Promise<{ reference: string; secret: string }> {
    const nonce = randomBytes(18).toString('base64url');
    return { reference: `⟦secret:${purpose}:${nonce}⟧`, secret: await this.derive(purpose, nonce) };
  }

  /** The text with each reference replaced by its secret: only for the copy handed to SMTP. */
  async render(text: string): Promise<string> {
    const secrets = new Map<string, string>();
    for (const [reference, purpose, nonce] of text.matchAll(REFERENCE)) secrets.set(reference, await this.derive(purpose!, nonce!));
    return text.replace(REFERENCE, (reference) => secrets.get(reference)!);
  }

  private async derive(purpose: string, nonce: string): Promise<string> {
    return createHmac('sha256', await this.appSecret()).update(`${purpose}:${nonce}`).digest('base64url');
  }
}
