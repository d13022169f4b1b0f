import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/core/db/embedded-server.js';
import { connectDatabase, type Database } from '../../src/core/db/database.js';
import { withDatabase } from '../../src/core/db/connection-string.js';
import { migrateToLatest } from '../../src/core/db/migrations.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { loadConfig } from '../../src/core/config.js';
import { systemClock } from '../../src/core/clock.js';
import { createInProcessBus } from '../../src/core/events/index.js';
import { createDatabaseQueue, type JobQueue } from '../../src/core/jobs/index.js';
import { Tenancy } from '../../src/core/tenancy.js';
import { createServices, registerWorkers } from '../../src/services.js';
import { adminQuery } from '../helpers/admin-query.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
    templateDatabase: string;
    /** What createTestApp composes events and jobs on (test/helpers/app.ts). */
    testDrivers: TestDrivers;
  }
}

/**
 * `durable`: the app's tests run on the production drivers (the event outbox and the database job
 * queue); `inline`: on the in-process bus and the inline queue (the fast pass). KEFU_TEST_DRIVERS
 * chooses; inline by default, durable in CI's pass on the machine's Postgres and Redis (.ci/run).
 */
export type TestDrivers = 'durable' | 'inline';

function testDrivers(): TestDrivers {
  const chosen = process.env.KEFU_TEST_DRIVERS;
  if (chosen === undefined || chosen === '') return 'inline';
  if (chosen === 'durable' || chosen === 'inline') return chosen;
  throw new Error(`KEFU_TEST_DRIVERS must be "durable" or "inline", not "${chosen}"`);
}

/**
 * One database server for the whole run: the embedded one by default, or the external Postgres
 * named by DATABASE_URL. The schema is migrated once into a template; each test file clones it.
 */
export default async function setup(project: TestProject) {
  const log = createLogger('warn');
  const drivers = testDrivers();
  console.log(`vitest: the app's tests run on the ${drivers === 'durable' ? 'durable drivers (event outbox, database job queue)' : 'inline drivers (in-process bus, inline job queue)'}`);
  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kefu-test-'));
    embedded = await startEmbeddedServer({ dataDir });
    serverUrl = embedded.connectionString('postgres');
  }
  const template = `kefu_template_${process.pid}`;
  await adminQuery(serverUrl, `drop database if exists ${template}`);
  await adminQuery(serverUrl, `create database ${template}`);
  const database = await connectDatabase(withDatabase(serverUrl, template), { max: 1, log });
  try {
    await migrateToLatest(database.db, log);
    if (drivers === 'durable') await prepareJobQueues(database, log);
  } finally {
    await database.close();
  }
  project.provide('databaseServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('testDrivers', drivers);

  return async () => {
    await dropTestDatabases(serverUrl, template);
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}

async function dropTestDatabases(url: string, template: string): Promise<void> {
  const leftovers = await adminQuery<{ datname: string }>(url,
    `select datname from pg_database where datname = $1 or datname like $2`, [template, `kefu_t_${process.pid}_%`]);
  for (const { datname } of leftovers) await adminQuery(url, `drop database if exists "${datname}" with (force)`);
}

/**
 * The job queue's schema and every module's queue, made once in the template: each of pg-boss'
 * queues is a partition created with DDL, which took each test app ~2 s of its start.
 */
async function prepareJobQueues(database: Database, log: Logger): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kefu-test-queues-'));
  const queue = createDatabaseQueue({ connectionString: database.url, log });
  try {
    await queue.start();
    // The names come from the modules' own registrations, made against a queue that only records them.
    const names = new Set<string>();
    const recorder: JobQueue = {
      start: async () => {}, stop: async () => {}, send: async () => null, sendMany: async (list) => list.map(() => null),
      work: async (name) => { names.add(name); },
      schedule: async (name) => { names.add(name); },
    };
    const config = loadConfig({ KEFU_DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const services = createServices({ config, database, tenancy: await Tenancy.load(database.db), bus: createInProcessBus(log), jobs: recorder, clock: systemClock });
    await registerWorkers(services, recorder);
    for (const name of names) await queue.work(name, async () => { throw new Error('the template has no workers'); });
  } finally {
    await queue.stop({ graceful: false });
    await rm(dataDir, { recursive: true, force: true });
  }
}
