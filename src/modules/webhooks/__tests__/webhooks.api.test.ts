import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import type { DomainEvent, EventName } from '../../../core/events/index.js';
import { sampleEvent, samplePayload } from '../../../../test/helpers/events.js';
import { verifySignature } from '../webhooks.signature.js';
import { startReceiver, type Receiver } from './receiver.js';
import { OutboundTargets } from '../../../core/net/outbound-targets.js';

let t: TestApp;
let auth: { authorization: string };
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const token = await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'tests', { type: 'system', id: null });
  auth = { authorization: `Bearer ${token.token}` };
});
afterEach(async () => {
  await t.jobs.drain();
  vi.restoreAllMocks();
  for (const hook of await t.services.webhooks.list(t.workspace.id)) await t.services.webhooks.remove(t.workspace.id, hook.id, { type: 'system', id: null });
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => { await t.close(); });

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = auth) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers, payload });

async function receiver(reply?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(reply);
  receivers.push(r);
  return r;
}

async function createWebhook(body: object) {
  const res = await api('POST', '/webhooks', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; url: string; events: string[]; active: boolean };
}

async function openTicket(subject = 'Printer jams on every page') {
  const res = await api('POST', '/tickets', { subject, body: 'It jams.', customer: { email: 'li.na@example.com', name: '李娜' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; number: number };
}

async function deliveries(webhookId: string, query = '') {
  const res = await api('GET', `/webhooks/${webhookId}/deliveries${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { deliveries: { id: string; eventId: string; eventType: string; status: string; attempts: number; responseStatus: number | null; responseExcerpt: string | null; error: string | null; durationMs: number | null; redeliveryOf: string | null }[]; nextCursor: string | null };
}

function event(type: EventName, workspaceId = t.workspace.id): DomainEvent {
  return sampleEvent(type, workspaceId);
}

describe('webhook administration', () => {
  it('creates a webhook, shows its secret once, and audits every change without the secret', async () => {
    const created = await createWebhook({ url: 'https://hooks.example.com/kefu', events: ['ticket.*', 'message.created'], description: 'CRM sync' });
    expect(created).toMatchObject({ url: 'https://hooks.example.com/kefu', events: ['ticket.*', 'message.created'], active: true, description: 'CRM sync' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const one = (await api('GET', `/webhooks/${created.id}`)).json();
    expect(one).not.toHaveProperty('secret');
    const list = (await api('GET', '/webhooks')).json().webhooks;
    expect(list.map((w: { id: string }) => w.id)).toEqual([created.id]);
    expect(JSON.stringify(list)).not.toContain(created.secret);

    const patched = await api('PATCH', `/webhooks/${created.id}`, { active: false, events: ['*'] });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ active: false, events: ['*'] });

    const rotated = await api('POST', `/webhooks/${created.id}/rotate-secret`, {});
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(created.secret);

    expect((await api('DELETE', `/webhooks/${created.id}`)).statusCode).toBe(204);
    const gone = await api('GET', `/webhooks/${created.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('WEBHOOK_NOT_FOUND');

    const audit = await t.services.accounts.listAudit(t.workspace.id, { limit: 20 });
    const mine = audit.filter((e) => e.target_id === created.id).map((e) => e.action).reverse();
    expect(mine).toEqual(['webhook.created', 'webhook.updated', 'webhook.secret_rotated', 'webhook.deleted']);
    expect(JSON.stringify(audit)).not.toContain(created.secret);
    expect(JSON.stringify(audit)).not.toContain(rotated.json().secret);
  });

  it.each([
    ['an ftp:// URL', { url: 'ftp://files.example.com/in', events: ['*'] }],
    ['a URL without a scheme', { url: 'hooks.example.com/kefu', events: ['*'] }],
    ['a URL with credentials', { url: 'https://user:pw@hooks.example.com/', events: ['*'] }],
    ['a javascript: URL', { url: 'javascript:alert(1)', events: ['*'] }],
    ['an unknown event type', { url: 'https://hooks.example.com/', events: ['ticket.exploded'] }],
    ['an internal event type', { url: 'https://hooks.example.com/', events: ['workspace.created'] }],
    ['a pattern that is not a noun wildcard', { url: 'https://hooks.example.com/', events: ['ticket*'] }],
    ['no events', { url: 'https://hooks.example.com/', events: [] }],
    ['an unknown field', { url: 'https://hooks.example.com/', events: ['*'], secret: 'mine' }],
    ['no URL', { events: ['*'] }],
  ])('refuses %s with VALIDATION_FAILED and stores nothing', async (_what, body) => {
    const res = await api('POST', '/webhooks', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await t.services.webhooks.list(t.workspace.id)).toEqual([]);
  });

  it('refuses bad changes and leaves the webhook as it was', async () => {
    const hook = await createWebhook({ url: 'https://hooks.example.com/a', events: ['ticket.created'] });
    for (const body of [{ url: 'ftp://x.example/' }, { events: ['nope.*'] }, { enabled: false }]) {
      const res = await api('PATCH', `/webhooks/${hook.id}`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api('GET', `/webhooks/${hook.id}`)).json()).toMatchObject({ url: 'https://hooks.example.com/a', events: ['ticket.created'], active: true });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.http.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/v1/webhooks', '/api/v1/webhooks/{id}', '/api/v1/webhooks/{id}/rotate-secret', '/api/v1/webhooks/{id}/deliveries',
      '/api/v1/webhooks/{id}/deliveries/{deliveryId}', '/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
    ]));
  });

  it('is for admins only', async () => {
    const agent = await t.services.accounts.createAgent(t.workspace.id, { email: 'plain@acme.example', name: 'Plain Agent', role: 'agent', password: 'plain-agent-pw' }, { type: 'system', id: null });
    const token = await t.services.accounts.createApiToken(t.workspace.id, agent.id, 'plain', { type: 'system', id: null });
    const headers = { authorization: `Bearer ${token.token}` };
    expect((await api('GET', '/webhooks', undefined, headers)).statusCode).toBe(403);
    expect((await api('POST', '/webhooks', { url: 'https://hooks.example.com/', events: ['*'] }, headers)).statusCode).toBe(403);
  });
});

describe('webhook delivery', () => {
  it('posts a signed event that verifies with the secret', async () => {
    const r = await receiver(() => ({ status: 200, body: 'thanks' }));
    const hook = await createWebhook({ url: r.url, events: ['ticket.*'] });
    const ticket = await openTicket();
    await t.jobs.drain();

    // ticket.created only: message.created is not subscribed.
    expect(r.received).toHaveLength(1);
    const [request] = r.received;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['kefu-event']).toBe('ticket.created');
    expect(request!.json).toMatchObject({ type: 'ticket.created', workspaceId: t.workspace.id, data: { ticket: { id: ticket.id, number: ticket.number } } });
    expect(Object.keys(request!.json)).toEqual(['id', 'type', 'occurredAt', 'workspaceId', 'data']);

    const header = request!.headers['kefu-signature'] as string;
    const timestamp = Number(request!.headers['kefu-timestamp']);
    expect(header).toMatch(new RegExp(`^t=${timestamp},v1=[0-9a-f]{64}$`));
    expect(verifySignature({ secret: hook.secret, header, body: request!.body })).toEqual({ ok: true, timestamp });
    expect(verifySignature({ secret: 'whsec_wrong', header, body: request!.body })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ secret: hook.secret, header, body: request!.body.replace('ticket.created', 'ticket.solved') })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ secret: hook.secret, header, body: request!.body, nowSeconds: timestamp + 301 })).toMatchObject({ ok: false, reason: 'too_old' });

    const log = await deliveries(hook.id);
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({
      id: request!.headers['kefu-delivery'], eventId: request!.json.id, eventType: 'ticket.created', status: 'succeeded',
      attempts: 1, responseStatus: 200, responseExcerpt: 'thanks', error: null,
    });
    expect(log.deliveries[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('retries a failing receiver with back-off: fail, fail, succeed is three attempts and one success', async () => {
    const send = vi.spyOn(t.jobs, 'send');
    const r = await receiver((n) => (n <= 2 ? { status: n === 1 ? 500 : 503, body: `down ${n}` } : { status: 204 }));
    const hook = await createWebhook({ url: r.url, events: ['ticket.solved'] });
    const published = await t.bus.publish('ticket.solved', t.workspace.id, samplePayload('ticket.solved'));
    await t.jobs.drain();

    expect(r.received).toHaveLength(3);
    // Every attempt carries the same delivery and event, each signed afresh.
    expect(new Set(r.received.map((x) => x.headers['kefu-delivery'])).size).toBe(1);
    expect(r.received.every((x) => x.json.id === published.id)).toBe(true);
    const [delivery] = (await deliveries(hook.id)).deliveries;
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, responseStatus: 204 });
    const detail = (await api('GET', `/webhooks/${hook.id}/deliveries/${delivery!.id}`)).json();
    expect(detail.history.map((a: { attempt: number; responseStatus: number; succeeded: boolean; responseExcerpt: string | null }) => [a.attempt, a.responseStatus, a.succeeded, a.responseExcerpt]))
      .toEqual([[1, 500, false, 'down 1'], [2, 503, false, 'down 2'], [3, 204, true, null]]);
    expect(detail.payload).toEqual(r.received[0]!.json);

    // Durable job, one per (webhook, event), retried with exponential back-off (timed by the queue, not here).
    expect(send.mock.calls.filter(([name]) => name === 'webhooks.deliver')).toEqual([[
      'webhooks.deliver', { workspaceId: t.workspace.id, deliveryId: delivery!.id },
      { idempotencyKey: `${hook.id}:${published.id}`, retryLimit: 7, retryDelaySeconds: 60, retryBackoff: true },
    ]]);
  });

  it('gives up after eight attempts', async () => {
    const r = await receiver(() => ({ status: 502 }));
    const hook = await createWebhook({ url: r.url, events: ['ticket.rated'] });
    await t.bus.publish('ticket.rated', t.workspace.id, samplePayload('ticket.rated', { rating: 1 }));
    await t.jobs.drain();
    expect(r.received).toHaveLength(8);
    expect((await deliveries(hook.id)).deliveries[0]).toMatchObject({ status: 'failed', attempts: 8, responseStatus: 502 });
  });

  it('fails at once on a 4xx refusal but retries 408 and 429', async () => {
    const refusing = await receiver(() => ({ status: 400, body: 'bad signature' }));
    const limited = await receiver((n) => (n === 1 ? { status: 429 } : n === 2 ? { status: 408 } : { status: 200 }));
    const redirecting = await receiver(() => ({ status: 301 }));
    const a = await createWebhook({ url: refusing.url, events: ['ticket.merged'] });
    const b = await createWebhook({ url: limited.url, events: ['ticket.merged'] });
    const c = await createWebhook({ url: redirecting.url, events: ['ticket.merged'] });
    await t.bus.publish('ticket.merged', t.workspace.id, { ticketId: randomUUID(), intoId: randomUUID() });
    await t.jobs.drain();
    expect(refusing.received).toHaveLength(1);
    expect((await deliveries(a.id)).deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 400, responseExcerpt: 'bad signature' });
    expect(limited.received).toHaveLength(3);
    expect((await deliveries(b.id)).deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(redirecting.received).toHaveLength(1);
    expect((await deliveries(c.id)).deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 301 });
  });

  it('records a connection that is refused and retries it', async () => {
    const r = await receiver();
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const hook = await createWebhook({ url: r.url, events: ['message.created'] });
    await t.bus.publish('message.created', t.workspace.id, samplePayload('message.created'));
    await t.jobs.drain();
    expect((await deliveries(hook.id)).deliveries[0]).toMatchObject({ status: 'failed', attempts: 8, responseStatus: null, error: 'ECONNREFUSED' });
  });

  it('never delivers the same event twice to one webhook', async () => {
    const r = await receiver();
    const hook = await createWebhook({ url: r.url, events: ['*'] });
    const once = event('ticket.updated');
    // As if three web nodes each saw the event on the Redis bus, at once and again later.
    await Promise.all([t.services.webhooks.enqueue(once), t.services.webhooks.enqueue(once), t.services.webhooks.enqueue(once)]);
    await t.jobs.drain();
    await t.services.webhooks.enqueue(once);
    await t.jobs.drain();
    expect(r.received).toHaveLength(1);
    const log = await deliveries(hook.id);
    expect(log.deliveries).toHaveLength(1);
    // A duplicate job run (at-least-once queues) finds the delivery finished and sends nothing.
    await t.services.webhooks.deliver({ workspaceId: t.workspace.id, deliveryId: log.deliveries[0]!.id });
    expect(r.received).toHaveLength(1);
  });

  it('sends nothing to inactive webhooks or for unsubscribed events', async () => {
    const inactive = await receiver();
    const solvedOnly = await receiver();
    const messagesOnly = await receiver();
    await createWebhook({ url: inactive.url, events: ['*'], active: false });
    await createWebhook({ url: solvedOnly.url, events: ['ticket.solved'] });
    await createWebhook({ url: messagesOnly.url, events: ['message.*'] });
    const ticket = await openTicket();
    await t.jobs.drain();
    expect(inactive.received).toHaveLength(0);
    expect(solvedOnly.received).toHaveLength(0);
    expect(messagesOnly.received.map((x) => x.json.type)).toEqual(['message.created']);

    expect((await api('PATCH', `/tickets/${ticket.id}`, { status: 'solved' })).statusCode).toBe(200);
    await t.jobs.drain();
    expect(inactive.received).toHaveLength(0);
    expect(solvedOnly.received.map((x) => x.json.type)).toEqual(['ticket.solved']);
    // Events that are not in the public catalogue never leave.
    await t.bus.publish('troubleshooting_tree.published', t.workspace.id, samplePayload('troubleshooting_tree.published'));
    await t.jobs.drain();
    expect(messagesOnly.received).toHaveLength(1);
  });

  it('cancels what is still waiting when a webhook is switched off', async () => {
    let hookId = '';
    const r = await receiver(() => ({ status: 500 }));
    const hook = await createWebhook({ url: r.url, events: ['ticket.created'] });
    hookId = hook.id;
    // The first attempt fails; the admin switches the webhook off before the retry.
    const deliver = t.services.webhooks.deliver.bind(t.services.webhooks);
    vi.spyOn(t.services.webhooks, 'deliver').mockImplementation(async (job) => {
      try {
        await deliver(job);
      } finally {
        await t.services.webhooks.update(t.workspace.id, hookId, { active: false }, { type: 'system', id: null });
      }
    });
    await t.bus.publish('ticket.created', t.workspace.id, samplePayload('ticket.created'));
    await t.jobs.drain();
    expect(r.received).toHaveLength(1);
    expect((await deliveries(hook.id)).deliveries[0]).toMatchObject({ status: 'cancelled', attempts: 1, error: 'webhook_inactive' });
  });

  it('keeps other workspaces\' events away from this workspace\'s webhooks', async () => {
    const other = await t.addWorkspace(`other-${randomUUID().slice(0, 8)}`);
    const ours = await receiver();
    const theirs = await receiver();
    const hook = await createWebhook({ url: ours.url, events: ['*'] });
    const theirHook = await t.services.webhooks.create(other.id, { url: theirs.url, events: ['*'] }, { type: 'system', id: null });

    await t.services.tickets.open(other.id, { subject: 'Other secret', body: 'x', channel: 'web', customer: { email: 'c@other.example', name: 'C' } }, { type: 'system', id: null });
    await t.jobs.drain();
    expect(ours.received).toHaveLength(0);
    expect(theirs.received.map((x) => x.json.workspaceId)).toEqual([other.id, other.id]);
    expect(verifySignature({ secret: theirHook.secret, header: theirs.received[0]!.headers['kefu-signature'] as string, body: theirs.received[0]!.body }).ok).toBe(true);
    expect((await deliveries(hook.id)).deliveries).toEqual([]);

    await openTicket();
    await t.jobs.drain();
    expect(ours.received).toHaveLength(2);
    expect(theirs.received).toHaveLength(2);
    // Their webhook's log is not reachable through ours, nor their webhook at all.
    expect((await api('GET', `/webhooks/${theirHook.webhook.id}/deliveries`)).statusCode).toBe(404);
    await t.services.webhooks.remove(other.id, theirHook.webhook.id, { type: 'system', id: null });
  });

  it('gives up on a receiver that does not answer in time, and retries it', async () => {
    const { WebhooksService } = await import('../webhooks.service.js');
    const { WebhooksRepo } = await import('../webhooks.repo.js');
    const { Tenancy } = await import('../../../core/tenancy.js');
    const { createInlineQueue } = await import('../../../core/jobs/index.js');
    const jobs = createInlineQueue();
    const impatient = new WebhooksService(new WebhooksRepo(t.database.db, await Tenancy.load(t.database.db)), jobs, t.services.accounts, t.clock,
      { targets: new OutboundTargets('all'), timeoutMs: 200, maxAttempts: 2 });
    await jobs.work<{ workspaceId: string; deliveryId: string }>('webhooks.deliver', (job) => impatient.deliver(job.data));
    const r = await receiver((n) => (n === 1 ? 'hang' : { status: 200 }));
    const hook = await createWebhook({ url: r.url, events: ['ticket.rated'], active: true });
    await t.services.webhooks.update(t.workspace.id, hook.id, { active: true }, { type: 'system', id: null });
    await impatient.enqueue(event('ticket.rated'));
    await jobs.drain();
    const [delivery] = (await deliveries(hook.id)).deliveries;
    const detail = (await api('GET', `/webhooks/${hook.id}/deliveries/${delivery!.id}`)).json();
    expect(detail.history.map((a: { error: string | null; responseStatus: number | null }) => [a.error, a.responseStatus])).toEqual([['timeout', null], [null, 200]]);
    expect(detail.history[0].durationMs).toBeGreaterThanOrEqual(190);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});

describe('delivery log', () => {
  it('lists deliveries newest first, one keyset page at a time', async () => {
    const r = await receiver();
    const hook = await createWebhook({ url: r.url, events: ['ticket.updated'] });
    const sent: string[] = [];
    // One at a time: events of different tickets reach a durable subscriber side by side, so their
    // deliveries would otherwise be created in any order.
    for (let i = 0; i < 5; i++) {
      sent.push((await t.bus.publish('ticket.updated', t.workspace.id, samplePayload('ticket.updated', { changes: { urgency: [i, i + 1] } }))).id);
      await t.jobs.drain();
    }
    const first = await deliveries(hook.id, '?limit=2');
    const second = await deliveries(hook.id, `?limit=2&cursor=${first.nextCursor}`);
    const third = await deliveries(hook.id, `?limit=2&cursor=${second.nextCursor}`);
    expect([...first.deliveries, ...second.deliveries, ...third.deliveries].map((d) => d.eventId)).toEqual([...sent].reverse());
    expect(third.nextCursor).toBeNull();
    const bad = await api('GET', `/webhooks/${hook.id}/deliveries?cursor=abc`);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('redelivers a finished delivery as a new delivery of the same event', async () => {
    const r = await receiver((n) => (n === 1 ? { status: 410 } : { status: 200 }));
    const hook = await createWebhook({ url: r.url, events: ['ticket.solved'] });
    await t.bus.publish('ticket.solved', t.workspace.id, samplePayload('ticket.solved'));
    await t.jobs.drain();
    const [original] = (await deliveries(hook.id)).deliveries;
    expect(original).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 410 });

    const res = await api('POST', `/webhooks/${hook.id}/deliveries/${original!.id}/redeliver`);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ status: 'pending', eventId: original!.eventId, redeliveryOf: original!.id });
    await t.jobs.drain();
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.json).toEqual(r.received[0]!.json);
    expect(r.received[1]!.headers['kefu-delivery']).toBe(res.json().id);
    const log = (await deliveries(hook.id)).deliveries;
    expect(log.map((d) => [d.status, d.redeliveryOf])).toEqual([['succeeded', original!.id], ['failed', null]]);
    const audit = await t.services.accounts.listAudit(t.workspace.id, { limit: 5 });
    expect(audit.map((e) => e.action)).toContain('webhook.redelivered');
  });

  it('forgets deliveries after 30 days', async () => {
    const r = await receiver();
    const hook = await createWebhook({ url: r.url, events: ['ticket.rated'] });
    await t.bus.publish('ticket.rated', t.workspace.id, samplePayload('ticket.rated', { rating: 3 }));
    await t.jobs.drain();
    const { WebhooksService } = await import('../webhooks.service.js');
    const { WebhooksRepo } = await import('../webhooks.repo.js');
    const { Tenancy } = await import('../../../core/tenancy.js');
    const repo = new WebhooksRepo(t.database.db, await Tenancy.load(t.database.db));
    const at = (days: number) => new WebhooksService(repo, t.jobs, t.services.accounts, { now: () => new Date(Date.now() + days * 86_400_000) }, { targets: new OutboundTargets('all') });
    expect(await at(29).prune()).toBe(0);
    expect((await deliveries(hook.id)).deliveries).toHaveLength(1);
    expect(await at(31).prune()).toBeGreaterThanOrEqual(1);
    expect((await deliveries(hook.id)).deliveries).toHaveLength(0);
  });

  it('refuses to redeliver to an inactive webhook, or a delivery that is not there', async () => {
    const r = await receiver();
    const hook = await createWebhook({ url: r.url, events: ['ticket.solved'] });
    await t.bus.publish('ticket.solved', t.workspace.id, samplePayload('ticket.solved'));
    await t.jobs.drain();
    const [delivery] = (await deliveries(hook.id)).deliveries;
    await api('PATCH', `/webhooks/${hook.id}`, { active: false });
    const inactive = await api('POST', `/webhooks/${hook.id}/deliveries/${delivery!.id}/redeliver`);
    expect(inactive.statusCode).toBe(409);
    expect(inactive.json().error.code).toBe('WEBHOOK_INACTIVE');
    const missing = await api('POST', `/webhooks/${hook.id}/deliveries/${randomUUID()}/redeliver`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    expect(r.received).toHaveLength(1);
  });
});

describe('secret rotation', () => {
  it('signs with the new secret only, or with both while the old one is kept', async () => {
    const r = await receiver();
    const hook = await createWebhook({ url: r.url, events: ['ticket.rated'] });
    const sharp = (await api('POST', `/webhooks/${hook.id}/rotate-secret`)).json().secret as string;
    await t.bus.publish('ticket.rated', t.workspace.id, samplePayload('ticket.rated', { rating: 5 }));
    await t.jobs.drain();
    const first = r.received[0]!;
    const header1 = first.headers['kefu-signature'] as string;
    expect(verifySignature({ secret: sharp, header: header1, body: first.body }).ok).toBe(true);
    expect(verifySignature({ secret: hook.secret, header: header1, body: first.body }).ok).toBe(false);

    const overlap = await api('POST', `/webhooks/${hook.id}/rotate-secret`, { keepPreviousForSeconds: 3600 });
    expect(overlap.statusCode, overlap.body).toBe(200);
    const next = overlap.json().secret as string;
    await t.bus.publish('ticket.rated', t.workspace.id, samplePayload('ticket.rated', { rating: 4 }));
    await t.jobs.drain();
    const second = r.received[1]!;
    const header2 = second.headers['kefu-signature'] as string;
    expect(header2.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature({ secret: next, header: header2, body: second.body }).ok).toBe(true);
    expect(verifySignature({ secret: sharp, header: header2, body: second.body }).ok).toBe(true);

    const tooLong = await api('POST', `/webhooks/${hook.id}/rotate-secret`, { keepPreviousForSeconds: 30 * 86_400 });
    expect(tooLong.json().error.code).toBe('VALIDATION_FAILED');
  });
});
