import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOutboxBus, type DomainEvent, type OutboxBus } from '../index.js';
import { connectDatabase, inOneTransaction, type Database } from '../../db/database.js';
import { ListenConnection } from '../../db/listen-connection.js';
import { createDatabaseQueue } from '../../jobs/index.js';
import { createLogger } from '../../logger.js';
import { recordingLog } from '../../../../test/helpers/log.js';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { samplePayload, sampleTicket } from '../../../../test/helpers/events.js';
import { statementsOf } from '../../../../test/helpers/statements.js';

/** Each bus is one Kefu node: its own pool and listening connection, one shared database. */
let testDb: TestDatabase;
const opened: { close(): Promise<void> }[] = [];
let admin: Database;
const WS = '00000000-0000-4000-8000-000000000001';

beforeAll(async () => {
  testDb = await freshDatabase();
  admin = await connectDatabase(testDb.url, { max: 2, log: createLogger('silent') });
});
afterEach(async () => {
  // Each bus before its pool, as a node shuts down: a closing bus writes the cursors it has not yet.
  for (const o of opened.splice(0).reverse()) await o.close();
  await sql`truncate events, event_subscribers, event_failures`.execute(admin.db);
});
afterAll(async () => {
  await admin.close();
  await testDb.drop();
});

interface NodeOptions {
  batchSize?: number;
  windowSize?: number;
  jumpsSaveMs?: number;
  cursorSaveMs?: number;
  /** Gets the relay's reads of the log and of the horizon, as sent: through the pool, or marked `listening:` on the listening connection. */
  reads?: string[];
  /** Gets its writes of cursors, as sent. */
  cursorWrites?: { text: string; values: unknown[] }[];
  listenConnection?: ListenConnection;
}

async function node(log = recordingLog(), options: NodeOptions = {}): Promise<OutboxBus> {
  const database = await connectDatabase(testDb.url, { max: 4, log: createLogger('silent') });
  const { reads, cursorWrites } = options;
  if (reads || cursorWrites) {
    const query = database.pool.query.bind(database.pool) as (...args: unknown[]) => unknown;
    vi.spyOn(database.pool, 'query').mockImplementation(((...args: unknown[]) => {
      const [text, values] = args;
      if (typeof text === 'string' && isRelayRead(text)) reads?.push(text);
      if (typeof text === 'string' && text.includes('update event_subscribers')) cursorWrites?.push({ text, values: values as unknown[] });
      return query(...args);
    }) as never);
  }
  let listenConnection = options.listenConnection;
  if (reads && !listenConnection) {
    const listening = new ListenConnection(testDb.url, log, 'test-listen');
    listenConnection = listening;
    const clientQuery = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const [text] = args;
      if (this === listening.client && typeof text === 'string' && isRelayRead(text)) reads.push(`listening: ${text}`);
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    opened.push(database, { close: async () => { spy.mockRestore(); await listening.close(); } });
  } else {
    opened.push(database);
  }
  const bus = createOutboxBus({
    db: database.db, pool: database.pool, connectionString: database.url, log, checkPayloads: true, retryDelayMs: 10, attempts: 3,
    batchSize: options.batchSize, windowSize: options.windowSize, jumpsSaveMs: options.jumpsSaveMs,
    cursorSaveMs: options.cursorSaveMs, listenConnection,
  });
  opened.push(bus);
  return bus;
}

const isRelayRead = (text: string) => /pg_current_snapshot|order by txid, seq/.test(text);

const rated = (rating = 5) => samplePayload('ticket.rated', { rating });

/** A connection of its own for handlers' writes, closed with the test's nodes. */
async function handlersDatabase(): Promise<Database> {
  const database = await connectDatabase(testDb.url, { max: 2, log: createLogger('silent') });
  opened.push(database);
  return database;
}

/** Ratings of new tickets, in one transaction, in this order. */
const publishRatings = (bus: OutboxBus, ratings: number[]) => bus.transaction(admin.db, async (_trx, events) => {
  for (const rating of ratings) events.publish('ticket.rated', WS, { ticketId: randomUUID(), rating, comment: null });
});

describe('the outbox bus', () => {
  it('shares one listening connection with the job queue, and on closing lets go of its subscribers while the queue keeps listening', async () => {
    const log = recordingLog();
    const listenConnection = new ListenConnection(testDb.url, log, 'test-shared-listen');
    // The due-jobs poll every 30 s: a job that runs sooner was woken by its NOTIFY.
    const jobs = createDatabaseQueue({ connectionString: testDb.url, log, listenConnection, pollingIntervalSeconds: 30 });
    opened.push({ close: () => listenConnection.close() }, { close: () => jobs.stop({ graceful: false }) });
    const ran: number[] = [];
    await jobs.work<{ workspaceId: string; n: number }>('test.shared', async (job) => { ran.push(job.data.n); });
    const first = await node(log, { listenConnection });
    const handled: string[] = [];
    first.subscribe('ticket.rated', () => { handled.push('first'); }, { subscriber: 'test:shared' });
    await Promise.all([jobs.start(), first.start({ durable: true })]);
    const listening = async () => (await sql<{ name: string }>`select application_name as name from pg_stat_activity
      where datname = current_database() and application_name like '%listen%' order by 1`.execute(admin.db)).rows.map((r) => r.name);
    expect(await listening()).toEqual(['test-shared-listen']);

    await first.publish('ticket.rated', WS, rated());
    await jobs.send('test.shared', { workspaceId: WS, n: 1 });
    await vi.waitFor(() => { expect(handled).toEqual(['first']); expect(ran).toEqual([1]); }, { timeout: 5000, interval: 50 });

    // Another node takes the subscriber over as soon as it starts: the closed bus let go of its lock.
    await first.close();
    const second = await node();
    second.subscribe('ticket.rated', () => { handled.push('second'); }, { subscriber: 'test:shared' });
    await second.start({ durable: true });
    await second.publish('ticket.rated', WS, rated());
    await jobs.send('test.shared', { workspaceId: WS, n: 2 });
    await vi.waitFor(() => { expect(handled).toEqual(['first', 'second']); expect(ran).toEqual([1, 2]); }, { timeout: 5000, interval: 50 });
    expect(await listening()).toEqual(['kefu-events-listen', 'test-shared-listen']);
  });

  it('delivers an event committed with its transaction, and nothing of a transaction rolled back', async () => {
    const bus = await node();
    const handled: number[] = [];
    bus.subscribe('ticket.rated', (e) => { handled.push(e.payload.rating); }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    await sql`create table probe (n int)`.execute(admin.db);
    await bus.transaction(admin.db, async (trx, events) => {
      await sql`insert into probe values (1)`.execute(trx);
      events.publish('ticket.rated', WS, rated(1));
    });
    await expect(bus.transaction(admin.db, async (trx, events) => {
      await sql`insert into probe values (2)`.execute(trx);
      events.publish('ticket.rated', WS, rated(2));
      throw new Error('the change fails');
    })).rejects.toThrow('the change fails');
    await bus.publish('ticket.rated', WS, rated(3));
    await bus.drain();
    expect(handled.sort()).toEqual([1, 3]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from events`.execute(admin.db);
    expect(rows[0]!.n).toBe(2);
    await sql`drop table probe`.execute(admin.db);
  });

  it('hands each event to a durable subscriber once per cluster, and to every node\'s realtime listeners', async () => {
    const nodes = [await node(), await node()];
    const durable: string[] = [];
    const realtime: string[][] = [[], []];
    nodes.forEach((bus, i) => {
      bus.subscribe('ticket.rated', (e) => { durable.push(e.id); }, { subscriber: 'test:ticket.rated' });
      bus.subscribe('*', (e) => { realtime[i]!.push(e.id); });
    });
    await Promise.all(nodes.map((bus) => bus.start({ durable: true })));
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) sent.push((await nodes[i % 2]!.publish('ticket.rated', WS, rated())).id);
    await nodes[0]!.drain();
    await vi.waitFor(() => expect(realtime.map((r) => r.length)).toEqual([30, 30]));
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate
    expect(durable.sort()).toEqual([...sent].sort());
    expect(realtime[0]!.sort()).toEqual([...sent].sort());
  });

  it('lets a node that was down catch up on what was committed meanwhile', async () => {
    const first = await node();
    const seen: number[] = [];
    first.subscribe('ticket.rated', (e) => { seen.push(e.payload.rating); }, { subscriber: 'test:ticket.rated' });
    await first.start({ durable: true });
    await first.publish('ticket.rated', WS, rated(1));
    await first.drain();
    await first.close();
    // Nobody runs the subscriber: a web node goes on publishing.
    const web = await node();
    await web.start({ durable: false });
    await web.publish('ticket.rated', WS, rated(2));
    await web.publish('ticket.rated', WS, rated(3));
    const worker = await node();
    worker.subscribe('ticket.rated', (e) => { seen.push(e.payload.rating); }, { subscriber: 'test:ticket.rated' });
    await worker.start({ durable: true });
    await worker.drain();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('hands a subscriber to another node when the node holding it loses its connection, none handled twice', async () => {
    const nodes = [await node(), await node()];
    const handled: { node: number; id: string }[] = [];
    nodes.forEach((bus, i) => bus.subscribe('ticket.rated', (e) => { handled.push({ node: i, id: e.id }); }, { subscriber: 'test:ticket.rated' }));
    await Promise.all(nodes.map((bus) => bus.start({ durable: true })));
    const first = await nodes[0]!.publish('ticket.rated', WS, rated(1));
    await nodes[0]!.drain();
    const holder = handled.find((h) => h.id === first.id)!.node;
    // The holder dies: its connection goes (as in a crash), and with it the subscriber's lock.
    await sql`select pg_terminate_backend(pid) from pg_locks
      where locktype = 'advisory' and objid = hashtext('test:ticket.rated')::oid and granted`.execute(admin.db);
    await nodes[holder]!.close();
    const survivor = nodes[1 - holder]!;
    const sent = [first.id];
    for (let i = 0; i < 10; i++) sent.push((await survivor.publish('ticket.rated', WS, rated(2))).id);
    await survivor.drain();
    expect(handled.map((h) => h.id).sort()).toEqual([...sent].sort());
    expect(handled.filter((h) => h.id !== first.id).every((h) => h.node === 1 - holder)).toBe(true);
  });

  it('sends a transaction\'s events with its COMMIT, in one round trip, as published; when they cannot be written, nothing of the transaction stays', async () => {
    const bus = await node();
    const handled: (string | null)[] = [];
    bus.subscribe('ticket.rated', (e) => { handled.push(e.payload.comment); }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    await sql`create table probe (n int)`.execute(admin.db);
    // Written as SQL literals: quotes, backslashes, a dollar sign, other scripts and a NUL-free control character must come back as they were.
    const comment = `It's "fine" \\ really \\' $1 E'x' 很好 👍\n--`;
    const sent = await statementsOf(() => bus.transaction(admin.db, async (trx, events) => {
      await sql`insert into probe values (1)`.execute(trx);
      events.publish('ticket.rated', WS, { ticketId: randomUUID(), rating: 4, comment });
      events.publish('ticket.rated', WS, { ticketId: randomUUID(), rating: 5, comment: null });
    }));
    expect(sent).toHaveLength(3);
    expect(sent[0]).toBe('begin');
    expect(sent[2]).toMatch(/^with written as \(insert into events [\s\S]*; commit$/);

    await sql`alter table events add constraint no_threes check ((payload->>'rating')::int <> 3)`.execute(admin.db);
    await expect(bus.transaction(admin.db, async (trx, events) => {
      await sql`insert into probe values (2)`.execute(trx);
      events.publish('ticket.rated', WS, rated(3));
    })).rejects.toThrow(/no_threes/);
    await sql`alter table events drop constraint no_threes`.execute(admin.db);
    await bus.drain();
    expect(handled).toEqual([comment, null]);
    const { rows } = await sql<{ n: number }>`select n from probe`.execute(admin.db);
    expect(rows).toEqual([{ n: 1 }]);
    await sql`drop table probe`.execute(admin.db);
  });

  it('writes the events of the transactions an inOneTransaction scope joins in one statement, in their order, with its commit; none when it rolls back', async () => {
    const bus = await node();
    const handled: number[] = [];
    bus.subscribe('ticket.rated', (e) => { handled.push(e.payload.rating); }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    const sent = await statementsOf(() => inOneTransaction(async () => {
      await publishRatings(bus, [1, 2]);
      await publishRatings(bus, [3]);
      await publishRatings(bus, [4, 5]);
    }));
    expect(sent.filter((text) => text.includes('insert into events'))).toHaveLength(1);
    // Sent with the scope's COMMIT, in its round trip.
    expect(sent.at(-1)).toMatch(/^with written as \(insert into events [\s\S]*; commit$/);
    await expect(inOneTransaction(async () => {
      await publishRatings(bus, [6]);
      throw new Error('the batch fails');
    })).rejects.toThrow('the batch fails');
    // Events that cannot be written undo the scope's other writes, and the connection goes back to the pool usable.
    await sql`create table probe (n int)`.execute(admin.db);
    await sql`alter table events add constraint no_sevens check ((payload->>'rating')::int <> 7)`.execute(admin.db);
    await expect(inOneTransaction(async () => {
      await sql`insert into probe values (7)`.execute(admin.db);
      await publishRatings(bus, [7]);
    })).rejects.toThrow(/no_sevens/);
    await sql`alter table events drop constraint no_sevens`.execute(admin.db);
    expect((await sql`select n from probe`.execute(admin.db)).rows).toEqual([]);
    await sql`drop table probe`.execute(admin.db);
    await bus.drain();
    expect(handled).toEqual([1, 2, 3, 4, 5]);
    const { rows } = await sql<{ rating: number }>`select (payload->>'rating')::int as rating from events order by txid, seq`.execute(admin.db);
    expect(rows.map((r) => r.rating)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps the events of one stream in order', async () => {
    const bus = await node();
    const order = new Map<string, number[]>();
    bus.subscribe('ticket.rated', async (e) => {
      // Slow handlers: if two events of one stream overlapped, their order would show it.
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      order.set(e.payload.ticketId, [...(order.get(e.payload.ticketId) ?? []), e.payload.rating]);
    }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    const tickets = [randomUUID(), randomUUID(), randomUUID()];
    await bus.transaction(admin.db, async (_trx, events) => {
      for (let rating = 1; rating <= 5; rating++) {
        for (const ticketId of tickets) events.publish('ticket.rated', WS, { ticketId, rating, comment: null }, { stream: ticketId });
      }
    });
    await bus.drain();
    expect([...order.values()]).toEqual(tickets.map(() => [1, 2, 3, 4, 5]));
  });

  it('handles a batch in one transaction; when an event of it fails, undoes the batch and handles each event on its own, every write made once', async () => {
    const bus = await node();
    const database = await handlersDatabase();
    await sql`create table handled_ratings (rating int not null, xid text not null)`.execute(admin.db);
    const calls: number[] = [];
    let failOnce = false;
    bus.subscribe('ticket.rated', async (e) => {
      calls.push(e.payload.rating);
      const { rows: [row] } = await sql<{ xid: string }>`select pg_current_xact_id()::text as xid`.execute(database.db);
      await sql`insert into handled_ratings values (${e.payload.rating}, ${row!.xid})`.execute(database.db);
      if (e.payload.rating === 5 && failOnce) { failOnce = false; throw new Error('a blip'); }
    }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    const handled = async () => (await sql<{ rating: number; xid: string }>`select rating, xid from handled_ratings order by rating`.execute(admin.db)).rows;

    await publishRatings(bus, [1, 2, 3]);
    await bus.drain();
    const together = await handled();
    expect(together.map((r) => r.rating)).toEqual([1, 2, 3]);
    expect(new Set(together.map((r) => r.xid)).size).toBe(1);

    failOnce = true;
    await sql`delete from handled_ratings`.execute(admin.db);
    calls.length = 0;
    await publishRatings(bus, [4, 5, 6]);
    await bus.drain();
    // 4 and 5 in the batch, undone when 5 failed; then each on its own (5 works the second time).
    expect(calls.slice(0, 2)).toEqual([4, 5]);
    expect(calls.slice(2).sort()).toEqual([4, 5, 6]);
    const alone = await handled();
    expect(alone.map((r) => r.rating)).toEqual([4, 5, 6]);
    expect(new Set(alone.map((r) => r.xid)).size).toBe(3);
    expect(await bus.subscribers()).toEqual([expect.objectContaining({ subscriber: 'test:ticket.rated', lag: 0, handled: 6, failed: 0 })]);
    await sql`drop table handled_ratings`.execute(admin.db);
  });

  it('hands a subscriber with a batch handler its events together, in log order; when the batch fails, undoes it and hands each to its one-by-one handler', async () => {
    const bus = await node();
    const database = await handlersDatabase();
    await sql`create table handled_ratings (rating int not null, via text not null)`.execute(admin.db);
    const record = (ratings: number[], via: string) =>
      sql`insert into handled_ratings select r, ${via} from unnest(${ratings}::int[]) as r`.execute(database.db);
    const batches: number[][] = [];
    let failBatch = false;
    bus.subscribe('ticket.rated', async (e) => { await record([e.payload.rating], 'each'); }, {
      subscriber: 'test:ticket.rated',
      batch: async (events) => {
        const ratings = events.map((e) => (e as DomainEvent<'ticket.rated'>).payload.rating);
        batches.push(ratings);
        await record(ratings, 'batch');
        if (failBatch) throw new Error('a blip');
      },
    });
    await bus.start({ durable: true });
    const handled = async () => (await sql<{ rating: number; via: string }>`select rating, via from handled_ratings order by rating`.execute(admin.db)).rows;

    await publishRatings(bus, [1, 2, 3]);
    await bus.drain();
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await handled()).toEqual([1, 2, 3].map((rating) => ({ rating, via: 'batch' })));

    failBatch = true;
    await sql`delete from handled_ratings`.execute(admin.db);
    await publishRatings(bus, [4, 5]);
    await bus.drain();
    // The failed batch's own writes were undone with it; each event was then handled alone.
    expect(batches.at(-1)).toEqual([4, 5]);
    expect(await handled()).toEqual([4, 5].map((rating) => ({ rating, via: 'each' })));
    expect(await bus.subscribers()).toEqual([expect.objectContaining({ subscriber: 'test:ticket.rated', lag: 0, handled: 5, failed: 0 })]);
    await sql`drop table handled_ratings`.execute(admin.db);
  });

  it('refuses a batch handler that is no function, or for a realtime listener', async () => {
    const bus = await node();
    expect(() => bus.subscribe('ticket.rated', () => {}, { batch: async () => {} })).toThrow(expect.objectContaining({ code: 'EVENT_HANDLER_INVALID' }));
    expect(() => bus.subscribe('ticket.rated', () => {}, { subscriber: 'test:ticket.rated', batch: 'no' as never })).toThrow(expect.objectContaining({ code: 'EVENT_HANDLER_INVALID' }));
  });

  it('retries a failing handler, records one that keeps failing, and moves on', async () => {
    const log = recordingLog();
    const bus = await node(log);
    let flaky = 0;
    const handled: number[] = [];
    bus.subscribe('ticket.rated', (e) => {
      if (e.payload.rating === 1 && ++flaky < 3) throw new Error('database blip');
      if (e.payload.rating === 2) throw new Error('never works');
      handled.push(e.payload.rating);
    }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    await bus.publish('ticket.rated', WS, rated(1));
    const poison = await bus.publish('ticket.rated', WS, rated(2));
    await bus.publish('ticket.rated', WS, rated(3));
    await bus.drain();
    expect(handled.sort()).toEqual([1, 3]); // no stream: side by side
    const { rows } = await sql<{ event_id: string; attempts: number; error: string }>`select event_id, attempts, error from event_failures`.execute(admin.db);
    expect(rows).toEqual([{ event_id: poison.id, attempts: 3, error: 'never works' }]);
    expect(await bus.subscribers()).toEqual([expect.objectContaining({ subscriber: 'test:ticket.rated', lag: 0, handled: 3, failed: 1, active: true })]);
  });

  it('shows the log and each subscriber\'s lag', async () => {
    const worker = await node();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    worker.subscribe('ticket.rated', () => gate, { subscriber: 'test:ticket.rated' });
    await worker.start({ durable: true });
    const events: DomainEvent[] = [];
    for (let i = 1; i <= 3; i++) events.push(await worker.publish('ticket.rated', WS, rated(i)));
    await vi.waitFor(async () => expect((await worker.subscribers())[0]).toMatchObject({ lag: 3, active: true }));
    release();
    await worker.drain();
    expect((await worker.subscribers())[0]).toMatchObject({ lag: 0, handled: 3 });
    expect((await worker.tail(2)).map((e) => e.id)).toEqual([events[2]!.id, events[1]!.id]);
  });

  it('reads the log once per wake for every subscriber it holds and its realtime listeners', async () => {
    const reads: string[] = [];
    const bus = await node(recordingLog(), { reads });
    const seen = new Map<string, string[]>();
    const add = (who: string) => (e: DomainEvent) => { seen.set(who, [...(seen.get(who) ?? []), e.id]); };
    bus.subscribe('ticket.rated', add('a'), { subscriber: 'test-a:ticket.rated' });
    bus.subscribe('ticket.rated', add('b'), { subscriber: 'test-b:ticket.rated' });
    bus.subscribe('ticket.solved', add('c'), { subscriber: 'test-c:ticket.solved' });
    bus.subscribe('*', add('realtime'));
    await bus.start({ durable: true });
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) sent.push((await bus.publish('ticket.rated', WS, rated())).id);
    await bus.drain();
    for (const who of ['a', 'b', 'realtime']) expect(seen.get(who)?.sort()).toEqual([...sent].sort());
    expect(seen.get('c')).toBeUndefined();
    // One statement per wake (a commit's notification, the poll, a look again at events another
    // test's transaction held behind the horizon), none of a subscriber on its own: each reader
    // taking its own horizon and reading for itself made eight per wake here.
    expect(reads.filter((text) => text.includes('type = any'))).toEqual([]);
    expect(reads.length).toBeLessThanOrEqual(sent.length * 3);
  });

  it('reads the log on its listening connection, so an idle node keeps no pooled connection open for its reads', async () => {
    const reads: string[] = [];
    const bus = await node(recordingLog(), { reads });
    const seen: string[] = [];
    bus.subscribe('ticket.rated', (e) => { seen.push(e.id); }, { subscriber: 'test-idle:ticket.rated' });
    await bus.start({ durable: true });
    const sent = (await bus.publish('ticket.rated', WS, rated())).id;
    await vi.waitFor(() => expect(seen).toEqual([sent]), { timeout: 5_000, interval: 20 });
    reads.length = 0;
    // Idle: the poll each second reads the log; none of those reads goes through the pool.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const windowReads = reads.filter((text) => text.includes('order by txid, seq'));
    expect(windowReads.filter((text) => text.startsWith('listening: ')).length).toBeGreaterThanOrEqual(2);
    expect(windowReads.filter((text) => !text.startsWith('listening: '))).toEqual([]);
  });

  it('writes cursors that only jumped over other events together, one statement now and then, not one per subscriber', async () => {
    const writes: { text: string; values: unknown[] }[] = [];
    const bus = await node(recordingLog(), { jumpsSaveMs: 200, cursorWrites: writes });
    bus.subscribe('ticket.rated', () => {}, { subscriber: 'test-a:ticket.rated' });
    for (const type of ['ticket.solved', 'ticket.created', 'ticket.updated'] as const) bus.subscribe(type, () => {}, { subscriber: `test-idle:${type}` });
    await bus.start({ durable: true });
    const start = await sql<{ subscriber: string; txid: string }>`select subscriber, txid::text from event_subscribers`.execute(admin.db);
    for (let i = 0; i < 5; i++) await bus.publish('ticket.rated', WS, rated(i + 1));
    await bus.drain();
    // The three idle subscribers' cursors move past the five events without a statement of their own.
    await vi.waitFor(async () => {
      const { rows } = await sql<{ subscriber: string; txid: string }>`select subscriber, txid::text from event_subscribers where subscriber like 'test-idle:%'`.execute(admin.db);
      for (const row of rows) expect(BigInt(row.txid)).toBeGreaterThan(BigInt(start.rows.find((r) => r.subscriber === row.subscriber)!.txid));
    }, { timeout: 5000, interval: 50 });
    // Written together (on a shared cluster other transactions move the horizon, so the busy
    // subscriber may have jumped too, and a save may come while one of them is between batches).
    const together = new Set(writes.filter((w) => w.text.includes('unnest')).flatMap((w) => w.values[0] as string[]));
    for (const idle of ['test-idle:ticket.created', 'test-idle:ticket.solved', 'test-idle:ticket.updated']) expect(together).toContain(idle);
    // No statement of its own for any: the one that handled events is written jointly too.
    expect(writes.filter((w) => !w.text.includes('unnest'))).toEqual([]);
  });

  it('writes the cursors of subscribers that handled events together, soon after, and counts what each handled', async () => {
    const writes: { text: string; values: unknown[] }[] = [];
    const bus = await node(recordingLog(), { cursorSaveMs: 300, cursorWrites: writes });
    const subscribers = ['test-a:ticket.rated', 'test-b:ticket.rated', 'test-c:ticket.rated'];
    for (const id of subscribers) bus.subscribe('ticket.rated', () => {}, { subscriber: id });
    await bus.start({ durable: true });
    await Promise.all(Array.from({ length: 12 }, (_, i) => bus.publish('ticket.rated', WS, rated(i % 5 + 1))));
    // Without a drain (which writes them at once): written by the timer, all three in each statement.
    await vi.waitFor(async () => {
      const { rows } = await sql<{ subscriber: string; handled: number }>`select subscriber, handled::int as handled from event_subscribers where subscriber like 'test-%' order by subscriber`.execute(admin.db);
      expect(rows).toEqual(subscribers.map((subscriber) => ({ subscriber, handled: 12 })));
    }, { timeout: 5000, interval: 50 });
    // Fewer statements than subscribers (one each per batch before), each naming all that had moved.
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.length).toBeLessThan(subscribers.length);
    expect(new Set(writes.flatMap((w) => w.values[0] as string[]))).toEqual(new Set(subscribers));
  });

  it('hands subscribers at different places in the log everything after their own cursor, once', async () => {
    const got = new Map<string, number[]>();
    const handler = (who: string) => (e: DomainEvent<'ticket.rated'>) => { got.set(who, [...(got.get(who) ?? []), e.payload.rating]); };
    // Small batches and a small window, so the subscribers further back read on their own, a batch at a time.
    const first = await node(recordingLog(), { batchSize: 2, windowSize: 4 });
    first.subscribe('ticket.rated', handler('a'), { subscriber: 'test-a:ticket.rated' });
    await first.start({ durable: true });
    for (let i = 1; i <= 3; i++) await first.publish('ticket.rated', WS, rated(i));
    await first.drain();
    await first.close();
    // While no worker runs, a web node goes on publishing; then a release adds subscriber b.
    const web = await node();
    await web.start({ durable: false });
    for (let i = 4; i <= 9; i++) await web.publish('ticket.rated', WS, rated(i));
    const worker = await node(recordingLog(), { batchSize: 2, windowSize: 4 });
    worker.subscribe('ticket.rated', handler('a'), { subscriber: 'test-a:ticket.rated' });
    worker.subscribe('ticket.rated', handler('b'), { subscriber: 'test-b:ticket.rated' });
    await worker.start({ durable: true });
    for (let i = 10; i <= 17; i++) await web.publish('ticket.rated', WS, rated(i));
    await worker.drain();
    const upTo = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(got.get('a')!.sort((x, y) => x - y)).toEqual(upTo(1, 17));
    // b starts at the horizon when the worker started: on a shared cluster another transaction may
    // hold it back, so b may get some of what came just before it too, but each event once.
    const b = got.get('b')!.sort((x, y) => x - y);
    expect(b).toEqual(upTo(b[0]!, 17));
    expect(b[0]).toBeLessThanOrEqual(10);
  });

  it('lets neither a slow subscriber nor a failing one hold back or lose another\'s events', async () => {
    const log = recordingLog();
    const bus = await node(log, { batchSize: 2, windowSize: 4 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const slow: number[] = [];
    const fast: number[] = [];
    bus.subscribe('ticket.rated', async (e) => { await gate; slow.push(e.payload.rating); }, { subscriber: 'test-slow:ticket.rated' });
    bus.subscribe('ticket.rated', (e) => { fast.push(e.payload.rating); }, { subscriber: 'test-fast:ticket.rated' });
    bus.subscribe('ticket.rated', (e) => { if (e.payload.rating === 2) throw new Error('never works'); }, { subscriber: 'test-poison:ticket.rated' });
    await bus.start({ durable: true });
    const ratings = Array.from({ length: 12 }, (_, i) => i + 1);
    for (const rating of ratings) await bus.publish('ticket.rated', WS, rated(rating));
    // Everything reaches the fast one while the slow one is stuck on its first events (the horizon
    // is the cluster's: another test file's open transaction may hold every event back a while).
    await vi.waitFor(() => expect([...fast].sort((x, y) => x - y)).toEqual(ratings), { timeout: 15_000, interval: 20 });
    expect(slow).toEqual([]);
    release();
    await bus.drain();
    // The slow one, far behind the window by now, reads what it missed from the log: all of it, once.
    expect([...slow].sort((x, y) => x - y)).toEqual(ratings);
    expect(fast).toHaveLength(ratings.length);
    const { rows } = await sql<{ subscriber: string }>`select subscriber from event_failures`.execute(admin.db);
    expect(rows).toEqual([{ subscriber: 'test-poison:ticket.rated' }]);
    const states = Object.fromEntries((await bus.subscribers()).map((s) => [s.subscriber, s]));
    expect(states['test-poison:ticket.rated']).toMatchObject({ lag: 0, handled: 12, failed: 1 });
    expect(states['test-slow:ticket.rated']).toMatchObject({ lag: 0, handled: 12, failed: 0 });
  });

  it('calls this node\'s listeners for an event before its durable subscribers are handed a later one', async () => {
    // What per-node caches rely on: dropped on an event (webhook.changed) before a later event is handled with them.
    const bus = await node();
    const heard = new Set<number>();
    const late: number[] = [];
    bus.subscribe('ticket.solved', (e) => { heard.add(e.payload.ticket.number); });
    bus.subscribe('ticket.rated', (e) => { if (!heard.has(e.payload.rating)) late.push(e.payload.rating); }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    for (let n = 1; n <= 20; n++) {
      await bus.publish('ticket.solved', WS, { ticket: sampleTicket({ status: 'solved', number: n }) });
      await bus.publish('ticket.rated', WS, rated(n));
    }
    await bus.drain();
    expect(late).toEqual([]);
    expect(heard.size).toBe(20);
  });

  it('holds events behind a transaction of this database still running, and not behind one of another database', async () => {
    const bus = await node();
    const handled: number[] = [];
    bus.subscribe('ticket.rated', (e) => { handled.push(e.payload.rating); }, { subscriber: 'test:ticket.rated' });
    await bus.start({ durable: true });
    const other = await freshDatabase();
    const elsewhere = await connectDatabase(other.url, { max: 1, log: createLogger('silent') });
    const here = await connectDatabase(testDb.url, { max: 1, log: createLogger('silent') });
    const [outside, inside] = [await elsewhere.pool.connect(), await here.pool.connect()];
    try {
      // A long transaction in another database on the same server (a batch job, another app).
      await outside.query('begin');
      await outside.query('select pg_current_xact_id()');
      await bus.publish('ticket.rated', WS, rated(1));
      await vi.waitFor(() => expect(handled).toEqual([1]), { timeout: 3_000 });

      // One in this database may still commit events, and they must not land behind a cursor.
      await inside.query('begin');
      await inside.query('select pg_current_xact_id()');
      await bus.publish('ticket.rated', WS, rated(2));
      await new Promise((r) => setTimeout(r, 1_500));
      expect(handled).toEqual([1]);
      await inside.query(`insert into events (id, type, workspace_id, payload, occurred_at) values ($1, 'ticket.rated', $2, $3, now())`,
        [randomUUID(), WS, JSON.stringify(rated(3))]);
      await inside.query('commit');
      await vi.waitFor(() => expect(handled).toEqual([1, 3, 2]), { timeout: 3_000 });
    } finally {
      await outside.query('rollback');
      outside.release();
      inside.release();
      await elsewhere.close();
      await here.close();
      await other.drop();
    }
  });

  it('refuses two handlers under one subscriber id', async () => {
    const bus = await node();
    bus.subscribe('ticket.rated', () => {}, { subscriber: 'test:ticket.rated' });
    expect(() => bus.subscribe('ticket.rated', () => {}, { subscriber: 'test:ticket.rated' })).toThrow(expect.objectContaining({ code: 'EVENT_SUBSCRIBER_TAKEN' }));
  });
});
