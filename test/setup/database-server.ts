import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/core/db/embedded-server.js';
import { connectDatabase } from '../../src/core/db/database.js';
import { withDatabase } from '../../src/core/db/connection-string.js';
import { migrateToLatest } from '../../src/core/db/migrations.js';
import { createLogger } from '../../src/core/logger.js';
import { adminQuery } from '../helpers/admin-query.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
    templateDatabase: string;
  }
}

/**
 * One database server for the whole run: the embedded one by default, or the external Postgres
 * named by DATABASE_URL. The schema is migrated once into a template; each test file clones it.
 */
export default async function setup(project: TestProject) {
  const log = createLogger('warn');
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
  } finally {
    await database.close();
  }
  project.provide('databaseServerUrl', serverUrl);
  project.provide('templateDatabase', template);

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
