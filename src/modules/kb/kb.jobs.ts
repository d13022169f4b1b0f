import type { JobQueue } from '../../core/jobs/index.js';
import { DIGEST_JOB, type KbService } from './kb.service.js';

/** Worker role only: subscribers' digests. */
export async function registerKbWorkers(kb: KbService, jobs: JobQueue): Promise<void> {
  await jobs.work<{ workspaceId: string; customerId: string }>(DIGEST_JOB, (job) => kb.sendDigest(job.data.workspaceId, job.data.customerId));
}
