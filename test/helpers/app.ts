import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import { connectDatabase, type Database } from '../../src/core/db/database.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import type { Clock } from '../../src/core/clock.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject, vi } from 'vitest';
import { createInProcessBus, createOutboxBus, type EventBus } from '../../src/core/events/index.js';
import { createDatabaseQueue, createInlineQueue, type JobQueue } from '../../src/core/jobs/index.js';
import { Tenancy } from '../../src/core/tenancy.js';
import { createServices, platformModules, registerWorkers, type PlatformModule, type Services } from '../../src/services.js';
import type { TestDrivers } from '../setup/database-server.js';
import { freshDatabase } from './db.js';
import { relayWork } from './pool-checkouts.js';

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
  /** Back to real time, for the tests of a file that come after. */
  reset(): void {
    this.current = undefined;
  }
}

/**
 * The app's job queue with `drain()`: it resolves when every event committed so far has reached
 * its subscribers and every job that is due and has a worker has finished, chains included (a job
 * that sends a job, a handler that publishes an event that sends a job). Retries run without
 * their back-off on both drivers, so a retry chain is part of it. Jobs whose `startAfter` is still
 * ahead do not hold it up.
 */
export type TestJobs = JobQueue & { drain(): Promise<void> };

export interface TestApp {
  app: App;
  bus: EventBus;
  jobs: TestJobs;
  /**
   * What events and jobs run on (test/setup/database-server.ts): `durable`, the production
   * drivers (the event outbox, the database job queue, workers started), or `inline`, the
   * in-process bus and the inline queue.
   */
  drivers: TestDrivers;
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
  const drivers = inject('testDrivers');
  const clock = new TestClock();
  let messaging: Messaging;
  let services: Services;
  if (drivers === 'durable') {
    // Composed as `kefu start` composes it (src/runtime.ts, openMessaging): the queue started, the
    // modules' workers and schedules registered, the bus delivering to durable subscribers.
    messaging = durableMessaging(database, log);
    await messaging.jobs.start();
    services = createServices({ config, database, tenancy, bus: messaging.bus, jobs: messaging.jobs, clock, modules });
    await registerWorkers(services, messaging.jobs, modules);
    await messaging.start();
  } else {
    messaging = inlineMessaging(log);
    services = createServices({ config, database, tenancy, bus: messaging.bus, jobs: messaging.jobs, clock, modules });
    await registerWorkers(services, messaging.jobs, modules);
  }
  const { bus, jobs } = messaging;

  const addWorkspace = async (slug: string): Promise<TestWorkspace> => {
    const ws = await services.accounts.createWorkspace({ slug, name: { en: `${slug} Ltd`, 'zh-CN': `${slug} 公司` }, defaultLocale: 'en' });
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const admin = await services.accounts.createAgent(ws.id,
      { email: `admin@${slug}.example`, name: `Admin ${slug}`, role: 'admin', password }, { type: 'system', id: null });
    // The workspace's defaults (departments, SLA calendar) come from its event's subscribers: the
    // in-process bus ran them before createWorkspace returned; the outbox runs them now.
    if (drivers === 'durable') await jobs.drain();
    return { id: ws.id, slug, admin: { id: admin.id, email: admin.email, password, name: admin.name } };
  };

  const workspace = await addWorkspace('acme');
  const app = await buildApp({ config, log, database, services, secret: randomBytes(32).toString('hex'), modules });
  return {
    app, bus, jobs, drivers, clock, config, database, services, workspace, addWorkspace,
    close: async () => {
      await app.http.close();
      await messaging.close();
      await database.close();
      await testDb.drop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface Messaging {
  bus: EventBus;
  jobs: TestJobs;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** How long close() lets running handlers finish; a test that left one hanging should not hang the file. */
const STOP_TIMEOUT_MS = 5_000;
/** drain() gives up, naming what is still pending, before the test's own timeout says less. */
const DRAIN_TIMEOUT_MS = 25_000;

function inlineMessaging(log: Logger): Messaging {
  const jobs = createInlineQueue();
  const bus = createInProcessBus(log);
  return {
    bus, jobs,
    start: async () => {},
    close: async () => {
      await jobs.stop({ graceful: true, timeoutMs: STOP_TIMEOUT_MS });
      await bus.close();
    },
  };
}

function durableMessaging(database: Database, log: Logger): Messaging {
  const bus = createOutboxBus({ db: database.db, pool: database.pool, connectionString: database.url, log, checkPayloads: true });
  // As on the inline queue: retries without back-off, so drain() covers a retry chain; crons
  // stored but not fired, so a sweep runs when a test runs it, with the time the test set.
  const queue = createDatabaseQueue({ connectionString: database.url, log, immediateRetries: true, fireSchedules: false, maxConnections: 2 });
  const worked = new Set<string>();
  const drain = async (): Promise<void> => {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      // One statement, so one snapshot: a handler's job is stored before its subscriber's cursor
      // moves, and a job's events before it completes, so work passing from one to the other is
      // seen on one side or the other, never on neither. Due means start_after ≤ clock_timestamp(),
      // not now(): now() is when this statement began, before its snapshot was taken, and a retry
      // committed in between (due at its own, later now()) would look not yet due and be missed.
      // clock_timestamp() is read after the snapshot, so every retry the snapshot holds is due by it.
      const { rows: [pending] } = await database.pool.query<{ subscribers: string[] | null; queues: string[] | null }>(`
        select
          (select array_agg(distinct s.subscriber) from events e join event_subscribers s
             on (cardinality(s.types) = 0 or e.type = any(s.types)) and (e.txid, e.seq) > (s.txid, s.seq)) as subscribers,
          (select array_agg(distinct j.name) from pgboss.job j
             where j.name = any($1::text[]) and j.state in ('created', 'retry', 'active') and j.start_after <= clock_timestamp()) as queues`,
      [[...worked]]);
      if (!pending?.subscribers && !pending?.queues) break;
      if (Date.now() > deadline) {
        throw new Error(`drain(): still pending after ${DRAIN_TIMEOUT_MS} ms: subscribers ${JSON.stringify(pending.subscribers)}, queues ${JSON.stringify(pending.queues)}`);
      }
      await sleep(20);
    }
    // This process' realtime listeners (`bus.subscribe(type, handler)`) have been handed every event too.
    await bus.drain();
  };
  const jobs: TestJobs = {
    start: () => queue.start(),
    send: (name, data, opts) => queue.send(name, data, opts),
    sendMany: (list) => queue.sendMany(list),
    work: async (name, handler, opts) => {
      worked.add(name);
      await queue.work(name, handler, opts);
    },
    schedule: (name, cron, data, opts) => queue.schedule(name, cron, data, opts),
    stop: (opts) => queue.stop(opts),
    drain,
  };
  return {
    bus, jobs,
    // Its timers and listening connection carry relayWork: countCheckouts() tells its polls from a request's.
    start: () => relayWork.run(true, () => bus.start({ durable: true })),
    close: async () => {
      // As `kefu start` stops: the workers (letting running handlers finish), then the relay.
      await queue.stop({ graceful: true, timeoutMs: STOP_TIMEOUT_MS });
      await bus.close();
    },
  };
}

/**
 * Lets `ms` pass for delayed jobs (`startAfter`), then drains, with Date faked that far ahead
 * meanwhile. The inline queue reads Date.now(); the database queue reads the database's clock,
 * which cannot be moved, so its jobs due within `ms` are made due now instead.
 */
export async function drainAfter(t: TestApp, ms: number): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.now() + ms);
    if (t.drivers === 'durable') {
      await t.database.pool.query(
        `update pgboss.job set start_after = now() where state in ('created', 'retry') and start_after <= now() + make_interval(secs => $1)`, [ms / 1000]);
    }
    await t.jobs.drain();
  } finally {
    vi.useRealTimers();
  }
}
