/**
 * Inbound mail: support addresses, the SMTP listener, the IMAP poller, parsing and threading, the
 * autoresponder and bounces. See README.md. Other modules use only what is exported here.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../../core/config.js';
import type { JobQueue } from '../../../core/jobs/index.js';
import type { Logger } from '../../../core/logger.js';
import type { OutboundTargets } from '../../../core/net/outbound-targets.js';
import type { Tenancy } from '../../../core/tenancy.js';
import type { DB } from '../../../core/db/database.js';
import type { AccountsService } from '../../accounts/index.js';
import type { AttachmentStore } from '../../../core/storage/attachments.js';
import type { TicketsService } from '../../tickets/index.js';
import { SupportAddresses } from '../addresses/addresses.service.js';
import { Autoresponder, type AcknowledgementPolicy, type FirstResponseTarget, type SuggestedAnswers } from '../autoresponder/autoresponder.service.js';
import { SecretBox } from '../imap/imap.crypto.js';
import { Mailboxes } from '../imap/imap.mailboxes.js';
import { ImapPoller } from '../imap/imap.poller.js';
import type { MailOutbox } from '../../../core/mail/outbox.js';
import { InboundRepo } from './inbound.repo.js';
import { InboundMail } from './inbound.service.js';
import { SmtpListener } from './inbound.smtp.js';

export { mailInboundRoutes } from './inbound.routes.js';
export { parseInbound, type ParsedInbound } from './inbound.parse.js';
export type { SuggestedAnswers } from '../autoresponder/autoresponder.service.js';
export { SupportAddresses, Autoresponder, InboundMail, Mailboxes, ImapPoller, SmtpListener, SecretBox };

export interface MailInbound {
  addresses: SupportAddresses;
  inbound: InboundMail;
  mailboxes: Mailboxes;
  autoresponder: Autoresponder;
  poller: ImapPoller;
}

export interface MailInboundDeps {
  config: Config;
  db: Kysely<DB>;
  tenancy: Tenancy<DB>;
  jobs: JobQueue;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  tickets: TicketsService;
  accounts: AccountsService;
  attachments: AttachmentStore;
  outbox: MailOutbox;
  /** The app secret, read when first needed (it may be generated into the data dir). */
  appSecret: () => Promise<string>;
  /** The search module's best answers, suggested in acknowledgements. */
  search: SuggestedAnswers;
  /** The SLA's first-response deadline, stated in acknowledgements. */
  sla: FirstResponseTarget;
  /** Which addresses IMAP hosts may resolve to. */
  targets: OutboundTargets;
  /** The workspace's rules and templates for acknowledgements (triage). */
  acknowledgementPolicy?: AcknowledgementPolicy;
}

/** Wires the inbound side (the mail module's manifest subscribes the autoresponder to web-form tickets). */
export function createMailInbound(deps: MailInboundDeps): MailInbound {
  const repo = new InboundRepo(deps.db, deps.tenancy);
  const addresses = new SupportAddresses(repo, deps.tickets);
  const autoresponder = new Autoresponder(deps.tenancy, deps.tickets, deps.accounts, deps.outbox, deps.search, deps.sla, { publicUrl: deps.config.publicUrl, perSenderPerHour: 3, policy: deps.acknowledgementPolicy });
  const inbound = new InboundMail(repo, addresses, deps.tickets, deps.accounts, deps.attachments, autoresponder, deps.jobs, deps.log, { authservId: deps.config.mail.authservId });
  const secrets = new SecretBox({ key: deps.config.mail.key, appSecret: deps.appSecret });
  const mailboxes = new Mailboxes(repo, secrets, deps.targets);
  const poller = new ImapPoller(repo, inbound, secrets, { pollSeconds: deps.config.mail.imapPollSeconds, maxBytes: deps.config.mail.maxBytes, targets: deps.targets }, deps.log);
  return { addresses, inbound, mailboxes, autoresponder, poller };
}

/** Job handlers: only where the worker role runs. */
export async function registerMailInboundWorkers(mail: MailInbound, jobs: JobQueue): Promise<void> {
  await mail.inbound.work(jobs);
  await mail.autoresponder.work(jobs);
}

/**
 * The listener and the poller (roles `mail` and `all`); resolves to what stops them. When the SMTP
 * port cannot be bound, role `mail` fails (it has nothing else to do); role `all` logs the error and
 * runs without the listener (smtpPort null), so a busy port never takes the web and workers down.
 */
export async function startMailIntake(mail: MailInbound, config: Config, log: Pick<Logger, 'info' | 'warn' | 'error'>, options: { listenerRequired: boolean }): Promise<{ smtpPort: number | null; stop(): Promise<void> }> {
  const listener = new SmtpListener(mail.inbound, mail.addresses, {
    host: config.mail.smtpHost, port: config.mail.smtpPort, maxBytes: config.mail.maxBytes,
    tlsCertFile: config.mail.tlsCertFile, tlsKeyFile: config.mail.tlsKeyFile,
    perSenderPerMinute: config.mail.perSenderPerMinute, perIpPerMinute: config.mail.perIpPerMinute,
  }, log);
  const smtpPort = await listener.start().catch((error: NodeJS.ErrnoException) => {
    if (options.listenerRequired || error.code !== 'EADDRINUSE') throw error;
    log.error({ err: error, port: config.mail.smtpPort }, 'SMTP listener not started: the port is in use (set KEFU_SMTP_LISTEN_PORT)');
    return null;
  });
  await mail.poller.start();
  return {
    smtpPort,
    stop: async () => {
      await listener.stop();
      await mail.poller.stop();
    },
  };
}
