import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { AppError } from '../../../core/errors.js';
import { PermanentJobError, createInlineQueue } from '../../../core/jobs/index.js';
import type { InlineQueue } from '../../../core/jobs/inline-queue.js';
import { Tenancy } from '../../../core/tenancy.js';
import { WebhooksRepo } from '../webhooks.repo.js';
import { isPrivateAddress, OutboundTargets } from '../../../core/net/outbound-targets.js';
import { WebhooksService, type DeliverJob } from '../webhooks.service.js';
import { startReceiver, type Receiver } from './receiver.js';
import { sampleEvent } from '../../../../test/helpers/events.js';

const system = { type: 'system' as const, id: null };
let t: TestApp;
/** The production setting: private targets refused. (The test app's own service allows them.) */
let strict: WebhooksService;
let strictJobs: InlineQueue;
let r: Receiver;

beforeAll(async () => {
  t = await createTestApp();
  strictJobs = createInlineQueue();
  strict = new WebhooksService(new WebhooksRepo(t.database.db, await Tenancy.load(t.database.db)), strictJobs, t.services.accounts, t.clock, { targets: new OutboundTargets([]) });
  await strictJobs.work<DeliverJob>('webhooks.deliver', (job) => strict.deliver(job.data));
  // Wired as services.ts wires the app's own: webhooks changed through either service reach its cached list.
  t.bus.subscribe('webhook.changed', (event) => strict.forget(event.workspaceId));
  r = await startReceiver();
});
afterAll(async () => {
  await r.close();
  await t.close();
});

describe('private address ranges', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1', '192.0.2.10',
    '::1', '::', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:a00:1', '2001:db8::1', 'not-an-address',
  ])('%s is private or reserved', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('when private targets are not allowed', () => {
  it.each([
    'http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]/hook', 'http://10.0.0.5/hook',
    'http://169.254.169.254/latest/meta-data/', 'http://0x7f000001/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://0.0.0.0/',
  ])('refuses to save %s', async (url) => {
    const error = await strict.create(t.workspace.id, { url, events: ['*'] }, system).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'WEBHOOK_TARGET_FORBIDDEN', status: 400 });
    const hook = await t.services.webhooks.create(t.workspace.id, { url: 'https://93.184.215.14/hook', events: ['*'] }, system);
    const change = await strict.update(t.workspace.id, hook.webhook.id, { url }, system).catch((e: unknown) => e);
    expect(change).toMatchObject({ code: 'WEBHOOK_TARGET_FORBIDDEN' });
    expect((await strict.get(t.workspace.id, hook.webhook.id)).url).toBe('https://93.184.215.14/hook');
    await strict.remove(t.workspace.id, hook.webhook.id, system);
    expect(await strict.list(t.workspace.id)).toEqual([]);
  });

  it('saves public and not-yet-resolvable hosts', async () => {
    const literal = await strict.create(t.workspace.id, { url: 'https://93.184.215.14/hook', events: ['*'], active: false }, system);
    const unresolvable = await strict.create(t.workspace.id, { url: 'https://hooks.example.invalid/kefu', events: ['*'], active: false }, system);
    expect([literal.webhook.url, unresolvable.webhook.url]).toEqual(['https://93.184.215.14/hook', 'https://hooks.example.invalid/kefu']);
    await strict.remove(t.workspace.id, literal.webhook.id, system);
    await strict.remove(t.workspace.id, unresolvable.webhook.id, system);
  });

  it.each([
    ['an address', (port: number) => `http://127.0.0.1:${port}/hook`],
    ['a host name that resolves to one (checked on the connection itself)', (port: number) => `http://localhost:${port}/hook`],
  ])('refuses at delivery time a URL that became private: %s', async (_what, url) => {
    // Saved while allowed (or its DNS answer changed since): delivery checks again.
    const port = Number(new URL(r.url).port);
    const { webhook } = await t.services.webhooks.create(t.workspace.id, { url: url(port), events: ['ticket.solved'] }, system);
    const event = sampleEvent('ticket.solved', t.workspace.id);
    // The app's events (webhook.changed among them) have reached this node's listeners, as they have before the bus hands it a later event.
    await t.jobs.drain();
    await strict.enqueue(event);
    await strictJobs.drain();
    expect(r.received).toHaveLength(0);
    const { deliveries } = await strict.deliveries(t.workspace.id, webhook.id, { limit: 10 });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, error: 'target_forbidden', response_status: null });
    // No retry can help: the job fails permanently.
    await t.services.webhooks.update(t.workspace.id, webhook.id, { active: true }, system);
    const again = { id: randomUUID(), type: 'ticket.solved', workspaceId: t.workspace.id, payload: {}, occurredAt: new Date().toISOString() };
    const repo = new WebhooksRepo(t.database.db, await Tenancy.load(t.database.db));
    const [row] = await repo.insertDeliveries(t.workspace.id, { event_id: again.id, event_type: again.type, occurred_at: again.occurredAt, payload: {} }, [webhook.id]);
    await expect(strict.deliver({ workspaceId: t.workspace.id, deliveryId: row!.id })).rejects.toBeInstanceOf(PermanentJobError);
    await t.services.webhooks.remove(t.workspace.id, webhook.id, system);
  });
});
