import type { JobQueue } from '../../core/jobs/index.js';
import type { SearchService } from './search.service.js';

export const TRAIN_JOB = 'search.train';
export const NIGHTLY_TRAIN_JOB = 'search.train_nightly';
/**
 * Publishes of one minute share one training, started after that minute: an editor publishing
 * twenty articles causes one retraining, which sees all twenty.
 */
const DEBOUNCE_MS = 60_000;

/** Queues a retraining of the workspace's learned ranker (after a publish). */
export async function queueTraining(jobs: JobQueue, workspaceId: string, now = Date.now()): Promise<void> {
  const window = Math.floor(now / DEBOUNCE_MS);
  await jobs.send(TRAIN_JOB, { workspaceId }, { idempotencyKey: `${TRAIN_JOB}:${workspaceId}:${window}`, startAfter: new Date((window + 1) * DEBOUNCE_MS) });
}

/**
 * Worker side: a training per workspace, and once a night a training of every workspace with
 * documents (clicks and votes arrive without publishes); each is its own job, so one workspace's
 * failure retries alone and stops no other.
 */
export async function registerSearchWorkers(search: SearchService, jobs: JobQueue): Promise<void> {
  // What a training took is stored with its model (search_models.training_ms).
  // After publishes only the changed documents are trained again; nightly, everything (`full`),
  // so the vocabulary follows the help centre and every document learns the new ones as negatives.
  await jobs.work<{ workspaceId: string; full?: boolean }>(TRAIN_JOB, async (job) => { await search.train(job.data.workspaceId, { full: job.data.full }); });
  await jobs.work(NIGHTLY_TRAIN_JOB, async () => {
    const day = new Date().toISOString().slice(0, 10);
    for (const workspaceId of await search.workspacesToTrain()) {
      await jobs.send(TRAIN_JOB, { workspaceId, full: true }, { idempotencyKey: `${TRAIN_JOB}:${workspaceId}:nightly:${day}` });
    }
  });
  await jobs.schedule(NIGHTLY_TRAIN_JOB, '30 3 * * *');
}
