import path from 'node:path';
import type { Clock } from './core/clock.js';
import type { Config } from './core/config.js';
import type { Database } from './core/db/database.js';
import type { EventBus } from './core/events/index.js';
import type { JobQueue } from './core/jobs/index.js';
import type { Tenancy } from './core/tenancy.js';
import type { DB } from './schema.js';
import { AccountsRepo } from './modules/accounts/accounts.repo.js';
import { AccountsService } from './modules/accounts/accounts.service.js';
import { MailOutbox } from './modules/mail/mail.outbox.js';
import { TicketsRepo } from './modules/tickets/tickets.repo.js';
import { TicketsService } from './modules/tickets/tickets.service.js';
import { DiskAttachmentStore, type AttachmentStore } from './modules/tickets/attachments.store.js';
import { S3AttachmentStore } from './modules/tickets/attachments.s3.js';
import { SlaRepo, SlaService, registerSlaWorkers } from './modules/sla/index.js';
import { CsatRequests } from './modules/tickets/tickets.csat.js';
import { WEBHOOK_EVENT_TYPES, WebhooksRepo, WebhooksService, registerWebhookWorkers } from './modules/webhooks/index.js';
import { RoutingRepo, RoutingService, ticketHolderSource } from './modules/routing/index.js';

export interface Services {
  accounts: AccountsService;
  outbox: MailOutbox;
  tickets: TicketsService;
  attachments: AttachmentStore;
  sla: SlaService;
  csat: CsatRequests;
  webhooks: WebhooksService;
  routing: RoutingService;
}

export interface ServiceDeps {
  config: Config;
  database: Database;
  tenancy: Tenancy<DB>;
  bus: EventBus;
  /** Durable jobs (deadlines, deliveries); workers are registered only where the worker role runs. */
  jobs: JobQueue;
  clock: Clock;
}

/** The one place modules' services are wired to each other, to the data layer and to events. */
export function createServices(deps: ServiceDeps): Services {
  const { config, database, tenancy, bus, clock } = deps;
  const outbox = new MailOutbox(tenancy);
  const accounts = new AccountsService(new AccountsRepo(database.db, tenancy), outbox, bus, config.publicUrl);
  const ticketsRepo = new TicketsRepo(database.db, tenancy);
  const tickets = new TicketsService(ticketsRepo, accounts, bus, clock);

  const attachments: AttachmentStore = config.s3
    ? new S3AttachmentStore(config.s3, config.attachmentMaxBytes)
    : new DiskAttachmentStore(path.resolve(config.dataDir, 'attachments'), config.attachmentMaxBytes);

  bus.subscribe('workspace.created', (event) => tickets.setUpWorkspace(event.workspaceId));
  // SLA clocks follow the tickets' events; new workspaces get a calendar and default policies.
  const sla = new SlaService(new SlaRepo(database.db, tenancy), tickets, accounts, bus, deps.jobs, clock);
  sla.listen();
  const csat = new CsatRequests(tickets, accounts, outbox, config.publicUrl);
  bus.subscribe('ticket.solved', (event) => csat.onSolved(deps.jobs, event));
  const webhooks = new WebhooksService(new WebhooksRepo(database.db, tenancy), deps.jobs, accounts, clock, { allowPrivateTargets: config.webhooksAllowPrivate });
  for (const type of WEBHOOK_EVENT_TYPES) bus.subscribe(type, (event) => webhooks.enqueue(event));
  // One routing service: ticket auto-assignment here, the chat queue (ACD) later.
  const routing = new RoutingService(new RoutingRepo(tenancy), tickets, accounts, ticketHolderSource(ticketsRepo), bus, clock);
  bus.subscribe('ticket.created', routing.onTicketCreated);
  bus.subscribe('ticket.updated', routing.onTicketUpdated);
  bus.subscribe('ticket.merged', routing.onTicketMerged);
  return { accounts, outbox, tickets, attachments, csat, webhooks, routing, sla };
}

/** Job handlers run only in processes with the worker role; any process may send jobs. */
export async function registerWorkers(services: Services, jobs: JobQueue): Promise<void> {
  await registerWebhookWorkers(services.webhooks, jobs);
  await services.csat.work(jobs);
  await registerSlaWorkers(services.sla, jobs);
}
