/**
 * The one way the console talks to the Kefu API: same origin, cookie session, JSON bodies,
 * errors as `{error: {code, message, details}}`, and the CSRF token on every write.
 */

export class ApiError extends Error {
  constructor(
    readonly code: string, // stable: the UI branches on it and translates it
    readonly status: number, // 0 when the server was not reached
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// Kept in memory only (never in storage): a script injected into another tab can't read it, and
// it comes back from /auth/me after a reload.
let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an authenticated call answers 401: the session ended elsewhere or expired. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  /**
   * Sent as JSON; a `FormData` goes as multipart/form-data, with the boundary the browser picks;
   * a `Blob` (a chosen file) goes as it is, with its own type.
   */
  body?: unknown;
  /** Don't treat a 401 as "session ended" (sign-in and the initial session check expect it). */
  expectUnauthenticated?: boolean;
}

export async function request(method: Method, path: string, options: RequestOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const raw = options.body instanceof FormData || options.body instanceof Blob ? options.body : undefined;
  if (options.body instanceof Blob) headers['content-type'] = options.body.type || 'application/octet-stream';
  else if (options.body !== undefined && !raw) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
  } catch (cause) {
    throw new ApiError('NETWORK_ERROR', 0, cause instanceof Error ? cause.message : 'network error');
  }

  if (response.status === 204) return undefined;
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body;

  const error = readError(body, response.status);
  if (response.status === 401 && !options.expectUnauthenticated) onUnauthorized?.();
  throw error;
}

function readError(body: unknown, status: number): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? error.code : status === 401 ? 'UNAUTHENTICATED' : 'UNKNOWN';
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  return new ApiError(code, status, message, error?.details);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
