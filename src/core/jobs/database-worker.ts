import type PgBoss from 'pg-boss';
import { PermanentJobError, errorSummary, type JobHandler, type JobLogger } from './job-queue.js';
import { runDurable, runReplayable } from './replayable.js';

export interface WorkerSettings {
  concurrency: number;
  /** The node's lane for scheduled work; this worker's jobs take it when it covers the queue. */
  scheduledLane: ScheduledLane;
  /** Replayable work (replayable.ts): fetched through `relaxedDb`, the handler run in the scope. */
  replayable: boolean;
  relaxedDb: PgBoss.Db;
}

/**
 * Scheduled (cron-fired) work of one node runs one job at a time. The minute's sweeps of every
 * module fall due together, and side by side each opened database connections of its own: on an
 * idle single box, a burst of Postgres processes (20-30 MB each) every minute. A worker takes the
 * lane before it fetches, so a job waiting for its turn is not yet taken (its expiry clock has not
 * started) and another node may run it meanwhile.
 */
export class ScheduledLane {
  private readonly queues = new Set<string>();
  private holder: Promise<void> = Promise.resolve();

  add(queue: string): void {
    this.queues.add(queue);
  }

  covers(queue: string): boolean {
    return this.queues.has(queue);
  }

  /** Resolves, once every earlier holder has released it, with the release. */
  async acquire(): Promise<() => void> {
    const previous = this.holder;
    let release!: () => void;
    this.holder = new Promise<void>((resolve) => { release = resolve; });
    await previous;
    return release;
  }
}

/**
 * One loop per work() call, over pg-boss' fetch/complete/fail. It fetches up to the free slots,
 * runs each job on its own and records each outcome, so a slow job never holds the other slots
 * (pg-boss 10's own worker completes a whole batch at once, then sleeps a full polling interval,
 * and fires its complete/fail without awaiting them). It fetches again at once while the queue
 * looks non-empty, and otherwise sleeps until `notify()`: a NOTIFY, or the queue's one poll for
 * every queue with due jobs (DatabaseQueue), or a freed slot.
 */
export class QueueWorker {
  private readonly active = new Map<string, Promise<void>>();
  private readonly completer: Completer;
  private pending = true;
  private stopped = false;
  private running = false;
  private wakeUp: (() => void) | undefined;
  private readonly concurrency: number;
  private readonly stoppedSignal: Promise<'stopped'>;
  private signalStopped!: () => void;
  loopDone: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly handler: JobHandler<unknown>,
    private readonly settings: WorkerSettings,
    /** How long the loop waits after an unexpected error before it fetches again. */
    private readonly retryMs: number,
    private readonly boss: PgBoss,
    private readonly schema: string,
    private readonly log: JobLogger,
  ) {
    this.completer = new Completer(boss, name);
    this.concurrency = settings.concurrency;
    this.stoppedSignal = new Promise((resolve) => { this.signalStopped = () => resolve('stopped'); });
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** New work was announced for this queue. */
  notify(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** No more fetches; loopDone resolves once a fetch in flight has handed its jobs back. */
  stop(): void {
    this.stopped = true;
    this.signalStopped();
    this.wakeUp?.();
  }

  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  /** Jobs whose handler outlived stop(): failed now, so they are retried rather than left 'active' until they expire. */
  async abandonActive(): Promise<void> {
    const ids = [...this.active.keys()];
    this.active.clear();
    if (ids.length === 0) return;
    this.log.warn({ queue: this.name, jobIds: ids }, 'job queue: stopping with handlers still running; their jobs will be retried');
    try {
      const output = { message: 'the job queue stopped before the handler finished' };
      for (const id of ids) await this.boss.fail(this.name, id, output);
    } catch (err) {
      this.log.error({ err, queue: this.name, jobIds: ids }, 'job queue: could not fail abandoned jobs; they retry when they expire');
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
      } catch (err) {
        // Nothing in step() should throw; if something does, the worker must not die with it.
        this.log.error({ err, queue: this.name }, 'job queue: worker loop error');
        this.pending = false;
        await this.sleep(this.retryMs);
        this.pending = true;
      }
    }
  }

  private async step(): Promise<void> {
    const free = this.concurrency - this.active.size;
    if (this.pending && free > 0) {
      this.pending = false;
      if (this.settings.scheduledLane.covers(this.name)) await this.fetchInLane();
      else await this.fetch(free);
      return;
    }
    await this.sleep(undefined);
  }

  private async fetch(free: number): Promise<void> {
    const jobs = await this.fetchUnlessStopped(free);
    for (const job of jobs) this.run(job);
    if (jobs.length === free) this.pending = true; // probably more waiting: fetch when a slot frees
  }

  /** One job, fetched once the scheduled job this node took before it has finished (ScheduledLane). */
  private async fetchInLane(): Promise<void> {
    const turn = this.settings.scheduledLane.acquire();
    if ((await Promise.race([turn, this.stoppedSignal])) === 'stopped') {
      void turn.then((leave) => leave());
      return;
    }
    const leave = await turn;
    let handedOver = false;
    try {
      const [job] = await this.fetchUnlessStopped(1);
      if (!job) return;
      this.run(job, leave);
      handedOver = true;
      this.pending = true; // probably more waiting: fetch when the lane is free again
    } finally {
      if (!handedOver) leave();
    }
  }

  /**
   * Up to `batchSize` jobs; none when stop() began meanwhile, those fetched then handed back.
   * pg-boss' fetch returns [] on a database error; the next poll finds the jobs again. A replayable
   * job's fetch may be lost in a crash: the job is simply fetched again. Any other queue's fetch
   * stays a synchronous commit, which makes everything its job can see durable first.
   */
  private async fetchUnlessStopped(batchSize: number): Promise<PgBoss.JobWithMetadata<unknown>[]> {
    const jobs = await this.boss.fetch<unknown>(this.name, { batchSize, includeMetadata: true, ...(this.settings.replayable ? { db: this.settings.relaxedDb } : {}) });
    if (!this.stopped) return jobs;
    await this.release(jobs.map((j) => j.id));
    return [];
  }

  /** Until wakeUp() (notify, a freed slot, stop) or, when given, ms elapse. */
  private sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, Math.max(ms, 0));
      this.wakeUp = done;
    });
  }

  /** Runs the job and records its outcome; `finished` is called once that is done, whatever it was. */
  private run(job: PgBoss.JobWithMetadata<unknown>, finished?: () => void): void {
    const ctx = { queue: this.name, jobId: job.id, attempt: job.retryCount + 1, attempts: job.retryLimit + 1 };
    const task = (async () => {
      try {
        const handle = () => this.handler({ id: job.id, name: job.name, data: job.data });
        // The completion below stays a synchronous commit: it makes the handler's relaxed writes durable.
        await (this.settings.replayable ? runReplayable(handle) : runDurable(handle));
      } catch (err) {
        await this.failed(job, err, ctx);
        return;
      }
      try {
        await this.completer.complete(job.id);
      } catch (err) {
        this.log.error({ err, ...ctx }, 'job queue: could not mark a job completed; it runs again when it expires');
      }
    })().finally(() => {
      this.active.delete(job.id);
      finished?.();
      this.wakeUp?.();
    });
    this.active.set(job.id, task);
  }

  private async failed(job: PgBoss.JobWithMetadata<unknown>, err: unknown, ctx: object): Promise<void> {
    const permanent = err instanceof PermanentJobError;
    if (permanent || job.retryCount >= job.retryLimit) this.log.error({ err, ...ctx, permanent }, 'job failed');
    else this.log.warn({ err, ...ctx }, 'job failed; it will be retried');
    try {
      if (permanent) {
        // pg-boss' fail() retries while retry_count < retry_limit; closing that gap first makes
        // this failure final through pg-boss' own path (output, completed_on, dead letter).
        await this.boss.getDb().executeSql(
          `UPDATE ${this.schema}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`,
          [this.name, job.id],
        );
      }
      await this.boss.fail(this.name, job.id, errorSummary(err));
      // A retry with no delay is due now: fetch it at once instead of at the next poll (a retry
      // is not announced by NOTIFY).
      if (!permanent && job.retryCount < job.retryLimit && job.retryDelay === 0) this.pending = true;
    } catch (failErr) {
      this.log.error({ err: failErr, ...ctx }, 'job queue: could not record a failure; the job retries when it expires');
    }
  }

  /**
   * Jobs fetched after stop() began go back as if never fetched: fetch set state = active and
   * started_on = now(), and counted a retry if the job had started before; undo exactly that.
   */
  private async release(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const state = `${this.schema}.job_state`;
    try {
      await this.boss.getDb().executeSql(
        `UPDATE ${this.schema}.job SET
           state = CASE WHEN retry_count > 0 THEN 'retry'::${state} ELSE 'created'::${state} END,
           started_on = CASE WHEN retry_count > 0 THEN started_on ELSE NULL END,
           retry_count = GREATEST(retry_count - 1, 0)
         WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`,
        [this.name, ids],
      );
    } catch (err) {
      this.log.error({ err, queue: this.name, jobIds: ids }, 'job queue: could not release jobs; they retry when they expire');
    }
  }
}

/**
 * Group commit for completions: with nothing in flight an id is completed at once; ids that
 * finish meanwhile go together in the next statement, one commit for many jobs under load.
 */
class Completer {
  private batch: { id: string; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;

  constructor(private readonly boss: PgBoss, private readonly name: string) {}

  complete(id: string): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.batch.push({ id, resolve, reject }));
    if (!this.flushing) void this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.batch.length > 0) {
      const batch = this.batch;
      this.batch = [];
      try {
        await this.boss.complete(this.name, batch.map((b) => b.id));
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.flushing = false;
  }
}
