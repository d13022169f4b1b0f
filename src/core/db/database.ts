import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, PostgresDriver, type DatabaseConnection, type Driver, type PostgresDialectConfig, type TransactionSettings } from 'kysely';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { inReplayableWork } from '../jobs/replayable.js';
import { redactConnectionString } from './connection-string.js';

// bigint (count(*), bigserial) arrives as a string by default; our counts fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * The database's tables as the query builder sees them. Empty here: the core knows no module; each
 * module adds its own tables from its `<m>.schema.ts`, by declaration merging:
 *
 *     declare module '../../core/db/database.js' {
 *       interface DatabaseTables extends NotesTables {}
 *     }
 *
 * Every schema file is part of each compilation (tsconfig includes all of `src/`), so wherever `DB`
 * is named it holds every module's tables.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DatabaseTables {}

/** The whole database: every module's tables (the name repositories and `Tenancy<DB>` use). */
export type DB = DatabaseTables;

export interface Database {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly db: Kysely<DatabaseTables>;
  close(): Promise<void>;
}

/**
 * How long a connection may sit unused before it is closed. Each is a Postgres process holding
 * memory (12-30 MB RSS, most of it the shared buffers it touched) on a small box. The pool hands
 * out the connection released last, so steady traffic (the event relay's poll each second, too)
 * keeps the few it needs and a burst's extra connections end two seconds after it.
 */
const IDLE_CONNECTION_MS = 2000;

export async function connectDatabase(url: string, options: { max: number; log: Logger }): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: options.max, idleTimeoutMillis: IDLE_CONNECTION_MS });
  // An idle client losing its server must not crash the process; the pool replaces it. Logged by its
  // code and message only (the error carries the whole client), and not while closing: pool.end()
  // resolves before the sockets are gone, so a server stopping right after terminates them.
  let closing = false;
  pool.on('error', (err: Error & { code?: string }) => {
    if (!closing) options.log.warn({ code: err.code, reason: err.message }, 'idle database connection failed');
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new AppError(
      'DATABASE_UNREACHABLE', 503,
      `Cannot connect to the database at ${redactConnectionString(url)}: ${(cause as Error).message}`,
      undefined, { cause },
    );
  }
  const db = new Kysely<DatabaseTables>({ dialect: new RelaxingPostgresDialect({ pool }) });
  return {
    url,
    pool,
    db,
    close: () => {
      closing = true;
      return db.destroy();
    },
  };
}

/**
 * A transaction begun inside replayable work (core/jobs/replayable.ts: a durable event handler, a
 * replayable job) commits without waiting for the disk, which loses nothing there: the work is
 * redone from its durable source until a synchronous commit after it (the subscriber's cursor, the
 * job's completion) has flushed it. The setting goes with the BEGIN, in its round trip: a
 * statement of its own cost one per transaction, some four per new ticket (issue 15).
 */
class RelaxingPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel || settings.accessMode || !inReplayableWork()) return super.beginTransaction(connection, settings);
    // No parameters: sent as one simple query, both statements in one round trip.
    await connection.executeQuery(CompiledQuery.raw('begin; set local synchronous_commit = off'));
  }
}

class RelaxingPostgresDialect extends PostgresDialect {
  constructor(private readonly settings: PostgresDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new RelaxingPostgresDriver(this.settings);
  }
}
