import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, requireAgent } from '../accounts/index.js';
import type { AccountsService } from '../accounts/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { TicketsService } from './tickets.service.js';
import { messageView, ticketView } from './tickets.views.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import {
  ActivityListView, BulkChange, BulkResultsView, CannedReplyListView, CannedReplyPatch, CannedReplyView, CustomerProfileView, DepartmentListView,
  InboxQuery, LinkBody, LinkListView, MergeBody, MessageListView, MessageView, NewCannedReply, NewMessage, NewSavedView, NewTicket, SavedViewListView, SavedViewView, SplitBody,
  TicketChanges, TicketListView, TicketPageView, TicketView, UrgencyNamesBody, UrgencyNamesView,
} from '../../contracts/tickets.js';

export const attachmentUrl = (id: string) => `/api/v1/attachments/${id}`;

/** The departments an agent works in, for the "my team" view (routing knows team membership). */
export type TeamsOf = (workspaceId: string, agentId: string) => Promise<string[]>;

export const ticketsRoutes = (tickets: TicketsService, accounts: AccountsService, store: AttachmentStore, teamsOf: TeamsOf): FastifyPluginAsyncZod => async (app) => {
  const agentOnly = { preHandler: requireAgent() };

  app.get('/tickets', {
    ...agentOnly,
    schema: {
      tags: ['tickets'], summary: 'Inbox: tickets of a view, filtered and sorted, one keyset page at a time',
      querystring: InboxQuery,
      response: { 200: TicketPageView },
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
      body: NewTicket,
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
    schema: { tags: ['tickets'], summary: 'Change status, urgency, department, assignee, tags, fields or subject', params: IdParams, body: TicketChanges, response: { 200: TicketView, 400: ErrorView, 404: ErrorView } },
  }, async (request) => ticketView(await tickets.update(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.post('/tickets/bulk', {
    ...agentOnly,
    schema: {
      tags: ['tickets'], summary: 'Apply the same change to many tickets; each succeeds or fails on its own',
      body: BulkChange,
      response: { 200: BulkResultsView },
    },
  }, async (request) => ({ results: await tickets.bulkUpdate(request.workspace.id, request.body.ids, request.body.changes, actorOf(request)) }));

  app.get('/tickets/:id/messages', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'The conversation: replies and internal notes, oldest first', params: IdParams, response: { 200: MessageListView, 404: ErrorView } },
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
      body: NewMessage,
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
      response: { 200: ActivityListView },
    },
  }, async (request) => {
    await tickets.ticket(request.workspace.id, request.params.id);
    const activity = await tickets.activity(request.workspace.id, request.params.id);
    return { activity: activity.map((a) => ({ id: a.id, action: a.action, actorType: a.actor_type, actorId: a.actor_id, details: a.details, createdAt: a.created_at })) };
  });

  app.post('/tickets/:id/merge', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Merge this ticket into another of the same customer', params: IdParams, body: MergeBody, response: { 200: TicketView, 404: ErrorView, 409: ErrorView } },
  }, async (request) => ticketView(await tickets.merge(request.workspace.id, request.params.id, request.body.intoId, actorOf(request))));

  app.post('/messages/:id/split', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Move one message into a new ticket, linked to the old one (not the only message of a ticket)', params: IdParams, body: SplitBody, response: { 201: TicketView, 404: ErrorView, 409: ErrorView } },
  }, async (request, reply) => reply.code(201).send(ticketView(await tickets.split(request.workspace.id, request.params.id, request.body.subject, actorOf(request)))));

  app.get('/tickets/:id/links', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Related tickets', params: IdParams, response: { 200: LinkListView } },
  }, async (request) => ({ links: await tickets.linked(request.workspace.id, request.params.id) }));

  app.post('/tickets/:id/links', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Link a related ticket', params: IdParams, body: LinkBody, response: { 204: z.null(), 404: ErrorView } },
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
      response: { 200: CustomerProfileView, 404: ErrorView },
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
    schema: { tags: ['tickets'], summary: 'A customer\'s tickets, most recent first', params: IdParams, response: { 200: TicketListView, 404: ErrorView } },
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
    schema: { tags: ['tickets'], summary: 'Departments (teams) tickets are routed to', response: { 200: DepartmentListView } },
  }, async (request) => ({ departments: (await tickets.departments(request.workspace.id)).map((d) => ({ id: d.id, key: d.key, name: d.name })) }));

  app.get('/ticket-settings', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Names of the five urgency levels', response: { 200: UrgencyNamesView } },
  }, async (request) => ({ urgencyNames: await tickets.urgencyNames(request.workspace.id) }));

  app.patch('/ticket-settings', {
    preHandler: requireAgent('admin'),
    schema: {
      tags: ['tickets'], summary: 'Rename the urgency levels (admin); their order is fixed',
      body: UrgencyNamesBody,
      response: { 200: UrgencyNamesView },
    },
  }, async (request) => ({ urgencyNames: await tickets.renameUrgencies(request.workspace.id, request.body.urgencyNames) }));

  app.get('/views', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Your saved inbox views and the shared ones', response: { 200: SavedViewListView } },
  }, async (request) => ({
    views: (await tickets.savedViews(request.workspace.id, request.agent!.id)).map((v) => ({ id: v.id, name: v.name, shared: v.agent_id === null, filters: v.filters })),
  }));

  app.post('/views', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Save an inbox view', body: NewSavedView, response: { 201: SavedViewView } },
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

  app.get('/canned-replies', {
    ...agentOnly,
    schema: { tags: ['tickets'], summary: 'Canned replies; placeholders like {{customer.name}} and {{agent.name}} are filled in by the console', response: { 200: CannedReplyListView } },
  }, async (request) => ({ cannedReplies: (await tickets.cannedReplies(request.workspace.id)).map((c) => ({ id: c.id, title: c.title, body: c.body, locale: c.locale })) }));

  app.post('/canned-replies', {
    preHandler: requireAgent('admin', 'editor'),
    schema: { tags: ['tickets'], summary: 'Add a canned reply (admin, editor)', body: NewCannedReply, response: { 201: CannedReplyView } },
  }, async (request, reply) => {
    const c = await tickets.addCannedReply(request.workspace.id, request.body);
    return reply.code(201).send({ id: c.id, title: c.title, body: c.body, locale: c.locale });
  });

  app.patch('/canned-replies/:id', {
    preHandler: requireAgent('admin', 'editor'),
    schema: {
      tags: ['tickets'], summary: 'Change a canned reply\'s title, text or language (admin, editor)', params: IdParams,
      body: CannedReplyPatch,
      response: { 200: CannedReplyView, 400: ErrorView, 404: ErrorView },
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
