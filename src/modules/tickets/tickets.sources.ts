import { expressionBuilder, sql, type Kysely } from 'kysely';
import { redactEventPayloads } from '../../core/events/index.js';
import type { DB } from '../../core/db/database.js';
import type { MessageSource } from '../kb/index.js';
import type { TicketHolderSource } from '../routing/index.js';
import type { TicketsRepo } from './tickets.repo.js';
import { ACTIVE_STATUSES } from './tickets.schema.js';

/**
 * What other modules read of tickets, through the ports they declare (routing's holder source,
 * the knowledge base's message source); the tickets' repository stays inside this module.
 */

/** Routing: who should hold a ticket right now (read inside routing's own transaction). */
export function ticketHolderSource(tickets: TicketsRepo): TicketHolderSource {
  return async (db, ticketId) => {
    const ticket = await tickets.ticket(db, ticketId);
    if (!ticket) return undefined;
    const active = ticket.merged_into_id === null && ACTIVE_STATUSES.includes(ticket.status);
    return { holder: active ? ticket.assignee_id : null, departmentId: ticket.department_id };
  };
}

/** Knowledge base: ticket messages as article drafts see them, the message text and its ticket's subject. */
export function ticketMessageSource(tickets: TicketsRepo): MessageSource {
  return {
    async message(workspaceId, id) {
      const db = tickets.in(workspaceId);
      const message = await tickets.message(db, id);
      if (!message) return undefined;
      const ticket = await tickets.ticket(db, message.ticket_id);
      return { body: message.body_text, subject: ticket?.subject ?? '' };
    },
  };
}

/**
 * Customers: the ids of customers with a ticket (chats are tickets) active at or after `since`, for
 * segments' last-contact conditions. A ticket's `updated_at` is its last activity (a message either
 * way, a status change); the subquery is built, not run, and scoped with the query it is put in.
 */
export const ticketContactSource = (since: Date | null) => {
  const query = expressionBuilder<DB, never>().selectFrom('tickets').select('tickets.customer_id');
  return since ? query.where('tickets.updated_at', '>=', since) : query;
};

/** Customers: a merge moves the duplicate's tickets, and the messages they wrote, to the survivor. */
export const ticketCustomerMover = async (db: Kysely<DB>, fromId: string, intoId: string): Promise<number> => {
  const tickets = await db.updateTable('tickets').set({ customer_id: intoId }).where('customer_id', '=', fromId).executeTakeFirst();
  await db.updateTable('ticket_messages').set({ author_id: intoId }).where('author_type', '=', 'customer').where('author_id', '=', fromId).execute();
  return Number(tickets.numUpdatedRows);
};

/**
 * Customers: an erasure (PIPL / GDPR) empties what the customer wrote (message bodies, the rating's
 * comment), deletes the attachments of their messages, and blanks their name, addresses and
 * numbers where others quoted them in their tickets. Tickets, statuses and timestamps stay, so
 * counts and timings in reports do not change. Returns the stored files no row names any more.
 */
export const ticketCustomerEraser = async (db: Kysely<DB>, customer: { id: string; quoted: string[] }, blank: string): Promise<{ rows: number; files: string[] }> => {
  const theirMessages = db.selectFrom('ticket_messages').select('id').where('author_type', '=', 'customer').where('author_id', '=', customer.id);
  const theirTickets = db.selectFrom('tickets').select('id').where('customer_id', '=', customer.id);
  const removed = await db.deleteFrom('ticket_attachments').where('message_id', 'in', theirMessages).returning('storage_key').execute();
  const keys = [...new Set(removed.map((r) => r.storage_key))];
  const stillUsed = keys.length ? await db.selectFrom('ticket_attachments').select('storage_key').where('storage_key', 'in', keys).execute() : [];
  const bodies = await db.updateTable('ticket_messages').set({ body_text: blank, body_html: null })
    .where('author_type', '=', 'customer').where('author_id', '=', customer.id).executeTakeFirst();
  await db.updateTable('tickets').set({ csat_comment: null }).where('customer_id', '=', customer.id).where('csat_comment', 'is not', null).execute();
  for (const value of customer.quoted) {
    await db.updateTable('ticket_messages').set({
      body_text: sql<string>`replace(body_text, ${value}, ${blank})`, body_html: sql<string | null>`replace(body_html, ${value}, ${blank})`,
    }).where('ticket_id', 'in', theirTickets).where(sql<boolean>`strpos(body_text, ${value}) > 0 or strpos(coalesce(body_html, ''), ${value}) > 0`).execute();
    await db.updateTable('tickets').set({ subject: sql<string>`replace(subject, ${value}, ${blank})` })
      .where('customer_id', '=', customer.id).where(sql<boolean>`strpos(subject, ${value}) > 0`).execute();
  }
  // The event log keeps the tickets' subjects and rating comments for days: blanked there too.
  const ticketIds = (await theirTickets.execute()).map((t) => t.id);
  await redactEventPayloads(db, { streams: ticketIds, values: customer.quoted, blank, clear: [{ type: 'ticket.rated', field: 'comment' }] });
  return { rows: Number(bodies.numUpdatedRows) + removed.length, files: keys.filter((key) => !stillUsed.some((s) => s.storage_key === key)) };
};
