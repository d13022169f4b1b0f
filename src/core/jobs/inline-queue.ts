import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import {
  DEFAULT_STOP_TIMEOUT_MS,
  IDEMPOTENCY_WINDOW_SECONDS,
  PermanentJobError,
  assertConcurrency,
  assertJobData,
  assertQueueName,
  errorSummary,
  jobIdForKey,
  resolveJobOptions,
  sendEach,
  type JobHandler,
  type JobLogger,
  type JobOptions,
  type JobQueue,
  type JobToSend,
  type WorkOptions,
} from './job-queue.js';
import { runDurable, runReplayable } from './replayable.js';
import { afterOneTransaction, apartFromOneTransaction } from '../db/database.js';

export type InlineQueue = JobQueue & { drain(): Promise<void> };

interface InlineJob {
  id: string;
  name: string;
  data: unknown;
  key: string | undefined;
  state: 'created' | 'retry' | 'active' | 'completed' | 'failed';
  runAt: number;
  retryCount: number;
  retryLimit: number;
  completedAt: number;
}

interface InlineWorker {
  name: string;
  handler: JobHandler<unknown>;
  concurrency: number;
  replayable: boolean;
  active: number;
}

const silent: JobLogger = { info() {}, warn() {}, error() {} };

/** setTimeout's longest delay (a signed 32-bit count of milliseconds). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * In-process driver for unit tests of other modules: no database, handlers run in this process
 * as soon as a job is sent, `drain()` waits for everything due. Same semantics as the database
 * driver for idempotency keys (same window), PermanentJobError, retry limits, startAfter and
 * concurrency; data goes through JSON like jsonb does. Differences, on purpose:
 * - a retry runs as soon as the failed attempt ends (no back-off wait), so drain() covers the chain;
 * - it works without start(); schedule() only records the cron (nothing fires);
 * - jobs whose queue has no worker, or whose startAfter is still ahead, do not hold drain() up.
 *   startAfter is read from Date.now(), so fake timers move it; a timer also runs it when due.
 */
export function createInlineQueue(opts: { log?: JobLogger } = {}): InlineQueue {
  return new InlineJobQueue(opts.log ?? silent);
}

class InlineJobQueue implements InlineQueue {
  private readonly jobs: InlineJob[] = [];
  private readonly byId = new Map<string, InlineJob>();
  private readonly workers: InlineWorker[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly schedules = new Map<string, { cron: string; data: object; tz: string }>();
  private stopped = false;
  private pumpQueued = false;

  constructor(private readonly log: JobLogger) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.schedulePump();
  }

  async send<T extends object>(name: string, data: T, opts?: JobOptions): Promise<string | null> {
    assertQueueName(name);
    assertJobData(data);
    const o = resolveJobOptions(opts);
    if (this.stopped) throw new AppError('JOB_QUEUE_STATE', 500, 'The job queue is stopped');
    const now = Date.now();
    let id: string = randomUUID();
    /** A job under the same key waiting, running, or completed within the idempotency window. */
    const keyTaken = () => {
      const existing = this.byId.get(id);
      return !!existing && (existing.state === 'created' || existing.state === 'retry' || existing.state === 'active'
        || (existing.state === 'completed' && Date.now() - existing.completedAt < IDEMPOTENCY_WINDOW_SECONDS * 1000));
    };
    if (o.idempotencyKey !== undefined) {
      id = jobIdForKey(name, o.idempotencyKey);
      if (keyTaken()) return null;
    }
    const job: InlineJob = {
      id,
      name,
      data: JSON.parse(JSON.stringify(data)),
      key: o.idempotencyKey,
      state: 'created',
      runAt: o.startAfter ? o.startAfter.getTime() : now,
      retryCount: 0,
      retryLimit: o.retryLimit,
      completedAt: 0,
    };
    // Sent inside a transaction that takes in everything (core/db/database.ts `inOneTransaction`):
    // queued once it commits, as the database queue's row would be, and not at all if it rolls back.
    afterOneTransaction(() => {
      if (o.idempotencyKey !== undefined && keyTaken()) return;
      this.byId.set(id, job);
      this.jobs.push(job);
      if (job.runAt > Date.now()) this.wakeWhenDue(job);
      this.schedulePump();
    });
    return id;
  }

  /** No round trips to save in memory: each job as `send` stores it. */
  sendMany(jobs: readonly JobToSend[]): Promise<(string | null)[]> {
    return sendEach(this, jobs);
  }

  /**
   * A timer may fire a millisecond before Date.now() reaches its deadline: then it waits again, else
   * the job would sleep forever. Node fires a timer longer than ~24.8 days after 1 ms (with a
   * warning), which made a job years ahead wake every millisecond: it waits the longest a timer can, and again.
   */
  private wakeWhenDue(job: InlineJob): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (job.runAt > Date.now()) this.wakeWhenDue(job);
      else this.schedulePump();
    }, Math.min(job.runAt - Date.now(), LONGEST_TIMER_MS));
    timer.unref();
    this.timers.add(timer);
  }

  async work<T>(name: string, handler: JobHandler<T>, opts?: WorkOptions): Promise<void> {
    assertQueueName(name);
    const concurrency = assertConcurrency(opts?.concurrency);
    this.workers.push({ name, handler: handler as JobHandler<unknown>, concurrency, replayable: opts?.replayable ?? false, active: 0 });
    this.schedulePump();
  }

  async schedule(name: string, cron: string, data: object = {}, opts?: { tz?: string }): Promise<void> {
    assertQueueName(name);
    assertJobData(data);
    this.schedules.set(name, { cron, data, tz: opts?.tz ?? 'UTC' });
  }

  async stop(opts: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (opts.graceful ?? true) {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS).unref());
      await Promise.race([this.idle(), timeout]);
    }
  }

  async drain(): Promise<void> {
    for (;;) {
      this.pump();
      if (this.running.size === 0) return;
      await Promise.allSettled([...this.running]);
    }
  }

  private async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Starts every due job that has a worker with a free slot, oldest first. */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const job of this.jobs) {
      if ((job.state !== 'created' && job.state !== 'retry') || job.runAt > now) continue;
      const worker = this.workers.find((w) => w.name === job.name && w.active < w.concurrency);
      if (worker) this.run(worker, job);
    }
  }

  private run(worker: InlineWorker, job: InlineJob): void {
    job.state = 'active';
    worker.active += 1;
    const task = (async () => {
      try {
        const handle = () => worker.handler({ id: job.id, name: job.name, data: job.data });
        // Handlers start from whatever sent their job: each gets its own durability scope, and
        // none joins the sender's transaction.
        await apartFromOneTransaction(() => (worker.replayable ? runReplayable(handle) : runDurable(handle)));
        job.state = 'completed';
        job.completedAt = Date.now();
        this.forget(job);
      } catch (err) {
        const ctx = { queue: job.name, jobId: job.id, attempt: job.retryCount + 1, attempts: job.retryLimit + 1 };
        if (err instanceof PermanentJobError || job.retryCount >= job.retryLimit) {
          job.state = 'failed';
          this.forget(job);
          this.log.error({ err, ...ctx, error: errorSummary(err) }, 'job failed');
        } else {
          job.retryCount += 1;
          job.state = 'retry';
          this.log.warn({ err, ...ctx }, 'job failed; it will be retried');
        }
      }
    })().finally(() => {
      worker.active -= 1;
      this.running.delete(task);
      this.schedulePump();
    });
    this.running.add(task);
  }

  /** Out of the run list; a completed job stays in byId to hold its idempotency key. */
  private forget(job: InlineJob): void {
    const i = this.jobs.indexOf(job);
    if (i >= 0) this.jobs.splice(i, 1);
    if (job.state === 'failed' || job.key === undefined) this.byId.delete(job.id);
  }
}
