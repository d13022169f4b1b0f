import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactEventPayloads } from '../index.js';
import { connectDatabase, type Database } from '../../db/database.js';
import { createLogger } from '../../logger.js';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';

let testDb: TestDatabase;
let admin: Database;
const WS = '00000000-0000-4000-8000-000000000001';

beforeAll(async () => {
  testDb = await freshDatabase();
  admin = await connectDatabase(testDb.url, { max: 2, log: createLogger('silent') });
});
afterAll(async () => {
  await admin.close();
  await testDb.drop();
});

async function logged(type: string, stream: string, payload: object): Promise<string> {
  const id = randomUUID();
  await sql`insert into events (id, type, workspace_id, stream, payload, occurred_at) values (${id}, ${type}, ${WS}, ${stream}, ${JSON.stringify(payload)}::jsonb, now())`.execute(admin.db);
  return id;
}
async function payloadOf(id: string): Promise<unknown> {
  return (await sql<{ payload: unknown }>`select payload from events where id = ${id}`.execute(admin.db)).rows[0]!.payload;
}

describe('redacting the event log (erasure)', () => {
  it('blanks the text in the named streams only, clears the named fields, and leaves what a JSON string escapes', async () => {
    const created = await logged('ticket.created', 'ticket-a', { ticket: { subject: '钱多多的打印机 "卡纸"', number: 7 } });
    const rated = await logged('ticket.rated', 'ticket-a', { ticketId: 'ticket-a', rating: 1, comment: '钱多多 is cross' });
    const unrated = await logged('ticket.rated', 'ticket-a', { ticketId: 'ticket-a', rating: 5, comment: null });
    const another = await logged('ticket.created', 'ticket-b', { ticket: { subject: '钱多多 too', number: 8 } });

    const changed = await redactEventPayloads(admin.db, {
      streams: ['ticket-a'], values: ['钱多多', '"卡纸"'], blank: '[erased]', clear: [{ type: 'ticket.rated', field: 'comment' }],
    });

    expect(await payloadOf(created)).toEqual({ ticket: { subject: '[erased]的打印机 "卡纸"', number: 7 } });
    expect(await payloadOf(rated)).toEqual({ ticketId: 'ticket-a', rating: 1, comment: null });
    expect(await payloadOf(unrated)).toEqual({ ticketId: 'ticket-a', rating: 5, comment: null });
    expect(await payloadOf(another), 'another stream is not touched').toEqual({ ticket: { subject: '钱多多 too', number: 8 } });
    // Two rows by the text, one by the field (the rating already without a comment is not rewritten).
    expect(changed).toBe(3);
    expect(await redactEventPayloads(admin.db, { streams: [], values: ['钱多多'], blank: '[erased]' })).toBe(0);
  });
});
