/**
 * Linking, splitting and merging from the ticket view in a real browser (issue 19, 3): the other
 * ticket is found by its number or subject words, never by an id; a merge across customers is not
 * offered; the results land in the database as the API would make them.
 */
import { describe, expect, it } from 'vitest';
import consoleEn from '../../web/console/src/locales/en.json' with { type: 'json' };
import consoleZh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };
import { PHONE, SYSTEM, named, settingsHarness } from './settings-harness.js';

const h = settingsHarness();

describe('Related tickets, split and merge in the ticket view', () => {
  it('links a ticket found by number, splits a message off, refuses a merge across customers and merges into one found by subject', async () => {
    const { services, workspace } = h.server().test;
    const customer = { email: 'two.questions@customer.example', name: 'Quinn' };
    const first = await services.tickets.open(workspace.id, { subject: 'Printer offline after update', body: 'The YM-720 shows offline since the update.', channel: 'web', customer }, SYSTEM);
    await services.tickets.addMessage(workspace.id, first.id, { kind: 'reply', body: 'Also: how do I order a new drum unit?' }, { type: 'customer', id: first.customer_id });
    const earlier = await services.tickets.open(workspace.id, { subject: 'Firmware question from Quinn', body: 'Which firmware fixes the offline bug?', channel: 'email', customer }, SYSTEM);
    const stranger = await services.tickets.open(workspace.id, { subject: 'Firmware question from someone else', body: 'Same bug here.', channel: 'email', customer: { email: 'other@customer.example', name: 'Olu' } }, SYSTEM);

    const en = await h.signIn('en-GB', h.agent, `/agent/inbox/${first.number}`);
    try {
      const related = en.page.getByRole('region', { name: consoleEn.inbox.related.title });
      await related.getByText(consoleEn.inbox.related.none).waitFor();
      const find = related.getByLabel(consoleEn.inbox.related.find);

      // Link: by number.
      await find.fill(`#${earlier.number}`);
      const results = related.getByRole('list', { name: consoleEn.inbox.related.results });
      await results.getByRole('button', { name: `${consoleEn.inbox.related.link} #${earlier.number}` }).click();
      await related.getByRole('link', { name: `#${earlier.number} ${earlier.subject}` }).waitFor();
      expect((await h.api('GET', `/tickets/${first.id}/links`)).body).toMatchObject({ links: [{ id: earlier.id, number: earlier.number }] });

      // Split the second message off into a ticket of its own.
      await en.page.getByRole('button', { name: consoleEn.inbox.split.open }).nth(1).click();
      await en.page.getByLabel(consoleEn.inbox.split.subject).fill('Ordering a drum unit');
      await en.page.getByRole('button', { name: consoleEn.inbox.split.submit }).click();
      await en.page.getByRole('status').filter({ hasText: consoleEn.inbox.split.done }).getByRole('link', { name: /Ordering a drum unit/ }).waitFor();
      const thread = (await h.api('GET', `/tickets/${first.id}/messages`)).body as { messages: { bodyText: string }[] };
      expect(thread.messages.map((m) => m.bodyText)).toEqual(['The YM-720 shows offline since the update.']);
      const found = (await h.api('GET', `/tickets?view=all&q=${encodeURIComponent('drum unit')}`)).body as { tickets: { id: string; subject: string; customerId: string }[] };
      expect(found.tickets.map((x) => [x.subject, x.customerId])).toEqual([['Ordering a drum unit', first.customer_id]]);
      // With one message left, the ticket offers no split.
      await en.page.getByRole('button', { name: consoleEn.inbox.split.open }).first().waitFor({ state: 'detached' });

      // Subject words find both firmware tickets; the other customer's cannot be merged into.
      await find.fill('Firmware question');
      await results.getByRole('button', { name: `${consoleEn.inbox.related.mergeInto} #${stranger.number}` }).waitFor();
      expect(await results.getByRole('button', { name: `${consoleEn.inbox.related.mergeInto} #${stranger.number}` }).isDisabled()).toBe(true);
      await results.getByRole('button', { name: `${consoleEn.inbox.related.mergeInto} #${earlier.number}` }).click();
      await en.page.getByText(named(consoleEn.inbox.related.confirmMerge, { from: String(first.number), into: String(earlier.number) })).waitFor();
      await en.page.getByRole('button', { name: consoleEn.inbox.related.confirm, exact: true }).click();
      await en.page.waitForURL(new RegExp(`/agent/inbox/${earlier.number}$`));
      await en.page.getByRole('heading', { name: earlier.subject }).waitFor();
      expect((await h.api('GET', `/tickets/${first.id}`)).body).toMatchObject({ mergedIntoId: earlier.id, status: 'closed' });
      expect((await h.api('GET', `/tickets/${stranger.id}`)).body).toMatchObject({ mergedIntoId: null });
      expect(en.errors).toEqual([]);
    } finally {
      await en.close();
    }
  }, 120_000);

  it('shows the links in Chinese on a phone and unlinks one', async () => {
    const { services, workspace } = h.server().test;
    const customer = { email: 'lian@customer.example', name: '连女士' };
    const one = await services.tickets.open(workspace.id, { subject: '卡纸问题', body: '打印机一直卡纸。', channel: 'web', customer }, SYSTEM);
    const two = await services.tickets.open(workspace.id, { subject: '硒鼓更换', body: '硒鼓怎么换？', channel: 'web', customer }, SYSTEM);
    await services.tickets.link(workspace.id, one.id, two.id);

    const zh = await h.signIn('zh-CN', h.server().admin, `/agent/inbox/${one.number}`, PHONE);
    try {
      const related = zh.page.getByRole('region', { name: consoleZh.inbox.related.title });
      await related.getByRole('link', { name: `#${two.number} ${two.subject}` }).waitFor();
      await related.getByRole('button', { name: `${consoleZh.inbox.related.unlink} #${two.number}` }).click();
      await related.getByText(consoleZh.inbox.related.none).waitFor();
      expect((await h.api('GET', `/tickets/${one.id}/links`)).body).toEqual({ links: [] });
      expect(zh.errors).toEqual([]);
    } finally {
      await zh.close();
    }
  }, 90_000);
});
