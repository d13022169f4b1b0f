import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { samplePayload } from '../../../../test/helpers/events.js';
import { useOutboxNodes } from '../../../../test/helpers/outbox-nodes.js';

/**
 * Each node keeps a workspace's active webhooks in memory. A webhook added, changed or removed on
 * a web node reaches the worker node's next events at once, not after the cache's lifetime: the
 * worker hears `webhook.changed` before its subscribers handle a later event.
 */
const system = { type: 'system' as const, id: null };
const { startNode } = useOutboxNodes('webhooks-cache');

describe('the active webhooks each node caches', () => {
  it('follow a webhook added, deactivated and removed on another node from the next event on', async () => {
    const web = await startNode(false);
    const worker = await startNode(true);
    const workspace = await web.services.accounts.createWorkspace({ slug: 'hooks-cache', name: { en: 'Hooks', 'zh-CN': '钩子' } });
    const deliveries = async (eventId: string) => (await sql<{ n: number }>`
      select count(*)::int as n from webhook_deliveries where event_id = ${eventId}`.execute(web.database.db)).rows[0]!.n;
    const created = async () => {
      const event = await web.bus.publish('ticket.created', workspace.id, samplePayload('ticket.created'));
      await worker.bus.drain();
      return deliveries(event.id);
    };

    // The worker has looked the workspace up (nobody listens) and keeps that.
    expect(await created()).toBe(0);
    const { webhook } = await web.services.webhooks.create(workspace.id, { url: 'https://hooks.example.com/kefu', events: ['ticket.*'] }, system);
    expect(await created()).toBe(1);
    await web.services.webhooks.update(workspace.id, webhook.id, { active: false }, system);
    expect(await created()).toBe(0);
    await web.services.webhooks.update(workspace.id, webhook.id, { active: true }, system);
    expect(await created()).toBe(1);
    await web.services.webhooks.remove(workspace.id, webhook.id, system);
    expect(await created()).toBe(0);
  });
});
