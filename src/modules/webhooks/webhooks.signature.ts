import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../../core/auth/tokens.js';

/**
 * Signatures, Stripe-style: `Kefu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * The timestamp is inside what is signed, so a captured request cannot be replayed later with a
 * new timestamp; receivers refuse timestamps older than a few minutes. During a secret rotation
 * with an overlap, the header carries one `v1=` per live secret (the new one first).
 */

export const SIGNATURE_SCHEME = 'v1';
/** How old a signed timestamp a receiver should accept, by default (Stripe uses the same 5 minutes). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `${SIGNATURE_SCHEME}=${sign(secret, timestamp, body)}`)].join(',');
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'too_old' };

/**
 * What a receiver does (and what the README shows): recompute the HMAC over the raw body bytes as
 * received, compare in constant time with each `v1=`, and refuse stale timestamps.
 */
export function verifySignature(input: {
  secret: string; header: string | undefined; body: string; nowSeconds?: number; toleranceSeconds?: number;
}): VerifyResult {
  const parts = (input.header ?? '').split(',').map((p) => p.trim().split('='));
  const timestamp = Number(parts.find(([k]) => k === 't')?.[1]);
  const candidates = parts.filter(([k, v]) => k === SIGNATURE_SCHEME && v).map(([, v]) => v!);
  if (!Number.isInteger(timestamp) || !candidates.length) return { ok: false, reason: 'malformed' };
  const expected = sign(input.secret, timestamp, input.body);
  const matches = candidates.some((c) => sameSecret(c, expected));
  if (!matches) return { ok: false, reason: 'mismatch' };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'too_old' };
  return { ok: true, timestamp };
}
