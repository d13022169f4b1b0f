import { sql, type Kysely } from 'kysely';

/** Whether JSON writes the text as it is (no quote, backslash or control character to escape). */
function isVerbatimInJson(text: string): boolean {
  return text.length > 0 && JSON.stringify(text) === `"${text}"`;
}

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
 * in the payloads of the events it published about those rows. Values a JSON string would escape are
 * skipped: a textual replace cannot find them in the payload's JSON.
 */
export async function redactEventPayloads<Tables>(db: Kysely<Tables>, redaction: EventRedaction): Promise<number> {
  const { streams, blank } = redaction;
  if (!streams.length) return 0;
  const inStreams = sql`stream = any(${[...streams]}::text[])`;
  let changed = 0;
  for (const value of redaction.values.filter(isVerbatimInJson)) {
    const result = await sql`update events set payload = replace(payload::text, ${value}, ${blank})::jsonb
      where ${inStreams} and strpos(payload::text, ${value}) > 0`.execute(db);
    changed += Number(result.numAffectedRows ?? 0);
  }
  for (const { type, field } of redaction.clear ?? []) {
    const result = await sql`update events set payload = jsonb_set(payload, array[${field}]::text[], 'null'::jsonb)
      where ${inStreams} and type = ${type} and payload->>${field} is not null`.execute(db);
    changed += Number(result.numAffectedRows ?? 0);
  }
  return changed;
}
