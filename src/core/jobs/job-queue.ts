import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';

/** The queue port. Drivers: `database-queue.ts` (pg-boss) and `inline-queue.ts` (in-process, for tests). */

export interface JobOptions {
  /** Same key while a job with it is queued, active or completed within the window → not enqueued again. */
  idempotencyKey?: string;
  /** Scheduled one-off: not started before this instant. */
  startAfter?: Date;
  /** Retries after the first attempt; default 5. */
  retryLimit?: number;
  /** Delay before a retry; default 2. */
  retryDelaySeconds?: number;
  /** Exponential back-off with jitter; default true. */
  retryBackoff?: boolean;
  /**
   * The caller sends this job again if it is lost (a sweep over the caller's own durable rows), so
   * its insert need not wait for the disk. Sends from replayable work are relaxed anyway (replayable.ts).
   */
  resentIfLost?: boolean;
}

export interface WorkOptions {
  /** Handlers run side by side; default 1. */
  concurrency?: number;
  /** The handler is replayable work (replayable.ts): its fetch and its writes need not wait for the disk. */
  replayable?: boolean;
}

export interface Job<T> {
  id: string;
  name: string;
  data: T;
}

/** Throw to retry; throw a PermanentJobError to fail without retrying. */
export type JobHandler<T> = (job: Job<T>) => Promise<void>;

/** Marks a failure that another attempt cannot fix (bad input, a deleted record): no retry. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** One job of `sendMany`: what `send` takes. */
export interface JobToSend<T extends object = object> {
  name: string;
  data: T;
  options?: JobOptions;
}

export interface JobQueue {
  start(): Promise<void>;
  /** Resolves to the job id, or null when deduplicated by `idempotencyKey`. */
  send<T extends object>(name: string, data: T, opts?: JobOptions): Promise<string | null>;
  /**
   * Several jobs, each stored exactly as `send` would store it (its key refused while taken, a
   * failed one's key replaced, its start, its transaction), in one statement where the driver can:
   * work that writes many rows in a go sends their jobs in one round trip too (issue 15: a
   * subscriber's batch of new tickets and their SLA checks). Resolves to the ids in the order
   * given, null where a key was taken, by an earlier job of the list too.
   */
  sendMany(jobs: readonly JobToSend[]): Promise<(string | null)[]>;
  work<T>(name: string, handler: JobHandler<T>, opts?: WorkOptions): Promise<void>;
  /** Recurring: one cron per queue name (a second call replaces the first). */
  schedule(name: string, cron: string, data?: object, opts?: { tz?: string }): Promise<void>;
  /** graceful (default): let active handlers finish (up to timeoutMs), leave queued jobs in place. */
  stop(opts?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

/** One `send` after another, in order: what `sendMany` means, for a queue with no statements to save. */
export async function sendEach(queue: Pick<JobQueue, 'send'>, jobs: readonly JobToSend[]): Promise<(string | null)[]> {
  const ids: (string | null)[] = [];
  for (const job of jobs) ids.push(await queue.send(job.name, job.data, job.options));
  return ids;
}

/** pino's Logger fits; so does a test double. */
export interface JobLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export const DEFAULT_RETRY_LIMIT = 5;
export const DEFAULT_RETRY_DELAY_SECONDS = 2;
export const DEFAULT_RETRY_BACKOFF = true;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

/**
 * How long a completed job keeps blocking its idempotency key. In the database driver this is
 * pg-boss' archive interval: the completed row leaves `job` for `archive` then (plus up to one
 * maintenance round, 2 min), and the key is free again.
 */
export const IDEMPOTENCY_WINDOW_SECONDS = 12 * 60 * 60;

export interface ResolvedJobOptions {
  idempotencyKey: string | undefined;
  startAfter: Date | undefined;
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  resentIfLost: boolean;
}

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function assertQueueName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !QUEUE_NAME.test(name) || name.startsWith('__pgboss')) {
    throw new AppError('JOB_NAME_INVALID', 500, 'Job queue names are 1-100 letters, digits, ".", "_", ":" or "-"', { name });
  }
}

export function assertJobData(data: unknown): asserts data is object {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new AppError('JOB_DATA_INVALID', 500, 'Job data must be a plain object (it carries its ids, e.g. workspaceId)');
  }
}

export function resolveJobOptions(opts: JobOptions = {}): ResolvedJobOptions {
  const problems: string[] = [];
  const int = (value: number | undefined, fallback: number, field: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 0) problems.push(`${field} must be an integer >= 0`);
    return value;
  };
  const resolved: ResolvedJobOptions = {
    idempotencyKey: opts.idempotencyKey,
    startAfter: opts.startAfter,
    retryLimit: int(opts.retryLimit, DEFAULT_RETRY_LIMIT, 'retryLimit'),
    retryDelaySeconds: int(opts.retryDelaySeconds, DEFAULT_RETRY_DELAY_SECONDS, 'retryDelaySeconds'),
    retryBackoff: opts.retryBackoff ?? DEFAULT_RETRY_BACKOFF,
    resentIfLost: opts.resentIfLost ?? false,
  };
  if (opts.idempotencyKey !== undefined && (typeof opts.idempotencyKey !== 'string' || opts.idempotencyKey === '')) {
    problems.push('idempotencyKey must be a non-empty string');
  }
  if (opts.startAfter !== undefined && !(opts.startAfter instanceof Date && !Number.isNaN(opts.startAfter.getTime()))) {
    problems.push('startAfter must be a valid Date');
  }
  if (problems.length > 0) throw new AppError('JOB_OPTIONS_INVALID', 500, 'Invalid job options', { problems });
  return resolved;
}

export function assertConcurrency(concurrency: unknown): number {
  const value = concurrency ?? 1;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 100) {
    throw new AppError('JOB_OPTIONS_INVALID', 500, 'concurrency must be an integer from 1 to 100', { concurrency });
  }
  return value as number;
}

/**
 * The job id for an idempotency key: a UUID derived from (queue, key). pg-boss' job table has
 * PRIMARY KEY (name, id) and inserts with ON CONFLICT DO NOTHING, so a second send with the same
 * key is refused atomically for as long as the first row stays in that table.
 */
export function jobIdForKey(name: string, key: string): string {
  const hash = createHash('sha256').update(`${name}\u0000${key}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5 (name-based)
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function errorSummary(err: unknown): { name: string; message: string; code?: unknown } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code === undefined ? { name: err.name, message: err.message } : { name: err.name, message: err.message, code };
  }
  return { name: 'NonError', message: String(err) };
}
