import { cpus } from 'node:os';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { freePort, round, sleep, type BenchContext, type BenchSuite } from './harness.js';
import { KefuServer, PIPELINE_BACKLOG_SQL, createBenchDatabase, type StatementCounts } from './kefu-server.js';
import { processCpuMs, processTree } from './processes.js';
import { sampleWaits, whileWatchingCpu } from './tickets-profile.js';
import { embeddedConnectionString } from './tickets-seed.js';

/**
 * Inbound mail through the whole pipeline of the real server: concurrent SMTP clients in the bench
 * process send to the listener of `kefu start` (role all, its own process, as `npm start` runs it),
 * and the clock stops when every message is a committed ticket with its acknowledgement queued in
 * the outbox (listener, raw store, job, parse, customer, ticket, SLA, routing, autoresponder, the
 * event log's durable subscribers). Beside it, first, a bare smtp-server in the bench process that
 * accepts and discards, driven by the same clients.
 */
const CLIENTS = 10;
const FULL_MESSAGES = 3000;
const WARM_UP = 100;
/** The issue's targets. */
const TARGETS = { perSecond: 300, ratio: 0.3 };
/** The bench's customers write from this domain: it tells their tickets from the demo workspace's own. */
const BENCH_DOMAIN = 'bench.example';
const SUPPORT_ADDRESS = `support@${BENCH_DOMAIN}`;
/** How long an idle server is watched for the statements it sends anyway. */
const IDLE_WINDOW_MS = 5000;
/**
 * A busy backend reports its commits to pg_stat_database within PGSTAT_IDLE_INTERVAL (10 s) of
 * going idle: the commit counter is read this long after the work settled, or the last second of
 * commits would land in the next window (the idle one, where they were multiplied by the run's length).
 */
const STATS_FLUSH_MS = 11_000;
const POLL_MS = 25;
const PROCESSING_TIMEOUT_MS = 600_000;
/** Above this many cores taken by other processes during the run, the notes flag its figures. */
const DISTURBED_CORES = 0.2;

function message(i: number, run: string) {
  return {
    from: `"Customer ${i}" <customer-${run}-${i}@${BENCH_DOMAIN}>`,
    to: SUPPORT_ADDRESS,
    subject: i % 2 ? `打印机卡纸 #${i}` : `Printer does not print ${i}`,
    text: i % 2 ? `您好，\n\n我的打印机一直卡纸，已经重启过了。编号 ${i}。\n\n谢谢\n-- \n客户 ${i}` : `Hello,\n\nmy printer stopped printing after the update. Case ${i}.\n\nThanks\n-- \nCustomer ${i}`,
    messageId: `<bench-${run}-${i}@${BENCH_DOMAIN}>`,
  };
}

/** Sends `count` messages over CLIENTS parallel SMTP connections; resolves when every one got its 250. */
async function blast(port: number, from: number, count: number, run: string): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity });
    try {
      while (next < end) await transport.sendMail(message(next++, run));
    } finally {
      transport.close();
    }
  }));
}

async function bareServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, size: 25 * 1024 * 1024,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export const suite: BenchSuite = {
  order: 50,
  benchmarks: [
    { name: 'mail.smtp_bare', description: `bare smtp-server accepting and discarding: messages/s from ${CLIENTS} concurrent SMTP clients` },
    {
      name: 'mail.inbound',
      description: `messages/s SMTP in → ticket committed → autoresponse queued through \`kefu start\` in its own process, ${CLIENTS} concurrent SMTP clients, ` +
        'embedded Postgres or DATABASE_URL\'s server (vs mail.smtp_bare); mail.inbound_accept: the 250s alone; statements, commits, WAL flushes and CPU per message',
      requires: ['mail.smtp_bare'],
    },
  ],

  async run(ctx: BenchContext, wanted) {
    const total = Math.max(300, Math.round(FULL_MESSAGES * Math.min(ctx.settings.scale, 1)));
    const bare = await bareServer();
    ctx.onCleanup(() => bare.close());
    await blast(bare.port, 0, WARM_UP, 'bare-warm');
    const bareStarted = performance.now();
    await blast(bare.port, 0, total, 'bare');
    const bareRate = total / ((performance.now() - bareStarted) / 1000);
    ctx.report({ bench: 'mail.smtp_bare', metric: 'per_s', value: bareRate });
    if (!wanted.has('mail.inbound')) return;

    const database = process.env.DATABASE_URL ? await createBenchDatabase(ctx, process.env.DATABASE_URL, 'kefu_bench_mail') : undefined;
    const engine = database ? `DATABASE_URL's server, in a database of its own (${database.name})` : 'the embedded Postgres';
    ctx.log(`mail: starting \`kefu start\` on ${engine}, ${total} messages`);
    const dataDir = await ctx.tempDir('mail');
    const smtpPort = await freePort();
    const server = await KefuServer.start(ctx, dataDir, {
      countStatements: true,
      env: {
        ...(database && { DATABASE_URL: database.url }),
        KEFU_SMTP_LISTEN_HOST: '127.0.0.1',
        KEFU_SMTP_LISTEN_PORT: String(smtpPort),
        // Ten clients on one IP send thousands of messages a minute; the defaults (300 and 30) would refuse them.
        KEFU_SMTP_MESSAGES_PER_IP_PER_MIN: '1000000',
        KEFU_SMTP_MESSAGES_PER_SENDER_PER_MIN: '1000000',
      },
    });
    await server.waitHealthy();
    await addSupportAddress(server);
    const observer = await Observer.open(database?.url ?? await embeddedConnectionString(dataDir));
    ctx.onCleanup(() => observer.close());

    // The listener is optional in role all: a port it could not take shows only as refused connections.
    await blast(smtpPort, 0, WARM_UP, 'warm').catch((error: Error) => {
      throw server.failure(`SMTP to Kefu on 127.0.0.1:${smtpPort} failed: ${error.message}`);
    });
    await observer.waitForAcknowledged(WARM_UP);
    await observer.settled();
    await sleep(STATS_FLUSH_MS);
    // What an idle Kefu does anyway (job polling, the event relay's timer), taken off below.
    const { idle, end: before } = await idleRates(server, observer);
    const waits = sampleWaits(observer.connectionString);
    ctx.onCleanup(() => waits.stop().then(() => undefined));
    let acceptedSeconds = 0;
    const started = performance.now();
    const { othersCores } = await whileWatchingCpu(() => observer.ourPids(), async () => {
      await blast(smtpPort, 0, total, 'run');
      acceptedSeconds = (performance.now() - started) / 1000;
      await observer.waitForAcknowledged(WARM_UP + total);
    });
    const seconds = (performance.now() - started) / 1000;
    const profile = await waits.stop();
    // Each message's after-effects (SLA, triage, webhooks …) are part of its cost too.
    const settleMs = await observer.settled();
    await sleep(STATS_FLUSH_MS);
    const after = await reading(server, observer);
    const tickets = await observer.benchTickets();
    if (tickets !== WARM_UP + total) throw new Error(`expected ${WARM_UP + total} tickets from ${BENCH_DOMAIN}, found ${tickets}`);

    ctx.report({ bench: 'mail.inbound', metric: 'per_s', value: total / seconds, baseline: 'mail.smtp_bare', baseline_value: bareRate });
    ctx.report({ bench: 'mail.inbound_accept', metric: 'per_s', value: total / acceptedSeconds, baseline: 'mail.smtp_bare', baseline_value: bareRate });
    const windowSeconds = (after.at - before.at) / 1000;
    const statements = after.statements.statements - before.statements.statements - idle.statements * windowSeconds;
    // The bench's own queries (progress polls, these readings, the wait sampler) are autocommit transactions of this database too.
    const commits = after.commits - before.commits - (after.benchQueries - before.benchQueries) - profile.samples - idle.commits * windowSeconds;
    const walFlushes = after.walFlushes - before.walFlushes;
    const kefuCpuMs = after.cpu.rootMs - before.cpu.rootMs - idle.kefuCpuMs * windowSeconds;
    const postgresCpuMs = after.cpu.descendantsMs - before.cpu.descendantsMs - idle.postgresCpuMs * windowSeconds;
    ctx.report({ bench: 'mail.inbound', metric: 'statements_per_message', value: statements / total });
    ctx.report({ bench: 'mail.inbound', metric: 'commits_per_message', value: commits / total });
    // Whole server (another database's writes would count too); the idle server's flushes are few and left in.
    ctx.report({ bench: 'mail.inbound', metric: 'wal_flushes_per_message', value: walFlushes / total });
    ctx.report({ bench: 'mail.inbound', metric: 'kefu_cpu_ms_per_message', value: kefuCpuMs / total });
    // The embedded Postgres is Kefu's child; another server's processes are not ours to read.
    if (!database) ctx.report({ bench: 'mail.inbound', metric: 'postgres_cpu_ms_per_message', value: postgresCpuMs / total });

    const disturbed = othersCores === undefined ? ''
      : ` (other processes kept ${othersCores.toFixed(2)} of them busy meanwhile${othersCores > DISTURBED_CORES ? ': the machine was not quiet, these figures are lower than on an idle box' : ''})`;
    ctx.note(`mail: ${total} messages (+${WARM_UP} warm-up) from ${CLIENTS} SMTP clients (nodemailer, in the bench process) to \`kefu start\` ` +
      `in its own process, as \`npm start\` runs it (role all: API, workers and the SMTP listener), on ${engine}; clients, Kefu and Postgres ` +
      `share this machine's ${cpus().length} cores${disturbed}. ` +
      `Targets: ≥ ${TARGETS.perSecond}/s and ratio ≥ ${TARGETS.ratio}. mail.inbound_accept is the SMTP side alone (250s received; processing continues behind it).`);
    ctx.note(`mail.inbound: per message, counted from after the warm-up until every event subscriber and due job had finished ` +
      `(${round(settleMs)} ms after the last acknowledgement; read ${STATS_FLUSH_MS / 1000} s later, once Postgres had its statistics): ` +
      `${(statements / total).toFixed(1)} statements sent by Kefu (every pool, counted in the server by bench/count-statements.mjs), ` +
      `${(commits / total).toFixed(1)} transactions committed in its database (the bench's own queries taken off); an idle Kefu's ` +
      `${round(idle.statements)} statements/s, ${round(idle.commits)} commits/s and ${round(idle.kefuCpuMs)}${database ? '' : ` + ${round(idle.postgresCpuMs)}`} ms CPU/s ` +
      `over the ${round(windowSeconds)} s taken off; CPU ms: Kefu ${(kefuCpuMs / total).toFixed(2)}` +
      `${database ? '' : `, Postgres ${(postgresCpuMs / total).toFixed(2)} (its backends, the bench's polls and wait sampler included)`}, ` +
      `the bench process (SMTP clients, polls) ${((after.benchCpuMs - before.benchCpuMs) / total).toFixed(2)}.`);
    ctx.note(`mail.inbound: statements per message by their first words (the 20 most frequent; idle ones included): ${byFirstWords(before.statements, after.statements, total)}.`);
    ctx.note(`mail.inbound: milliseconds per message from sending a statement to its answer, by its first words (the 12 longest; under load this ` +
      `includes waiting for Postgres' CPU): ${slowestByFirstWords(before.statements, after.statements, total)}.`);
    // Where the time goes: every durable commit waits for a WAL flush, and on this disk that is the bill.
    ctx.note(`mail.inbound profile: ${(commits / total).toFixed(1)} commits and ${(walFlushes / total).toFixed(1)} WAL flushes per message (commits: this database incl. pg-boss; flushes: the whole server); `
      + `Postgres sessions busy on average ${profile.active.toFixed(1)}: ${profile.waits.slice(0, 5).map((w) => `${w.wait} ${w.avg.toFixed(2)}`).join(', ')}; `
      + `heaviest statements: ${profile.statements.slice(0, 6).map((w) => `[${w.wait}] ${w.statement} ${w.avg.toFixed(2)}`).join('; ')}.`);
  },
};

/** The demo admin's API token adds the bench's support address to the demo workspace, as an admin would. */
async function addSupportAddress(server: KefuServer): Promise<void> {
  const token = await server.apiToken('bench-mail', ['read', 'write', 'admin']);
  const response = await fetch(`${server.url}/api/v1/mail/addresses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ address: SUPPORT_ADDRESS, displayName: 'Bench Support' }),
  });
  if (response.status !== 201) throw server.failure(`POST /api/v1/mail/addresses answered ${response.status}: ${await response.text()}`);
}

/**
 * The bench's one connection to Kefu's database: progress, counters, checks. It counts its own
 * queries, each an autocommit transaction that the database's commit counter includes.
 */
class Observer {
  benchQueries = 0;

  private constructor(readonly connectionString: string, private readonly client: pg.Client, private readonly workspaceId: string, private readonly walFlushesSql: string) {}

  static async open(connectionString: string): Promise<Observer> {
    const client = new pg.Client({ connectionString });
    await client.connect();
    const { rows: [address] } = await client.query<{ workspace_id: string }>('select workspace_id from mail_addresses where address = $1', [SUPPORT_ADDRESS]);
    if (!address) throw new Error(`the support address ${SUPPORT_ADDRESS} is not in mail_addresses`);
    // WAL fsyncs, what a durable commit waits for: in pg_stat_io from Postgres 18 (the embedded server), in pg_stat_wal before.
    const { rows: [version] } = await client.query<{ version: number }>(`select current_setting('server_version_num')::int as version`);
    const walFlushesSql = version!.version >= 180_000 ? `(select coalesce(sum(fsyncs), 0) from pg_stat_io where object = 'wal')` : '(select wal_sync from pg_stat_wal)';
    return new Observer(connectionString, client, address.workspace_id, walFlushesSql);
  }

  private async query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
    this.benchQueries += 1;
    return (await this.client.query<Row>(text, values)).rows;
  }

  private async acknowledged(): Promise<number> {
    const [row] = await this.query<{ n: number }>(`
      select count(*)::int as n from mail_autoresponses where workspace_id = $1 and outcome = 'queued' and recipient like $2`, [this.workspaceId, `%@${BENCH_DOMAIN}`]);
    return row!.n;
  }

  async waitForAcknowledged(count: number): Promise<void> {
    const deadline = Date.now() + PROCESSING_TIMEOUT_MS;
    while ((await this.acknowledged()) < count) {
      if (Date.now() > deadline) throw new Error(`only ${await this.acknowledged()} of ${count} messages were processed in ${PROCESSING_TIMEOUT_MS / 60_000} minutes`);
      await sleep(POLL_MS);
    }
  }

  /** The bench's tickets: the demo workspace has tickets of its own. */
  async benchTickets(): Promise<number> {
    const [row] = await this.query<{ n: number }>(`
      select count(*)::int as n from tickets t join customers c on c.id = t.customer_id where t.workspace_id = $1 and c.email like $2`, [this.workspaceId, `%@${BENCH_DOMAIN}`]);
    return row!.n;
  }

  async counters(): Promise<{ commits: number; walFlushes: number }> {
    const [row] = await this.query<{ commits: string; flushes: string }>(`
      select (select xact_commit from pg_stat_database where datname = current_database()) as commits, ${this.walFlushesSql} as flushes`);
    return { commits: Number(row!.commits), walFlushes: Number(row!.flushes) };
  }

  /**
   * Waits until every durable event subscriber has caught up with the log and no job is due or
   * running, as tickets.bench.ts does (pg-boss' own minute ticks left out); returns the ms it took.
   */
  async settled(): Promise<number> {
    const started = performance.now();
    for (;;) {
      const [row] = await this.query<{ lag: number; jobs: number }>(PIPELINE_BACKLOG_SQL);
      if (row!.lag === 0 && row!.jobs === 0) return performance.now() - started;
      if (performance.now() - started > PROCESSING_TIMEOUT_MS) throw new Error(`after ${PROCESSING_TIMEOUT_MS / 1000} s, ${row!.lag} events and ${row!.jobs} jobs are still waiting`);
      await sleep(100);
    }
  }

  /** This process, all it started (Kefu, the embedded Postgres) and the backends of Kefu's database on a shared server. */
  async ourPids(): Promise<number[]> {
    const tree = (await processTree(process.pid)).map((p) => p.pid);
    const backends = await this.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
    return [...new Set([...tree, ...backends.map((b) => b.pid)])];
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

async function reading(server: KefuServer, observer: Observer) {
  const benchQueries = observer.benchQueries;
  const counters = await observer.counters();
  const { user, system } = process.cpuUsage();
  return {
    ...counters, benchQueries, statements: await server.statements(), cpu: await processCpuMs(server.pid),
    benchCpuMs: (user + system) / 1000, at: performance.now(),
  };
}

type Reading = Awaited<ReturnType<typeof reading>>;

/** Statements, commits and CPU ms per second of the server left alone over IDLE_WINDOW_MS, and the window's last reading. */
async function idleRates(server: KefuServer, observer: Observer): Promise<{ idle: Record<'statements' | 'commits' | 'kefuCpuMs' | 'postgresCpuMs', number>; end: Reading }> {
  const start = await reading(server, observer);
  await sleep(IDLE_WINDOW_MS);
  const end = await reading(server, observer);
  const seconds = (end.at - start.at) / 1000;
  const idle = {
    statements: (end.statements.statements - start.statements.statements) / seconds,
    commits: (end.commits - start.commits - (end.benchQueries - start.benchQueries)) / seconds,
    kefuCpuMs: (end.cpu.rootMs - start.cpu.rootMs) / seconds,
    postgresCpuMs: (end.cpu.descendantsMs - start.cpu.descendantsMs) / seconds,
  };
  return { idle, end };
}

function slowestByFirstWords(before: StatementCounts, after: StatementCounts, messages: number): string {
  return Object.entries(after.msByText).map(([text, ms]) => [text, (ms - (before.msByText[text] ?? 0)) / messages] as const)
    .sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([text, ms]) => `${ms.toFixed(2)} "${text}"`).join('; ');
}

function byFirstWords(before: StatementCounts, after: StatementCounts, messages: number): string {
  return Object.entries(after.byText).map(([text, n]) => [text, (n - (before.byText[text] ?? 0)) / messages] as const)
    .sort((a, b) => b[1] - a[1]).slice(0, 20)
    .map(([text, n]) => `${n.toFixed(2)} "${text}"`).join('; ');
}
