import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { connectDatabase, type Database } from '../../src/core/db/database.js';
import { createOutboxBus, type OutboxBus } from '../../src/core/events/index.js';
import { createInlineQueue } from '../../src/core/jobs/index.js';
import { createLogger } from '../../src/core/logger.js';
import { Tenancy } from '../../src/core/tenancy.js';
import { createServices, type Services } from '../../src/services.js';
import { freshDatabase, type TestDatabase } from './db.js';

/** One Kefu node: its own services, pool and event outbox bus, on the database the file shares. */
export interface OutboxNode { services: Services; bus: OutboxBus; database: Database }

/**
 * For tests of what each node keeps in memory (caches dropped on an event): a fresh database for
 * the file and `startNode(durable)`, a node on it — a web node (`false`: realtime listeners only)
 * or a worker (`true`: durable subscribers). Everything is closed after the file.
 */
export function useOutboxNodes(label: string): { startNode(durable: boolean): Promise<OutboxNode> } {
  const log = createLogger('silent');
  const nodes: OutboxNode[] = [];
  let testDb: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    testDb = await freshDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), `kefu-${label}-`));
  });
  afterAll(async () => {
    for (const node of nodes) {
      await node.bus.close();
      await node.database.close();
    }
    await testDb?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return {
    startNode: async (durable) => {
      const config = loadConfig({ KEFU_DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
      const database = await connectDatabase(testDb.url, { max: 4, log });
      const tenancy = await Tenancy.load(database.db);
      const bus = createOutboxBus({ db: database.db, pool: database.pool, connectionString: database.url, log, checkPayloads: true });
      const services = createServices({ config, database, tenancy, bus, jobs: createInlineQueue(), clock: systemClock });
      await bus.start({ durable });
      const node = { services, bus, database };
      nodes.push(node);
      return node;
    },
  };
}
