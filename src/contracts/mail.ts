import { z } from 'zod';
import { OUTBOX_STATUSES } from './enums.js';
import type { Wire } from './http.js';

/**
 * Mail on the wire (`/api/v1/mail/…`): the outbox (admins), support addresses, IMAP mailboxes and
 * received mail — the shapes the mail module's routes answer with and the bodies they take. The
 * console reads them as `Wire<…>`: times travel as ISO strings.
 */

export { OUTBOX_STATUSES };
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const ATTEMPT_OUTCOMES = ['sent', 'transient', 'permanent', 'unknown'] as const;

export const OutboxMailView = z.object({
  id: z.string(), messageId: z.string().describe('Without angle brackets'), from: z.string(), to: z.string(), subject: z.string(),
  template: z.string(), locale: z.string(), status: z.enum(OUTBOX_STATUSES), ticketId: z.string().nullable(), attempts: z.number(),
  nextAttemptAt: z.date().nullable().describe('When a queued mail is tried next'), sentAt: z.date().nullable(),
  lastError: z.string().nullable(), createdAt: z.date(),
});
export const OutboxAttemptView = z.object({
  attempt: z.number(), startedAt: z.date(), durationMs: z.number(),
  outcome: z.enum(ATTEMPT_OUTCOMES), smtpCode: z.number().nullable(), response: z.string().nullable(),
});
export const OutboxMailDetailView = OutboxMailView.extend({
  replyTo: z.string().nullable(), inReplyTo: z.string().nullable(), references: z.array(z.string()),
  autoSubmitted: z.string().nullable(), text: z.string(), html: z.string().nullable(), attachmentIds: z.array(z.string()),
  history: z.array(OutboxAttemptView),
});
export const OutboxPageView = z.object({
  mails: z.array(OutboxMailView), nextCursor: z.string().nullable(),
  smtpConfigured: z.boolean().describe('False: mail is held here until SMTP settings exist and it is released'),
});
export const ReleasedView = z.object({ released: z.number() });

// ---- support addresses, IMAP mailboxes, received mail ----

const Locale = z.enum(['en', 'zh-CN']);
const Email = z.string().trim().max(254).email();

export const AddressView = z.object({
  id: z.string(), address: z.string(), displayName: z.string().nullable(), departmentId: z.string().nullable(), locale: Locale.nullable(), createdAt: z.date(),
});
export const NewAddress = z.strictObject({
  address: Email, displayName: z.string().trim().min(1).max(120).nullable().optional(),
  departmentId: z.string().uuid().nullable().optional(), locale: Locale.nullable().optional(),
});
export const AddressPatch = NewAddress.omit({ address: true });

export const MailboxView = z.object({
  id: z.string(), name: z.string(), host: z.string(), port: z.number(), tls: z.enum(['implicit', 'starttls', 'none']), username: z.string(),
  folder: z.string(), afterImport: z.enum(['flag', 'move']), moveTo: z.string().nullable(), addressId: z.string().nullable(), enabled: z.boolean(),
  uidValidity: z.number().nullable(), lastUid: z.number(), lastPolledAt: z.date().nullable(), lastError: z.string().nullable(), createdAt: z.date(),
});
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const Folder = z.string().trim().min(1).max(200).regex(/^[^\u0000-\u001f*%]+$/, 'no control characters or wildcards');
export const NewMailbox = z.strictObject({
  name: z.string().trim().min(1).max(120),
  host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:.]+\]?$/, 'a host name or IP address'),
  port: z.number().int().min(1).max(65535),
  tls: z.enum(['implicit', 'starttls', 'none']).default('implicit'),
  username: z.string().min(1).max(254),
  password: z.string().min(1).max(1000),
  folder: Folder.default('INBOX'),
  afterImport: z.enum(['flag', 'move']).default('flag'),
  moveTo: Folder.nullable().default(null),
  addressId: z.string().uuid().nullable().default(null),
  enabled: z.boolean().default(true),
}).refine((m) => m.afterImport !== 'move' || !!m.moveTo, { message: 'moveTo is required when afterImport is "move"', path: ['moveTo'] });
export const MailboxPatch = z.strictObject({
  name: z.string().trim().min(1).max(120), host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:.]+\]?$/),
  port: z.number().int().min(1).max(65535), tls: z.enum(['implicit', 'starttls', 'none']), username: z.string().min(1).max(254),
  password: z.string().min(1).max(1000), folder: Folder, afterImport: z.enum(['flag', 'move']), moveTo: Folder.nullable(),
  addressId: z.string().uuid().nullable(), enabled: z.boolean(),
}).partial();

export const InboundSummary = z.object({
  id: z.string(), source: z.enum(['smtp', 'imap']), status: z.enum(['received', 'processed', 'parked']),
  outcome: z.string().nullable(), reason: z.string().nullable(), envelopeFrom: z.string().nullable(), from: z.string().nullable(),
  subject: z.string().nullable(), messageId: z.string().nullable(), sizeBytes: z.number(), ticketId: z.string().nullable(),
  ticketMessageId: z.string().nullable(), autoreplySuppressed: z.string().nullable(), attempts: z.number(), receivedAt: z.date(), processedAt: z.date().nullable(),
  /** A different message had this Message-ID before; this one was kept as its own. */
  messageIdReused: z.boolean(),
});
export const Original = z.object({ subject: z.string(), from: z.string().nullable(), text: z.string(), html: z.string().nullable() });
export const HealthView = z.object({
  address: z.string(), status: z.enum(['ok', 'failing']), bounceCount: z.number(), lastReason: z.string().nullable(),
  lastBouncedMessageId: z.string().nullable(), lastBounceAt: z.date().nullable(),
});

export type OutboxMailWire = Wire<z.infer<typeof OutboxMailView>>;
export type OutboxAttemptWire = Wire<z.infer<typeof OutboxAttemptView>>;
export type OutboxMailDetailWire = Wire<z.infer<typeof OutboxMailDetailView>>;
export type OutboxPageWire = Wire<z.infer<typeof OutboxPageView>>;
export type ReleasedWire = z.infer<typeof ReleasedView>;
export type AddressWire = Wire<z.infer<typeof AddressView>>;
export type NewAddressBody = z.input<typeof NewAddress>;
export type MailboxWire = Wire<z.infer<typeof MailboxView>>;
export type NewMailboxBody = z.input<typeof NewMailbox>;
export type MailboxPatchBody = z.input<typeof MailboxPatch>;
export type InboundSummaryWire = Wire<z.infer<typeof InboundSummary>>;
