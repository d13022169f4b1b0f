import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAgent } from '../../accounts/index.js';
import type { SupportAddresses } from '../addresses/addresses.service.js';
import type { Mailboxes } from '../imap/imap.mailboxes.js';
import type { InboundMail } from './inbound.service.js';
import type { InboundRow, MailAddressRow } from './inbound.schema.js';
import { ErrorView, IdParams } from '../../../contracts/http.js';

const CustomerId = z.object({ customerId: z.string().uuid() });
const Locale = z.enum(['en', 'zh-CN']);
const Email = z.string().trim().max(254).email();

const AddressView = z.object({
  id: z.string(), address: z.string(), displayName: z.string().nullable(), departmentId: z.string().nullable(), locale: Locale.nullable(), createdAt: z.date(),
});
const NewAddress = z.strictObject({
  address: Email, displayName: z.string().trim().min(1).max(120).nullable().optional(),
  departmentId: z.string().uuid().nullable().optional(), locale: Locale.nullable().optional(),
});
const AddressPatch = NewAddress.omit({ address: true });

const MailboxView = z.object({
  id: z.string(), name: z.string(), host: z.string(), port: z.number(), tls: z.enum(['implicit', 'starttls', 'none']), username: z.string(),
  folder: z.string(), afterImport: z.enum(['flag', 'move']), moveTo: z.string().nullable(), addressId: z.string().nullable(), enabled: z.boolean(),
  uidValidity: z.number().nullable(), lastUid: z.number(), lastPolledAt: z.date().nullable(), lastError: z.string().nullable(), createdAt: z.date(),
});
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const Folder = z.string().trim().min(1).max(200).regex(/^[^\u0000-\u001f*%]+$/, 'no control characters or wildcards');
const NewMailbox = z.strictObject({
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
const MailboxPatch = z.strictObject({
  name: z.string().trim().min(1).max(120), host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:.]+\]?$/),
  port: z.number().int().min(1).max(65535), tls: z.enum(['implicit', 'starttls', 'none']), username: z.string().min(1).max(254),
  password: z.string().min(1).max(1000), folder: Folder, afterImport: z.enum(['flag', 'move']), moveTo: Folder.nullable(),
  addressId: z.string().uuid().nullable(), enabled: z.boolean(),
}).partial();

const InboundSummary = z.object({
  id: z.string(), source: z.enum(['smtp', 'imap']), status: z.enum(['received', 'processed', 'parked']),
  outcome: z.string().nullable(), reason: z.string().nullable(), envelopeFrom: z.string().nullable(), from: z.string().nullable(),
  subject: z.string().nullable(), messageId: z.string().nullable(), sizeBytes: z.number(), ticketId: z.string().nullable(),
  ticketMessageId: z.string().nullable(), autoreplySuppressed: z.string().nullable(), attempts: z.number(), receivedAt: z.date(), processedAt: z.date().nullable(),
  /** A different message had this Message-ID before; this one was kept as its own. */
  messageIdReused: z.boolean(),
});
const Original = z.object({ subject: z.string(), from: z.string().nullable(), text: z.string(), html: z.string().nullable() });
const HealthView = z.object({
  address: z.string(), status: z.enum(['ok', 'failing']), bounceCount: z.number(), lastReason: z.string().nullable(),
  lastBouncedMessageId: z.string().nullable(), lastBounceAt: z.date().nullable(),
});

function addressView(a: MailAddressRow): z.infer<typeof AddressView> {
  return { id: a.id, address: a.address, displayName: a.display_name, departmentId: a.department_id, locale: a.locale, createdAt: a.created_at };
}

function summary(m: Omit<InboundRow, 'raw' | 'workspace_id' | 'address_id' | 'mailbox_id' | 'envelope_to' | 'remote_ip' | 'content_sha256'>): z.infer<typeof InboundSummary> {
  return {
    id: m.id, source: m.source, status: m.status, outcome: m.outcome, reason: m.reason, envelopeFrom: m.envelope_from, from: m.from_address,
    subject: m.subject, messageId: m.message_id, sizeBytes: m.size_bytes, ticketId: m.ticket_id, ticketMessageId: m.ticket_message_id,
    autoreplySuppressed: m.autoreply_suppressed, attempts: m.attempts, receivedAt: m.received_at, processedAt: m.processed_at,
    messageIdReused: m.message_id_reused,
  };
}

/**
 * Inbound mail's API: support addresses and IMAP mailboxes (admins), the received-mail log with
 * parked messages and their retry, the raw message download, and a customer address's bounce state.
 */
export const mailInboundRoutes = (deps: { addresses: SupportAddresses; mailboxes: Mailboxes; inbound: InboundMail }): FastifyPluginAsyncZod => async (app) => {
  const agents = { preHandler: requireAgent() };
  const admins = { preHandler: requireAgent('admin') };
  const { addresses, mailboxes, inbound } = deps;

  app.get('/mail/addresses', { ...agents, schema: { tags: ['mail'], summary: 'Support addresses: where mail for this workspace arrives', response: { 200: z.object({ addresses: z.array(AddressView) }) } } },
    async (request) => ({ addresses: (await addresses.list(request.workspace.id)).map(addressView) }));
  app.get('/mail/addresses/:id', { ...agents, schema: { tags: ['mail'], summary: 'One support address', params: IdParams, response: { 200: AddressView, 404: ErrorView } } },
    async (request) => addressView(await addresses.get(request.workspace.id, request.params.id)));
  app.post('/mail/addresses', { ...admins, schema: { tags: ['mail'], summary: 'Add a support address (admin): its mail becomes tickets in the default department', body: NewAddress, response: { 201: AddressView, 400: ErrorView, 409: ErrorView } } },
    async (request, reply) => reply.code(201).send(addressView(await addresses.create(request.workspace.id, request.body))));
  app.patch('/mail/addresses/:id', { ...admins, schema: { tags: ['mail'], summary: 'Change a support address\'s name, department or language (admin)', params: IdParams, body: AddressPatch, response: { 200: AddressView, 400: ErrorView, 404: ErrorView } } },
    async (request) => addressView(await addresses.update(request.workspace.id, request.params.id, request.body)));
  app.delete('/mail/addresses/:id', { ...admins, schema: { tags: ['mail'], summary: 'Remove a support address (admin): its mail is refused from then on', params: IdParams, response: { 204: z.null(), 404: ErrorView } } },
    async (request, reply) => {
      await addresses.remove(request.workspace.id, request.params.id);
      return reply.code(204).send(null);
    });

  const mailbox = (m: Awaited<ReturnType<Mailboxes['get']>>): z.infer<typeof MailboxView> => ({
    id: m.id, name: m.name, host: m.host, port: m.port, tls: m.tls, username: m.username, folder: m.folder, afterImport: m.after_import,
    moveTo: m.move_to, addressId: m.address_id, enabled: m.enabled, uidValidity: m.uid_validity, lastUid: m.last_uid,
    lastPolledAt: m.last_polled_at, lastError: m.last_error, createdAt: m.created_at,
  });
  app.get('/mail/mailboxes', { ...admins, schema: { tags: ['mail'], summary: 'IMAP mailboxes Kefu polls (admin); passwords are never returned', response: { 200: z.object({ mailboxes: z.array(MailboxView) }) } } },
    async (request) => ({ mailboxes: (await mailboxes.list(request.workspace.id)).map(mailbox) }));
  app.get('/mail/mailboxes/:id', { ...admins, schema: { tags: ['mail'], summary: 'One IMAP mailbox (admin)', params: IdParams, response: { 200: MailboxView, 404: ErrorView } } },
    async (request) => mailbox(await mailboxes.get(request.workspace.id, request.params.id)));
  app.post('/mail/mailboxes', { ...admins, schema: { tags: ['mail'], summary: 'Add an IMAP mailbox to poll (admin); the password is stored encrypted', body: NewMailbox, response: { 201: MailboxView, 400: ErrorView, 404: ErrorView } } },
    async (request, reply) => reply.code(201).send(mailbox(await mailboxes.create(request.workspace.id, request.body))));
  app.patch('/mail/mailboxes/:id', { ...admins, schema: { tags: ['mail'], summary: 'Change an IMAP mailbox (admin)', params: IdParams, body: MailboxPatch, response: { 200: MailboxView, 400: ErrorView, 404: ErrorView } } },
    async (request) => mailbox(await mailboxes.update(request.workspace.id, request.params.id, request.body)));
  app.delete('/mail/mailboxes/:id', { ...admins, schema: { tags: ['mail'], summary: 'Stop polling an IMAP mailbox (admin)', params: IdParams, response: { 204: z.null(), 404: ErrorView } } },
    async (request, reply) => {
      await mailboxes.remove(request.workspace.id, request.params.id);
      return reply.code(204).send(null);
    });

  app.get('/mail/inbound', {
    ...agents,
    schema: {
      tags: ['mail'], summary: 'Received mail, newest first; `status=parked` lists what could not be processed and why',
      querystring: z.strictObject({ status: z.enum(['received', 'processed', 'parked']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() }),
      response: { 200: z.object({ messages: z.array(InboundSummary), nextCursor: z.string().nullable() }), 400: ErrorView },
    },
  }, async (request) => {
    const page = await inbound.list(request.workspace.id, request.query);
    return { messages: page.messages.map(summary), nextCursor: page.nextCursor };
  });
  app.get('/mail/inbound/:id', { ...agents, schema: { tags: ['mail'], summary: 'One received message: its processing state and the full parsed text (nothing stripped)', params: IdParams, response: { 200: InboundSummary.extend({ original: Original }), 404: ErrorView } } },
    async (request) => ({ ...summary(await inbound.message(request.workspace.id, request.params.id)), original: await inbound.original(request.workspace.id, request.params.id) }));
  app.get('/mail/inbound/:id/raw', { ...agents, schema: { tags: ['mail'], summary: 'Download the message exactly as received (message/rfc822)', params: IdParams } },
    async (request, reply) => {
      const message = await inbound.message(request.workspace.id, request.params.id);
      return reply
        .header('content-type', 'message/rfc822')
        .header('content-disposition', `attachment; filename="${message.id}.eml"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(message.raw);
    });
  app.post('/mail/inbound/:id/retry', { ...admins, schema: { tags: ['mail'], summary: 'Process a parked message again (admin)', params: IdParams, response: { 202: InboundSummary, 404: ErrorView, 409: ErrorView } } },
    async (request, reply) => reply.code(202).send(summary(await inbound.retry(request.workspace.id, request.params.id))));

  app.get('/mail/customers/:customerId/delivery', {
    ...agents,
    schema: { tags: ['mail'], summary: 'Whether mail to this customer\'s address bounces', params: CustomerId, response: { 200: HealthView, 404: ErrorView } },
  }, async (request) => {
    const { address, health } = await inbound.addressHealth(request.workspace.id, request.params.customerId);
    return {
      address, status: health?.status ?? 'ok', bounceCount: health?.bounce_count ?? 0, lastReason: health?.last_reason ?? null,
      lastBouncedMessageId: health?.last_bounced_message_id ?? null, lastBounceAt: health?.last_bounce_at ?? null,
    };
  });
};
