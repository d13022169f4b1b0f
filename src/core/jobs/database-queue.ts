import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { AppError } from '../errors.js';
import {
  DEFAULT_RETRY_BACKOFF,
  DEFAULT_RETRY_DELAY_SECONDS,
  DEFAULT_RETRY_LIMIT,
  DEFAULT_STOP_TIMEOUT_MS,
  IDEMPOTENCY_WINDOW_SECONDS,
  assertConcurrency,
  assertJobData,
  assertQueueName,
  jobIdForKey,
  resolveJobOptions,
  type JobHandler,
  type JobLogger,
  type JobOptions,
  type JobQueue,
  type JobToSend,
  type ResolvedJobOptions,
  type WorkOptions,
} from './job-queue.js';
import { QueueWorker, ScheduledLane } from './database-worker.js';
import { inReplayableWork } from './replayable.js';
import { joinedTransaction, type JoinedTransaction } from '../db/database.js';
import { ListenConnection } from '../db/listen-connection.js';
import { NOTIFY_CHANNEL, Notifier } from './job-notifications.js';

export interface DatabaseQueueOptions {
  connectionString: string;
  /** Postgres schema pg-boss owns; default 'pgboss'. */
  schema?: string;
  log: JobLogger;
  /** Fallback poll for each worker (delayed jobs, retries, a lost NOTIFY); default 2, at least 0.5. */
  pollingIntervalSeconds?: number;
  /** How often pg-boss looks at cron schedules (1-45); default 15. Tests lower it. */
  cronMonitorIntervalSeconds?: number;
  /** Connections in all, one of them for relaxed statements, the rest pg-boss'; default 3, at least 2. One more connection LISTENs. */
  maxConnections?: number;
  /**
   * A job active this long is taken for lost (its worker died) and retried; default 40. Every
   * handler here finishes well within it (network calls have their own shorter timeouts).
   */
  expireInSeconds?: number;
  /** How often expired jobs are found; default 15, so a crashed worker's job runs again within a minute. */
  maintenanceIntervalSeconds?: number;
  /**
   * Every retry is due as soon as the failed attempt ends, whatever the job's `retryDelaySeconds`
   * and back-off (the attempt count and `retryLimit` are kept). For the test suite's pass on the
   * production drivers, as the inline driver does it, so a test's `drain()` covers the retry chain.
   */
  immediateRetries?: boolean;
  /**
   * Whether this instance fires the stored crons (pg-boss' cron monitor); default true. With false,
   * `schedule()` still checks and stores them, and other instances fire them. The test suite's
   * pass on this driver turns it off, as the inline driver fires nothing: a sweep on the minute,
   * run with whatever time a test's clock shows then, would act on every test's data.
   */
  fireSchedules?: boolean;
  /**
   * The process's listening connection, shared with the event bus (one Postgres process fewer);
   * without it the queue opens one of its own and ends it when it stops.
   */
  listenConnection?: ListenConnection;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * Jobs in Postgres through pg-boss 10. pg-boss stores, fetches (SKIP LOCKED), retries with
 * back-off, runs cron and archives; this driver adds what v10 lacks: queues created on demand,
 * wake-up by LISTEN/NOTIFY instead of one fetch per polling interval, per-job completion with
 * `concurrency` slots, idempotency keys, permanent failures and a stop that loses nothing.
 */
export function createDatabaseQueue(opts: DatabaseQueueOptions): DatabaseJobQueue {
  return new DatabaseQueue(opts);
}

export type DatabaseJobQueue = JobQueue & {
  sendMany(jobs: readonly JobToSend[]): Promise<(string | null)[]>;
  /**
   * Resolves once no queue with a worker here has a job due or running (here or on another
   * instance); jobs whose startAfter is still ahead do not hold it up, as in the inline driver.
   * A one-off command uses it to finish the work it queued before it exits. Refused with
   * JOB_QUEUE_DRAIN_TIMEOUT after `timeoutMs` (default 60 s).
   */
  drain(opts?: { timeoutMs?: number }): Promise<void>;
};

class DatabaseQueue implements DatabaseJobQueue {
  private readonly boss: PgBoss;
  private readonly schema: string;
  private readonly connectionString: string;
  private readonly log: JobLogger;
  private readonly pollMs: number;
  private readonly immediateRetries: boolean;
  /** pg-boss' `expireInSeconds`, which `send` stores with each job and `sendMany` must too. */
  private readonly expireInSeconds: number;
  private state: State = 'new';
  private readonly queues = new Map<string, Promise<void>>();
  private readonly workers: QueueWorker[] = [];
  private readonly listener: ListenConnection;
  private readonly ownsListener: boolean;
  private readonly notifier: Notifier;
  /** Queues already announced in a subscriber's batch transaction (see `announceAtCommit`). */
  private readonly announcedIn = new WeakMap<JoinedTransaction, Set<string>>();
  /** pg-boss' connections. */
  private readonly pool: pg.Pool;
  /**
   * Statements whose commit need not wait for the disk (replayable.ts): sends that are resent if
   * lost, replayable queues' fetches, NOTIFYs. A pool of its own whose sessions have
   * `synchronous_commit` off, so each is one autocommit statement, not begin, set, statement, commit.
   */
  private readonly relaxedPool: pg.Pool;
  private readonly relaxedDb: PgBoss.Db;
  private stopping: Promise<void> | undefined;
  /** Scheduled queues' jobs run one at a time on this node (ScheduledLane). */
  private readonly scheduledLane = new ScheduledLane();
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(opts: DatabaseQueueOptions) {
    this.schema = opts.schema ?? 'pgboss';
    this.connectionString = opts.connectionString;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,49}$/.test(this.schema)) {
      throw new AppError('JOB_QUEUE_CONFIG_INVALID', 500, 'The job schema must be a plain Postgres identifier', { schema: this.schema });
    }
    this.log = opts.log;
    const pollSeconds = opts.pollingIntervalSeconds ?? 2;
    if (!(pollSeconds >= 0.5)) throw new AppError('JOB_QUEUE_CONFIG_INVALID', 500, 'pollingIntervalSeconds must be at least 0.5');
    this.pollMs = pollSeconds * 1000;
    this.immediateRetries = opts.immediateRetries ?? false;
    this.expireInSeconds = opts.expireInSeconds ?? 40;
    const cronSeconds = opts.cronMonitorIntervalSeconds ?? 15;
    const connections = opts.maxConnections ?? 3;
    if (!(Number.isInteger(connections) && connections >= 2)) throw new AppError('JOB_QUEUE_CONFIG_INVALID', 500, 'maxConnections must be a whole number of at least 2');
    // Without this a black-holed host makes start() hang. Each connection is a Postgres process
    // (12-30 MB); an idle server's periodic statements here (pg-boss' cron and maintenance; the
    // due-jobs poll runs on the listening connection) open one now and then, and whatever a burst
    // opened is closed a second after it was last used.
    const poolOptions = { connectionString: opts.connectionString, connectionTimeoutMillis: 10_000, idleTimeoutMillis: IDLE_CONNECTION_MS };
    this.pool = new pg.Pool({ ...poolOptions, max: connections - 1, application_name: 'kefu-jobs' });
    // One connection: its statements are short single autocommits. Only sends and their NOTIFYs use
    // it, so on an idle server it is closed.
    this.relaxedPool = new pg.Pool({ ...poolOptions, max: 1, application_name: 'kefu-jobs-relaxed', options: '-c synchronous_commit=off' });
    for (const pool of [this.pool, this.relaxedPool]) pool.on('error', (err) => this.log.error({ err }, 'job queue: idle connection failed'));
    this.relaxedDb = { executeSql: (text: string, values?: unknown[]) => this.relaxedPool.query(text, values) };
    const config: PgBoss.ConstructorOptions = {
      db: { executeSql: (text: string, values?: unknown[]) => this.pool.query(text, values) },
      schema: this.schema,
      retryLimit: DEFAULT_RETRY_LIMIT,
      retryDelay: DEFAULT_RETRY_DELAY_SECONDS,
      retryBackoff: DEFAULT_RETRY_BACKOFF,
      // Completed rows stay in `job` this long, which is what keeps an idempotency key taken.
      archiveCompletedAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
      // pg-boss' 15-minute default would leave a job of a killed worker waiting that long.
      expireInSeconds: this.expireInSeconds,
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 15,
      cronMonitorIntervalSeconds: cronSeconds,
      // pg-boss' queue that turns a fired cron into its job: polled as often as crons are checked
      // (every 5 s, it opened a connection, a Postgres process, on an idle server each time).
      cronWorkerIntervalSeconds: cronSeconds,
      schedule: opts.fireSchedules ?? true,
    };
    this.boss = new PgBoss(config);
    this.boss.on('error', (err) => this.log.error({ err }, 'job queue: pg-boss error'));
    // A NOTIFY is a hint (workers poll anyway): losing one in a crash costs nothing.
    this.notifier = new Notifier(this.relaxedDb, this.log);
    this.ownsListener = !opts.listenConnection;
    this.listener = opts.listenConnection ?? new ListenConnection(opts.connectionString, this.log, 'kefu-jobs-listen');
  }

  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new AppError('JOB_QUEUE_STATE', 500, `The job queue cannot start when ${this.state}`);
    }
    this.state = 'starting';
    try {
      await this.boss.start();
    } catch (err) {
      this.state = 'stopped';
      await this.boss.stop({ graceful: false }).catch(() => undefined);
      await this.endPools().catch(() => undefined);
      throw new AppError('JOB_QUEUE_UNAVAILABLE', 503, 'The job queue could not reach its database', undefined, { cause: err });
    }
    // After a reconnect every worker fetches once, since what was announced meanwhile is gone.
    await this.listener.listen(NOTIFY_CHANNEL, { onNotify: (name) => this.wake(name), onConnected: (_client, reconnected) => { if (reconnected) this.wakeAll(); } });
    this.state = 'started';
    for (const worker of this.workers) await this.startWorker(worker);
    this.schedulePoll();
    this.log.info({ schema: this.schema, workers: this.workers.length }, 'job queue started');
  }

  async send<T extends object>(name: string, data: T, opts?: JobOptions): Promise<string | null> {
    assertQueueName(name);
    assertJobData(data);
    const o = resolveJobOptions(opts);
    this.assertStarted();
    await this.ensureQueue(name);
    const options = this.storedAs(name, o);
    // Inside a subscriber's batch transaction the job is stored with the writes it follows: a worker
    // must not run it before they are committed (nor after they were rolled back).
    const joined = joinedTransaction();
    if (joined) options.db = joined;
    else if (o.resentIfLost || inReplayableWork()) options.db = this.relaxedDb;
    let id = await this.boss.send(name, data, options);
    if (id === null && options.id) {
      // A failed or cancelled job does not hold its key: replace it with the new one.
      const replaced = await this.boss.getDb().executeSql(
        `DELETE FROM ${this.schema}.job WHERE name = $1 AND id = $2 AND state IN ('failed', 'cancelled')`,
        [name, options.id],
      );
      if (rowCount(replaced) > 0) {
        id = await this.boss.send(name, data, options);
      }
    }
    if (id !== null) await this.announce(name, o, joined);
    return id;
  }

  /**
   * The jobs in one INSERT (pg-boss 10's `send` is one per job), each row as `send` stores it: the
   * same options (`storedAs`), the same statement's rules for what the queue and pg-boss' defaults
   * fill in (`insertJobsSql`), the same place (the batch's transaction, the relaxed connection). A
   * key's job id makes the primary key refuse a taken key, as with `send`; refused keys whose job
   * failed or was cancelled are replaced, in one statement more each way.
   */
  async sendMany(jobs: readonly JobToSend[]): Promise<(string | null)[]> {
    const planned = jobs.map(({ name, data, options }) => {
      assertQueueName(name);
      assertJobData(data);
      const o = resolveJobOptions(options);
      const stored = this.storedAs(name, o);
      return { name, data, o, stored, id: stored.id ?? randomUUID() };
    });
    this.assertStarted();
    if (!planned.length) return [];
    for (const name of new Set(planned.map((job) => job.name))) await this.ensureQueue(name);
    const joined = joinedTransaction();
    const db = joined ?? (planned.every((job) => job.o.resentIfLost) || inReplayableWork() ? this.relaxedDb : this.boss.getDb());
    const jobKey = (job: { name: string; id: string }) => `${job.name}\u0000${job.id}`;
    // A key given twice in the list goes to its first job, as with two sends one after the other.
    const distinct = new Map<string, (typeof planned)[number]>();
    for (const job of planned) if (!distinct.has(jobKey(job))) distinct.set(jobKey(job), job);
    const stored = new Set<string>();
    const insert = async (rows: typeof planned) => {
      const result = await db.executeSql(this.insertJobsSql, [JSON.stringify(rows.map((job) => ({
        id: job.id, name: job.name, data: job.data, due: job.o.startAfter?.toISOString() ?? null, singleton_key: job.stored.singletonKey ?? null,
        retry_limit: job.stored.retryLimit, retry_delay: job.stored.retryDelay, retry_backoff: job.stored.retryBackoff,
      }))), this.expireInSeconds]) as { rows: { name: string; id: string }[] };
      for (const row of result.rows) stored.add(jobKey(row));
    };
    await insert([...distinct.values()]);
    const refused = [...distinct.values()].filter((job) => job.stored.id && !stored.has(jobKey(job)));
    if (refused.length) {
      // A failed or cancelled job does not hold its key: replace it with the new one.
      const replaced = await db.executeSql(
        `DELETE FROM ${this.schema}.job j USING unnest($1::text[], $2::uuid[]) AS k(name, id)
          WHERE j.name = k.name AND j.id = k.id AND j.state IN ('failed', 'cancelled') RETURNING j.name, j.id`,
        [refused.map((job) => job.name), refused.map((job) => job.id)],
      ) as { rows: { name: string; id: string }[] };
      const freed = new Set(replaced.rows.map(jobKey));
      if (freed.size) await insert(refused.filter((job) => freed.has(jobKey(job))));
    }
    const announced = new Set<string>();
    for (const job of distinct.values()) {
      if (!stored.has(jobKey(job)) || announced.has(job.name)) continue;
      announced.add(job.name);
      await this.announce(job.name, job.o, joined);
    }
    return planned.map((job) => (distinct.get(jobKey(job)) === job && stored.has(jobKey(job)) ? job.id : null));
  }

  /** pg-boss' options for a job: the retries `send` was given (none with `immediateRetries`), its start, the id its key fixes. */
  private storedAs(name: string, o: ResolvedJobOptions): PgBoss.SendOptions {
    const options: PgBoss.SendOptions = {
      retryLimit: o.retryLimit,
      retryDelay: this.immediateRetries ? 0 : o.retryDelaySeconds,
      retryBackoff: this.immediateRetries ? false : o.retryBackoff,
    };
    if (o.startAfter) options.startAfter = o.startAfter;
    if (o.idempotencyKey !== undefined) {
      // pg-boss' singletonKey alone does not dedupe on a 'standard' queue in v10 (its unique
      // indexes cover only the short/singleton/stately policies or singletonSeconds slots), so the
      // key also fixes the job id: the (name, id) primary key refuses the duplicate.
      options.id = jobIdForKey(name, o.idempotencyKey);
      options.singletonKey = o.idempotencyKey;
    }
    return options;
  }

  /** A job stored and due now wakes the workers of its queue: when the batch's transaction commits, if it is in one. */
  private async announce(name: string, o: ResolvedJobOptions, joined: JoinedTransaction | undefined): Promise<void> {
    if (o.startAfter && o.startAfter.getTime() > Date.now()) return;
    if (joined) await this.announceAtCommit(joined, name);
    else this.notifier.announce(name);
  }

  /**
   * pg-boss 10's own INSERT for one job (plans.js `insertJob`) for a list of them, with what it
   * fills in the same way: the queue's policy and dead letter, its expiry or pg-boss' (`$2`), its
   * retention or 14 days, a delay of at least 1 s with back-off. The retries always come with the job
   * (`storedAs`). `ON CONFLICT DO NOTHING` refuses a taken key; RETURNING tells which were stored.
   */
  private get insertJobsSql(): string {
    return `
      INSERT INTO ${this.schema}.job (id, name, data, priority, start_after, singleton_key, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
      SELECT j.id, j.name, j.data, 0, j.start_after, j.singleton_key, q.dead_letter,
        CASE WHEN q.expire_seconds IS NOT NULL THEN q.expire_seconds * interval '1s'
          WHEN $2::numeric IS NOT NULL THEN $2::numeric * interval '1s' ELSE interval '15 minutes' END,
        j.start_after + CAST(COALESCE((q.retention_minutes * 60)::text, '14 days') AS interval),
        j.retry_limit,
        CASE WHEN j.retry_backoff THEN GREATEST(j.retry_delay, 1) ELSE j.retry_delay END,
        j.retry_backoff,
        q.policy
      FROM (SELECT x.*, COALESCE(x.due, now()) AS start_after
              FROM json_to_recordset($1::json) AS x(id uuid, name text, data jsonb, due timestamptz, singleton_key text,
                retry_limit int, retry_delay int, retry_backoff bool)) j
        JOIN ${this.schema}.queue q ON q.name = j.name
      ON CONFLICT DO NOTHING
      RETURNING name, id`;
  }

  /** A NOTIFY in the transaction goes out when it commits; one per queue and transaction is enough. */
  private async announceAtCommit(joined: JoinedTransaction, name: string): Promise<void> {
    const announced = this.announcedIn.get(joined) ?? new Set<string>();
    this.announcedIn.set(joined, announced);
    if (announced.has(name)) return;
    announced.add(name);
    await joined.executeSql('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, name]);
  }

  async work<T>(name: string, handler: JobHandler<T>, opts?: WorkOptions): Promise<void> {
    assertQueueName(name);
    if (typeof handler !== 'function') throw new AppError('JOB_HANDLER_INVALID', 500, 'work() needs a handler function');
    const concurrency = assertConcurrency(opts?.concurrency);
    if (this.state === 'stopping' || this.state === 'stopped') {
      throw new AppError('JOB_QUEUE_STATE', 500, `Cannot add a worker to a ${this.state} job queue`);
    }
    const worker = new QueueWorker(name, handler as JobHandler<unknown>, { concurrency, replayable: opts?.replayable ?? false, relaxedDb: this.relaxedDb, scheduledLane: this.scheduledLane }, this.pollMs, this.boss, this.schema, this.log);
    this.workers.push(worker);
    // Registered before start(): its loop begins when the queue starts.
    if (this.state === 'started') await this.startWorker(worker);
  }

  async schedule(name: string, cron: string, data: object = {}, opts?: { tz?: string }): Promise<void> {
    assertQueueName(name);
    assertJobData(data);
    this.assertStarted();
    await this.ensureQueue(name);
    this.scheduledLane.add(name);
    try {
      await this.boss.schedule(name, cron, data, { tz: opts?.tz ?? 'UTC' });
    } catch (err) {
      throw new AppError('JOB_SCHEDULE_INVALID', 500, 'Invalid cron expression or time zone', { name, cron, tz: opts?.tz }, { cause: err });
    }
  }

  async drain(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.assertStarted();
    const timeoutMs = opts.timeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const names = [...new Set(this.workers.map((w) => w.name))];
    for (;;) {
      const busy = await this.boss.getDb().executeSql(
        `SELECT EXISTS (SELECT 1 FROM ${this.schema}.job WHERE name = ANY($1::text[])
           AND (state = 'active' OR (state < 'active' AND start_after <= now()))) AS busy`,
        [names],
      ) as { rows: { busy: boolean }[] };
      if (!busy.rows[0]!.busy) return;
      if (Date.now() >= deadline) {
        throw new AppError('JOB_QUEUE_DRAIN_TIMEOUT', 500, 'Jobs were still due or running when the wait for them ended', { timeoutMs });
      }
      // Due jobs are fetched now rather than at the next poll.
      this.wakeAll();
      await sleep(DRAIN_CHECK_MS);
    }
  }

  async stop(opts: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    if (this.state === 'starting') {
      throw new AppError('JOB_QUEUE_STATE', 500, 'The job queue cannot stop while it is starting');
    }
    this.stopping ??= this.shutdown(opts.graceful ?? true, opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
    return this.stopping;
  }

  private async shutdown(graceful: boolean, timeoutMs: number): Promise<void> {
    this.state = 'stopping';
    clearTimeout(this.pollTimer);
    await this.listener.unlisten(NOTIFY_CHANNEL);
    if (this.ownsListener) await this.listener.close();
    // 1. No new fetches; a fetch already in flight hands its jobs back (QueueWorker.loop).
    for (const worker of this.workers) worker.stop();
    await Promise.all(this.workers.map((w) => w.loopDone));
    // 2. Active handlers finish, up to the timeout.
    if (graceful) {
      const deadline = sleep(timeoutMs, 'timeout' as const, { ref: false });
      const settled = Promise.all(this.workers.map((w) => w.idle())).then(() => 'idle' as const);
      if ((await Promise.race([settled, deadline])) === 'timeout') {
        this.log.warn({ timeoutMs }, 'job queue: handlers still running at the stop deadline');
      }
    }
    // 3. What is still running counts as a failed attempt and is retried with back-off later,
    //    here or on another instance; its late completion is ignored (the pool is closed).
    for (const worker of this.workers) await worker.abandonActive();
    await this.notifier.settled();
    await this.boss.stop({ graceful: false, wait: true });
    await this.endPools();
    this.state = 'stopped';
    this.log.info({}, 'job queue stopped');
  }

  private async endPools(): Promise<void> {
    await Promise.all([this.pool.end(), this.relaxedPool.end()]);
  }

  private assertStarted(): void {
    if (this.state !== 'started') {
      throw new AppError('JOB_QUEUE_STATE', 500, `The job queue is ${this.state}: call start() first`);
    }
  }

  private async startWorker(worker: QueueWorker): Promise<void> {
    await this.ensureQueue(worker.name);
    worker.start();
  }

  /** pg-boss 10 needs createQueue before send/work; it is idempotent (ON CONFLICT DO NOTHING). */
  private ensureQueue(name: string): Promise<void> {
    let created = this.queues.get(name);
    if (!created) {
      created = this.createQueueOnce(name);
      this.queues.set(name, created);
      created.catch(() => this.queues.delete(name));
    }
    return created;
  }

  /**
   * Two processes creating queues at the same moment deadlock inside pg-boss's create_queue (its
   * insert and partition DDL take locks in different orders), so creation is serialised across
   * processes by an advisory lock held on a short-lived connection of its own.
   */
  private async createQueueOnce(name: string): Promise<void> {
    if (await this.boss.getQueue(name)) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    await client.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [QUEUE_CREATION_LOCK]);
      if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, { name, policy: 'standard' });
    } finally {
      await client.end();
    }
  }

  /**
   * The fallback for what no NOTIFY announces (jobs whose start time came, retries after their
   * delay, NOTIFYs lost with the LISTEN connection): one statement every polling interval asks
   * which queues with a worker here have a job due, and only those fetch. Each worker polling its
   * own queue cost a fetch per queue and interval (some 30 queues: 15 statements a second on an
   * idle server, and two connections kept open for them).
   */
  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => {
      void this.pollDueQueues().finally(() => {
        if (this.state === 'started') this.schedulePoll();
      });
    }, this.pollMs);
  }

  private async pollDueQueues(): Promise<void> {
    const names = [...new Set(this.workers.map((w) => w.name))];
    if (!names.length) return;
    try {
      // job_i5 (name, start_after) where state < 'active' answers each queue's question with one index probe.
      // A read: on the listening connection, which is always open. Through pg-boss' pool it opened a
      // connection (a Postgres process) every poll on an idle server, the pool closing it a second
      // after; the pool only while the listening connection reconnects.
      const text = `SELECT q.name FROM unnest($1::text[]) AS q(name)
          WHERE EXISTS (SELECT 1 FROM ${this.schema}.job j WHERE j.name = q.name AND j.state < 'active' AND j.start_after < now())`;
      const listening = this.listener.client;
      const due = (listening ? await listening.query(text, [names]) : await this.boss.getDb().executeSql(text, [names])) as { rows: { name: string }[] };
      for (const { name } of due.rows) this.wake(name);
    } catch (err) {
      // Every worker fetches instead, as each did on its own poll.
      this.log.warn({ err }, 'job queue: could not ask which queues have due jobs');
      this.wakeAll();
    }
  }

  private wake(name: string): void {
    for (const worker of this.workers) if (worker.name === name) worker.notify();
  }

  private wakeAll(): void {
    for (const worker of this.workers) worker.notify();
  }
}

/** How long a job connection may sit unused before it is closed (its Postgres process ends). */
const IDLE_CONNECTION_MS = 1000;

const DEFAULT_DRAIN_TIMEOUT_MS = 60_000;
const DRAIN_CHECK_MS = 100;

/** Any fixed 64-bit key; only Kefu's queue creation takes it. */
const QUEUE_CREATION_LOCK = 0x6b656675_0001n.toString();

function rowCount(result: { rows: unknown[] } | undefined): number {
  return (result as { rowCount?: number | null } | undefined)?.rowCount ?? 0;
}
