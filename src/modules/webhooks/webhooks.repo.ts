import type { Kysely } from 'kysely';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import type { DeliveryStatus } from './webhooks.schema.js';

export interface NewDelivery {
  webhook_id: string;
  event_id: string;
  event_type: string;
  occurred_at: string;
  payload: unknown;
  redelivery_of?: string | null;
}

export interface AttemptRecord {
  attempt: number;
  started_at: Date;
  duration_ms: number;
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  succeeded: boolean;
}

/** The delivery summary columns, without the payload (the log lists many). */
const deliveryColumns = [
  'id', 'seq', 'webhook_id', 'event_id', 'event_type', 'occurred_at', 'redelivery_of', 'status', 'attempts',
  'response_status', 'response_excerpt', 'error', 'duration_ms', 'created_at', 'last_attempt_at', 'completed_at',
] as const;

/** Every query on tenant tables goes through `tenancy.forWorkspace`; only pruning by age runs unscoped. */
export class WebhooksRepo {
  constructor(private readonly db: Kysely<DB>, private readonly tenancy: Tenancy<DB>) {}

  private in(workspaceId: string) {
    return this.tenancy.forWorkspace(workspaceId);
  }

  // ---- webhooks ---------------------------------------------------------------------------

  countWebhooks(workspaceId: string) {
    return this.in(workspaceId).selectFrom('webhooks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  }

  insertWebhook(workspaceId: string, values: { url: string; description: string; events: string[]; active: boolean; secret: string }) {
    return this.in(workspaceId).insertInto('webhooks').values(values).returningAll().executeTakeFirstOrThrow();
  }

  listWebhooks(workspaceId: string) {
    return this.in(workspaceId).selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  webhook(workspaceId: string, id: string) {
    return this.in(workspaceId).selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  updateWebhook(workspaceId: string, id: string, patch: {
    url?: string; description?: string; events?: string[]; active?: boolean;
    secret?: string; previous_secret?: string | null; previous_secret_expires_at?: Date | null;
  }) {
    return this.in(workspaceId).updateTable('webhooks').set({ ...patch, updated_at: new Date() })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  deleteWebhook(workspaceId: string, id: string) {
    return this.in(workspaceId).deleteFrom('webhooks').where('id', '=', id).returning(['id', 'url']).executeTakeFirst();
  }

  /** The active webhooks and what each listens to (patterns: a type, `<noun>.*`, `*`). */
  activeWebhooks(workspaceId: string) {
    return this.in(workspaceId).selectFrom('webhooks').select(['id', 'events']).where('active', '=', true).execute();
  }

  // ---- deliveries -------------------------------------------------------------------------

  /**
   * One row per (webhook, event): a second insert of the same pair (another web node saw the
   * event too, or it came round again) adds nothing. Returns the row of every pair, new or not.
   */
  async insertDeliveries(workspaceId: string, event: Omit<NewDelivery, 'webhook_id'>, webhookIds: string[]): Promise<{ id: string; webhook_id: string }[]> {
    if (!webhookIds.length) return [];
    const db = this.in(workspaceId);
    await db.insertInto('webhook_deliveries')
      .values(webhookIds.map((webhook_id) => ({ ...event, webhook_id, payload: JSON.stringify(event.payload) })))
      .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).where('redelivery_of', 'is', null).doNothing())
      .execute();
    return db.selectFrom('webhook_deliveries').select(['id', 'webhook_id'])
      .where('event_id', '=', event.event_id).where('webhook_id', 'in', webhookIds)
      .where('redelivery_of', 'is', null).execute();
  }

  insertRedelivery(workspaceId: string, row: NewDelivery & { redelivery_of: string }) {
    return this.in(workspaceId).insertInto('webhook_deliveries').values({ ...row, payload: JSON.stringify(row.payload) })
      .returning(deliveryColumns).executeTakeFirstOrThrow();
  }

  delivery(workspaceId: string, id: string) {
    return this.in(workspaceId).selectFrom('webhook_deliveries').select([...deliveryColumns, 'payload'])
      .where('id', '=', id).executeTakeFirst();
  }

  /** Keyset pagination: newest first, `beforeSeq` is the last `seq` of the previous page. */
  listDeliveries(workspaceId: string, webhookId: string, limit: number, beforeSeq?: number) {
    let query = this.in(workspaceId).selectFrom('webhook_deliveries').select(deliveryColumns)
      .where('webhook_id', '=', webhookId).orderBy('seq', 'desc').limit(limit);
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    return query.execute();
  }

  /**
   * Claims the next attempt: counts it before the request goes out, so a crash mid-request still
   * uses up an attempt (as it does in the job queue). Nothing when the delivery is finished.
   */
  startAttempt(workspaceId: string, id: string, at: Date) {
    return this.in(workspaceId).updateTable('webhook_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_attempt_at: at }))
      .where('id', '=', id).where('status', 'in', ['pending', 'retrying'])
      .returning(['attempts']).executeTakeFirst();
  }

  /** Deliveries not attempted since before `before`, across workspaces (the sweeper's scan; ids only). */
  unsentDeliveries(before: Date, limit: number) {
    return this.db.selectFrom('webhook_deliveries').select(['id', 'workspace_id', 'webhook_id', 'event_id', 'redelivery_of'])
      .where('status', '=', 'pending').where('attempts', '=', 0).where('created_at', '<', before)
      .orderBy('created_at').limit(limit).execute();
  }

  /** The attempt and the delivery's new state, together. */
  finishAttempt(workspaceId: string, deliveryId: string, attempt: AttemptRecord, status: DeliveryStatus, completedAt: Date | null) {
    return this.in(workspaceId).transaction().execute(async (trx) => {
      await trx.insertInto('webhook_delivery_attempts').values({ ...attempt, delivery_id: deliveryId })
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing()).execute();
      await trx.updateTable('webhook_deliveries').set({
        status, response_status: attempt.response_status, response_excerpt: attempt.response_excerpt,
        error: attempt.error, duration_ms: attempt.duration_ms, completed_at: completedAt,
      }).where('id', '=', deliveryId).execute();
    });
  }

  /** Ends a delivery that will not be attempted (its webhook was switched off). */
  cancelDelivery(workspaceId: string, id: string, error: string, at: Date) {
    return this.in(workspaceId).updateTable('webhook_deliveries').set({ status: 'cancelled', error, completed_at: at })
      .where('id', '=', id).where('status', 'in', ['pending', 'retrying']).execute();
  }

  attempts(workspaceId: string, deliveryId: string) {
    return this.in(workspaceId).selectFrom('webhook_delivery_attempts').selectAll()
      .where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
  }

  /**
   * Retention across all workspaces, by age only, in batches so no statement holds many locks.
   * Unscoped on purpose: it is housekeeping, reads no tenant's data and returns none.
   */
  async pruneDeliveries(olderThan: Date, batchSize = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.db.deleteFrom('webhook_deliveries')
        .where('id', 'in', (eb) => eb.selectFrom('webhook_deliveries').select('id').where('created_at', '<', olderThan).limit(batchSize))
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      total += n;
      if (n < batchSize) return total;
    }
  }
}
