/** The tickets module's public surface and manifest: what other modules and the platform may use. See README.md. */
import { defineModule } from '../../core/module.js';
import type { AccountsService } from '../accounts/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { CsatRequests } from './tickets.csat.js';
import { seedTicketsDemo } from './tickets.demo.js';
import { ticketsPages, type ExpectedResponseTime, type TicketsPagesOptions } from './tickets.pages.js';
import { ticketsRoutes, type TeamsOf } from './tickets.routes.js';
import type { TicketsService } from './tickets.service.js';
import { ticketsUploads } from './tickets.uploads.js';

export interface TicketsNeeds {
  tickets: TicketsService;
  accounts: AccountsService;
  attachments: AttachmentStore;
  csat: CsatRequests;
  sla: ExpectedResponseTime;
  routing: { departmentIdsOf: TeamsOf; customerDepartments: NonNullable<TicketsPagesOptions['customerDepartments']> };
}

export const ticketsModule = defineModule<TicketsNeeds>({
  name: 'tickets',
  routes: ({ services, config }) => [
    ticketsRoutes(services.tickets, services.accounts, services.attachments, (ws, agentId) => services.routing.departmentIdsOf(ws, agentId)),
    // Agents' messages with attachments: multipart in its own plugin, CSRF by header before the body is read.
    ticketsUploads({ tickets: services.tickets, store: services.attachments, attachmentMaxBytes: config.attachmentMaxBytes }),
  ],
  // The customer's side of tickets (contact form, my requests, ratings) takes multipart uploads.
  // Their fields must be read before the CSRF check of the request context, which runs before any
  // of its plugins' hooks, so these pages bring their own context.
  publicRoutes: ({ services, config, secureCookies, requestContext }) => [ticketsPages({
    requestContext, tickets: services.tickets, accounts: services.accounts, store: services.attachments, sla: services.sla, secureCookies,
    customerDepartments: (workspaceId) => services.routing.customerDepartments(workspaceId),
    attachmentMaxBytes: config.attachmentMaxBytes, contactPostsPer15Min: config.publicPostsPer15Min,
  })],
  workers: ({ csat }, jobs) => csat.work(jobs),
  subscriptions: ({ tickets, csat }, jobs) => ({
    'workspace.created': (event) => tickets.setUpWorkspace(event.workspaceId),
    'ticket.solved': (event) => csat.onSolved(jobs, event),
  }),
  demo: ({ tickets }, world) => seedTicketsDemo(tickets, world),
});

export { CsatRequests } from './tickets.csat.js';
export { ticketContactSource, ticketCustomerEraser, ticketCustomerMover, ticketHolderSource, ticketMessageSource, ticketTriageSource, triageOpeningOf } from './tickets.sources.js';
export { ACTIVE_STATUSES, type Channel, type TicketRow, type TicketStatus, type TicketsTables, type Urgency } from './tickets.schema.js';
export { type FirstMessage, type StoredFile, type TicketActor, TicketsService } from './tickets.service.js';
