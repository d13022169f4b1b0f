import { sql, type AliasedRawBuilder, type RawBuilder } from 'kysely';

type Row = Record<string, RawBuilder<unknown>>;
type Values<R extends Row> = { [K in keyof R]: R[K] extends RawBuilder<infer T> ? T : never };

/**
 * Rows as a table of the query, `(values (…), (…)) as alias(columns)`, for statements that act on
 * many rows at once (an `update … from` with a value per row). Each value is a typed expression
 * (`sql<Date>\`${d}::timestamptz\``): a VALUES list has no column types of its own.
 */
export function valuesTable<R extends Row, A extends string>(rows: readonly R[], alias: A): AliasedRawBuilder<Values<R>, A> {
  const columns = Object.keys(rows[0]!);
  const list = sql.join(rows.map((row) => sql`(${sql.join(columns.map((column) => row[column]!))})`));
  return sql<Values<R>>`(values ${list})`.as<A>(sql`${sql.ref(alias)}(${sql.join(columns.map((column) => sql.ref(column)))})`);
}
