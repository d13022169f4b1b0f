import type { Clock } from '../../../core/clock.js';
import { AppError, notFound } from '../../../core/errors.js';
import type { DomainEvent } from '../../../core/events/index.js';
import { translator } from '../../../core/i18n/index.js';
import type { Logger } from '../../../core/logger.js';
import type { Actor, AccountsService } from '../../accounts/index.js';
import type { AttachmentStore } from '../../../core/storage/attachments.js';
import type { TicketsService } from '../../tickets/index.js';
import type { Channel } from '../../tickets/index.js';
import type { MailOutboxService, SendJob } from '../mail.outbox.js';
import { withoutReplyPrefix } from './outbound.headers.js';
import { renderTemplateHtml } from './outbound.html.js';
import type { AttemptRecord, OutboundRepo, OutboxFilter } from './outbound.repo.js';
import type { SmtpMessage, SmtpResult, SmtpSender } from './outbound.transport.js';
import { mailErrors } from '../mail.errors.js';
import { messageLocale } from '../../../contracts/language.js';

export { SEND_JOB } from '../mail.outbox.js';
export const SWEEP_JOB = 'mail.outbox.sweep';

/**
 * Tickets whose customer hears an agent's reply by e-mail. Chat answers reach the visitor in the
 * chat (and its transcript), forum answers on the forum, SMS by SMS; every other channel has no
 * way back but mail, so the customer's address gets the reply.
 */
export const MAILED_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['email', 'web', 'api', 'phone']);

/** Longest wait between two attempts, whatever the back-off reaches. */
const MAX_RETRY_DELAY_MS = 6 * 60 * 60 * 1000;
/**
 * A claim older than this means the attempt's process stopped: it is the job expiry (core/jobs,
 * 40 s), after which the queue itself retries a job as lost, and nodemailer's timeouts (outbound.transport.ts)
 * end a stalled attempt sooner. The mail is then sent again with the same Message-ID. What SMTP
 * cannot tell us: whether a server that accepted the message (250) before the process died
 * delivers it; then the recipient gets it twice, recognisable as one by its Message-ID. A live
 * attempt that trickles data for longer than this may likewise be sent twice.
 */
export const CLAIM_LOST_MS = 40_000;
const SWEEP_BATCH = 500;

export interface OutboundOptions {
  publicUrl: string;
  maxAttempts: number;
  retryDelayMs: number;
  /**
   * Whether a chat ticket's conversation is still live: while it is, the customer reads replies in
   * the chat; once it has ended (or became an offline message) replies go by e-mail.
   */
  isLiveChat?: (workspaceId: string, ticketId: string) => Promise<boolean>;
  /** Puts the secrets that stored mail only refers to (core/auth/mail-secrets.ts) into the copy sent. */
  renderSecrets?: (text: string) => Promise<string>;
}

type Auditor = Pick<AccountsService, 'audit' | 'customer' | 'workspace'>;

/**
 * Delivery of the outbox: one attempt per job, retried with exponential back-off on transient
 * SMTP failures, each attempt logged, a permanent failure noted on the ticket. Also turns agents'
 * replies into mail, and serves the console's outbox view.
 */
export class OutboundMailService {
  constructor(
    private readonly repo: OutboundRepo,
    private readonly outbox: MailOutboxService,
    private readonly tickets: TicketsService,
    private readonly accounts: Auditor,
    private readonly store: AttachmentStore,
    private readonly clock: Clock,
    /** Undefined without SMTP settings: mail is held. */
    private readonly sender: SmtpSender | undefined,
    private readonly options: OutboundOptions,
    private readonly log: Pick<Logger, 'warn' | 'error'>,
  ) {}

  get smtpConfigured(): boolean {
    return this.sender !== undefined;
  }

  // ---- the console ------------------------------------------------------------------------

  async list(workspaceId: string, filter: OutboxFilter, page: { limit: number; cursor?: string }) {
    const rows = await this.repo.list(workspaceId, filter, page.limit + 1, page.cursor === undefined ? undefined : Number(page.cursor));
    const mails = rows.slice(0, page.limit);
    return { mails, nextCursor: rows.length > page.limit ? String(mails.at(-1)!.seq) : null };
  }

  async mail(workspaceId: string, id: string) {
    const row = await this.repo.mail(workspaceId, id);
    if (!row) throw notFound('mail');
    return { ...row, history: await this.repo.attempts(workspaceId, id) };
  }

  /** A failed mail goes back to the queue with a fresh budget of attempts (held if SMTP is gone meanwhile). */
  async retry(workspaceId: string, id: string, actor: Actor) {
    const current = await this.mail(workspaceId, id);
    if (current.status !== 'failed') throw mailErrors.mailNotFailed('Only a failed mail can be sent again', { status: current.status });
    const requeued = await this.repo.requeueFailed(workspaceId, id, this.sender ? 'queued' : 'held', this.options.maxAttempts, this.clock.now());
    if (!requeued) throw mailErrors.mailNotFailed('Only a failed mail can be sent again');
    if (this.sender) await this.outbox.scheduleAttempt(workspaceId, id, requeued.attempts + 1);
    await this.accounts.audit(workspaceId, actor, 'mail.retried', 'mail', id, { to: current.to_address });
    return this.mail(workspaceId, id);
  }

  /** Mail held while no SMTP server was configured is sent now that one is. */
  async releaseHeld(workspaceId: string, actor: Actor): Promise<number> {
    if (!this.sender) throw mailErrors.mailSmtpNotConfigured('Set KEFU_SMTP_URL and restart before releasing held mail');
    const released = await this.repo.releaseHeld(workspaceId, this.clock.now());
    for (const row of released) await this.outbox.scheduleAttempt(workspaceId, row.id, row.attempts + 1);
    await this.accounts.audit(workspaceId, actor, 'mail.released', null, null, { count: released.length });
    return released.length;
  }

  // ---- the worker -------------------------------------------------------------------------

  /**
   * One attempt. The row is claimed first (only a queued row, only once), marked sent as soon as
   * SMTP accepts it, and otherwise given its next attempt or marked failed. SMTP failures do not
   * throw: the retry is our own next job, with our back-off and our attempt log.
   */
  async deliver(job: SendJob): Promise<void> {
    const { workspaceId, outboxId } = job;
    const current = await this.repo.mail(workspaceId, outboxId);
    // Queued in a transaction that has not committed yet: the job retries in a moment.
    if (!current) throw new Error(`mail ${outboxId} is not visible (yet)`);
    if (!this.sender) return;
    const startedAt = this.clock.now();
    let row;
    if (current.status === 'queued') row = await this.repo.claim(workspaceId, outboxId, startedAt);
    else if (current.status === 'sending') {
      // This attempt's job runs again: the queue retries a job once its run expired (a crash), so
      // the run that claimed the mail is gone, or, if its claim is recent, still sending: look later.
      if (current.claimed_at && current.claimed_at.getTime() > startedAt.getTime() - CLAIM_LOST_MS) {
        throw new Error(`mail ${outboxId} is being sent by another run; trying again later`);
      }
      const lost = this.lostAttempt(current, startedAt);
      if (current.attempts >= current.attempt_limit) {
        await this.failAttempt(workspaceId, current, lost, false);
        return;
      }
      row = await this.repo.reclaimLost(workspaceId, outboxId, lost, startedAt);
    }
    if (!row) return;
    const started = performance.now();
    let result: SmtpResult;
    try {
      result = await this.sender.send(await this.message(workspaceId, row));
    } catch (error) {
      // Reading an attachment failed, or the store is down: nothing reached SMTP; worth another try.
      result = { ok: false, permanent: false, code: null, response: error instanceof Error ? error.message : String(error) };
    }
    const attempt: AttemptRecord = {
      attempt: row.attempts, started_at: startedAt, duration_ms: Math.round(performance.now() - started),
      outcome: result.ok ? 'sent' : result.permanent ? 'permanent' : 'transient', smtp_code: result.code, response: result.response,
    };
    if (result.ok) {
      await this.repo.finishAttempt(workspaceId, outboxId, attempt, { status: 'sent', sent_at: this.clock.now(), last_error: null });
      await this.repo.clearBounceState(workspaceId, row.to_address);
      return;
    }
    await this.failAttempt(workspaceId, row, attempt, result.permanent);
  }

  /**
   * The safety net, every minute across workspaces: claims left by a process that stopped go
   * back to the queue (their outcome unknown), and every due queued mail gets the job of its next
   * attempt — keyed by attempt, so a job that already exists is not doubled. Without SMTP
   * settings (removed since the mail was queued) queued mail is held instead.
   */
  async sweep(): Promise<{ recovered: number; scheduled: number }> {
    const now = this.clock.now();
    let recovered = 0;
    for (const stale of await this.repo.staleClaims(new Date(now.getTime() - CLAIM_LOST_MS), SWEEP_BATCH)) {
      await this.guarded(stale.workspace_id, async () => {
        if (await this.failAttempt(stale.workspace_id, stale, this.lostAttempt(stale, now), false)) recovered++;
      });
    }
    if (!this.sender) {
      await this.repo.holdAllQueued();
      return { recovered, scheduled: 0 };
    }
    let scheduled = 0;
    for (const due of await this.repo.due(now, SWEEP_BATCH)) {
      await this.guarded(due.workspace_id, async () => {
        if (await this.outbox.scheduleAttempt(due.workspace_id, due.id, due.attempts + 1)) scheduled++;
      });
    }
    return { recovered, scheduled };
  }

  // ---- agents' replies --------------------------------------------------------------------

  private async mailsReplies(workspaceId: string, ticket: { id: string; channel: Channel }): Promise<boolean> {
    if (MAILED_CHANNELS.has(ticket.channel)) return true;
    return ticket.channel === 'chat' && this.options.isLiveChat !== undefined && !(await this.options.isLiveChat(workspaceId, ticket.id));
  }

  /**
   * `message.created` handler: an agent's reply on a ticket of a mailed channel goes to the
   * customer, threaded under the customer's last mail (and our earlier replies). Every web node
   * hears the event over Redis; the idempotency key makes it one mail.
   */
  async onMessageCreated(event: DomainEvent<'message.created'>): Promise<void> {
    const payload = event.payload;
    if (payload.kind !== 'reply' || payload.authorType !== 'agent') return;
    const workspaceId = event.workspaceId;
    const ticket = await this.tickets.ticket(workspaceId, payload.ticketId);
    if (!(await this.mailsReplies(workspaceId, ticket))) return;
    const thread = await this.tickets.thread(workspaceId, ticket.id, { includeNotes: false });
    const message = thread.find((m) => m.id === payload.messageId);
    if (!message) return;
    const customer = await this.accounts.customer(workspaceId, ticket.customer_id);
    const workspace = await this.accounts.workspace(workspaceId);
    // A customer who chose no language is answered in the one they last wrote in.
    const theirs = thread.filter((m) => m.author_type === 'customer').at(-1);
    const locale = customer.locale ?? (theirs && messageLocale(ticket.subject, theirs.body_text)) ?? workspace.default_locale;
    const threadIds = await this.repo.threadMessageIds(workspaceId, ticket.id);
    const lastInbound = threadIds.filter((m) => m.direction === 'inbound').at(-1) ?? threadIds.at(-1);
    const vars = {
      reply: message.body_text, subject: withoutReplyPrefix(ticket.subject), number: String(ticket.number),
      link: `${this.options.publicUrl}/requests/${ticket.number}`, workspace: workspace.name[locale],
    };
    try {
      await this.outbox.queue(workspaceId, {
        to: customer.email, template: 'agentReply', locale, vars,
        html: message.body_html ? renderTemplateHtml(locale, 'agentReply', vars, { reply: message.body_html }) : undefined,
        ticketId: ticket.id, ticketMessageId: message.id, departmentId: ticket.department_id,
        inReplyTo: lastInbound?.message_id, references: threadIds.map((m) => m.message_id),
        attachmentIds: message.attachments.map((a) => a.id), idempotencyKey: `reply:${message.id}`,
      });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'MAIL_ADDRESS_INVALID')) throw error;
      await this.noteOnTicket(workspaceId, ticket.id, `mail:not-mailed:${message.id}`, 'notMailed', { to: customer.email });
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** The record of an attempt whose process stopped before it knew the outcome. */
  private lostAttempt(row: { attempts: number; claimed_at: Date | null }, now: Date): AttemptRecord {
    const startedAt = row.claimed_at ?? now;
    return {
      attempt: row.attempts, started_at: startedAt, duration_ms: now.getTime() - startedAt.getTime(), outcome: 'unknown', smtp_code: null,
      response: 'The attempt never finished (its process stopped); the mail is sent again with the same Message-ID',
    };
  }

  /** False when the attempt had already been ended elsewhere (the sweeper and a retried job raced). */
  private async failAttempt(workspaceId: string, row: { id: string; attempts: number; attempt_limit: number; ticket_id: string | null; to_address: string }, attempt: AttemptRecord, permanent: boolean): Promise<boolean> {
    const exhausted = row.attempts >= row.attempt_limit;
    if (!permanent && !exhausted) {
      const nextAt = new Date(this.clock.now().getTime() + this.backoff(row.attempts));
      if (!(await this.repo.finishAttempt(workspaceId, row.id, attempt, { status: 'queued', next_attempt_at: nextAt, last_error: attempt.response }))) return false;
      // If this enqueue fails, the sweeper gives the attempt its job once it is due.
      await this.outbox.scheduleAttempt(workspaceId, row.id, row.attempts + 1, nextAt)
        .catch((error: unknown) => this.log.warn({ err: error, outboxId: row.id }, 'next mail attempt left to the sweeper'));
      return true;
    }
    if (!(await this.repo.finishAttempt(workspaceId, row.id, attempt, { status: 'failed', last_error: attempt.response }))) return false;
    if (row.ticket_id) {
      const reason = permanent ? attempt.response ?? '' : `${attempt.response ?? ''} (${row.attempts} attempts)`;
      await this.noteOnTicket(workspaceId, row.ticket_id, `mail:failed:${row.id}:${row.attempts}`, 'failed', { to: row.to_address, reason });
    }
    return true;
  }

  /** `retryDelay · 2^(n-1)`, plus up to a quarter more so mail that failed together does not return together. */
  private backoff(attempt: number): number {
    const base = Math.min(this.options.retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
    return Math.round(base * (1 + Math.random() / 4));
  }

  /** An internal note by the system, in the workspace's language; keyed, so a repeated call adds nothing. */
  private async noteOnTicket(workspaceId: string, ticketId: string, key: string, text: 'failed' | 'notMailed', vars: Record<string, string>) {
    const workspace = await this.accounts.workspace(workspaceId);
    const body = translator(workspace.default_locale)(`mail.deliveryNote.${text}`, vars);
    await this.tickets.addMessage(workspaceId, ticketId, { kind: 'note', body, externalId: key }, { type: 'system', id: null })
      // A closed (or deleted) ticket takes no notes; the failure stays visible in the outbox.
      .catch((error: unknown) => this.log.warn({ err: error, ticketId }, 'delivery note not added to the ticket'));
  }

  private async message(workspaceId: string, row: NonNullable<Awaited<ReturnType<OutboundRepo['mail']>>>): Promise<SmtpMessage> {
    const attachments = [];
    for (const id of row.attachment_ids) {
      const stored = await this.tickets.attachment(workspaceId, id).catch((error: unknown) => {
        if (error instanceof AppError && error.status === 404) return undefined;
        throw error;
      });
      // A file removed since the reply was written is left out rather than holding the mail back.
      if (stored) attachments.push({ filename: stored.filename, contentType: stored.content_type, content: this.store.open(stored.storage_key) });
    }
    return {
      from: row.from_address, replyTo: row.reply_to ?? undefined, to: row.to_address, subject: row.subject,
      text: this.options.renderSecrets ? await this.options.renderSecrets(row.text_body) : row.text_body,
      html: row.html_body ?? undefined, messageId: row.message_id,
      inReplyTo: row.in_reply_to ?? undefined, references: row.reference_ids, autoSubmitted: row.auto_submitted ?? undefined,
      date: row.created_at, attachments,
    };
  }

  /** One workspace's trouble must not stop the sweep for the others. */
  private async guarded(workspaceId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.log.error({ err: error, workspaceId }, 'mail outbox sweep failed for a workspace');
    }
  }
}
