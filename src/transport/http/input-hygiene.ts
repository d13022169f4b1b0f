import type { FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';

/**
 * NUL can be neither stored (Postgres refuses it in text: error 22021, a 500) nor shown, and no form
 * or API field needs it. One check for every route (issue 12 #10), after parsing and validation and
 * before any handler runs, so a refused request has written nothing: no customer, no ticket number.
 * Multipart forms are in `request.body` by then (their fields are read in preValidation).
 */
export async function refuseNulBytes(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
    if (holdsNul(value, 0)) throw new AppError('INPUT_NUL_BYTE', 400, 'The request holds a NUL character, which no field accepts', { in: part });
  }
}

function holdsNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  // Raw uploads (Buffers, streams) are files, not text; nesting deeper than any form is not searched.
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function' || depth > 32) return false;
  if (Array.isArray(value)) return value.some((item) => holdsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item, depth + 1));
}
