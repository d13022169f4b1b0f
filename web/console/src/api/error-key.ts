import { ApiError } from './http.js';

/** API error codes the console has a translated message for (`errors.<code>` in the catalogues). */
export const ERROR_KEYS = [
  'INVALID_CREDENTIALS',
  'RATE_LIMITED',
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'NETWORK_ERROR',
  'UNKNOWN',
] as const;
export type ErrorKey = (typeof ERROR_KEYS)[number];

/** Picks the message to show for a failure: its code when we know it, else a generic one. */
export function errorKey(error: unknown): ErrorKey {
  if (error instanceof ApiError && (ERROR_KEYS as readonly string[]).includes(error.code)) {
    return error.code as ErrorKey;
  }
  return 'UNKNOWN';
}
