/**
 * The ticket view's activity log in a real browser (issue 19, 3): a change shows each field with
 * its value before and after in words ("Urgency: Normal → Urgent", "Assignee: Unassigned → …"),
 * in the agent's language, and a change made in the view appears in the log without a reload.
 */
import { describe, expect, it } from 'vitest';
import consoleEn from '../../web/console/src/locales/en.json' with { type: 'json' };
import consoleZh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import { PHONE, SYSTEM, named, settingsHarness } from './settings-harness.js';

const h = settingsHarness();

describe('Ticket activity log', () => {
  it('says what a change changed, before and after, in English and in Chinese', async () => {
    const { services, workspace } = h.server().test;
    const ticket = await services.tickets.open(workspace.id, { subject: 'Toner smears', body: 'Grey lines on every page.', channel: 'web', customer: { email: 'smears@customer.example', name: 'Sam' } }, SYSTEM);
    await services.tickets.update(workspace.id, ticket.id, { urgency: 2, assigneeId: h.agent.id }, { type: 'agent', id: workspace.admin.id });
    const { urgencyNames } = (await h.api('GET', '/ticket-settings')).body as { urgencyNames: Record<'en' | 'zh-CN', string[]> };

    const en = await h.signIn('en-GB', h.agent, `/agent/inbox/${ticket.number}`);
    try {
      const log = en.page.getByRole('region', { name: consoleEn.inbox.activityLog.title });
      await log.getByText(named(consoleEn.inbox.activityLog.change, { field: consoleEn.inbox.activityLog.fields.urgency, before: urgencyNames.en[ticket.urgency]!, after: urgencyNames.en[2]! })).waitFor();
      await log.getByText(named(consoleEn.inbox.activityLog.change, { field: consoleEn.inbox.activityLog.fields.assignee_id, before: consoleEn.inbox.unassigned, after: h.agent.name })).waitFor();
      expect(en.errors).toEqual([]);
    } finally {
      await en.close();
    }

    const zh = await h.signIn('zh-CN', h.server().admin, `/agent/inbox/${ticket.number}`, PHONE);
    try {
      const log = zh.page.getByRole('region', { name: consoleZh.inbox.activityLog.title });
      await log.getByText(named(consoleZh.inbox.activityLog.change, { field: consoleZh.inbox.activityLog.fields.urgency, before: urgencyNames['zh-CN'][ticket.urgency]!, after: urgencyNames['zh-CN'][2]! })).waitFor();
      // A change made through the API while the view is open: the live update brings it into the log.
      const before = (await services.tickets.ticket(workspace.id, ticket.id)).status;
      await h.api('PATCH', `/tickets/${ticket.id}`, { status: 'pending' });
      await log.getByText(named(consoleZh.inbox.activityLog.change, { field: consoleZh.inbox.activityLog.fields.status, before: consoleZh.inbox.status[before], after: consoleZh.inbox.status.pending })).waitFor();
      expect(zh.errors).toEqual([]);
    } finally {
      await zh.close();
    }
  }, 90_000);
});
