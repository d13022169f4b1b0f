/**
 * The one error type the product throws on purpose. The HTTP layer maps it to
 * `{error: {code, message, details}}`; anything else becomes a logged 500 with a generic message.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, details?: unknown) =>
  new AppError(`${what.toUpperCase()}_NOT_FOUND`, 404, `${what} not found`, details);

export const forbidden = (message = 'You are not allowed to do this') =>
  new AppError('FORBIDDEN', 403, message);

export const unauthenticated = (message = 'Sign in first') =>
  new AppError('UNAUTHENTICATED', 401, message);

/*
 * The errors every module may throw with the same meaning. A module declares its own in
 * `<module>.errors.ts`; `test/platform/errors.test.ts` fails when one code has two statuses.
 */

export const validationFailed = (message = 'The request is not valid', details?: unknown, options?: ErrorOptions) =>
  new AppError('VALIDATION_FAILED', 400, message, details, options);

export const cursorInvalid = (message = 'The page cursor is not valid; start from the first page', details?: unknown) =>
  new AppError('CURSOR_INVALID', 400, message, details);

export const unsupportedMediaType = (message = 'This content type is not accepted here') =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', 415, message);

export const csrfInvalid = (message = 'The CSRF token is missing or wrong; reload the page and try again') =>
  new AppError('CSRF_INVALID', 403, message);

export const rateLimited = (message = 'Too many requests; try again later', details?: unknown) =>
  new AppError('RATE_LIMITED', 429, message, details);

/**
 * One entry of a module's errors table (`<module>.errors.ts`): the code and its status are fixed
 * there, the message (safe to show) and details are the thrower's.
 */
export const errorOf = (code: string, status: number) =>
  (message: string, details?: unknown, options?: ErrorOptions) => new AppError(code, status, message, details, options);
