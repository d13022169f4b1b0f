import { randomUUID } from 'node:crypto';
import { isUuid } from '../../contracts/http.js';
import type { Clock } from '../../core/clock.js';
import { coalesced } from '../../core/coalesce.js';
import { insideOneTransaction, outsideOneTransaction } from '../../core/db/database.js';
import { AppError, cursorInvalid, forbidden, notFound } from '../../core/errors.js';
import type { EventBus, EventWriter } from '../../core/events/index.js';
import type { TicketChanges as TicketChangesEvent } from '../../contracts/events.js';
import { htmlToText, sanitizeUserHtml } from '../../core/html/sanitize.js';
import type { Locale } from '../../core/i18n/index.js';
import type { AccountsService } from '../accounts/index.js';
import type { Db, Page, TicketDeadlines, TicketFilter, TicketPatch, TicketSort, TicketsRepo } from './tickets.repo.js';
import type { StoredFile } from '../../core/storage/attachments.js';
import { withoutBidiControls } from '../../core/text.js';
import { WorkspaceCache } from '../../core/workspace-cache.js';
import {
  ACTIVE_STATUSES, type AttachmentRow, type Channel, type DepartmentRow, type MessageRow, type TicketRow, type TicketStatus,
  type Urgency, type UrgencyNames,
} from './tickets.schema.js';
import { ticketErrors } from './tickets.errors.js';

export interface TicketActor {
  type: 'agent' | 'customer' | 'system' | 'api';
  id: string | null;
}

/** A file already written to the attachment store, to be recorded with its message. */
export type { StoredFile } from '../../core/storage/attachments.js';

/**
 * A ticket just opened and its first message's id. When this call opened it (not a replay found
 * again), also what the opening wrote or read: the first message and the customer (`created` when
 * the opening created them), so what follows in the same transaction reads none of it again.
 */
export interface OpenedTicket {
  ticket: TicketRow;
  messageId: string;
  customer?: { id: string; email: string; name: string; locale: Locale | null; created: boolean };
  firstMessage?: FirstMessage;
}

/** A new ticket's first message as its opening wrote it. */
export interface FirstMessage {
  bodyText: string;
  attachments: number;
  externalId: string | null;
}

export interface NewTicket {
  subject: string;
  body: string;
  bodyHtml?: string;
  channel: Channel;
  customer: { id: string } | { email: string; name: string; locale?: Locale | null };
  departmentKey?: string;
  urgency?: Urgency;
  tags?: string[];
  customFields?: Record<string, string | number | boolean | null>;
  /** The sender's own message id: the same id twice opens one ticket, not two. */
  externalId?: string;
  attachments?: StoredFile[];
  /**
   * False when nothing shows the sender is the customer named (a web form posted without signing
   * in): the ticket stays out of that customer's portal until the account holder claims it.
   */
  senderVerified?: boolean;
}

export interface NewMessage {
  kind: 'reply' | 'note';
  body: string;
  bodyHtml?: string;
  channel?: Channel;
  externalId?: string;
  attachments?: StoredFile[];
  /** Agents may set the status with their reply (e.g. "send and mark pending"). */
  status?: TicketStatus;
}

export interface TicketChanges {
  status?: TicketStatus;
  urgency?: Urgency;
  departmentId?: string | null;
  assigneeId?: string | null;
  tags?: string[];
  customFields?: Record<string, string | number | boolean | null>;
  subject?: string;
}

export type InboxView = 'mine' | 'unassigned' | 'team' | 'all' | 'breaching';

export interface InboxQuery extends Omit<TicketFilter, 'assigneeId' | 'dueBefore'> {
  view: InboxView;
  sort?: TicketSort;
  limit?: number;
  cursor?: string;
}

export interface MessageWithAttachments extends MessageRow {
  attachments: AttachmentRow[];
}

const DEFAULT_DEPARTMENTS: { key: string; name: Record<Locale, string> }[] = [
  { key: 'service', name: { en: 'Customer service', 'zh-CN': '客户服务' } },
  { key: 'sales', name: { en: 'Sales', 'zh-CN': '销售' } },
  { key: 'pr', name: { en: 'Public relations', 'zh-CN': '公共关系' } },
  { key: 'hr', name: { en: 'Human resources', 'zh-CN': '人力资源' } },
  { key: 'finance', name: { en: 'Finance', 'zh-CN': '财务' } },
];

export const DEFAULT_URGENCY_NAMES: UrgencyNames = {
  en: ['Thanks', 'Normal', 'Urgent', 'Critical', 'Red alert'],
  'zh-CN': ['致谢', '普通', '紧急', '严重', '红色警报'],
};

const BREACHING_SOON_MS = 60 * 60 * 1000;
/** The longest a node uses departments changed elsewhere, should it miss `department.changed`. */
const DEPARTMENTS_TTL_MS = 10_000;

/** Moves the status machine on when somebody writes. */
function statusAfterMessage(current: TicketStatus, author: TicketActor['type'], kind: 'reply' | 'note'): TicketStatus {
  if (kind === 'note') return current === 'new' ? 'open' : current;
  if (author === 'customer') return current === 'pending' || current === 'solved' ? 'open' : current === 'new' ? 'new' : current;
  return current === 'new' ? 'pending' : current === 'open' ? 'pending' : current;
}

export class TicketsService {
  constructor(
    private readonly repo: TicketsRepo,
    private readonly accounts: AccountsService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  /**
   * A workspace's departments, kept briefly per node (core/workspace-cache.ts): every new ticket's
   * triage, routing and acknowledgement look them up (issue 15), and they change rarely. Other
   * nodes forget them on `department.changed`.
   */
  private readonly departmentsCache = new WorkspaceCache(DEPARTMENTS_TTL_MS, (workspaceId) => this.repo.departments(this.repo.in(workspaceId)));

  /** Defaults every new workspace starts with: the five departments and the urgency names. */
  async setUpWorkspace(workspaceId: string): Promise<void> {
    await this.inTransaction(workspaceId, async (trx, events) => {
      await this.repo.insertSettings(trx, DEFAULT_URGENCY_NAMES);
      for (const [position, department] of DEFAULT_DEPARTMENTS.entries()) {
        await this.repo.insertDepartment(trx, { ...department, position });
      }
      // A node that listed the new workspace's departments before they existed drops its empty list.
      events.publish('department.changed', workspaceId, {});
    });
    this.forgetDepartments(workspaceId);
  }

  /** A copy of the cached list: a caller may sort or filter it in place. */
  async departments(workspaceId: string): Promise<DepartmentRow[]> {
    return [...await this.departmentsCache.get(workspaceId)];
  }

  /** After a department was added or renamed (routing sets teams up): this node forgets at once, the others on `department.changed`. */
  async departmentsChanged(workspaceId: string, departmentId: string): Promise<void> {
    this.forgetDepartments(workspaceId);
    await this.bus.publish('department.changed', workspaceId, { departmentId });
  }

  /** Drops this node's copy of a workspace's departments (they changed). */
  forgetDepartments(workspaceId: string): void {
    this.departmentsCache.forget(workspaceId);
  }

  async urgencyNames(workspaceId: string): Promise<UrgencyNames> {
    return (await this.repo.settings(this.repo.in(workspaceId)))?.urgency_names ?? DEFAULT_URGENCY_NAMES;
  }

  async renameUrgencies(workspaceId: string, names: UrgencyNames): Promise<UrgencyNames> {
    const updated = await this.repo.updateUrgencyNames(this.repo.in(workspaceId), names);
    if (!updated) throw notFound('ticket_settings');
    return updated.urgency_names;
  }

  // ---- opening and reading ----------------------------------------------------------------

  /**
   * Every channel opens its tickets here. The customer, ticket, first message, activity row and
   * events commit together, in one transaction of four round trips (customer, the three rows in one
   * statement, the events, and BEGIN/COMMIT), after the number taken in a statement of its own.
   * What follows (SLA, routing, acknowledgement, webhooks) are the events' durable subscribers.
   */
  async open(workspaceId: string, input: NewTicket, actor: TicketActor): Promise<TicketRow> {
    return (await this.openWithMessage(workspaceId, input, actor)).ticket;
  }

  /**
   * `open`, and the id of the ticket's first message. An `externalId` that a message has already
   * (a mail processed again after a crash, or two deliveries at once) opens nothing: its opening
   * rolls back and this returns that message's ticket. No read before the opening looks for it
   * (issue 15: a round trip on every mail, for the rare replay). Inside a scope that takes in
   * everything (`inOneTransaction`), the rollback undoes the scope: MESSAGE_DUPLICATE goes up, and
   * the caller does its work again on its own (the inbound pipeline does).
   */
  async openWithMessage(workspaceId: string, input: NewTicket, actor: TicketActor): Promise<OpenedTicket> {
    try {
      return await this.openNew(workspaceId, input, actor);
    } catch (error) {
      if (!input.externalId || !(error instanceof AppError && error.code === 'MESSAGE_DUPLICATE') || insideOneTransaction()) throw error;
      const existing = await this.repo.messageByExternalId(this.repo.in(workspaceId), input.externalId);
      if (!existing) throw error;
      return { ticket: await this.ticket(workspaceId, existing.ticket_id), messageId: existing.id };
    }
  }

  private async openNew(workspaceId: string, input: NewTicket, actor: TicketActor): Promise<OpenedTicket> {
    const knownCustomer = 'id' in input.customer ? await this.accounts.customer(workspaceId, input.customer.id) : undefined;
    const now = this.clock.now();
    const body = this.messageBody(input.body, input.bodyHtml);
    // Taken before a replay is found, which then leaves it unused: a gap, as a failed ticket leaves.
    const { number, departmentId } = await this.nextNumber(workspaceId, input.departmentKey);
    return this.inTransaction(workspaceId, async (trx, events) => {
      const customer = knownCustomer ? { ...knownCustomer, created: false } : await this.accounts.findOrCreateCustomer(workspaceId, input.customer as Extract<NewTicket['customer'], { email: string }>, trx);
      const customerId = customer.id;
      const ids = { ticket: randomUUID(), message: randomUUID() };
      const { ticket, messageInserted } = await this.repo.insertOpening(trx, {
        id: ids.ticket, number, subject: withoutBidiControls(input.subject), urgency: input.urgency ?? 1,
        department_id: departmentId, customer_id: customerId, channel: input.channel, tags: normalizeTags(input.tags ?? []),
        custom_fields: JSON.stringify(input.customFields ?? {}), created_at: now, updated_at: now, last_customer_message_at: now,
        sender_verification: input.senderVerified === false ? 'unverified' : 'verified',
      }, {
        id: ids.message, ticket_id: ids.ticket, kind: 'reply', author_type: 'customer', author_id: customerId, channel: input.channel, ...body,
        external_id: input.externalId ?? null, created_at: now,
      }, { actor_type: actor.type, actor_id: actor.id, action: 'ticket.created', details: { channel: input.channel }, created_at: now });
      if (!messageInserted) throw ticketErrors.messageDuplicate('A message with this id was already received');
      await this.insertAttachments(trx, ids.message, input.attachments ?? []);
      const stream = { stream: ticket.id };
      events.publish('ticket.created', workspaceId, { ticket: ticketEvent(ticket), messageId: ids.message }, stream);
      events.publish('message.created', workspaceId, { ticketId: ticket.id, messageId: ids.message, kind: 'reply', authorType: 'customer', channel: input.channel, opening: true }, stream);
      return {
        ticket, messageId: ids.message,
        customer: { id: customer.id, email: customer.email, name: customer.name, locale: customer.locale, created: customer.created },
        firstMessage: { bodyText: body.body_text, attachments: input.attachments?.length ?? 0, externalId: input.externalId ?? null },
      };
    });
  }

  /** The workspace's tickets of these ids, in one statement; ids of none (or no UUIDs) are left out. */
  async findTickets(workspaceId: string, ids: readonly string[]): Promise<TicketRow[]> {
    return this.repo.ticketsByIds(this.repo.in(workspaceId), ids.filter(isUuid));
  }

  /** The workspace's ticket, or undefined when it has none by that id (an id that is no UUID names none). */
  async findTicket(workspaceId: string, id: string): Promise<TicketRow | undefined> {
    return isUuid(id) ? this.repo.ticket(this.repo.in(workspaceId), id) : undefined;
  }

  async ticket(workspaceId: string, id: string): Promise<TicketRow> {
    const ticket = await this.findTicket(workspaceId, id);
    if (!ticket) throw notFound('ticket');
    return ticket;
  }

  findTicketByNumber(workspaceId: string, number: number): Promise<TicketRow | undefined> {
    return this.repo.ticketByNumber(this.repo.in(workspaceId), number);
  }

  async ticketByNumber(workspaceId: string, number: number): Promise<TicketRow> {
    const ticket = await this.findTicketByNumber(workspaceId, number);
    if (!ticket) throw notFound('ticket');
    return ticket;
  }

  /**
   * A customer sees only their own tickets; anybody else's is "not found", never "forbidden". A
   * ticket whose sender is not verified is not theirs yet (see `claimSender`).
   */
  async customerTicket(workspaceId: string, customerId: string, id: string): Promise<TicketRow> {
    const ticket = await this.findTicket(workspaceId, id);
    if (!ticket || ticket.customer_id !== customerId || ticket.sender_verification !== 'verified') throw notFound('ticket');
    return ticket;
  }

  /**
   * The signed-in account holder answers for a ticket filed under them without proof (a web form
   * posted without signing in): theirs (`mine`: it joins their requests) or not (it stays out, and
   * the agents see it disputed). Only an unverified ticket of theirs can be answered for, once.
   */
  async claimSender(workspaceId: string, customerId: string, ticketId: string, mine: boolean): Promise<TicketRow> {
    const ticket = await this.findTicket(workspaceId, ticketId);
    if (!ticket || ticket.customer_id !== customerId || ticket.sender_verification !== 'unverified') throw notFound('ticket');
    const now = this.clock.now();
    // The activity log carries it to the agents; nothing else follows from it (no event).
    return this.repo.transaction(workspaceId, async (trx) => {
      const claimed = await this.repo.updateTicket(trx, ticketId, { sender_verification: mine ? 'verified' : 'disputed' });
      await this.repo.insertActivity(trx, {
        ticket_id: ticketId, actor_type: 'customer', actor_id: customerId, action: mine ? 'ticket.sender_confirmed' : 'ticket.sender_disputed', details: {}, created_at: now,
      });
      return claimed;
    });
  }

  async thread(workspaceId: string, ticketId: string, options: { includeNotes: boolean }): Promise<MessageWithAttachments[]> {
    const db = this.repo.in(workspaceId);
    const messages = await this.repo.messages(db, ticketId, options.includeNotes);
    const attachments = await this.repo.attachmentsOf(db, messages.map((m) => m.id));
    return messages.map((m) => ({ ...m, attachments: attachments.filter((a) => a.message_id === m.id) }));
  }

  async attachment(workspaceId: string, id: string) {
    const attachment = await this.repo.attachment(this.repo.in(workspaceId), id);
    if (!attachment) throw notFound('attachment');
    return attachment;
  }

  async inbox(workspaceId: string, agentId: string, query: InboxQuery, teamDepartmentIds: string[] = []) {
    const limit = query.limit ?? 50;
    const sort = query.view === 'breaching' ? 'due' : query.sort ?? 'updated';
    const filter: TicketFilter = { ...query };
    switch (query.view) {
      case 'mine': filter.assigneeId = agentId; break;
      case 'unassigned': filter.assigneeId = null; filter.statuses = query.statuses?.length ? query.statuses : [...ACTIVE_STATUSES]; break;
      case 'team': filter.departmentIds = teamDepartmentIds.filter((id) => !query.departmentIds?.length || query.departmentIds.includes(id)); break;
      case 'breaching': filter.dueBefore = new Date(this.clock.now().getTime() + BREACHING_SOON_MS); break;
      case 'all': break;
    }
    const page: Page = { sort, limit, after: query.cursor ? decodeCursor(query.cursor) : undefined };
    const rows = await this.repo.list(this.repo.in(workspaceId), filter, page).catch((error: { code?: string }) => {
      // A cursor whose values don't read back as the sort's types (hand-edited, or from another sort).
      if (error.code?.startsWith('22')) throw cursorInvalid('The page cursor is not valid; start from the first page');
      throw error;
    });
    const more = rows.length > limit;
    const tickets = rows.slice(0, limit);
    const last = tickets.at(-1);
    return {
      tickets: tickets.map(({ sort_values: _, ...ticket }) => ticket as TicketRow),
      nextCursor: more && last ? encodeCursor({ values: (last.sort_values as string[]), id: last.id }) : null,
    };
  }

  async customerTickets(workspaceId: string, customerId: string, limit = 50) {
    await this.accounts.customer(workspaceId, customerId);
    const rows = await this.repo.list(this.repo.in(workspaceId), { customerId }, { sort: 'updated', limit });
    return rows.slice(0, limit).map(({ sort_values: _, ...ticket }) => ticket as TicketRow);
  }

  activity(workspaceId: string, ticketId: string) {
    return this.repo.activity(this.repo.in(workspaceId), ticketId);
  }

  recentActivityOfCustomer(workspaceId: string, customerId: string, limit = 20) {
    return this.repo.recentActivityOfCustomer(this.repo.in(workspaceId), customerId, limit);
  }

  async linked(workspaceId: string, ticketId: string) {
    await this.ticket(workspaceId, ticketId);
    return this.repo.linked(this.repo.in(workspaceId), ticketId);
  }

  openTicketCounts(workspaceId: string, agentIds: string[]) {
    return this.repo.openTicketCount(this.repo.in(workspaceId), agentIds);
  }

  // ---- writing --------------------------------------------------------------------------

  async addMessage(workspaceId: string, ticketId: string, input: NewMessage, author: TicketActor): Promise<MessageWithAttachments> {
    if (author.type === 'customer' && input.kind === 'note') throw forbidden('Customers cannot write internal notes');
    if (input.externalId) {
      const existing = await this.repo.messageByExternalId(this.repo.in(workspaceId), input.externalId);
      if (existing) return { ...existing, attachments: await this.repo.attachmentsOf(this.repo.in(workspaceId), [existing.id]) };
    }
    const now = this.clock.now();
    const body = this.messageBody(input.body, input.bodyHtml);
    return this.inTransaction(workspaceId, async (trx, events) => {
      const current = await this.lockedTicket(trx, ticketId);
      if (current.status === 'closed') throw ticketErrors.ticketClosed('This ticket is closed; open a new one instead');
      const message = await this.insertMessage(trx, ticketId, {
        kind: input.kind, author_type: author.type === 'customer' ? 'customer' : author.type === 'system' ? 'system' : 'agent',
        author_id: author.id, channel: input.channel ?? current.channel, ...body, external_id: input.externalId ?? null, created_at: now,
      }, input.attachments ?? []);
      const status = input.status && author.type !== 'customer' ? input.status : statusAfterMessage(current.status, author.type, input.kind);
      const patch: TicketPatch = { updated_at: now };
      if (status !== current.status) Object.assign(patch, statusPatch(status, now));
      if (input.kind === 'reply' && author.type === 'customer') patch.last_customer_message_at = now;
      if (input.kind === 'reply' && author.type !== 'customer') {
        patch.last_agent_message_at = now;
        if (!current.first_response_at) patch.first_response_at = now;
      }
      const ticket = await this.repo.updateTicketWithActivity(trx, ticketId, patch, {
        actor_type: author.type, actor_id: author.id, action: input.kind === 'note' ? 'note.added' : 'reply.added',
        details: status !== current.status ? { status: [current.status, status] } : {}, created_at: now,
      });
      events.publish('message.created', workspaceId, {
        ticketId, messageId: message.id, kind: message.kind, authorType: message.author_type, channel: message.channel,
      }, { stream: ticketId });
      if (status !== current.status) publishUpdated(events, workspaceId, ticket, { status: [current.status, status] }, author);
      return message;
    });
  }

  async update(workspaceId: string, ticketId: string, changes: TicketChanges, actor: TicketActor): Promise<TicketRow> {
    const departmentId = changes.departmentId === undefined ? undefined : changes.departmentId;
    if (departmentId) await this.assertDepartment(workspaceId, departmentId);
    if (changes.assigneeId) await this.assertAssignable(workspaceId, changes.assigneeId);
    const now = this.clock.now();
    return this.inTransaction(workspaceId, async (trx, events) => {
      const current = await this.lockedTicket(trx, ticketId);
      const patch: TicketPatch = {};
      const diff: Record<string, [unknown, unknown]> = {};
      const change = <K extends keyof TicketRow>(key: K, value: TicketRow[K] | undefined) => {
        if (value === undefined || JSON.stringify(value) === JSON.stringify(current[key])) return;
        diff[key] = [current[key], value];
        (patch as Record<string, unknown>)[key] = value;
      };
      change('subject', changes.subject === undefined ? undefined : withoutBidiControls(changes.subject));
      change('urgency', changes.urgency);
      change('department_id', departmentId);
      change('assignee_id', changes.assigneeId);
      change('tags', changes.tags ? normalizeTags(changes.tags) : undefined);
      if (changes.customFields && JSON.stringify(changes.customFields) !== JSON.stringify(current.custom_fields)) {
        diff.custom_fields = [current.custom_fields, changes.customFields];
        patch.custom_fields = JSON.stringify(changes.customFields);
      }
      if (changes.status && changes.status !== current.status) {
        diff.status = [current.status, changes.status];
        Object.assign(patch, statusPatch(changes.status, now));
      }
      if (!Object.keys(diff).length) return current;
      patch.updated_at = now;
      const ticket = await this.repo.updateTicketWithActivity(trx, ticketId, patch, { actor_type: actor.type, actor_id: actor.id, action: 'ticket.updated', details: diff, created_at: now });
      publishUpdated(events, workspaceId, ticket, changesForEvent(diff), actor);
      return ticket;
    });
  }

  /**
   * A step another module took on the ticket by itself (triage's automations), in the ticket's
   * activity log; in the caller's transaction when given, so the line commits with what it records.
   */
  async recordActivity(workspaceId: string, ticketId: string, action: string, details: Record<string, unknown>, trx?: Db): Promise<void> {
    await this.repo.insertActivity(trx ?? this.repo.in(workspaceId), {
      ticket_id: ticketId, actor_type: 'system', actor_id: null, action, details, created_at: this.clock.now(),
    });
  }

  /** Each ticket is changed on its own; one that fails is reported and the rest still change. */
  async bulkUpdate(workspaceId: string, ticketIds: string[], changes: TicketChanges, actor: TicketActor) {
    const results: { id: string; ok: boolean; code?: string }[] = [];
    for (const id of ticketIds) {
      try {
        await this.update(workspaceId, id, changes, actor);
        results.push({ id, ok: true });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ id, ok: false, code: error.code });
      }
    }
    return results;
  }

  /** The duplicate's messages move into the surviving ticket; the duplicate stays as a pointer. */
  async merge(workspaceId: string, duplicateId: string, survivorId: string, actor: TicketActor): Promise<TicketRow> {
    if (duplicateId === survivorId) throw ticketErrors.ticketMergeInvalid('A ticket cannot be merged into itself');
    const now = this.clock.now();
    return this.inTransaction(workspaceId, async (trx, events) => {
      const [first, second] = [duplicateId, survivorId].sort();
      await this.lockedTicket(trx, first!);
      await this.lockedTicket(trx, second!);
      const duplicate = await this.lockedTicket(trx, duplicateId);
      const target = await this.lockedTicket(trx, survivorId);
      if (duplicate.merged_into_id || target.merged_into_id) throw ticketErrors.ticketMergeInvalid('One of these tickets was already merged');
      if (duplicate.customer_id !== target.customer_id) throw ticketErrors.ticketMergeInvalid('Only tickets of the same customer can be merged');
      await this.repo.moveMessages(trx, duplicateId, survivorId);
      await this.repo.updateTicket(trx, duplicateId, { merged_into_id: survivorId, ...statusPatch('closed', now), updated_at: now });
      await this.repo.insertActivity(trx, { ticket_id: duplicateId, actor_type: actor.type, actor_id: actor.id, action: 'ticket.merged', details: { into: target.number }, created_at: now });
      await this.repo.insertActivity(trx, { ticket_id: survivorId, actor_type: actor.type, actor_id: actor.id, action: 'ticket.merged_in', details: { from: duplicate.number }, created_at: now });
      events.publish('ticket.merged', workspaceId, { ticketId: duplicateId, intoId: survivorId }, { stream: duplicateId });
      return this.repo.updateTicket(trx, survivorId, { updated_at: now });
    });
  }

  /** One message becomes the first message of a new ticket, for the same customer. */
  async split(workspaceId: string, messageId: string, subject: string | undefined, actor: TicketActor): Promise<TicketRow> {
    const db = this.repo.in(workspaceId);
    const message = await this.repo.message(db, messageId);
    if (!message) throw notFound('message');
    const now = this.clock.now();
    const { number } = await this.nextNumber(workspaceId);
    return this.inTransaction(workspaceId, async (trx, events) => {
      const source = await this.lockedTicket(trx, message.ticket_id);
      // Splitting off the only message would leave an empty ticket behind.
      if (await this.repo.messageCount(trx, source.id) < 2) throw ticketErrors.ticketSplitInvalid('The only message of a ticket cannot be split off');
      const ticket = await this.repo.insertTicket(trx, {
        number, subject: subject === undefined ? source.subject : withoutBidiControls(subject), urgency: source.urgency,
        department_id: source.department_id, customer_id: source.customer_id, channel: message.channel, tags: source.tags,
        custom_fields: JSON.stringify(source.custom_fields), created_at: now, updated_at: now,
        last_customer_message_at: message.author_type === 'customer' ? message.created_at : null,
      });
      await this.repo.moveMessage(trx, messageId, ticket.id);
      await this.repo.link(trx, source.id, ticket.id);
      await this.repo.insertActivity(trx, { ticket_id: ticket.id, actor_type: actor.type, actor_id: actor.id, action: 'ticket.split', details: { from: source.number }, created_at: now });
      await this.repo.updateTicket(trx, source.id, { updated_at: now });
      events.publish('ticket.created', workspaceId, { ticket: ticketEvent(ticket), messageId }, { stream: ticket.id });
      return ticket;
    });
  }

  async link(workspaceId: string, ticketId: string, relatedId: string): Promise<void> {
    if (ticketId === relatedId) throw ticketErrors.ticketLinkInvalid('A ticket cannot be linked to itself');
    await this.ticket(workspaceId, ticketId);
    await this.ticket(workspaceId, relatedId);
    await this.repo.link(this.repo.in(workspaceId), ticketId, relatedId);
  }

  async unlink(workspaceId: string, ticketId: string, relatedId: string): Promise<void> {
    const result = await this.repo.unlink(this.repo.in(workspaceId), ticketId, relatedId);
    if (!result.numDeletedRows) throw notFound('ticket_link');
  }

  /** The customer's rating of a solved ticket; rating again replaces the earlier answer. */
  async rate(workspaceId: string, customerId: string, ticketId: string, rating: number, comment: string | null): Promise<TicketRow> {
    const ticket = await this.customerTicket(workspaceId, customerId, ticketId);
    if (ticket.status !== 'solved' && ticket.status !== 'closed') throw ticketErrors.ticketNotSolved('Only a solved ticket can be rated');
    const now = this.clock.now();
    return this.inTransaction(workspaceId, async (trx, events) => {
      const rated = await this.repo.updateTicket(trx, ticketId, { csat_rating: rating, csat_comment: comment, csat_at: now });
      await this.repo.insertActivity(trx, { ticket_id: ticketId, actor_type: 'customer', actor_id: customerId, action: 'ticket.rated', details: { rating }, created_at: now });
      events.publish('ticket.rated', workspaceId, { ticketId, rating, comment }, { stream: ticketId });
      return rated;
    });
  }

  /**
   * Deadlines come from the SLA module, which owns how they are computed: written in its
   * transaction, with the state they come from; many tickets' in one statement.
   */
  async setDeadlines(workspaceId: string, deadlines: readonly TicketDeadlines[], trx: Db): Promise<void> {
    await this.repo.setDeadlines(trx, deadlines);
  }

  // ---- views and canned replies ---------------------------------------------------------

  savedViews(workspaceId: string, agentId: string) {
    return this.repo.savedViews(this.repo.in(workspaceId), agentId);
  }

  async saveView(workspaceId: string, agentId: string, name: string, filters: Record<string, unknown>, shared: boolean) {
    // A view may only name the workspace's own departments: another workspace's id is refused, never stored.
    const departmentIds = Array.isArray(filters.departmentId) ? filters.departmentId : [];
    if (departmentIds.length) {
      const own = new Set((await this.departments(workspaceId)).map((d) => d.id));
      if (departmentIds.some((id) => !own.has(id))) throw notFound('department');
    }
    return this.repo.insertSavedView(this.repo.in(workspaceId), { agent_id: shared ? null : agentId, name, filters });
  }

  async deleteView(workspaceId: string, agentId: string, id: string) {
    const result = await this.repo.deleteSavedView(this.repo.in(workspaceId), id, agentId);
    if (!result.numDeletedRows) throw notFound('saved_view');
  }

  cannedReplies(workspaceId: string) {
    return this.repo.cannedReplies(this.repo.in(workspaceId));
  }

  addCannedReply(workspaceId: string, input: { title: string; body: string; locale: Locale | null }) {
    return this.repo.insertCannedReply(this.repo.in(workspaceId), input);
  }

  async updateCannedReply(workspaceId: string, id: string, patch: { title?: string; body?: string; locale?: Locale | null }) {
    const row = await this.repo.updateCannedReply(this.repo.in(workspaceId), id, patch);
    if (!row) throw notFound('canned_reply');
    return row;
  }

  async deleteCannedReply(workspaceId: string, id: string) {
    const result = await this.repo.deleteCannedReply(this.repo.in(workspaceId), id);
    if (!result.numDeletedRows) throw notFound('canned_reply');
  }

  // ---- helpers --------------------------------------------------------------------------

  /**
   * A transaction whose events commit with it. Inside replayable work (core/jobs/replayable.ts)
   * the commit does not wait for the disk (core/db/database.ts).
   */
  private inTransaction<T>(workspaceId: string, work: (trx: Db, events: EventWriter) => Promise<T>): Promise<T> {
    return this.bus.transaction(this.repo.in(workspaceId), work);
  }

  private messageBody(text: string, html: string | undefined): { body_text: string; body_html: string | null } {
    if (html === undefined) return { body_text: text, body_html: null };
    const clean = sanitizeUserHtml(html);
    return { body_text: text.trim() ? text : htmlToText(clean), body_html: clean };
  }

  private async insertMessage(trx: Db, ticketId: string, values: Omit<Parameters<TicketsRepo['insertMessage']>[1], 'ticket_id'>, files: StoredFile[]) {
    const message = await this.repo.insertMessage(trx, { ...values, ticket_id: ticketId });
    if (!message) throw ticketErrors.messageDuplicate('A message with this id was already received');
    return { ...message, attachments: await this.insertAttachments(trx, message.id, files) };
  }

  private insertAttachments(trx: Db, messageId: string, files: StoredFile[]) {
    return this.repo.insertAttachments(trx, files.map((f) => ({
      message_id: messageId, filename: f.filename, content_type: f.contentType, size_bytes: f.sizeBytes, sha256: f.sha256, storage_key: f.storageKey,
    })));
  }

  /**
   * Numbers are taken in a statement of their own, not inside the ticket's transaction: the
   * counter row is locked only for that statement, so tickets of one workspace are no longer
   * created one at a time. A ticket whose transaction fails leaves a gap in the numbers. The
   * department is looked up in the same statement; an unknown one takes no number.
   */
  private async nextNumber(workspaceId: string, departmentKey?: string): Promise<{ number: number; departmentId: string | null }> {
    const taken = await this.takeNumber(JSON.stringify([workspaceId, departmentKey ?? null]));
    if (!taken && departmentKey !== undefined) throw ticketErrors.departmentUnknown(`There is no department "${departmentKey}"`, { department: departmentKey });
    if (!taken) throw notFound('ticket_settings');
    return taken;
  }

  /**
   * Tickets of one workspace (and department key) opened while its counter's statement is on its
   * way share the next one: under load, one statement numbers everyone who queued behind it
   * (core/coalesce.ts), in the order they asked.
   */
  private readonly takeNumber = coalesced(async (key: string, count: number) => {
    const [workspaceId, departmentKey] = JSON.parse(key) as [string, string | null];
    // Taken for good at once (a number lost with a failed ticket is a gap, nothing more): the
    // counter's row is locked for this statement only, even when the ticket is opened inside a
    // longer transaction (a mail processed in one, core/db/database.ts), which would otherwise
    // hold back every other ticket of the workspace until it commits. Its commit never waits for
    // the disk (the statement says so itself): a number lost in a crash is a gap too.
    const taken = await outsideOneTransaction(() => this.repo.nextNumbers(this.repo.in(workspaceId), departmentKey ?? undefined, count));
    return Array.from({ length: count }, (_, i) => taken && { number: taken.last - count + 1 + i, departmentId: taken.departmentId });
  });

  private async lockedTicket(trx: Db, id: string): Promise<TicketRow> {
    const ticket = await this.repo.ticketForUpdate(trx, id);
    if (!ticket) throw notFound('ticket');
    return ticket;
  }

  private async assertDepartment(workspaceId: string, id: string): Promise<void> {
    if (!(await this.departments(workspaceId)).some((d) => d.id === id)) throw ticketErrors.departmentUnknown('There is no such department');
  }

  private async assertAssignable(workspaceId: string, agentId: string): Promise<void> {
    const agent = await this.accounts.findAgent(workspaceId, agentId);
    if (!agent || agent.disabled_at) throw ticketErrors.assigneeUnknown('Tickets can only be assigned to active agents of this workspace');
  }
}

function publishUpdated(events: EventWriter, workspaceId: string, ticket: TicketRow, changes: TicketChangesEvent, actor: TicketActor): void {
  const summary = ticketEvent(ticket);
  events.publish('ticket.updated', workspaceId, { ticket: summary, changes, actor: { type: actor.type, id: actor.id } }, { stream: ticket.id });
  if (changes.status?.[1] === 'solved') events.publish('ticket.solved', workspaceId, { ticket: summary }, { stream: ticket.id });
}

/** The activity log's diff (column names) as the event reports it (the ticket's own field names). */
function changesForEvent(diff: Record<string, [unknown, unknown]>): TicketChangesEvent {
  const names: Record<string, keyof TicketChangesEvent> = {
    status: 'status', urgency: 'urgency', department_id: 'departmentId', assignee_id: 'assigneeId', tags: 'tags',
    custom_fields: 'customFields', subject: 'subject',
  };
  return Object.fromEntries(Object.entries(diff).map(([column, change]) => [names[column]!, change])) as TicketChangesEvent;
}

function statusPatch(status: TicketStatus, now: Date): TicketPatch {
  return { status, solved_at: status === 'solved' || status === 'closed' ? now : null };
}

function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
}

/** What events carry about a ticket: enough for listeners, never message bodies. */
export function ticketEvent(ticket: TicketRow) {
  return {
    id: ticket.id, number: ticket.number, subject: ticket.subject, status: ticket.status, urgency: ticket.urgency,
    departmentId: ticket.department_id, assigneeId: ticket.assignee_id, customerId: ticket.customer_id, channel: ticket.channel,
    createdAt: ticket.created_at.toISOString(), updatedAt: ticket.updated_at.toISOString(),
  };
}

function encodeCursor(cursor: { values: (string | number)[]; id: string }): string {
  return Buffer.from(JSON.stringify([cursor.values, cursor.id])).toString('base64url');
}

function decodeCursor(cursor: string): { values: (string | number)[]; id: string } {
  try {
    const [values, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    const valid = Array.isArray(values) && values.length <= 3 && values.every((v) => typeof v === 'string' || typeof v === 'number');
    if (valid && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { values: values as (string | number)[], id };
  } catch {
    // fall through to the error below
  }
  throw cursorInvalid('The page cursor is not valid; start from the first page');
}
