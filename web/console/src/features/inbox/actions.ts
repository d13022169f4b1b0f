/** Changing several tickets at once, and what a conversation should do when it opens. */
import { bulkUpdate, type BulkResult, type Ticket, type TicketChanges } from './tickets-api.js';

export interface BulkOutcome {
  changed: number;
  failed: number;
}

/** One bulk call for a change that is the same for every ticket (status, assignee, urgency). */
export async function changeTickets(ids: readonly string[], changes: TicketChanges): Promise<BulkOutcome> {
  return summarise(await bulkUpdate([...ids], changes));
}

/**
 * Adding or removing a tag keeps each ticket's other tags: tickets are grouped by the tag list they
 * end up with, one bulk call per group (the API sets the whole list).
 */
export function tagGroups(tickets: readonly Pick<Ticket, 'id' | 'tags'>[], tag: string, mode: 'add' | 'remove'): { tags: string[]; ids: string[] }[] {
  const wanted = tag.trim().toLowerCase();
  const groups = new Map<string, { tags: string[]; ids: string[] }>();
  for (const ticket of tickets) {
    const has = ticket.tags.includes(wanted);
    if ((mode === 'add' && has) || (mode === 'remove' && !has)) continue;
    const tags = mode === 'add' ? [...ticket.tags, wanted].sort() : ticket.tags.filter((t) => t !== wanted);
    const key = tags.join('\u0000');
    const group = groups.get(key) ?? { tags, ids: [] };
    group.ids.push(ticket.id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export async function tagTickets(tickets: readonly Pick<Ticket, 'id' | 'tags'>[], tag: string, mode: 'add' | 'remove'): Promise<BulkOutcome> {
  const results: BulkResult[] = [];
  for (const group of tagGroups(tickets, tag, mode)) results.push(...(await bulkUpdate(group.ids, { tags: group.tags })));
  // Tickets that already had (or lacked) the tag count as done.
  const untouched = tickets.length - results.length;
  const outcome = summarise(results);
  return { changed: outcome.changed + untouched, failed: outcome.failed };
}

function summarise(results: readonly BulkResult[]): BulkOutcome {
  const changed = results.filter((r) => r.ok).length;
  return { changed, failed: results.length - changed };
}

/** Tags as the API accepts them: letters, digits and _ . : - , at most 40 characters. */
export function isValidTag(tag: string): boolean {
  return /^[\p{L}\p{N}_.:-]{1,40}$/u.test(tag.trim());
}

// "r" or "n" on a row opens the conversation with the composer ready.
let pendingIntent: { number: number; mode: 'reply' | 'note' } | null = null;

export function setOpenIntent(number: number, mode: 'reply' | 'note'): void {
  pendingIntent = { number, mode };
}

export function takeOpenIntent(number: number): 'reply' | 'note' | null {
  const intent = pendingIntent;
  pendingIntent = null;
  return intent?.number === number ? intent.mode : null;
}
