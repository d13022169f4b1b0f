import type { JobQueue } from '../../../core/jobs/index.js';
import type { SendJob } from '../mail.outbox.js';
import { SEND_JOB, SWEEP_JOB, type OutboundMailService } from './outbound.service.js';

/**
 * Worker side: sending waits on other people's servers, so several attempts run at once. The
 * sweeper runs every minute on one instance (pg-boss' cron fires once per slot).
 */
export async function registerOutboundWorkers(outbound: OutboundMailService, jobs: JobQueue, opts: { concurrency?: number } = {}): Promise<void> {
  await jobs.work<SendJob>(SEND_JOB, (job) => outbound.deliver(job.data), { concurrency: opts.concurrency ?? 4 });
  await jobs.work(SWEEP_JOB, async () => { await outbound.sweep(); });
  await jobs.schedule(SWEEP_JOB, '* * * * *');
}
