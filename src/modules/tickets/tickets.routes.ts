import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { locales } from '../../core/i18n/index.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import type { AccountsService } from '../accounts/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { TicketsService } from './tickets.service.js';
import { Channel, CustomFields, MessageView, Status, Tags, TicketView, Urgency, messageView, ticketView } from './tickets.views.js';
import { ErrorView, IdParams } from '../../contracts/http.js';

const list = <T extends z.ZodTypeAny>(item: T) => z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);
const Changes = z.strictObject({
  subject: z.string().trim().min(1).max(250).optional(),
  status: Status.optional(),
  urgency: Urgency.optional(),
  departmentId: z.string().uuid().nullable().optional(),
  assigneeId: z.string().uuid().nullable().optional(),
  tags: Tags.optional(),
  customFields: CustomFields.optional(),
});
const Body = z.string().max(100_000);

export const attachmentUrl = (id: string) => `/api/v1/attachments/${id}`;

/** The departments an agent works in, for the "my team" view (routing knows team membership). */
export type TeamsOf = (workspaceId: string, agentId: string) => Promise<string[]>;

export const ticketsRoutes = (tickets: TicketsService, accounts: AccountsService, store: AttachmentStore, teamsOf: TeamsOf): FastifyPluginAsyncZod => async (app) => {
  const agentOnly = { preHandler: requireAgent() };

  app.get('/tickets', {
    ...agentOnly,
    schema: {
      tags: ['tickets'], summary: 'Inbox: tickets of a view, filtered and sorted, one keyset page at a time',
      querystring: z.strictObject({
        view: z.enum(['mine', 'unassigned', 'team', 'all', 'breaching']).default('all'),
        status: list(Status).optional(),
        urgency: list(z.coerce.number().pipe(Urgency)).optional(),
        departmentId: list(z.string().uuid()).optional(),
        tag: z.string().max(40).optional(),
        customerId: z.string().uuid().optional(),
        q: z.string().trim().max(200).optional(),
        sort: z.enum(['updated', 'created', 'urgency', 'due']).optional(),
        cursor: z.string().max(300).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ tickets: z.array(TicketView), nextCursor: z.string().nullable() }) },
    },
  }, async (request) => {
    const { status, urgency, departmentId, ...rest } = request.query;
    const teams = rest.view === 'team' ? await teamsOf(request.workspace.id, request.agent!.id) : [];
    const page = await tickets.inbox(request.workspace.id, request.agent!.id, {
      ...rest, statuses: status, urgencies: urgency, departmentIds: departmentId,
    }, teams);
    return { tickets: page.tickets.map(ticketView), nextCursor: page.nextCursor };
  });

  app.post('/tickets', {
    ...agentOnly,
    schema: {
      tags: ['tickets'], summary: 'Open a ticket on behalf of a customer (phone, API, walk-in …)',
      body: z.strictObject({
        subject: z.string().trim().min(1).max(250),
        body: Body.min(1),
        bodyHtml: Body.optional(),
        channel: Channel.default('api'),
        customer: z.union([
          z.strictObject({ id: z.string().uuid() }),
          z.strictObject({ email: z.string().trim().toLowerCase().email().max(254), name: z.string().trim().min(1).max(120), locale: z.enum(locales).optional() }),
        ]),
        department: z.string().max(40).optional(),
        urgency: Urgency.optional(),
        tags: Tags.optional(),
        customFields: CustomFields.optional(),
        externalId: z.string().min(1).max(300).optional(),
      }),
      response: { 201: TicketView, 400: ErrorView },
    },
  }, async (request, reply) => {
    const { department, ...input } = request.body;
    const ticket = await tickets.open(request.workspace.id, { ...input, departmentKey: department }, actorOf(request));
    return reply.code(201).send(ticketView(ticket));
  });

  app.get('/tickets/:id', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'One ticket', params: IdParams, response: { 200: TicketView, 404: ErrorView } },
  }, async (request) => ticketView(await tickets.ticket(request.workspace.id, request.params.id)));

  app.get('/tickets/by-number/:number', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'One ticket by its number in this workspace', params: z.object({ number: z.coerce.number().int().min(1).max(2_000_000_000) }), response: { 200: TicketView, 404: ErrorView } },
  }, async (request) => ticketView(await tickets.ticketByNumber(request.workspace.id, request.params.number)));

  app.patch('/tickets/:id', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Change status, urgency, department, assignee, tags, fields or subject', params: IdParams, body: Changes, response: { 200: TicketView, 400: ErrorView, 404: ErrorView } },
  }, async (request) => ticketView(await tickets.update(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.post('/tickets/bulk', {
    ...agentOnly,
    schema: {
      tags: ['tickets'], summary: 'Apply the same change to many tickets; each succeeds or fails on its own',
      body: z.strictObject({ ids: z.array(z.string().uuid()).min(1).max(500), changes: Changes }),
      response: { 200: z.object({ results: z.array(z.object({ id: z.string(), ok: z.boolean(), code: z.string().optional() })) }) },
    },
  }, async (request) => ({ results: await tickets.bulkUpdate(request.workspace.id, request.body.ids, request.body.changes, actorOf(request)) }));

  app.get('/tickets/:id/messages', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'The conversation: replies and internal notes, oldest first', params: IdParams, response: { 200: z.object({ messages: z.array(MessageView) }), 404: ErrorView } },
  }, async (request) => {
    await tickets.ticket(request.workspace.id, request.params.id);
    const thread = await tickets.thread(request.workspace.id, request.params.id, { includeNotes: true });
    return { messages: thread.map((m) => messageView(m, attachmentUrl)) };
  });

  app.post('/tickets/:id/messages', {
    ...agentOnly,
    schema: {
      tags: ['tickets'], summary: 'Reply to the customer, or add an internal note; optionally set the status',
      params: IdParams,
      body: z.strictObject({ kind: z.enum(['reply', 'note']), body: Body, bodyHtml: Body.optional(), status: Status.optional(), externalId: z.string().min(1).max(300).optional() })
        .refine((b) => b.body.trim() || b.bodyHtml?.trim(), 'a message needs a body'),
      response: { 201: MessageView, 404: ErrorView, 409: ErrorView },
    },
  }, async (request, reply) => {
    const message = await tickets.addMessage(request.workspace.id, request.params.id, request.body, actorOf(request));
    return reply.code(201).send(messageView(message, attachmentUrl));
  });

  app.get('/tickets/:id/activity', {
    ...agentOnly,
    schema: {
      tags: ['tickets'], summary: 'Everything that happened to a ticket', params: IdParams,
      response: { 200: z.object({ activity: z.array(z.object({ id: z.number(), action: z.string(), actorType: z.string(), actorId: z.string().nullable(), details: z.record(z.string(), z.unknown()), createdAt: z.date() })) }) },
    },
  }, async (request) => {
    await tickets.ticket(request.workspace.id, request.params.id);
    const activity = await tickets.activity(request.workspace.id, request.params.id);
    return { activity: activity.map((a) => ({ id: a.id, action: a.action, actorType: a.actor_type, actorId: a.actor_id, details: a.details, createdAt: a.created_at })) };
  });

  app.post('/tickets/:id/merge', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Merge this ticket into another of the same customer', params: IdParams, body: z.strictObject({ intoId: z.string().uuid() }), response: { 200: TicketView, 404: ErrorView, 409: ErrorView } },
  }, async (request) => ticketView(await tickets.merge(request.workspace.id, request.params.id, request.body.intoId, actorOf(request))));

  app.post('/messages/:id/split', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Move one message into a new ticket, linked to the old one', params: IdParams, body: z.strictObject({ subject: z.string().trim().min(1).max(250).optional() }), response: { 201: TicketView, 404: ErrorView } },
  }, async (request, reply) => reply.code(201).send(ticketView(await tickets.split(request.workspace.id, request.params.id, request.body.subject, actorOf(request)))));

  app.get('/tickets/:id/links', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Related tickets', params: IdParams, response: { 200: z.object({ links: z.array(z.object({ id: z.string(), number: z.number(), subject: z.string(), status: Status })) }) } },
  }, async (request) => ({ links: await tickets.linked(request.workspace.id, request.params.id) }));

  app.post('/tickets/:id/links', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Link a related ticket', params: IdParams, body: z.strictObject({ relatedId: z.string().uuid() }), response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await tickets.link(request.workspace.id, request.params.id, request.body.relatedId);
    return reply.code(204).send(null);
  });

  app.delete('/tickets/:id/links/:relatedId', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Unlink a related ticket', params: z.object({ id: z.string().uuid(), relatedId: z.string().uuid() }), response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await tickets.unlink(request.workspace.id, request.params.id, request.params.relatedId);
    return reply.code(204).send(null);
  });

  app.get('/customers/:id', {
    ...agentOnly,
    schema: {
      tags: ['customers'], summary: 'A customer\'s profile with their recent activity (the screen-pop beside a conversation)', params: IdParams,
      response: {
        200: z.object({
          id: z.string(), email: z.string(), name: z.string(), locale: z.enum(locales).nullable(), createdAt: z.date(),
          recentActivity: z.array(z.object({ action: z.string(), at: z.date(), ticketId: z.string(), ticketNumber: z.number(), ticketSubject: z.string() })),
        }),
        404: ErrorView,
      },
    },
  }, async (request) => {
    const customer = await accounts.customer(request.workspace.id, request.params.id);
    const activity = await tickets.recentActivityOfCustomer(request.workspace.id, customer.id);
    return {
      id: customer.id, email: customer.email, name: customer.name, locale: customer.locale, createdAt: customer.created_at,
      recentActivity: activity.map((a) => ({ action: a.action, at: a.created_at, ticketId: a.ticket_id, ticketNumber: a.number, ticketSubject: a.subject })),
    };
  });

  app.get('/customers/:id/tickets', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'A customer\'s tickets, most recent first', params: IdParams, response: { 200: z.object({ tickets: z.array(TicketView) }), 404: ErrorView } },
  }, async (request) => ({ tickets: (await tickets.customerTickets(request.workspace.id, request.params.id)).map(ticketView) }));

  app.get('/attachments/:id', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Download an attachment', params: IdParams },
  }, async (request, reply) => {
    const attachment = await tickets.attachment(request.workspace.id, request.params.id);
    return store.send(reply, attachment);
  });

  app.get('/departments', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Departments (teams) tickets are routed to', response: { 200: z.object({ departments: z.array(z.object({ id: z.string(), key: z.string(), name: z.record(z.string(), z.string()) })) }) } },
  }, async (request) => ({ departments: (await tickets.departments(request.workspace.id)).map((d) => ({ id: d.id, key: d.key, name: d.name })) }));

  const UrgencyNames = z.strictObject({ en: z.tuple([z.string(), z.string(), z.string(), z.string(), z.string()]), 'zh-CN': z.tuple([z.string(), z.string(), z.string(), z.string(), z.string()]) });
  app.get('/ticket-settings', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Names of the five urgency levels', response: { 200: z.object({ urgencyNames: UrgencyNames }) } },
  }, async (request) => ({ urgencyNames: await tickets.urgencyNames(request.workspace.id) }));

  app.patch('/ticket-settings', {
    preHandler: requireAgent('admin'),
    schema: {
      tags: ['tickets'], summary: 'Rename the urgency levels (admin); their order is fixed',
      body: z.strictObject({ urgencyNames: z.strictObject({ en: z.tuple([z.string().trim().min(1).max(40), z.string().trim().min(1).max(40), z.string().trim().min(1).max(40), z.string().trim().min(1).max(40), z.string().trim().min(1).max(40)]), 'zh-CN': z.tuple([z.string().trim().min(1).max(40), z.string().trim().min(1).max(40), z.string().trim().min(1).max(40), z.string().trim().min(1).max(40), z.string().trim().min(1).max(40)]) }) }),
      response: { 200: z.object({ urgencyNames: UrgencyNames }) },
    },
  }, async (request) => ({ urgencyNames: await tickets.renameUrgencies(request.workspace.id, request.body.urgencyNames) }));

  const ViewFilters = z.strictObject({
    view: z.enum(['mine', 'unassigned', 'team', 'all', 'breaching']).optional(), status: z.array(Status).optional(),
    urgency: z.array(Urgency).optional(), departmentId: z.array(z.string().uuid()).optional(), tag: z.string().max(40).optional(),
    q: z.string().max(200).optional(), sort: z.enum(['updated', 'created', 'urgency', 'due']).optional(),
  });
  const SavedView = z.object({ id: z.string(), name: z.string(), shared: z.boolean(), filters: z.record(z.string(), z.unknown()) });
  app.get('/views', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Your saved inbox views and the shared ones', response: { 200: z.object({ views: z.array(SavedView) }) } },
  }, async (request) => ({
    views: (await tickets.savedViews(request.workspace.id, request.agent!.id)).map((v) => ({ id: v.id, name: v.name, shared: v.agent_id === null, filters: v.filters })),
  }));

  app.post('/views', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Save an inbox view', body: z.strictObject({ name: z.string().trim().min(1).max(80), filters: ViewFilters, shared: z.boolean().default(false) }), response: { 201: SavedView } },
  }, async (request, reply) => {
    const view = await tickets.saveView(request.workspace.id, request.agent!.id, request.body.name, request.body.filters, request.body.shared);
    return reply.code(201).send({ id: view.id, name: view.name, shared: view.agent_id === null, filters: view.filters });
  });

  app.delete('/views/:id', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Delete one of your saved views', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await tickets.deleteView(request.workspace.id, request.agent!.id, request.params.id);
    return reply.code(204).send(null);
  });

  const CannedReply = z.object({ id: z.string(), title: z.string(), body: z.string(), locale: z.enum(locales).nullable() });
  app.get('/canned-replies', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Canned replies; placeholders like {{customer.name}} and {{agent.name}} are filled in by the console', response: { 200: z.object({ cannedReplies: z.array(CannedReply) }) } },
  }, async (request) => ({ cannedReplies: (await tickets.cannedReplies(request.workspace.id)).map((c) => ({ id: c.id, title: c.title, body: c.body, locale: c.locale })) }));

  app.post('/canned-replies', {
    preHandler: requireAgent('admin', 'editor'),
    schema: { tags: ['tickets'], summary: 'Add a canned reply (admin, editor)', body: z.strictObject({ title: z.string().trim().min(1).max(120), body: z.string().trim().min(1).max(20_000), locale: z.enum(locales).nullable().default(null) }), response: { 201: CannedReply } },
  }, async (request, reply) => {
    const c = await tickets.addCannedReply(request.workspace.id, request.body);
    return reply.code(201).send({ id: c.id, title: c.title, body: c.body, locale: c.locale });
  });

  app.patch('/canned-replies/:id', {
    preHandler: requireAgent('admin', 'editor'),
    schema: {
      tags: ['tickets'], summary: 'Change a canned reply\'s title, text or language (admin, editor)', params: IdParams,
      body: z.strictObject({ title: z.string().trim().min(1).max(120).optional(), body: z.string().trim().min(1).max(20_000).optional(), locale: z.enum(locales).nullable().optional() })
        .refine((b) => Object.values(b).some((v) => v !== undefined), 'change at least one of title, body, locale'),
      response: { 200: CannedReply, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => {
    const c = await tickets.updateCannedReply(request.workspace.id, request.params.id, request.body);
    return { id: c.id, title: c.title, body: c.body, locale: c.locale };
  });

  app.delete('/canned-replies/:id', {
    preHandler: requireAgent('admin', 'editor'),
    schema: { tags: ['tickets'], summary: 'Delete a canned reply (admin, editor)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await tickets.deleteCannedReply(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });
};
