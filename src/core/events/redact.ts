import { sql, type Kysely } from 'kysely';
import { redactJsonb } from '../db/redact-jsonb.js';

/** What to blank in the payloads of a set of streams' events. */
export interface EventRedaction {
  /** The events' streams (a ticket's events are on the stream of its id). */
  streams: readonly string[];
  /** Text to replace by `blank` wherever it stands in a payload. */
  values: readonly string[];
  blank: string;
  /** Payload fields set to null in events of a type (free text the person wrote, e.g. a rating's comment). */
  clear?: { type: string; field: string }[];
}

/**
 * Erasure (PIPL/GDPR) reaches the event log too: the outbox keeps payloads for days (a ticket's
 * events carry its subject), so the module that erases a person's text from its rows also blanks it
 * in the payloads of the events it published about those rows.
 */
export async function redactEventPayloads<Tables>(db: Kysely<Tables>, redaction: EventRedaction): Promise<number> {
  if (!redaction.streams.length) return 0;
  const inStreams = sql`stream = any(${[...redaction.streams]}::text[])`;
  return redactJsonb(db, {
    table: 'events', column: 'payload', where: inStreams, values: redaction.values, blank: redaction.blank,
    clear: redaction.clear?.map(({ type, field }) => ({ where: sql`${inStreams} and type = ${type}`, field })),
  });
}
