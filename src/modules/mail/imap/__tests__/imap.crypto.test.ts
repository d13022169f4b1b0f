import { describe, expect, it } from 'vitest';
import { SecretBox } from '../imap.crypto.js';

describe('IMAP password encryption', () => {
  const secret = async () => 'x'.repeat(40);

  it('round-trips, never stores the plain text, and uses a fresh IV each time', async () => {
    const box = new SecretBox({ appSecret: secret });
    const a = await box.seal('pässwörd 密码');
    const b = await box.seal('pässwörd 密码');
    expect(a).not.toBe(b);
    expect(a).not.toContain('pässwörd');
    expect(await box.open(a)).toBe('pässwörd 密码');
  });

  it('refuses a tampered box or another key with MAILBOX_SECRET_UNREADABLE', async () => {
    const box = new SecretBox({ appSecret: secret });
    const sealed = await box.seal('secret');
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    await expect(box.open([v, iv, tag, flipped.toString('base64url')].join('.'))).rejects.toMatchObject({ code: 'MAILBOX_SECRET_UNREADABLE' });
    const other = new SecretBox({ key: 'ab'.repeat(32), appSecret: secret });
    await expect(other.open(sealed)).rejects.toMatchObject({ code: 'MAILBOX_SECRET_UNREADABLE' });
    await expect(box.open('garbage')).rejects.toMatchObject({ code: 'MAILBOX_SECRET_UNREADABLE' });
  });
});
