import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationSettings } from '../../../contracts/triage.js';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { blocked, duplicateText, spamScore } from '../triage.spam.js';

/** Spam scoring (pure), and on the app: bulk mail parked in the spam view, "not spam", duplicates merged. */

const plain = { subject: 'Printer jams', body: 'My printer jams on every page since yesterday.', sender: 'li@customer.example', headers: undefined, blocklist: [] };

describe('spam score', () => {
  it('adds up bulk headers, recipients, links and spam words in English and Chinese', () => {
    expect(spamScore(plain)).toEqual({ score: 0, signals: [] });
    const bulk = spamScore({ ...plain, headers: new Map([['list-unsubscribe', '<mailto:u@x.example>'], ['precedence', 'bulk'], ['auto-submitted', 'auto-generated']]) });
    expect(bulk).toEqual({ score: 8, signals: ['list-headers', 'precedence-bulk', 'auto-submitted'] });
    const recipients = Array.from({ length: 12 }, (_, i) => `r${i}@x.example`).join(', ');
    expect(spamScore({ ...plain, headers: new Map([['to', recipients]]) }).signals).toEqual(['many-recipients']);
    expect(spamScore({ ...plain, body: 'Deals http://a.example/1 http://a.example/2 http://a.example/3 now' }).signals).toEqual(['links']);
    expect(spamScore({ ...plain, subject: '恭喜您中奖了', body: '加微信免费领取彩票' }).signals).toEqual(['spam-words:中奖', 'spam-words:彩票', 'spam-words:免费领取', 'spam-words:加微信']);
    expect(spamScore({ ...plain, body: 'You have won the LOTTERY, click here' }).signals).toEqual(['spam-words:lottery', 'spam-words:you have won', 'spam-words:click here']);
    // Words inside other words, and a customer's ordinary invoice question, are no spam words.
    expect(spamScore({ ...plain, body: 'The clotteryx start; 我的发票开错了' }).signals).toEqual([]);
  });

  it('blocks a listed address, its domain and subdomains of a listed domain', () => {
    expect(blocked('a@spam.example', ['spam.example'])).toBe(true);
    expect(blocked('a@mail.spam.example', ['spam.example'])).toBe(true);
    expect(blocked('a@notspam.example', ['spam.example'])).toBe(false);
    expect(blocked('a@b.example', ['a@b.example'])).toBe(true);
    expect(spamScore({ ...plain, blocklist: ['customer.example'] }).score).toBeGreaterThanOrEqual(20);
  });

  it('compares duplicates without case, spacing or punctuation', () => {
    expect(duplicateText('Printer  jams!', 'It jams.')).toBe(duplicateText('printer jams', 'it jams'));
    expect(duplicateText('打印机卡纸。', '')).toBe(duplicateText('打印机卡纸', ''));
    expect(duplicateText('…', '!')).toBe('');
  });
});

let t: TestApp;
const SYSTEM = { type: 'system' as const, id: null };
let admin: { authorization: string };
const SETTINGS: AutomationSettings = {
  remind: { enabled: false, afterHours: 4 },
  escalate: { enabled: false, afterHours: 24, onSlaWarning: false, raiseUrgencyTo: 2, departmentId: null, notify: true },
  autoClose: { enabled: false, afterDays: 7 },
  duplicates: { enabled: true, windowMinutes: 10 },
  spam: { enabled: true, threshold: 5, blocklist: ['blocked.example'] },
};

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-12-07T01:00:00Z');
  admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'test', SYSTEM)).token}` };
  await t.services.triage.automations.saveSettings(t.workspace.id, SETTINGS, SYSTEM);
});
afterAll(async () => { await t?.close(); });

const eml = (from: string, subject: string, body: string, messageId: string, extra: string[] = []) => Buffer.from([
  `From: ${from}`, 'To: help@acme.example', `Subject: ${subject}`, 'Date: Mon, 07 Dec 2026 09:00:00 +0800', `Message-ID: <${messageId}>`, ...extra,
  'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, '',
].join('\r\n'));

async function receive(mail: Buffer, from: string) {
  const address = (await t.services.mailInbound.addresses.list(t.workspace.id)).find((a) => a.address === 'help@acme.example')
    ?? await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example', locale: 'en' });
  await t.services.mailInbound.inbound.accept(mail, { from, recipients: [{ workspace_id: t.workspace.id, id: address.id, address: address.address }], remoteIp: '127.0.0.1', source: 'smtp' });
  await t.jobs.drain();
}
const ticketBySubject = async (subject: string) => (await t.services.tickets.inbox(t.workspace.id, t.workspace.admin.id, { view: 'all', q: subject })).tickets[0]!;
const acknowledgements = async (ticketId: string) => t.database.db.selectFrom('mail_outbox').select('id').where('ticket_id', '=', ticketId).where('template', 'in', ['autoresponse', 'autoresponseCustom']).execute();

describe('spam on new tickets', () => {
  it('parks bulk mail in the spam view without an acknowledgement; "not spam" restores it', async () => {
    await receive(eml('news@shop.example', 'Big December sale', 'Our best printer deals of the year.', 'sale-1@shop.example',
      ['List-Unsubscribe: <https://shop.example/unsubscribe>', 'Precedence: bulk']), 'news@shop.example');
    const ticket = await ticketBySubject('December sale');
    expect(ticket).toMatchObject({ status: 'closed', tags: ['spam'] });
    expect(await acknowledgements(ticket.id)).toEqual([]);
    const spamView = await t.services.tickets.inbox(t.workspace.id, t.workspace.admin.id, { view: 'all', tag: 'spam' });
    expect(spamView.tickets.map((x) => x.id)).toContain(ticket.id);
    const decision = await t.app.http.inject({ method: 'GET', url: `/api/v1/triage/tickets/${ticket.id}`, headers: admin });
    expect(decision.json()).toMatchObject({ spam: true, spamScore: 6, spamSignals: ['list-headers', 'precedence-bulk'], suppressAck: true });

    const restored = await t.app.http.inject({ method: 'POST', url: `/api/v1/triage/tickets/${ticket.id}/not-spam`, headers: admin });
    expect(restored.json()).toEqual({ ticketId: ticket.id, status: 'open', tags: [] });
    expect(await t.services.tickets.ticket(t.workspace.id, ticket.id)).toMatchObject({ status: 'open', tags: [] });
    expect((await t.services.tickets.activity(t.workspace.id, ticket.id)).map((a) => a.action)).toContain('triage.not_spam');
    const again = await t.app.http.inject({ method: 'POST', url: `/api/v1/triage/tickets/${ticket.id}/not-spam`, headers: admin });
    expect(again.json().error.code).toBe('TRIAGE_NOT_SPAM');
  });

  it('parks mail from a blocked sender, and leaves ordinary mail alone', async () => {
    await receive(eml('x@mail.blocked.example', 'Hello there', 'Just a normal looking message.', 'blocked-1@blocked.example'), 'x@mail.blocked.example');
    expect(await ticketBySubject('Hello there')).toMatchObject({ status: 'closed', tags: ['spam'] });
    await receive(eml('zhao@customer.example', '打印机无法联网', '打印机连不上无线网络，怎么办？', 'wifi-1@customer.example'), 'zhao@customer.example');
    const ordinary = await ticketBySubject('打印机无法联网');
    expect(ordinary.status).not.toBe('closed');
    expect(ordinary.tags).not.toContain('spam');
    expect(await acknowledgements(ordinary.id)).toHaveLength(1);
  });
});

describe('duplicates', () => {
  const web = (subject: string, body: string, email = 'chen@customer.example') => t.services.tickets.open(t.workspace.id, {
    subject, body, channel: 'web', customer: { email, name: 'Chen' },
  }, SYSTEM);

  it('merges the same customer\'s same text within the window into the first ticket', async () => {
    const first = await web('Toner empty', 'The toner is empty, please send a new one.');
    await t.jobs.drain();
    t.clock.advance(3 * 60_000);
    const second = await web('Toner empty!', 'the toner is empty -- please send a new one');
    await t.jobs.drain();
    expect(await t.services.tickets.ticket(t.workspace.id, second.id)).toMatchObject({ merged_into_id: first.id, status: 'closed' });
    expect((await t.services.tickets.thread(t.workspace.id, first.id, { includeNotes: false }))).toHaveLength(2);
    const decision = await t.services.triage.decision(t.workspace.id, second.id, 'en');
    expect(decision).toMatchObject({ duplicateOf: first.id, suppressAck: true });

    // Outside the window, from another customer, or with other words: tickets of their own.
    t.clock.advance(11 * 60_000);
    const late = await web('Toner empty', 'The toner is empty, please send a new one.');
    const stranger = await web('Toner empty', 'The toner is empty, please send a new one.', 'other@customer.example');
    const different = await web('Toner empty', 'The magenta toner is empty.');
    await t.jobs.drain();
    for (const ticket of [late, stranger, different]) expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).merged_into_id).toBeNull();
  });
});
