/**
 * A new workspace from nothing to a working help desk, in the console only (issue 19, "What it must
 * show"): its admin signs in and adds a support mail address, an SLA policy, the business hours,
 * invites an agent (who sets a password through the mailed link), a canned reply and a webhook;
 * then a customer's request arrives through the portal and the invited agent answers it with the
 * canned reply. The API checks that each step landed in the new workspace, and nothing in the first.
 * The browser's usual host answers for the new workspace because its admin says so in Settings →
 * Host names, signed in on the one host name the workspace was created with.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { en as portal } from '../../src/core/i18n/catalogues/en.js';
import { startReceiver, type Receiver } from '../../src/modules/webhooks/__tests__/receiver.js';
import consoleEn from '../../web/console/src/locales/en.json' with { type: 'json' };
import settingsEn from '../../web/console/src/features/settings/locales/en.json' with { type: 'json' };
import { SYSTEM, named, settingsHarness } from './settings-harness.js';

const h = settingsHarness();
let receiver: Receiver | undefined;
afterAll(async () => { await receiver?.close(); });

describe('a new workspace, set up in the console', () => {
  it('goes from nothing to a help desk whose invited agent answers a customer with a canned reply', async () => {
    const { test, url } = h.server();
    const { services, database } = test;
    const fresh = await test.addWorkspace('fresh');
    // The workspace comes with one host name to sign in on (as an operator creates it): `localhost`, the same server.
    await services.accounts.addHostname(fresh.id, 'localhost', SYSTEM);
    const hostnames = await h.signIn('en-GB', fresh.admin, '/agent/settings/hostnames', undefined, url.replace('127.0.0.1', 'localhost'));
    try {
      // Its admin makes the browser's usual host answer for the new workspace too, console and portal alike
      // (the first workspace, acme, was answering on it as the oldest one).
      const form = hostnames.page.getByRole('form', { name: settingsEn.hostnames.add });
      await form.getByLabel(settingsEn.hostnames.hostname, { exact: true }).fill('127.0.0.1');
      await form.getByRole('button', { name: settingsEn.hostnames.addButton }).click();
      await hostnames.page.getByTestId('hostnames').locator('tr[data-hostname="127.0.0.1"]').waitFor();
      expect(hostnames.errors).toEqual([]);
    } finally {
      await hostnames.close();
    }
    expect(await services.accounts.hostnames(fresh.id)).toEqual(['localhost', '127.0.0.1']);
    const token = (await services.accounts.createApiToken(fresh.id, fresh.admin.id, 'e2e checks', SYSTEM)).token;
    const read = async (path: string) => {
      const res = await test.app.http.inject({ url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}`, host: '127.0.0.1' } });
      expect(res.statusCode, path).toBe(200);
      return res.json();
    };
    const service = (await services.tickets.departments(fresh.id)).find((d) => d.key === 'service')!;
    receiver = await startReceiver();

    const admin = await h.signIn('en-GB', fresh.admin, '/agent/settings/mail/addresses');
    const { page } = admin;
    try {
      // A support address: replies to customers go out from it.
      await page.getByText(settingsEn.addresses.empty).waitFor();
      const address = page.getByRole('form', { name: settingsEn.addresses.add });
      await address.getByLabel(settingsEn.addresses.address, { exact: true }).fill('help@fresh.example');
      await address.getByLabel(settingsEn.addresses.displayName, { exact: true }).fill('Fresh Help');
      await address.getByRole('button', { name: settingsEn.addresses.addButton }).click();
      await page.getByRole('row').filter({ hasText: 'help@fresh.example' }).waitFor();

      // An SLA policy for normal service questions.
      await page.goto(`${url}/agent/settings/sla`);
      const policy = page.getByRole('form', { name: settingsEn.sla.add });
      await policy.getByLabel(settingsEn.sla.name, { exact: true }).fill('Service questions');
      await policy.getByLabel(settingsEn.sla.urgency, { exact: true }).selectOption('1');
      await policy.getByLabel(settingsEn.sla.department, { exact: true }).selectOption(service.id);
      await policy.getByLabel(settingsEn.sla.firstResponseMinutes).fill('120');
      await policy.getByLabel(settingsEn.sla.resolutionMinutes).fill('960');
      await policy.getByRole('button', { name: settingsEn.sla.addButton }).click();
      await page.getByRole('row').filter({ hasText: 'Service questions' }).waitFor();

      // Business hours: Shanghai time, open on Saturday mornings too.
      await page.getByRole('link', { name: settingsEn.sla.tabs.calendar }).click();
      const hours = page.getByRole('form', { name: settingsEn.calendar.title });
      await hours.getByLabel(settingsEn.calendar.timeZone).fill('Asia/Shanghai');
      await hours.getByLabel(settingsEn.calendar.days.sat).fill('09:00-12:00');
      await hours.getByRole('button', { name: settingsEn.calendar.save }).click();
      await page.getByText(settingsEn.calendar.saved).waitFor();

      // An agent, invited by mail.
      await page.goto(`${url}/agent/settings/agents`);
      const invite = page.getByRole('form', { name: settingsEn.invitations.add });
      await invite.getByLabel(settingsEn.invitations.email).fill('lin.agent@fresh.example');
      await invite.getByLabel(settingsEn.invitations.name).fill('Lin Agent');
      await invite.getByLabel(settingsEn.agents.role).selectOption('agent');
      await invite.getByRole('button', { name: settingsEn.invitations.addButton }).click();
      await page.getByText(named(settingsEn.invitations.sent, { email: 'lin.agent@fresh.example' })).waitFor();

      // A canned reply in English.
      await page.goto(`${url}/agent/settings/canned`);
      const canned = page.getByRole('form', { name: settingsEn.canned.add });
      await canned.getByLabel(settingsEn.canned.title, { exact: true }).fill('Paper jam');
      await canned.getByLabel(settingsEn.canned.language, { exact: true }).selectOption('en');
      await canned.getByLabel(settingsEn.canned.body, { exact: true }).fill('Hello {{customer.name}}, open the rear cover and pull the sheet out slowly. {{agent.name}}');
      await canned.getByRole('button', { name: settingsEn.canned.addButton }).click();
      await page.getByRole('row').filter({ hasText: 'Paper jam' }).waitFor();

      // A webhook to the team's CRM.
      await page.goto(`${url}/agent/settings/webhooks`);
      const hook = page.getByRole('form', { name: settingsEn.webhooks.add });
      await hook.getByLabel(settingsEn.webhooks.url, { exact: true }).fill(receiver.url);
      await hook.getByLabel(settingsEn.webhooks.description, { exact: true }).fill('Our CRM');
      await hook.getByRole('button', { name: settingsEn.webhooks.addButton }).click();
      await page.getByLabel(settingsEn.webhooks.secret).waitFor();
      expect(admin.errors).toEqual([]);
    } finally {
      await admin.close();
    }

    // Each step is the new workspace's, and none reached the first one.
    expect((await read('/mail/addresses')).addresses.map((a: { address: string }) => a.address)).toEqual(['help@fresh.example']);
    expect((await read('/sla/policies')).policies.find((p: { name: string }) => p.name === 'Service questions'))
      .toMatchObject({ urgency: 1, departmentId: service.id, firstResponseMinutes: 120, resolutionMinutes: 960 });
    expect(await read('/sla/calendar')).toMatchObject({ timeZone: 'Asia/Shanghai', weeklyHours: { sat: [{ start: '09:00', end: '12:00' }] } });
    expect((await read('/canned-replies')).cannedReplies.map((c: { title: string }) => c.title)).toEqual(['Paper jam']);
    expect((await read('/webhooks')).webhooks.map((w: { url: string }) => w.url)).toEqual([receiver.url]);
    expect((await h.api('GET', '/webhooks')).body.webhooks).toEqual([]);
    expect((await h.api('GET', '/canned-replies')).body.cannedReplies.map((c: { title: string }) => c.title)).not.toContain('Paper jam');

    // The invited agent sets a password through the mailed link and is signed in.
    let number = 0;
    const lin = await h.open('en-GB', await h.mailedLink('lin.agent@fresh.example', 'agentInvitation'));
    try {
      await lin.page.getByLabel(consoleEn.password.choose).fill('lin-chose-this-password');
      await lin.page.getByRole('button', { name: consoleEn.invitation.submit }).click();
      await lin.page.getByRole('banner').getByText('Lin Agent', { exact: true }).waitFor();

      // A customer writes through the portal's contact form.
      const customer = await h.open('en-GB', '/contact');
      try {
        await customer.page.getByLabel(portal.account.name).fill('Dana Customer');
        await customer.page.getByLabel(portal.account.email).fill('dana@example.com');
        await customer.page.getByLabel(portal.contact.department).selectOption('service');
        await customer.page.getByLabel(portal.contact.subject).fill('Paper stuck in my P200');
        await customer.page.getByLabel(portal.contact.message).fill('A sheet is jammed inside and the light blinks.');
        await customer.page.getByRole('button', { name: portal.contact.send }).click();
        await customer.page.waitForURL(/\/contact\/sent/);
        number = Number(/#(\d+)/.exec(await customer.page.locator('.notice').innerText())?.[1]);
        expect(customer.errors).toEqual([]);
      } finally {
        await customer.close();
      }

      // The invited agent finds it and answers with the canned reply, its placeholders filled.
      await lin.page.goto(`${url}/agent/inbox`);
      await lin.page.getByRole('navigation', { name: consoleEn.inbox.views.label }).getByRole('link', { name: consoleEn.inbox.views.all }).click();
      await lin.page.getByRole('link', { name: /Paper stuck in my P200/ }).click();
      await lin.page.getByRole('heading', { level: 1, name: 'Paper stuck in my P200' }).waitFor();
      await lin.page.getByRole('combobox', { name: consoleEn.inbox.composer.canned }).selectOption({ label: 'Paper jam' });
      const composer = lin.page.getByRole('textbox', { name: named(consoleEn.inbox.composer.replyLabel, { name: 'Dana Customer' }) });
      await expect.poll(() => composer.inputValue()).toContain('Hello Dana Customer, open the rear cover and pull the sheet out slowly. Lin Agent');
      await lin.page.getByRole('button', { name: consoleEn.inbox.composer.send, exact: true }).click();
      await lin.page.getByText(consoleEn.inbox.composer.sent).waitFor();
      expect(lin.errors).toEqual([]);
    } finally {
      await lin.close();
    }

    // The help desk worked: the reply is Lin's, the ticket runs on the new policy and hours, the
    // reply mail goes out from the support address's domain, and the webhook heard of the ticket.
    await test.jobs.drain();
    const ticket = await services.tickets.ticketByNumber(fresh.id, number);
    const lastMessage = (await services.tickets.thread(fresh.id, ticket.id, { includeNotes: false })).at(-1)!;
    const linId = (await services.accounts.listAgents(fresh.id)).find((a) => a.email === 'lin.agent@fresh.example')!.id;
    expect(lastMessage).toMatchObject({ kind: 'reply', author_type: 'agent', author_id: linId });
    expect(lastMessage.body_text).toContain('open the rear cover');
    expect(await services.sla.ticketSla(fresh.id, ticket.id)).toMatchObject({ policy: { name: 'Service questions' }, timeZone: 'Asia/Shanghai' });
    const mail = await database.db.selectFrom('mail_outbox').select(['message_id']).where('workspace_id', '=', fresh.id)
      .where('ticket_message_id', '=', lastMessage.id).executeTakeFirstOrThrow();
    expect(mail.message_id).toMatch(/@fresh\.example$/);
    await expect.poll(() => receiver!.received.filter((r) => r.json.workspaceId === fresh.id).map((r) => r.json.type)).toContain('ticket.created');
  }, 240_000);
});
