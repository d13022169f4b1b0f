import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { recordingLog } from '../../../../test/helpers/log.js';
import type { Logger } from '../../logger.js';
import { runReplayable } from '../../jobs/replayable.js';
import { connectDatabase, inOneTransaction, outsideOneTransaction, transactionWithFinalStatement, type Database, type DB } from '../database.js';

let testDb: TestDatabase;
beforeAll(async () => { testDb = await freshDatabase(); });
afterAll(async () => { await testDb.drop(); });

describe('the database pool', () => {
  it('survives an idle connection the server ends, and says so by code and message only (never the client it carries)', async () => {
    const log = recordingLog();
    const database = await connectDatabase(testDb.url, { max: 2, log: log as unknown as Logger });
    const admin = await connectDatabase(testDb.url, { max: 1, log: log as unknown as Logger });
    try {
      const { rows: [own] } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
      await sql`select pg_terminate_backend(${own!.pid})`.execute(admin.db);
      await vi.waitFor(() => expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(1), { timeout: 5000, interval: 20 });
      const [fields, message] = log.entries[0]!.args as [Record<string, unknown>, string];
      expect(message).toBe('idle database connection failed');
      expect(fields).toEqual({ code: '57P01', reason: 'terminating connection due to administrator command' });
      // The pool goes on with a new connection.
      expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
      await admin.close();
    }
  });

  it('fails a caller who waits too long for a connection of a full pool, instead of waiting for ever', async () => {
    const database = await connectDatabase(testDb.url, { max: 1, log: recordingLog() as unknown as Logger, connectionWaitMs: 200 });
    try {
      // The one connection held by a transaction that asks the pool for another: a deadlock no server can see.
      await expect(database.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await sql`select 2`.execute(database.db);
      })).rejects.toThrow(/timeout/i);
      // The transaction rolled back and gave its connection back.
      expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
    }
  });
});

describe('prepared statements', () => {
  /** The statements this pool's one connection holds prepared. */
  const preparedOn = async (db: Kysely<DB>) =>
    (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db)).rows;

  it('prepares each parameterised statement once per connection, and runs it by name after', async () => {
    const database = await connectDatabase(testDb.url, { max: 1, log: recordingLog() as unknown as Logger });
    const parses = vi.spyOn(pg.Connection.prototype, 'parse');
    try {
      for (const n of [1, 2, 3]) expect((await sql<{ n: number }>`select ${n}::int as n`.execute(database.db)).rows).toEqual([{ n }]);
      expect(parses.mock.calls.filter(([q]) => (q as { text: string }).text === 'select $1::int as n')).toHaveLength(1);
      expect(await preparedOn(database.db)).toEqual([{ name: expect.stringMatching(/^k/), statement: 'select $1::int as n' }]);
    } finally {
      parses.mockRestore();
      await database.close();
    }
  });

  it('keeps at most 200 prepared on a connection; the rest are sent unnamed', async () => {
    const database = await connectDatabase(testDb.url, { max: 1, log: recordingLog() as unknown as Logger });
    try {
      for (let i = 0; i < 210; i++) expect((await sql<{ n: number }>`select ${i}::int as ${sql.ref(`n${i}`)}`.execute(database.db)).rows).toEqual([{ [`n${i}`]: i }]);
      expect(await preparedOn(database.db)).toHaveLength(200);
    } finally {
      await database.close();
    }
  });

  it('prepares a statement afresh once a table it reads changed shape: alone it just runs, in a transaction that one fails once', async () => {
    const database = await connectDatabase(testDb.url, { max: 1, log: recordingLog() as unknown as Logger });
    const read = (db: Kysely<DB>) => sql<Record<string, number>>`select * from shapes where a = ${1}`.execute(db).then((r) => r.rows);
    try {
      await sql`create table shapes (a int)`.execute(database.db);
      await sql`insert into shapes values (1)`.execute(database.db);
      expect(await read(database.db)).toEqual([{ a: 1 }]);
      await sql`alter table shapes add column b int default 2`.execute(database.db);
      expect(await read(database.db)).toEqual([{ a: 1, b: 2 }]);
      await sql`alter table shapes add column c int default 3`.execute(database.db);
      await expect(database.db.transaction().execute((trx) => read(trx))).rejects.toMatchObject({ code: '0A000' });
      expect(await database.db.transaction().execute((trx) => read(trx))).toEqual([{ a: 1, b: 2, c: 3 }]);
    } finally {
      await sql`drop table if exists shapes`.execute(database.db);
      await database.close();
    }
  });
});

describe('inOneTransaction', () => {
  let database: Database;
  beforeAll(async () => {
    database = await connectDatabase(testDb.url, { max: 4, log: recordingLog() as unknown as Logger });
    await sql`create table one_transaction_notes (id int primary key, body text not null)`.execute(database.db);
  });
  afterAll(async () => { await database.close(); });

  const db = () => database.db as unknown as Kysely<{ one_transaction_notes: { id: number; body: string } }>;
  const notes = async () => (await db().selectFrom('one_transaction_notes').select(['id', 'body']).orderBy('id').execute());
  const backend = async () => (await sql<{ pid: number; xid: string | null }>`select pg_backend_pid() as pid, pg_current_xact_id_if_assigned()::text as xid`.execute(database.db)).rows[0]!;

  it('runs every statement, in and out of the transactions the work begins, on one connection in one transaction, committed once at the end', async () => {
    await sql`delete from one_transaction_notes`.execute(database.db);
    const seen = await inOneTransaction(async () => {
      await db().insertInto('one_transaction_notes').values({ id: 1, body: 'outside' }).execute();
      const first = await backend();
      await db().transaction().execute(async (trx) => { await trx.insertInto('one_transaction_notes').values({ id: 2, body: 'inside' }).execute(); });
      const second = await backend();
      // Another connection does not see the rows yet: nothing was committed by the joined transaction.
      const client = new pg.Client({ connectionString: testDb.url });
      await client.connect();
      const outside = (await client.query('select count(*)::int as n from one_transaction_notes')).rows[0].n as number;
      await client.end();
      return { first, second, outside };
    });
    expect(seen.first.pid).toBe(seen.second.pid);
    expect(seen.first.xid).not.toBeNull();
    expect(seen.second.xid).toBe(seen.first.xid);
    expect(seen.outside).toBe(0);
    expect(await notes()).toEqual([{ id: 1, body: 'outside' }, { id: 2, body: 'inside' }]);
  });

  it('sends statements the work runs side by side one after another', async () => {
    await sql`delete from one_transaction_notes`.execute(database.db);
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      await inOneTransaction(async () => {
        await Promise.all([1, 2, 3, 4, 5].map((id) => db().insertInto('one_transaction_notes').values({ id, body: `note ${id}` }).execute()));
      });
      // pg queues a query sent while another runs only with a deprecation warning (removed in pg 9).
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    expect((await notes()).map((n) => n.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends a statement of work left running after the scope ended on a connection of its own', async () => {
    await sql`delete from one_transaction_notes`.execute(database.db);
    let stray: Promise<unknown> | undefined;
    await inOneTransaction(async () => {
      await db().insertInto('one_transaction_notes').values({ id: 1, body: 'in the scope' }).execute();
      // Begun in the scope (it joins), its insert sent after the scope committed.
      stray = db().transaction().execute(async (trx) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await trx.insertInto('one_transaction_notes').values({ id: 2, body: 'after it' }).execute();
      });
    });
    await stray;
    expect(await notes()).toEqual([{ id: 1, body: 'in the scope' }, { id: 2, body: 'after it' }]);
    // No connection of the pool was left inside a transaction.
    const states = await Promise.all([1, 2, 3, 4].map(() => database.pool.connect()));
    try {
      for (const client of states) expect((await client.query('select pg_current_xact_id_if_assigned() as xid')).rows[0].xid).toBeNull();
    } finally {
      for (const client of states) client.release();
    }
  });

  it('commits work run outsideOneTransaction at once, however long the scope it is called from goes on', async () => {
    await sql`delete from one_transaction_notes`.execute(database.db);
    const seenOutside = async () => {
      const client = new pg.Client({ connectionString: testDb.url });
      await client.connect();
      try {
        return (await client.query('select id from one_transaction_notes order by id')).rows.map((r) => r.id as number);
      } finally {
        await client.end();
      }
    };
    const during = await inOneTransaction(async () => {
      await db().insertInto('one_transaction_notes').values({ id: 1, body: 'in the scope' }).execute();
      await outsideOneTransaction(() => db().insertInto('one_transaction_notes').values({ id: 2, body: 'taken at once' }).execute());
      return seenOutside();
    });
    expect(during).toEqual([2]);
    expect(await seenOutside()).toEqual([1, 2]);
  });

  it('runs work outsideOneTransaction beside scopes that hold every connection of the pool, where it waited for one of them', async () => {
    const full = await connectDatabase(testDb.url, { max: 2, log: recordingLog() as unknown as Logger, connectionWaitMs: 2000 });
    try {
      const numbers = full.db as unknown as Kysely<{ one_transaction_notes: { id: number; body: string } }>;
      await sql`delete from one_transaction_notes`.execute(full.db);
      let bothHold!: () => void;
      const held = new Promise<void>((resolve) => { bothHold = resolve; });
      let holding = 0;
      // As many scopes as the pool has connections, each holding its own and then asking for a
      // number taken at once (a ticket's): each waited for a connection the others held.
      const scope = (id: number) => inOneTransaction(async () => {
        await numbers.insertInto('one_transaction_notes').values({ id, body: 'in the scope' }).execute();
        if (++holding === 2) bothHold();
        await held;
        await outsideOneTransaction(() => numbers.insertInto('one_transaction_notes').values({ id: id + 10, body: 'beside it' }).execute());
      });
      await Promise.all([scope(1), scope(2)]);
      expect((await numbers.selectFrom('one_transaction_notes').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([1, 2, 11, 12]);
      // The main pool was never asked for more than its two.
      expect(full.pool.totalCount).toBeLessThanOrEqual(2);
    } finally {
      await full.close();
    }
  });

  it('takes no connection when the work sends no statement', async () => {
    let taken = 0;
    const count = () => { taken += 1; };
    database.pool.on('acquire', count);
    try {
      expect(await inOneTransaction(async () => 'nothing to write')).toBe('nothing to write');
      expect(taken).toBe(0);
      await inOneTransaction(async () => { await backend(); await backend(); });
      expect(taken).toBe(1);
    } finally {
      database.pool.off('acquire', count);
    }
  });

  it('undoes everything when the work throws, a statement fails or a joined transaction rolls back, and says why', async () => {
    await sql`delete from one_transaction_notes`.execute(database.db);
    await expect(inOneTransaction(async () => {
      await db().insertInto('one_transaction_notes').values({ id: 1, body: 'kept?' }).execute();
      throw new Error('the work failed');
    })).rejects.toThrow('the work failed');

    // A failing statement the work swallows still undoes the scope (Postgres refuses the rest of it anyway).
    await expect(inOneTransaction(async () => {
      await db().insertInto('one_transaction_notes').values({ id: 1, body: 'kept?' }).execute();
      await db().insertInto('one_transaction_notes').values({ id: 1, body: 'duplicate' }).execute().catch(() => undefined);
    })).rejects.toThrow(/duplicate key/);

    await expect(inOneTransaction(async () => {
      await db().insertInto('one_transaction_notes').values({ id: 1, body: 'kept?' }).execute();
      await db().transaction().execute(async (trx) => {
        await trx.insertInto('one_transaction_notes').values({ id: 2, body: 'kept?' }).execute();
        throw new Error('rolled back inside');
      }).catch(() => undefined);
    })).rejects.toThrow('a transaction inside inOneTransaction rolled back');

    expect(await notes()).toEqual([]);
    // The connection went back to the pool in a clean state.
    expect((await backend()).xid).toBeNull();
  });

  it('sends a transaction\'s final statement with its own COMMIT only: never with one its work begins, nor when it joined a scope', async () => {
    await sql`delete from one_transaction_notes`.execute(database.db);
    const note = (id: number, body: string) => `insert into one_transaction_notes values (${id}, '${body}')`;
    // Its own transaction: sent with the COMMIT, after a transaction its work began and committed apart.
    const own = await transactionWithFinalStatement(db(), async (trx, withCommit) => {
      await trx.insertInto('one_transaction_notes').values({ id: 1, body: 'own' }).execute();
      await outsideOneTransaction(() => db().transaction().execute((other) => other.insertInto('one_transaction_notes').values({ id: 2, body: 'apart' }).execute()));
      return withCommit(note(3, 'final'));
    });
    expect(own).toBe(true);
    // Joined to a scope: refused, even after a transaction of its work began on a connection of its own; the caller runs it.
    const joined = await inOneTransaction(() => transactionWithFinalStatement(db(), async (trx, withCommit) => {
      await trx.insertInto('one_transaction_notes').values({ id: 4, body: 'joined' }).execute();
      await outsideOneTransaction(() => db().transaction().execute((other) => other.insertInto('one_transaction_notes').values({ id: 5, body: 'aside' }).execute()));
      const taken = withCommit(note(6, 'never sent'));
      if (!taken) await sql.raw(note(7, 'run by the caller')).execute(trx);
      return taken;
    }));
    expect(joined).toBe(false);
    expect(await notes()).toEqual([
      { id: 1, body: 'own' }, { id: 2, body: 'apart' }, { id: 3, body: 'final' }, { id: 4, body: 'joined' }, { id: 5, body: 'aside' }, { id: 7, body: 'run by the caller' },
    ]);
  });

  it('refuses a transaction with its own isolation level inside it', async () => {
    await expect(inOneTransaction(async () => {
      await db().transaction().setIsolationLevel('serializable').execute(async (trx) => { await trx.selectFrom('one_transaction_notes').selectAll().execute(); });
    })).rejects.toThrow('cannot join another');
  });

  it('commits without waiting for the disk in replayable work, and waits outside it', async () => {
    const setting = () => sql<{ setting: string }>`select current_setting('synchronous_commit') as setting`.execute(database.db).then((r) => r.rows[0]!.setting);
    expect(await runReplayable(() => inOneTransaction(setting))).toBe('off');
    expect(await inOneTransaction(setting)).toBe('on');
  });
});
