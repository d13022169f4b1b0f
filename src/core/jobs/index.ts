/**
 * Durable jobs: the queue port and its two drivers. See README.md for the conventions
 * (data carries its ids, workspaceId first), retries, idempotency keys and their window.
 */
export { PermanentJobError } from './job-queue.js';
export type { Job, JobHandler, JobOptions, JobQueue, JobToSend, WorkOptions } from './job-queue.js';
export { createDatabaseQueue, type DatabaseJobQueue } from './database-queue.js';
export { createInlineQueue } from './inline-queue.js';
export { inReplayableWork, runDurable, runReplayable } from './replayable.js';
