import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { recordingLog } from '../../../../test/helpers/log.js';
import type { Logger } from '../../logger.js';
import { connectDatabase } from '../database.js';

let testDb: TestDatabase;
beforeAll(async () => { testDb = await freshDatabase(); });
afterAll(async () => { await testDb.drop(); });

describe('the database pool', () => {
  it('survives an idle connection the server ends, and says so by code and message only (never the client it carries)', async () => {
    const log = recordingLog();
    const database = await connectDatabase(testDb.url, { max: 2, log: log as unknown as Logger });
    const admin = await connectDatabase(testDb.url, { max: 1, log: log as unknown as Logger });
    try {
      const { rows: [own] } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
      await sql`select pg_terminate_backend(${own!.pid})`.execute(admin.db);
      await vi.waitFor(() => expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(1), { timeout: 5000, interval: 20 });
      const [fields, message] = log.entries[0]!.args as [Record<string, unknown>, string];
      expect(message).toBe('idle database connection failed');
      expect(fields).toEqual({ code: '57P01', reason: 'terminating connection due to administrator command' });
      // The pool goes on with a new connection.
      expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
      await admin.close();
    }
  });
});
