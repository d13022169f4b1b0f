import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { createDatabaseQueue, createInlineQueue, inReplayableWork, relaxCommitIfReplayable, type JobQueue } from '../index.js';
import { pause, recordingLog } from './test-support.js';

/**
 * Replayable work (replayable.ts): only handlers registered as replayable run in the scope, a job
 * they send runs outside it, and inside it a transaction that opts in commits with
 * synchronous_commit off while the same code elsewhere keeps the durable default.
 */
let database: TestDatabase;
let db: Kysely<unknown>;
const opened: JobQueue[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // The drop's forced termination may reach a client pool.end() has not finished closing.
  pool.on('error', () => undefined);
  db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((q) => q.stop({ graceful: false })));
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** The synchronous_commit a transaction would commit with, after opting in. */
function commitMode(): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await relaxCommitIfReplayable(trx);
    return (await sql<{ mode: string }>`select current_setting('synchronous_commit') as mode`.execute(trx)).rows[0]!.mode;
  });
}

async function until<T>(read: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = read();
    if (value !== undefined) return value;
    await pause(25);
  }
  throw new Error('not seen in 5 s');
}

describe('replayable work', () => {
  it('is only what replayable handlers run, not the jobs they send (inline driver)', async () => {
    const queue = createInlineQueue();
    const seen: Record<string, boolean> = {};
    await queue.work('test.replayable', async () => {
      seen.replayable = inReplayableWork();
      await queue.send('test.durable', { workspaceId: 'ws1' });
    }, { replayable: true });
    await queue.work('test.durable', async () => { seen.durable = inReplayableWork(); });
    await queue.send('test.replayable', { workspaceId: 'ws1' });
    await queue.drain();
    expect(seen).toEqual({ replayable: true, durable: false });
    expect(inReplayableWork()).toBe(false);
  });

  it('relaxes opted-in commits and sends inside a replayable handler only, and still dedupes its sends (database driver)', async () => {
    const queue = createDatabaseQueue({ connectionString: database.url, log: recordingLog(), pollingIntervalSeconds: 0.5 });
    opened.push(queue);
    await queue.start();
    const modes: Record<string, string> = {};
    const sent: (string | null)[] = [];
    await queue.work('test.replay', async () => {
      modes.replayable = await commitMode();
      // Relaxed sends keep the idempotency key: the second is refused.
      sent.push(await queue.send('test.followup', { workspaceId: 'ws1' }, { idempotencyKey: 'followup-1' }));
      sent.push(await queue.send('test.followup', { workspaceId: 'ws1' }, { idempotencyKey: 'followup-1' }));
    }, { replayable: true });
    await queue.work('test.followup', async () => { modes.followup = await commitMode(); });
    await queue.send('test.replay', { workspaceId: 'ws1' });
    await until(() => modes.followup);
    expect(modes).toEqual({ replayable: 'off', followup: 'on' });
    expect(sent[0]).toEqual(expect.any(String));
    expect(sent[1]).toBeNull();
    expect(await commitMode()).toBe('on');
  });

  it('stores a job sent with resentIfLost like any other', async () => {
    const queue = createDatabaseQueue({ connectionString: database.url, log: recordingLog(), pollingIntervalSeconds: 0.5 });
    opened.push(queue);
    await queue.start();
    const ran: unknown[] = [];
    await queue.work('test.resent', async (job) => { ran.push(job.data); });
    expect(await queue.send('test.resent', { workspaceId: 'ws1', n: 1 }, { idempotencyKey: 'r1', resentIfLost: true })).toEqual(expect.any(String));
    expect(await queue.send('test.resent', { workspaceId: 'ws1', n: 1 }, { idempotencyKey: 'r1', resentIfLost: true })).toBeNull();
    await until(() => ran[0]);
    expect(ran).toEqual([{ workspaceId: 'ws1', n: 1 }]);
  });
});
