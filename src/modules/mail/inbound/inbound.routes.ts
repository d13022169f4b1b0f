import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAgent } from '../../accounts/index.js';
import type { SupportAddresses } from '../addresses/addresses.service.js';
import type { Mailboxes } from '../imap/imap.mailboxes.js';
import type { InboundMail } from './inbound.service.js';
import type { InboundRow, MailAddressRow } from './inbound.schema.js';
import { ErrorView, IdParams } from '../../../contracts/http.js';
import { AddressPatch, AddressView, HealthView, InboundSummary, MailboxPatch, MailboxView, NewAddress, NewMailbox, Original } from '../../../contracts/mail.js';

const CustomerId = z.object({ customerId: z.string().uuid() });
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
