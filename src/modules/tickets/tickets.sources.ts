import { expressionBuilder, sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { redactEventPayloads } from '../../core/events/index.js';
import type { DB } from '../../core/db/database.js';
import type { MessageSource } from '../kb/index.js';
import type { TicketHolderSource } from '../routing/index.js';
import type { AutomationTicket, CustomerOpening, TriageTicket, TriageTicketSource } from '../triage/index.js';
import type { TicketsRepo } from './tickets.repo.js';
import type { FirstMessage } from './tickets.service.js';
import { ACTIVE_STATUSES, type TicketRow } from './tickets.schema.js';
import { matchVector } from '../search/index.js';
import { valuesTable } from '../../core/db/values-table.js';
import { queryTemplate } from '../../core/db/query-template.js';

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

/**
 * Triage: a new ticket as its rules and classifier read it (the opening message, its attachments),
 * and the labelled history it trains on: tickets solved or closed, or whose department or urgency a
 * person (an agent, or an API token) set, newest first, each with its first customer message.
 */
export function ticketTriageSource(tickets: TicketsRepo): TriageTicketSource {
  return {
    async opening(workspaceId, ticketId) {
      return (await openings(tickets, workspaceId, [ticketId]))[0];
    },
    openings(workspaceId, ticketIds) {
      return openings(tickets, workspaceId, ticketIds);
    },
    async sameCustomerOpenings(workspaceId, windows) {
      const found = new Map<string, CustomerOpening[]>(windows.map((w) => [w.ticketId, []]));
      if (!windows.length) return found;
      // One statement for a batch's tickets (issue 15): each window's 50 oldest, as the window alone would read them.
      const window = valuesTable(windows.map((w) => ({
        ticket_id: sql<string>`${w.ticketId}::uuid`, customer_id: sql<string>`${w.customerId}::uuid`, since: sql<Date>`${w.since}::timestamptz`,
      })), 'w');
      const rows = await tickets.in(workspaceId).selectFrom(window)
        .innerJoinLateral((eb) => eb.selectFrom('tickets')
          .select((t) => ['tickets.id', 'tickets.subject', 'tickets.status', 'tickets.created_at as createdAt', firstCustomerMessage(t).select('body_text').as('body')])
          .whereRef('tickets.customer_id', '=', 'w.customer_id').where('tickets.merged_into_id', 'is', null).whereRef('tickets.id', '!=', 'w.ticket_id')
          .whereRef('tickets.created_at', '>=', 'w.since').orderBy('tickets.created_at').orderBy('tickets.id').limit(50).as('o'), (join) => join.onTrue())
        .select(['w.ticket_id as windowOf', 'o.id', 'o.subject', 'o.status', 'o.createdAt', 'o.body'])
        .orderBy('o.createdAt').orderBy('o.id').execute();
      for (const { windowOf, body, ...other } of rows) found.get(windowOf)!.push({ ...other, body: body ?? '' });
      return found;
    },
    async automationTicket(workspaceId, ticketId) {
      const row = await tickets.ticket(tickets.in(workspaceId), ticketId);
      return row && automationTicketOf(row);
    },
    async automationCandidates(workspaceId, kind, before, limit, after) {
      // The coarse selection of each automation's condition; triage checks the exact one per ticket.
      let query = tickets.in(workspaceId).selectFrom('tickets').selectAll().where('merged_into_id', 'is', null);
      if (kind === 'waitingOnAgent') {
        query = query.where('status', 'in', ['new', 'open']).where('assignee_id', 'is not', null).where('last_customer_message_at', '<', before)
          .where((eb) => eb.or([eb('last_agent_message_at', 'is', null), eb('last_agent_message_at', '<', eb.ref('last_customer_message_at'))]));
      } else if (kind === 'unanswered') {
        query = query.where('status', 'in', ['new', 'open']).where('first_response_at', 'is', null).where('created_at', '<', before);
      } else {
        query = query.where('status', '=', 'pending').where('updated_at', '<', before);
      }
      if (after) query = query.where((eb) => eb(eb.refTuple('updated_at', 'id'), '>', eb.tuple(after.at, after.id)));
      return (await query.orderBy('updated_at').orderBy('id').limit(limit).execute()).map(automationTicketOf);
    },
    labelled(workspaceId, limit) {
      return tickets.in(workspaceId).selectFrom('tickets')
        .select((eb) => ['tickets.id', 'tickets.subject', 'tickets.department_id as departmentId', 'tickets.urgency', firstCustomerMessage(eb).select('body_text').as('body')])
        .where('tickets.merged_into_id', 'is', null)
        .where((eb) => eb.or([
          eb('tickets.status', 'in', ['solved', 'closed']),
          eb.exists(eb.selectFrom('ticket_activity').select('ticket_activity.id').whereRef('ticket_activity.ticket_id', '=', 'tickets.id')
            .where('ticket_activity.actor_type', 'in', ['agent', 'api']).where('ticket_activity.action', '=', 'ticket.updated')
            .where((a) => a.or([sql<boolean>`ticket_activity.details ? 'department_id'`, sql<boolean>`ticket_activity.details ? 'urgency'`]))),
        ]))
        .orderBy('tickets.updated_at', 'desc').orderBy('tickets.id').limit(limit)
        .execute().then((rows) => rows.map((r) => ({ ...r, body: r.body ?? '' })));
    },
    async recent(workspaceId, limit) {
      const rows = await tickets.in(workspaceId).selectFrom('tickets')
        .select((eb) => [
          'tickets.id', 'tickets.number', 'tickets.subject', 'tickets.channel', 'tickets.tags', 'tickets.customer_id as customerId',
          'tickets.department_id as departmentId', 'tickets.urgency', 'tickets.created_at as createdAt', firstCustomerMessage(eb).select('body_text').as('body'),
          firstCustomerMessage(eb).select('external_id').as('externalId'),
          eb.selectFrom('ticket_attachments').select((a) => a.fn.countAll<string>().as('n'))
            .where('ticket_attachments.message_id', '=', firstCustomerMessage(eb).select('ticket_messages.id')).as('attachments'),
        ])
        .where('tickets.merged_into_id', 'is', null)
        .orderBy('tickets.created_at', 'desc').orderBy('tickets.id').limit(limit).execute();
      return rows.map((r) => ({ ...r, body: r.body ?? '', externalId: r.externalId ?? null, attachments: Number(r.attachments ?? 0) }));
    },
  };
}

/** Built and compiled once (core/db/query-template.ts): every new ticket is read here. */
const OPENINGS = queryTemplate((db, { ticketIds }: { ticketIds: readonly string[] }) => db.selectFrom('tickets')
  .innerJoinLateral((eb) => firstCustomerMessage(eb).select(['ticket_messages.id', 'ticket_messages.body_text', 'ticket_messages.external_id']).as('m'), (join) => join.onTrue())
  .select((eb) => [
    'tickets.id', 'tickets.subject', 'tickets.channel', 'tickets.tags', 'tickets.customer_id', 'tickets.department_id', 'tickets.urgency', 'tickets.created_at',
    'm.body_text', 'm.external_id',
    eb.selectFrom('ticket_attachments').select((a) => a.fn.countAll<number>().as('n')).whereRef('ticket_attachments.message_id', '=', 'm.id').as('attachments'),
  ])
  .where('tickets.id', '=', (eb) => eb.fn.any(eb.val(ticketIds))));

/**
 * New tickets as triage reads them, in one statement however many (issue 15: every new ticket is
 * read here): each ticket, its first customer message and how many files that message carries.
 */
async function openings(tickets: TicketsRepo, workspaceId: string, ticketIds: readonly string[]): Promise<TriageTicket[]> {
  if (!ticketIds.length) return [];
  return (await OPENINGS.rows(tickets.in(workspaceId), { ticketIds })).map(triageOpening);
}

/**
 * A ticket the caller's transaction has just opened, as triage reads it, from what the opening wrote
 * (`TicketsService.openWithMessage`): no statement (issue 15).
 */
export function triageOpeningOf(ticket: TicketRow, first: FirstMessage): TriageTicket {
  return triageOpening({ ...ticket, body_text: first.bodyText, external_id: first.externalId, attachments: first.attachments });
}

type OpeningRow = Pick<TicketRow, 'id' | 'subject' | 'channel' | 'tags' | 'customer_id' | 'department_id' | 'urgency' | 'created_at'>
  & { body_text: string; external_id: string | null; attachments: number | string | null };

function triageOpening(row: OpeningRow): TriageTicket {
  return {
    id: row.id, subject: row.subject, body: row.body_text, channel: row.channel, tags: row.tags, customerId: row.customer_id,
    departmentId: row.department_id, urgency: row.urgency, attachments: Number(row.attachments ?? 0), externalId: row.external_id, createdAt: row.created_at,
  };
}

/** A ticket as triage's automations read it. */
function automationTicketOf(row: TicketRow): AutomationTicket {
  return {
    id: row.id, number: row.number, subject: row.subject, status: row.status, urgency: row.urgency, departmentId: row.department_id,
    assigneeId: row.assignee_id, customerId: row.customer_id, mergedIntoId: row.merged_into_id, createdAt: row.created_at, updatedAt: row.updated_at,
    firstResponseAt: row.first_response_at, lastCustomerMessageAt: row.last_customer_message_at, lastAgentMessageAt: row.last_agent_message_at,
  };
}

/** A ticket's first message from its customer (what triage reads), as a subquery of a query on tickets. */
function firstCustomerMessage(eb: ExpressionBuilder<DB, 'tickets'>) {
  return eb.selectFrom('ticket_messages').whereRef('ticket_messages.ticket_id', '=', 'tickets.id')
    .where('ticket_messages.author_type', '=', 'customer').orderBy('ticket_messages.created_at').orderBy('ticket_messages.id').limit(1);
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
  // The inbox's search terms of those messages still hold what was blanked: written again from the bodies as they are now.
  const rewritten = await db.selectFrom('ticket_messages').select(['id', 'body_text']).where('ticket_id', 'in', theirTickets).execute();
  for (const message of rewritten) {
    await db.updateTable('ticket_message_terms').set({ terms: matchVector(message.body_text) }).where('message_id', '=', message.id).execute();
  }
  // The event log keeps the tickets' subjects and rating comments for days: blanked there too.
  const ticketIds = (await theirTickets.execute()).map((t) => t.id);
  await redactEventPayloads(db, { streams: ticketIds, values: customer.quoted, blank, clear: [{ type: 'ticket.rated', field: 'comment' }] });
  return { rows: Number(bodies.numUpdatedRows) + removed.length, files: keys.filter((key) => !stillUsed.some((s) => s.storage_key === key)) };
};
