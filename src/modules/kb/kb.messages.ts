import type { TicketsRepo } from '../tickets/tickets.repo.js';
import type { MessageSource } from './kb.service.js';

/** Ticket messages as article drafts see them: the message text and its ticket's subject. */
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
