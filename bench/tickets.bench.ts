import { cpus } from 'node:os';
import pg from 'pg';
import type { Options } from 'autocannon';
import { round, type BenchContext, type BenchSuite, type Figure } from './harness.js';
import { suite as httpSuite } from './http.bench.js';
import { BASELINE_FIRST_NUMBER, KEFU_POOL_MAX, startDbBaseline } from './inline-server.js';
import { KefuServer, PIPELINE_BACKLOG_SQL, createBenchDatabase } from './kefu-server.js';
import { measureLoad } from './load.js';
import { processCpuMs, processTree } from './processes.js';
import { explainInbox, sampleWaits, whileWatchingCpu, type InboxPlan } from './tickets-profile.js';
import { embeddedConnectionString, seedTickets } from './tickets-seed.js';

// autocannon.d.ts declares the options the other suites use; creation needs a body per request.
declare module 'autocannon' {
  interface RequestParams {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  interface Options {
    /** Requests sent in turn; `setupRequest` may rewrite each one before it goes out. */
    requests?: { method?: string; setupRequest?: (request: RequestParams) => RequestParams }[];
  }
}

/** The issue's figure: the inbox and creation on a workspace of a million tickets. */
const FULL_TICKETS = 1_000_000;
/** `--quick` (any scale below 1): enough to see the plans, seeded in seconds. */
const QUICK_TICKETS = 100_000;
const ENGINES = ['embedded', 'postgres'] as const;
type Engine = (typeof ENGINES)[number];
/** The machine's Postgres when neither BENCH_POSTGRES_URL nor DATABASE_URL names one. */
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
/** The issue's targets, on real Postgres: each engine's notes say whether its figures meet them. */
const TARGETS = { inboxP99Ms: 50, createPerS: 1000 };
/** Above this many cores taken by other processes during a load run, its figures are flagged in the notes. */
const DISTURBED_CORES = 0.2;
/** How long an idle server is watched for the statements it sends anyway. */
const IDLE_WINDOW_MS = 5000;
/** Requests of the one-at-a-time latency read after each inbox load run. */
const SERIAL_REQUESTS = 200;

interface InboxView {
  name: string;
  query: string;
  /** The same query as `TicketsService.inbox` takes it, for EXPLAIN. */
  inbox: Parameters<typeof explainInbox>[3];
  what: string;
}

const VIEWS: InboxView[] = [
  { name: 'tickets.inbox.all', query: 'view=all&limit=50', inbox: { view: 'all', limit: 50 }, what: 'every ticket, newest activity first' },
  { name: 'tickets.inbox.unassigned', query: 'view=unassigned&limit=50', inbox: { view: 'unassigned', limit: 50 }, what: 'active tickets nobody has' },
  { name: 'tickets.inbox.mine', query: 'view=mine&limit=50', inbox: { view: 'mine', limit: 50 }, what: 'the API token\'s agent\'s tickets' },
  {
    name: 'tickets.inbox.open_critical', query: 'view=all&status=open&urgency=3&limit=50',
    inbox: { view: 'all', statuses: ['open'], urgencies: [3], limit: 50 }, what: 'filtered: status open and urgency 3 (critical)',
  },
];

export const suite: BenchSuite = {
  order: 30,
  benchmarks: [
    { name: 'tickets.seed', description: 'tickets/s written by the bulk SQL seed (1M tickets, 100k customers, indexes rebuilt, VACUUM ANALYZE), per engine' },
    { name: 'tickets.create', description: 'tickets/s through POST /api/v1/tickets with an API token, half new customers, on the seeded workspace (vs fastify.hello and vs tickets.create_baseline: Fastify + one INSERT … RETURNING per request), statements and commits per ticket' },
    ...VIEWS.map((v) => ({ name: v.name, description: `GET /api/v1/tickets?${v.query} on the seeded workspace: ${v.what} (vs fastify.hello)` })),
  ],

  async run(ctx, wanted) {
    const tickets = ticketCount(ctx);
    const engines = await chooseEngines(ctx);
    const http = [...wanted].some((name) => name !== 'tickets.seed');
    ctx.note(`tickets: ${tickets.toLocaleString('en')} tickets seeded per engine (BENCH_TICKETS overrides; --quick: ${QUICK_TICKETS.toLocaleString('en')}), ` +
      `engines ${engines.map((e) => e.engine).join(', ')} (BENCH_ENGINES). Figures carry "engine" and "tickets" next to the contract's keys; ` +
      `the table above lists them in that order, embedded first.`);

    // The baseline is measured here, by the http suite's own code, before any Kefu runs.
    const hello = http ? await measureHello(ctx) : undefined;

    // One engine failing must not hide the other's figures; the suite still fails at the end.
    const failures: string[] = [];
    for (const engine of engines) {
      try {
        await runEngine(ctx, wanted, engine, tickets, hello);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${engine.engine}: ${message}`);
        ctx.log(`tickets[${engine.engine}]: FAILED: ${message}`);
      }
    }
    if (failures.length) throw new Error(`tickets: ${failures.join('\n')}`);
  },
};

/** The fastify.hello figures every HTTP figure here is set beside. */
interface Baseline {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

interface EngineTarget {
  engine: Engine;
  /** Postgres engine: the server to create the bench database on. */
  adminUrl?: string;
}

function ticketCount(ctx: BenchContext): number {
  const raw = process.env.BENCH_TICKETS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 50_000) throw new Error(`BENCH_TICKETS must be a whole number of at least 50000 (every view needs more than a page), not "${raw}"`);
    return n;
  }
  return ctx.settings.scale < 1 ? QUICK_TICKETS : FULL_TICKETS;
}

/**
 * BENCH_ENGINES=embedded,postgres (the default: both). The postgres engine runs on the server of
 * BENCH_POSTGRES_URL, else DATABASE_URL, else the machine's 127.0.0.1:5432, in a database of its
 * own created for the run and dropped after; when that server isn't reachable and the engine
 * wasn't asked for by name, it is skipped with a note.
 */
async function chooseEngines(ctx: BenchContext): Promise<EngineTarget[]> {
  const raw = process.env.BENCH_ENGINES;
  const explicit = raw !== undefined && raw !== '';
  const names = explicit ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [...ENGINES];
  const unknown = names.filter((n) => !(ENGINES as readonly string[]).includes(n));
  if (unknown.length || !names.length) throw new Error(`BENCH_ENGINES takes ${ENGINES.join(', ')} (comma-separated), not "${raw}"`);
  const targets: EngineTarget[] = [];
  for (const engine of ENGINES.filter((e) => names.includes(e))) {
    if (engine === 'embedded') { targets.push({ engine }); continue; }
    const adminUrl = process.env.BENCH_POSTGRES_URL || process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
    const problem = await reachable(adminUrl);
    if (problem) {
      if (explicit) throw new Error(`the postgres engine was asked for, but ${redact(adminUrl)} is unreachable: ${problem}`);
      ctx.log(`tickets: skipping the postgres engine: ${redact(adminUrl)} is unreachable (${problem})`);
      ctx.note(`tickets: the postgres engine was skipped: ${redact(adminUrl)} was unreachable (${problem}); set BENCH_POSTGRES_URL.`);
      continue;
    }
    targets.push({ engine, adminUrl });
  }
  return targets;
}

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function measureHello(ctx: BenchContext): Promise<Baseline> {
  const figures: Figure[] = [];
  // The http suite's fastify.hello, run as it runs there; its figures come back to us, not to stdout
  // (the http suite prints its own fastify.hello line when it runs).
  const capture: BenchContext = {
    settings: ctx.settings,
    report: (figure) => figures.push(figure),
    note: () => undefined,
    log: (text) => ctx.log(text),
    tempDir: (prefix) => ctx.tempDir(prefix),
    onCleanup: (cleanup) => ctx.onCleanup(cleanup),
  };
  await httpSuite.run(capture, new Set(['fastify.hello']));
  const pick = (metric: string) => figures.find((f) => f.bench === 'fastify.hello' && f.metric === metric)?.value;
  const [rps, p50Ms, p99Ms] = [pick('rps'), pick('p50_ms'), pick('p99_ms')];
  if (rps === undefined || p50Ms === undefined || p99Ms === undefined) throw new Error('the http suite reported no fastify.hello figures');
  ctx.note(`tickets: baseline fastify.hello measured again inside this suite, before any Kefu started: ${round(rps)} rps, ` +
    `p50 ${round(p50Ms)} ms, p99 ${round(p99Ms)} ms (the http suite's fastify.hello line is a separate measurement).`);
  return { rps, p50Ms, p99Ms };
}

async function withDatabaseUrl<T>(url: string | undefined, work: () => Promise<T>): Promise<T> {
  // KefuServer reads DATABASE_URL from this process's environment when it spawns Kefu.
  const saved = process.env.DATABASE_URL;
  if (url === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = url;
  try {
    return await work();
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

async function describeServer(connectionString: string): Promise<string> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows: [row] } = await client.query<{ version: string; shared_buffers: string; work_mem: string }>(
      `select split_part(version(), ' on ', 1) as version, current_setting('shared_buffers') as shared_buffers, current_setting('work_mem') as work_mem`);
    return `${row!.version}, shared_buffers ${row!.shared_buffers}, work_mem ${row!.work_mem}`;
  } finally {
    await client.end();
  }
}

async function runEngine(ctx: BenchContext, wanted: ReadonlySet<string>, target: EngineTarget, tickets: number, hello: Baseline | undefined) {
  const { engine } = target;
  const started = performance.now();
  const database = target.adminUrl ? await createBenchDatabase(ctx, target.adminUrl) : undefined;
  ctx.log(`tickets[${engine}]: starting Kefu (fresh data dir${database ? `, database ${redact(database.url)}` : ', embedded Postgres'})`);
  const dataDir = await ctx.tempDir(`tickets-${engine}`);
  const server = await withDatabaseUrl(database?.url, () => KefuServer.start(ctx, dataDir, { countStatements: wanted.has('tickets.create') }));
  try {
    await server.waitHealthy();
    const connection = database?.url ?? await embeddedConnectionString(dataDir);
    await measureEngine(ctx, wanted, engine, tickets, hello, server, connection, started);
  } finally {
    // Stopped here, not at the end of the run: the next engine must have the CPU to itself.
    await server.stop();
    await database?.drop();
  }
}

async function measureEngine(
  ctx: BenchContext, wanted: ReadonlySet<string>, engine: Engine, tickets: number, hello: Baseline | undefined,
  server: KefuServer, connection: string, started: number,
) {
  const serverInfo = await describeServer(connection);
  const tag = `tickets[${engine}]`;
  const report = (bench: string, metric: string, value: number, baselineValue?: number) => {
    const figure: Figure & { engine: Engine; tickets: number } = baselineValue === undefined
      ? { bench, metric, value, engine, tickets }
      : { bench, metric, value, baseline: 'fastify.hello', baseline_value: baselineValue, ratio: value / baselineValue, engine, tickets };
    ctx.report(figure);
  };
  const summary: string[] = [];
  const targets: string[] = [];
  const others: { name: string; cores: number }[] = [];
  /** A load run, and how many cores other processes took meanwhile. */
  const load = async (name: string, target: Options) => {
    const { result, othersCores } = await whileWatchingCpu(() => ourPids(connection), () => measureLoad(ctx.settings, target));
    if (othersCores !== undefined) others.push({ name, cores: othersCores });
    return result;
  };

  ctx.log(`${tag}: seeding ${tickets.toLocaleString('en')} tickets (${serverInfo})`);
  const customers = Math.max(1000, Math.round(tickets / 10));
  const seed = await seedTickets(connection, { tickets, customers, extraAgents: 17 }, (text) => ctx.log(`${tag}: ${text}`));
  if (wanted.has('tickets.seed')) report('tickets.seed', 'per_s', tickets / seed.seconds);
  summary.push(`seed ${seed.seconds.toFixed(1)} s`);

  const token = await server.apiToken();
  const headers = { authorization: `Bearer ${token}` };
  const { admin } = await server.demoCredentials();
  const agentId = await agentIdOf(connection, admin.email);

  const plans: string[] = [];
  for (const view of VIEWS.filter((v) => wanted.has(v.name))) {
    const url = `${server.url}/api/v1/tickets?${view.query}`;
    await probeInbox(server, url, headers, view.name);
    ctx.log(`${tag}: ${view.name}: loading ${url}`);
    const result = await load(view.name, { url, headers });
    report(view.name, 'rps', result.rps, hello?.rps);
    report(view.name, 'p50_ms', result.p50Ms, hello?.p50Ms);
    report(view.name, 'p99_ms', result.p99Ms, hello?.p99Ms);
    const serial = await sequentialLatency(url, headers, SERIAL_REQUESTS);
    summary.push(`${view.name.replace('tickets.', '')} p50 ${round(result.p50Ms)} / p99 ${round(result.p99Ms)} ms ` +
      `(one request at a time: ${round(serial.p50Ms)} / ${round(serial.p99Ms)} ms)`);
    targets.push(`${view.name} p99 ${round(result.p99Ms)} ms ${result.p99Ms < TARGETS.inboxP99Ms ? 'meets' : 'MISSES'} < ${TARGETS.inboxP99Ms} ms ` +
      `(one at a time ${round(serial.p99Ms)} ms)`);

    const plan = await explainInbox(connection, seed.workspaceId, agentId, view.inbox).catch((error: Error) => error);
    if (plan instanceof Error) {
      ctx.note(`${tag}: ${view.name}: EXPLAIN failed: ${plan.message.split('\n')[0]}`);
      continue;
    }
    plans.push(`${view.name}: ${describePlan(plan)}`);
    const missed = result.p99Ms > TARGETS.inboxP99Ms;
    if (missed || process.env.BENCH_EXPLAIN) {
      ctx.log(`${tag}: ${view.name}: p99 ${round(result.p99Ms)} ms${missed ? ` misses the ${TARGETS.inboxP99Ms} ms target` : ''}; ` +
        `the route's SQL and its EXPLAIN (ANALYZE, BUFFERS):\n  ${plan.sql}\n  parameters ${JSON.stringify(plan.parameters)}\n    ${plan.plan.join('\n    ')}`);
    }
  }

  if (wanted.has('tickets.create')) {
    const url = `${server.url}/api/v1/tickets`;
    let sent = 0;
    // Every other ticket from a new customer (created on the way), the rest from seeded ones.
    const body = () => {
      sent += 1;
      const customer = sent % 2
        ? { email: `bench-new-${process.pid}-${sent}@example.com`, name: `New customer ${sent}` }
        : { email: `bench-customer-${1 + (sent * 7919) % customers}@example.com`, name: 'Returning customer' };
      return JSON.stringify({
        subject: `Printer YM-${100 + (sent % 400)} shows error E${sent % 50}`,
        body: `Hello, since this morning the printer shows error E${sent % 50} after a few pages. Request ${sent}.`,
        customer, department: ['service', 'sales', 'finance'][sent % 3], urgency: [1, 1, 2, 3][sent % 4],
      });
    };
    const request: Options = {
      url, method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: body() }) }],
    };
    const probe = await fetch(url, { method: 'POST', headers: request.headers, body: body() });
    const created = await probe.json().catch(() => undefined) as { number?: number } | undefined;
    if (probe.status !== 201 || created?.number !== seed.lastNumber + 1) {
      throw server.failure(`POST /api/v1/tickets answered ${probe.status} (expected 201 and ticket number ${seed.lastNumber + 1}): ${JSON.stringify(created)}`);
    }
    ctx.log(`${tag}: tickets.create: loading POST ${url}`);
    await settled(connection);
    // What an idle Kefu sends anyway (job polling, the event relay's timer), taken off below.
    const idle = await idleRates(server, connection, seed.workspaceId);
    const before = { ...await server.statements(), ...await databaseCounters(connection, seed.workspaceId), cpu: await processCpuMs(server.pid), at: performance.now() };
    const waits = sampleWaits(connection);
    const result = await load('tickets.create', request).finally(() => waits.stop().catch(() => undefined));
    const profile = await waits.stop().catch(() => undefined);
    // What each ticket costs, its after-effects (SLA, routing, acknowledgement, webhooks) included.
    const settleMs = await settled(connection);
    const after = { ...await server.statements(), ...await databaseCounters(connection, seed.workspaceId), cpu: await processCpuMs(server.pid), at: performance.now() };
    report('tickets.create', 'rps', result.rps, hello?.rps);
    report('tickets.create', 'p50_ms', result.p50Ms, hello?.p50Ms);
    report('tickets.create', 'p99_ms', result.p99Ms, hello?.p99Ms);
    summary.push(`create ${round(result.rps)}/s`);
    targets.push(`tickets.create ${round(result.rps)}/s ${result.rps >= TARGETS.createPerS ? 'meets' : 'MISSES'} >= ${TARGETS.createPerS}/s`);
    await checkCreated(connection, seed.workspaceId, seed.lastNumber, sent);
    const count = after.lastNumber - before.lastNumber;
    const seconds = (after.at - before.at) / 1000;
    const statements = after.statements - before.statements - idle.statements * seconds;
    // The wait sampler's own queries are autocommit transactions of this database too.
    const commits = after.commits - before.commits - (profile?.samples ?? 0) - idle.commits * seconds;
    // Answers per second flatter a design that answers first and leaves work behind: this counts a
    // ticket when all of its after-effects are done, from the load's start to the last of them.
    report('tickets.create', 'processed_per_s', count / seconds);
    report('tickets.create', 'statements_per_ticket', statements / count);
    report('tickets.create', 'commits_per_ticket', commits / count);
    // Whole server (another database's writes would count too); the idle server's flushes are few and left in.
    report('tickets.create', 'wal_flushes_per_ticket', (after.walFlushes - before.walFlushes) / count);
    // CPU, not time, per ticket (the embedded Postgres is Kefu's child; another server's is not ours to read).
    report('tickets.create', 'kefu_cpu_ms_per_ticket', (after.cpu.rootMs - before.cpu.rootMs) / count);
    if (engine === 'embedded') report('tickets.create', 'postgres_cpu_ms_per_ticket', (after.cpu.descendantsMs - before.cpu.descendantsMs) / count);
    ctx.note(`${tag}: tickets.create: ${count} tickets, ${Math.round(statements)} statements sent by Kefu for them (every pool: ` +
      `API, jobs, event relay; counted in the server by bench/count-statements.mjs), ${Math.round(commits)} transactions committed in its ` +
      `database (pg_stat_database.xact_commit, read-only ones included, the bench's sampler taken off); measured until every event ` +
      `subscriber and every due job had finished (${round(settleMs)} ms after the load), so each ticket's after-effects are counted ` +
      `(processed_per_s: ${round(count / seconds)} tickets/s with all of them done, against ${round(result.rps)}/s answered); ` +
      `an idle Kefu's ${round(idle.statements)} statements/s and ${round(idle.commits)} commits/s over the ${round(seconds)} s are taken off.`);
    const heaviest = Object.entries(after.byText).map(([text, n]) => [text, (n - (before.byText[text] ?? 0)) / count] as const)
      .filter(([, n]) => n >= 0.05).sort((a, b) => b[1] - a[1]);
    ctx.note(`${tag}: tickets.create: statements per ticket by their first words (those sent at least once per 20 tickets; idle ones included): ` +
      `${heaviest.map(([text, n]) => `${n.toFixed(2)} "${text}"`).join('; ')}.`);
    const slowest = Object.entries(after.msByText).map(([text, ms]) => [text, (ms - (before.msByText[text] ?? 0)) / count] as const)
      .sort((a, b) => b[1] - a[1]).slice(0, 12);
    const totalMs = slowest.reduce((sum, [, ms]) => sum + ms, 0);
    ctx.note(`${tag}: tickets.create: milliseconds per ticket from sending a statement to its answer, by its first words (the 12 longest, ` +
      `${round(totalMs)} ms in all; under load this includes waiting for Postgres' CPU): ` +
      `${slowest.map(([text, ms]) => `${ms.toFixed(2)} "${text}"`).join('; ')}.`);

    const insert = await measureInsertBaseline(ctx, connection, seed.workspaceId, body);
    report('tickets.create_baseline', 'rps', insert.rps, hello?.rps);
    report('tickets.create_baseline', 'p50_ms', insert.p50Ms, hello?.p50Ms);
    report('tickets.create_baseline', 'p99_ms', insert.p99Ms, hello?.p99Ms);
    const vs = (bench: string, metric: string, value: number, baselineValue: number) => ctx.report({
      bench, metric, value, baseline: 'tickets.create_baseline', baseline_value: baselineValue, ratio: value / baselineValue, engine, tickets,
    } as Figure);
    vs('tickets.create', 'rps', result.rps, insert.rps);
    vs('tickets.create', 'p50_ms', result.p50Ms, insert.p50Ms);
    vs('tickets.create', 'p99_ms', result.p99Ms, insert.p99Ms);
    ctx.note(`${tag}: tickets.create_baseline: Fastify + a ${KEFU_POOL_MAX}-connection pg.Pool doing one \`insert into tickets … returning *\` ` +
      `per request, same bodies, same database, same ${ctx.settings.connections} clients: ${round(insert.rps)}/s, p50 ${round(insert.p50Ms)} ms, ` +
      `p99 ${round(insert.p99Ms)} ms; tickets.create is ${(result.rps / insert.rps).toFixed(2)} of it.`);
    if (profile) ctx.note(`${tag}: tickets.create: Postgres waits of Kefu's connections over warm-up and run (pg_stat_activity every 20 ms, ` +
      `${profile.samples} samples): ${profile.active.toFixed(1)} of them busy on average (in a statement or a transaction); ` +
      `${profile.statements.slice(0, 5).map((s) => `${s.avg.toFixed(2)} ${s.wait} in "${s.statement}…"`).join('; ')}.`);
  }

  ctx.note(`${tag}: ${serverInfo}; ${summary.join('; ')}; engine total ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  ctx.note(`${tag}: targets: ${targets.join('; ')}.`);
  ctx.note(`${tag}: seed steps: ${Object.entries(seed.steps).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}; ` +
    `tickets table ${mb(seed.tableBytes)} MB + indexes ${mb(seed.indexBytes)} MB; tickets per view: unassigned ${seed.counts.unassignedActive}, ` +
    `open+critical ${seed.counts.openCritical}, mine ${seed.counts.mine}.`);
  for (const plan of plans) ctx.note(`${tag}: plan of ${plan}`);
  if (others.length) {
    const disturbed = others.filter((o) => o.cores > DISTURBED_CORES).map((o) => o.name);
    ctx.note(`${tag}: cores (of ${cpus().length}) kept busy by processes other than the bench, its servers and their Postgres backends ` +
      `during each load run: ${others.map((o) => `${o.name.replace('tickets.', '')} ${o.cores.toFixed(2)}`).join(', ')}` +
      `${disturbed.length ? `; the machine was not quiet during ${disturbed.join(', ')}: those figures are lower than on an idle box` : ''}.`);
  }
}

/**
 * The processes whose CPU a load run is about: this one (autocannon), everything it started (Kefu,
 * the embedded Postgres) and the backends serving the bench database on a shared Postgres.
 */
async function ourPids(connectionString: string): Promise<number[]> {
  const pids = (await processTree(process.pid)).map((p) => p.pid);
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database()`);
    return [...new Set([...pids, ...rows.map((r) => r.pid)])];
  } catch {
    return pids;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Statements and commits per second of the server left alone, over IDLE_WINDOW_MS. */
async function idleRates(server: KefuServer, connectionString: string, workspaceId: string) {
  const start = { ...await server.statements(), ...await databaseCounters(connectionString, workspaceId), at: performance.now() };
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  const end = { ...await server.statements(), ...await databaseCounters(connectionString, workspaceId), at: performance.now() };
  const seconds = (end.at - start.at) / 1000;
  // Less databaseCounters' own two statements, read once per reading.
  return { statements: (end.statements - start.statements) / seconds, commits: (end.commits - start.commits - 2) / seconds };
}

/** Numbers the counters before and after the load are read at. */
async function databaseCounters(connectionString: string, workspaceId: string): Promise<{ commits: number; walFlushes: number; lastNumber: number }> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // WAL fsyncs, what a durable commit waits for: in pg_stat_io from Postgres 18 (the embedded
    // server), in pg_stat_wal before (the machine's 15).
    const { rows: [versionRow] } = await client.query<{ version: number }>(`select current_setting('server_version_num')::int as version`);
    const walFlushes = versionRow!.version >= 180_000
      ? `(select coalesce(sum(fsyncs), 0) from pg_stat_io where object = 'wal')`
      : '(select wal_sync from pg_stat_wal)';
    const { rows: [row] } = await client.query<{ commits: string; flushes: string; last: number }>(`
      select (select xact_commit from pg_stat_database where datname = current_database()) as commits, ${walFlushes} as flushes,
             (select last_ticket_number from ticket_settings where workspace_id = $1) as last`, [workspaceId]);
    // Its own transactions are counted once per reading: before and after cancel out.
    return { commits: Number(row!.commits), walFlushes: Number(row!.flushes), lastNumber: row!.last };
  } finally {
    await client.end();
  }
}

/**
 * Waits until every durable event subscriber has caught up with the log and no job is due or
 * running (jobs scheduled for later, like SLA breach checks, stay waiting): what a load run left
 * behind is done. pg-boss' own `__pgboss__send-it` jobs are not counted: they are the minute's cron
 * ticks (the sweeps), which pg-boss' timekeeper picks up seconds after they fall due, so a run that
 * ended across a minute boundary waited ~6 s more for nothing a ticket needs. Returns the ms it took.
 */
async function settled(connectionString: string, timeoutMs = 300_000): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const started = performance.now();
  try {
    for (;;) {
      const { rows: [row] } = await client.query<{ lag: number; jobs: number }>(PIPELINE_BACKLOG_SQL);
      if (row!.lag === 0 && row!.jobs === 0) return performance.now() - started;
      if (performance.now() - started > timeoutMs) throw new Error(`after ${timeoutMs / 1000} s, ${row!.lag} events and ${row!.jobs} jobs are still waiting`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

/** The baseline of tickets.create, on the same database; its rows are deleted again after. */
async function measureInsertBaseline(ctx: BenchContext, connectionString: string, workspaceId: string, body: () => string) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows: [customer] } = await client.query<{ id: string }>(`select id from customers where workspace_id = $1 limit 1`, [workspaceId]);
    const baseline = await startDbBaseline(ctx, connectionString, { workspaceId, customerId: customer!.id });
    try {
      const url = `${baseline.url}/tickets`;
      ctx.log(`tickets.create_baseline: loading POST ${url}`);
      return await measureLoad(ctx.settings, {
        url, method: 'POST', headers: { 'content-type': 'application/json' },
        requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: body() }) }],
      });
    } finally {
      await baseline.stop();
    }
  } finally {
    await client.query(`delete from tickets where workspace_id = $1 and number >= $2`, [workspaceId, BASELINE_FIRST_NUMBER]).catch(() => undefined);
    await client.end();
  }
}

/** One request at a time: the route's own latency, without the queueing of a load run. */
async function sequentialLatency(url: string, headers: Record<string, string>, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    times.push(performance.now() - at);
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  return { p50Ms: at(50), p99Ms: at(99) };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function describePlan(plan: InboxPlan): string {
  const scans = plan.indexes.length ? `index ${[...new Set(plan.indexes)].join(', ')}` : 'no index';
  return `${scans}${plan.seqScan ? ', SEQ SCAN of tickets' : ''}, ${plan.sharedHit + plan.sharedRead} buffers ` +
    `(${plan.sharedRead} read), ${plan.executionMs} ms in EXPLAIN ANALYZE`;
}

async function agentIdOf(connectionString: string, email: string): Promise<string> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows: [row] } = await client.query<{ id: string }>(`select id from agents where email = $1`, [email]);
    if (!row) throw new Error(`no agent ${email}`);
    return row.id;
  } finally {
    await client.end();
  }
}

/** Loads only a route proven to answer what it should: a 200 with a full page and a cursor to the next. */
async function probeInbox(server: KefuServer, url: string, headers: Record<string, string>, name: string) {
  const response = await fetch(url, { headers });
  const body = await response.json().catch(() => undefined) as { tickets?: unknown[]; nextCursor?: string | null } | undefined;
  if (response.status !== 200 || body?.tickets?.length !== 50 || !body.nextCursor) {
    throw server.failure(`${name}: GET ${url} answered ${response.status} with ${body?.tickets?.length ?? 'no'} tickets ` +
      `(expected a full page of 50 and a next cursor): ${JSON.stringify(body).slice(0, 500)}`);
  }
}

/** Every 201 the load counted is a ticket in the database, numbered on from the seed without gaps. */
async function checkCreated(connectionString: string, workspaceId: string, seeded: number, sent: number) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows: [row] } = await client.query<{ n: string; max: number; last: number }>(`
      select count(*) as n, max(number) as max, (select last_ticket_number from ticket_settings where workspace_id = $1) as last
      from tickets where workspace_id = $1 and number > $2`, [workspaceId, seeded]);
    const n = Number(row!.n);
    if (n !== row!.max - seeded || row!.last !== row!.max || n < 1 || n > sent) {
      throw new Error(`tickets.create: ${n} tickets created above ${seeded}, max number ${row!.max}, last_ticket_number ${row!.last}, ${sent} bodies sent`);
    }
  } finally {
    await client.end();
  }
}
