import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../../test/helpers/db.js';
import { createLogger } from '../../logger.js';
import { backupDatabase, restoreDatabase, type BackupSummary } from '../backup.js';
import { connectDatabase, type Database } from '../database.js';
import { startEmbeddedServer, type EmbeddedServer } from '../embedded-server.js';
import { migrateToLatest } from '../migrations.js';

const log = createLogger('silent');
const cleanups: (() => Promise<void>)[] = [];

// The config's hook time (120 s), not less: each drop of a database waits for a checkpoint, which
// on a busy server (the third durable run at load 10) took the six drops past 60 s.
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A fresh, migrated database on this run's server, with the probe tables when `probes`. */
async function database(probes = true): Promise<Database> {
  const fresh = await freshDatabase();
  cleanups.push(() => fresh.drop());
  const database = await connectDatabase(fresh.url, { max: 4, log });
  cleanups.push(() => database.close());
  if (probes) await database.pool.query(PROBE_SCHEMA);
  return database;
}

/** Tables covering the types, keys and schema features a restore has to get right. */
const PROBE_SCHEMA = `
  create type backup_probe_mood as enum ('calm', 'busy', 'it''s "quoted"');
  create table backup_probe_parent (
    id bigint generated always as identity primary key,
    label text not null
  );
  create table backup_types_probe (
    id bigint generated always as identity primary key,
    parent_id bigint references backup_probe_parent (id),
    raw bytea,
    doc jsonb,
    doc_text json,
    tags text[],
    grid integer[],
    at timestamptz,
    local_at timestamp,
    amount numeric,
    ratio double precision,
    big bigint,
    flag boolean,
    mood backup_probe_mood,
    span interval,
    day date,
    note text,
    code char(5),
    counter serial,
    shout text generated always as (upper(note)) stored,
    "Odd ""Name""" text
  );
  -- Self-reference: a child row may come before its parent in the table.
  create table backup_probe_tree (
    id integer primary key,
    parent_id integer references backup_probe_tree (id),
    name text not null
  );
  -- A trigger that changes what is inserted: it must not fire on restored rows.
  create function backup_probe_exclaim() returns trigger language plpgsql as $$
    begin new.name := new.name || '!'; return new; end $$;
  create trigger backup_probe_exclaim before insert on backup_probe_tree
    for each row execute function backup_probe_exclaim();
  -- A cycle of non-deferrable foreign keys: no table order satisfies both.
  create table backup_probe_hen (id integer primary key, egg_id integer);
  create table backup_probe_egg (id integer primary key, hen_id integer not null references backup_probe_hen (id));
  alter table backup_probe_hen add constraint backup_probe_hen_egg foreign key (egg_id) references backup_probe_egg (id);
  comment on constraint backup_probe_hen_egg on backup_probe_hen is 'which came first';
  create table backup_probe_bulk (id bigint primary key, payload text not null);
  create materialized view backup_probe_tree_size as select count(*) as n from backup_probe_tree;
`;

const SOURCE_ROWS = `
  insert into workspaces (id, slug, name, hostnames, created_at) values
    ('00000000-0000-4000-8000-000000000001', 'acme', '{"en": "Acme", "zh-CN": "顶点"}', '{help.acme.test,acme.test}', '2026-01-02 03:04:05.678901+00'),
    ('00000000-0000-4000-8000-000000000002', 'globex', '{"en": "Globex"}', '{}', '2026-01-03 00:00:00+00');
  insert into agents (workspace_id, email, name, role, password_hash, locale, disabled_at) values
    ('00000000-0000-4000-8000-000000000001', 'ana@acme.test', 'Ana', 'admin', 'scrypt$x', 'en', null),
    ('00000000-0000-4000-8000-000000000001', 'bo@acme.test', '波', 'agent', 'scrypt$y', 'zh-CN', '2026-02-01 10:00:00.000001+00'),
    ('00000000-0000-4000-8000-000000000002', 'cy@globex.test', 'Cy', 'editor', 'scrypt$z', null, null);
  insert into audit_log (workspace_id, actor_type, action, details)
    select '00000000-0000-4000-8000-000000000001', 'agent', 'probe.' || i, jsonb_build_object('i', i) from generate_series(1, 5) i;
  delete from audit_log where action = 'probe.5';

  insert into backup_probe_parent (label) values ('first'), ('second');
  insert into backup_types_probe (parent_id, raw, doc, doc_text, tags, grid, at, local_at, amount, ratio, big, flag, mood, span, day, note, code, "Odd ""Name""")
  values
    (1, (select decode(string_agg(lpad(to_hex(b), 2, '0'), '' order by b), 'hex') from generate_series(0, 255) b),
     '{"a": [1, 2.50, null], "big": 123456789012345678901234567890.000000001, "s": "引号 \\" \\\\ \\n", "nested": {"x": true}}',
     '{"b": 1,  "a": 2, "a": 3}',
     array['a', 'b c', '', null, 'quote"', 'back\\slash', '{brace}', 'NULL', 'comma,'],
     '{{1,2},{3,4}}',
     '2026-03-04 05:06:07.123456+08', '1999-12-31 23:59:59.999999',
     12345678901234567890.123456789012345678, 0.1, 9223372036854775807, true,
     'it''s "quoted"', '1 year 2 mons 3 days 04:05:06.789', '0044-03-15 BC',
     'hello ☃ 😀 "tab	"', 'ab', 'odd'),
    (2, '', 'null', 'null', '{}', null, 'infinity', '-infinity', 'NaN', '-Infinity', -9223372036854775808, false,
     'calm', '-1 days +00:00:00.000001', '2026-02-28', '', '', null),
    (null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
    (null, null, '{}', '[]', array[null]::text[], '{}', '2026-01-01 00:00:00.000001+00', null, 0.000000000000000000001, 1e308, 0, null,
     null, null, null, null, null, null);
  insert into backup_types_probe (note) values ('to be deleted');
  delete from backup_types_probe where note = 'to be deleted';

  insert into backup_probe_tree (id, parent_id, name) values (10, null, 'root');
  insert into backup_probe_tree (id, parent_id, name) values (11, 10, 'leaf'), (12, 11, 'twig');
  -- A new version of the root lands after its children in the heap.
  update backup_probe_tree set name = 'root (renamed)' where id = 10;

  insert into backup_probe_hen (id, egg_id) values (1, null);
  insert into backup_probe_egg (id, hen_id) values (10, 1);
  update backup_probe_hen set egg_id = 10 where id = 1;

  insert into backup_probe_bulk (id, payload) select i, md5(i::text) from generate_series(1, 2500) i;
  refresh materialized view backup_probe_tree_size;
`;

interface Snapshot {
  /** every table's and materialized view's rows, as PostgreSQL prints them, sorted */
  data: Record<string, string[]>;
  sequences: Record<string, string | null>;
  migrations: string[];
  foreignKeys: string[];
  triggers: string[];
}

async function snapshot(database: Database): Promise<Snapshot> {
  const q = async <R extends object>(text: string) => (await database.pool.query<R & pg.QueryResultRow>(text)).rows;
  const data: Record<string, string[]> = {};
  const relations = await q<{ name: string }>(`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p', 'm') and c.relname not like 'kefu_migration%' order by 1`);
  for (const { name } of relations) {
    const rows = await q<{ r: string }>(`select t::text as r from public."${name}" t order by 1`);
    data[name] = rows.map((row) => row.r);
  }
  const sequences = Object.fromEntries((await q<{ name: string; value: string | null }>(`
    select sequencename as name, last_value::text as value from pg_sequences where schemaname = 'public'`)).map((s) => [s.name, s.value]));
  const migrations = (await q<{ name: string }>('select name from kefu_migration order by name')).map((m) => m.name);
  const foreignKeys = (await q<{ fk: string }>(`
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || coalesce(obj_description(oid, 'pg_constraint'), '') as fk
    from pg_constraint where connamespace = 'public'::regnamespace and contype = 'f' order by 1`)).map((r) => r.fk);
  const triggers = (await q<{ t: string }>(`
    select tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text as t from pg_trigger where not tgisinternal order by 1`)).map((r) => r.t);
  return { data, sequences, migrations, foreignKeys, triggers };
}

/** Rows of `query` printed under fixed settings, so two servers print them alike. */
async function probeRows(database: Database, query: string): Promise<pg.QueryResultRow[]> {
  const client = await database.pool.connect();
  try {
    await client.query(`begin; set local timezone = 'UTC'; set local datestyle = 'ISO, YMD';
      set local extra_float_digits = 1; set local intervalstyle = 'postgres'`);
    const { rows } = await client.query(query);
    await client.query('commit');
    return rows;
  } finally {
    client.release();
  }
}

async function dump(database: Database, opts?: Parameters<typeof backupDatabase>[2]): Promise<{ file: Buffer; summary: BackupSummary }> {
  const chunks: Buffer[] = [];
  const out = new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(chunk); done(); } });
  const summary = await backupDatabase(database.pool, out, opts);
  return { file: Buffer.concat(chunks), summary };
}

function restore(database: Database, file: Buffer, opts?: Parameters<typeof restoreDatabase>[2]): Promise<BackupSummary> {
  return restoreDatabase(database.pool, Readable.from([file]), opts);
}

const linesOf = (file: Buffer) => gunzipSync(file).toString('utf8').split('\n').filter(Boolean);
const fileOf = (lines: string[]) => gzipSync(`${lines.join('\n')}\n`);

let source: Database;
let sourceSnapshot: Snapshot;
let backup: { file: Buffer; summary: BackupSummary };

beforeAll(async () => {
  source = await database();
  await source.pool.query(SOURCE_ROWS);
  sourceSnapshot = await snapshot(source);
  backup = await dump(source);
});

describe('backupDatabase / restoreDatabase', () => {
  it('writes a header, each table with its columns, and a trailer counting them', () => {
    const lines = linesOf(backup.file).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ kind: 'kefu-backup', version: 1, schemaVersion: sourceSnapshot.migrations.at(-1) });
    expect(lines[0]!.server).toMatch(/^PostgreSQL \d+\.\d+$/);
    const tables = lines.filter((l) => !Array.isArray(l) && 'table' in l).map((l) => l.table);
    expect(tables).toContain('kefu_migration');
    // Parents before children.
    expect(tables.indexOf('workspaces')).toBeLessThan(tables.indexOf('agents'));
    expect(tables.indexOf('backup_probe_parent')).toBeLessThan(tables.indexOf('backup_types_probe'));
    // The job queue's schema stays out.
    expect(tables.some((t) => String(t).includes('job'))).toBe(false);
    expect(lines.at(-1)).toEqual({ end: true, tables: backup.summary.tables, rows: backup.summary.rows });
    expect(backup.summary.tables).toBe(tables.length);
    // Generated columns are computed again on restore, never dumped.
    const probe = lines.find((l) => l.table === 'backup_types_probe') as { columns: string[] };
    expect(probe.columns).not.toContain('shout');
    expect(probe.columns).toContain('Odd "Name"');
  });

  it('restores every row, sequence, key and trigger exactly, replacing what the target held', async () => {
    const target = await database();
    await target.pool.query(`
      insert into workspaces (slug, name) values ('old-data', '{}');
      insert into backup_probe_tree (id, name) values (99, 'stale')`);
    const summary = await restore(target, backup.file);
    expect(summary).toEqual(backup.summary);
    expect(await snapshot(target)).toEqual(sourceSnapshot);
  });

  it('round-trips bytea, jsonb, json, arrays, timestamps, numeric, bigint and NULL value for value', async () => {
    const target = await database();
    await restore(target, backup.file);
    const probe = `
      select id, encode(raw, 'hex') as raw, doc::text as doc, doc is null as doc_is_sql_null, doc_text::text as doc_text,
        tags::text as tags, grid::text as grid, at::text as at, local_at::text as local_at, amount::text as amount,
        ratio::text as ratio, big::text as big, flag, mood::text as mood, span::text as span, day::text as day,
        note, code::text as code, length(code) as code_length, counter, shout, "Odd ""Name""" as odd
      from backup_types_probe order by id`;
    const expected = await probeRows(source, probe);
    const actual = await probeRows(target, probe);
    expect(actual).toEqual(expected);
    // Spot checks that the source really holds the edge values compared above.
    const [full, nulls] = [expected[0]!, expected.find((r) => r.id === 2)];
    expect(full.raw).toBe(Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0')).join(''));
    expect(full.big).toBe('9223372036854775807');
    expect(full.amount).toBe('12345678901234567890.123456789012345678');
    expect(full.at).toBe('2026-03-03 21:06:07.123456+00');
    expect(full.tags).toBe('{a,"b c","",NULL,"quote\\"","back\\\\slash","{brace}","NULL","comma,"}');
    expect(full.doc_text).toBe('{"b": 1,  "a": 2, "a": 3}');
    expect(full.shout).toBe('HELLO ☃ 😀 "TAB	"');
    expect(nulls).toMatchObject({ doc: 'null', doc_is_sql_null: false, amount: 'NaN', at: 'infinity', big: '-9223372036854775808' });
    expect(expected.find((r) => r.id === 3)).toMatchObject({ doc: null, doc_is_sql_null: true, tags: null });
    // Identity and serial columns carry on after the restored values, and generated-always ids
    // were written as they were.
    const next = `insert into backup_types_probe (note) values ('next') returning id, counter`;
    expect((await target.pool.query(next)).rows).toEqual((await source.pool.query(next)).rows);
    const nextAudit = `insert into audit_log (workspace_id, actor_type, action) values ('00000000-0000-4000-8000-000000000002', 'agent', 'x') returning id`;
    expect((await target.pool.query(nextAudit)).rows).toEqual((await source.pool.query(nextAudit)).rows);
    // Dropped-and-re-added foreign keys check again.
    await expect(target.pool.query(`insert into backup_probe_tree (id, parent_id, name) values (50, 4040, 'orphan')`))
      .rejects.toMatchObject({ code: '23503' });
    await expect(target.pool.query(`update backup_probe_egg set hen_id = 4040`)).rejects.toMatchObject({ code: '23503' });
    // The re-enabled trigger fires again.
    const { rows: [twig] } = await target.pool.query(`insert into backup_probe_tree (id, name) values (51, 'new') returning name`);
    expect(twig.name).toBe('new!');
  });

  it('reports progress for every table while backing up and restoring', async () => {
    const backupCalls: [string, number][] = [];
    const { file, summary } = await dump(source, { onProgress: (table, rows) => backupCalls.push([table, rows]) });
    const restoreCalls: [string, number][] = [];
    await restore(await database(), file, { onProgress: (table, rows) => restoreCalls.push([table, rows]) });
    for (const calls of [backupCalls, restoreCalls]) {
      const lastPerTable = new Map(calls);
      expect(lastPerTable.size).toBe(summary.tables);
      expect([...lastPerTable.values()].reduce((a, b) => a + b, 0)).toBe(summary.rows);
      expect(lastPerTable.get('backup_probe_bulk')).toBe(2500);
      // 2,500 rows arrive in several batches, each reported.
      const bulk = calls.filter(([table]) => table === 'backup_probe_bulk').map(([, rows]) => rows);
      expect(bulk.length).toBeGreaterThan(2);
      expect(bulk).toEqual([...bulk].sort((a, b) => a - b));
    }
  });

  it('reads all tables from one snapshot: rows committed while the dump streams are all left out', async () => {
    const busy = await database(false);
    await busy.pool.query(`
      create table backup_probe_bulk (id bigint primary key, payload text not null);
      insert into backup_probe_bulk select i, md5(i::text) || md5(random()::text) from generate_series(1, 60000) i`);
    const workspacesBefore = (await busy.pool.query('select count(*)::int as n from workspaces')).rows[0].n as number;

    // The output takes its first chunk and then nothing until released, so the dump stalls once
    // the stream buffers between it and the cursor are full: well inside the 60 batches of bulk.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const chunks: Buffer[] = [];
    const slowOut = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        released.then(() => done(), done);
      },
    });
    let bulkStarted!: () => void;
    const inBulk = new Promise<void>((resolve) => (bulkStarted = resolve));
    const progressed = new Set<string>();
    let finished = false;
    const running = backupDatabase(busy.pool, slowOut, {
      onProgress: (table) => {
        progressed.add(table);
        if (table === 'backup_probe_bulk') bulkStarted();
      },
    }).finally(() => (finished = true));

    await inBulk;
    await busy.pool.query(`
      begin;
      insert into workspaces (id, slug, name) values ('00000000-0000-4000-8000-00000000beef', 'late-comer', '{}');
      insert into agents (workspace_id, email, name, role, password_hash)
        values ('00000000-0000-4000-8000-00000000beef', 'late@comer.test', 'Late', 'admin', 'x');
      insert into backup_probe_bulk values (60001, 'late');
      commit`);
    // Committed while the dump was inside its first big table, before it read the others.
    expect(progressed.has('workspaces')).toBe(false);
    expect(finished).toBe(false);
    release();
    const summary = await running;

    const text = gunzipSync(Buffer.concat(chunks)).toString('utf8');
    expect(text).not.toContain('late-comer');
    expect(text).not.toContain('late@comer.test');
    expect(text).not.toContain('"60001"');
    const lines = text.split('\n').filter(Boolean);
    const rowsOf = (table: string) => {
      const start = lines.findIndex((l) => l.startsWith(`{"table":"${table}"`));
      let end = start + 1;
      while (lines[end]?.startsWith('[')) end++;
      return end - start - 1;
    };
    expect(rowsOf('backup_probe_bulk')).toBe(60000);
    expect(rowsOf('workspaces')).toBe(workspacesBefore);
    expect(summary.rows).toBe(lines.filter((l) => l.startsWith('[')).length);
  });

  describe('refuses a bad file and leaves the target as it was', () => {
    let target: Database;
    let before: Snapshot;
    beforeAll(async () => {
      target = await database();
      await target.pool.query(`
        insert into workspaces (slug, name) values ('keep-me', '{"en": "Keep"}');
        insert into backup_probe_tree (id, name) values (1, 'kept');
        insert into backup_probe_bulk values (1, 'kept')`);
      before = await snapshot(target);
    });

    const lines = () => linesOf(backup.file);
    const replaceFirstRowOf = (table: string, row: string) => {
      const all = lines();
      const start = all.findIndex((l) => l.startsWith(`{"table":"${table}"`));
      all[start + 1] = row;
      return fileOf(all);
    };
    const badFiles: [string, () => Buffer][] = [
      ['a gzip stream cut short', () => backup.file.subarray(0, Math.floor(backup.file.length * 0.6))],
      ['a file cut at a line end, without its trailer', () => fileOf(lines().slice(0, -1))],
      ['a file that stops after its header', () => fileOf(lines().slice(0, 1))],
      ['an empty file', () => Buffer.alloc(0)],
      ['plain text', () => Buffer.from('id,name\n1,acme\n')],
      ['gzip of some other JSON', () => fileOf(['{"hello":"world"}'])],
      ['gzip of something with no newline', () => gzipSync(Buffer.alloc(200_000, 'x'))],
      ['a trailer that counts other rows', () => fileOf([...lines().slice(0, -1), '{"end":true,"tables":1,"rows":1}'])],
      ['data after the trailer', () => fileOf([...lines(), '["1","extra"]'])],
      ['a row with too few values', () => replaceFirstRowOf('backup_probe_tree', '["10"]')],
      ['a row that is not JSON', () => replaceFirstRowOf('backup_probe_tree', '["10", nul')],
      ['a value the column type refuses', () => replaceFirstRowOf('backup_probe_tree', '["ten",null,"root"]')],
      ['a row breaking a foreign key', () => replaceFirstRowOf('agents', JSON.stringify(
        JSON.parse(lines()[lines().findIndex((l) => l.startsWith('{"table":"agents"')) + 1]!).map((v: string | null, i: number) => (i === 1 ? '00000000-0000-4000-8000-000000000999' : v)),
      ))],
      ['a duplicate primary key', () => {
        const all = lines();
        const start = all.findIndex((l) => l.startsWith('{"table":"backup_probe_bulk"'));
        all[start + 2] = all[start + 1]!;
        return fileOf(all);
      }],
      ['a future format version', () => fileOf([JSON.stringify({ ...JSON.parse(lines()[0]!), version: 2 }), ...lines().slice(1)])],
    ];
    it.each(badFiles)('%s → BACKUP_INVALID', async (_name, make) => {
      await expect(restore(target, make())).rejects.toMatchObject({ code: 'BACKUP_INVALID', status: 400 });
      expect(await snapshot(target)).toEqual(before);
    });

    it('a backup of another schema version → BACKUP_SCHEMA_MISMATCH', async () => {
      const ahead = await database();
      await ahead.pool.query(`
        insert into workspaces (slug, name) values ('keep-me', '{}');
        insert into kefu_migration (name, timestamp) values ('299912310000_future', now()::text)`);
      const aheadBefore = await snapshot(ahead);
      await expect(restore(ahead, backup.file)).rejects.toMatchObject({ code: 'BACKUP_SCHEMA_MISMATCH', status: 400 });
      expect(await snapshot(ahead)).toEqual(aheadBefore);
    });

    it('a target whose tables differ from the backup\'s → BACKUP_SCHEMA_MISMATCH', async () => {
      const plain = await database(false);
      await plain.pool.query(`insert into workspaces (slug, name) values ('keep-me', '{}')`);
      const plainBefore = await snapshot(plain);
      await expect(restore(plain, backup.file)).rejects.toMatchObject({ code: 'BACKUP_SCHEMA_MISMATCH' });
      expect(await snapshot(plain)).toEqual(plainBefore);
      // Same tables, one column less in the target.
      await target.pool.query('alter table backup_probe_bulk drop column payload');
      try {
        await expect(restore(target, backup.file)).rejects.toMatchObject({ code: 'BACKUP_SCHEMA_MISMATCH' });
      } finally {
        await target.pool.query(`alter table backup_probe_bulk add column payload text not null default 'kept'`);
      }
    });

    it('a database that is not migrated → BACKUP_SCHEMA_MISMATCH', async () => {
      const empty = await database(false);
      await empty.pool.query('drop table kefu_migration');
      await expect(restore(empty, backup.file)).rejects.toMatchObject({ code: 'BACKUP_SCHEMA_MISMATCH' });
    });
  });

  /**
   * The other server is an embedded PostgreSQL started here, so this always runs: with
   * DATABASE_URL (PostgreSQL 15) it is a 15 → 18 → 15 round trip; on the default embedded run it
   * crosses two separate PostgreSQL 18 clusters.
   */
  it('round-trips through another PostgreSQL server', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kefu-backup-peer-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    // A subdirectory: the server account must be able to cross it when tests run as root.
    const server: EmbeddedServer = await startEmbeddedServer({ dataDir: path.join(root, 'data') });
    cleanups.push(() => server.stop());
    const admin = await connectDatabase(server.connectionString('postgres'), { max: 1, log });
    await admin.pool.query('create database kefu_backup_peer');
    await admin.close();
    const peer = await connectDatabase(server.connectionString('kefu_backup_peer'), { max: 4, log });
    cleanups.push(() => peer.close());
    await migrateToLatest(peer.db, log);
    await peer.pool.query(PROBE_SCHEMA);

    await restore(peer, backup.file);
    const onPeer = await snapshot(peer);
    expect({ data: onPeer.data, sequences: onPeer.sequences, migrations: onPeer.migrations })
      .toEqual({ data: sourceSnapshot.data, sequences: sourceSnapshot.sequences, migrations: sourceSnapshot.migrations });

    const back = await database();
    const fromPeer = await dump(peer);
    expect(JSON.parse(linesOf(fromPeer.file)[0]!).server).toMatch(/^PostgreSQL 18\./);
    await restore(back, fromPeer.file);
    expect(await snapshot(back)).toEqual(sourceSnapshot);
  }, 120_000);

  it('measures backup and restore throughput on 100k rows', async () => {
    const schema = `
      create table backup_probe_messages (
        id bigint generated always as identity primary key,
        workspace_id uuid not null,
        subject text not null,
        body text not null,
        meta jsonb not null,
        created_at timestamptz not null
      )`;
    const big = await database(false);
    await big.pool.query(schema);
    await big.pool.query(`
      insert into backup_probe_messages (workspace_id, subject, body, meta, created_at)
      select gen_random_uuid(), 'Printer jams #' || i, repeat(md5(i::text), 6), jsonb_build_object('channel', 'mail', 'n', i),
        now() - i * interval '1 second'
      from generate_series(1, 100000) i`);
    let started = performance.now();
    const { file, summary } = await dump(big);
    const backupMs = performance.now() - started;
    const into = await database(false);
    await into.pool.query(schema);
    started = performance.now();
    await restore(into, file);
    const restoreMs = performance.now() - started;
    expect(summary.rows).toBeGreaterThanOrEqual(100_000);
    const count = (await into.pool.query('select count(*)::int as n from backup_probe_messages')).rows[0].n as number;
    expect(count).toBe(100_000);
    const rate = (ms: number) => Math.round(summary.rows / (ms / 1000)).toLocaleString('en');
    console.log(`backup: ${summary.rows} rows in ${Math.round(backupMs)} ms (${rate(backupMs)} rows/s), ` +
      `${(file.length / 1e6).toFixed(1)} MB gzip'd; restore: ${Math.round(restoreMs)} ms (${rate(restoreMs)} rows/s)`);
  }, 120_000);
});
