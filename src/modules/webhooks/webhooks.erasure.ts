import { sql, type Kysely } from 'kysely';
import { redactJsonb } from '../../core/db/redact-jsonb.js';
import type { DB } from '../../core/db/database.js';

/**
 * Erasure (PIPL/GDPR) in the delivery log: a delivery keeps the event's payload, and a ticket's
 * events carry its subject (and a rating its comment). The customer's text is blanked in the
 * deliveries of their tickets' events: those naming them as the ticket's customer, and the events
 * that name one of those tickets by id (a rating, a message).
 */
export const webhookCustomerEraser = async (db: Kysely<DB>, customer: { id: string; quoted: string[] }, blank: string): Promise<{ rows: number }> => {
  const theirs = sql`payload->'ticket'->>'customerId' = ${customer.id}`;
  const ticketIds = (await sql<{ id: string }>`select distinct payload->'ticket'->>'id' as id from webhook_deliveries where ${theirs}`.execute(db))
    .rows.map((r) => r.id);
  const aboutTheirTickets = sql`(${theirs} or payload->>'ticketId' = any(${ticketIds}::text[]))`;
  const rows = await redactJsonb(db, {
    table: 'webhook_deliveries', column: 'payload', where: aboutTheirTickets, values: customer.quoted, blank,
    clear: [{ where: sql`event_type = 'ticket.rated' and payload->>'ticketId' = any(${ticketIds}::text[])`, field: 'comment' }],
  });
  return { rows };
};
