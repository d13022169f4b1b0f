import type { Db } from './routing.repo.js';

/**
 * Who should hold a ticket right now: its assignee while it is active and not merged, else
 * nobody. Read inside routing's own transaction (after the item lock), so of two syncs of one
 * ticket the later one always reads the later state; `undefined` when the ticket does not exist.
 */
/** Implemented by the tickets module (tickets.sources.ts). */
export type TicketHolderSource = (db: Db, ticketId: string) => Promise<{ holder: string | null; departmentId: string | null } | undefined>;
