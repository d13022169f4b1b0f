import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import { connectDatabase, type Database } from '../../src/core/db/database.js';
import { createLogger } from '../../src/core/logger.js';
import type { Clock } from '../../src/core/clock.js';
import { createInProcessBus, type EventBus } from '../../src/core/events/index.js';
import { createInlineQueue } from '../../src/core/jobs/index.js';
import type { InlineQueue } from '../../src/core/jobs/inline-queue.js';
import { Tenancy } from '../../src/core/tenancy.js';
import { createServices, platformModules, registerWorkers, type PlatformModule, type Services } from '../../src/services.js';
import { freshDatabase } from './db.js';

export interface TestWorkspace {
  id: string;
  slug: string;
  admin: { id: string; email: string; password: string; name: string };
}

/** Real time until a test sets it; from then on it moves only when the test says (SLA deadlines, expiry). */
export class TestClock implements Clock {
  private current: Date | undefined;
  now(): Date {
    return new Date(this.current ?? Date.now());
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.now().getTime() + ms);
  }
}

export interface TestApp {
  app: App;
  bus: EventBus;
  /** Runs job handlers in-process; `await jobs.drain()` waits for everything sent. */
  jobs: InlineQueue;
  clock: TestClock;
  config: Config;
  database: Database;
  services: Services;
  workspace: TestWorkspace;
  /** Another workspace with its own admin, to prove nothing crosses between them. */
  addWorkspace(slug: string): Promise<TestWorkspace>;
  close(): Promise<void>;
}

/**
 * The whole app on a fresh database, with one workspace and a known admin; never listens.
 * `modules` replaces the platform's module list (default every module).
 */
export async function createTestApp(env: Record<string, string> = {}, { modules = platformModules }: { modules?: readonly PlatformModule[] } = {}): Promise<TestApp> {
  const testDb = await freshDatabase();
  // Attachments and secrets go to a directory of this app's own, never the working tree's ./data.
  const dataDir = env.KEFU_DATA_DIR ? undefined : await mkdtemp(path.join(tmpdir(), 'kefu-app-'));
  const config = loadConfig({
    ...(dataDir ? { KEFU_DATA_DIR: dataDir } : {}),
    NODE_ENV: 'test', LOG_LEVEL: 'silent', KEFU_PUBLIC_URL: 'http://localhost:3000', KEFU_LOGIN_ATTEMPTS_PER_15_MIN: '1000', KEFU_PUBLIC_POSTS_PER_15_MIN: '1000', KEFU_WEBHOOKS_ALLOW_PRIVATE: 'true', ...env,
  });
  const log = createLogger(config.logLevel);
  const database = await connectDatabase(testDb.url, { max: 4, log });
  const tenancy = await Tenancy.load(database.db);
  const bus = createInProcessBus(log);
  const clock = new TestClock();
  const jobs = createInlineQueue();
  const services = createServices({ config, database, tenancy, bus, jobs, clock, modules });
  await registerWorkers(services, jobs, modules);

  const addWorkspace = async (slug: string): Promise<TestWorkspace> => {
    const ws = await services.accounts.createWorkspace({ slug, name: { en: `${slug} Ltd`, 'zh-CN': `${slug} 公司` }, defaultLocale: 'en' });
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const admin = await services.accounts.createAgent(ws.id,
      { email: `admin@${slug}.example`, name: `Admin ${slug}`, role: 'admin', password }, { type: 'system', id: null });
    return { id: ws.id, slug, admin: { id: admin.id, email: admin.email, password, name: admin.name } };
  };

  const workspace = await addWorkspace('acme');
  const app = await buildApp({ config, log, database, services, secret: randomBytes(32).toString('hex'), modules });
  return {
    app, bus, jobs, clock, config, database, services, workspace, addWorkspace,
    close: async () => {
      await app.http.close();
      await database.close();
      await testDb.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
