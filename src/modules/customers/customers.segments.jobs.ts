import type { JobQueue } from '../../core/jobs/index.js';
import type { CustomerSegments } from './customers.segments.js';

export const COUNT_JOB = 'customers.count_segments';
/** Changes of one minute share one recount, started after that minute: an import of 20,000 rows causes a few, not 20,000. */
const COUNT_DEBOUNCE_MS = 60_000;
/** How often a workspace's segments are counted again with no change of its customers (tickets age, "the last 180 days" moves). */
export const COUNT_REFRESH_MS = 10 * 60_000;

/**
 * Queues a recount of the workspace's saved segments at the end of the current window: every
 * sender in one window shares one job (its idempotency key names the window).
 */
function queueCount(jobs: JobQueue, workspaceId: string, now: number, windowMs: number, kind: 'changed' | 'periodic') {
  const window = Math.floor(now / windowMs);
  return jobs.send(COUNT_JOB, { workspaceId }, { idempotencyKey: `${COUNT_JOB}:${workspaceId}:${kind}:${window}`, startAfter: new Date((window + 1) * windowMs) });
}

/**
 * What the module's subscriptions call after a change of a workspace's customers, orders,
 * products or consents. It remembers the window it last queued per workspace, so the events of an
 * import send one job per minute, not one per customer (another node sending it too is harmless).
 */
export function countScheduler(jobs: JobQueue, now: () => number = Date.now) {
  const queued = new Map<string, number>();
  return async (workspaceId: string): Promise<void> => {
    const window = Math.floor(now() / COUNT_DEBOUNCE_MS);
    if (queued.get(workspaceId) === window) return;
    await queueCount(jobs, workspaceId, now(), COUNT_DEBOUNCE_MS, 'changed');
    queued.set(workspaceId, window);
  };
}

/**
 * Worker side: a recount stores each segment's count with its time, then queues the next
 * periodic one (at the end of the current 10 minutes) while the workspace has segments; recounts
 * of one window share that next job, so the chain stays one job per workspace.
 */
export async function registerSegmentCountWorker(segments: CustomerSegments, jobs: JobQueue, now: () => number = Date.now): Promise<void> {
  await jobs.work<{ workspaceId: string }>(COUNT_JOB, async (job) => {
    const counted = await segments.recount(job.data.workspaceId);
    if (counted > 0) await queueCount(jobs, job.data.workspaceId, now(), COUNT_REFRESH_MS, 'periodic');
  });
}
