import { describe, expect, it } from 'vitest';
import { useOutboxNodes } from '../../../../test/helpers/outbox-nodes.js';

/**
 * Each node keeps a workspace's triage settings, automations settings and rules in memory (a new
 * ticket's decision reads them). A rule, a setting or an automation changed on a web node decides
 * the worker node's next ticket at once, not after the cache's lifetime: the worker hears
 * `triage.settings_changed` before its subscribers handle a later event.
 */
const system = { type: 'system' as const, id: null };
const { startNode } = useOutboxNodes('triage-cache');

describe('the triage configuration each node caches', () => {
  it('decides the next ticket by rules, settings and automations changed on another node', async () => {
    const web = await startNode(false);
    const worker = await startNode(true);
    const workspace = await web.services.accounts.createWorkspace({ slug: 'triage-cache', name: { en: 'Triage', 'zh-CN': '分拣' } });
    await worker.bus.drain();
    const departments = Object.fromEntries((await web.services.tickets.departments(workspace.id)).map((d) => [d.key, d.id]));
    let sent = 0;
    const open = async () => {
      const ticket = await web.services.tickets.open(workspace.id, {
        subject: `发票开错了 ${++sent}`, body: '请重新开具发票。', channel: 'web', customer: { email: `c${sent}@triage-cache.example`, name: 'C' },
      }, system);
      await worker.bus.drain();
      const [stored, decision] = await Promise.all([
        web.services.tickets.ticket(workspace.id, ticket.id), web.services.triage.decision(workspace.id, ticket.id, 'en'),
      ]);
      return { departmentId: stored.department_id, status: stored.status, decided: decision !== undefined, spam: decision?.spam };
    };

    // The worker has read the workspace's configuration (no rules) and keeps it.
    const first = await open();
    expect(first).toMatchObject({ decided: true, spam: false });
    expect(first.departmentId).not.toBe(departments.finance);
    const rule = await web.services.triage.createRule(workspace.id, {
      name: '发票 → finance', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['发票'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: departments.finance! }],
    });
    expect(await open()).toMatchObject({ departmentId: departments.finance, decided: true });
    await web.services.triage.updateRule(workspace.id, rule.id, { ...rule, enabled: false });
    expect((await open()).departmentId).toBe(first.departmentId);
    await web.services.triage.saveSettings(workspace.id, { enabled: false });
    expect(await open()).toMatchObject({ decided: false });
    await web.services.triage.saveSettings(workspace.id, { enabled: true });
    const automations = await web.services.triage.automations.settings(workspace.id);
    await web.services.triage.automations.saveSettings(workspace.id, { ...automations, spam: { enabled: true, threshold: 1, blocklist: ['triage-cache.example'] } }, system);
    expect(await open()).toMatchObject({ decided: true, spam: true, status: 'closed' });
  });
});
