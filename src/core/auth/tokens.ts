import { createHash, randomBytes } from 'node:crypto';

/** A secret for a cookie, a link or an API client; only its hash is stored. */
export function newSecretToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
