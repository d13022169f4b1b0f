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
