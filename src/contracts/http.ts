import { z } from 'zod';
import { LOCALES } from './enums.js';

/**
 * What every HTTP route shares on the wire: the error body the error handler sends
 * (transport/http/errors.ts) and the `:id` path parameter. Declared once so the OpenAPI document,
 * the routes and the console agree on them.
 */

/** `{error: {code, message, details}}`: clients branch on `code`; `message` is safe to show. */
export const ErrorView = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
export type ErrorBody = z.infer<typeof ErrorView>;

/** A route's `/:id` parameter: every row id is a UUID, so anything else is a 400, not a lookup. */
export const IdParams = z.object({ id: z.string().uuid() });

/** Whether a value could be a row id: checked before a lookup, so an id that is no UUID finds nothing instead of failing in SQL. */
export const isUuid = (value: string): boolean => IdParams.shape.id.safeParse(value).success;

export { LOCALES };
export const LocaleView = z.enum(LOCALES);

/** A value as JSON carries it: times become ISO strings. The console reads a response schema as `Wire<z.infer<…>>`. */
export type Wire<T> = T extends Date ? string : T extends readonly (infer E)[] ? Wire<E>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
