/**
 * Live chat end to end in real browsers: two agents in the console and several customers, each in
 * their own browser context, on a page of another site that embeds the widget with its one script
 * tag. Time is the server's TestClock: offer timeouts and after-contact work move only when the
 * test advances it and runs the chat's deadline sweep, so nothing here waits on the wall clock.
 *
 * The scenario, with the timeline the metrics are checked against (T0 = the clock's start):
 *   T0     both agents online (capacity 1 each, team strategy round robin); customers 1 and 2 are
 *          offered to the two agents in round-robin order and accepted at once
 *   T0     customers 3 and 4 queue as numbers 1 and 2
 *   T0+5   customer 3 leaves (abandoned): customer 4 becomes number 1, live
 *   T0+15  both agents end their chats (handle 15 s each) and leave after-contact work at once;
 *          customer 4 rings at the first agent ready …
 *   T0+46  … who lets it ring out: it is re-offered to the other agent, who accepts (answer 46 s),
 *          writes, and transfers it to the first agent, who sees the whole history
 *   T0+66  the first agent ends it (handle 20 s)
 *   then   the second agent goes offline; customer 5 queues (the first is in after-contact work);
 *          the first goes offline too: customer 5's chat becomes a ticket; customer 6 finds
 *          nobody online, leaves a message, and that becomes a ticket
 * Expected: offered 4, answered 3, abandoned 1 (25 %), service level (20 s) 2 of 4 = 50 %,
 * average speed of answer 46/3 s, average handle (15+15+20)/3 s, 1 transfer, 2 offline contacts.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import chatEn from '../../web/console/src/features/chat/locales/en.json' with { type: 'json' };
import consoleEn from '../../web/console/src/locales/en.json' with { type: 'json' };
import { launchChromium, signInToConsole, type ConsoleSession } from '../helpers/browser.js';
import { buildConsoleIfStale, buildWidgetIfStale, startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
type Agent = { id: string; email: string; password: string; name: string };

const SYSTEM = { type: 'system' as const, id: null };
const OFFER_TIMEOUT_SECONDS = 30;
const SERVICE_LEVEL_SECONDS = 20;
const screenshots = process.env.KEFU_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'kefu-chat-e2e-'));

let server: TestServer | undefined;
let host: Server | undefined;
let hostUrl = '';
let browser: Browser | undefined;
let agents: [Agent, Agent];
let departmentId = '';
let t0 = 0;

/**
 * A page of some other website: hostile CSS that would wreck any widget not in a shadow root,
 * and the one embed tag.
 */
function hostPage(serverUrl: string, locale: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Printer shop</title>
<style>button, input, textarea, select { display: none !important; } * { font-size: 40px !important; color: red !important; }</style></head>
<body><h1>Yunmo printers</h1><p>Buy our printers.</p>
<script src="${serverUrl}/widget.js" data-workspace="acme" data-locale="${locale}" async></script></body></html>`;
}

beforeAll(async () => {
  buildConsoleIfStale();
  buildWidgetIfStale();
  // No sweep timer: the test moves the clock and runs the sweep itself.
  server = await startTestServer({ recurring: false });
  const { services, workspace, clock } = server.test;
  const ws = workspace.id;
  // Start "today" in the workspace's zone, a little in the past, so everything stays within one day.
  const startOfDay = DateTime.now().setZone('Asia/Shanghai').startOf('day').toMillis();
  t0 = Math.max(startOfDay + 60_000, Date.now() - 5 * 60_000);
  clock.set(new Date(t0));

  const password = 'wang-lei-password-1';
  const wang = await services.accounts.createAgent(ws, { email: 'wang.lei@acme.example', name: '王磊', role: 'agent', password, locale: 'en' }, SYSTEM);
  const emma = { ...server.admin, id: workspace.admin.id };
  const pair = [emma, { id: wang.id, email: wang.email, password, name: wang.name }].sort((a, b) => a.id.localeCompare(b.id));
  agents = [pair[0]!, pair[1]!];

  const service = (await services.tickets.departments(ws)).find((d) => d.key === 'service');
  if (!service) throw new Error('the service department is missing');
  departmentId = service.id;
  await services.routing.configureDepartment(ws, departmentId, { strategy: 'round_robin', autoAssign: false, memberIds: agents.map((a) => a.id) }, SYSTEM);
  for (const agent of agents) await services.routing.updateAgent(ws, agent.id, { chatCapacity: 1 }, SYSTEM);
  await services.chat.settings.update(ws, {
    offerTimeoutSeconds: OFFER_TIMEOUT_SECONDS, acwSeconds: 300, serviceLevelSeconds: SERVICE_LEVEL_SECONDS, defaultDepartmentId: departmentId, respectBusinessHours: false,
  });

  host = createServer((request, response) => {
    const locale = new URL(request.url ?? '/', 'http://host').searchParams.get('locale') ?? 'en';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage(server!.url, locale));
  });
  await new Promise<void>((resolve) => host!.listen(0, '127.0.0.1', resolve));
  // Another origin than the Kefu server (another port): the widget works cross-site.
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
  await server?.close();
  console.info(`chat e2e screenshots: ${screenshots}`);
});

function running(): { server: TestServer; browser: Browser } {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return { server, browser };
}

/** Moves the server's clock and acts on whatever fell due (offer timeouts, ACW), as its timer would. */
async function advance(seconds: number): Promise<void> {
  const { test } = running().server;
  test.clock.advance(seconds * 1000);
  await test.services.chat.deadlines.sweep(test.workspace.id);
}

async function openAgent(who: Agent): Promise<ConsoleSession> {
  const agent = await signInToConsole(running().browser, `${running().server.url}/agent/chat`, { email: who.email, password: who.password }, { timezoneId: 'Asia/Shanghai' });
  await agent.page.getByRole('heading', { name: chatEn.title, level: 1 }).waitFor();
  await agent.page.locator('.live-live').getByText(chatEn.connection.live).waitFor();
  return agent;
}

async function setPresence(agent: ConsoleSession, presence: 'online' | 'offline'): Promise<void> {
  const select = agent.page.getByRole('combobox', { name: chatEn.presence.label });
  await select.selectOption(presence);
  await expect.poll(() => select.inputValue()).toBe(presence);
}

async function openCustomer(locale = 'en'): Promise<ConsoleSession> {
  const context = await running().browser.newContext({ locale: locale === 'zh-CN' ? 'zh-CN' : 'en-US', viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  await page.goto(`${hostUrl}?locale=${locale}`);
  return { page, errors, close: () => context.close() };
}

/** Fills the pre-chat form and starts the chat (skipping help-centre suggestions if any show). */
async function startChat(customer: ConsoleSession, who: { name: string; email: string; question: string; topic?: string }): Promise<void> {
  const { page } = customer;
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('E-mail').fill(who.email);
  if (who.topic) await page.getByLabel('Topic').selectOption({ label: who.topic });
  await page.getByLabel('How can we help?').fill(who.question);
  await page.getByRole('button', { name: 'Start chat' }).click();
  const skip = page.getByRole('button', { name: 'No, talk to a person' });
  const chatting = page.getByRole('textbox', { name: 'Type a message' });
  await Promise.race([skip.waitFor(), chatting.waitFor()]);
  if (await skip.isVisible()) await skip.click();
  await chatting.waitFor();
}

async function sendFromCustomer(customer: ConsoleSession, text: string, label = 'Type a message'): Promise<void> {
  const box = customer.page.getByRole('textbox', { name: label });
  await box.fill(text);
  await box.press('Enter');
}

/** The agent's offer card: who it is for, then accept. */
async function acceptOffer(agent: ConsoleSession, customerName: string): Promise<void> {
  const offer = agent.page.getByRole('alertdialog', { name: chatEn.offer.title });
  await offer.getByText(customerName).waitFor();
  await offer.getByRole('button', { name: chatEn.offer.accept }).click();
  await agent.page.getByRole('tab', { name: customerName }).waitFor();
}

async function metrics() {
  const { test } = running().server;
  return test.services.chat.metrics.metrics(test.workspace.id, { from: new Date(t0 - 1000), to: new Date(test.clock.now().getTime() + 1) });
}

describe('live chat in the browser', () => {
  it('spreads chats round robin, queues with live positions, re-offers, transfers with history, goes offline to a ticket, and counts it all exactly', async () => {
    const { server: { test } } = running();
    const ws = test.workspace.id;
    // A canned reply, offered in the chat desk as in the inbox (read when the console loads).
    await test.services.tickets.addCannedReply(ws, { title: 'Rollers', body: 'Hello {{customer.name}}, let me check the rollers.', locale: null });
    const [first, second] = await Promise.all([openAgent(agents[0]), openAgent(agents[1])]);
    const customers: ConsoleSession[] = [];
    try {
      await setPresence(first, 'online');
      await setPresence(second, 'online');

      // -- round robin: never-picked agents first, ties by id; each has room for one chat
      const c1 = await openCustomer();
      customers.push(c1);
      // Bad input in the pre-chat form: told what is wrong, nothing starts.
      await c1.page.getByRole('button', { name: 'Chat with us' }).click();
      await c1.page.getByRole('button', { name: 'Start chat' }).click();
      expect(await c1.page.getByText('Please fill in this field.').count()).toBe(3);
      await c1.page.getByLabel('E-mail').fill('not-an-email');
      await c1.page.getByRole('button', { name: 'Start chat' }).click();
      await c1.page.getByText('Please enter a valid e-mail address.').waitFor();
      expect(await test.services.chat.log.liveConversations(ws, ['queued', 'offered', 'active'])).toEqual([]);
      // Escape closes the panel and gives the keyboard back to the launcher.
      await c1.page.keyboard.press('Escape');
      await expect.poll(() => c1.page.evaluate(() => document.getElementById('kefu-chat-widget')?.shadowRoot?.activeElement?.className)).toBe('launcher');
      await startChat(c1, { name: 'Ada Lovelace', email: 'ada@example.com', question: 'My P200 jams on every page.', topic: 'Customer service' });
      await acceptOffer(first, 'Ada Lovelace');
      await c1.page.locator('.msg-system').getByText(`${agents[0].name} joined the chat.`).waitFor();

      const c2 = await openCustomer('zh-CN');
      customers.push(c2);
      await c2.page.getByRole('button', { name: '在线客服' }).click();
      await c2.page.getByLabel('您的称呼').fill('李娜');
      await c2.page.getByLabel('电子邮箱').fill('li.na@example.com');
      await c2.page.getByLabel('请问有什么可以帮您？').fill('墨盒无法识别');
      await c2.page.getByRole('button', { name: '开始咨询' }).click();
      await acceptOffer(second, '李娜');
      await c2.page.locator('.msg-system').getByText(`${agents[1].name}加入了对话。`).waitFor();
      // A reload (or the next page of the site) resumes the chat: the history once, nothing doubled.
      await sendFromCustomer(c2, '型号是 P200', '请输入消息');
      await second.page.locator('.chat-msg-text').getByText('型号是 P200').waitFor();
      await c2.page.reload();
      await c2.page.getByRole('button', { name: '在线客服' }).click();
      await c2.page.locator('.msg-visitor').getByText('型号是 P200').waitFor();
      await c2.page.locator('.msg-visitor').getByText('墨盒无法识别').waitFor();
      expect(await c2.page.locator('.msg-visitor').count()).toBe(2);
      await c2.page.screenshot({ path: join(screenshots, 'widget-chat-zh.png') });

      // The visitor writing shows at the agent's.
      await c1.page.getByRole('textbox', { name: 'Type a message' }).fill('Also, the');
      await first.page.getByText('Ada Lovelace is typing…').waitFor();
      await c1.page.getByRole('textbox', { name: 'Type a message' }).fill('');
      await first.page.getByText('Ada Lovelace is typing…').waitFor({ state: 'detached' });

      // Messages both ways with ticks; markup from the visitor shows as text on both sides.
      const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
      await sendFromCustomer(c1, hostile);
      await first.page.locator('.chat-msg-text').getByText(hostile, { exact: true }).waitFor();
      await c1.page.locator('.msg-visitor .text').getByText(hostile, { exact: true }).waitFor();
      // The agent writing (here a canned reply, its placeholder filled with the visitor's name) shows in the widget; sending ends it.
      await first.page.getByRole('combobox', { name: consoleEn.inbox.composer.canned }).selectOption({ label: 'Rollers' });
      await expect.poll(() => first.page.getByRole('textbox', { name: chatEn.desk.messageLabel }).inputValue()).toBe('Hello Ada Lovelace, let me check the rollers.');
      await c1.page.getByText(`${agents[0].name} is typing…`).waitFor();
      await first.page.getByRole('textbox', { name: chatEn.desk.messageLabel }).press('Enter');
      await c1.page.getByText(`${agents[0].name} is typing…`).waitFor({ state: 'detached' });
      await c1.page.getByText('Hello Ada Lovelace, let me check the rollers.').waitFor();
      // The visitor has the chat open, so the agent's message is read: the visitor's own ticks go to "Read" too once the agent views them.
      await c1.page.locator('.msg-visitor .meta[data-state="read"]').first().waitFor();
      await c1.page.getByRole('button', { name: 'E-mail me the transcript' }).click();
      await c1.page.getByText('We sent a link to ada@example.com: open it to receive the transcript.').waitFor();
      expect(await c1.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await first.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

      // -- queue: both agents full; customers 3 and 4 wait, and 4 moves up live when 3 leaves
      const c3 = await openCustomer();
      customers.push(c3);
      await startChat(c3, { name: 'Tom Becker', email: 'tom@example.com', question: 'Where is my invoice?' });
      await c3.page.getByText('You are number 1 in line.').waitFor();
      const c4 = await openCustomer();
      customers.push(c4);
      await startChat(c4, { name: 'Grace Hopper', email: 'grace@example.com', question: 'Wi-Fi setup fails on my X900.' });
      await c4.page.getByText('You are number 2 in line.').waitFor();
      await c4.page.screenshot({ path: join(screenshots, 'widget-queue-en.png') });
      await first.page.getByRole('link', { name: chatEn.sections.queue }).click();
      await first.page.locator('.chat-queue tbody tr').nth(1).waitFor();
      await first.page.screenshot({ path: join(screenshots, 'chat-queue-en.png') });

      await advance(5);
      await c3.page.getByRole('button', { name: 'End chat' }).click();
      await c4.page.getByText('You are number 1 in line.').waitFor();

      // -- both agents end their chats at T0+15 and go straight back from after-contact work
      await first.page.getByRole('link', { name: chatEn.sections.desk }).click();
      await advance(10);
      for (const agent of [first, second]) {
        await agent.page.getByRole('button', { name: chatEn.desk.end }).click();
        await agent.page.getByText(chatEn.desk.ended).waitFor();
        await agent.page.getByText(chatEn.acw.title).waitFor();
      }
      await c1.page.locator('.msg-system').getByText(`${agents[0].name} ended the chat.`, { exact: false }).waitFor();

      // The first agent ready gets customer 4 offered …
      await first.page.getByRole('button', { name: chatEn.acw.ready }).click();
      await first.page.getByRole('alertdialog', { name: chatEn.offer.title }).getByText('Grace Hopper').waitFor();
      await second.page.getByRole('button', { name: chatEn.acw.ready }).click();
      await second.page.getByText(chatEn.acw.title).waitFor({ state: 'detached' });

      // … lets it ring past the timeout: it goes to the other agent, and the first is told why.
      await advance(OFFER_TIMEOUT_SECONDS + 1);
      await first.page.getByText(chatEn.offer.withdrawn.timeout).waitFor();
      await acceptOffer(second, 'Grace Hopper');
      await c4.page.locator('.msg-system').getByText(`${agents[1].name} joined the chat.`).waitFor();
      await second.page.getByRole('textbox', { name: chatEn.desk.messageLabel }).fill('Which router do you use?');
      await second.page.getByRole('button', { name: chatEn.desk.send }).click();
      await c4.page.getByText('Which router do you use?').waitFor();
      await sendFromCustomer(c4, 'A TP-Link AX20.');
      await second.page.getByText('A TP-Link AX20.').waitFor();
      await c4.page.getByLabel('Attach a file').setInputFiles({ name: 'router-log.txt', mimeType: 'text/plain', buffer: Buffer.from('wlan0: association timed out\n') });
      await c4.page.locator('.msg-visitor a').getByText('router-log.txt').waitFor();
      await second.page.locator('.chat-msg-file').getByText('router-log.txt').waitFor();

      // -- transfer to the first agent: the whole conversation goes along
      await second.page.getByLabel(chatEn.desk.transfer.label).selectOption({ label: agents[0].name });
      await second.page.getByRole('button', { name: chatEn.desk.transfer.submit, exact: true }).click();
      await second.page.getByText(chatEn.desk.movedAway).waitFor();
      await first.page.getByRole('tab', { name: 'Grace Hopper' }).click();
      const thread = first.page.getByRole('tabpanel');
      for (const text of ['Wi-Fi setup fails on my X900.', 'Which router do you use?', 'A TP-Link AX20.', 'router-log.txt']) await thread.getByText(text, { exact: true }).first().waitFor();
      await c4.page.locator('.msg-system').getByText(`${agents[0].name} joined the chat.`).waitFor();
      // The screen-pop beside it: the customer's record, though the chat came by transfer.
      await first.page.locator('.chat-side .customer-name').getByText('Grace Hopper').waitFor();
      await c4.page.screenshot({ path: join(screenshots, 'widget-chat-en.png') });
      await first.page.screenshot({ path: join(screenshots, 'chat-desk-en.png') });

      await advance(20);
      await thread.getByRole('button', { name: chatEn.desk.end }).click();
      await thread.getByText(chatEn.desk.ended).waitFor();

      // -- the last agent goes offline while a customer waits: that chat becomes a ticket
      await setPresence(second, 'offline');
      const c5 = await openCustomer();
      customers.push(c5);
      await startChat(c5, { name: 'Alan Turing', email: 'alan@example.com', question: 'Please call me back about a bulk order.' });
      await c5.page.getByText('You are number 1 in line.').waitFor(); // the first agent is still in after-contact work
      await setPresence(first, 'offline');
      const queuedThanks = c5.page.locator('[data-ticket-number]');
      await queuedThanks.getByText(/request #\d+/).waitFor();
      const queuedTicket = Number(await queuedThanks.getAttribute('data-ticket-number'));

      // -- and with nobody online the widget offers "leave a message", which becomes a ticket too
      const c6 = await openCustomer();
      customers.push(c6);
      await c6.page.getByRole('button', { name: 'Chat with us' }).click();
      await c6.page.getByRole('heading', { name: 'Leave a message' }).waitFor();
      await c6.page.getByLabel('Your name').fill('Katherine Johnson');
      await c6.page.getByLabel('E-mail').fill('katherine@example.com');
      await c6.page.getByLabel('How can we help?').fill('Do you ship to Shanghai?');
      await c6.page.getByRole('button', { name: 'Send message' }).click();
      const thanks = c6.page.locator('[data-ticket-number]');
      await thanks.getByText(/request #\d+/).waitFor();
      const leftTicket = Number(await thanks.getAttribute('data-ticket-number'));
      const inbox = (await test.services.tickets.inbox(ws, test.workspace.admin.id, { view: 'all', sort: 'created' })).tickets;
      for (const number of [queuedTicket, leftTicket]) expect(inbox.find((x) => x.number === number)).toMatchObject({ channel: 'chat' });
      expect(queuedTicket).not.toBe(leftTicket);

      // -- the figures: from the metrics API, and as the wallboard shows them
      const figures = await metrics();
      expect(figures).toMatchObject({
        offered: 4, answered: 3, abandoned: 1, offline: 2,
        abandonRate: 0.25, serviceLevel: 0.5, serviceLevelSeconds: SERVICE_LEVEL_SECONDS,
        transfers: 1,
      });
      expect(figures.averageSpeedOfAnswerSeconds).toBeCloseTo((0 + 0 + 46) / 3, 6);
      expect(figures.averageHandleSeconds).toBeCloseTo((15 + 15 + 20) / 3, 6);
      expect(figures.transferRate).toBeCloseTo(1 / 3, 6);

      await first.page.getByRole('link', { name: chatEn.sections.wallboard }).click();
      const figure = (key: string) => first.page.locator(`.chat-figure[data-figure="${key}"] dd`);
      await expect.poll(() => figure('offered').textContent()).toBe('4');
      expect(await figure('answered').textContent()).toBe('3');
      expect(await figure('abandoned').textContent()).toBe('1');
      expect(await figure('waiting').textContent()).toBe('0');
      expect(await figure('serviceLevel').textContent()).toBe('50%');
      expect(await figure('abandonRate').textContent()).toBe('25%');
      await expect.poll(() => figure('aht').textContent()).toBe('17 s');
      await first.page.locator('.chat-legend [data-state="offline"] strong').getByText('2').waitFor();
      expect(await figure('offline').textContent()).toBe('2');
      // The chats that never reached an agent, each with its ticket: the one who left, the two who left a message.
      const missed = first.page.getByTestId('missed-chats');
      await expect.poll(() => missed.locator('tbody tr').count()).toBe(3);
      expect(await missed.locator('tr[data-reason="abandoned"]').count()).toBe(1);
      for (const number of [queuedTicket, leftTicket]) await missed.locator('tr[data-reason="offline"]').getByRole('link', { name: `#${number}` }).waitFor();
      await first.page.screenshot({ path: join(screenshots, 'chat-wallboard-en.png') });

      for (const opened of [first, second, ...customers]) expect(opened.errors).toEqual([]);
    } catch (error) {
      // What each browser showed when it failed, for whoever reads the CI log.
      for (const [index, opened] of [first, second, ...customers].entries()) {
        await opened.page.screenshot({ path: join(screenshots, `failure-${index}.png`) }).catch(() => undefined);
        if (opened.errors.length) console.error(`browser ${index} page errors:`, opened.errors);
      }
      throw error;
    } finally {
      for (const opened of [first, second, ...customers]) await opened.close();
    }
  }, 180_000);

  it('sends the agent\'s file to the visitor only, and after the agent ends the chat the visitor rates it and the agent sees the rating', async () => {
    const { server: { test, url } } = running();
    // After-contact work left over from the scenario above ends (as the agent's "I'm ready" would).
    await test.services.chat.queue.ready(test.workspace.id, agents[0].id);
    const agent = await openAgent(agents[0]);
    const customer = await openCustomer();
    try {
      await setPresence(agent, 'online');
      await startChat(customer, { name: 'Mary Jackson', email: 'mary@example.com', question: 'Where is the manual for the P200?' });
      await acceptOffer(agent, 'Mary Jackson');

      // A file type the server refuses is stopped in the console with a message; nothing is sent.
      const fileInput = agent.page.locator('[data-chat-file]');
      await fileInput.setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
      await agent.page.locator('.chat-file-error').getByText(chatEn.errors.ATTACHMENT_TYPE_FORBIDDEN).waitFor();
      await fileInput.setInputFiles({ name: 'p200-manual.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 P200 manual') });
      await agent.page.locator('.chat-msg-file').getByText('p200-manual.pdf').waitFor();
      const link = customer.page.locator('.msg-agent a').getByText('p200-manual.pdf');
      await link.waitFor();
      const href = await customer.page.locator('.msg-agent a').getAttribute('href');
      expect(href).toContain('token=');
      // The visitor's link (with their token) opens the file; the same path without it does not.
      expect(await (await fetch(href!)).text()).toBe('%PDF-1.4 P200 manual');
      const bare = new URL(href!);
      bare.searchParams.delete('token');
      expect((await fetch(`${url}${bare.pathname}`)).status).toBe(401);

      await agent.page.getByRole('button', { name: chatEn.desk.end }).click();
      await agent.page.getByText(chatEn.desk.ratingPending).waitFor();
      const rating = customer.page.getByRole('group', { name: 'How was this chat?' });
      await rating.waitFor();
      expect(await customer.page.getByRole('button', { name: 'Send rating' }).isDisabled()).toBe(true);
      await rating.getByRole('button', { name: '4 of 5' }).click();
      await customer.page.getByRole('textbox', { name: 'Anything to add? (optional)' }).fill('Found the manual, thanks!');
      await customer.page.getByRole('button', { name: 'Send rating' }).click();
      await customer.page.getByText('Thank you for your rating.').waitFor();
      await customer.page.screenshot({ path: join(screenshots, 'widget-rating-en.png') });

      const rated = agent.page.locator('.chat-rating[data-rating="4"]');
      await rated.getByText(chatEn.desk.rated.replace('{{score}}', '4')).waitFor();
      await rated.getByText('Found the manual, thanks!').waitFor();
      await agent.page.screenshot({ path: join(screenshots, 'chat-desk-rating-en.png') });
      await agent.page.getByRole('link', { name: chatEn.sections.wallboard }).click();
      await agent.page.locator('.chat-figure[data-figure="rating"] dd').getByText('4 / 5 (1 rating)').waitFor();
      expect(agent.errors).toEqual([]);
      expect(customer.errors).toEqual([]);
    } finally {
      await setPresence(agent, 'offline').catch(() => undefined);
      await agent.close();
      await customer.close();
    }
  });

  it('serves widget.js with a short cache revalidated by ETag, and the help-centre portal has the chat built in', async () => {
    const { server: { url }, browser } = running();
    const first = await fetch(`${url}/widget.js`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/javascript/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(await first.text()).not.toMatch(/sourceMappingURL/);
    // A browser revalidating (fetch() itself would add "no-cache" to a conditional request).
    const again = await fetch(`${url}/widget.js`, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);

    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1200, height: 900 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${url}/`, { waitUntil: 'load' });
      await page.getByRole('button', { name: '在线客服' }).click();
      // Nobody is online in this workspace now (the scenario above ended with everyone offline).
      await page.getByRole('heading', { name: '留言' }).waitFor();
      await page.screenshot({ path: join(screenshots, 'portal-widget-zh.png') });
    } finally {
      await context.close();
    }
  });

  it('asks a customer signed in to the help centre no name or e-mail: the widget\'s form starts with theirs', async () => {
    const { server: { test, url }, browser } = running();
    await test.services.accounts.registerCustomer(test.workspace.id, { email: 'zhao.min@customer.example', name: '赵敏', password: 'zhao-min-password-1', locale: 'zh-CN' });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      // Signed out first: an empty form.
      await page.goto(`${url}/`);
      await page.getByRole('button', { name: '在线客服' }).click();
      await expect.poll(() => page.getByLabel('您的称呼').inputValue()).toBe('');
      await page.goto(`${url}/account/sign-in`);
      await page.getByLabel('邮箱').fill('zhao.min@customer.example');
      await page.getByLabel('密码').fill('zhao-min-password-1');
      await page.getByRole('main').getByRole('button', { name: '登录' }).click();
      await page.getByRole('navigation').getByRole('link', { name: '我的账户' }).waitFor();
      await page.getByRole('button', { name: '在线客服' }).click();
      await expect.poll(() => page.getByLabel('您的称呼').inputValue()).toBe('赵敏');
      expect(await page.getByLabel('电子邮箱').inputValue()).toBe('zhao.min@customer.example');
    } finally {
      await context.close();
    }
  });

  it('outside business hours, the widget and the online agent\'s desk both say chat is closed for the hours and when it opens', async () => {
    const { server: { test } } = running();
    const ws = test.workspace.id;
    const { calendar } = await test.services.sla.calendarSettings(ws);
    await test.services.chat.settings.update(ws, { respectBusinessHours: true });
    // A Saturday noon in the workspace's zone; the calendar opens Monday 09:00 (the visitor's browser is in UTC).
    test.clock.set(DateTime.fromISO('2026-11-21T12:00', { zone: calendar.timeZone }).toJSDate());
    const mondayNine = DateTime.fromISO('2026-11-23T09:00', { zone: calendar.timeZone });
    const agent = await openAgent(agents[0]);
    const customer = await openCustomer('zh-CN');
    try {
      await setPresence(agent, 'online');
      await agent.page.getByTestId('desk-empty').getByText(/closed outside business hours and opens again/).waitFor();
      // The agent's browser is in Asia/Shanghai: the opening shows in its own zone.
      expect(await agent.page.getByTestId('desk-empty').textContent()).toContain(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', hour: 'numeric', minute: '2-digit' }).format(mondayNine.toJSDate()));

      await customer.page.getByRole('button', { name: '在线客服' }).click();
      await customer.page.getByRole('heading', { name: '留言' }).waitFor();
      const intro = customer.page.locator('#kefu-chat-widget [data-closed="hours"]');
      await intro.getByText(/现在不在在线客服的服务时间，我们将于.+恢复服务/).waitFor();
      expect(await intro.textContent()).toContain(new Intl.DateTimeFormat('zh-CN', { timeZone: 'UTC', hour: 'numeric', minute: '2-digit' }).format(mondayNine.toJSDate()));
      await customer.page.screenshot({ path: join(screenshots, 'widget-closed-hours-zh.png') });

      // Within the hours, with the agent online, the desk waits for chats and does not ask to go online.
      test.clock.set(mondayNine.plus({ hours: 1 }).toJSDate());
      await agent.page.reload();
      await agent.page.getByTestId('desk-empty').getByText(chatEn.desk.emptyOnline).waitFor();
    } finally {
      await setPresence(agent, 'offline');
      await agent.close();
      await customer.close();
      await test.services.chat.settings.update(ws, { respectBusinessHours: false });
    }
  });
});
