/**
 * `kefu backup` / `kefu restore`: Kefu's own dump of the whole database. The embedded PostgreSQL
 * ships no pg_dump, and a dump made here also restores across servers and major versions (the
 * embedded 18 and an external 15 alike), because it carries data only: the schema comes from the
 * migrations, which both sides must have applied up to the same one.
 *
 * Format: gzip'd NDJSON, one JSON value per line.
 *   {"kind":"kefu-backup","version":1,"schemaVersion":"<last migration>","createdAt":"<ISO>","server":"PostgreSQL 18.4"}
 *   {"table":"workspaces","columns":["id","slug",...]}      then one line per row of that table:
 *   ["0f4c…","acme",...]                                    values in the columns' order
 *   ...                                                     (the next table, and so on)
 *   {"sequences":[{"name":"audit_log_id_seq","lastValue":"42","isCalled":true}]}
 *   {"end":true,"tables":12,"rows":34567}                   missing or wrong: the file is truncated
 *
 * A row is a JSON array of each column's PostgreSQL text form (`col::text`), or null for SQL NULL.
 * The text form is what COPY and pg_dump use: the input function of the same type reads it back
 * exactly, whatever the type (bytea, numeric, bigint past 2^53, timestamptz to the microsecond,
 * arrays, enums, ranges, composites). `to_jsonb(row)` would not do: it cannot tell a jsonb column
 * holding JSON `null` from SQL NULL, and its numbers would pass through JavaScript (this process
 * even parses int8 as a Number, see database.ts) if anything parsed them. Rows are arrays, headers
 * objects, so no column name can make a row look like a header. The session settings that shape
 * text forms (DateStyle, IntervalStyle, TimeZone, float digits, bytea_output) are pinned on both
 * sides.
 *
 * Scope: every table of schema `public`, including the migration bookkeeping (restore compares it
 * with the target's). The job queue's schema (`pgboss`) is left out on purpose: jobs are transient
 * work, not data, and a restored database must not replay old deliveries or webhooks.
 */
import { createGzip, createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../errors.js';

export interface BackupSummary {
  tables: number;
  rows: number;
  /** the last migration applied to the backed-up database */
  schemaVersion: string;
}

export interface BackupOptions {
  /** After each batch of a table (and once for an empty one), with the rows of that table so far. */
  onProgress?: (table: string, rows: number) => void;
}

const FORMAT = 'kefu-backup';
const FORMAT_VERSION = 1;
const MIGRATION_TABLE = 'kefu_migration';
/** Bookkeeping of the migrator: dumped for completeness, never written by restore. */
const MIGRATION_TABLES = new Set([MIGRATION_TABLE, 'kefu_migration_lock']);
const FETCH_MAX_ROWS = 1000;
/** The first fetch of a table is small: its rows' size is unknown until then. */
const FETCH_FIRST_ROWS = 10;
/** Rows are fetched and inserted in batches of about this size, so big rows (mail bodies) keep memory flat too. */
const BATCH_BYTES = 4 * 1024 * 1024;
const INSERT_MAX_ROWS = 1000;
/** Anything else before the first newline is not a Kefu backup; don't buffer a whole foreign file to find out. */
const MAX_HEADER_BYTES = 64 * 1024;

/** Pinned so that every `::text` on one side is read back identically on the other. */
const SESSION_SETTINGS = [
  `set local datestyle = 'ISO, YMD'`,
  `set local intervalstyle = 'postgres'`,
  `set local timezone = 'UTC'`,
  // > 0 means shortest exact representation for float4/float8 (PostgreSQL 12 and later).
  `set local extra_float_digits = 1`,
  `set local bytea_output = 'hex'`,
  // Row-level security must never silently hide rows from a backup: with it off, a policy that
  // would apply makes the query fail instead.
  `set local row_security = off`,
  `set local statement_timeout = 0`,
  // A slow output (a pipe to another host) leaves the backup's transaction idle between fetches.
  `set local idle_in_transaction_session_timeout = 0`,
];

// -------------------------------------------------------------------------------------------------
// Backup

/**
 * Writes the whole database to `out` (gzip'd; `out` is ended when done). All tables come from one
 * snapshot: a REPEATABLE READ READ ONLY transaction, with ACCESS SHARE locks so no migration can
 * change a table mid-dump. Rows stream through a server-side cursor in batches.
 */
export async function backupDatabase(
  pool: pg.Pool,
  out: NodeJS.WritableStream,
  opts: BackupOptions = {},
): Promise<BackupSummary> {
  const client = await pool.connect();
  let discard = false;
  // Once the output fails, the line generator must not touch the client again.
  const state = { stopped: false };
  try {
    await client.query('begin isolation level repeatable read read only');
    for (const setting of SESSION_SETTINGS) await client.query(setting);
    // The first query takes the snapshot every later one reads.
    const schemaVersion = await lastMigration(client);
    if (!schemaVersion) {
      throw new AppError('BACKUP_SOURCE_NOT_MIGRATED', 409, 'The database has no applied migrations; there is nothing Kefu can back up');
    }
    const tables = await listTables(client);
    const order = dumpOrder(tables.map((t) => t.name), await listForeignKeys(client));
    await client.query(`lock table ${order.map(qualified).join(', ')} in access share mode`);
    const header = { kind: FORMAT, version: FORMAT_VERSION, schemaVersion, createdAt: new Date().toISOString(), server: await serverVersion(client) };
    const summary: BackupSummary = { tables: 0, rows: 0, schemaVersion };
    const columnsOf = new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
    const lines = dumpLines(client, header, order.map((name) => ({ name, columns: columnsOf.get(name) ?? [] })), summary, opts, state);
    try {
      // One batch waiting at most: the stream buffers hold no more than a batch or two.
      await pipeline(Readable.from(lines, { highWaterMark: 1 }), createGzip(), out);
    } finally {
      state.stopped = true;
    }
    await client.query('commit');
    return summary;
  } catch (error) {
    await client.query('rollback').catch(() => { discard = true; });
    throw error;
  } finally {
    client.release(discard);
  }
}

async function* dumpLines(
  client: pg.PoolClient,
  header: object,
  tables: { name: string; columns: string[] }[],
  summary: BackupSummary,
  opts: BackupOptions,
  state: { stopped: boolean },
): AsyncGenerator<string> {
  yield `${JSON.stringify(header)}\n`;
  for (const table of tables) {
    yield `${JSON.stringify({ table: table.name, columns: table.columns })}\n`;
    const values = table.columns.length ? `array[${table.columns.map((c) => `${ident(c)}::text`).join(', ')}]` : 'array[]::text[]';
    await client.query(`declare kefu_backup no scroll cursor for select array_to_json(${values})::text from ${qualified(table.name)}`);
    let rows = 0;
    let fetchRows = FETCH_FIRST_ROWS;
    for (;;) {
      const batch = await client.query<string[]>({ text: `fetch ${fetchRows} from kefu_backup`, rowMode: 'array' });
      if (state.stopped) return;
      if (batch.rows.length === 0) break;
      const chunk = `${batch.rows.map((row) => row[0]).join('\n')}\n`;
      rows += batch.rows.length;
      // Aim each fetch at BATCH_BYTES: 1000 rows of short text, a handful of 1 MB mail bodies.
      fetchRows = Math.max(1, Math.min(FETCH_MAX_ROWS, Math.floor(BATCH_BYTES / (chunk.length / batch.rows.length))));
      opts.onProgress?.(table.name, rows);
      yield chunk;
    }
    if (rows === 0) opts.onProgress?.(table.name, 0);
    await client.query('close kefu_backup');
    if (state.stopped) return;
    summary.tables += 1;
    summary.rows += rows;
  }
  const sequences = [];
  for (const name of await listSequences(client)) {
    // Sequences are not transactional: this is their value now, at or past the snapshot's, which
    // is what a restore needs (never behind the rows).
    const { rows: [seq] } = await client.query<{ lastValue: string; isCalled: boolean }>(
      `select last_value::text as "lastValue", is_called as "isCalled" from ${qualified(name)}`);
    sequences.push({ name, lastValue: seq!.lastValue, isCalled: seq!.isCalled });
  }
  if (state.stopped) return;
  yield `${JSON.stringify({ sequences })}\n`;
  yield `${JSON.stringify({ end: true, tables: summary.tables, rows: summary.rows })}\n`;
}

/**
 * Parents before children, so plain inserts in file order satisfy foreign keys; ties (and the
 * tables of a cycle, broken at the first name) go by name, so the same schema always dumps in the
 * same order. The migration bookkeeping comes first: restore checks it before anything else.
 */
function dumpOrder(tables: string[], foreignKeys: ForeignKey[]): string[] {
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const fk of foreignKeys) if (fk.child !== fk.parent) parents.get(fk.child)?.add(fk.parent);
  const remaining = [...tables].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const order: string[] = [];
  const placed = new Set<string>();
  while (remaining.length) {
    const ready = remaining.findIndex((t) => [...parents.get(t)!].every((p) => placed.has(p) || !parents.has(p)));
    const [next] = remaining.splice(ready === -1 ? 0 : ready, 1);
    order.push(next!);
    placed.add(next!);
  }
  return order;
}

const rank = (table: string) => (MIGRATION_TABLES.has(table) ? 0 : 1);

// -------------------------------------------------------------------------------------------------
// Restore

/**
 * Replaces every row of the target's `public` tables with the backup's, in ONE transaction: it
 * first TRUNCATEs them (all but the migration bookkeeping), then inserts. Anything wrong (a
 * truncated or foreign file, another schema version, a row the schema refuses) rolls everything
 * back, so the target is either the backup or exactly what it was. We chose replace over
 * "refuse unless empty": a freshly migrated database is not always empty (seeds), and a restore
 * that can stop half-way would need its own clean-up; the caller (the CLI) asks before replacing.
 * Other sessions wait on the tables' locks until the commit; `pgboss` jobs are left alone.
 *
 * The target must already be migrated to the backup's schema version (run migrations first).
 * Tables arrive parents-first; a foreign key the file order cannot satisfy (self-references,
 * cycles) is dropped for the load and re-added, and so re-checked, before the commit, like
 * pg_dump does. User triggers are disabled during the load (a trigger stamping `updated_at` or
 * queueing mail must not fire on restored rows) and re-enabled as they were.
 */
export async function restoreDatabase(
  pool: pg.Pool,
  input: NodeJS.ReadableStream,
  opts: BackupOptions = {},
): Promise<BackupSummary> {
  const client = await pool.connect();
  let discard = false;
  try {
    await client.query('begin');
    for (const setting of SESSION_SETTINGS) await client.query(setting);
    const restorer = new Restorer(client, opts);
    try {
      for await (const line of backupLines(input)) await restorer.line(line);
      const summary = await restorer.finish();
      await client.query('commit');
      return summary;
    } catch (error) {
      throw asBackupError(error);
    }
  } catch (error) {
    await client.query('rollback').catch(() => { discard = true; });
    throw error;
  } finally {
    client.release(discard);
  }
}

const Header = z.object({
  kind: z.literal(FORMAT),
  version: z.number(),
  schemaVersion: z.string().min(1),
  createdAt: z.string(),
  server: z.string(),
});
const TableStart = z.object({ table: z.string().min(1), columns: z.array(z.string()) });
const Sequences = z.object({
  sequences: z.array(z.object({ name: z.string(), lastValue: z.string().regex(/^-?\d+$/), isCalled: z.boolean() })),
});
const Trailer = z.object({ end: z.literal(true), tables: z.number().int(), rows: z.number().int() });
const Row = z.array(z.string().nullable());

interface LoadingTable {
  name: string;
  columns: string[];
  /** undefined for the migration tables, which are compared instead of written */
  insert?: string;
  rows: number;
  batch: string[];
  batchBytes: number;
  migrationNames?: string[];
}

class Restorer {
  private stage: 'header' | 'body' | 'done' = 'header';
  private lineNo = 0;
  private header!: z.infer<typeof Header>;
  private target!: { tables: Map<string, TableInfo>; foreignKeys: ForeignKey[]; triggers: Trigger[] };
  private current?: LoadingTable;
  private readonly seen = new Set<string>();
  private readonly droppedForeignKeys: ForeignKey[] = [];
  private sequences?: z.infer<typeof Sequences>['sequences'];
  private tables = 0;
  private rows = 0;

  constructor(private readonly client: pg.PoolClient, private readonly opts: BackupOptions) {}

  async line(text: string): Promise<void> {
    this.lineNo += 1;
    if (text === '') return;
    if (this.stage === 'header') return this.start(text);
    if (this.stage === 'done') throw this.invalid('there is data after the end marker');
    if (text.startsWith('[')) return this.row(text);
    const value = this.parse(text);
    if (TableStart.safeParse(value).success) return this.startTable(value as z.infer<typeof TableStart>);
    await this.endTable();
    const sequences = Sequences.safeParse(value);
    if (sequences.success) {
      this.sequences = sequences.data.sequences;
      return;
    }
    const trailer = Trailer.safeParse(value);
    if (!trailer.success) throw this.invalid('a line is neither a table, a row nor the end marker');
    if (trailer.data.tables !== this.tables || trailer.data.rows !== this.rows) {
      throw this.invalid(`the end marker counts ${trailer.data.tables} tables and ${trailer.data.rows} rows, the file holds ${this.tables} and ${this.rows}`);
    }
    this.stage = 'done';
  }

  async finish(): Promise<BackupSummary> {
    if (this.stage !== 'done') throw this.invalid('the file ends before its end marker: it is truncated');
    const missing = [...this.target.tables.keys()].filter((t) => !this.seen.has(t));
    if (missing.length) {
      throw schemaMismatch(`The backup has no data for table(s) ${missing.join(', ')} of this database`, { tables: missing });
    }
    const c = this.client;
    // Deferred foreign-key checks run now; then the tables have no pending trigger events, which
    // ALTER TABLE below requires.
    await c.query('set constraints all immediate');
    for (const fk of this.droppedForeignKeys) {
      await c.query(`alter table ${qualified(fk.child)} add constraint ${ident(fk.name)} ${fk.definition}`);
      if (fk.comment !== null) await c.query(`comment on constraint ${ident(fk.name)} on ${qualified(fk.child)} is ${literal(fk.comment)}`);
    }
    for (const trigger of this.target.triggers) {
      const mode = trigger.enabled === 'A' ? 'always ' : trigger.enabled === 'R' ? 'replica ' : '';
      await c.query(`alter table ${qualified(trigger.table)} enable ${mode}trigger ${ident(trigger.name)}`);
    }
    await this.restoreSequences();
    const { rows: views } = await c.query<{ name: string }>(`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'm' and c.relispopulated order by c.oid`);
    for (const view of views) await c.query(`refresh materialized view ${qualified(view.name)}`);
    return { tables: this.tables, rows: this.rows, schemaVersion: this.header.schemaVersion };
  }

  private async start(text: string): Promise<void> {
    const header = Header.safeParse(this.parse(text, 'it is not a Kefu backup'));
    if (!header.success) throw this.invalid('it is not a Kefu backup');
    if (header.data.version !== FORMAT_VERSION) {
      throw this.invalid(`it is in backup format version ${header.data.version}; this Kefu reads version ${FORMAT_VERSION}`);
    }
    this.header = header.data;
    const current = await lastMigration(this.client);
    if (current !== header.data.schemaVersion) {
      throw schemaMismatch(
        current
          ? `The backup is of schema version ${header.data.schemaVersion} but this database is at ${current}; migrate both to the same version first`
          : `This database is not migrated; run the migrations (to ${header.data.schemaVersion}) before restoring`,
        { backup: header.data.schemaVersion, database: current ?? null },
      );
    }
    const tables = new Map((await listTables(this.client)).map((t) => [t.name, t]));
    this.target = { tables, foreignKeys: await listForeignKeys(this.client), triggers: await listTriggers(this.client) };
    // Triggers first: ON TRUNCATE triggers must not fire either.
    for (const trigger of this.target.triggers) {
      await this.client.query(`alter table ${qualified(trigger.table)} disable trigger ${ident(trigger.name)}`);
    }
    const data = [...tables.keys()].filter((t) => !MIGRATION_TABLES.has(t));
    if (data.length) await this.client.query(`truncate table ${data.map(qualified).join(', ')} restart identity cascade`);
    await this.client.query('set constraints all deferred');
    this.stage = 'body';
  }

  private async startTable(start: z.infer<typeof TableStart>): Promise<void> {
    await this.endTable();
    const info = this.target.tables.get(start.table);
    if (!info) throw schemaMismatch(`The backup has a table ${start.table} that this database does not have`, { table: start.table });
    if (this.seen.has(start.table)) throw this.invalid(`table ${start.table} appears twice`);
    const expected = info.columns.map((c) => c.name);
    const missing = expected.filter((c) => !start.columns.includes(c));
    const extra = start.columns.filter((c) => !expected.includes(c));
    if (missing.length || extra.length || new Set(start.columns).size !== start.columns.length) {
      throw schemaMismatch(`The columns of table ${start.table} differ between the backup and this database`, { table: start.table, missing, extra });
    }
    this.seen.add(start.table);
    this.current = { name: start.table, columns: start.columns, rows: 0, batch: [], batchBytes: 0 };
    if (start.table === MIGRATION_TABLE) this.current.migrationNames = [];
    if (MIGRATION_TABLES.has(start.table)) return;

    await this.dropForeignKeysAheadOf(start.table);
    const types = new Map(info.columns.map((c) => [c.name, c.type]));
    const overriding = info.columns.some((c) => c.identityAlways) ? ' overriding system value' : '';
    const values = start.columns.map((c, i) => `(r->>${i})::${types.get(c)!}`).join(', ');
    this.current.insert = start.columns.length
      ? `insert into ${qualified(start.table)} (${start.columns.map(ident).join(', ')})${overriding}
          select ${values} from jsonb_array_elements($1::jsonb) as e(r)`
      // A table without columns still has rows, one `default values` each.
      : `insert into ${qualified(start.table)} default values`;
  }

  /** Foreign keys of `table` whose parent is itself or still to come can't be checked row by row. */
  private async dropForeignKeysAheadOf(table: string): Promise<void> {
    for (const fk of this.target.foreignKeys) {
      if (fk.child !== table || fk.deferrable) continue;
      if (fk.parent !== table && (this.seen.has(fk.parent) || !this.target.tables.has(fk.parent))) continue;
      await this.client.query(`alter table ${qualified(fk.child)} drop constraint ${ident(fk.name)}`);
      this.droppedForeignKeys.push(fk);
    }
  }

  private async row(text: string): Promise<void> {
    const table = this.current;
    if (!table) throw this.invalid('a row comes before any table');
    const row = Row.safeParse(this.parse(text));
    if (!row.success || row.data.length !== table.columns.length) throw this.invalid(`a row of table ${table.name} is malformed`);
    table.rows += 1;
    if (table.migrationNames) table.migrationNames.push(row.data[table.columns.indexOf('name')] ?? '');
    if (!table.insert) return;
    table.batch.push(text);
    table.batchBytes += text.length;
    if (table.batch.length >= INSERT_MAX_ROWS || table.batchBytes >= BATCH_BYTES) await this.flush(table);
  }

  private async flush(table: LoadingTable): Promise<void> {
    if (!table.batch.length) return;
    if (table.columns.length) {
      await this.client.query(table.insert!, [`[${table.batch.join(',')}]`]);
    } else {
      for (let i = 0; i < table.batch.length; i++) await this.client.query(table.insert!);
    }
    table.batch = [];
    table.batchBytes = 0;
    this.opts.onProgress?.(table.name, table.rows);
  }

  private async endTable(): Promise<void> {
    const table = this.current;
    if (!table) return;
    this.current = undefined;
    await this.flush(table);
    if (table.migrationNames) await this.compareMigrations(table.migrationNames);
    if (table.rows === 0 || !table.insert) this.opts.onProgress?.(table.name, table.rows);
    this.tables += 1;
    this.rows += table.rows;
  }

  private async compareMigrations(backup: string[]): Promise<void> {
    const { rows } = await this.client.query<{ name: string }>(`select name from ${qualified(MIGRATION_TABLE)}`);
    const applied = new Set(rows.map((r) => r.name));
    const inBackup = new Set(backup);
    const missing = backup.filter((n) => !applied.has(n));
    const extra = [...applied].filter((n) => !inBackup.has(n));
    if (missing.length || extra.length) {
      throw schemaMismatch('The backup and this database have applied different migrations', { notApplied: missing, notInBackup: extra });
    }
  }

  private async restoreSequences(): Promise<void> {
    if (!this.sequences) throw this.invalid('the sequences are missing');
    const present = new Set(await listSequences(this.client));
    for (const seq of this.sequences) {
      if (!present.has(seq.name)) throw schemaMismatch(`The backup has a sequence ${seq.name} that this database does not have`, { sequence: seq.name });
      await this.client.query('select setval($1::regclass, $2::bigint, $3)', [qualified(seq.name), seq.lastValue, seq.isCalled]);
    }
    // A row may carry an id past its sequence (inserted with an explicit id); the next generated
    // id must still be free.
    const { rows: owned } = await this.client.query<{ table: string; column: string; sequence: string }>(`
      select c.relname as "table", a.attname as "column", pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) as "sequence"
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) is not null`);
    for (const { table, column, sequence } of owned) {
      await this.client.query(`
        select setval($1::regclass, m.v, true)
        from (select max(${ident(column)})::bigint as v from ${qualified(table)}) m, ${sequence} s, pg_sequence p
        where p.seqrelid = $1::regclass and p.seqincrement > 0 and m.v is not null
          and m.v >= case when s.is_called then s.last_value + 1 else s.last_value end`, [sequence]);
    }
  }

  private parse(text: string, problem = 'a line is not valid JSON'): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.invalid(problem);
    }
  }

  private invalid(problem: string): AppError {
    return backupInvalid(`This is not a usable Kefu backup: ${problem} (line ${this.lineNo})`, { line: this.lineNo });
  }
}

/** Gunzips and splits the input into lines (without the newline). */
async function* backupLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const gunzip = createGunzip();
  let inputError: unknown;
  input.on('error', (error) => {
    inputError = error;
    gunzip.destroy(error);
  });
  input.pipe(gunzip);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let sawLine = false;
  let finished = false;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        sawLine = true;
        yield line;
      }
      if (!sawLine && pending.length > MAX_HEADER_BYTES) throw backupInvalid('This is not a usable Kefu backup: it does not start with a Kefu header');
    }
    pending += decoder.decode();
    if (pending) yield pending;
    finished = true;
  } catch (error) {
    if (error === inputError) throw error;
    throw asBackupError(error);
  } finally {
    input.unpipe(gunzip);
    gunzip.destroy();
    // Stopped early (a bad file, a failed insert): the rest of the input is of no use to anyone.
    if (!finished) (input as Partial<Readable>).destroy?.();
  }
}

/** Errors that mean the file is bad become BACKUP_INVALID; the rest (disk, network) stay as they are. */
function asBackupError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return backupInvalid('This is not a usable Kefu backup: it is not gzip data, or it is truncated', undefined, error);
  }
  if (error instanceof TypeError && (error as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
    return backupInvalid('This is not a usable Kefu backup: it is not UTF-8 text', undefined, error);
  }
  // SQLSTATE classes 22 (data exception) and 23 (integrity violation): a value or row the schema
  // refuses, so the file does not match what it claims to be.
  if (typeof code === 'string' && /^2[23]/.test(code)) {
    return backupInvalid(`This is not a usable Kefu backup: the database refused its data (${(error as Error).message})`, { sqlState: code }, error);
  }
  return error;
}

function backupInvalid(message: string, details?: unknown, cause?: unknown): AppError {
  return new AppError('BACKUP_INVALID', 400, message, details, cause === undefined ? undefined : { cause });
}

function schemaMismatch(message: string, details: unknown): AppError {
  return new AppError('BACKUP_SCHEMA_MISMATCH', 400, message, details);
}

// -------------------------------------------------------------------------------------------------
// Catalog

interface TableInfo {
  name: string;
  /** stored columns in attnum order; generated columns are computed again, never dumped */
  columns: { name: string; type: string; identityAlways: boolean }[];
}

interface ForeignKey {
  name: string;
  child: string;
  parent: string;
  deferrable: boolean;
  definition: string;
  comment: string | null;
}

interface Trigger {
  table: string;
  name: string;
  /** pg_trigger.tgenabled: O (origin), A (always), R (replica); disabled ones are left alone */
  enabled: string;
}

async function lastMigration(client: pg.PoolClient): Promise<string | undefined> {
  const { rows: [table] } = await client.query<{ present: boolean }>(`select to_regclass($1) is not null as present`, [qualified(MIGRATION_TABLE)]);
  if (!table?.present) return undefined;
  // Migrations run in name order, so the greatest name is the last one applied.
  const { rows: [last] } = await client.query<{ name: string }>(`select max(name) as name from ${qualified(MIGRATION_TABLE)}`);
  return last?.name ?? undefined;
}

/** Base and partitioned tables of `public`; partitions are read and written through their parent. */
async function listTables(client: pg.PoolClient): Promise<TableInfo[]> {
  const { rows } = await client.query<{ table: string; column: string | null; type: string | null; identityAlways: boolean | null }>(`
    select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type",
      a.attidentity = 'a' as "identityAlways"
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname, a.attnum`);
  const tables = new Map<string, TableInfo>();
  for (const row of rows) {
    let table = tables.get(row.table);
    if (!table) tables.set(row.table, (table = { name: row.table, columns: [] }));
    if (row.column !== null) table.columns.push({ name: row.column, type: row.type!, identityAlways: row.identityAlways === true });
  }
  return [...tables.values()];
}

async function listForeignKeys(client: pg.PoolClient): Promise<ForeignKey[]> {
  const { rows } = await client.query<ForeignKey>(`
    select k.conname as name, child.relname as child, parent.relname as parent, k.condeferrable as deferrable,
      pg_get_constraintdef(k.oid) as definition, obj_description(k.oid, 'pg_constraint') as comment
    from pg_constraint k
    join pg_class child on child.oid = k.conrelid join pg_namespace cn on cn.oid = child.relnamespace
    join pg_class parent on parent.oid = k.confrelid join pg_namespace pn on pn.oid = parent.relnamespace
    where k.contype = 'f' and k.conparentid = 0 and cn.nspname = 'public' and pn.nspname = 'public'
      and not child.relispartition
    order by child.relname, k.conname`);
  return rows;
}

async function listTriggers(client: pg.PoolClient): Promise<Trigger[]> {
  const { rows } = await client.query<Trigger>(`
    select c.relname as "table", t.tgname as name, t.tgenabled as enabled
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and not t.tgisinternal and t.tgenabled <> 'D'
    order by c.relname, t.tgname`);
  return rows;
}

async function listSequences(client: pg.PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'S' order by c.relname`);
  return rows.map((r) => r.name);
}

async function serverVersion(client: pg.PoolClient): Promise<string> {
  const { rows: [row] } = await client.query<{ num: string }>(`select current_setting('server_version_num') as num`);
  const num = Number(row!.num);
  return `PostgreSQL ${Math.floor(num / 10000)}.${num % 100}`;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const qualified = (table: string) => `public.${ident(table)}`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
