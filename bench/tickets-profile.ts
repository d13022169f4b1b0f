import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { DB } from '../src/core/db/database.js';
import type { AccountsService } from '../src/modules/accounts/accounts.service.js';
import type { EventBus } from '../src/core/events/index.js';
import type { InboxQuery } from '../src/modules/tickets/tickets.service.js';

export interface InboxPlan {
  /** The SQL the inbox route runs for this query, as Kysely compiled it ($n placeholders). */
  sql: string;
  parameters: readonly unknown[];
  /** `EXPLAIN (ANALYZE, BUFFERS)` text, one line per plan line. */
  plan: string[];
  /** Indexes the plan scans, in plan order; empty when it reads the table sequentially. */
  indexes: string[];
  seqScan: boolean;
  executionMs: number;
  /** Shared buffers hit / read by the whole query (top plan node). */
  sharedHit: number;
  sharedRead: number;
}

/**
 * The query GET /api/v1/tickets runs, obtained from the app's own code: `TicketsService.inbox`
 * over `TicketsRepo` and the workspace-scoping plugin, on a Kysely that logs what it executes.
 * Then `EXPLAIN (ANALYZE, BUFFERS)` of exactly that SQL with its parameters.
 */
export async function explainInbox(connectionString: string, workspaceId: string, agentId: string, query: InboxQuery): Promise<InboxPlan> {
  // Loaded here, not at the top: a module someone is editing must not stop the other figures.
  const [{ Tenancy }, { TicketsRepo }, { TicketsService }, { systemClock }] = await Promise.all([
    import('../src/core/tenancy.js'),
    import('../src/modules/tickets/tickets.repo.js'),
    import('../src/modules/tickets/tickets.service.js'),
    import('../src/core/clock.js'),
  ]);
  const pool = new pg.Pool({ connectionString, max: 1 });
  const executed: CompiledQuery[] = [];
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => { if (event.level === 'query') executed.push(event.query); },
  });
  try {
    const tenancy = await Tenancy.load(db);
    // inbox() reads through the repository only: accounts and the bus are never touched.
    const service = new TicketsService(new TicketsRepo(db, tenancy), {} as AccountsService, {} as EventBus, systemClock);
    executed.length = 0;
    await service.inbox(workspaceId, agentId, query);
    const listed = executed.find((q) => /\bfrom "tickets" as "t"/.test(q.sql));
    if (!listed) throw new Error(`the inbox ran no tickets query (ran: ${executed.map((q) => q.sql).join(' | ')})`);
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${listed.sql}`, [...listed.parameters]);
    const plan = rows.map((r) => r['QUERY PLAN']);
    const indexes = plan.flatMap((line) => [...line.matchAll(/Index (?:Only )?Scan(?: Backward)? using (\S+)/g)].map((m) => m[1]!))
      .concat(plan.flatMap((line) => [...line.matchAll(/Bitmap Index Scan on (\S+)/g)].map((m) => m[1]!)));
    const buffers = plan.find((line) => /Buffers: shared/.test(line)) ?? '';
    return {
      sql: listed.sql,
      parameters: listed.parameters,
      plan,
      indexes,
      seqScan: plan.some((line) => /Seq Scan on tickets/.test(line)),
      executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? NaN),
      sharedHit: Number(/hit=(\d+)/.exec(buffers)?.[1] ?? 0),
      sharedRead: Number(/read=(\d+)/.exec(buffers)?.[1] ?? 0),
    };
  } finally {
    await db.destroy();
  }
}

export interface WaitProfile {
  samples: number;
  /** Client backends of the database running a statement or inside a transaction, on average. */
  active: number;
  /**
   * What they were doing, heaviest first: `Lock:transactionid`, `IO:WalSync`, `CPU` (running, no
   * wait) … or `idle in transaction` (waiting for the app's next statement, locks held).
   */
  waits: { wait: string; avg: number }[];
  /** The same by statement (its first 60 characters). */
  statements: { wait: string; statement: string; avg: number }[];
}

/**
 * Samples `pg_stat_activity` of the database every `intervalMs` until `stop` is called: which
 * waits the app's connections spend a load run in (a row lock everyone queues on shows up as
 * `Lock:transactionid` on the statement that takes it). `stop` may be called more than once.
 */
export function sampleWaits(connectionString: string, intervalMs = 20): { stop(): Promise<WaitProfile> } {
  const client = new pg.Client({ connectionString });
  const waits = new Map<string, number>();
  const statements = new Map<string, number>();
  let samples = 0;
  let active = 0;
  let stopping = false;
  const loop = (async () => {
    await client.connect();
    while (!stopping) {
      const { rows } = await client.query<{ wait: string; statement: string }>(`
        select case when state = 'active' then coalesce(wait_event_type || ':' || wait_event, 'CPU') else state end as wait,
               left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as statement
        from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
          and (state = 'active' or state like 'idle in transaction%')`);
      samples += 1;
      active += rows.length;
      for (const { wait, statement } of rows) {
        waits.set(wait, (waits.get(wait) ?? 0) + 1);
        const key = `${wait}\u0000${statement}`;
        statements.set(key, (statements.get(key) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  // Observed here so that a failed sampler is reported by stop(), never as an unhandled rejection.
  loop.catch(() => undefined);
  let result: Promise<WaitProfile> | undefined;
  const finish = async (): Promise<WaitProfile> => {
    stopping = true;
    try {
      await loop;
    } finally {
      await client.end().catch(() => undefined);
    }
    const per = (n: number) => (samples ? n / samples : 0);
    return {
      samples,
      active: per(active),
      waits: [...waits].map(([wait, n]) => ({ wait, avg: per(n) })).sort((a, b) => b.avg - a.avg),
      statements: [...statements].map(([key, n]) => {
        const [wait, statement] = key.split('\u0000') as [string, string];
        return { wait, statement, avg: per(n) };
      }).sort((a, b) => b.avg - a.avg),
    };
  };
  return { stop: () => (result ??= finish()) };
}

/**
 * Runs `work` and says how many cores processes other than ours kept busy meanwhile (0 … number
 * of cores): the machine's busy time from /proc/stat minus the CPU time of `ourPids` (read before
 * and after; a pid first seen after counts whole, it started during the run). A test suite or a
 * build running next to the bench shows up here, and its figures are not comparable.
 */
export async function whileWatchingCpu<T>(ourPids: () => Promise<number[]>, work: () => Promise<T>): Promise<{ result: T; othersCores?: number }> {
  const before = await machineTicks();
  const pidsBefore = await ourPids().catch(() => []);
  const oursBefore = new Map(await Promise.all(pidsBefore.map(async (pid) => [pid, await processTicks(pid)] as const)));
  const result = await work();
  const pidsAfter = await ourPids().catch(() => []);
  const after = await machineTicks();
  let ours = 0;
  for (const pid of new Set([...pidsBefore, ...pidsAfter])) {
    const end = await processTicks(pid);
    if (end !== undefined) ours += end - (oursBefore.get(pid) ?? 0);
  }
  if (!before || !after || after.total <= before.total) return { result };
  const busy = (after.total - after.idle) - (before.total - before.idle);
  const othersCores = Math.max(0, busy - ours) * cpus().length / (after.total - before.total);
  return { result, othersCores };
}

async function machineTicks(): Promise<{ total: number; idle: number } | undefined> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const fields = text?.split('\n')[0]?.trim().split(/\s+/).slice(1, 9).map(Number);
  if (!fields || fields.length < 5) return undefined;
  return { total: fields.reduce((a, b) => a + b, 0), idle: fields[3]! + fields[4]! }; // idle + iowait
}

/** utime + stime of one process, in clock ticks like /proc/stat; undefined once it has gone. */
async function processTicks(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
