import { sql, type Kysely, type RawBuilder } from 'kysely';

/** Text to blank in the JSON documents of one column, and fields to empty. */
export interface JsonbRedaction {
  table: string;
  column: string;
  /** Which rows (a condition on the table's columns). */
  where: RawBuilder<unknown>;
  /** Text replaced by `blank` wherever it stands in a document. */
  values: readonly string[];
  blank: string;
  /** Top-level fields set to null in the rows a condition picks (free text a person wrote). */
  clear?: { where: RawBuilder<unknown>; field: string }[];
}

/** Whether JSON writes the text as it is (no quote, backslash or control character to escape). */
function isVerbatimInJson(text: string): boolean {
  return text.length > 0 && JSON.stringify(text) === `"${text}"`;
}

/**
 * Erasure (PIPL/GDPR) in stored JSON documents (event payloads, webhook deliveries): replaces each
 * value in the document's text and sets the named fields to null; answers how many rows changed.
 * Values a JSON string would escape are skipped: a textual replace cannot find them there.
 */
export async function redactJsonb<Tables>(db: Kysely<Tables>, redaction: JsonbRedaction): Promise<number> {
  const table = sql.table(redaction.table);
  const column = sql.ref(redaction.column);
  let changed = 0;
  for (const value of redaction.values.filter(isVerbatimInJson)) {
    const result = await sql`update ${table} set ${column} = replace(${column}::text, ${value}, ${redaction.blank})::jsonb
      where (${redaction.where}) and strpos(${column}::text, ${value}) > 0`.execute(db);
    changed += Number(result.numAffectedRows ?? 0);
  }
  for (const { where, field } of redaction.clear ?? []) {
    const result = await sql`update ${table} set ${column} = jsonb_set(${column}, array[${field}]::text[], 'null'::jsonb)
      where (${where}) and ${column}->>${field} is not null`.execute(db);
    changed += Number(result.numAffectedRows ?? 0);
  }
  return changed;
}
