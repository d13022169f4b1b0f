import type { Clock } from '../../core/clock.js';
import { notFound, validationFailed } from '../../core/errors.js';
import type { DomainEvent, EventBus } from '../../core/events/index.js';
import { PermanentJobError, type JobQueue } from '../../core/jobs/index.js';
import type { Actor, AccountsService } from '../accounts/index.js';
import type { WebhooksRepo } from './webhooks.repo.js';
import { WEBHOOK_EVENT_TYPES, type DeliveryStatus, type WebhookRow } from './webhooks.schema.js';
import { TargetForbiddenError, type OutboundTargets } from '../../core/net/outbound-targets.js';
import { WorkspaceCache } from '../../core/workspace-cache.js';
import { postJson, type SendResult } from './webhooks.sender.js';
import { newWebhookSecret, signatureHeader } from './webhooks.signature.js';
import { webhookErrors } from './webhooks.errors.js';

export const DELIVER_JOB = 'webhooks.deliver';
export const PRUNE_JOB = 'webhooks.prune';
export const SWEEP_JOB = 'webhooks.sweep';
/** A delivery never attempted this long after it was written lost its job (or never got one). */
const UNSENT_AFTER_MS = 60_000;
const SWEEP_BATCH = 500;
/** The longest a node uses a workspace's webhooks changed elsewhere, should it miss `webhook.changed`. */
const ACTIVE_TTL_MS = 10_000;

export interface DeliverJob {
  workspaceId: string;
  deliveryId: string;
}

export interface WebhooksOptions {
  /** Which addresses deliveries may reach (private ones only where the operator allows them). */
  targets: OutboundTargets;
  /** Per attempt, for everything from DNS to the last byte read. */
  timeoutMs?: number;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Base of the exponential back-off between attempts (see README for the schedule). */
  retryDelaySeconds?: number;
  /** Deliveries older than this are pruned from the log. */
  retentionDays?: number;
  /** Tells every node a workspace's webhooks changed (`webhook.changed`: they drop their cached list). */
  bus?: Pick<EventBus, 'publish'>;
}

export interface WebhookInput {
  url: string;
  events: string[];
  active?: boolean;
  description?: string;
}

/** Audit entries go to the workspace's audit log (accounts). */
export type Auditor = Pick<AccountsService, 'audit'>;

export const MAX_WEBHOOKS_PER_WORKSPACE = 20;
const FINISHED: readonly DeliveryStatus[] = ['succeeded', 'failed', 'cancelled'];
const CATALOGUE: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/**
 * Which responses are worth another attempt. 2xx is success. A 4xx means the receiver read the
 * request and refused it; the same bytes will be refused again, so it fails at once (an admin
 * redelivers after fixing the receiver) — except 408 (timeout), 425 (too early) and 429 (rate
 * limited), which say "later". 3xx fails at once too: redirects are not followed, the URL needs
 * changing. 5xx and no response at all (timeout, refused, reset) are retried; a forbidden
 * (private) target is not.
 */
export function isRetryable(result: SendResult): boolean {
  if (result.status === null) return result.error !== 'target_forbidden' && result.error !== 'invalid_url';
  if (result.status >= 500) return true;
  return result.status === 408 || result.status === 425 || result.status === 429;
}

/** The patterns under which a webhook hears an event type: itself, its noun's `*`, and `*`. */
export function patternsFor(type: string): string[] {
  return [type, `${type.split('.')[0]}.*`, '*'];
}

export class WebhooksService {
  /** Per workspace, its active webhooks and their patterns: every ticket and message event looks them up. */
  private readonly activeCache = new WorkspaceCache(ACTIVE_TTL_MS, (workspaceId) => this.repo.activeWebhooks(workspaceId));
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelaySeconds: number;
  private readonly retentionDays: number;

  constructor(
    private readonly repo: WebhooksRepo,
    private readonly jobs: JobQueue,
    private readonly auditor: Auditor,
    private readonly clock: Clock,
    private readonly options: WebhooksOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryDelaySeconds = options.retryDelaySeconds ?? 60;
    this.retentionDays = options.retentionDays ?? 30;
  }

  // ---- admin ------------------------------------------------------------------------------

  list(workspaceId: string) {
    return this.repo.listWebhooks(workspaceId);
  }

  async get(workspaceId: string, id: string): Promise<WebhookRow> {
    const webhook = await this.repo.webhook(workspaceId, id);
    if (!webhook) throw notFound('webhook');
    return webhook;
  }

  /** The secret is returned here and by `rotateSecret`, and never again. */
  async create(workspaceId: string, input: WebhookInput, actor: Actor): Promise<{ webhook: WebhookRow; secret: string }> {
    const url = await this.checkedUrl(input.url);
    if ((await this.repo.countWebhooks(workspaceId)).n >= MAX_WEBHOOKS_PER_WORKSPACE) {
      throw webhookErrors.webhookLimitReached(`A workspace has at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks`);
    }
    const secret = newWebhookSecret();
    const webhook = await this.repo.insertWebhook(workspaceId, {
      url, events: unique(input.events), active: input.active ?? true, description: input.description ?? '', secret,
    });
    await this.changed(workspaceId, webhook.id);
    await this.auditor.audit(workspaceId, actor, 'webhook.created', 'webhook', webhook.id, { url, events: webhook.events, active: webhook.active });
    return { webhook, secret };
  }

  async update(workspaceId: string, id: string, patch: Partial<WebhookInput>, actor: Actor): Promise<WebhookRow> {
    const current = await this.get(workspaceId, id);
    if (Object.values(patch).every((v) => v === undefined)) return current;
    const url = patch.url === undefined ? undefined : await this.checkedUrl(patch.url);
    const events = patch.events && unique(patch.events);
    const updated = await this.repo.updateWebhook(workspaceId, id, { url, events, active: patch.active, description: patch.description });
    if (!updated) throw notFound('webhook');
    if (events || patch.active !== undefined) await this.changed(workspaceId, id);
    await this.auditor.audit(workspaceId, actor, 'webhook.updated', 'webhook', id, { url, events, active: patch.active, description: patch.description });
    return updated;
  }

  /** Its delivery log goes with it; jobs still queued for it find nothing and end. */
  async remove(workspaceId: string, id: string, actor: Actor): Promise<void> {
    const removed = await this.repo.deleteWebhook(workspaceId, id);
    if (!removed) throw notFound('webhook');
    await this.changed(workspaceId, id);
    await this.auditor.audit(workspaceId, actor, 'webhook.deleted', 'webhook', id, { url: removed.url });
  }

  /**
   * A new secret, shown once. With `keepPreviousForSeconds`, deliveries are signed with both
   * secrets until then, so a receiver can switch over without refusing anything.
   */
  async rotateSecret(workspaceId: string, id: string, keepPreviousForSeconds: number, actor: Actor) {
    const current = await this.get(workspaceId, id);
    const secret = newWebhookSecret();
    const keep = keepPreviousForSeconds > 0;
    const webhook = await this.repo.updateWebhook(workspaceId, id, {
      secret,
      previous_secret: keep ? current.secret : null,
      previous_secret_expires_at: keep ? new Date(this.clock.now().getTime() + keepPreviousForSeconds * 1000) : null,
    });
    if (!webhook) throw notFound('webhook');
    await this.auditor.audit(workspaceId, actor, 'webhook.secret_rotated', 'webhook', id, { keepPreviousForSeconds });
    return { webhook, secret };
  }

  /**
   * The workspace's active webhooks, kept briefly per node (core/workspace-cache.ts): every ticket
   * and message event looked them up (issue 15: two of a new ticket's statements), and they change
   * rarely. Other nodes forget them on `webhook.changed`.
   */
  private activeWebhooks(workspaceId: string): Promise<{ id: string; events: string[] }[]> {
    return this.activeCache.get(workspaceId);
  }

  /** Drops this node's copy of a workspace's active webhooks (they changed). */
  forget(workspaceId: string): void {
    this.activeCache.forget(workspaceId);
  }

  private async changed(workspaceId: string, webhookId: string): Promise<void> {
    this.forget(workspaceId);
    await this.options.bus?.publish('webhook.changed', workspaceId, { webhookId });
  }

  // ---- delivery log -----------------------------------------------------------------------

  async deliveries(workspaceId: string, webhookId: string, page: { limit: number; cursor?: string }) {
    await this.get(workspaceId, webhookId);
    const rows = await this.repo.listDeliveries(workspaceId, webhookId, page.limit, page.cursor === undefined ? undefined : Number(page.cursor));
    const last = rows.at(-1);
    return { deliveries: rows, nextCursor: rows.length === page.limit && last ? String(last.seq) : null };
  }

  async delivery(workspaceId: string, webhookId: string, deliveryId: string) {
    const delivery = await this.repo.delivery(workspaceId, deliveryId);
    if (!delivery || delivery.webhook_id !== webhookId) throw notFound('webhook_delivery');
    return { ...delivery, history: await this.repo.attempts(workspaceId, deliveryId) };
  }

  /**
   * Sends the same event again as a new delivery (new delivery id, same event id, the webhook's
   * current URL and secret). Only for finished deliveries: one still trying would race the copy.
   */
  async redeliver(workspaceId: string, webhookId: string, deliveryId: string, actor: Actor) {
    const webhook = await this.get(workspaceId, webhookId);
    const original = await this.repo.delivery(workspaceId, deliveryId);
    if (!original || original.webhook_id !== webhookId) throw notFound('webhook_delivery');
    if (!webhook.active) throw webhookErrors.webhookInactive('Activate the webhook before redelivering to it');
    if (!FINISHED.includes(original.status)) {
      throw webhookErrors.webhookDeliveryInProgress('This delivery is still being attempted');
    }
    const copy = await this.repo.insertRedelivery(workspaceId, {
      webhook_id: webhookId, event_id: original.event_id, event_type: original.event_type,
      occurred_at: original.occurred_at.toISOString(), payload: original.payload, redelivery_of: original.id,
    });
    await this.sendJob(workspaceId, copy.id, `${webhookId}:${original.event_id}:${copy.id}`);
    await this.auditor.audit(workspaceId, actor, 'webhook.redelivered', 'webhook', webhookId, { deliveryId: copy.id, redeliveryOf: original.id, eventId: original.event_id });
    return copy;
  }

  // ---- from the bus to the queue ----------------------------------------------------------

  /**
   * Bus handler: one delivery row and one durable job per subscribed webhook. Every web node sees
   * each event (Redis bus), so both steps are idempotent on (webhook, event): the row by its
   * unique index, the job by its key.
   */
  async enqueue(event: DomainEvent): Promise<void> {
    if (!CATALOGUE.has(event.type)) return;
    const patterns = patternsFor(event.type);
    const webhooks = (await this.activeWebhooks(event.workspaceId)).filter((w) => w.events.some((e) => patterns.includes(e)));
    if (!webhooks.length) return;
    let rows: { id: string; webhook_id: string }[];
    try {
      rows = await this.repo.insertDeliveries(event.workspaceId, {
        event_id: event.id, event_type: event.type, occurred_at: event.occurredAt, payload: event.payload,
      }, webhooks.map((w) => w.id));
    } catch (error) {
      // A webhook deleted since this node cached the list: the bus retries with a fresh one.
      if ((error as { code?: string }).code === '23503') this.forget(event.workspaceId);
      throw error;
    }
    await Promise.all(rows.map((row) => this.sendJob(event.workspaceId, row.id, `${row.webhook_id}:${event.id}`)));
  }

  /**
   * The safety net, every minute across workspaces: a delivery row whose job was never created (the
   * queue failed between the two writes) or ended without attempting it gets its job again, under
   * the key it was first sent with, so one that still exists is not doubled.
   */
  async sweep(): Promise<number> {
    let scheduled = 0;
    for (const row of await this.repo.unsentDeliveries(new Date(this.clock.now().getTime() - UNSENT_AFTER_MS), SWEEP_BATCH)) {
      const key = row.redelivery_of ? `${row.webhook_id}:${row.event_id}:${row.id}` : `${row.webhook_id}:${row.event_id}`;
      if (await this.sendJob(row.workspace_id, row.id, key)) scheduled++;
    }
    return scheduled;
  }

  private sendJob(workspaceId: string, deliveryId: string, idempotencyKey: string) {
    return this.jobs.send<DeliverJob>(DELIVER_JOB, { workspaceId, deliveryId }, {
      idempotencyKey, retryLimit: this.maxAttempts - 1, retryDelaySeconds: this.retryDelaySeconds, retryBackoff: true,
    });
  }

  // ---- the worker -------------------------------------------------------------------------

  /**
   * One attempt of one delivery. Throws to be retried; PermanentJobError when no attempt is left
   * or another cannot help. Re-reads the webhook each time: a changed URL or secret applies to the
   * next attempt, a deactivated webhook cancels what is still waiting.
   */
  async deliver(job: DeliverJob): Promise<void> {
    const { workspaceId, deliveryId } = job;
    const delivery = await this.repo.delivery(workspaceId, deliveryId);
    if (!delivery || FINISHED.includes(delivery.status)) return;
    const webhook = await this.repo.webhook(workspaceId, delivery.webhook_id);
    if (!webhook) return;
    const now = this.clock.now();
    if (!webhook.active) {
      await this.repo.cancelDelivery(workspaceId, deliveryId, 'webhook_inactive', now);
      return;
    }
    const claimed = await this.repo.startAttempt(workspaceId, deliveryId, now);
    if (!claimed) return;
    const attempt = claimed.attempts;

    const body = JSON.stringify({
      id: delivery.event_id, type: delivery.event_type, occurredAt: delivery.occurred_at.toISOString(), workspaceId, data: delivery.payload,
    });
    const timestamp = Math.floor(now.getTime() / 1000);
    const secrets = [webhook.secret];
    if (webhook.previous_secret && webhook.previous_secret_expires_at && webhook.previous_secret_expires_at > now) secrets.push(webhook.previous_secret);
    const result = await postJson(webhook.url, body, {
      'User-Agent': 'Kefu-Webhooks/1',
      'Kefu-Event': delivery.event_type,
      'Kefu-Delivery': delivery.id,
      'Kefu-Timestamp': String(timestamp),
      'Kefu-Signature': signatureHeader(secrets, timestamp, body),
    }, { timeoutMs: this.timeoutMs, targets: this.options.targets });

    const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
    const retry = !succeeded && isRetryable(result) && attempt < this.maxAttempts;
    const status: DeliveryStatus = succeeded ? 'succeeded' : retry ? 'retrying' : 'failed';
    await this.repo.finishAttempt(workspaceId, deliveryId, {
      attempt, started_at: now, duration_ms: result.durationMs, response_status: result.status,
      response_excerpt: result.excerpt, error: result.error, succeeded,
    }, status, status === 'retrying' ? null : this.clock.now());

    if (succeeded) return;
    const what = result.status === null ? result.error : `HTTP ${result.status}`;
    const message = `webhook delivery ${deliveryId} attempt ${attempt}/${this.maxAttempts}: ${what}`;
    if (retry) throw new Error(message);
    throw new PermanentJobError(message);
  }

  /** Housekeeping: the delivery log keeps `retentionDays`. */
  prune(): Promise<number> {
    return this.repo.pruneDeliveries(new Date(this.clock.now().getTime() - this.retentionDays * 86_400_000));
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Normalised (WHATWG URL), http(s) only, and not private unless allowed. */
  private async checkedUrl(input: string): Promise<string> {
    const url = parseWebhookUrl(input);
    if (!url) throw validationFailed('The request is not valid', [{ path: 'body.url', message: WEBHOOK_URL_RULE }]);
    try {
      await this.options.targets.assertPermitted(url.hostname);
    } catch (err) {
      if (!(err instanceof TargetForbiddenError)) throw err;
      throw webhookErrors.webhookTargetForbidden('Webhooks cannot be sent to private, loopback or reserved addresses',
        { host: err.host, address: err.address }, { cause: err });
    }
    return url.href;
  }
}

export const WEBHOOK_URL_RULE = 'must be an http:// or https:// URL with a host and no user name or password';

export function parseWebhookUrl(input: string): URL | undefined {
  if (input.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  return url;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
