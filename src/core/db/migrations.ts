import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

const srcRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIGRATION_FILE = /^\d{12}_[a-z0-9_]+\.(ts|js)$/;

/**
 * Each module owns `migrations/` with timestamp-named files; they all run in one name order, so a
 * module's tables can rely on the tables of migrations named before them.
 */
async function migrationDirs(): Promise<string[]> {
  const modules = await readdir(path.join(srcRoot, 'modules'), { withFileTypes: true });
  return [
    path.join(srcRoot, 'core/db/migrations'),
    ...modules.filter((d) => d.isDirectory()).map((d) => path.join(srcRoot, 'modules', d.name, 'migrations')),
  ];
}

/** Migrations from the given folders (default: core's and every module's), keyed by file name. */
export const migrationsIn = (dirs?: string[]): MigrationProvider => ({
  async getMigrations() {
    const migrations: Record<string, Migration> = {};
    for (const dir of dirs ?? await migrationDirs()) {
      const files = await readdir(dir).catch(() => [] as string[]);
      for (const file of files.filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts'))) {
        const name = file.replace(/\.(ts|js)$/, '');
        if (migrations[name]) throw new AppError('MIGRATION_DUPLICATE', 500, `Two migrations are named ${name}`);
        migrations[name] = (await import(pathToFileURL(path.join(dir, file)).href)) as Migration;
      }
    }
    return migrations;
  },
});

/**
 * Applies every pending migration. Kysely runs them all in one transaction on Postgres
 * (transactional DDL), so a failure leaves the previous version intact, never half-migrated.
 */
export async function migrateToLatest<T>(db: Kysely<T>, log: Logger, provider = migrationsIn()): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'kefu_migration',
    migrationLockTableName: 'kefu_migration_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    throw new AppError('MIGRATION_FAILED', 500, `Migration ${failed ?? ''} failed; nothing was applied: ${(error as Error).message}`,
      undefined, { cause: error });
  }
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (applied.length) log.info({ applied }, 'database migrated');
  return applied;
}
