/**
 * The mail settings' REST calls: the outbox (src/modules/mail/README.md, "Outbound mail"), support
 * addresses, IMAP mailboxes and parked inbound mail (the inbound side's routes). Bodies are checked
 * for the fields the screens rely on before they reach a component.
 */
import { ApiError, isRecord, request } from '../../api/http.js';

export const OUTBOX_STATUSES = ['held', 'queued', 'sending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxMail {
  id: string;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  status: OutboxStatus;
  ticketId: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  sentAt: string | null;
  lastError: string | null;
  createdAt: string;
}

export interface OutboxAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  outcome: 'sent' | 'transient' | 'permanent' | 'unknown';
  smtpCode: number | null;
  response: string | null;
}

export interface OutboxMailDetail extends OutboxMail {
  replyTo: string | null;
  inReplyTo: string | null;
  references: string[];
  text: string;
  attachmentIds: string[];
  history: OutboxAttempt[];
}

export interface OutboxPage {
  mails: OutboxMail[];
  nextCursor: string | null;
  smtpConfigured: boolean;
}

const unexpected = (what: string) => new ApiError('UNEXPECTED_RESPONSE', 0, `unexpected ${what} response`);
const str = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

function outboxMail(m: Record<string, unknown>): OutboxMail {
  const status = OUTBOX_STATUSES.find((s) => s === m.status);
  if (!status) throw unexpected('outbox');
  return {
    id: str(m.id), messageId: str(m.messageId), from: str(m.from), to: str(m.to), subject: str(m.subject), status,
    ticketId: strOrNull(m.ticketId), attempts: Number(m.attempts ?? 0), nextAttemptAt: strOrNull(m.nextAttemptAt),
    sentAt: strOrNull(m.sentAt), lastError: strOrNull(m.lastError), createdAt: str(m.createdAt),
  };
}

export async function outbox(query: { status?: OutboxStatus; recipient?: string; cursor?: string }): Promise<OutboxPage> {
  const params = new URLSearchParams({ limit: '50' });
  if (query.status) params.set('status', query.status);
  if (query.recipient) params.set('recipient', query.recipient);
  if (query.cursor) params.set('cursor', query.cursor);
  const body = await request('GET', `/api/v1/mail/outbox?${params}`);
  if (!isRecord(body) || !Array.isArray(body.mails)) throw unexpected('outbox');
  return { mails: body.mails.filter(isRecord).map(outboxMail), nextCursor: strOrNull(body.nextCursor), smtpConfigured: body.smtpConfigured === true };
}

export async function outboxMailDetail(id: string): Promise<OutboxMailDetail> {
  const body = await request('GET', `/api/v1/mail/outbox/${encodeURIComponent(id)}`);
  if (!isRecord(body) || !Array.isArray(body.history)) throw unexpected('outbox mail');
  return {
    ...outboxMail(body), replyTo: strOrNull(body.replyTo), inReplyTo: strOrNull(body.inReplyTo),
    references: Array.isArray(body.references) ? body.references.map(str) : [], text: str(body.text),
    attachmentIds: Array.isArray(body.attachmentIds) ? body.attachmentIds.map(str) : [],
    history: body.history.filter(isRecord).map((a) => ({
      attempt: Number(a.attempt), startedAt: str(a.startedAt), durationMs: Number(a.durationMs ?? 0),
      outcome: (['sent', 'transient', 'permanent', 'unknown'] as const).find((o) => o === a.outcome) ?? 'unknown',
      smtpCode: numOrNull(a.smtpCode), response: strOrNull(a.response),
    })),
  };
}

export async function retryOutboxMail(id: string): Promise<void> {
  await request('POST', `/api/v1/mail/outbox/${encodeURIComponent(id)}/retry`);
}

export async function releaseHeld(): Promise<number> {
  const body = await request('POST', '/api/v1/mail/outbox/release-held');
  return isRecord(body) ? Number(body.released ?? 0) : 0;
}

// ---- support addresses --------------------------------------------------------------------

export type ContentLocale = 'en' | 'zh-CN';

export interface SupportAddress {
  id: string;
  address: string;
  displayName: string | null;
  departmentId: string | null;
  locale: ContentLocale | null;
}

export interface Department {
  id: string;
  name: Record<string, string>;
}

const localeOf = (value: unknown): ContentLocale | null => (value === 'en' || value === 'zh-CN' ? value : null);

export async function supportAddresses(): Promise<SupportAddress[]> {
  const body = await request('GET', '/api/v1/mail/addresses');
  if (!isRecord(body) || !Array.isArray(body.addresses)) throw unexpected('addresses');
  return body.addresses.filter(isRecord).map((a) => ({
    id: str(a.id), address: str(a.address), displayName: strOrNull(a.displayName), departmentId: strOrNull(a.departmentId), locale: localeOf(a.locale),
  }));
}

export async function addSupportAddress(input: { address: string; displayName: string | null; departmentId: string | null; locale: ContentLocale | null }): Promise<void> {
  await request('POST', '/api/v1/mail/addresses', { body: input });
}

export async function removeSupportAddress(id: string): Promise<void> {
  await request('DELETE', `/api/v1/mail/addresses/${encodeURIComponent(id)}`);
}

export async function departments(): Promise<Department[]> {
  const body = await request('GET', '/api/v1/departments');
  if (!isRecord(body) || !Array.isArray(body.departments)) throw unexpected('departments');
  return body.departments.filter(isRecord).map((d) => ({
    id: str(d.id), name: isRecord(d.name) ? Object.fromEntries(Object.entries(d.name).map(([k, v]) => [k, str(v)])) : {},
  }));
}

// ---- IMAP mailboxes -----------------------------------------------------------------------

export type MailboxTls = 'implicit' | 'starttls' | 'none';

export interface Mailbox {
  id: string;
  name: string;
  host: string;
  port: number;
  tls: MailboxTls;
  username: string;
  folder: string;
  enabled: boolean;
  lastPolledAt: string | null;
  lastError: string | null;
}

export interface NewMailbox {
  name: string;
  host: string;
  port: number;
  tls: MailboxTls;
  username: string;
  password: string;
  folder: string;
}

export async function mailboxes(): Promise<Mailbox[]> {
  const body = await request('GET', '/api/v1/mail/mailboxes');
  if (!isRecord(body) || !Array.isArray(body.mailboxes)) throw unexpected('mailboxes');
  return body.mailboxes.filter(isRecord).map((m) => ({
    id: str(m.id), name: str(m.name), host: str(m.host), port: Number(m.port), username: str(m.username), folder: str(m.folder),
    tls: m.tls === 'starttls' || m.tls === 'none' ? m.tls : 'implicit', enabled: m.enabled === true,
    lastPolledAt: strOrNull(m.lastPolledAt), lastError: strOrNull(m.lastError),
  }));
}

export async function addMailbox(input: NewMailbox): Promise<void> {
  await request('POST', '/api/v1/mail/mailboxes', { body: input });
}

export async function setMailboxEnabled(id: string, enabled: boolean): Promise<void> {
  await request('PATCH', `/api/v1/mail/mailboxes/${encodeURIComponent(id)}`, { body: { enabled } });
}

export async function removeMailbox(id: string): Promise<void> {
  await request('DELETE', `/api/v1/mail/mailboxes/${encodeURIComponent(id)}`);
}

// ---- parked inbound mail ------------------------------------------------------------------

export interface ParkedMail {
  id: string;
  from: string | null;
  subject: string | null;
  reason: string | null;
  attempts: number;
  receivedAt: string;
}

export async function parkedMail(cursor?: string): Promise<{ messages: ParkedMail[]; nextCursor: string | null }> {
  const params = new URLSearchParams({ status: 'parked', limit: '50' });
  if (cursor) params.set('cursor', cursor);
  const body = await request('GET', `/api/v1/mail/inbound?${params}`);
  if (!isRecord(body) || !Array.isArray(body.messages)) throw unexpected('inbound');
  return {
    messages: body.messages.filter(isRecord).map((m) => ({
      id: str(m.id), from: strOrNull(m.from) ?? strOrNull(m.envelopeFrom), subject: strOrNull(m.subject), reason: strOrNull(m.reason),
      attempts: Number(m.attempts ?? 0), receivedAt: str(m.receivedAt),
    })),
    nextCursor: strOrNull(body.nextCursor),
  };
}

export async function retryParked(id: string): Promise<void> {
  await request('POST', `/api/v1/mail/inbound/${encodeURIComponent(id)}/retry`);
}
