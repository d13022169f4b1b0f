import { sql, type ExpressionBuilder, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { cursorInvalid } from '../../core/errors.js';
import { randomUUID } from 'node:crypto';
import type { Tenancy } from '../../core/tenancy.js';
import { matchQuery, matchVector } from '../search/index.js';
import type { DB } from '../../core/db/database.js';
import type { Locale } from '../../core/i18n/index.js';
import { ACTIVE_STATUSES, type Channel, type SenderVerification, type TicketStatus, type Urgency, type UrgencyNames } from './tickets.schema.js';
import { relaxedStatement } from '../../core/db/relaxed-statement.js';
import { queryTemplate } from '../../core/db/query-template.js';

export type Db = Kysely<DB> | Transaction<DB>;

export interface TicketFilter {
  assigneeId?: string | null;
  departmentIds?: string[];
  statuses?: TicketStatus[];
  urgencies?: Urgency[];
  tag?: string;
  customerId?: string;
  /** Subject words, or a ticket number. */
  q?: string;
  /** Only tickets with an SLA deadline before this moment. */
  dueBefore?: Date;
}

export interface NewTicketRow {
  number: number; subject: string; urgency: Urgency; department_id: string | null; customer_id: string; channel: Channel; tags: string[];
  custom_fields: string; status?: TicketStatus; assignee_id?: string | null; created_at: Date; updated_at: Date; last_customer_message_at: Date | null;
  sender_verification?: SenderVerification;
}

export interface NewMessageRow {
  id?: string; ticket_id: string; kind: 'reply' | 'note'; author_type: 'customer' | 'agent' | 'system'; author_id: string | null; channel: Channel;
  body_text: string; body_html: string | null; external_id: string | null; created_at: Date;
}

/** What the inbox's full-text search matches a message by (ticket_message_terms). */
const termsOf = (message: { id: string; body_text: string }) => ({ message_id: message.id, terms: matchVector(message.body_text) });

export interface NewActivityRow {
  ticket_id: string; actor_type: 'agent' | 'customer' | 'system' | 'api'; actor_id: string | null; action: string;
  details: Record<string, unknown>; created_at: Date;
}

export type TicketSort = 'updated' | 'created' | 'urgency' | 'due';

export interface Page {
  sort: TicketSort;
  limit: number;
  after?: { values: (string | number)[]; id: string };
}

export interface TicketPatch {
  status?: TicketStatus;
  urgency?: Urgency;
  department_id?: string | null;
  assignee_id?: string | null;
  tags?: string[];
  custom_fields?: string;
  subject?: string;
  merged_into_id?: string;
  first_response_at?: Date;
  first_response_due_at?: Date | null;
  next_response_due_at?: Date | null;
  resolution_due_at?: Date | null;
  last_customer_message_at?: Date;
  last_agent_message_at?: Date;
  solved_at?: Date | null;
  csat_rating?: number;
  csat_comment?: string | null;
  csat_at?: Date;
  sender_verification?: SenderVerification;
  updated_at?: Date;
}

/**
 * Sort keys as SQL, each list ending in `id` so keyset pages never skip or repeat a row. Every
 * list matches an index of the migration exactly (same expressions, same direction), so a page
 * at a million tickets reads about one page of index entries.
 */
/** The SQL type of each sort key, to read a cursor's text values back. */
const KEY_TYPES: Record<TicketSort, string[]> = {
  updated: ['timestamptz'], created: ['timestamptz'], urgency: ['smallint', 'timestamptz'], due: ['timestamptz'],
};

const SORTS: Record<TicketSort, { keys: RawBuilder<unknown>[]; direction: 'asc' | 'desc' }> = {
  updated: { keys: [sql`t.updated_at`], direction: 'desc' },
  created: { keys: [sql`t.created_at`], direction: 'desc' },
  urgency: { keys: [sql`t.urgency`, sql`t.updated_at`], direction: 'desc' },
  due: { keys: [sql`coalesce(least(t.first_response_due_at, t.next_response_due_at, t.resolution_due_at), 'infinity'::timestamptz)`], direction: 'asc' },
};

/** A ticket's SLA deadlines as the SLA module computed them. */
export interface TicketDeadlines {
  ticketId: string;
  firstResponse: Date | null;
  nextResponse: Date | null;
  resolution: Date | null;
}

/** Statements nearly every new ticket sends, built and compiled once (core/db/query-template.ts). */
const TICKET = queryTemplate((db, { id }: { id: string }) => db.selectFrom('tickets').selectAll().where('id', '=', id));
const TICKET_FOR_UPDATE = queryTemplate((db, { id }: { id: string }) => db.selectFrom('tickets').selectAll().where('id', '=', id).forNoKeyUpdate());
const TICKETS_BY_IDS = queryTemplate((db, { ids }: { ids: readonly string[] }) => db.selectFrom('tickets').selectAll().where('id', '=', (eb) => eb.fn.any(eb.val(ids))));
const UPDATE_TICKET = queryTemplate((db, { ticketId, ...patch }: TicketPatch & { ticketId: string }) =>
  db.updateTable('tickets').set(patch).where('id', '=', ticketId).returningAll());
const NEXT_NUMBERS = queryTemplate((db, { departmentKey, count }: { departmentKey?: string; count: number }) => {
  const department = (eb: ExpressionBuilder<DB, 'ticket_settings'>) => eb.selectFrom('departments').select('id')
    .where('key', '=', departmentKey!).where('archived_at', 'is', null);
  return relaxedStatement(db).updateTable('ticket_settings').from('relaxed')
    .set((eb) => ({ last_ticket_number: eb('last_ticket_number', '+', count) }))
    .$if(departmentKey !== undefined, (qb) => qb.where((eb) => eb.exists(department(eb))))
    .returning((eb) => ['last_ticket_number', (departmentKey === undefined ? sql<string | null>`null::uuid` : department(eb)).as('department_id')]);
});
const INSERT_OPENING = queryTemplate((db, { ticket, message, terms, activity }: {
  ticket: NewTicketRow & { id: string }; message: NewMessageRow & { id: string }; terms: { message_id: string; terms: string };
  activity: Omit<NewActivityRow, 'details'> & { details: string };
}) => db
  .with('t', (qb) => qb.insertInto('tickets').values(ticket).returningAll())
  .with('m', (qb) => qb.insertInto('ticket_messages').values(message)
    .onConflict((oc) => oc.columns(['workspace_id', 'external_id']).where('external_id', 'is not', null).doNothing()).returning('id'))
  .with('terms', (qb) => qb.insertInto('ticket_message_terms').values(terms).returning('message_id'))
  .with('a', (qb) => qb.insertInto('ticket_activity').values(activity).returning('id'))
  .selectFrom('t').selectAll('t')
  .select((eb) => eb.selectFrom('m').select((m) => m.fn.countAll<string>().as('n')).as('messages')));
const MESSAGE_BY_EXTERNAL_ID = queryTemplate((db, { externalId }: { externalId: string }) =>
  db.selectFrom('ticket_messages').selectAll().where('external_id', '=', externalId));
/** Each ticket's deadlines, however many tickets: their columns as arrays, unnested side by side, make one statement of one shape. */
const SET_DEADLINES = queryTemplate((db, due: { ticketIds: string[]; firstResponse: (Date | null)[]; nextResponse: (Date | null)[]; resolution: (Date | null)[] }) => db
  .updateTable('tickets')
  .from(sql<{ ticket_id: string; first_response: Date | null; next_response: Date | null; resolution: Date | null }>`unnest(${due.ticketIds}::uuid[],
    ${due.firstResponse}::timestamptz[], ${due.nextResponse}::timestamptz[], ${due.resolution}::timestamptz[])`
    .as<'due'>(sql`due(ticket_id, first_response, next_response, resolution)`))
  .set((eb) => ({
    first_response_due_at: eb.ref('due.first_response'), next_response_due_at: eb.ref('due.next_response'), resolution_due_at: eb.ref('due.resolution'),
  }))
  .whereRef('tickets.id', '=', 'due.ticket_id'));
const INSERT_ACTIVITY = queryTemplate((db, row: Omit<NewActivityRow, 'details'> & { details: string }) => db.insertInto('ticket_activity').values(row));
const UPDATE_TICKET_WITH_ACTIVITY = queryTemplate((db, { ticketId, patch, activity }: {
  ticketId: string; patch: TicketPatch; activity: Omit<NewActivityRow, 'details'> & { details: string };
}) => db
  .with('t', (qb) => qb.updateTable('tickets').set(patch).where('id', '=', ticketId).returningAll())
  .with('a', (qb) => qb.insertInto('ticket_activity').values(activity).returning('id'))
  .selectFrom('t').selectAll('t'));

export class TicketsRepo {
  constructor(readonly db: Kysely<DB>, private readonly tenancy: Tenancy<DB>) {}

  in(workspaceId: string): Kysely<DB> {
    return this.tenancy.forWorkspace(workspaceId);
  }

  /** Inside replayable work (core/jobs/replayable.ts) the commit does not wait for the disk (core/db/database.ts). */
  transaction<T>(workspaceId: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.in(workspaceId).transaction().execute(work);
  }


  insertSettings(db: Db, urgencyNames: UrgencyNames) {
    return db.insertInto('ticket_settings').values({ urgency_names: JSON.stringify(urgencyNames) })
      .onConflict((oc) => oc.column('workspace_id').doNothing()).execute();
  }

  settings(db: Db) {
    return db.selectFrom('ticket_settings').selectAll().executeTakeFirst();
  }

  updateUrgencyNames(db: Db, names: UrgencyNames) {
    return db.updateTable('ticket_settings').set({ urgency_names: JSON.stringify(names) }).returningAll().executeTakeFirst();
  }

  /**
   * The next `count` ticket numbers, `last - count + 1` to `last` (the row lock makes numbers unique
   * and, but for failed tickets, gap-free under concurrency), and the id of the department
   * `departmentKey` names. Undefined when there is no such department: then no number is taken.
   *
   * Its commit does not wait for the disk (`synchronous_commit` off for this statement's own
   * transaction), so the counter's row lock is held for microseconds, not for a WAL flush, and
   * tickets of one workspace are not created one flush at a time. Nothing is lost by it: the
   * ticket that carries the number commits later and durably, and flushing its commit flushes the
   * WAL before it, this increment included; a number whose ticket never committed may be handed
   * out again after a crash, which is right.
   */
  async nextNumbers(db: Db, departmentKey: string | undefined, count: number): Promise<{ last: number; departmentId: string | null } | undefined> {
    const row = await NEXT_NUMBERS.first(db, { departmentKey, count });
    return row && { last: row.last_ticket_number, departmentId: row.department_id ?? null };
  }

  insertDepartment(db: Db, values: { key: string; name: Record<Locale, string>; position: number }) {
    return db.insertInto('departments').values({ ...values, name: JSON.stringify(values.name) })
      .onConflict((oc) => oc.columns(['workspace_id', 'key']).doNothing()).returningAll().executeTakeFirst();
  }

  departments(db: Db) {
    return db.selectFrom('departments').selectAll().where('archived_at', 'is', null).orderBy('position').orderBy('key').execute();
  }

  insertTicket(db: Db, values: NewTicketRow) {
    return db.insertInto('tickets').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * A new ticket with its first message and activity row, in one statement (one round trip): the
   * caller chooses the ids, so the three inserts need nothing from each other (foreign keys are
   * checked at the end of the statement). `messageInserted` is false when a message with this
   * external id exists already; the caller rolls back then.
   */
  async insertOpening(db: Db, ticket: NewTicketRow & { id: string }, message: NewMessageRow & { id: string }, activity: Omit<NewActivityRow, 'ticket_id'>) {
    const { messages, ...row } = await INSERT_OPENING.firstOrThrow(db, {
      ticket, message, terms: termsOf(message), activity: { ...activity, ticket_id: ticket.id, details: JSON.stringify(activity.details) },
    });
    return { ticket: row, messageInserted: Number(messages) === 1 };
  }

  ticket(db: Db, id: string) {
    return TICKET.first(db, { id });
  }

  /**
   * The ticket, locked against other writers of it until the transaction ends. Not against rows
   * being added that refer to it (its messages, activity, SLA state): their foreign-key check would
   * otherwise wait for the whole transaction (`for no key update`, the lock an UPDATE takes).
   */
  ticketForUpdate(db: Db, id: string) {
    return TICKET_FOR_UPDATE.first(db, { id });
  }

  /** Several tickets in one statement; those that do not exist are left out. */
  ticketsByIds(db: Db, ids: readonly string[]) {
    return ids.length ? TICKETS_BY_IDS.rows(db, { ids }) : Promise.resolve([]);
  }

  /** Each ticket's SLA deadlines, in one statement. */
  async setDeadlines(db: Db, rows: readonly TicketDeadlines[]): Promise<void> {
    if (!rows.length) return;
    await SET_DEADLINES.run(db, {
      ticketIds: rows.map((r) => r.ticketId), firstResponse: rows.map((r) => r.firstResponse),
      nextResponse: rows.map((r) => r.nextResponse), resolution: rows.map((r) => r.resolution),
    });
  }

  ticketByNumber(db: Db, number: number) {
    return db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirst();
  }

  updateTicket(db: Db, id: string, patch: TicketPatch) {
    return UPDATE_TICKET.firstOrThrow(db, { ...patch, ticketId: id });
  }

  /** `updateTicket` and the activity line that records it, in one statement (issue 15: a round trip of every change). */
  updateTicketWithActivity(db: Db, id: string, patch: TicketPatch, activity: Omit<NewActivityRow, 'ticket_id'>) {
    return UPDATE_TICKET_WITH_ACTIVITY.firstOrThrow(db, {
      ticketId: id, patch, activity: { ...activity, ticket_id: id, details: JSON.stringify(activity.details) },
    });
  }

  list(db: Db, filter: TicketFilter, page: Page) {
    const sort = SORTS[page.sort];
    let query = db.selectFrom('tickets as t').selectAll('t')
      .select(sql<unknown[]>`array[${sql.join(sort.keys.map((key) => sql`${key}::text`))}]`.as('sort_values'))
      .where('t.merged_into_id', 'is', null);
    if (filter.assigneeId !== undefined) query = filter.assigneeId === null ? query.where('t.assignee_id', 'is', null) : query.where('t.assignee_id', '=', filter.assigneeId);
    if (filter.departmentIds) {
      // An empty list (an agent in no team) matches nothing, not everything.
      query = filter.departmentIds.length ? query.where('t.department_id', 'in', filter.departmentIds) : query.where(sql<boolean>`false`);
    }
    if (filter.statuses?.length) query = query.where('t.status', 'in', filter.statuses);
    if (filter.urgencies?.length) query = query.where('t.urgency', 'in', filter.urgencies);
    if (filter.tag) query = query.where(sql<boolean>`t.tags @> array[${filter.tag}]::text[]`);
    if (filter.customerId) query = query.where('t.customer_id', '=', filter.customerId);
    if (filter.dueBefore) {
      query = query.where('t.status', 'in', ['new', 'open', 'on_hold'])
        .where(sql<boolean>`${SORTS.due.keys[0]} < ${filter.dueBefore}`);
    }
    const q = filter.q;
    if (q) {
      const number = /^#?(\d{1,9})$/.exec(q.trim())?.[1];
      const terms = number ? undefined : matchQuery(q);
      query = number
        ? query.where('t.number', '=', Number(number))
        : query.where((eb) => eb.or([
          eb('t.subject', 'ilike', `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
          // Or any message of it says it, in words (Chinese cut by jieba): bodies, not only subjects.
          ...(terms ? [eb('t.id', 'in', eb.selectFrom('ticket_messages as m').innerJoin('ticket_message_terms as mt', 'mt.message_id', 'm.id')
            .select('m.ticket_id').where(sql<boolean>`mt.terms @@ ${terms}::tsquery`))] : []),
        ]));
    }
    if (page.after) {
      if (page.after.values.length !== sort.keys.length) throw cursorInvalid('The page cursor is not valid; start from the first page');
      const comparison = sort.direction === 'desc' ? sql`<` : sql`>`;
      const after = page.after.values.map((value, i) => sql`cast(${value} as ${sql.raw(KEY_TYPES[page.sort][i]!)})`);
      query = query.where(sql<boolean>`(${sql.join(sort.keys)}, t.id) ${comparison} (${sql.join(after)}, ${page.after.id}::uuid)`);
    }
    for (const key of sort.keys) query = query.orderBy(key, sort.direction);
    return query
      .orderBy('t.id', sort.direction)
      .limit(page.limit + 1)
      .execute();
  }

  /** Undefined when a message with this external id exists already; the caller rolls back then (its terms are written in the same statement). */
  insertMessage(db: Db, values: NewMessageRow) {
    const message = { ...values, id: values.id ?? randomUUID() };
    return db.with('terms', (qb) => qb.insertInto('ticket_message_terms').values(termsOf(message)).returning('message_id'))
      .insertInto('ticket_messages').values(message)
      .onConflict((oc) => oc.columns(['workspace_id', 'external_id']).where('external_id', 'is not', null).doNothing())
      .returningAll().executeTakeFirst();
  }

  messageByExternalId(db: Db, externalId: string) {
    return MESSAGE_BY_EXTERNAL_ID.first(db, { externalId });
  }

  message(db: Db, id: string) {
    return db.selectFrom('ticket_messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  messages(db: Db, ticketId: string, includeNotes: boolean) {
    let query = db.selectFrom('ticket_messages').selectAll().where('ticket_id', '=', ticketId);
    if (!includeNotes) query = query.where('kind', '=', 'reply');
    return query.orderBy('created_at').orderBy('id').execute();
  }

  moveMessages(db: Db, fromTicketId: string, toTicketId: string) {
    return db.updateTable('ticket_messages').set({ ticket_id: toTicketId }).where('ticket_id', '=', fromTicketId).execute();
  }

  async messageCount(db: Db, ticketId: string): Promise<number> {
    const { n } = await db.selectFrom('ticket_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
    return Number(n);
  }

  moveMessage(db: Db, messageId: string, toTicketId: string) {
    return db.updateTable('ticket_messages').set({ ticket_id: toTicketId }).where('id', '=', messageId).execute();
  }

  insertAttachments(db: Db, rows: { message_id: string; filename: string; content_type: string; size_bytes: number; sha256: string; storage_key: string }[]) {
    return rows.length ? db.insertInto('ticket_attachments').values(rows).returningAll().execute() : Promise.resolve([]);
  }

  attachmentsOf(db: Db, messageIds: string[]) {
    return messageIds.length
      ? db.selectFrom('ticket_attachments').selectAll().where('message_id', 'in', messageIds).orderBy('created_at').execute()
      : Promise.resolve([]);
  }

  attachment(db: Db, id: string) {
    return db.selectFrom('ticket_attachments as a').innerJoin('ticket_messages as m', 'm.id', 'a.message_id')
      .selectAll('a').select(['m.ticket_id', 'm.kind']).where('a.id', '=', id).executeTakeFirst();
  }

  link(db: Db, ticketId: string, relatedId: string) {
    return db.insertInto('ticket_links').values([{ ticket_id: ticketId, related_id: relatedId }, { ticket_id: relatedId, related_id: ticketId }])
      .onConflict((oc) => oc.columns(['ticket_id', 'related_id']).doNothing()).execute();
  }

  unlink(db: Db, ticketId: string, relatedId: string) {
    return db.deleteFrom('ticket_links')
      .where((eb) => eb.or([
        eb.and([eb('ticket_id', '=', ticketId), eb('related_id', '=', relatedId)]),
        eb.and([eb('ticket_id', '=', relatedId), eb('related_id', '=', ticketId)]),
      ])).executeTakeFirst();
  }

  linked(db: Db, ticketId: string) {
    return db.selectFrom('ticket_links as l').innerJoin('tickets as t', 't.id', 'l.related_id')
      .select(['t.id', 't.number', 't.subject', 't.status']).where('l.ticket_id', '=', ticketId).orderBy('t.number').execute();
  }

  insertActivity(db: Db, values: NewActivityRow) {
    return INSERT_ACTIVITY.run(db, { ...values, details: JSON.stringify(values.details) });
  }

  activity(db: Db, ticketId: string) {
    return db.selectFrom('ticket_activity').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
  }

  recentActivityOfCustomer(db: Db, customerId: string, limit: number) {
    return db.selectFrom('ticket_activity as a').innerJoin('tickets as t', 't.id', 'a.ticket_id')
      .select(['a.action', 'a.created_at', 't.id as ticket_id', 't.number', 't.subject'])
      .where('t.customer_id', '=', customerId).orderBy('a.id', 'desc').limit(limit).execute();
  }

  openTicketCount(db: Db, assigneeIds: string[]) {
    return assigneeIds.length
      ? db.selectFrom('tickets').select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('assignee_id', 'in', assigneeIds).where('status', 'in', [...ACTIVE_STATUSES]).where('merged_into_id', 'is', null)
        .groupBy('assignee_id').execute()
      : Promise.resolve([]);
  }

  savedViews(db: Db, agentId: string) {
    return db.selectFrom('saved_views').selectAll()
      .where((eb) => eb.or([eb('agent_id', '=', agentId), eb('agent_id', 'is', null)])).orderBy('name').execute();
  }

  insertSavedView(db: Db, values: { agent_id: string | null; name: string; filters: Record<string, unknown> }) {
    return db.insertInto('saved_views').values({ ...values, filters: JSON.stringify(values.filters) }).returningAll().executeTakeFirstOrThrow();
  }

  deleteSavedView(db: Db, id: string, agentId: string) {
    return db.deleteFrom('saved_views').where('id', '=', id).where('agent_id', '=', agentId).executeTakeFirst();
  }

  cannedReplies(db: Db) {
    return db.selectFrom('canned_replies').selectAll().orderBy('title').execute();
  }

  insertCannedReply(db: Db, values: { title: string; body: string; locale: Locale | null }) {
    return db.insertInto('canned_replies').values(values).returningAll().executeTakeFirstOrThrow();
  }

  updateCannedReply(db: Db, id: string, values: { title?: string; body?: string; locale?: Locale | null }) {
    return db.updateTable('canned_replies').set(values).where('id', '=', id).returningAll().executeTakeFirst();
  }

  deleteCannedReply(db: Db, id: string) {
    return db.deleteFrom('canned_replies').where('id', '=', id).executeTakeFirst();
  }
}
