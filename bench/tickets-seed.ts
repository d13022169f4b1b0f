import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { claimDueAutomations } from './automation-history.js';

/**
 * Bulk data for the tickets benchmarks, written straight into a migrated Kefu database with
 * `insert … select … from generate_series` (the API would take hours for a million tickets).
 * The rows are generated consistent with the schema; only the speed tricks below differ from
 * what the app does, and none of them outlives the seeding session.
 */

export interface SeedOptions {
  /** Tickets to create, numbered on from the workspace's last ticket number. */
  tickets: number;
  /** Customers the tickets belong to (about 10 tickets each at 1M). */
  customers: number;
  /** Agents added next to the demo's three; assignees are spread over all of them. */
  extraAgents: number;
}

export interface SeedResult {
  workspaceId: string;
  /** `ticket_settings.last_ticket_number` after the seed: the demo's own tickets plus the seeded ones. */
  lastNumber: number;
  /** Seconds for the whole seed: customers, agents, tickets, index rebuild, VACUUM ANALYZE. */
  seconds: number;
  /** Seconds of each step, for the notes. */
  steps: Record<string, number>;
  /** Bytes of the tickets table and of its indexes afterwards. */
  tableBytes: number;
  indexBytes: number;
  /** Tickets of the views the bench loads, counted after the seed. */
  counts: { unassignedActive: number; openCritical: number; mine: number };
}

/** Deterministic data: the same seed value gives the same tickets on both engines. */
const RANDOM_SEED = 0.4242;

/**
 * SQL for an id derived from `text` (the same text, the same id) shaped as a random (version 4)
 * UUID: Kefu checks ids as RFC 9562 UUIDs (zod's `uuid()`) wherever they arrive, a job's data
 * included, and a bare md5 is not one (a sweep's jobs for seeded tickets were refused as malformed).
 */
const seededUuid = (text: string) => `overlay(overlay(md5(${text}) placing '4' from 13) placing '8' from 17)::uuid`;

/**
 * Fills the demo workspace. Speed tricks, all scoped to this one session: foreign-key triggers
 * off (`session_replication_role = replica`: the ids are generated to match), the tickets
 * table's secondary indexes dropped and rebuilt from their own `pg_get_indexdef` text after the
 * load (so the definitions are exactly the migrated ones), a larger `maintenance_work_mem` for
 * the rebuild; then VACUUM ANALYZE, as autovacuum would do eventually.
 */
export async function seedTickets(connectionString: string, options: SeedOptions, log: (text: string) => void): Promise<SeedResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const steps: Record<string, number> = {};
  const started = performance.now();
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    const result = await work();
    steps[name] = (performance.now() - at) / 1000;
    log(`tickets.seed: ${name} ${steps[name]!.toFixed(1)} s`);
    return result;
  };
  try {
    const { rows: [workspace] } = await client.query<{ id: string }>(`select id from workspaces order by created_at limit 1`);
    if (!workspace) throw new Error('no workspace to seed: the demo seed did not run');
    const ws = workspace.id;
    await client.query(`set session_replication_role = replica`);
    await client.query(`set maintenance_work_mem = '256MB'`);
    await client.query(`select setseed($1)`, [RANDOM_SEED]);
    // One transaction: a failed seed leaves the migrated database (and its indexes) as it was.
    await client.query('begin');

    await step('agents and customers', async () => {
      await client.query(`
        insert into agents (workspace_id, email, name, role, password_hash, locale)
        select $1::uuid, 'bench-agent-' || i || '@yunmo.example', 'Bench Agent ' || i, 'agent', '!bench-no-login', 'en'
        from generate_series(1, $2::int) i`, [ws, options.extraAgents]);
      // Ids derived from the number, so tickets can name their customer without a join.
      await client.query(`
        insert into customers (id, workspace_id, email, name, locale, created_at)
        select ${seededUuid(`$1::text || ':customer:' || i`)}, $1::uuid, 'bench-customer-' || i || '@example.com', 'Customer ' || i,
               (array['en', 'zh-CN'])[1 + (i % 2)], now() - interval '2 years' + random() * interval '1 year'
        from generate_series(1, $2::int) i`, [ws, options.customers]);
    });

    const indexes = await step('drop secondary indexes', async () => {
      const { rows } = await client.query<{ name: string; def: string }>(`
        select i.relname as name, pg_get_indexdef(x.indexrelid) as def
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
        join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = 'public' and t.relname = 'tickets'
          and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)`);
      for (const { name } of rows) await client.query(`drop index ${pg.escapeIdentifier(name)}`);
      return rows;
    });

    // Numbered on from whatever the demo seed opened itself (it may open a few tickets).
    const { rows: [settings] } = await client.query<{ last: number }>(
      `select last_ticket_number as last from ticket_settings where workspace_id = $1 for update`, [ws]);
    if (!settings) throw new Error('no ticket_settings row for the demo workspace');
    const first = settings.last;
    await step(`insert ${options.tickets} tickets`, async () => {
      // Per ticket: created evenly over the last year in number order; most old tickets closed,
      // the last weeks' still being worked on; ~10% unassigned (most new ones).
      await client.query(`
        with d as (
          select array_agg(id order by position, key) as ids from departments where workspace_id = $1::uuid
        ), a as (
          select array_agg(id order by created_at, email) as ids from agents where workspace_id = $1 and disabled_at is null
        ), g as (
          select n,
                 now() - interval '365 days' * (1 - n::float8 / $2) - random() * interval '1 hour' as created_at,
                 random() as r_status, random() as r_assign, random() as r_urgency, random() as r_dept,
                 random() as r_channel, random() as r_tags, random() as r_update, random() as r_subject,
                 1 + floor(random() * $3)::int as customer_no,
                 ($2 - n)::float8 / $2 as age
          from generate_series(1, $2::int) n
        ), s as (
          select g.*,
                 case
                   when age < 0.03 then (array['new', 'open', 'open', 'pending', 'pending', 'on_hold', 'solved', 'solved', 'closed', 'closed'])[1 + floor(r_status * 10)::int]
                   when r_status < 0.01 then 'open' when r_status < 0.02 then 'pending' when r_status < 0.025 then 'on_hold'
                   when r_status < 0.10 then 'solved' else 'closed'
                 end as status
          from g
        )
        insert into tickets (id, workspace_id, number, subject, status, urgency, department_id, assignee_id, customer_id,
                             channel, tags, merged_into_id, first_response_at, resolution_due_at, last_customer_message_at,
                             last_agent_message_at, solved_at, created_at, updated_at)
        select ${seededUuid(`$1::text || ':ticket:' || n`)}, $1::uuid, $4::int + n,
               (array['Paper jam in', 'Cannot connect to Wi-Fi:', 'Refund for', 'Ink cartridge not recognised by', 'Warranty claim on',
                      'Invoice question about', 'Driver install fails for', 'Streaks on prints from', 'Firmware update broke', '打印机卡纸'])[1 + floor(r_subject * 10)::int]
                 || ' ' || (array['YM-100', 'YM-200', 'YM-310', 'YM-Pro 5', 'YM-Jet 9', '云墨 M1'])[1 + (n % 6)] || ' (order ' || (100000 + n * 7 % 900000) || ')',
               status,
               case when r_urgency < 0.05 then 0 when r_urgency < 0.65 then 1 when r_urgency < 0.85 then 2 when r_urgency < 0.95 then 3 else 4 end,
               case when r_dept < 0.05 then null else d.ids[case when r_dept < 0.50 then 1 when r_dept < 0.75 then 2 when r_dept < 0.80 then 3 when r_dept < 0.85 then 4 else 5 end] end,
               case when (status = 'new' and r_assign < 0.7) or (status <> 'new' and r_assign < 0.09) then null
                    else a.ids[1 + floor(r_assign * 1000)::int % array_length(a.ids, 1)] end,
               ${seededUuid(`$1::text || ':customer:' || customer_no`)},
               (array['web', 'web', 'web', 'web', 'email', 'email', 'email', 'chat', 'phone', 'api'])[1 + floor(r_channel * 10)::int],
               case when r_tags < 0.6 then '{}'::text[]
                    when r_tags < 0.9 then array[(array['printer', 'ink', 'paper-jam', 'billing', 'refund', 'warranty', 'driver', 'wifi'])[1 + n % 8]]
                    else array[(array['printer', 'ink', 'paper-jam', 'billing'])[1 + n % 4], (array['vip', 'escalated', 'b2b'])[1 + n % 3]] end,
               case when n % 200 = 0 and n > 1 then ${seededUuid(`$1::text || ':ticket:' || (n - 1)`)} end,
               case when status <> 'new' then created_at + interval '2 hours' * r_update end,
               case when status in ('new', 'open', 'pending', 'on_hold') then created_at + interval '1 day' * (1 + floor(r_urgency * 3)) end,
               created_at,
               case when status <> 'new' then created_at + interval '2 hours' * r_update end,
               case when status in ('solved', 'closed') then created_at + interval '3 days' * r_update end,
               created_at,
               least(now(), created_at + case when status = 'new' then interval '0' else interval '10 days' * r_update * r_update end)
        from s, d, a`, [ws, options.tickets, options.customers, first]);
      await client.query(`update ticket_settings set last_ticket_number = $2 where workspace_id = $1`, [ws, first + options.tickets]);
    });

    await step(`rebuild ${indexes.length} indexes`, async () => {
      for (const { def } of indexes) await client.query(def);
      await client.query('commit');
    });
    // A year of tickets has a year of automation runs behind it: without them, the first sweep
    // after the seed (every five minutes) fires for thousands of seeded tickets in a load run.
    await step('claim the automations already due', async () => {
      for (const statement of claimDueAutomations) await client.query(statement, [ws]);
    });
    await step('vacuum analyze', async () => {
      for (const table of ['tickets', 'customers', 'agents', 'triage_automation_runs']) await client.query(`vacuum (analyze) ${table}`);
    });

    const seconds = (performance.now() - started) / 1000;
    const { rows: [size] } = await client.query<{ table_bytes: string; index_bytes: string }>(
      `select pg_table_size('tickets') as table_bytes, pg_indexes_size('tickets') as index_bytes`);
    const { rows: [counts] } = await client.query<{ unassigned_active: number; open_critical: number; mine: number }>(`
      select count(*) filter (where assignee_id is null and status in ('new', 'open', 'pending', 'on_hold')) as unassigned_active,
             count(*) filter (where status = 'open' and urgency = 3) as open_critical,
             count(*) filter (where assignee_id = (select id from agents where workspace_id = $1 and role = 'admin' order by created_at limit 1)) as mine
      from tickets where workspace_id = $1 and merged_into_id is null`, [ws]);
    return {
      workspaceId: ws, seconds, steps, lastNumber: first + options.tickets,
      tableBytes: Number(size!.table_bytes), indexBytes: Number(size!.index_bytes),
      counts: { unassignedActive: Number(counts!.unassigned_active), openCritical: Number(counts!.open_critical), mine: Number(counts!.mine) },
    };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * node-postgres connection string of the embedded cluster of a Kefu data dir, read from
 * `pg/postmaster.pid` (line 4 the port, line 5 the socket directory) the way Kefu's own
 * `connectionStringFor` builds it: the Unix socket, or 127.0.0.1 with the superuser password
 * when the socket path would be too long.
 */
export async function embeddedConnectionString(dataDir: string, database = 'kefu'): Promise<string> {
  const pidFile = await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8');
  const lines = pidFile.split('\n');
  const port = lines[3]?.trim();
  const socketDir = lines[4]?.trim();
  if (socketDir) return `postgresql://postgres@/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}&port=${port}`;
  const password = (await readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}
