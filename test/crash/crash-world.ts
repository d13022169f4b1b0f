import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.js';
import { systemClock } from '../../src/core/clock.js';
import { connectDatabase, type Database } from '../../src/core/db/database.js';
import { createInProcessBus } from '../../src/core/events/index.js';
import { createInlineQueue } from '../../src/core/jobs/index.js';
import { createLogger } from '../../src/core/logger.js';
import { Tenancy } from '../../src/core/tenancy.js';
import { createServices, type Services } from '../../src/services.js';
import { runKefu, whenHealthy, type KefuProcess } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * A fresh database and data dir for a kill -9 test: `services` (in this process, on an in-process
 * bus, as an admin would set things up through the API) make the world; `start` runs a real
 * `kefu start` on it, which the test kills; `close` kills what still runs and removes it all.
 */
export interface CrashWorld {
  db: TestDatabase;
  database: Database;
  services: Services;
  start(port: number): Promise<KefuProcess>;
  query<T>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openCrashWorld(name: string, { poolMax = 2 } = {}): Promise<CrashWorld> {
  const db = await freshDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), `kefu-crash-${name}-`));
  const log = createLogger('silent');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', KEFU_DATA_DIR: dataDir, KEFU_PUBLIC_URL: 'http://localhost:3000' });
  const database = await connectDatabase(db.url, { max: poolMax, log });
  const services = createServices({ config, database, tenancy: await Tenancy.load(database.db), bus: createInProcessBus(log), jobs: createInlineQueue(), clock: systemClock });
  const running = new Set<KefuProcess>();
  return {
    db, database, services,
    async start(port) {
      const kefu = runKefu(['start', '--role', 'all'], { DATABASE_URL: db.url, KEFU_DATA_DIR: dataDir, KEFU_SECRET: 'crash-test-secret-0123456789abcdef', LOG_LEVEL: 'error' }, port);
      running.add(kefu);
      void kefu.exited.then(() => running.delete(kefu));
      await whenHealthy(kefu);
      return kefu;
    },
    query: async <T>(text: string, values?: unknown[]) => (await database.pool.query(text, values)).rows as T[],
    async close() {
      for (const kefu of running) {
        kefu.child.kill('SIGKILL');
        await kefu.exited;
      }
      await database.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
