import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { connectDatabase, type Database } from '../../db/database.js';
import { createLogger } from '../../logger.js';
import { createDatabaseQueue, createInlineQueue, inReplayableWork, runReplayable, type JobQueue } from '../index.js';
import { pause, recordingLog } from './test-support.js';

/**
 * Replayable work (replayable.ts): only handlers registered as replayable run in the scope, a job
 * they send runs outside it, and inside it a transaction begun through the product's database
 * (core/db/database.ts) commits with synchronous_commit off while the same code elsewhere keeps
 * the durable default.
 */
let database: TestDatabase;
let connection: Database;
const opened: JobQueue[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  connection = await connectDatabase(database.url, { max: 2, log: createLogger('silent') });
  // The drop's forced termination may reach a client pool.end() has not finished closing.
  connection.pool.on('error', () => undefined);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((q) => q.stop({ graceful: false })));
});

afterAll(async () => {
  await connection?.close();
  await database?.drop();
});

/** The synchronous_commit a transaction commits with. */
function commitMode(): Promise<string> {
  return connection.db.transaction().execute(async (trx) =>
    (await sql<{ mode: string }>`select current_setting('synchronous_commit') as mode`.execute(trx)).rows[0]!.mode);
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

  it('relaxes a transaction begun in replayable work only, for that transaction alone, and not one with an isolation level', async () => {
    const inside = await runReplayable(async () => ({
      relaxed: await commitMode(),
      serializable: await connection.db.transaction().setIsolationLevel('serializable').execute(async (trx) =>
        (await sql<{ mode: string }>`select current_setting('synchronous_commit') as mode`.execute(trx)).rows[0]!.mode),
      // A statement outside any transaction is its own durable commit.
      single: (await sql<{ mode: string }>`select current_setting('synchronous_commit') as mode`.execute(connection.db)).rows[0]!.mode,
    }));
    expect(inside).toEqual({ relaxed: 'off', serializable: 'on', single: 'on' });
    // `set local` ended with its transaction: the pooled connection is durable again outside the scope.
    expect(await commitMode()).toBe('on');
    expect(await commitMode()).toBe('on');
  });

  it('relaxes commits and sends inside a replayable handler only, and still dedupes its sends (database driver)', async () => {
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
