/**
 * The mail settings' REST calls: the outbox (src/modules/mail/README.md, "Outbound mail"), support
 * addresses, IMAP mailboxes and parked inbound mail (the inbound side's routes). Bodies are checked
 * for the fields the screens rely on before they reach a component.
 */
import type {
  AddressWire, InboundSummaryWire, MailboxPatchBody, MailboxWire, NewAddressBody, NewMailboxBody,
  OutboxAttemptWire, OutboxMailDetailWire, OutboxMailWire, OutboxPageWire, OutboxStatus, ReleasedWire,
} from '@contracts/mail.js';
import { ApiError, isRecord, request } from '../../api/http.js';

export { OUTBOX_STATUSES } from '@contracts/enums.js';
export type { OutboxStatus };
export type OutboxMail = OutboxMailWire;
export type OutboxAttempt = OutboxAttemptWire;
export type OutboxMailDetail = OutboxMailDetailWire;
export type OutboxPage = OutboxPageWire;

const unexpected = (what: string) => new ApiError('UNEXPECTED_RESPONSE', 0, `unexpected ${what} response`);
const str = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export async function outbox(query: { status?: OutboxStatus; recipient?: string; cursor?: string }): Promise<OutboxPage> {
  const params = new URLSearchParams({ limit: '50' });
  if (query.status) params.set('status', query.status);
  if (query.recipient) params.set('recipient', query.recipient);
  if (query.cursor) params.set('cursor', query.cursor);
  const body = await request('GET', `/api/v1/mail/outbox?${params}`);
  if (!isRecord(body) || !Array.isArray(body.mails)) throw unexpected('outbox');
  return body as unknown as OutboxPage;
}

export async function outboxMailDetail(id: string): Promise<OutboxMailDetail> {
  const body = await request('GET', `/api/v1/mail/outbox/${encodeURIComponent(id)}`);
  if (!isRecord(body) || !Array.isArray(body.history)) throw unexpected('outbox mail');
  return body as unknown as OutboxMailDetail;
}

export async function retryOutboxMail(id: string): Promise<void> {
  await request('POST', `/api/v1/mail/outbox/${encodeURIComponent(id)}/retry`);
}

export async function releaseHeld(): Promise<number> {
  const body = await request('POST', '/api/v1/mail/outbox/release-held');
  return isRecord(body) ? (body as ReleasedWire).released : 0;
}

// ---- support addresses --------------------------------------------------------------------

export type ContentLocale = NonNullable<AddressWire['locale']>;
/** The fields the addresses screen shows. */
export type SupportAddress = Pick<AddressWire, 'id' | 'address' | 'displayName' | 'departmentId' | 'locale'>;

const localeOf = (value: unknown): ContentLocale | null => (value === 'en' || value === 'zh-CN' ? value : null);

export async function supportAddresses(): Promise<SupportAddress[]> {
  const body = await request('GET', '/api/v1/mail/addresses');
  if (!isRecord(body) || !Array.isArray(body.addresses)) throw unexpected('addresses');
  return body.addresses.filter(isRecord).map((a) => ({
    id: str(a.id), address: str(a.address), displayName: strOrNull(a.displayName), departmentId: strOrNull(a.departmentId), locale: localeOf(a.locale),
  }));
}

export async function addSupportAddress(input: Required<NewAddressBody>): Promise<void> {
  await request('POST', '/api/v1/mail/addresses', { body: input });
}

export async function removeSupportAddress(id: string): Promise<void> {
  await request('DELETE', `/api/v1/mail/addresses/${encodeURIComponent(id)}`);
}

// ---- IMAP mailboxes -----------------------------------------------------------------------

export type MailboxTls = MailboxWire['tls'];
/** The fields the mailboxes screen shows. */
export type Mailbox = Pick<MailboxWire, 'id' | 'name' | 'host' | 'port' | 'tls' | 'username' | 'folder' | 'enabled' | 'lastPolledAt' | 'lastError'>;
/** What the add-a-mailbox form sends (the rest take the server's defaults). */
export type NewMailbox = Required<Pick<NewMailboxBody, 'name' | 'host' | 'port' | 'tls' | 'username' | 'password' | 'folder'>>;

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
  const body: MailboxPatchBody = { enabled };
  await request('PATCH', `/api/v1/mail/mailboxes/${encodeURIComponent(id)}`, { body });
}

export async function removeMailbox(id: string): Promise<void> {
  await request('DELETE', `/api/v1/mail/mailboxes/${encodeURIComponent(id)}`);
}

// ---- parked inbound mail ------------------------------------------------------------------

/** A parked message as the screen lists it: `from` falls back to the envelope sender. */
export type ParkedMail = Pick<InboundSummaryWire, 'id' | 'from' | 'subject' | 'reason' | 'attempts' | 'receivedAt'>;

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
