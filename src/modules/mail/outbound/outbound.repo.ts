import type { Kysely } from 'kysely';
import type { Tenancy } from '../../../core/tenancy.js';
import type { DB } from '../../../core/db/database.js';
import type { AttemptOutcome, OutboxStatus } from '../mail.schema.js';

export interface AttemptRecord {
  attempt: number;
  started_at: Date;
  duration_ms: number;
  outcome: AttemptOutcome;
  smtp_code: number | null;
  response: string | null;
}

export interface OutboxFilter {
  status?: OutboxStatus;
  /** Part of the recipient's address. */
  recipient?: string;
}

/** The list columns: no bodies (the log lists many). */
const summaryColumns = [
  'id', 'seq', 'message_id', 'from_address', 'to_address', 'subject', 'template', 'locale', 'status', 'ticket_id',
  'attempts', 'next_attempt_at', 'sent_at', 'last_error', 'created_at',
] as const;

/** Every query on the outbox goes through `tenancy.forWorkspace`; only the sweeper's scans run across workspaces. */
export class OutboundRepo {
  constructor(private readonly db: Kysely<DB>, private readonly tenancy: Tenancy<DB>) {}

  private in(workspaceId: string) {
    return this.tenancy.forWorkspace(workspaceId);
  }

  list(workspaceId: string, filter: OutboxFilter, limit: number, beforeSeq?: number) {
    let query = this.in(workspaceId).selectFrom('mail_outbox').select(summaryColumns);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.recipient) query = query.where('to_address', 'ilike', `%${filter.recipient.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    return query.orderBy('seq', 'desc').limit(limit).execute();
  }

  mail(workspaceId: string, id: string) {
    return this.in(workspaceId).selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
  }

  attempts(workspaceId: string, outboxId: string) {
    return this.in(workspaceId).selectFrom('mail_outbox_attempts').select(['attempt', 'started_at', 'duration_ms', 'outcome', 'smtp_code', 'response'])
      .where('outbox_id', '=', outboxId).orderBy('id').execute();
  }

  /**
   * The one place an attempt begins: only a queued row can be claimed, and only by one worker,
   * so two jobs for the same mail (or two instances) can never both send it.
   */
  claim(workspaceId: string, id: string, now: Date) {
    return this.in(workspaceId).updateTable('mail_outbox')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), claimed_at: now }))
      .where('id', '=', id).where('status', '=', 'queued')
      .returningAll().executeTakeFirst();
  }

  /**
   * Ends an attempt: the row's new state and the attempt's log line, together. Only the attempt
   * still in progress can be ended (false otherwise): the sweeper and a retried job that both found
   * one claim lost cannot both act on it.
   */
  async finishAttempt(workspaceId: string, id: string, attempt: AttemptRecord, next: {
    status: OutboxStatus; next_attempt_at?: Date; sent_at?: Date; last_error: string | null;
  }): Promise<boolean> {
    return this.in(workspaceId).transaction().execute(async (trx) => {
      const ended = await trx.updateTable('mail_outbox').set({ ...next, claimed_at: null })
        .where('id', '=', id).where('status', '=', 'sending').where('attempts', '=', attempt.attempt).executeTakeFirst();
      if (!ended.numUpdatedRows) return false;
      await trx.insertInto('mail_outbox_attempts').values({ outbox_id: id, ...attempt }).execute();
      return true;
    });
  }

  /**
   * A claim whose process stopped mid-attempt: that attempt is logged with an unknown outcome and
   * the next one claimed in the same step (the mail is sent again, with the same Message-ID).
   */
  reclaimLost(workspaceId: string, id: string, lost: AttemptRecord, now: Date) {
    return this.in(workspaceId).transaction().execute(async (trx) => {
      const row = await trx.updateTable('mail_outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), claimed_at: now }))
        .where('id', '=', id).where('status', '=', 'sending').where('attempts', '=', lost.attempt)
        .returningAll().executeTakeFirst();
      if (row) await trx.insertInto('mail_outbox_attempts').values({ outbox_id: id, ...lost }).execute();
      return row;
    });
  }

  /** Mail to an address marked failing by a bounce was accepted again: it works (issue 12 #12). */
  async clearBounceState(workspaceId: string, toAddress: string): Promise<void> {
    const bare = (/<([^<>]+)>/.exec(toAddress)?.[1] ?? toAddress).trim().toLowerCase();
    await this.in(workspaceId).updateTable('mail_address_health').set({ status: 'ok' })
      .where('address', '=', bare).where('status', '=', 'failing').execute();
  }

  /** Manual retry of a failed mail: back to the queue with a fresh budget of attempts. */
  requeueFailed(workspaceId: string, id: string, status: 'queued' | 'held', extraAttempts: number, now: Date) {
    return this.in(workspaceId).updateTable('mail_outbox')
      .set((eb) => ({ status, attempt_limit: eb('attempts', '+', extraAttempts), next_attempt_at: now, last_error: null }))
      .where('id', '=', id).where('status', '=', 'failed')
      .returning(['id', 'attempts']).executeTakeFirst();
  }

  releaseHeld(workspaceId: string, now: Date) {
    return this.in(workspaceId).updateTable('mail_outbox').set({ status: 'queued', next_attempt_at: now })
      .where('status', '=', 'held').returning(['id', 'attempts']).execute();
  }

  /** The ticket's Message-IDs, inbound and outbound, oldest first: the thread a reply answers. */
  threadMessageIds(workspaceId: string, ticketId: string) {
    return this.in(workspaceId).selectFrom('mail_message_ids').select(['message_id', 'direction'])
      .where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('message_id').execute();
  }

  // ---- the sweeper (all workspaces) -------------------------------------------------------

  /** SMTP settings were removed: what was waiting to be sent is held again, visibly, instead of waiting forever. */
  async holdAllQueued(): Promise<number> {
    const result = await this.db.updateTable('mail_outbox').set({ status: 'held' }).where('status', '=', 'queued').executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Queued rows that are due: each gets (or keeps) the job of its next attempt. */
  due(now: Date, limit: number) {
    return this.db.selectFrom('mail_outbox').select(['id', 'workspace_id', 'attempts', 'next_attempt_at'])
      .where('status', '=', 'queued').where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at').limit(limit).execute();
  }

  /** Claims older than `before`: the process died mid-attempt, or after SMTP answered but before the row was marked. */
  staleClaims(before: Date, limit: number) {
    return this.db.selectFrom('mail_outbox').select(['id', 'workspace_id', 'attempts', 'attempt_limit', 'claimed_at', 'ticket_id', 'to_address'])
      .where('status', '=', 'sending').where('claimed_at', '<', before)
      .orderBy('claimed_at').limit(limit).execute();
  }
}
