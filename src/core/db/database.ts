import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, PostgresDriver, type DatabaseConnection, type Driver, type PostgresDialectConfig, type QueryResult, type Transaction, type TransactionSettings } from 'kysely';
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

/**
 * How long a caller waits for a connection of a full pool before it fails. Work that holds a
 * connection and then asks the pool for another (a read outside the caller's transaction) waits for
 * ever once enough callers do it at the same moment, and Postgres cannot see that deadlock: this
 * turns it into an error, so the holders roll back, give their connections back and are retried.
 */
const CONNECTION_WAIT_MS = 30_000;

/** Connections of work beside a scope (`outsideOneTransaction`), beside DATABASE_POOL_MAX's. */
const ASIDE_POOL_MAX = 2;

/**
 * Statements a connection keeps prepared at most. Each holds its parse tree and plans in the
 * connection's Postgres process; the statements Kefu sends again and again are far fewer (a list
 * `in (…)` of another length is another statement), and a connection idle for two seconds ends
 * (IDLE_CONNECTION_MS), taking them with it.
 */
const PREPARED_PER_CONNECTION = 200;

/**
 * A connection that prepares each parameterised statement it sends (a named statement): Postgres
 * parses and plans it once per connection, then only binds and runs it (issue 15: planning was
 * 2.6–4 ms of Postgres' CPU per new ticket, more than running the statements). After five runs
 * Postgres may keep one generic plan for it (`plan_cache_mode` auto), if that plan is estimated to
 * cost no more than the custom ones it made.
 */
class PreparingClient extends pg.Client {
  /** The name each statement (by its text) is prepared under on this connection. */
  private readonly names = new Map<string, string>();
  private named = 0;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- every overload of pg's query passes through
  override query(...args: any[]): any {
    const [text, values] = args as [unknown, unknown];
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      if (!this.names.has(text) && this.names.size < PREPARED_PER_CONNECTION) this.names.set(text, this.newName());
      if (this.names.has(text)) return this.runPrepared(text, values);
    }
    return Reflect.apply(super.query, this, args);
  }

  private newName(): string {
    return `k${++this.named}`;
  }

  private async runPrepared(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const alone = (this as unknown as { getTransactionStatus(): string | null }).getTransactionStatus() === 'I';
    try {
      return await super.query({ name: this.names.get(text)!, text, values });
    } catch (err) {
      if (!isStalePlan(err)) throw err;
      // A table it reads changed shape (a migration, perhaps by another node): the statement is
      // prepared afresh under a new name; the old one stays on the server until the connection ends.
      this.names.set(text, this.newName());
      // Alone it is simply sent again; in a transaction, the transaction has failed and its caller retries.
      if (alone) return super.query({ name: this.names.get(text)!, text, values });
      throw err;
    }
  }
}

/** Postgres refuses to run a prepared statement whose result's columns changed since it was planned. */
function isStalePlan(err: unknown): boolean {
  return (err as { code?: string }).code === '0A000' && /cached plan must not change result type/.test((err as Error).message);
}

export async function connectDatabase(url: string, options: { max: number; log: Logger; connectionWaitMs?: number }): Promise<Database> {
  const connection = {
    connectionString: url, idleTimeoutMillis: IDLE_CONNECTION_MS, connectionTimeoutMillis: options.connectionWaitMs ?? CONNECTION_WAIT_MS, Client: PreparingClient,
  };
  const pool = new pg.Pool({ ...connection, max: options.max });
  // Work beside a scope that holds its connection (outsideOneTransaction): single statements and
  // short reads, so two suffice; opened only when such work runs.
  const asidePool = new pg.Pool({ ...connection, max: ASIDE_POOL_MAX });
  // An idle client losing its server must not crash the process; the pool replaces it. Logged by its
  // code and message only (the error carries the whole client), and not while closing: pool.end()
  // resolves before the sockets are gone, so a server stopping right after terminates them.
  let closing = false;
  for (const each of [pool, asidePool]) {
    each.on('error', (err: Error & { code?: string }) => {
      if (!closing) options.log.warn({ code: err.code, reason: err.message }, 'idle database connection failed');
    });
  }
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await Promise.all([pool.end(), asidePool.end()]).catch(() => undefined);
    throw new AppError(
      'DATABASE_UNREACHABLE', 503,
      `Cannot connect to the database at ${redactConnectionString(url)}: ${(cause as Error).message}`,
      undefined, { cause },
    );
  }
  const db = new Kysely<DatabaseTables>({ dialect: new RelaxingPostgresDialect({ pool, asidePool }) });
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
 * Work whose statements all go through one transaction (`inOneTransaction`): the transactions it
 * begins join it, and its statements outside them run in it too.
 */
interface OneTransaction {
  ended: boolean;
  /** The driver of the first statement's database: its transaction is the scope's. */
  driver?: RelaxingPostgresDriver;
  /** Taken from the pool, and BEGIN sent, with the scope's first statement: work that sends none costs none. */
  opened?: Promise<{ connection: DatabaseConnection; joined: JoinedConnection }>;
  /** A statement failed or a joined transaction rolled back: the scope's work is undone as a whole. */
  failure?: unknown;
  /** Called once the scope's work is committed (`afterOneTransaction`); dropped if it is not. */
  committed: (() => void)[];
  /** What work collected for one statement at the end (`collectInOneTransaction`), by its collector, and the flushes to send them. */
  collected: Map<object, unknown[]>;
  beforeCommit: (() => Promise<void>)[];
  /** Statements sent with the COMMIT, in its round trip (`withCommitOfOneTransaction`). */
  withCommit: string[];
}

const oneTransaction = new AsyncLocalStorage<OneTransaction | undefined>();

/**
 * The scope's connection as its work sees it: statements sent side by side (`Promise.all`) go one
 * after another, and a statement that fails marks the scope failed. A statement sent after the
 * scope ended (by work nobody awaited: a timer, a promise left running) runs on a connection of its
 * own: this one is back in the pool, perhaps in another transaction.
 */
class JoinedConnection implements DatabaseConnection {
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly scope: OneTransaction,
    private readonly alone: <R>(query: CompiledQuery) => Promise<QueryResult<R>>,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.scope.ended) return this.alone<R>(query);
    const result = this.previous.then(() => this.connection.executeQuery<R>(query)).catch((err: unknown) => {
      // Postgres refuses every later statement of the transaction anyway; the scope is undone.
      this.scope.failure ??= err;
      throw err;
    });
    this.previous = result.catch(() => undefined);
    return result;
  }

  /** Once every statement sent so far has been answered. */
  async settled(): Promise<void> {
    await this.previous;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.connection.streamQuery<R>(query, chunkSize);
  }
}

/** The store of work beside a scope: no scope of its own (ended before it began); its statements take the aside pool's connections. */
const BESIDE_A_SCOPE: OneTransaction = { ended: true, committed: [], collected: new Map(), beforeCommit: [], withCommit: [] };

/**
 * Work whose statements do not join the `inOneTransaction` scope it is called from: a counter
 * handed out at once, whose row lock must not be held for the whole of the caller's transaction; a
 * cache's load of committed data. When the scope already holds its connection, the work's
 * statements take connections of a small pool of their own: callers that each hold a connection
 * of the main pool and wait for another could take all of it and wait for ever.
 */
export function outsideOneTransaction<T>(work: () => Promise<T>): Promise<T> {
  const scope = oneTransaction.getStore();
  // Not `exit()`: on Node 20 it turns the async hooks off and on again around the work, and an
  // idle server that had opened tickets this way held some 30 MB more (issue 15).
  return oneTransaction.run(scope && !scope.ended && scope.opened ? BESIDE_A_SCOPE : undefined, work);
}

/** Work that starts afresh, whatever scope it was started from (a job's handler): its own connections, from the main pool. */
export function apartFromOneTransaction<T>(work: () => Promise<T>): Promise<T> {
  return oneTransaction.run(undefined, work);
}

/** Whether the caller runs in an `inOneTransaction` scope: its statements go to that scope's transaction. */
export function insideOneTransaction(): boolean {
  const scope = oneTransaction.getStore();
  return scope !== undefined && !scope.ended;
}

/** Statements in the transaction of the `inOneTransaction` scope the caller runs in (for pg-boss' `db` option). */
export interface JoinedTransaction {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

const joinedTransactions = new WeakMap<OneTransaction, JoinedTransaction>();

/**
 * The transaction of the `inOneTransaction` scope the caller runs in, once the scope has sent a
 * statement (before that it has written nothing a statement could depend on); else undefined. A job
 * sent through it is stored with the writes it follows, and is seen by workers only once they are.
 */
export function joinedTransaction(): JoinedTransaction | undefined {
  const scope = oneTransaction.getStore();
  const opened = scope && !scope.ended ? scope.opened : undefined;
  if (!scope || !opened) return undefined;
  let joined = joinedTransactions.get(scope);
  if (!joined) {
    joined = {
      executeSql: async (text, values = []) => {
        const result = await (await opened).joined.executeQuery<unknown>(CompiledQuery.raw(text, values));
        return { rows: [...result.rows], rowCount: Number(result.numAffectedRows ?? result.rows.length) };
      },
    };
    joinedTransactions.set(scope, joined);
  }
  return joined;
}

/**
 * Runs `work` with every statement it sends through Kysely in one transaction, committed after it
 * returns; the transactions it begins join that one (their commits are no-ops). If a statement
 * fails, a joined transaction rolls back or `work` throws, everything is rolled back and this
 * throws: the caller redoes the work another way (the event bus: each event on its own). The
 * event bus runs a subscriber's batch of events in one, instead of a transaction or more per event
 * (a BEGIN and a COMMIT round trip each; issue 15). Statements sent straight to the pool (not
 * through Kysely) are not in it.
 */
export async function inOneTransaction<T>(work: () => Promise<T>): Promise<T> {
  const scope: OneTransaction = { ended: false, committed: [], collected: new Map(), beforeCommit: [], withCommit: [] };
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = {
      value: await oneTransaction.run(scope, async () => {
        const value = await work();
        // A flush may collect more (a row for another collector): each runs once, in order.
        for (let i = 0; i < scope.beforeCommit.length; i++) await scope.beforeCommit[i]!();
        return value;
      }),
    };
  } catch (error) {
    outcome = { error };
  }
  scope.ended = true;
  if (scope.opened) {
    const { driver } = scope;
    const { connection, joined } = await scope.opened.catch((error: unknown) => {
      throw 'error' in outcome ? outcome.error : error;
    });
    await joined.settled();
    const failure = 'error' in outcome ? outcome.error : scope.failure;
    try {
      if (failure !== undefined) {
        await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
        throw failure;
      }
      // No parameters: one simple query; a statement that fails leaves the COMMIT unrun, and the transaction is rolled back.
      await connection.executeQuery(CompiledQuery.raw([...scope.withCommit, 'commit'].join('; '))).catch(async (error: unknown) => {
        await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
        throw error;
      });
    } finally {
      await driver!.releaseConnection(connection);
    }
  }
  if ('error' in outcome) throw outcome.error;
  for (const then of scope.committed) then();
  return outcome.value;
}

/**
 * Where the caller adds rows that `flush` writes together, in the `inOneTransaction` scope's
 * transaction, once the scope's work is done and before it commits: one statement for a batch's
 * rows of one kind (its events) instead of one per transaction that joined it (issue 15). Outside
 * a scope, undefined: the caller writes its rows itself. `collector` names the kind of rows.
 */
export function collectInOneTransaction<T>(collector: object, flush: (rows: T[]) => Promise<void>): T[] | undefined {
  const scope = oneTransaction.getStore();
  if (!scope || scope.ended) return undefined;
  let rows = scope.collected.get(collector) as T[] | undefined;
  if (!rows) {
    const collected: T[] = [];
    scope.collected.set(collector, collected);
    scope.beforeCommit.push(() => flush(collected));
    rows = collected;
  }
  return rows;
}

/**
 * Sends `statement` (SQL without parameters, its values escaped as literals) with the COMMIT of the
 * `inOneTransaction` scope the caller runs in, in its round trip, when that scope holds its
 * connection; says whether it will. Else the caller runs it itself. `transactionWithFinalStatement`
 * does the same for a transaction of its own.
 */
export function withCommitOfOneTransaction(statement: string): boolean {
  const scope = oneTransaction.getStore();
  if (!scope || scope.ended || !scope.opened) return false;
  scope.withCommit.push(statement);
  return true;
}

/**
 * Calls `then` once the `inOneTransaction` scope the caller runs in has committed (never if it
 * rolls back); outside a scope, at once. For what must not act on writes before they are
 * committed: the in-memory job queue of tests and one-off commands.
 */
export function afterOneTransaction(then: () => void): void {
  const scope = oneTransaction.getStore();
  if (scope && !scope.ended) scope.committed.push(then);
  else then();
}

/** A transaction's statement sent with its COMMIT (`transactionWithFinalStatement`), and the connection it was begun on. */
interface FinalStatement {
  /** Its transaction has begun: a transaction begun later in its work is another one. */
  begun?: true;
  /** Unset when its transaction joined an `inOneTransaction` scope: the scope's COMMIT is not its own. */
  connection?: DatabaseConnection;
  statement?: string;
}

const finalStatements = new AsyncLocalStorage<FinalStatement>();

/**
 * `db.transaction().execute(work)`, where `work` may end with a statement that is sent with the
 * COMMIT, in its round trip (issue 15: a transaction's events, one round trip each of some ten per
 * new ticket). `withCommit(text)` takes SQL without parameters (its values escaped as literals by the
 * caller) and says whether it will be sent so; when it will not (a transaction joined to an
 * `inOneTransaction` scope, whose COMMIT is the scope's), the caller runs the statement itself. If
 * the statement fails, the transaction rolls back and this throws, as it would have before the COMMIT.
 */
export function transactionWithFinalStatement<D, T>(
  db: Kysely<D>, work: (trx: Transaction<D>, withCommit: (statement: string) => boolean) => Promise<T>,
): Promise<T> {
  const final: FinalStatement = {};
  return finalStatements.run(final, () => db.transaction().execute((trx) => work(trx, (statement) => {
    if (!final.connection) return false;
    final.statement = statement;
    return true;
  })));
}

/**
 * A transaction begun inside replayable work (core/jobs/replayable.ts: a durable event handler, a
 * replayable job) commits without waiting for the disk, which loses nothing there: the work is
 * redone from its durable source until a synchronous commit after it (the subscriber's cursor, the
 * job's completion) has flushed it. The setting goes with the BEGIN, in its round trip: a
 * statement of its own cost one per transaction, some four per new ticket (issue 15).
 *
 * Inside `inOneTransaction` it hands out the scope's connection and lets transactions join it.
 */
class RelaxingPostgresDriver extends PostgresDriver {
  private readonly joined = new WeakSet<DatabaseConnection>();
  /** The connections of work beside a scope (`outsideOneTransaction`), from a pool of their own. */
  private readonly aside: PostgresDriver;
  private readonly asideConnections = new WeakSet<DatabaseConnection>();

  constructor(settings: PostgresDialectConfig & { asidePool: pg.Pool }) {
    super(settings);
    this.aside = new PostgresDriver({ pool: settings.asidePool });
  }

  override async init(): Promise<void> {
    await Promise.all([super.init(), this.aside.init()]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([super.destroy(), this.aside.destroy()]);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const scope = oneTransaction.getStore();
    if (scope === BESIDE_A_SCOPE) {
      const connection = await this.aside.acquireConnection();
      this.asideConnections.add(connection);
      return connection;
    }
    // Work left running after its scope ended (a promise nobody awaited) goes its own way.
    // So does a statement to another database than the scope's.
    if (!scope || scope.ended || (scope.driver && scope.driver !== this)) return super.acquireConnection();
    scope.driver = this;
    scope.opened ??= this.open(scope);
    return (await scope.opened).joined;
  }

  private async open(scope: OneTransaction) {
    const connection = await super.acquireConnection();
    try {
      await this.begin(connection);
    } catch (err) {
      await this.releaseConnection(connection);
      throw err;
    }
    const joined = new JoinedConnection(connection, scope, (query) => this.runAlone(query));
    this.joined.add(joined);
    return { connection, joined };
  }

  private async runAlone<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const connection = await super.acquireConnection();
    try {
      return await connection.executeQuery<R>(query);
    } finally {
      await this.releaseConnection(connection);
    }
  }

  // Kysely's signature names its own connection class, which every connection but a joined one is.
  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const own = connection as Parameters<PostgresDriver['releaseConnection']>[0];
    if (this.asideConnections.has(connection)) await this.aside.releaseConnection(own);
    else if (!this.joined.has(connection)) await super.releaseConnection(own);
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // The first transaction begun in a `transactionWithFinalStatement` is its own; one its work begins is not.
    const final = finalStatements.getStore();
    if (final && !final.begun) {
      final.begun = true;
      if (!this.joined.has(connection)) final.connection = connection;
    }
    if (this.joined.has(connection)) {
      if (settings.isolationLevel || settings.accessMode) throw new Error('A transaction with its own isolation level or access mode cannot join another');
      return;
    }
    if (settings.isolationLevel || settings.accessMode) return super.beginTransaction(connection, settings);
    await this.begin(connection);
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.joined.has(connection)) return;
    const final = finalStatements.getStore();
    // No parameters: one simple query; if the statement fails, the COMMIT is not run and the caller rolls back.
    if (final?.statement !== undefined && final.connection === connection) await connection.executeQuery(CompiledQuery.raw(`${final.statement}; commit`));
    else await super.commitTransaction(connection);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.joined.has(connection)) return super.rollbackTransaction(connection);
    // Its writes cannot be undone alone: the whole scope is.
    const scope = oneTransaction.getStore();
    if (scope) scope.failure ??= new Error('a transaction inside inOneTransaction rolled back');
  }

  private async begin(connection: DatabaseConnection): Promise<void> {
    // No parameters: sent as one simple query, both statements in one round trip.
    await connection.executeQuery(CompiledQuery.raw(inReplayableWork() ? 'begin; set local synchronous_commit = off' : 'begin'));
  }
}

class RelaxingPostgresDialect extends PostgresDialect {
  constructor(private readonly settings: PostgresDialectConfig & { asidePool: pg.Pool }) {
    super(settings);
  }

  override createDriver(): Driver {
    return new RelaxingPostgresDriver(this.settings);
  }
}
