import { describe, expect, it } from 'vitest';
import { useOutboxNodes } from '../../../../test/helpers/outbox-nodes.js';

/**
 * Each node keeps workspace rows in memory (every new ticket's acknowledgement, SLA and triage
 * read the locale, time zone and name). A change made on another node is seen once this node has
 * heard its `access.changed`, not after the cache's lifetime.
 */
const admin = { type: 'system' as const, id: null };
const { startNode } = useOutboxNodes('workspace-cache');

describe('the workspace rows each node caches', () => {
  it('follow a change of name, language and time zone made on another node', async () => {
    const web = await startNode(false);
    const worker = await startNode(true);
    const workspace = await web.services.accounts.createWorkspace({ slug: 'workspace-cache', name: { en: 'Before', 'zh-CN': '之前' }, timeZone: 'Asia/Shanghai' });
    expect((await worker.services.accounts.workspace(workspace.id)).time_zone).toBe('Asia/Shanghai');

    await web.services.accounts.updateWorkspace(workspace.id, { name: { en: 'After', 'zh-CN': '之后' }, defaultLocale: 'en', timeZone: 'Europe/Berlin' }, admin);
    await worker.bus.drain();
    const seen = await worker.services.accounts.workspace(workspace.id);
    expect([seen.name.en, seen.default_locale, seen.time_zone]).toEqual(['After', 'en', 'Europe/Berlin']);
  });

  it('answers a workspace that does not exist with not found', async () => {
    const node = await startNode(true);
    await expect(node.services.accounts.workspace('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
  });
});
