import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { connectDatabase, type Database } from '../database.js';
import { migrateToLatest, migrationsIn } from '../migrations.js';
import { createLogger } from '../../logger.js';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';

const log = createLogger('silent');
let testDb: TestDatabase | undefined;
let database: Database | undefined;

afterEach(async () => {
  await database?.close();
  await testDb?.drop();
});

async function open() {
  testDb = await freshDatabase();
  database = await connectDatabase(testDb.url, { max: 2, log });
  return database;
}

describe('migrations', () => {
  it('left the template fully migrated, with pg_trgm, and applies nothing twice', async () => {
    const { db } = await open();
    expect(await migrateToLatest(db, log)).toEqual([]);
    const { rows } = await sql<{ extname: string }>`select extname from pg_extension where extname = 'pg_trgm'`.execute(db);
    expect(rows).toHaveLength(1);
    const applied = await db.selectFrom('kefu_migration' as never).select('name' as never).execute();
    expect(applied.length).toBeGreaterThanOrEqual(3);
  });

  it('applies a release\'s migrations all or nothing', async () => {
    const { db } = await open();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kefu-migrations-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, '209901010000_first.js'),
      `export async function up(db) { await db.schema.createTable('upgrade_probe').addColumn('id', 'integer').execute(); }\n`);
    await writeFile(path.join(dir, '209901010001_broken.js'),
      `export async function up(db) { await db.schema.alterTable('no_such_table').addColumn('x', 'integer').execute(); }\n`);
    const everything = migrationsIn([dir]);
    const combined = { getMigrations: async () => ({ ...(await migrationsIn().getMigrations()), ...(await everything.getMigrations()) }) };
    const failure = migrateToLatest(db, log, combined);
    await expect(failure).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    await expect(failure).rejects.toThrow(/209901010001_broken.*no_such_table/);
    const { rows } = await sql<{ exists: boolean }>`select to_regclass('upgrade_probe') is not null as exists`.execute(db);
    expect(rows[0]?.exists).toBe(false);
  });
});
