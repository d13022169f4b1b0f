import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { createDatabaseQueue, type JobQueue } from '../../../core/jobs/index.js';
import { Tenancy } from '../../../core/tenancy.js';
import { registerWebhookWorkers } from '../webhooks.jobs.js';
import { WebhooksRepo } from '../webhooks.repo.js';
import { WebhooksService } from '../webhooks.service.js';
import { startReceiver, type Receiver } from './receiver.js';
import { sampleEvent } from '../../../../test/helpers/events.js';
import { OutboundTargets } from '../../../core/net/outbound-targets.js';

/**
 * The same deliveries on the durable queue `kefu start` uses (pg-boss in Postgres), where retries
 * really wait: the back-off shows in the recorded attempts' start times.
 */
let t: TestApp;
let jobs: JobQueue;
let r: Receiver;
let webhooks: WebhooksService;

beforeAll(async () => {
  t = await createTestApp();
  jobs = createDatabaseQueue({ connectionString: t.database.url, log: { info() {}, warn() {}, error() {} }, pollingIntervalSeconds: 0.5 });
  await jobs.start();
  webhooks = new WebhooksService(new WebhooksRepo(t.database.db, await Tenancy.load(t.database.db)), jobs, t.services.accounts, t.clock,
    { targets: new OutboundTargets('all'), retryDelaySeconds: 1, maxAttempts: 3 });
  await registerWebhookWorkers(webhooks, jobs);
  r = await startReceiver((n) => (n === 1 ? { status: 503 } : { status: 200 }));
});
afterAll(async () => {
  await jobs.stop({ graceful: false });
  await r.close();
  await t.close();
});

describe('webhooks on the database queue', () => {
  it('retries after a back-off and delivers once', async () => {
    const { webhook } = await webhooks.create(t.workspace.id, { url: r.url, events: ['ticket.solved'] }, { type: 'system', id: null });
    const event = sampleEvent('ticket.solved', t.workspace.id);
    await Promise.all([webhooks.enqueue(event), webhooks.enqueue(event)]);

    const deadline = Date.now() + 20_000;
    let delivery = (await webhooks.deliveries(t.workspace.id, webhook.id, { limit: 5 })).deliveries;
    while (delivery[0]?.status !== 'succeeded' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      delivery = (await webhooks.deliveries(t.workspace.id, webhook.id, { limit: 5 })).deliveries;
    }
    expect(delivery).toHaveLength(1);
    expect(delivery[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    const { history } = await webhooks.delivery(t.workspace.id, webhook.id, delivery[0]!.id);
    expect(history.map((a) => a.response_status)).toEqual([503, 200]);
    // retryDelaySeconds 1 with back-off: the retry waits 1–2 s (plus up to one poll).
    expect(history[1]!.started_at.getTime() - history[0]!.started_at.getTime()).toBeGreaterThanOrEqual(1_000);
    await new Promise((resolve) => setTimeout(resolve, 700)); // a duplicate job would have run by now
    expect(r.received).toHaveLength(2);
  });

  it('sends a delivery whose job was never created when the sweep runs, and only that once', async () => {
    const { webhook } = await webhooks.create(t.workspace.id, { url: r.url, events: ['ticket.created'] }, { type: 'system', id: null });
    const event = sampleEvent('ticket.created', t.workspace.id);
    // The row as enqueue() writes it, committed two minutes ago; the process died before the job was sent.
    const row = await t.database.db.insertInto('webhook_deliveries').values({
      workspace_id: t.workspace.id, webhook_id: webhook.id, event_id: event.id, event_type: event.type, occurred_at: event.occurredAt,
      payload: JSON.stringify(event.payload), created_at: new Date(Date.now() - 120_000),
    }).returning('id').executeTakeFirstOrThrow();
    const before = r.received.length;
    expect(await webhooks.sweep()).toBe(1);
    const deadline = Date.now() + 20_000;
    while ((await webhooks.delivery(t.workspace.id, webhook.id, row.id)).status !== 'succeeded' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await webhooks.delivery(t.workspace.id, webhook.id, row.id)).status).toBe('succeeded');
    expect(r.received.slice(before).map((x) => x.json.id)).toEqual([event.id]);
    // Attempted now: the next sweep leaves it alone.
    expect(await webhooks.sweep()).toBe(0);
  });
});
