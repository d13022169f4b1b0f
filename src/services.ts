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
import path from 'node:path';

export interface Services {
  accounts: AccountsService;
  outbox: MailOutbox;
  tickets: TicketsService;
  attachments: AttachmentStore;
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
  const tickets = new TicketsService(new TicketsRepo(database.db, tenancy), accounts, bus, clock);

  const attachments = new DiskAttachmentStore(path.resolve(config.dataDir, 'attachments'), config.attachmentMaxBytes);

  bus.subscribe('workspace.created', (event) => tickets.setUpWorkspace(event.workspaceId));
  return { accounts, outbox, tickets, attachments };
}

/** Job handlers run only in processes with the worker role; any process may send jobs. */
export async function registerWorkers(_services: Services, _jobs: JobQueue): Promise<void> {
}
