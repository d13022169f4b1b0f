import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { START_LIMITS } from '../../../transport/ws/chat.limits.js';
import type { ChatMessage, ConversationView } from '../../../contracts/chat.js';
import { addAgent, call, chatWorkspace, connectVisitor, connected, ok, useChatServer, type Client } from './chat.harness.js';

/**
 * Issue 12, finding 3: the chat is no mail relay. An anonymous visitor can type any address into
 * the pre-chat form; the transcript (the visitor's own text) goes there only after the address
 * confirmed it through a mailed link that holds nothing the visitor wrote, and once per chat.
 * Starting chats is limited per address and per visitor.
 */
let t: TestApp;
let url: string;
const track = useChatServer((server) => { t = server.test; url = server.url; });

type Started = { token: string; conversation: ConversationView; messages: ChatMessage[] };


async function visitor(slug: string): Promise<Client> {
  const client = track(connectVisitor(url, { workspace: slug, locale: 'en' }));
  await connected(client);
  return client;
}

const outbox = (workspaceId: string) => t.database.db.selectFrom('mail_outbox').select(['template', 'to_address', 'subject', 'text_body'])
  .where('workspace_id', '=', workspaceId).where('template', 'in', ['chatTranscript', 'chatTranscriptConfirm']).orderBy('created_at').execute();

describe('chat transcripts', () => {
  it('mail only a confirmation link (none of the visitor\'s text), once per chat; the transcript follows the link, once', async () => {
    const setup = await chatWorkspace(t);
    const ann = await addAgent(t, setup.workspace, 'Ann');
    await t.services.routing.configureDepartment(setup.workspace.id, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: [ann.id] }, { type: 'system', id: null });
    await t.services.routing.setAvailability(setup.workspace.id, ann.id, 'online');
    const spammer = await visitor(setup.workspace.slug);
    const spam = 'BUY CHEAP PILLS at http://spam.example';
    const started = await ok<Started>(spammer, 'chat:start', { name: 'Cheap Pills Shop', email: 'victim@elsewhere.example', text: spam, clientMessageId: 'p1' });
    for (let i = 0; i < 3; i++) await ok(spammer, 'chat:transcript', {});

    const asked = await outbox(setup.workspace.id);
    expect(asked.map((m) => [m.template, m.to_address])).toEqual([['chatTranscriptConfirm', 'victim@elsewhere.example']]);
    expect(`${asked[0]!.subject}\n${asked[0]!.text_body}`).not.toMatch(/PILLS|spam\.example|Cheap Pills Shop/);

    // A visitor token is not a transcript link, nor is a forged one.
    for (const token of [started.token, 't1.forged']) {
      const refused = await t.app.http.inject({ url: `/chat/transcript?token=${encodeURIComponent(token)}` });
      expect(refused.statusCode).toBe(404);
    }
    expect((await outbox(setup.workspace.id)).filter((m) => m.template === 'chatTranscript')).toEqual([]);

    const link = new URL(/(http\S+\/chat\/transcript\?token=\S+)/.exec(asked[0]!.text_body)![1]!);
    const opened = await t.app.http.inject({ url: `${link.pathname}${link.search}` });
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain(`#${started.conversation.ticketNumber}`);
    const openedAgain = await t.app.http.inject({ url: `${link.pathname}${link.search}` });
    expect(openedAgain.statusCode).toBe(200);
    const transcripts = (await outbox(setup.workspace.id)).filter((m) => m.template === 'chatTranscript');
    expect(transcripts).toHaveLength(1);
    expect(transcripts[0]!.to_address).toBe('victim@elsewhere.example');
    expect(transcripts[0]!.text_body).toContain(`Cheap Pills Shop: ${spam}`);
  });
});

describe('starting chats', () => {
  it('is limited per visitor address and per client address, per workspace; refused starts open nothing', async () => {
    const setup = await chatWorkspace(t);
    const tickets = async () => (await t.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', setup.workspace.id).executeTakeFirstOrThrow()).n;
    const start = async (email: string) => call<Started>(await visitor(setup.workspace.slug), 'chat:start', { name: 'Vee', email });

    let attempts = 0;
    for (let i = 0; i < START_LIMITS.perVisitor; i++, attempts++) expect(await start('vee@customer.example')).toMatchObject({ ok: true });
    const before = await tickets();
    expect(await start('VEE@customer.example')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } } });
    attempts++;
    expect(await tickets()).toBe(before);

    // Another visitor from the same address may start, until the address has used its starts (refused ones count).
    for (; attempts < START_LIMITS.perIp; attempts++) expect(await start(`other-${attempts}@customer.example`)).toMatchObject({ ok: true });
    expect(await start('one-more@customer.example')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(Number(await tickets())).toBe(START_LIMITS.perIp - 1);

    // The limits are per workspace: another workspace's widget on the same address is unaffected.
    const elsewhere = await chatWorkspace(t);
    expect(await call<Started>(await visitor(elsewhere.workspace.slug), 'chat:start', { name: 'Vee', email: 'vee@customer.example' })).toMatchObject({ ok: true });
  });
});
