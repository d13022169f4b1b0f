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
      ...problemCode(v.keyword, v.params, v.message),
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

/**
 * A stable code for a schema problem, and its limit, so a client can say it in its own language
 * (the message is zod's English): REQUIRED, TOO_LONG / TOO_MANY {max}, TOO_FEW / TOO_SMALL {min},
 * TOO_BIG {max}, FORMAT_INVALID {format}, VALUE_UNKNOWN, TYPE_INVALID, FIELD_UNKNOWN, or the code a
 * refinement names in its params (`refine(check, { params: { code } })`), else INVALID.
 */
function problemCode(keyword: string, params: Record<string, unknown>, message: string | undefined): { code: string; max?: number; min?: number; format?: string } {
  const bound = (value: unknown) => (typeof value === 'number' || typeof value === 'bigint' ? Number(value) : undefined);
  const list = params.origin === 'array' || params.origin === 'set';
  switch (keyword) {
    case 'too_small': {
      const min = bound(params.minimum);
      if (params.origin === 'string') return min === 1 ? { code: 'REQUIRED' } : { code: 'TOO_SHORT', min };
      return { code: list ? 'TOO_FEW' : 'TOO_SMALL', min };
    }
    case 'too_big':
      return { code: params.origin === 'string' ? 'TOO_LONG' : list ? 'TOO_MANY' : 'TOO_BIG', max: bound(params.maximum) };
    case 'invalid_format':
      return { code: 'FORMAT_INVALID', format: typeof params.format === 'string' ? params.format : undefined };
    case 'invalid_value':
      return { code: 'VALUE_UNKNOWN' };
    case 'invalid_type':
      // zod reports no input by default: a missing field says "received undefined".
      return { code: /received undefined$/.test(message ?? '') ? 'REQUIRED' : 'TYPE_INVALID' };
    case 'unrecognized_keys':
      return { code: 'FIELD_UNKNOWN' };
    default: {
      const named = (params.params as { code?: unknown } | undefined)?.code;
      return { code: typeof named === 'string' ? named : 'INVALID' };
    }
  }
}

export function sendError(reply: FastifyReply, status: number, body: ErrorBody) {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
