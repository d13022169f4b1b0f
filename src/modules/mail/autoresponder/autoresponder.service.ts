import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { AppError } from '../../../core/errors.js';
import type { DomainEvent } from '../../../core/events/index.js';
import { translator, type Locale } from '../../../core/i18n/index.js';
import { PermanentJobError, type Job, type JobQueue } from '../../../core/jobs/index.js';
import type { Tenancy } from '../../../core/tenancy.js';
import type { DB } from '../../../core/db/database.js';
import type { AccountsService } from '../../accounts/index.js';
import type { TicketsService } from '../../tickets/index.js';
import type { FirstMessage, TicketRow, Urgency } from '../../tickets/index.js';
import type { MailOutbox, OutboundMail } from '../../../core/mail/outbox.js';
import { queryTemplate } from '../../../core/db/query-template.js';

export const AUTORESPOND_JOB = 'mail.autorespond';
/** The promised answer time as the customer reads it: date, time and the time zone's name (the workspace's zone, not theirs). */
const DUE_FORMAT = { ...DateTime.DATETIME_MED, timeZoneName: 'long' } as const;

/** The knowledge base's best answers for a text (the search module's `bestAnswers`). */
export interface SuggestedAnswers {
  bestAnswers(workspaceId: string, text: string, locale: Locale, limit: number): Promise<readonly { title: string; url?: string; path?: string }[]>;
}

/**
 * When a new ticket's first answer is due by its SLA policy and business hours (the sla module's
 * `expectedFirstResponse`); null when its urgency has no first-response target.
 */
export interface FirstResponseTarget {
  expectedFirstResponse(workspaceId: string, scope: { urgency: Urgency; departmentId: string | null }, from: Date): Promise<{ dueAt: Date } | null>;
}

/**
 * The workspace's own say in a ticket's acknowledgement (the triage module's): whether its rules
 * suppress it, and its text for the ticket's department, urgency and language. Asked before the
 * ticket is read for the acknowledgement, since answering may set the ticket's department and
 * urgency: `placed` says where they are when the answer knows it, and the ticket is not read again.
 */
export interface AcknowledgementPolicy {
  /** `opened`: the ticket as the caller's transaction just opened it, which the policy need not read again. */
  acknowledgement(workspaceId: string, ticketId: string, locale: Locale, opened?: JustOpened): Promise<{
    suppressed: boolean; template: { subject: string; body: string } | null; placed?: { departmentId: string | null; urgency: number };
  }>;
}

export interface AutoresponderOptions {
  publicUrl: string;
  /** Acknowledgements one address gets per hour at most: two autoresponders can never loop. */
  perSenderPerHour: number;
  /** Without it, only the inbound rules (auto-submitted mail, bulk, loops) suppress an acknowledgement, and the text is the catalogue's. */
  policy?: AcknowledgementPolicy;
}

export type AutoresponseOutcome = 'queued' | 'skipped' | 'already-decided';

interface AutorespondJob {
  workspaceId: string;
  ticketId: string;
}

// Statements of every acknowledgement, built and compiled once (core/db/query-template.ts).
/**
 * Takes the recipient's lock, held to the commit, and reads the address's health. The hourly count
 * is the next statement's: a statement sees what was committed when it began, so a count read here
 * would miss the decision the lock's previous holder committed while this one waited for it.
 */
const LOCK_RECIPIENT = queryTemplate((db, { key, address }: { key: string; address: string }) => db.selectNoFrom((eb) => [
  sql<void>`pg_advisory_xact_lock(hashtext(${key}))`.as('locked'),
  eb.selectFrom('mail_address_health').select('status').where('address', '=', address).as('status'),
]));
/**
 * The ticket's one decision (nothing when it has one already): skipped for `reason` when there is
 * one, else queued unless the recipient had `limit` acknowledgements queued since `since`.
 */
const DECIDE = queryTemplate((db, { ticketId, recipient, reason, since, limit }: { ticketId: string; recipient: string; reason: string | null; since: Date; limit: number }) => db
  .with('recent', (qb) => qb.selectFrom('mail_autoresponses').select((eb) => eb(eb.fn.countAll(), '>=', limit).as('over'))
    .where('recipient', '=', recipient).where('outcome', '=', 'queued').where('created_at', '>', since))
  .insertInto('mail_autoresponses')
  .values((eb) => {
    if (reason !== null) return { ticket_id: ticketId, recipient, outcome: 'skipped', reason };
    const over = eb.selectFrom('recent').select('over');
    return {
      ticket_id: ticketId, recipient,
      outcome: eb.case().when(over, '=', true).then('skipped' as const).else('queued' as const).end(),
      reason: eb.case().when(over, '=', true).then('rate-limited').end(),
    };
  })
  .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id']).doNothing())
  .returning('outcome'));

/** The ticket's customer (accounts' row), when the caller has read it already; `created` when its opening created them. */
export interface AcknowledgedCustomer {
  id: string;
  email: string;
  name: string;
  locale: Locale | null;
  created?: boolean;
}

/**
 * A ticket the caller's transaction has just opened, with its first message and customer as the
 * opening wrote them, and the header fields of the mail it came from (by lower-case name).
 */
export interface JustOpened {
  ticket: TicketRow;
  firstMessage: FirstMessage;
  customer: AcknowledgedCustomer;
  headers?: ReadonlyMap<string, string>;
}

/**
 * Acknowledges a new ticket from mail or the web form: its number, when to expect an answer (the
 * SLA's first-response deadline) and up to three knowledge-base articles that may already answer it.
 * One decision per ticket (queued, or skipped with the reason) is recorded in the same transaction
 * as the outbox row, so retries and redeliveries never send a second acknowledgement.
 */
export class Autoresponder {
  constructor(
    private readonly tenancy: Tenancy<DB>,
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly outbox: MailOutbox,
    private readonly search: SuggestedAnswers,
    private readonly target: FirstResponseTarget,
    private readonly options: AutoresponderOptions,
  ) {}

  /**
   * `ticket.created` handler for the web form. Mail-born tickets are acknowledged by the inbound
   * pipeline itself, which has the headers that say whether the mail may be answered at all.
   */
  async onTicketCreated(jobs: JobQueue, event: DomainEvent<'ticket.created'>): Promise<void> {
    const ticket = event.payload.ticket;
    if (ticket.channel !== 'web') return;
    await jobs.send<AutorespondJob>(AUTORESPOND_JOB, { workspaceId: event.workspaceId, ticketId: ticket.id }, { idempotencyKey: `${AUTORESPOND_JOB}:${ticket.id}` });
  }

  async work(jobs: JobQueue): Promise<void> {
    await jobs.work<AutorespondJob>(AUTORESPOND_JOB, (job) => this.run(job), { concurrency: 4 });
  }

  private async run(job: Job<AutorespondJob>): Promise<void> {
    try {
      await this.respond(job.data.workspaceId, job.data.ticketId, { suppressed: null });
    } catch (error) {
      if (error instanceof AppError && error.status === 404) throw new PermanentJobError(error.message, { cause: error });
      throw error;
    }
  }

  /**
   * Decides and, when allowed, queues the acknowledgement. `suppressed` is the inbound rules' reason
   * not to answer; `customer`, the ticket's customer when the caller has it (else it is read);
   * `firstMessage`, when the caller's transaction has just opened the ticket (so has `customer`),
   * and `headers`, the fields of the mail it came from.
   */
  async respond(workspaceId: string, ticketOrId: string | TicketRow, context: {
    suppressed: string | null; localeHint?: Locale | null; text?: string; inReplyTo?: string; customer?: AcknowledgedCustomer; firstMessage?: FirstMessage;
    headers?: ReadonlyMap<string, string>;
  }): Promise<AutoresponseOutcome> {
    const opened = typeof ticketOrId === 'string' ? await this.tickets.ticket(workspaceId, ticketOrId) : ticketOrId;
    const ticketId = opened.id;
    const given = context.customer?.id === opened.customer_id ? context.customer : undefined;
    const [customer, workspace] = await Promise.all([
      given ?? this.accounts.customer(workspaceId, opened.customer_id),
      this.accounts.workspace(workspaceId),
    ]);
    const recipient = customer.email.toLowerCase();
    const locale = customer.locale ?? context.localeHint ?? workspace.default_locale;
    // Only the caller that opened the ticket knows its first message, and then gave its customer too.
    const justOpened = context.firstMessage && given ? { ticket: opened, firstMessage: context.firstMessage, customer: given, headers: context.headers } : undefined;
    const policy = await this.options.policy?.acknowledgement(workspaceId, ticketId, locale, justOpened);
    // Triage may just have set the department (the sender address) and the urgency (the promise).
    const ticket = !policy ? opened
      : policy.placed ? { ...opened, department_id: policy.placed.departmentId, urgency: policy.placed.urgency as Urgency }
        : await this.tickets.ticket(workspaceId, ticketId);
    const suppressed = context.suppressed ?? (policy?.suppressed ? 'workspace-rule' : null);
    // The SLA's own subscriber sets the ticket's deadline, and may not have run yet (the events are
    // handled side by side): the deadline is then worked out here the way it will be, from the
    // ticket's creation under its policy and business hours.
    const dueAt = ticket.first_response_due_at
      ?? (await this.target.expectedFirstResponse(workspaceId, { urgency: ticket.urgency, departmentId: ticket.department_id }, ticket.created_at))?.dueAt;

    const t = translator(locale);
    const due = dueAt
      ? t('mail.autoresponse.expectedBy', { due: DateTime.fromJSDate(dueAt).setZone(workspace.time_zone).setLocale(locale).toLocaleString(DUE_FORMAT) })
      : t('mail.autoresponse.expectedSoon');
    // Looked up before the transaction that holds the recipient's lock: outside inbound mail's one
    // transaction (web-form jobs) the search takes connections of its own, which a holder must not
    // wait for. A failing address or a sender over the limit has it looked up for nothing: rare.
    const suggestions = suppressed ? [] : await this.suggestions(workspaceId, context.text ?? ticket.subject, locale);
    const vars = {
      name: customer.name || recipient,
      number: String(ticket.number),
      subject: ticket.subject,
      workspace: workspace.name[locale],
      expectation: ticket.urgency >= 2 ? `${t('mail.autoresponse.urgent')} ${due}` : due,
      suggestions: suggestions.length ? `\n\n${t('mail.autoresponse.suggestionsIntro')}\n${suggestions.map((s) => `- ${s.title}: ${s.url}`).join('\n')}` : '',
    };
    const custom = policy?.template;
    const mail = {
      to: recipient,
      locale,
      ...(custom
        ? { template: 'autoresponseCustom' as const, vars: { ...vars, customSubject: filled(custom.subject, vars), customBody: filled(custom.body, vars) } }
        : { template: 'autoresponse' as const, vars }),
      // RFC 3834's marker, so other systems' robots never answer us; threaded onto the customer's mail.
      autoSubmitted: 'auto-replied',
      ticketId,
      // Sent from the department's support address, the one the customer wrote to.
      ...(ticket.department_id ? { departmentId: ticket.department_id } : {}),
      ...(context.inReplyTo ? { inReplyTo: context.inReplyTo, references: [context.inReplyTo] } : {}),
      idempotencyKey: `autoresponse:${ticketId}`,
    } satisfies OutboundMail;

    // Called by inbound mail's replayable processing, its commit does not wait for the disk
    // (core/db/database.ts): the decision is replayed with the ticket.
    return this.tenancy.forWorkspace(workspaceId).transaction().execute(async (trx) => {
      // Serialises decisions for one recipient, so concurrent tickets cannot all slip under the hourly limit.
      const { status } = await LOCK_RECIPIENT.firstOrThrow(trx, { key: `${workspaceId}:${recipient}`, address: recipient });
      const decided = await DECIDE.first(trx, {
        ticketId, recipient, reason: suppressed ?? (status === 'failing' ? 'address-failing' : null),
        since: new Date(Date.now() - 60 * 60 * 1000), limit: this.options.perSenderPerHour,
      });
      if (!decided) return 'already-decided';
      if (decided.outcome === 'skipped') return 'skipped';
      await this.outbox.queue(workspaceId, mail, trx);
      return 'queued';
    });
  }

  private async suggestions(workspaceId: string, text: string, locale: Locale): Promise<{ title: string; url: string }[]> {
    const found = await this.search.bestAnswers(workspaceId, text.slice(0, 2000), locale, 3).catch(() => []);
    return found.slice(0, 3).flatMap((answer) => {
      const link = answer.url ?? answer.path;
      if (!link) return [];
      return [{ title: answer.title.replace(/[\r\n]+/g, ' '), url: /^https?:\/\//.test(link) ? link : `${this.options.publicUrl}${link.startsWith('/') ? '' : '/'}${link}` }];
    });
  }
}

/** A workspace's template with its {{placeholders}} filled in; an unknown one stays as written. */
const filled = (template: string, vars: Record<string, string>) =>
  template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => vars[name] ?? whole);

export type { AutorespondJob };
