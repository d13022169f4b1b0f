import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { connectDatabase, type Database } from '../../core/db/database.js';
import { withDatabase } from '../../core/db/connection-string.js';
import { startEmbeddedServer } from '../../core/db/embedded-server.js';
import { migrateToLatest } from '../../core/db/migrations.js';
import { createLogger } from '../../core/logger.js';
import { systemClock } from '../../core/clock.js';
import { Tenancy } from '../../core/tenancy.js';
import { SearchRepo } from './search.repo.js';
import { SearchService } from './search.service.js';

export interface SearchSandbox {
  database: Database;
  search: SearchService;
  addWorkspace(slug: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A throw-away, migrated database with Kefu's real SearchService on it, for the relevance
 * evaluation and the benchmark: a new database on the server DATABASE_URL names (dropped at the
 * end), or an embedded server in a temporary directory (removed at the end).
 */
export async function openSearchSandbox(options: { databaseUrl?: string; poolMax?: number } = {}): Promise<SearchSandbox> {
  const log = createLogger('silent');
  const name = `kefu_search_${randomBytes(4).toString('hex')}`;
  let serverUrl = options.databaseUrl;
  let cleanup = async () => {};
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'kefu-search-'));
    const server = await startEmbeddedServer({ dataDir: dir });
    serverUrl = server.connectionString('postgres');
    cleanup = async () => { await server.stop(); await rm(dir, { recursive: true, force: true }); };
  }
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try { await client.query(statement); } finally { await client.end(); }
  };
  await admin(`create database ${name}`);
  const dropAll = async () => { await admin(`drop database if exists ${name} with (force)`).catch(() => undefined); await cleanup(); };
  try {
    const database = await connectDatabase(withDatabase(serverUrl, name), { max: options.poolMax ?? 4, log });
    await migrateToLatest(database.db, log);
    const tenancy = await Tenancy.load(database.db);
    const search = new SearchService(new SearchRepo(tenancy, database.db), systemClock);
    return {
      database,
      search,
      addWorkspace: async (slug) => {
        const { rows } = await sql<{ id: string }>`insert into workspaces (slug, name) values (${slug}, ${JSON.stringify({ en: slug })}::jsonb) returning id`.execute(database.db);
        return rows[0]!.id;
      },
      close: async () => { await database.close(); await dropAll(); },
    };
  } catch (error) {
    await dropAll();
    throw error;
  }
}
