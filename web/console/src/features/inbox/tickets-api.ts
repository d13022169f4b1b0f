/**
 * The tickets API as the inbox uses it (GET/PATCH /api/v1/tickets …, see /openapi.json). The shapes
 * are the server's response schemas (src/contracts/tickets.ts) as JSON carries them; every body is
 * checked for the fields the console relies on before it reaches a component.
 */
import type { AgentWire } from '@contracts/accounts.js';
import { CHANNELS, INBOX_SORTS, INBOX_VIEWS, SENDER_VERIFICATIONS, TICKET_STATUSES, URGENCY_LEVELS } from '@contracts/enums.js';
import type {
  AttachmentLimitsWire, AttachmentWire, BulkResultWire, CannedReplyWire, Channel, CustomerProfileWire, DepartmentWire, InboxSort, InboxView,
  MessageWire, NewMessageBody, SavedViewWire, TicketChangesBody, TicketStatus, TicketWire, Urgency, UrgencyNamesWire, ViewFiltersBody,
} from '@contracts/tickets.js';
import { ApiError, isRecord, request } from '../../api/http.js';

export { TICKET_STATUSES as STATUSES, URGENCY_LEVELS as URGENCIES, CHANNELS, INBOX_VIEWS as VIEWS, INBOX_SORTS as SORTS };
export type { Channel, InboxSort, InboxView, TicketStatus, Urgency };
/** Somebody still owes the customer something. */
export const UNSOLVED: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];

/** A ticket as the inbox reads it: custom fields and the last-message times stay on the server. */
export type Ticket = Omit<TicketWire, 'customFields' | 'lastCustomerMessageAt' | 'lastAgentMessageAt'>;
export type Attachment = AttachmentWire;
/** Plain text only: the console never renders message HTML. */
export type Message = Omit<MessageWire, 'bodyHtml'>;
export type AgentSummary = Required<Pick<AgentWire, 'id' | 'name' | 'email' | 'disabled'>>;
export type Department = DepartmentWire;
export type UrgencyNames = UrgencyNamesWire;
export type CannedReply = CannedReplyWire;
export type Customer = CustomerProfileWire;
/** What the inbox list asks for; the same fields a saved view stores (every one set). */
export type InboxFilters = Required<ViewFiltersBody>;
export type SavedView = Omit<SavedViewWire, 'filters'> & { filters: InboxFilters };
export type TicketChanges = Pick<TicketChangesBody, 'status' | 'urgency' | 'departmentId' | 'assigneeId' | 'tags'>;
export type BulkResult = BulkResultWire;
export type AttachmentLimits = AttachmentLimitsWire;

// ---- reading ---------------------------------------------------------------------------------

export function inboxQuery(filters: InboxFilters, options: { cursor?: string | null; limit?: number } = {}): string {
  const params = new URLSearchParams({ view: filters.view, sort: filters.sort });
  for (const status of filters.status) params.append('status', status);
  for (const urgency of filters.urgency) params.append('urgency', String(urgency));
  for (const id of filters.departmentId) params.append('departmentId', id);
  if (filters.tag.trim()) params.set('tag', filters.tag.trim().toLowerCase());
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (options.cursor) params.set('cursor', options.cursor);
  params.set('limit', String(options.limit ?? 50));
  return params.toString();
}

export async function listTickets(filters: InboxFilters, options: { cursor?: string | null; limit?: number } = {}) {
  const body = await request('GET', `/api/v1/tickets?${inboxQuery(filters, options)}`);
  if (!isRecord(body) || !Array.isArray(body.tickets)) throw unexpected('ticket list');
  return { tickets: body.tickets.map(parseTicket), nextCursor: typeof body.nextCursor === 'string' ? body.nextCursor : null };
}

export async function ticketByNumber(number: number): Promise<Ticket> {
  return parseTicket(await request('GET', `/api/v1/tickets/by-number/${number}`));
}

export async function ticketById(id: string): Promise<Ticket> {
  return parseTicket(await request('GET', `/api/v1/tickets/${encodeURIComponent(id)}`));
}

/** A ticket linked to another ("related"), as the links list shows it. */
export interface LinkedTicket { id: string; number: number; subject: string; status: TicketStatus }

export async function ticketLinks(id: string): Promise<LinkedTicket[]> {
  const body = await request('GET', `/api/v1/tickets/${encodeURIComponent(id)}/links`);
  if (!isRecord(body) || !Array.isArray(body.links)) throw unexpected('links');
  return body.links.filter(isRecord).map((l) => ({ id: String(l.id), number: Number(l.number), subject: String(l.subject), status: l.status as TicketStatus }));
}

/** Tickets whose number or subject matches what an agent typed, newest activity first, any status. */
export async function findTickets(q: string, limit = 8): Promise<Ticket[]> {
  const params = new URLSearchParams({ view: 'all', sort: 'updated', q, limit: String(limit) });
  const body = await request('GET', `/api/v1/tickets?${params.toString()}`);
  if (!isRecord(body) || !Array.isArray(body.tickets)) throw unexpected('ticket list');
  return body.tickets.map(parseTicket);
}

/** One entry of a ticket's activity log; `details` of `ticket.updated` map each changed field (snake_case) to [before, after]. */
export interface ActivityEntry { id: number; action: string; actorType: string; actorId: string | null; details: Record<string, unknown>; createdAt: string }

export async function ticketActivity(id: string): Promise<ActivityEntry[]> {
  const body = await request('GET', `/api/v1/tickets/${encodeURIComponent(id)}/activity`);
  if (!isRecord(body) || !Array.isArray(body.activity)) throw unexpected('activity');
  return body.activity.filter(isRecord).map((a) => ({
    id: Number(a.id), action: String(a.action), actorType: String(a.actorType), actorId: typeof a.actorId === 'string' ? a.actorId : null,
    details: isRecord(a.details) ? a.details : {}, createdAt: String(a.createdAt),
  }));
}

export async function ticketMessages(id: string): Promise<Message[]> {
  const body = await request('GET', `/api/v1/tickets/${encodeURIComponent(id)}/messages`);
  if (!isRecord(body) || !Array.isArray(body.messages)) throw unexpected('messages');
  return body.messages.map(parseMessage);
}

export async function customer(id: string): Promise<Customer> {
  const body = await request('GET', `/api/v1/customers/${encodeURIComponent(id)}`);
  if (!isRecord(body) || typeof body.id !== 'string' || typeof body.name !== 'string' || typeof body.email !== 'string') throw unexpected('customer');
  const activity = Array.isArray(body.recentActivity) ? body.recentActivity.filter(isRecord) : [];
  return {
    id: body.id,
    name: body.name,
    email: body.email,
    locale: body.locale === 'en' || body.locale === 'zh-CN' ? body.locale : null,
    createdAt: String(body.createdAt),
    recentActivity: activity.map((a) => ({
      action: String(a.action),
      at: String(a.at),
      ticketId: String(a.ticketId),
      ticketNumber: Number(a.ticketNumber),
      ticketSubject: String(a.ticketSubject),
    })),
  };
}

export async function customerTickets(id: string): Promise<Ticket[]> {
  const body = await request('GET', `/api/v1/customers/${encodeURIComponent(id)}/tickets`);
  if (!isRecord(body) || !Array.isArray(body.tickets)) throw unexpected('customer tickets');
  return body.tickets.map(parseTicket);
}

export async function agents(): Promise<AgentSummary[]> {
  const body = await request('GET', '/api/v1/agents');
  if (!isRecord(body) || !Array.isArray(body.agents)) throw unexpected('agents');
  return body.agents.filter(isRecord).map((a) => ({
    id: String(a.id),
    name: String(a.name),
    email: String(a.email),
    disabled: a.disabled === true,
  }));
}

export async function departments(): Promise<Department[]> {
  const body = await request('GET', '/api/v1/departments');
  if (!isRecord(body) || !Array.isArray(body.departments)) throw unexpected('departments');
  return body.departments.filter(isRecord).map((d) => ({
    id: String(d.id),
    key: String(d.key),
    name: isRecord(d.name) ? Object.fromEntries(Object.entries(d.name).map(([k, v]) => [k, String(v)])) : {},
  }));
}

export async function urgencyNames(): Promise<UrgencyNames> {
  const body = await request('GET', '/api/v1/ticket-settings');
  const names = isRecord(body) && isRecord(body.urgencyNames) ? body.urgencyNames : undefined;
  const list = (value: unknown) => (Array.isArray(value) && value.length === 5 ? value.map(String) as UrgencyNames['en'] : null);
  const en = list(names?.en);
  const zh = list(names?.['zh-CN']);
  if (!en || !zh) throw unexpected('ticket settings');
  return { en, 'zh-CN': zh };
}

export async function cannedReplies(): Promise<CannedReply[]> {
  const body = await request('GET', '/api/v1/canned-replies');
  if (!isRecord(body) || !Array.isArray(body.cannedReplies)) throw unexpected('canned replies');
  return body.cannedReplies.filter(isRecord).map((c) => ({
    id: String(c.id),
    title: String(c.title),
    body: String(c.body),
    locale: c.locale === 'en' || c.locale === 'zh-CN' ? c.locale : null,
  }));
}

export async function savedViews(): Promise<SavedView[]> {
  const body = await request('GET', '/api/v1/views');
  if (!isRecord(body) || !Array.isArray(body.views)) throw unexpected('saved views');
  return body.views.filter(isRecord).map((v) => ({
    id: String(v.id),
    name: String(v.name),
    shared: v.shared === true,
    filters: filtersFromSaved(v.filters),
  }));
}

// ---- writing ---------------------------------------------------------------------------------

export async function updateTicket(id: string, changes: TicketChanges): Promise<Ticket> {
  return parseTicket(await request('PATCH', `/api/v1/tickets/${encodeURIComponent(id)}`, { body: changes }));
}

export async function bulkUpdate(ids: string[], changes: TicketChanges): Promise<BulkResult[]> {
  const body = await request('POST', '/api/v1/tickets/bulk', { body: { ids, changes } });
  if (!isRecord(body) || !Array.isArray(body.results)) throw unexpected('bulk results');
  return body.results.filter(isRecord).map((r) => ({
    id: String(r.id),
    ok: r.ok === true,
    code: typeof r.code === 'string' ? r.code : undefined,
  }));
}

export async function linkTicket(id: string, relatedId: string): Promise<void> {
  await request('POST', `/api/v1/tickets/${encodeURIComponent(id)}/links`, { body: { relatedId } });
}

export async function unlinkTicket(id: string, relatedId: string): Promise<void> {
  await request('DELETE', `/api/v1/tickets/${encodeURIComponent(id)}/links/${encodeURIComponent(relatedId)}`);
}

/** Moves this ticket's conversation into another of the same customer; this one is closed as merged. */
export async function mergeTicket(id: string, intoId: string): Promise<Ticket> {
  return parseTicket(await request('POST', `/api/v1/tickets/${encodeURIComponent(id)}/merge`, { body: { intoId } }));
}

/** One message becomes the first of a new ticket, linked to this one. */
export async function splitMessage(messageId: string, subject: string): Promise<Ticket> {
  return parseTicket(await request('POST', `/api/v1/messages/${encodeURIComponent(messageId)}/split`, { body: subject.trim() ? { subject: subject.trim() } : {} }));
}

/**
 * A reply or note: JSON, or multipart to `…/messages/multipart` when files are attached (the
 * server checks each file's type and size and stores nothing if one fails).
 */
export async function postMessage(ticketId: string, input: Pick<NewMessageBody, 'kind' | 'body' | 'status'>, files: readonly File[] = []): Promise<Message> {
  const path = `/api/v1/tickets/${encodeURIComponent(ticketId)}/messages`;
  if (!files.length) return parseMessage(await request('POST', path, { body: input }));
  const form = new FormData();
  // Text fields before the files, so the server has them before it streams the first file.
  form.append('kind', input.kind);
  form.append('body', input.body);
  if (input.status) form.append('status', input.status);
  for (const file of files) form.append('files', file, file.name);
  return parseMessage(await request('POST', `${path}/multipart`, { body: form }));
}

let limitsRequest: Promise<AttachmentLimits | null> | null = null;

/** What the server accepts, asked once per session; null if it could not be asked (the server still checks). */
export function attachmentLimits(): Promise<AttachmentLimits | null> {
  limitsRequest ??= request('GET', '/api/v1/attachment-limits').then((body) => {
    if (!isRecord(body) || typeof body.maxBytes !== 'number' || typeof body.maxFiles !== 'number' || !Array.isArray(body.extensions)) return null;
    return { maxBytes: body.maxBytes, maxFiles: body.maxFiles, extensions: body.extensions.map((e) => String(e).toLowerCase()) };
  }, () => {
    limitsRequest = null; // ask again next time
    return null;
  });
  return limitsRequest;
}

/** Why a chosen file can't be attached, before anything is sent; the codes are the server's. */
export interface AttachmentProblem {
  code: 'ATTACHMENT_TOO_LARGE' | 'ATTACHMENT_TYPE_FORBIDDEN' | 'ATTACHMENT_TOO_MANY';
  filename: string;
}

/**
 * Splits newly chosen files into those that pass the server's limits and the first problem.
 * Only a convenience: the server decides, and refuses the whole message if any file fails.
 */
export function checkAttachments<T extends { name: string; size: number }>(chosen: readonly T[], added: readonly T[], limits: AttachmentLimits | null): { accepted: T[]; problem: AttachmentProblem | null } {
  const accepted: T[] = [];
  let problem: AttachmentProblem | null = null;
  for (const file of added) {
    const extension = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase();
    if (limits && (!extension || !limits.extensions.includes(extension))) problem ??= { code: 'ATTACHMENT_TYPE_FORBIDDEN', filename: file.name };
    else if (limits && file.size > limits.maxBytes) problem ??= { code: 'ATTACHMENT_TOO_LARGE', filename: file.name };
    else if (limits && chosen.length + accepted.length >= limits.maxFiles) problem ??= { code: 'ATTACHMENT_TOO_MANY', filename: file.name };
    else accepted.push(file);
  }
  return { accepted, problem };
}

export async function saveView(name: string, filters: InboxFilters, shared: boolean): Promise<SavedView> {
  const body = await request('POST', '/api/v1/views', { body: { name, filters: savedFilters(filters), shared } });
  if (!isRecord(body) || typeof body.id !== 'string') throw unexpected('saved view');
  return { id: body.id, name: String(body.name), shared: body.shared === true, filters: filtersFromSaved(body.filters) };
}

export async function deleteView(id: string): Promise<void> {
  await request('DELETE', `/api/v1/views/${encodeURIComponent(id)}`);
}

// ---- shapes ----------------------------------------------------------------------------------

export const DEFAULT_FILTERS: InboxFilters = { view: 'mine', status: [...UNSOLVED], urgency: [], departmentId: [], tag: '', q: '', sort: 'updated' };

/** What POST /views stores: only the fields that narrow the list. */
export function savedFilters(filters: InboxFilters): ViewFiltersBody {
  const out: ViewFiltersBody = { view: filters.view, sort: filters.sort };
  if (filters.status.length) out.status = filters.status;
  if (filters.urgency.length) out.urgency = filters.urgency;
  if (filters.departmentId.length) out.departmentId = filters.departmentId;
  if (filters.tag.trim()) out.tag = filters.tag.trim().toLowerCase();
  if (filters.q.trim()) out.q = filters.q.trim();
  return out;
}

export function filtersFromSaved(value: unknown): InboxFilters {
  const f = isRecord(value) ? value : {};
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  return {
    view: (INBOX_VIEWS as readonly unknown[]).includes(f.view) ? (f.view as InboxView) : 'all',
    status: list(f.status).filter((s): s is TicketStatus => (TICKET_STATUSES as readonly unknown[]).includes(s)),
    urgency: list(f.urgency).map(Number).filter((u): u is Urgency => (URGENCY_LEVELS as readonly number[]).includes(u)),
    departmentId: list(f.departmentId).filter((d): d is string => typeof d === 'string'),
    tag: typeof f.tag === 'string' ? f.tag : '',
    q: typeof f.q === 'string' ? f.q : '',
    sort: (INBOX_SORTS as readonly unknown[]).includes(f.sort) ? (f.sort as InboxSort) : 'updated',
  };
}

const isDateString = (v: unknown): v is string => typeof v === 'string';
const dateOrNull = (v: unknown): string | null => (isDateString(v) ? v : null);

export function parseTicket(body: unknown): Ticket {
  if (
    !isRecord(body) ||
    typeof body.id !== 'string' ||
    typeof body.number !== 'number' ||
    typeof body.subject !== 'string' ||
    !(TICKET_STATUSES as readonly unknown[]).includes(body.status) ||
    !(URGENCY_LEVELS as readonly unknown[]).includes(body.urgency) ||
    typeof body.customerId !== 'string'
  ) {
    throw unexpected('ticket');
  }
  const csat = isRecord(body.csat) && typeof body.csat.rating === 'number'
    ? { rating: body.csat.rating, comment: typeof body.csat.comment === 'string' ? body.csat.comment : null, at: String(body.csat.at) }
    : null;
  return {
    id: body.id,
    number: body.number,
    subject: body.subject,
    status: body.status as TicketStatus,
    urgency: body.urgency as Urgency,
    departmentId: typeof body.departmentId === 'string' ? body.departmentId : null,
    assigneeId: typeof body.assigneeId === 'string' ? body.assigneeId : null,
    customerId: body.customerId,
    channel: (CHANNELS as readonly unknown[]).includes(body.channel) ? (body.channel as Channel) : 'api',
    tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
    mergedIntoId: typeof body.mergedIntoId === 'string' ? body.mergedIntoId : null,
    firstResponseAt: dateOrNull(body.firstResponseAt),
    firstResponseDueAt: dateOrNull(body.firstResponseDueAt),
    nextResponseDueAt: dateOrNull(body.nextResponseDueAt),
    resolutionDueAt: dateOrNull(body.resolutionDueAt),
    solvedAt: dateOrNull(body.solvedAt),
    csat,
    senderVerification: (SENDER_VERIFICATIONS as readonly unknown[]).includes(body.senderVerification) ? (body.senderVerification as Ticket['senderVerification']) : 'verified',
    createdAt: String(body.createdAt),
    updatedAt: String(body.updatedAt),
  };
}

export function parseMessage(body: unknown): Message {
  if (
    !isRecord(body) ||
    typeof body.id !== 'string' ||
    (body.kind !== 'reply' && body.kind !== 'note') ||
    typeof body.bodyText !== 'string'
  ) {
    throw unexpected('message');
  }
  const authorType = body.authorType === 'customer' || body.authorType === 'system' ? body.authorType : 'agent';
  return {
    id: body.id,
    ticketId: String(body.ticketId),
    kind: body.kind,
    authorType,
    authorId: typeof body.authorId === 'string' ? body.authorId : null,
    channel: (CHANNELS as readonly unknown[]).includes(body.channel) ? (body.channel as Channel) : 'api',
    // Plain text only: the console never renders message HTML.
    bodyText: body.bodyText,
    createdAt: String(body.createdAt),
    attachments: (Array.isArray(body.attachments) ? body.attachments : []).filter(isRecord).map((a) => ({
      id: String(a.id),
      filename: String(a.filename),
      contentType: String(a.contentType),
      sizeBytes: Number(a.sizeBytes),
      url: String(a.url),
    })),
  };
}

function unexpected(what: string): ApiError {
  return new ApiError('UNKNOWN', 200, `unexpected ${what} body from the server`);
}
