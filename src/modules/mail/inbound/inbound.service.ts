import { Readable } from 'node:stream';
import { inOneTransaction } from '../../../core/db/database.js';
import { AppError, cursorInvalid, notFound } from '../../../core/errors.js';
import { PermanentJobError, type JobQueue } from '../../../core/jobs/index.js';
import { batched } from '../../../core/coalesce.js';
import type { Logger } from '../../../core/logger.js';
import type { AccountsService } from '../../accounts/index.js';
import type { AttachmentStore } from '../../../core/storage/attachments.js';
import type { StoredFile, TicketsService } from '../../tickets/index.js';
import type { TicketRow } from '../../tickets/index.js';
import type { SupportAddresses } from '../addresses/addresses.service.js';
import { headerFields } from '../mail.sources.js';
import type { Autoresponder } from '../autoresponder/autoresponder.service.js';
import { parseInbound, type ParsedInbound } from './inbound.parse.js';
import type { InboundRepo, RawMessage } from './inbound.repo.js';
import { senderVerified } from './inbound.sender.js';
import { autoreplySuppression, contentFingerprint, isBounce, rawMessageId } from './inbound.rules.js';
import type { InboundRow, InboundStatus } from './inbound.schema.js';
import { mailErrors } from '../mail.errors.js';
import { messageLocale } from '../../../contracts/language.js';

export const PROCESS_INBOUND_JOB = 'mail.inbound';
const SWEEP_JOB = 'mail.inbound_sweep';
/** A processing attempt that keeps failing this often is parked, so one message never blocks the others. */
const ATTEMPTS_BEFORE_PARKING = 3;
/**
 * Batches of messages processed side by side, each in a transaction of its own, and their largest
 * size (bench/mail.bench.ts): processing is bound by CPU (ours and Postgres'), so more lanes only
 * queue on the pool, while larger batches share more of the fixed costs of a job and a transaction.
 */
const PROCESSING_LANES = 3;
const BATCH_MESSAGES = 33;

export interface InboundJob {
  workspaceId: string;
  inboundId: string;
}

/** Where a message goes: a workspace, and the support address it came in by (when known). */
export interface InboundRoute {
  workspace_id: string;
  id: string | null;
  address: string;
}

export interface Envelope {
  from: string | null;
  /** Recipients already resolved to our support addresses (or the mailbox's workspace). */
  recipients: InboundRoute[];
  remoteIp: string | null;
  source: 'smtp' | 'imap';
  mailboxId?: string | null;
}

/**
 * The inbound pipeline. `accept` stores the raw message (one insert per workspace it is for) and
 * sends its job; everything else — parse, bounce check, thread, open or add to a ticket, attach
 * files, acknowledge — runs in `process`, a durable job keyed by the raw row, idempotent through
 * the message's id. A message that cannot be processed is parked with its reason, never retried
 * forever and never in the way of the next one.
 */
export class InboundMail {
  constructor(
    private readonly repo: InboundRepo,
    private readonly addresses: SupportAddresses,
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly attachments: AttachmentStore,
    private readonly autoresponder: Autoresponder,
    private readonly jobs: JobQueue,
    private readonly log: Pick<Logger, 'warn' | 'error'> & Partial<Pick<Logger, 'debug'>>,
    /** The receiving MTA's authserv-id, whose Authentication-Results are trusted (inbound.sender.ts). */
    private readonly options: { authservId?: string } = {},
  ) {}

  /**
   * Durably stores a message for each workspace its recipients belong to; resolves when committed
   * (the SMTP 250 waits for this). A message a workspace already received (the same Message-ID and
   * the same content) is not stored again; a different message with a Message-ID used before is
   * stored as its own, and the reuse noted. The jobs are sent afterwards; if the process dies
   * first, the sweep sends them.
   */
  async accept(raw: Buffer, envelope: Envelope): Promise<{ stored: number; duplicates: number }> {
    const messageId = rawMessageId(raw);
    const fingerprint = contentFingerprint(raw);
    const byWorkspace = new Map<string, InboundRoute[]>();
    for (const address of envelope.recipients) byWorkspace.set(address.workspace_id, [...(byWorkspace.get(address.workspace_id) ?? []), address]);
    const stored: InboundJob[] = [];
    let duplicates = 0;
    for (const [workspaceId, addresses] of byWorkspace) {
      const row = await this.storeRaw({ workspaceId, values: {
        address_id: addresses.find((a) => a.id)?.id ?? null, mailbox_id: envelope.mailboxId ?? null, source: envelope.source,
        envelope_from: envelope.from, envelope_to: addresses.map((a) => a.address), remote_ip: envelope.remoteIp,
        message_id: messageId, content_sha256: fingerprint, raw, size_bytes: raw.length,
      } });
      if (!row) {
        duplicates++;
        continue;
      }
      if (row.unfingerprinted) {
        // Its Message-ID arrived before contents were fingerprinted: taken for that message again, as before.
        await this.repo.finish(workspaceId, row.id, { status: 'processed', outcome: 'duplicate', reason: 'Received before with this Message-ID' });
        duplicates++;
        continue;
      }
      if (row.reused) {
        await this.repo.markMessageIdReused(workspaceId, row.id);
        this.log.warn({ workspaceId, inboundId: row.id, messageId }, 'inbound mail: a different message reused a Message-ID; kept as a message of its own');
      }
      stored.push({ workspaceId, inboundId: row.id });
    }
    for (const job of stored) await this.enqueue(job).catch((error: unknown) => this.log.warn({ err: error, ...job }, 'inbound mail: job not sent; the sweep will send it'));
    return { stored: stored.length, duplicates };
  }

  /**
   * Messages that arrive while others are being stored are stored together: one insert (and one
   * commit, one flush of the WAL) for all of them, before any of their 250s.
   */
  private readonly storeRaw = batched((rows: RawMessage[]) => this.repo.insertRaws(rows), { size: 50, lanes: 2 });

  /** Their jobs likewise, in one statement (`sendMany`). */
  private readonly enqueue = batched(async (jobs: InboundJob[]) => {
    // The raw row is durable already; a job lost in a crash is sent again by the sweep.
    const ids = await this.jobs.sendMany(jobs.map((job) => ({
      name: PROCESS_INBOUND_JOB, data: job, options: { idempotencyKey: job.inboundId, retryLimit: ATTEMPTS_BEFORE_PARKING, retryDelaySeconds: 5, resentIfLost: true },
    })));
    return ids.map((id): PromiseSettledResult<string | null> => ({ status: 'fulfilled', value: id }));
  }, { size: 50, lanes: 2 });

  /** Only where the worker role runs. */
  async work(jobs: JobQueue): Promise<void> {
    // Replayable (core/jobs/replayable.ts): processing rebuilds everything from the durably stored
    // raw message, and a replay finds the ticket by the Message-ID, so its commits (ticket, SLA
    // clocks, acknowledgement…) need not wait for the disk; the job's completion does, and it
    // flushes them all. The SMTP 250 waited for the raw row's own synchronous commit.
    // A fetch takes up to a lane's batch for every lane; the jobs' messages are processed a batch per
    // transaction (processBatch).
    await jobs.work<InboundJob>(PROCESS_INBOUND_JOB, (job) => this.processInBatch(job.data), { concurrency: BATCH_MESSAGES * PROCESSING_LANES, replayable: true });
    await jobs.work(SWEEP_JOB, async () => { await this.sweep(); });
    await jobs.schedule(SWEEP_JOB, '* * * * *').catch((error: unknown) => this.log.warn({ err: error }, 'inbound mail: sweep not scheduled'));
    // Messages a mail node stored while no worker ran (or whose job send was lost) are picked up at once.
    void this.sweep(0).catch((error: unknown) => this.log.warn({ err: error }, 'inbound mail: start-up sweep failed'));
  }

  /** Sends the jobs of messages stored but never handed on (the process died between the 250 and the send). */
  async sweep(olderThanMs = 30_000): Promise<number> {
    const stranded = await this.repo.stranded(new Date(Date.now() - olderThanMs), 500);
    await Promise.all(stranded.map((row) => this.enqueue({ workspaceId: row.workspace_id, inboundId: row.id })));
    return stranded.length;
  }

  /**
   * One job's message, processed with the other jobs' messages waiting beside it (core/coalesce.ts
   * `batched`): their attempts counted in one statement, then all of them in one transaction (a
   * BEGIN and a COMMIT for the batch, not for each message). If anything in it fails, nothing of the
   * batch stays and each message is processed on its own, so one bad message costs the others
   * nothing but the replay.
   */
  private readonly processInBatch = batched((jobs: InboundJob[]) => this.processBatch(jobs), { size: BATCH_MESSAGES, lanes: PROCESSING_LANES });

  private async processBatch(jobs: InboundJob[]): Promise<PromiseSettledResult<void>[]> {
    const rows = await this.repo.startAttempts(jobs);
    const found = rows.filter((row): row is InboundRow => row !== undefined);
    const together = found.length > 1 && await inOneTransaction(async () => {
      for (const row of found) await this.process(row);
    }).then(() => true, (err: unknown) => {
      // Expected now and then (a message for a closed ticket, one the parser refuses): each alone says which.
      this.log.debug?.({ err, messages: found.length }, 'inbound mail: a batch failed in one transaction; processing its messages one by one');
      return false;
    });
    const results: PromiseSettledResult<void>[] = [];
    for (const row of rows) {
      if (!row) results.push({ status: 'rejected', reason: new PermanentJobError('inbound message not found') });
      else if (together) results.push({ status: 'fulfilled', value: undefined });
      else results.push(await this.processAlone(row).then(() => ({ status: 'fulfilled', value: undefined }), (reason: unknown) => ({ status: 'rejected', reason })));
    }
    return results;
  }

  private async processAlone(row: InboundRow): Promise<void> {
    try {
      // One transaction for the message's customer, ticket, message, attachments' rows, events,
      // triage decision and acknowledgement (a BEGIN and a COMMIT each before); the attempt counted
      // above stays counted when it fails. A step that rolls back its own transaction and is caught
      // (a message for a closed ticket, a refused acknowledgement) undoes all of it: then the message
      // is processed again step by step (processing is replayable), and an error there is the real one.
      await inOneTransaction(() => this.process(row)).catch(() => this.process(row));
    } catch (error) {
      // Transient trouble (the database, the attachment store) gets retries; after the last one,
      // or for anything permanent, the message is parked with the reason and the queue moves on.
      const permanent = error instanceof PermanentJobError || (error instanceof AppError && error.status < 500);
      if (permanent || row.attempts >= ATTEMPTS_BEFORE_PARKING + 1) {
        await this.repo.finish(row.workspace_id, row.id, { status: 'parked', reason: reasonOf(error) });
        this.log.warn({ err: error, workspaceId: row.workspace_id, inboundId: row.id }, 'inbound mail parked');
        return;
      }
      throw error;
    }
  }

  /** Processes one stored message; running it again for a processed message changes nothing. */
  private async process(row: InboundRow): Promise<void> {
    const workspaceId = row.workspace_id;
    if (row.status !== 'received') return;
    const mail = await parseInbound(row.raw);
    // No usable From/Reply-To/Sender: the SMTP envelope's sender is still who sent it.
    if (!mail.from && row.envelope_from && /^[^\s@]+@[^\s@]+$/.test(row.envelope_from)) mail.from = { address: row.envelope_from, name: '' };
    const from = mail.from?.address ?? null;
    const base = { subject: mail.subject || null, from_address: from };

    if (isBounce(mail)) {
      const marked = await this.recordBounce(workspaceId, mail);
      return this.repo.finish(workspaceId, row.id, marked
        ? { ...base, status: 'processed', outcome: 'bounce' }
        : { ...base, status: 'processed', outcome: 'ignored', reason: 'A delivery report about no mail we sent' });
    }
    if (!from) return this.park(row, base, 'The message has no sender address (From, Reply-To, Sender or the envelope)');
    if (!mail.text && !mail.subject && !mail.attachments.length && !mail.messageId) {
      return this.park(row, base, 'Not a mail message: no headers, subject or body could be read');
    }
    const addresses = await this.addresses.ofWorkspace(workspaceId);
    const own = new Set(addresses.map((a) => a.address));
    if (own.has(from)) return this.repo.finish(workspaceId, row.id, { ...base, status: 'processed', outcome: 'ignored', reason: 'Sent from one of our own support addresses' });

    const address = addresses.find((a) => a.id === row.address_id);
    const messageId = mail.messageId ?? row.message_id ?? `kefu-inbound-${row.id}`;
    // The ticket message's key: a message whose Message-ID another had first is keyed by its content
    // too, or it would be taken for that other message and dropped.
    const externalId = row.message_id_reused && row.content_sha256 ? `${messageId}#${row.content_sha256}` : messageId;
    const { files, refused } = await this.storeAttachments(mail);
    const body = withRefusedNote(mail, refused);
    // Only a sender we can believe is added to an existing ticket; anyone else opens their own.
    const target = senderVerified(mail, from, row.envelope_from, this.options.authservId) ? await this.threadTarget(workspaceId, mail, from) : undefined;

    if (target) {
      const message = await this.tickets.addMessage(workspaceId, target.id, {
        kind: 'reply', body: body.visible, channel: 'email', externalId, attachments: files,
      }, { type: 'customer', id: target.customer_id }).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'TICKET_CLOSED') return undefined;
        throw error;
      });
      if (message) {
        return this.repo.finish(workspaceId, row.id, { ...base, status: 'processed', outcome: 'message_added', ticket_id: target.id, ticket_message_id: message.id },
          { message_id: messageId, ticket_id: target.id, ticket_message_id: message.id });
      }
    }

    // The language the customer wrote in comes first; the address' language when it cannot be told.
    const locale = messageLocale(mail.subject, mail.text) ?? address?.locale ?? null;
    const department = address?.department_id ? (await this.tickets.departments(workspaceId)).find((d) => d.id === address.department_id) : undefined;
    const { ticket, messageId: firstMessageId, customer, firstMessage } = await this.tickets.openWithMessage(workspaceId, {
      subject: mail.subject || (locale === 'zh-CN' ? '（无主题）' : '(no subject)'),
      body: body.full,
      ...(mail.html ? { bodyHtml: mail.html } : {}),
      channel: 'email',
      customer: { email: from, name: mail.from?.name || from.split('@')[0]!, locale },
      ...(department ? { departmentKey: department.key } : {}),
      externalId,
      attachments: files,
    }, { type: 'system', id: null });
    const suppressed = autoreplySuppression(mail, row.envelope_from, own);
    // The acknowledgement is decided before the message is marked processed: a crash in between
    // replays the processing (the ticket found by its Message-ID, the decision by its ticket), where
    // the other order would leave a processed message that is never acknowledged. A refusal (an
    // address that cannot take mail) is logged; anything else is retried with the processing.
    await this.autoresponder.respond(workspaceId, ticket, { suppressed, localeHint: locale, text: `${mail.subject}\n${mail.visibleText}`, inReplyTo: messageId, customer, firstMessage, headers: headerFields(row.raw) })
      .catch((error: unknown) => {
        if (!(error instanceof AppError && error.status < 500)) throw error;
        this.log.error({ err: error, workspaceId, ticketId: ticket.id }, 'autoresponse refused');
      });
    await this.repo.finish(workspaceId, row.id, { ...base, status: 'processed', outcome: 'ticket_created', ticket_id: ticket.id, ticket_message_id: firstMessageId, autoreply_suppressed: suppressed },
      { message_id: messageId, ticket_id: ticket.id, ticket_message_id: firstMessageId });
  }

  /**
   * In-Reply-To / References first, then a `[#1234]` token in the subject; either only when the sender
   * is that ticket's customer, so a stranger quoting a token (or replying to a newsletter) never lands
   * on somebody else's ticket. A merged ticket's mail goes to the ticket it was merged into.
   */
  private async threadTarget(workspaceId: string, mail: ParsedInbound, from: string): Promise<TicketRow | undefined> {
    const byHeader = await this.repo.ticketForMessageIds(workspaceId, mail.threadIds);
    const candidates: string[] = byHeader ? [byHeader.ticket_id] : [];
    const token = /\[#(\d{1,9})\]/.exec(mail.subject)?.[1];
    if (token) {
      const byNumber = await this.tickets.findTicketByNumber(workspaceId, Number(token));
      if (byNumber) candidates.push(byNumber.id);
    }
    for (const id of candidates) {
      let ticket = await this.tickets.findTicket(workspaceId, id);
      for (let hops = 0; ticket?.merged_into_id && hops < 5; hops++) ticket = await this.tickets.findTicket(workspaceId, ticket.merged_into_id);
      if (!ticket || ticket.status === 'closed') continue;
      const customer = await this.accounts.findCustomer(workspaceId, ticket.customer_id);
      if (customer?.email.toLowerCase() === from) return ticket;
    }
    return undefined;
  }

  /** Files go to the attachment store; what the store refuses (type, size) is named in the message instead. */
  private async storeAttachments(mail: ParsedInbound): Promise<{ files: StoredFile[]; refused: string[] }> {
    const files: StoredFile[] = [];
    const refused: string[] = [];
    for (const attachment of mail.attachments) {
      try {
        files.push(await this.attachments.save({ filename: attachment.filename, stream: Readable.from([attachment.content]) }));
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        refused.push(displayName(attachment.filename));
      }
    }
    return { files, refused };
  }

  /**
   * Only a report on mail Kefu sent counts (issue 12 #12): its Original-Message-ID (or the returned
   * headers) must name one of our outbound Message-IDs, and only that mail's recipients are marked.
   * Anyone can write a DSN naming any Final-Recipient; without the match it changes nothing.
   * Returns how many addresses were marked.
   */
  private async recordBounce(workspaceId: string, mail: ParsedInbound): Promise<number> {
    const report = mail.bounce;
    const outbound = await this.repo.outboundRecipients(workspaceId, report?.originalMessageIds ?? []);
    const named = new Set(report?.failedRecipients ?? []);
    // A report that names its failed recipients marks those of them we mailed; one that names none, all we mailed.
    const bounced = outbound.filter((o) => !named.size || named.has(o.to_address));
    const reason = [report?.status, report?.diagnostic].filter(Boolean).join(' ') || mail.subject || null;
    for (const { to_address, message_id } of bounced) await this.repo.markFailing(workspaceId, to_address, reason?.slice(0, 500) ?? null, message_id);
    return bounced.length;
  }

  private async park(row: InboundRow, base: object, reason: string): Promise<void> {
    await this.repo.finish(row.workspace_id, row.id, { ...base, status: 'parked', reason });
  }

  // ---- reading, for agents -----------------------------------------------------------------

  async list(workspaceId: string, query: { status?: InboundStatus; limit: number; cursor?: string }) {
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rows = await this.repo.list(workspaceId, query.status, query.limit, before);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { messages: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last.received_at, last.id) : null };
  }

  async message(workspaceId: string, id: string): Promise<InboundRow> {
    const row = await this.repo.raw(workspaceId, id);
    if (!row) throw notFound('inbound_message');
    return row;
  }

  /** An agent's retry of a parked message: back to `received` and a fresh job. */
  async retry(workspaceId: string, id: string): Promise<InboundRow> {
    const row = await this.message(workspaceId, id);
    if (row.status !== 'parked') throw mailErrors.inboundNotParked('Only parked messages can be retried');
    await this.repo.requeue(workspaceId, id);
    await this.jobs.send<InboundJob>(PROCESS_INBOUND_JOB, { workspaceId, inboundId: id }, { idempotencyKey: `${id}:retry:${row.attempts}`, retryLimit: ATTEMPTS_BEFORE_PARKING, retryDelaySeconds: 5 });
    return this.message(workspaceId, id);
  }

  /** The parsed, full text of a stored message (nothing stripped), for the agent's "show original". */
  async original(workspaceId: string, id: string): Promise<{ subject: string; from: string | null; text: string; html: string | null }> {
    const mail = await parseInbound((await this.message(workspaceId, id)).raw);
    return { subject: mail.subject, from: mail.from?.address ?? null, text: mail.text, html: mail.html };
  }

  async addressHealth(workspaceId: string, customerId: string) {
    const customer = await this.accounts.customer(workspaceId, customerId);
    const address = customer.email.toLowerCase();
    return { address, health: await this.repo.addressHealth(workspaceId, address) };
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`.slice(0, 500);
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown error';
}

function displayName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return name.replace(/[\u0000-\u001f\u007f]/g, '_').slice(0, 120);
}

/** The conversation shows the customer's own words; the thread's first message keeps the whole text. */
function withRefusedNote(mail: ParsedInbound, refused: string[]): { full: string; visible: string } {
  // Agents of either language read it; the raw message (with the files) stays downloadable.
  const note = refused.length ? `\n\n[${refused.length} 个附件未保存（类型或大小不允许）/ ${refused.length} attachment(s) not kept (type or size not allowed): ${refused.join(', ')}]` : '';
  const placeholder = '(…)';
  return { full: (mail.text || placeholder) + note, visible: (mail.visibleText || placeholder) + note };
}

function encodeCursor(receivedAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([receivedAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { receivedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    const receivedAt = new Date(String(at));
    if (typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(receivedAt.getTime())) return { receivedAt, id };
  } catch {
    // fall through
  }
  throw cursorInvalid('The page cursor is not valid; start from the first page');
}
