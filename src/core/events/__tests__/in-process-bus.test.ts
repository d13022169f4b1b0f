import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createInProcessBus, type DomainEvent, type EventName } from '../index.js';
import { connectDatabase, type Database } from '../../db/database.js';
import { createLogger } from '../../logger.js';
import { recordingLog } from '../../../../test/helpers/log.js';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { samplePayload } from '../../../../test/helpers/events.js';

let testDb: TestDatabase;
let database: Database;
beforeAll(async () => {
  testDb = await freshDatabase();
  database = await connectDatabase(testDb.url, { max: 2, log: createLogger('silent') });
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe('in-process event bus', () => {
  it('delivers a published event to subscribers of its type, and only those', async () => {
    const bus = createInProcessBus(recordingLog());
    const created: DomainEvent[] = [];
    const rated: DomainEvent[] = [];
    bus.subscribe('ticket.created', (e) => { created.push(e); });
    bus.subscribe('ticket.rated', (e) => { rated.push(e); });
    const payload = samplePayload('ticket.created');
    const event = await bus.publish('ticket.created', 'ws1', payload);
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'ticket.created',
      workspaceId: 'ws1',
      payload,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(created).toEqual([event]);
    expect(rated).toEqual([]);
  });

  it("delivers every event to '*' subscribers", async () => {
    const bus = createInProcessBus(recordingLog());
    const types: string[] = [];
    bus.subscribe('*', (e) => { types.push(e.type); });
    await bus.publish('ticket.created', 'ws1', samplePayload('ticket.created'));
    await bus.publish('ticket.rated', 'ws2', samplePayload('ticket.rated'));
    expect(types).toEqual(['ticket.created', 'ticket.rated']);
  });

  it('stops delivering after unsubscribe, and unsubscribing twice is harmless', async () => {
    const bus = createInProcessBus(recordingLog());
    let calls = 0;
    const unsubscribe = bus.subscribe('message.created', () => { calls++; });
    await bus.publish('message.created', 'ws1', samplePayload('message.created'));
    unsubscribe();
    unsubscribe();
    await bus.publish('message.created', 'ws1', samplePayload('message.created'));
    expect(calls).toBe(1);
  });

  it('logs a throwing or rejecting handler; the publisher and other handlers carry on', async () => {
    const log = recordingLog();
    const bus = createInProcessBus(log);
    const reached: string[] = [];
    bus.subscribe('ticket.created', () => { throw new Error('sync boom'); });
    bus.subscribe('ticket.created', async () => { throw new Error('async boom'); }, { subscriber: 'test:ticket.created' });
    bus.subscribe('ticket.created', () => { reached.push('exact'); });
    bus.subscribe('*', async () => { reached.push('wildcard'); });
    await expect(bus.publish('ticket.created', 'ws1', samplePayload('ticket.created'))).resolves.toMatchObject({ type: 'ticket.created' });
    expect(reached.sort()).toEqual(['exact', 'wildcard']);
    const errors = log.entries.filter((e) => e.level === 'error');
    expect(errors.map((e) => (e.args[0] as { err: Error }).err.message).sort()).toEqual(['async boom', 'sync boom']);
    expect(errors[0]!.args[0]).toMatchObject({ eventType: 'ticket.created', workspaceId: 'ws1' });
  });

  it('resolves publish after async handlers settle', async () => {
    const bus = createInProcessBus(recordingLog());
    let done = false;
    bus.subscribe('ticket.created', async () => {
      await new Promise((r) => setTimeout(r, 20));
      done = true;
    });
    await bus.publish('ticket.created', 'ws1', samplePayload('ticket.created'));
    expect(done).toBe(true);
  });

  it('hands handlers a frozen event, so one cannot change it for the next', async () => {
    const log = recordingLog();
    const bus = createInProcessBus(log);
    const seen: unknown[] = [];
    bus.subscribe('ticket.solved', (e) => { (e.payload.ticket as { status: string }).status = 'tampered'; });
    bus.subscribe('ticket.solved', (e) => { seen.push(e.payload.ticket.status); });
    await bus.publish('ticket.solved', 'ws1', samplePayload('ticket.solved'));
    expect(seen).toEqual(['solved']);
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(1);
  });

  it('refuses events outside the catalogue, payloads that do not match their schema, and bad subscriber ids', async () => {
    const bus = createInProcessBus(recordingLog());
    const unknown = 'ticket.closed' as EventName;
    await expect(bus.publish(unknown, 'ws1', samplePayload('ticket.rated'))).rejects.toMatchObject({ code: 'EVENT_TYPE_INVALID' });
    await expect(bus.publish('ticket.created', '', samplePayload('ticket.created'))).rejects.toMatchObject({ code: 'EVENT_WORKSPACE_REQUIRED' });
    // The database's column names are not the event's: ticket.updated reports `departmentId`, never `department_id`.
    const columnNames = { ...samplePayload('ticket.updated'), changes: { department_id: [null, 'd1'] } } as unknown as ReturnType<typeof samplePayload<'ticket.updated'>>;
    await expect(bus.publish('ticket.updated', 'ws1', columnNames)).rejects.toMatchObject({
      code: 'EVENT_PAYLOAD_INVALID', details: { problems: [expect.stringContaining('department_id')] },
    });
    const missing = { ticketId: 't1' } as unknown as ReturnType<typeof samplePayload<'ticket.rated'>>;
    await expect(bus.publish('ticket.rated', 'ws1', missing)).rejects.toMatchObject({ code: 'EVENT_PAYLOAD_INVALID' });
    expect(() => bus.subscribe(unknown, () => {})).toThrow(expect.objectContaining({ code: 'EVENT_TYPE_INVALID' }));
    expect(() => bus.subscribe('ticket.created', () => {}, { subscriber: 'Has Spaces' })).toThrow(expect.objectContaining({ code: 'EVENT_SUBSCRIBER_INVALID' }));
    await bus.close();
    await expect(bus.publish('ticket.created', 'ws1', samplePayload('ticket.created'))).rejects.toMatchObject({ code: 'EVENT_BUS_CLOSED' });
  });

  it('delivers what a transaction published only after it commits, and nothing of one rolled back', async () => {
    const bus = createInProcessBus(recordingLog());
    const seen: { id: string; committed: boolean }[] = [];
    bus.subscribe('ticket.rated', async (e) => {
      // Read on another connection: the transaction's row is visible only once committed.
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from probe where id = ${e.payload.ticketId}`.execute(database.db);
      seen.push({ id: e.payload.ticketId, committed: rows[0]!.n === 1 });
    });
    await sql`create table probe (id text primary key)`.execute(database.db);
    const committed = samplePayload('ticket.rated');
    await bus.transaction(database.db, async (trx, events) => {
      await sql`insert into probe values (${committed.ticketId})`.execute(trx);
      events.publish('ticket.rated', 'ws1', committed);
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([{ id: committed.ticketId, committed: true }]);

    const rolledBack = samplePayload('ticket.rated');
    await expect(bus.transaction(database.db, async (trx, events) => {
      await sql`insert into probe values (${rolledBack.ticketId})`.execute(trx);
      events.publish('ticket.rated', 'ws1', rolledBack);
      throw new Error('the change fails');
    })).rejects.toThrow('the change fails');
    expect(seen).toHaveLength(1);
  });
});
