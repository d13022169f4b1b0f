import type { JobQueue } from '../../core/jobs/index.js';
import { DELIVER_JOB, PRUNE_JOB, type DeliverJob, type WebhooksService } from './webhooks.service.js';

/**
 * Worker side: deliveries are I/O-bound (waiting on other people's servers, up to the timeout),
 * so several run at once; pruning runs once a night across all workspaces.
 */
export async function registerWebhookWorkers(webhooks: WebhooksService, jobs: JobQueue, opts: { concurrency?: number } = {}): Promise<void> {
  await jobs.work<DeliverJob>(DELIVER_JOB, (job) => webhooks.deliver(job.data), { concurrency: opts.concurrency ?? 8 });
  await jobs.work(PRUNE_JOB, async () => { await webhooks.prune(); });
  await jobs.schedule(PRUNE_JOB, '40 3 * * *');
}
