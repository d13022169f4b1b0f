import { sql, type Insertable, type Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { MailOutboundConfig } from '../../core/config.js';
import { translator } from '../../core/i18n/index.js';
import type { en as mailCatalogue } from './mail.i18n.js';
import type { JobQueue } from '../../core/jobs/index.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import { queryTemplate } from '../../core/db/query-template.js';
import type { MailOutboxTable } from './mail.schema.js';
import { isPlaceholderAddress } from '../../contracts/addresses.js';
import type { MailOutbox, OutboundMail, QueuedMail } from '../../core/mail/outbox.js';
import {
  bareMessageId, formatMailbox, newMessageId, oneLine, parseMailbox, referencesChain, requireMailbox, type Mailbox,
} from './outbound/outbound.headers.js';

/**
 * Templates are catalogue entries `mail.<template>.subject` / `.body` (mail.i18n.ts),
 * rendered in the recipient's language; a module adds a template by adding its entry there.
 * Entries without a subject (e.g. `deliveryNote`) are other mail texts, not templates.
 */
type CatalogueTemplate = {
  [K in keyof typeof mailCatalogue]: (typeof mailCatalogue)[K] extends { subject: string; body: string } ? K : never
}[keyof typeof mailCatalogue];

declare module '../../core/mail/outbox.js' {
  // The outbox port's template names are this catalogue's templates.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface MailTemplates extends Record<CatalogueTemplate, true> {}
}

export const SEND_JOB = 'mail.outbox.send';

export interface SendJob {
  workspaceId: string;
  outboxId: string;
}

/**
 * The key of the job for attempt `n` of a mail. `attempts` only grows (each claim adds one), so
 * every attempt has a key of its own: the sweeper and the back-off scheduler naming the same
 * attempt collapse into one job, and a finished attempt never blocks the next one.
 */
export function sendJobKey(outboxId: string, attempt: number): string {
  return `${outboxId}:${attempt}`;
}

type SupportAddress = { address: string; display_name: string | null; department_id: string | null };

/** Statements of every queued mail, built and compiled once (core/db/query-template.ts). */
const MAIL_BY_KEY = queryTemplate((db, { workspaceId, key }: { workspaceId: string; key: string }) => db.selectFrom('mail_outbox')
  .select(['id', 'message_id', 'status']).where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key));
/**
 * The mail, and a ticket's mail's Message-ID for threading, in one statement. With its idempotency
 * key taken, nothing is written and the mail stored under the key is returned (`inserted` false),
 * or no row when that mail's transaction committed while this statement waited for it.
 */
const INSERT_MAIL = queryTemplate((db, row: Insertable<MailOutboxTable> & { workspace_id: string; idempotency_key: string | null }) => {
  const inserted = db
    .with('mail', (qb) => qb.insertInto('mail_outbox').values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
      .returning(['id', 'message_id', 'status', 'workspace_id', 'ticket_id', 'ticket_message_id']))
    // Text, as tenancy takes only inserts that list their values (core/tenancy.ts): this one copies
    // the row inserted above, scoped and checked there, and nothing when the key was taken.
    .with('thread', () => sql`(insert into mail_message_ids (workspace_id, message_id, ticket_id, ticket_message_id, direction)
      select workspace_id, message_id, ticket_id, ticket_message_id, 'outbound' from mail where ticket_id is not null
      on conflict (workspace_id, message_id) do nothing)`)
    .selectFrom('mail').select(['id', 'message_id', 'status', sql<boolean>`true`.as('inserted')]);
  return row.idempotency_key === null ? inserted : inserted.unionAll((qb) => qb.selectFrom('mail_outbox')
    .select(['id', 'message_id', 'status', sql<boolean>`false`.as('inserted')])
    .where('workspace_id', '=', row.workspace_id).where('idempotency_key', '=', row.idempotency_key));
});

/**
 * Mail is written to the outbox in the caller's transaction (when given), so it exists exactly
 * when what caused it was committed; a durable job then sends it (see outbound/outbound.service.ts).
 * Outside an event handler's one-transaction batch the job cannot join the caller's transaction
 * (the queue has its own connections): when it runs before the commit it finds no row and retries,
 * and the sweeper catches whatever has no job. Inside one it is stored in the batch's transaction.
 */
export class MailOutboxService implements MailOutbox {
  private readonly publicHost: string;

  /**
   * `supportAddresses`: the workspace's support addresses, oldest first, read in `db` when they are
   * not cached. Every queued mail looks up its sender (issue 15: one statement of each
   * acknowledgement), so this is the inbound side's per-node cache.
   */
  constructor(
    private readonly tenancy: Tenancy<DB>,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    private readonly settings: MailOutboundConfig,
    publicUrl: string,
    private readonly log: { warn(obj: object, msg?: string): void },
    private readonly supportAddresses: (workspaceId: string, db: Kysely<DB>) => Promise<SupportAddress[]>,
  ) {
    this.publicHost = new URL(publicUrl).hostname;
  }

  get smtpConfigured(): boolean {
    return this.settings.smtp !== undefined;
  }

  async queue(workspaceId: string, mail: OutboundMail, trx?: Kysely<DB>): Promise<QueuedMail> {
    const to = requireMailbox(mail.to, 'to');
    const db = trx ?? this.tenancy.forWorkspace(workspaceId);
    const sender = await this.sender(db, workspaceId, mail);
    const t = translator(mail.locale);
    const messageId = newMessageId(sender.from.address.split('@')[1]!);
    // A placeholder address (RFC 2606 `.invalid`: customers known by phone alone, erased ones) has no
    // mailbox: the mail is kept, visibly not sent and why, instead of bouncing through every retry.
    const placeholder = isPlaceholderAddress(to.address);
    const status = placeholder ? 'failed' : this.smtpConfigured ? 'queued' : 'held';
    const row = await INSERT_MAIL.first(db, {
      workspace_id: workspaceId,
      message_id: messageId,
      from_address: formatMailbox(sender.from),
      reply_to: sender.replyTo ? formatMailbox(sender.replyTo) : null,
      to_address: formatMailbox(to),
      // The subject is a header: whatever the variables held, it is one line.
      subject: oneLine(t(`mail.${mail.template}.subject`, mail.vars), 900),
      text_body: t(`mail.${mail.template}.body`, mail.vars),
      html_body: mail.html ?? null,
      template: mail.template,
      locale: mail.locale,
      in_reply_to: mail.inReplyTo === undefined ? null : bareMessageId(mail.inReplyTo) ?? null,
      reference_ids: referencesChain((mail.references ?? []).map(bareMessageId).filter((id): id is string => id !== undefined)),
      auto_submitted: mail.autoSubmitted ?? null,
      ticket_id: mail.ticketId ?? null,
      ticket_message_id: mail.ticketMessageId ?? null,
      attachment_ids: mail.attachmentIds ?? [],
      idempotency_key: mail.idempotencyKey ?? null,
      status,
      last_error: placeholder ? 'Not sent: the address is a placeholder with no mailbox (.invalid), e.g. a customer known only by phone' : null,
      attempt_limit: this.settings.maxAttempts,
      next_attempt_at: this.clock.now(),
    });
    // Two callers racing with one key: the loser gets the winner's mail, committed after its statement began.
    if (!row) return (await this.byKey(db, workspaceId, mail.idempotencyKey!))!;
    if (row.inserted && status === 'queued') await this.sendFirstAttempt(workspaceId, row.id);
    return { id: row.id, messageId: row.message_id, status: row.status };
  }

  /** Enqueues attempt `attempt` of a mail; `startAfter` carries the back-off. */
  /** False when the attempt already had its job (the key is taken). */
  async scheduleAttempt(workspaceId: string, outboxId: string, attempt: number, startAfter?: Date): Promise<boolean> {
    // Retries inside the job cover a row not yet committed; SMTP failures are retried by scheduling
    // the next attempt (with its own key and back-off), not by the job failing.
    return null !== await this.jobs.send<SendJob>(SEND_JOB, { workspaceId, outboxId }, { idempotencyKey: sendJobKey(outboxId, attempt), startAfter, retryLimit: 5 });
  }

  private async sendFirstAttempt(workspaceId: string, outboxId: string): Promise<void> {
    try {
      await this.scheduleAttempt(workspaceId, outboxId, 1);
    } catch (error) {
      // The row is stored; the sweeper sends it within a minute. The caller's action must not fail for this.
      this.log.warn({ err: error, outboxId }, 'mail queued without a send job; the sweeper will pick it up');
    }
  }

  // A caller's transaction need not be workspace-scoped, so these reads name the workspace themselves.
  private async byKey(db: Kysely<DB>, workspaceId: string, key: string): Promise<QueuedMail | undefined> {
    const row = await MAIL_BY_KEY.first(db, { workspaceId, key });
    return row && { id: row.id, messageId: row.message_id, status: row.status };
  }

  /**
   * From and Reply-To: an explicit override, else the department's support address (else the
   * workspace's first), else KEFU_MAIL_FROM, else no-reply at the public host. Replies to a
   * support address come back into Kefu, so it is the Reply-To as well.
   */
  private async sender(db: Kysely<DB>, workspaceId: string, mail: OutboundMail): Promise<{ from: Mailbox; replyTo?: Mailbox }> {
    const replyTo = mail.replyTo === undefined ? undefined : requireMailbox(mail.replyTo, 'replyTo');
    if (mail.from !== undefined) return { from: requireMailbox(mail.from, 'from'), replyTo };
    const addresses = await this.supportAddresses(workspaceId, db);
    const support = (mail.departmentId ? addresses.find((a) => a.department_id === mail.departmentId) : undefined) ?? addresses[0];
    if (support) {
      const address: Mailbox = support.display_name ? { address: support.address, name: oneLine(support.display_name, 200) } : { address: support.address };
      return { from: address, replyTo: replyTo ?? { address: support.address } };
    }
    const configured = this.settings.from === undefined ? undefined : parseMailbox(this.settings.from);
    if (configured) return { from: configured, replyTo };
    // An IP address or a single label cannot be a mail domain; such setups should set KEFU_MAIL_FROM.
    const host = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(this.publicHost) && !/^[\d.]+$/.test(this.publicHost) ? this.publicHost : 'localhost';
    return { from: { address: `no-reply@${host}` }, replyTo };
  }
}
