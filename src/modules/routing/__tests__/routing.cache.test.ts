import { describe, expect, it } from 'vitest';
import { useOutboxNodes } from '../../../../test/helpers/outbox-nodes.js';

/**
 * Each node keeps a workspace's team routing settings in memory. A team switched to automatic
 * assignment on a web node routes the worker node's next ticket at once, not after the cache's
 * lifetime: the worker hears `routing.settings_changed` before its subscribers handle a later event.
 */
const system = { type: 'system' as const, id: null };
const { startNode } = useOutboxNodes('routing-cache');

describe('the team settings each node caches', () => {
  it('route a ticket by settings changed on another node from the next ticket on', async () => {
    const web = await startNode(false);
    const worker = await startNode(true);
    const workspace = await web.services.accounts.createWorkspace({ slug: 'routing-cache', name: { en: 'Routing', 'zh-CN': '路由' } });
    await worker.bus.drain(); // its default departments
    const [team] = await web.services.tickets.departments(workspace.id);
    const agent = await web.services.accounts.createAgent(workspace.id, { email: 'li@routing-cache.example', name: 'Li', role: 'agent', password: 'agent-password-1' }, system);
    await web.services.routing.setAvailability(workspace.id, agent.id, 'online');
    const open = async () => {
      const ticket = await web.services.tickets.open(workspace.id, {
        subject: 'Printer offline', body: 'It says offline.', channel: 'web', departmentKey: team!.key, customer: { email: 'c@routing-cache.example', name: 'C' },
      }, system);
      await worker.bus.drain();
      return (await web.services.tickets.ticket(workspace.id, ticket.id)).assignee_id;
    };

    // The worker has looked the team up (manual routing) and keeps that.
    expect(await open()).toBeNull();
    await web.services.routing.configureDepartment(workspace.id, team!.id, { strategy: 'round_robin', autoAssign: true, memberIds: [agent.id] }, system);
    expect(await open()).toBe(agent.id);
    await web.services.routing.configureDepartment(workspace.id, team!.id, { strategy: 'manual', autoAssign: false, memberIds: [agent.id] }, system);
    expect(await open()).toBeNull();
  });
});
