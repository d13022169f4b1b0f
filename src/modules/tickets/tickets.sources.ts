import type { Kysely } from 'kysely';
import type { DB } from '../../schema.js';
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

/** Customers: a merge moves the duplicate's tickets, and the messages they wrote, to the survivor. */
export const ticketCustomerMover = async (db: Kysely<DB>, fromId: string, intoId: string): Promise<number> => {
  const tickets = await db.updateTable('tickets').set({ customer_id: intoId }).where('customer_id', '=', fromId).executeTakeFirst();
  await db.updateTable('ticket_messages').set({ author_id: intoId }).where('author_type', '=', 'customer').where('author_id', '=', fromId).execute();
  return Number(tickets.numUpdatedRows);
};
