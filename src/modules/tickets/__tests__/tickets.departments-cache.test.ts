import { describe, expect, it } from 'vitest';
import { useOutboxNodes } from '../../../../test/helpers/outbox-nodes.js';

/**
 * Each node keeps a workspace's departments in memory. A department set up, added or renamed on
 * one node is in every other node's list once it has heard `department.changed`, not after the
 * cache's lifetime.
 */
const system = { type: 'system' as const, id: null };
const { startNode } = useOutboxNodes('departments-cache');

describe('the departments each node caches', () => {
  it('follow the defaults set up, a department added and one renamed on another node', async () => {
    const web = await startNode(false);
    const worker = await startNode(true);
    const workspace = await web.services.accounts.createWorkspace({ slug: 'departments-cache', name: { en: 'Teams', 'zh-CN': '团队' } });
    const keys = async () => (await web.services.tickets.departments(workspace.id)).map((d) => d.key);

    // Asked before the worker set the defaults up: the web node keeps an empty list until it hears of them.
    expect(await keys()).toEqual([]);
    await worker.bus.drain();
    await web.bus.drain();
    const defaults = await keys();
    expect(defaults).toHaveLength(5);

    const returns = await worker.services.routing.createDepartment(workspace.id, { key: 'returns', name: { en: 'Returns', 'zh-CN': '退货' }, customerSelectable: true }, system);
    await web.bus.drain();
    expect(await keys()).toEqual([...defaults, 'returns']);

    await worker.services.routing.updateDepartment(workspace.id, returns.departmentId, { name: { en: 'Returns and refunds', 'zh-CN': '退货退款' } }, system);
    await web.bus.drain();
    expect((await web.services.tickets.departments(workspace.id)).find((d) => d.key === 'returns')?.name.en).toBe('Returns and refunds');
  });

  it('hands each caller its own copy of the list', async () => {
    const node = await startNode(true);
    const workspace = await node.services.accounts.createWorkspace({ slug: 'departments-copy', name: { en: 'Copy', 'zh-CN': '副本' } });
    await node.bus.drain();
    const first = await node.services.tickets.departments(workspace.id);
    first.splice(0);
    expect(await node.services.tickets.departments(workspace.id)).toHaveLength(5);
  });
});
