import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { ErrorBody } from '../../contracts/http.js';
import { AppError } from '../../core/errors.js';

/** Fastify's own client errors, renamed to stable codes a client can branch on. */
const FRAMEWORK_CODES: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', message: 'The request body is empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'This content type is not accepted here' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', message: 'The content length does not match the body' },
};

/** Maps any thrown error to a status and a body that is safe to show; unexpected errors are logged, not shown. */
export function toErrorResponse(error: unknown, request: FastifyRequest): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return { status: error.status, body: { error: { code: error.code, message: error.message, details: error.details } } };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((v) => ({
      path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message,
    }));
    return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'The request is not valid', details } } };
  }
  const fastifyError = error as FastifyError;
  const known = fastifyError?.code ? FRAMEWORK_CODES[fastifyError.code] : undefined;
  if (known) return { status: fastifyError.statusCode ?? 400, body: { error: known } };
  if (fastifyError?.statusCode === 429) {
    return { status: 429, body: { error: { code: 'RATE_LIMITED', message: 'Too many requests; try again later' } } };
  }
  if (!isResponseSerializationError(error) && fastifyError?.statusCode && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, body: { error: { code: 'BAD_REQUEST', message: 'The request could not be processed' } } };
  }
  request.log.error({ err: error }, 'unexpected error');
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Something went wrong; it has been logged' } } };
}

export function sendError(reply: FastifyReply, status: number, body: ErrorBody) {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
