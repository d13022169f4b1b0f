import type { TicketsRepo } from '../tickets/tickets.repo.js';
import { ACTIVE_STATUSES } from '../tickets/tickets.schema.js';
import type { Db } from './routing.repo.js';

/**
 * Who should hold a ticket right now: its assignee while it is active and not merged, else
 * nobody. Read inside routing's own transaction (after the item lock), so of two syncs of one
 * ticket the later one always reads the later state; `undefined` when the ticket does not exist.
 */
export type TicketHolderSource = (db: Db, ticketId: string) => Promise<{ holder: string | null; departmentId: string | null } | undefined>;

export function ticketHolderSource(tickets: TicketsRepo): TicketHolderSource {
  return async (db, ticketId) => {
    const ticket = await tickets.ticket(db, ticketId);
    if (!ticket) return undefined;
    const active = ticket.merged_into_id === null && ACTIVE_STATUSES.includes(ticket.status);
    return { holder: active ? ticket.assignee_id : null, departmentId: ticket.department_id };
  };
}
