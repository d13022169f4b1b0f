import path from 'node:path';
import type { Clock } from './core/clock.js';
import type { Config } from './core/config.js';
import type { Database, DB } from './core/db/database.js';
import type { BatchedHandler, BatchHandler, EventBus, EventHandler, EventName } from './core/events/index.js';
import { addCatalogues } from './core/i18n/index.js';
import type { JobQueue } from './core/jobs/index.js';
import { startRecurring } from './core/jobs/recurring.js';
import { createLogger } from './core/logger.js';
import { subscriberId, type ModuleManifest } from './core/module.js';
import { DiskAttachmentStore, type AttachmentStore } from './core/storage/attachments.js';
import { S3AttachmentStore } from './core/storage/s3.js';
import type { Tenancy } from './core/tenancy.js';
import { loadSecret } from './runtime.js';
import { MailSecrets } from './core/auth/mail-secrets.js';
import { modules } from './modules/index.js';
import { AccountsService, AgentNotifications } from './modules/accounts/index.js';
import {
  ChatChannels, ChatConversations, ChatDeadlines, ChatLog, ChatMetricsService, ChatPush, ChatQueue, ChatSettingsService, ChatTicketCopy,
  chatCustomerEraser, chatCustomerMover, metricsSources, searchSuggestions, type ChatServices,
} from './modules/chat/index.js';
import { KbService, kbCustomerEraser, kbCustomerMover } from './modules/kb/index.js';
import { MailOutboxService, NodemailerSender, OutboundMailService, createMailInbound, mailCustomerEraser, mailHeaderSource, mailRecipientSource, type MailInbound } from './modules/mail/index.js';
import { RoutingService } from './modules/routing/index.js';
import { SearchService } from './modules/search/index.js';
import { AppError } from './core/errors.js';
import { SlaService, businessMinutesBetween, compileCalendar } from './modules/sla/index.js';
import { CustomerDataRights, CustomerImports, CustomerMerges, CustomerSegments, CustomersService } from './modules/customers/index.js';
import { CsatRequests, TicketsService, ticketContactSource, ticketCustomerEraser, ticketCustomerMover, ticketHolderSource, ticketMessageSource, ticketTriageSource, triageOpeningOf } from './modules/tickets/index.js';
import { TriageAutomations, TriageConfigCache, TriageService, TriageTemplates, type TriagePorts } from './modules/triage/index.js';
import { TriageRepo } from './modules/triage/triage.repo.js';
import { TroubleshootingService } from './modules/troubleshooting/index.js';
import { WebhooksService, webhookCustomerEraser } from './modules/webhooks/index.js';
// Repositories stay inside their modules; this file, which wires everything, is the one that builds them.
import { AccountsRepo } from './modules/accounts/accounts.repo.js';
import { ChatRepo } from './modules/chat/chat.repo.js';
import { CustomersRepo } from './modules/customers/customers.repo.js';
import { KbRepo } from './modules/kb/kb.repo.js';
import { OutboundRepo } from './modules/mail/outbound/outbound.repo.js';
import { RoutingRepo } from './modules/routing/routing.repo.js';
import { SearchRepo } from './modules/search/search.repo.js';
import { SlaRepo } from './modules/sla/sla.repo.js';
import { TicketsRepo } from './modules/tickets/tickets.repo.js';
import { TroubleshootingRepo } from './modules/troubleshooting/troubleshooting.repo.js';
import { WebhooksRepo } from './modules/webhooks/webhooks.repo.js';
import { OutboundTargets } from './core/net/outbound-targets.js';

export interface Services {
  accounts: AccountsService;
  /** Mails agents about their tickets (assigned, customer replied, SLA warning), as each agent chose. */
  agentNotifications: AgentNotifications;
  /** Renders the secrets stored mail refers to; tests read reset links through it, as the recipient would. */
  mailSecrets: MailSecrets;
  outbox: MailOutboxService;
  mailOutbound: OutboundMailService;
  tickets: TicketsService;
  attachments: AttachmentStore;
  sla: SlaService;
  csat: CsatRequests;
  webhooks: WebhooksService;
  routing: RoutingService;
  search: SearchService;
  kb: KbService;
  troubleshooting: TroubleshootingService;
  mailInbound: MailInbound;
  chat: ChatServices;
  chatChannels: ChatChannels;
  customers: CustomersService;
  customerImports: CustomerImports;
  customerMerges: CustomerMerges;
  customerDataRights: CustomerDataRights;
  customerSegments: CustomerSegments;
  triage: TriageService;
}

export interface ServiceDeps {
  config: Config;
  database: Database;
  tenancy: Tenancy<DB>;
  bus: EventBus;
  /** Durable jobs (deadlines, deliveries); workers are registered only where the worker role runs. */
  jobs: JobQueue;
  clock: Clock;
  /** The modules whose subscriptions are made; default every module (tests add throw-away ones). */
  modules?: readonly PlatformModule[];
}

/** A module as the platform runs it: its needs are met by the services below (checked here). */
export type PlatformModule = ModuleManifest<Services>;
export const platformModules: readonly PlatformModule[] = modules;

/** The one place modules' services are wired to each other, to the data layer and to events. */
export function createServices(deps: ServiceDeps): Services {
  const { config, database, tenancy, bus, clock } = deps;
  const log = createLogger(config.logLevel);
  const mailLog = log.child({ module: 'mail.outbound' });
  // Queued mail is sent from a support address: the inbound side's cached list (built below, long
  // before any mail is queued), not a statement per mail.
  const outbox = new MailOutboxService(tenancy, deps.jobs, clock, config.mailOutbound, config.publicUrl, mailLog,
    (workspaceId, db) => mailInbound.addresses.ofWorkspace(workspaceId, db));
  const mailSecrets = new MailSecrets(() => loadSecret(config));
  const accounts = new AccountsService(new AccountsRepo(database.db, tenancy), outbox, bus, config.publicUrl, mailSecrets, deps.jobs, { authCacheMs: config.authCacheSeconds * 1000 });
  // Every node (not only the worker's durable subscribers) drops the principals it cached when access changes elsewhere.
  bus.subscribe('access.changed', (event) => accounts.forget(event.workspaceId, event.payload));
  const ticketsRepo = new TicketsRepo(database.db, tenancy);
  const tickets = new TicketsService(ticketsRepo, accounts, bus, clock);
  const agentNotifications = new AgentNotifications(accounts, tickets, outbox, config.publicUrl);

  const attachments: AttachmentStore = config.s3
    ? new S3AttachmentStore(config.s3, config.attachmentMaxBytes)
    : new DiskAttachmentStore(path.resolve(config.dataDir, 'attachments'), config.attachmentMaxBytes);

  // The outbox's delivery (held without SMTP settings) and agents' replies by e-mail.
  const mailOutbound = new OutboundMailService(new OutboundRepo(database.db, tenancy), outbox, tickets, accounts, attachments, clock,
    config.mailOutbound.smtp ? new NodemailerSender(config.mailOutbound.smtp, config.mailOutbound.dkim) : undefined,
    {
      publicUrl: config.publicUrl, maxAttempts: config.mailOutbound.maxAttempts, retryDelayMs: config.mailOutbound.retryDelayMs,
      // Called only on events, after `chat` below exists.
      isLiveChat: (workspaceId, ticketId) => chat.log.isLive(workspaceId, ticketId),
      renderSecrets: (text) => mailSecrets.render(text),
    }, mailLog);
  // Webhooks, chat channel URLs and IMAP hosts reach only the addresses the operator permits (SSRF).
  const targets = new OutboundTargets(config.privateTargets);
  // SLA clocks follow the tickets' events; new workspaces get a calendar and default policies.
  const sla = new SlaService(new SlaRepo(database.db, tenancy), tickets, accounts, bus, deps.jobs, clock);
  bus.subscribe('sla.settings_changed', (event) => sla.forgetSettings(event.workspaceId));
  const csat = new CsatRequests(tickets, accounts, outbox, config.publicUrl);
  const webhooks = new WebhooksService(new WebhooksRepo(database.db, tenancy), deps.jobs, accounts, clock, { targets, retryDelaySeconds: config.webhooksRetryDelaySeconds, bus });
  bus.subscribe('webhook.changed', (event) => webhooks.forget(event.workspaceId));
  // One routing service: ticket auto-assignment and the chat queue (ACD).
  const routing = new RoutingService(new RoutingRepo(tenancy), tickets, accounts, ticketHolderSource(ticketsRepo), bus, clock);
  bus.subscribe('routing.settings_changed', (event) => routing.forgetSettings(event.workspaceId));
  bus.subscribe('department.changed', (event) => tickets.forgetDepartments(event.workspaceId));
  const search = new SearchService(new SearchRepo(tenancy, database.db), clock);
  // Solutions link knowledge-base articles; the KB is wired to it once it exists (useArticles).
  const troubleshooting = new TroubleshootingService(new TroubleshootingRepo(tenancy), accounts, bus, clock);
  // The knowledge base publishes into search, e-mails subscribers' digests, and answers the trees' solution links.
  const kb = new KbService({
    repo: new KbRepo(tenancy), search, bus, jobs: deps.jobs, outbox, accounts, messages: ticketMessageSource(ticketsRepo), attachments, clock,
    publicUrl: config.publicUrl, digestDelaySeconds: config.kbDigestDelaySeconds,
  });
  troubleshooting.useArticles(kb);
  // Inbound mail: addresses, SMTP/IMAP intake (started by main.ts), threading, autoresponses, bounces.
  // Triage sorts new tickets (rules, then its classifiers) and learns from what agents settle.
  // Its automations remind, escalate and close tickets by the clock; duplicates merge, spam is parked.
  const triageRepo = new TriageRepo(database.db, tenancy);
  const triageConfig = new TriageConfigCache(triageRepo, bus);
  const triagePorts: TriagePorts = {
    source: ticketTriageSource(ticketsRepo), tickets, accounts, outbox, mailHeaders: mailHeaderSource(tenancy),
    // The customer database's record (`customers` below exists before any ticket is triaged).
    customers: {
      findCustomer: (workspaceId, id) => customers.findCustomer(workspaceId, id),
      findCustomers: (workspaceId, ids) => customers.findCustomers(workspaceId, ids),
    },
    // Rule conditions on the mail's address, business hours and the customer's record. Called only
    // on tickets and rule saves, after `mailInbound`, `customers` and `customerSegments` below exist.
    facts: {
      mailRecipient: mailRecipientSource(tenancy),
      addressIds: async (workspaceId) => [
        ...(await mailInbound.addresses.list(workspaceId)).map((a) => a.id), ...(await mailInbound.mailboxes.list(workspaceId)).map((m) => m.id),
      ],
      insideBusinessHours: async (workspaceId, at) => {
        const calendar = compileCalendar((await sla.calendarSettings(workspaceId)).calendar);
        return businessMinutesBetween(calendar, at, new Date(at.getTime() + 60_000)) > 0;
      },
      customerSegments: async (workspaceId, customerId, segmentIds) => {
        const members: string[] = [];
        for (const segmentId of segmentIds) {
          // A segment deleted since the rule was saved (or naming what was deleted since) has no members.
          const where = await customerSegments.where(workspaceId, segmentId).catch((error: unknown) => {
            if (error instanceof AppError) return undefined;
            throw error;
          });
          if (!where) continue;
          const page = await customers.list(workspaceId, { where: (eb) => eb.and([where(eb), eb('customers.id', '=', customerId)]), limit: 1 });
          if (page.customers.length) members.push(segmentId);
        }
        return members;
      },
      segmentIds: async (workspaceId) => (await customerSegments.list(workspaceId)).map((s) => s.id),
    },
  };
  const triage = new TriageService(triageRepo, triagePorts, deps.jobs, clock,
    new TriageTemplates(tenancy, (workspaceId) => tickets.departments(workspaceId), clock, triageConfig),
    new TriageAutomations(triageRepo, triagePorts, deps.jobs, clock, triageConfig), triageConfig);
  bus.subscribe('triage.settings_changed', (event) => triage.forgetConfig(event.workspaceId));
  const mailInbound = createMailInbound({
    config, db: database.db, tenancy, jobs: deps.jobs, log: log.child({ module: 'mail.inbound' }),
    tickets, accounts, attachments, outbox, appSecret: () => loadSecret(config), search, sla, targets,
    acknowledgementPolicy: {
      // A customer the opening created has no record but what it wrote: no tags yet.
      acknowledgement: (workspaceId, ticketId, locale, opened) => triage.acknowledgement(workspaceId, ticketId, locale, opened && {
        opening: triageOpeningOf(opened.ticket, opened.firstMessage), headers: opened.headers,
        ...(opened.customer.created ? { customer: { email: opened.customer.email, name: opened.customer.name, locale: opened.customer.locale, tags: [] } } : {}),
      }),
    },
  });
  // Live chat and the ACD: chats are tickets; routing picks the agents; search answers while visitors wait.
  // One part per job (chat/README.md, "Inside"): settings, figures, pushes, the conversations' record,
  // their ticket copies, the queue, what visitors and agents do, and the deadlines' sweep.
  const chatRepo = new ChatRepo(database.db, tenancy);
  const chatLogger = log.child({ module: 'chat' });
  const chatSettings = new ChatSettingsService(chatRepo, tickets, accounts, clock);
  const chatMetrics = new ChatMetricsService(chatRepo, clock, metricsSources(chatSettings, accounts, routing));
  const chatPush = new ChatPush((workspaceId) => chatMetrics.wallboard(workspaceId), chatLogger);
  const chatLog = new ChatLog(chatRepo, chatPush, clock);
  const chatTicketCopy = new ChatTicketCopy(chatRepo, tickets, chatLogger);
  const chatQueue = new ChatQueue(chatRepo, chatLog, chatPush, chatSettings, tickets, accounts, routing, sla, clock, chatLogger);
  const chatConversations = new ChatConversations(chatRepo, chatLog, chatQueue, chatTicketCopy, chatSettings, chatPush, tickets, accounts, outbox, clock, chatLogger, bus,
    { suggest: searchSuggestions(search) });
  const chat: ChatServices = {
    conversations: chatConversations, queue: chatQueue, log: chatLog, metrics: chatMetrics, settings: chatSettings, push: chatPush,
    deadlines: new ChatDeadlines(chatRepo, chatQueue, chatConversations, chatTicketCopy, clock, chatLogger),
  };
  const chatChannels = new ChatChannels(chatRepo, chat, tickets, accounts, deps.jobs, clock, { targets });
  chatConversations.useChannelReply(chatChannels.reply);
  // The customer database; its 360° record shows the customer's recent tickets, a company's page its members' ticket counts.
  const customersRepo = CustomersRepo.of(tenancy);
  const customers = new CustomersService(customersRepo, accounts, bus, clock, tickets, ticketContactSource);
  const customerImports = new CustomerImports(customersRepo, bus, clock);
  // A merge moves every module's rows of the duplicate to the survivor, in the merge's transaction.
  const customerMerges = new CustomerMerges(customersRepo, bus, clock, accounts, { tickets: ticketCustomerMover, chats: chatCustomerMover, helpCentreSubscriptions: kbCustomerMover });
  // An erasure empties every module's copies of the customer's personal data, in the erasure's transaction.
  const customerDataRights = new CustomerDataRights(customersRepo, customers, bus, clock, accounts, accounts, tickets, {
    tickets: ticketCustomerEraser, chats: chatCustomerEraser, mail: mailCustomerEraser, helpCentreSubscriptions: kbCustomerEraser, webhookDeliveries: webhookCustomerEraser,
  }, attachments);
  // Segments' last-contact conditions read the customers' latest ticket or chat activity.
  const customerSegments = new CustomerSegments(customersRepo, customers, accounts, clock, ticketContactSource, { exactUpTo: config.segmentPreviewExactUpTo });
  const list = deps.modules ?? platformModules;
  // Every module's strings, merged before any mail or page is rendered.
  for (const module of list) if (module.i18n) addCatalogues(module.i18n.namespace, module.i18n.strings);
  const services = { accounts, agentNotifications, mailSecrets, outbox, mailOutbound, tickets, attachments, csat, webhooks, routing, sla, troubleshooting, search, kb, mailInbound, chat, chatChannels, customers, customerImports, customerMerges, customerDataRights, customerSegments, triage };
  subscribeModules(list, services, bus, deps.jobs);
  return services;
}

/** Each module's event handlers, under the stable subscriber id `${module}:${event}`. */
export function subscribeModules(list: readonly PlatformModule[], services: Services, bus: EventBus, jobs: JobQueue): void {
  for (const module of list) {
    const subscriptions = module.subscriptions?.(services, jobs) ?? {};
    for (const eventName of Object.keys(subscriptions) as EventName[]) {
      const handler = subscriptions[eventName] as EventHandler | BatchedHandler | undefined;
      const subscriber = subscriberId(module, eventName);
      if (typeof handler === 'function') bus.subscribe(eventName, handler, { subscriber });
      else if (handler) bus.subscribe(eventName, handler.each, { subscriber, batch: handler.batch as BatchHandler });
    }
  }
}

/** Job handlers run only in processes with the worker role; any process may send jobs. */
export async function registerWorkers(services: Services, jobs: JobQueue, list: readonly PlatformModule[] = platformModules): Promise<void> {
  for (const module of list) await module.workers?.(services, jobs);
}

/** Each module's recurring work (the chat's deadline sweep), for a node with the web role; `stop()` ends it. */
export function startModulesRecurring(services: Services, log: Parameters<typeof startRecurring>[1], list: readonly PlatformModule[] = platformModules) {
  return startRecurring(list.flatMap((module) => module.recurring?.(services) ?? []), log);
}
