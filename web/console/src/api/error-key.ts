import { ApiError } from './http.js';

/** API error codes the console has a translated message for (`errors.<code>` in the catalogues). */
export const ERROR_KEYS = [
  'INVALID_CREDENTIALS',
  'RATE_LIMITED',
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'NETWORK_ERROR',
  'UNKNOWN',
  // Tickets and the inbox
  'REQUEST_INVALID',
  'TICKET_NOT_FOUND',
  'ASSIGNEE_UNKNOWN',
  'DEPARTMENT_UNKNOWN',
  'CSRF_INVALID',
  'FORBIDDEN',
  'SAVED_VIEW_NOT_FOUND',
  'CURSOR_INVALID',
  'MESSAGE_DUPLICATE',
  'TICKET_MERGE_INVALID',
  'TICKET_LINK_INVALID',
  'TICKET_SPLIT_INVALID',
  // Triage on a ticket
  'TRIAGE_NOT_SPAM',
  // Mailed links and accounts (issue 19)
  'RESET_TOKEN_INVALID',
  'INVITATION_INVALID',
  'INVITATION_EXPIRED',
  'INVITATION_REVOKED',
  'EMAIL_TAKEN',
] as const;
export type ErrorKey = (typeof ERROR_KEYS)[number];

/** Picks the message to show for a failure: its code when we know it, else a generic one. */
export function errorKey(error: unknown): ErrorKey {
  if (error instanceof ApiError && (ERROR_KEYS as readonly string[]).includes(error.code)) {
    return error.code as ErrorKey;
  }
  return 'UNKNOWN';
}

/**
 * The same, outside the sign-in form: VALIDATION_FAILED's message there speaks of email and
 * password, so elsewhere a rejected input reads as REQUEST_INVALID.
 */
export function actionErrorKey(error: unknown): ErrorKey {
  const key = errorKey(error);
  return key === 'VALIDATION_FAILED' ? 'REQUEST_INVALID' : key;
}
