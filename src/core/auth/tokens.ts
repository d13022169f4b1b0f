import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A secret for a cookie, a link or an API client; only its hash is stored. */
export function newSecretToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a presented secret (CSRF token, signature) equals the expected one, in constant time; an empty secret never matches. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
