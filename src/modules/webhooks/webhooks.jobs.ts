import type { JobQueue } from '../../core/jobs/index.js';
import { DELIVER_JOB, PRUNE_JOB, SWEEP_JOB, type DeliverJob, type WebhooksService } from './webhooks.service.js';

/**
 * Worker side: deliveries are I/O-bound (waiting on other people's servers, up to the timeout),
 * so several run at once; pruning runs once a night across all workspaces, and the sweep of
 * deliveries left without a job every minute.
 */
export async function registerWebhookWorkers(webhooks: WebhooksService, jobs: JobQueue, opts: { concurrency?: number } = {}): Promise<void> {
  await jobs.work<DeliverJob>(DELIVER_JOB, (job) => webhooks.deliver(job.data), { concurrency: opts.concurrency ?? 8 });
  await jobs.work(PRUNE_JOB, async () => { await webhooks.prune(); });
  await jobs.schedule(PRUNE_JOB, '40 3 * * *');
  await jobs.work(SWEEP_JOB, async () => { await webhooks.sweep(); });
  await jobs.schedule(SWEEP_JOB, '* * * * *');
}
