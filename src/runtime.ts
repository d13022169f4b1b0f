import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from './core/config.js';
import { connectDatabase, type Database, type DB } from './core/db/database.js';
import { startEmbeddedServer, type EmbeddedServer } from './core/db/embedded-server.js';
import { migrateToLatest } from './core/db/migrations.js';
import { ListenConnection } from './core/db/listen-connection.js';
import { AppError } from './core/errors.js';
import { createOutboxBus, type OutboxBus } from './core/events/index.js';
import { createDatabaseQueue, type JobQueue } from './core/jobs/index.js';
import type { Logger } from './core/logger.js';
import { Tenancy } from './core/tenancy.js';

/** The data layer every command needs: the database (embedded unless DATABASE_URL), migrated. */
export interface DataLayer {
  database: Database;
  tenancy: Tenancy<DB>;
  close(): Promise<void>;
}

export async function openDataLayer(config: Config, log: Logger, options: { migrate?: boolean } = {}): Promise<DataLayer> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedServer({ dataDir: config.dataDir, log: (message) => log.debug({ postgres: message.trim() }) });
    await ensureDatabase(embedded, 'kefu');
    url = embedded.connectionString('kefu');
  }
  try {
    const database = await connectDatabase(url, { max: config.databasePoolMax, log });
    if (options.migrate !== false) await migrateToLatest(database.db, log);
    const tenancy = await Tenancy.load(database.db);
    return {
      database,
      tenancy,
      close: async () => {
        await database.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

async function ensureDatabase(server: EmbeddedServer, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server.connectionString('postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}

/** KEFU_SECRET, or one generated on first start and kept (0600) in the data dir. */
export async function loadSecret(config: Config): Promise<string> {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, 'secret.key');
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new AppError('DATA_DIR_UNREADABLE', 500, `Cannot read ${file}: ${error.message}`);
  });
  if (existing?.trim()) return existing.trim();
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

export interface Messaging {
  bus: OutboxBus;
  jobs: JobQueue;
  redis?: Redis;
  close(): Promise<void>;
}

/** Events and jobs in the database (the event outbox, pg-boss); Redis, when set, shares sockets and rate limits across nodes. */
export async function openMessaging(config: Config, log: Logger, database: Database): Promise<Messaging> {
  // One listening connection for the bus and the queue: each Postgres connection is a 12-25 MB process.
  const listenConnection = new ListenConnection(database.url, log);
  const bus = createOutboxBus({ db: database.db, pool: database.pool, connectionString: database.url, listenConnection, log, checkPayloads: config.env === 'test' });
  // Loaded only when configured: ioredis costs an idle single-box server some 6 MB of heap (16 MB RSS).
  const redis = config.redisUrl ? new (await import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false }) : undefined;
  const jobs = createDatabaseQueue({ connectionString: database.url, listenConnection, log });
  return {
    bus,
    jobs,
    redis,
    close: async () => {
      await jobs.stop({ graceful: true });
      await bus.close();
      await listenConnection.close();
      redis?.disconnect();
    },
  };
}
