import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Replayable work: a job handler (registered with `work(…, { replayable: true })`) that rebuilds
 * everything it writes, idempotently, from a source that is already durable (a stored raw mail
 * message re-read by its id, deduplicated by its Message-ID). Its writes may commit without
 * waiting for the WAL flush (`synchronous_commit = off`), and that loses nothing:
 *
 * - Postgres writes and flushes WAL in commit order, so a crash loses a *suffix* of the async
 *   commits: the state after restart is the state of some earlier moment, as if the process had
 *   died then, which the handler must survive anyway (delivery is at-least-once).
 * - The job is completed only after the handler has returned, by a synchronous commit: once the
 *   completion is on disk, everything the handler committed before it is too. If it is not, the job
 *   is still active after the restart and runs again (after expiry); the replay finds what survived
 *   by its natural keys and creates the rest once.
 * - Nothing outside the database can act on a write that may still be lost: every other queue's
 *   fetch, every HTTP write and the SMTP 250 stay synchronous commits, and each flushes all WAL
 *   before it — so a mail delivery or webhook job that sees an acknowledgement starts only once
 *   the acknowledgement (and the ticket it names) is durable.
 *
 * The scope follows the handler's async calls (event handlers it awaits included) through
 * AsyncLocalStorage; every transaction begun inside it is relaxed with its BEGIN
 * (core/db/database.ts). Durable event handlers run in it too (core/events/outbox-bus.ts): the
 * subscriber's cursor moves by a synchronous commit only after the handler returned.
 */
const replayable = new AsyncLocalStorage<true>();

export function runReplayable<T>(work: () => Promise<T>): Promise<T> {
  return replayable.run(true, work);
}

/** Work outside the scope, wherever it was started from (a job a replayable handler sent is not replayable itself). */
export function runDurable<T>(work: () => Promise<T>): Promise<T> {
  return replayable.exit(work);
}

export function inReplayableWork(): boolean {
  return replayable.getStore() === true;
}
