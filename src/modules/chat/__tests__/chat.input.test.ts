import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { signatureHeader, verifySignature } from '../../webhooks/webhooks.signature.js';
import { CHAT_LIMITS, type ChatMessage, type ChatOffer, type ConversationView } from '../../../contracts/chat.js';
import {
  addAgent, answeredChat, call, chatWorkspace, onlineAgent, connectAgent, connectVisitor, connected, ok, refused, settle, startChat, useChatServer, waitFor,
} from './chat.harness.js';

/**
 * Bad input on the chat's doors — sockets without valid auth, forged or foreign conversation ids,
 * oversized and flooding messages, script in a message, unsigned webhook contacts — is refused
 * with a clear code and stores nothing; good input through the same doors works.
 */
let t: TestApp;
let url: string;
const track = useChatServer((server) => { t = server.test; url = server.url; });


const activeChat = () => answeredChat(t, url, track);

/** A console session's headers for a write: the session cookie with the CSRF cookie, and the CSRF header. */
async function writeHeaders(cookie: string): Promise<Record<string, string>> {
  const me = await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie } });
  const csrf = me.cookies.find((c) => c.name === 'kefu_csrf');
  return { cookie: csrf ? `${cookie}; kefu_csrf=${csrf.value}` : cookie, 'x-csrf-token': me.json().csrfToken as string };
}

const storedCount = async (workspaceId: string, ticketId: string) => (await t.services.tickets.thread(workspaceId, ticketId, { includeNotes: true })).length;

describe('who may connect', () => {
  it('refuses agent sockets without a valid session, or opened from another site', async () => {
    const setup = await chatWorkspace(t);
    const ann = await addAgent(t, setup.workspace, 'Ann');
    expect(await refused(track(connectAgent(url, undefined)))).toBe('UNAUTHENTICATED');
    expect(await refused(track(connectAgent(url, 'kefu_agent=forged.signature')))).toBe('UNAUTHENTICATED');
    expect(await refused(track(connectAgent(url, ann.cookie, 'https://evil.example')))).toBe('ORIGIN_FORBIDDEN');
    await connected(track(connectAgent(url, ann.cookie, url)));
  });

  it('refuses visitors of an unknown workspace, and forged or foreign tokens', async () => {
    const one = await chatWorkspace(t);
    const two = await chatWorkspace(t);
    expect(await refused(track(connectVisitor(url, { workspace: 'no-such-workspace' })))).toBe('WORKSPACE_UNKNOWN');
    const chat = await startChat(url, one.workspace.slug, 'Vee');
    track(chat.visitor);
    // The same token on the other workspace, a tampered one, and a made-up one.
    expect(await refused(track(connectVisitor(url, { workspace: two.workspace.slug, token: chat.token })))).toBe('TOKEN_INVALID');
    const [payload] = chat.token.split(/\.(?=[^.]+$)/);
    const otherId = randomUUID();
    const forged = `${payload!.replace(chat.conversation.id, otherId)}.${chat.token.split('.').at(-1)}`;
    expect(await refused(track(connectVisitor(url, { workspace: one.workspace.slug, token: forged })))).toBe('TOKEN_INVALID');
    expect(await refused(track(connectVisitor(url, { workspace: one.workspace.slug, token: `v1.${one.workspace.id}.${otherId}.9999999999.AAAA` })))).toBe('TOKEN_INVALID');
    // Without a token a visitor can start a chat but cannot write to or read one.
    const stranger = track(connectVisitor(url, { workspace: one.workspace.slug }));
    await connected(stranger);
    expect(await call(stranger, 'chat:message', { clientMessageId: 'x1', text: 'hi' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await call(stranger, 'chat:sync', { sinceSeq: 0 })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('what may be sent', () => {
  it('refuses a forged or foreign conversation id on the agent side', async () => {
    const { agent, conversation } = await activeChat();
    const elsewhere = await activeChat();
    for (const event of ['agent:accept', 'agent:decline']) {
      expect(await call(agent, event, { conversationId: elsewhere.conversation.id })).toMatchObject({ ok: false, error: { code: 'OFFER_NOT_FOUND' } });
    }
    expect(await call(agent, 'agent:sync', { conversationId: elsewhere.conversation.id, sinceSeq: 0 })).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    expect(await call(agent, 'agent:message', { conversationId: elsewhere.conversation.id, clientMessageId: 'a1', text: 'hijack' })).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    expect(await call(agent, 'agent:message', { conversationId: 'not-a-uuid', clientMessageId: 'a1', text: 'x' })).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    expect(await storedCount(elsewhere.setup.workspace.id, elsewhere.conversation.ticketId)).toBe(1);
    expect(await call(agent, 'agent:message', { conversationId: conversation.id, clientMessageId: 'a1', text: 'fine' })).toMatchObject({ ok: true });
  });

  it('refuses an oversized message and a flood; nothing of them is stored', async () => {
    const { visitor, setup, conversation } = await activeChat();
    const before = await storedCount(setup.workspace.id, conversation.ticketId);
    const tooLong = 'é'.repeat(CHAT_LIMITS.messageBytes / 2 + 1); // 4098 bytes in UTF-8, 2049 characters
    expect(await call(visitor, 'chat:message', { clientMessageId: 'big', text: tooLong })).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    expect(await call(visitor, 'chat:message', { clientMessageId: 'big', text: 'a'.repeat(CHAT_LIMITS.messageBytes * 4 + 1) })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await call(visitor, 'chat:message', { clientMessageId: 'bad id!', text: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await call(visitor, 'chat:message', { clientMessageId: 'ok', text: 'x', extra: true })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await storedCount(setup.workspace.id, conversation.ticketId)).toBe(before);
    // Every attempt that reached the service counts against the window, refused or not (the oversized one did).
    const answers = await Promise.all(Array.from({ length: CHAT_LIMITS.messagesPerWindow + 3 }, (_, i) => call(visitor, 'chat:message', { clientMessageId: `m${i}`, text: `message ${i}` })));
    expect(answers.filter((a) => a.ok)).toHaveLength(CHAT_LIMITS.messagesPerWindow - 1);
    const limited = answers.filter((a) => !a.ok);
    expect(limited).toHaveLength(4);
    expect(limited[0]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } } });
    expect(await storedCount(setup.workspace.id, conversation.ticketId)).toBe(before + CHAT_LIMITS.messagesPerWindow - 1);
    // A frame far beyond any message drops the connection before anything is read.
    const dropped = new Promise<string>((resolve) => visitor.socket.once('disconnect', resolve));
    visitor.socket.emit('chat:message', { clientMessageId: 'huge', text: 'x'.repeat(200_000) });
    expect(await dropped).toBe('transport close');
    expect(await storedCount(setup.workspace.id, conversation.ticketId)).toBe(before + CHAT_LIMITS.messagesPerWindow - 1);
  });

  it('stores script in a message as plain text, never as HTML', async () => {
    const { visitor, agent, setup, conversation } = await activeChat();
    const text = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';
    const sent = await ok<{ message: ChatMessage }>(visitor, 'chat:message', { clientMessageId: 'xss', text });
    expect(sent.message.text).toBe(text);
    const delivered = await waitFor<ChatMessage>(agent, 'chat:message', (m) => m.clientMessageId === 'xss');
    expect(delivered.text).toBe(text);
    const stored = (await t.services.tickets.thread(setup.workspace.id, conversation.ticketId, { includeNotes: false })).find((m) => m.id === sent.message.messageId)!;
    expect(stored).toMatchObject({ body_text: text, body_html: null });
  });

  it('validates the pre-chat form and refuses a second open chat on one token', async () => {
    const setup = await chatWorkspace(t);
    const visitor = track(connectVisitor(url, { workspace: setup.workspace.slug }));
    await connected(visitor);
    expect(await call(visitor, 'chat:start', { name: 'Vee', email: 'not-an-address' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await call(visitor, 'chat:start', { name: '', email: 'v@example.com' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await call(visitor, 'chat:start', { name: 'Vee', email: 'v@example.com', departmentId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'DEPARTMENT_UNKNOWN' } });
    expect((await t.services.chat.log.liveConversations(setup.workspace.id, ['queued', 'offered', 'active']))).toHaveLength(0);
    await t.services.routing.configureDepartment(setup.workspace.id, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: [(await addAgent(t, setup.workspace, 'Ann')).id] }, { type: 'system', id: null });
    await t.services.routing.setAvailability(setup.workspace.id, (await t.services.routing.department(setup.workspace.id, setup.service.id)).memberIds[0]!, 'online');
    await ok(visitor, 'chat:start', { name: 'Vee', email: 'v@example.com', text: 'help' });
    expect(await call(visitor, 'chat:start', { name: 'Vee', email: 'v@example.com' })).toMatchObject({ ok: false, error: { code: 'CONVERSATION_ACTIVE' } });
  });
});

describe('the widget\'s configuration', () => {
  it('is public by slug: departments, whether anyone can answer, the limits; an unknown slug is a 404', async () => {
    const setup = await chatWorkspace(t);
    const before = await t.app.http.inject({ url: `/api/v1/chat/widget/${setup.workspace.slug}` });
    expect(before.statusCode).toBe(200);
    expect(before.headers['access-control-allow-origin']).toBe('*');
    expect(before.json()).toMatchObject({ workspace: { slug: setup.workspace.slug }, available: false, limits: { messageBytes: CHAT_LIMITS.messageBytes } });
    expect(before.json().departments.map((d: { id: string }) => d.id)).toContain(setup.service.id);
    const ann = await addAgent(t, setup.workspace, 'Ann');
    await t.services.routing.setAvailability(setup.workspace.id, ann.id, 'online');
    expect((await t.app.http.inject({ url: `/api/v1/chat/widget/${setup.workspace.slug}` })).json().available).toBe(true);
    expect((await t.app.http.inject({ url: '/api/v1/chat/widget/no-such-workspace' })).json().error.code).toBe('WORKSPACE_UNKNOWN');
  });

  it('says why nobody can answer: closed for the business hours (with the next opening, also on the agent\'s desk) or nobody online', async () => {
    const setup = await chatWorkspace(t, { respectBusinessHours: true });
    const ann = await addAgent(t, setup.workspace, 'Ann');
    await t.services.routing.setAvailability(setup.workspace.id, ann.id, 'online');
    const { calendar } = await t.services.sla.calendarSettings(setup.workspace.id);
    const widget = async () => (await t.app.http.inject({ url: `/api/v1/chat/widget/${setup.workspace.slug}` })).json();
    try {
      t.clock.set(new Date('2026-11-22T12:00:00.000Z')); // a Sunday everywhere; the default calendar is Mon–Fri 9–18
      const mondayNine = DateTime.fromISO('2026-11-23T09:00', { zone: calendar.timeZone }).toUTC().toISO();
      expect(await widget()).toMatchObject({ available: false, closedReason: 'hours', opensAt: mondayNine });
      expect((await t.services.chat.queue.agentState(setup.workspace.id, ann.id)).hours).toEqual({ open: false, opensAt: mondayNine });
      t.clock.set(new Date(DateTime.fromISO('2026-11-23T10:00', { zone: calendar.timeZone }).toMillis()));
      expect(await widget()).toMatchObject({ available: true, closedReason: null, opensAt: null });
      expect((await t.services.chat.queue.agentState(setup.workspace.id, ann.id)).hours).toEqual({ open: true, opensAt: null });
      await t.services.routing.setAvailability(setup.workspace.id, ann.id, 'away');
      expect(await widget()).toMatchObject({ available: false, closedReason: 'nobody', opensAt: null });
    } finally {
      t.clock.reset();
    }
  });
});

describe('bot-first deflection', () => {
  it('pushes help-centre answers for the visitor\'s question while they wait, and answers chat:suggest', async () => {
    const setup = await chatWorkspace(t);
    await t.services.search.index(setup.workspace.id, {
      kind: 'article', id: 'paper-jam', locale: 'en', title: 'Clearing a paper jam', body: 'Open the rear cover and pull the jammed paper out slowly.',
      categoryId: null, product: null, tags: [], url: '/kb/paper-jam', publishedAt: new Date(),
    });
    const ann = await addAgent(t, setup.workspace, 'Ann');
    await t.services.routing.configureDepartment(setup.workspace.id, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: [ann.id] }, { type: 'system', id: null });
    await t.services.routing.setAvailability(setup.workspace.id, ann.id, 'online');
    const chat = await startChat(url, setup.workspace.slug, 'Vee', { text: 'paper jam in my printer' });
    track(chat.visitor);
    const pushed = await waitFor<{ answers: { title: string; url: string; snippet: string }[] }>(chat.visitor, 'chat:suggestions');
    expect(pushed.answers[0]).toMatchObject({ title: 'Clearing a paper jam', url: '/kb/paper-jam' });
    expect(pushed.answers[0]!.snippet).not.toContain('<mark>');
    const asked = await ok<{ answers: { title: string }[] }>(chat.visitor, 'chat:suggest', { text: 'jammed paper' });
    expect(asked.answers.map((a) => a.title)).toContain('Clearing a paper jam');
    expect(await call(chat.visitor, 'chat:suggest', { text: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('files', () => {
  it('takes a visitor\'s file with their token only, and serves it back only to them', async () => {
    const { setup, conversation, token, agent } = await activeChat();
    const form = (name: string, body: string) => {
      const boundary = `----kefu${randomUUID()}`;
      const payload = `--${boundary}\r\nContent-Disposition: form-data; name="clientMessageId"\r\n\r\nfile-1\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${body}\r\n--${boundary}--\r\n`;
      return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    const path = `/api/v1/chat/conversations/${conversation.id}/files`;
    const anonymous = await t.app.http.inject({ method: 'POST', url: path, ...form('log.txt', 'printer log') });
    expect(anonymous.json().error.code).toBe('TOKEN_INVALID');
    const other = await activeChat();
    const foreign = await t.app.http.inject({ method: 'POST', url: path, ...form('log.txt', 'x'), headers: { ...form('log.txt', 'x').headers, authorization: `Bearer ${other.token}` } });
    expect(foreign.statusCode).toBe(404);
    const upload = form('log.txt', 'printer log');
    const stored = await t.app.http.inject({ method: 'POST', url: path, payload: upload.payload, headers: { ...upload.headers, authorization: `Bearer ${token}` } });
    expect(stored.statusCode).toBe(201);
    const message = stored.json().message as ChatMessage;
    expect(message.attachments).toMatchObject([{ filename: 'log.txt', contentType: 'text/plain', sizeBytes: 11 }]);
    await waitFor<ChatMessage>(agent, 'chat:message', (m) => m.attachments.length === 1);
    const file = await t.app.http.inject({ url: `${message.attachments[0]!.url}?token=${encodeURIComponent(token)}` });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('printer log');
    expect((await t.app.http.inject({ url: `${message.attachments[0]!.url}?token=${encodeURIComponent(other.token)}` })).statusCode).toBe(404);
    const afterUpload = await storedCount(setup.workspace.id, conversation.ticketId);
    const script = form('evil.html', '<script>x</script>');
    const refusedType = await t.app.http.inject({ method: 'POST', url: path, payload: script.payload, headers: { ...script.headers, authorization: `Bearer ${token}` } });
    expect(refusedType.json().error.code).toBe('ATTACHMENT_TYPE_FORBIDDEN');
    expect(await storedCount(setup.workspace.id, conversation.ticketId)).toBe(afterUpload);
  });
});

describe('agents\' files', () => {
  const upload = (conversationId: string, headers: Record<string, string>, name: string, body: string | Buffer) => {
    const boundary = `----kefu${randomUUID()}`;
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      Buffer.isBuffer(body) ? body : Buffer.from(body), Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return t.app.http.inject({ method: 'POST', url: `/api/v1/chat/conversations/${conversationId}/agent-files`, payload, headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` } });
  };

  it('sends the holding agent\'s file to the visitor, whose token alone (besides agents) fetches it', async () => {
    const { ann, conversation, token, visitor } = await activeChat();
    const sent = await upload(conversation.id, await writeHeaders(ann.cookie), 'manual.pdf', '%PDF-1.4 printer manual');
    expect(sent.statusCode, sent.body).toBe(201);
    const message = sent.json().message as ChatMessage;
    expect(message).toMatchObject({ author: { type: 'agent', id: ann.id }, attachments: [{ filename: 'manual.pdf', sizeBytes: 23 }] });
    await waitFor<ChatMessage>(visitor, 'chat:message', (m) => m.seq === message.seq && m.attachments.length === 1);
    const asVisitor = await t.app.http.inject({ url: `${message.attachments[0]!.url}?token=${encodeURIComponent(token)}` });
    expect(asVisitor.statusCode).toBe(200);
    expect(asVisitor.body).toBe('%PDF-1.4 printer manual');
    const other = await activeChat();
    expect((await t.app.http.inject({ url: `${message.attachments[0]!.url}?token=${encodeURIComponent(other.token)}` })).statusCode).toBe(404);
    expect((await t.app.http.inject({ url: message.attachments[0]!.url })).statusCode).toBe(401);
    expect((await t.app.http.inject({ url: `/api/v1/attachments/${message.attachments[0]!.id}`, headers: { cookie: ann.cookie } })).statusCode).toBe(200);
  });

  it('refuses too big and forbidden files, chats the agent does not hold (another workspace\'s included), and ended chats; nothing is stored', async () => {
    const { setup, ann, agent, conversation } = await activeChat();
    const annHeaders = await writeHeaders(ann.cookie);
    const before = await storedCount(setup.workspace.id, conversation.ticketId);
    const big = await upload(conversation.id, annHeaders, 'big.pdf', Buffer.alloc(t.config.attachmentMaxBytes + 10, 1));
    expect([big.statusCode, big.json().error.code]).toEqual([413, 'ATTACHMENT_TOO_LARGE']);
    const script = await upload(conversation.id, annHeaders, 'evil.html', '<script>x</script>');
    expect([script.statusCode, script.json().error.code]).toEqual([415, 'ATTACHMENT_TYPE_FORBIDDEN']);
    const notMultipart = await t.app.http.inject({ method: 'POST', url: `/api/v1/chat/conversations/${conversation.id}/agent-files`, payload: { file: 'x' }, headers: annHeaders });
    expect(notMultipart.statusCode).toBe(415);
    const withoutCsrf = await upload(conversation.id, { cookie: ann.cookie }, 'note.txt', 'hello');
    expect(withoutCsrf.json().error.code).toBe('CSRF_INVALID');

    const foreign = await activeChat();
    const intruder = await upload(foreign.conversation.id, annHeaders, 'note.txt', 'hello');
    expect([intruder.statusCode, intruder.json().error.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);
    const bob = await addAgent(t, setup.workspace, 'Bob');
    const colleague = await upload(conversation.id, await writeHeaders(bob.cookie), 'note.txt', 'hello');
    expect([colleague.statusCode, colleague.json().error.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);

    await ok(agent, 'agent:end', { conversationId: conversation.id });
    const ended = await upload(conversation.id, annHeaders, 'note.txt', 'hello');
    expect([ended.statusCode, ended.json().error.code]).toEqual([409, 'CONVERSATION_ENDED']);
    expect(await storedCount(setup.workspace.id, conversation.ticketId)).toBe(before);
  });
});

describe('after the chat', () => {
  it('answers in the chat while it is live, and by e-mail once it has ended', async () => {
    const { agent, ann, setup, conversation } = await activeChat();
    const replies = () => t.database.db.selectFrom('mail_outbox').select(['to_address', 'text_body']).where('workspace_id', '=', setup.workspace.id).where('template', '=', 'agentReply').execute();
    await ok(agent, 'agent:message', { conversationId: conversation.id, clientMessageId: 'live', text: 'Let me check that for you' });
    await settle();
    expect(await replies()).toEqual([]);

    await ok(agent, 'agent:end', { conversationId: conversation.id });
    await t.services.tickets.addMessage(setup.workspace.id, conversation.ticketId, { kind: 'reply', body: 'Your order ships tomorrow.' }, { type: 'agent', id: ann.id });
    await expect.poll(async () => (await replies()).length).toBe(1);
    const mailed = await replies();
    expect(mailed[0]!.to_address).toBe('vee@customer.example');
    expect(mailed[0]!.text_body).toContain('Your order ships tomorrow.');
  });
});

describe('webhook channels', () => {
  let receiver: Server;
  const received: { body: string; signature: string | undefined }[] = [];
  beforeAll(async () => {
    receiver = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        received.push({ body, signature: request.headers['kefu-signature'] as string | undefined });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('takes signed contacts into the queue, refuses unsigned ones, and signs agents\' replies back', async () => {
    const { setup, agent } = await onlineAgent(t, url, track);
    const admin = `kefu_agent=${encodeURIComponent(t.app.http.signCookie((await t.services.accounts.signInAgent(setup.workspace.id, setup.workspace.admin.email, setup.workspace.admin.password)).sessionToken))}`;
    const csrf = await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie: admin } });
    const csrfToken = csrf.cookies.find((c) => c.name === 'kefu_csrf')!;
    const created = await t.app.http.inject({
      method: 'POST', url: '/api/v1/channels/webhook', headers: { cookie: `${admin}; kefu_csrf=${csrfToken.value}`, 'x-csrf-token': t.app.http.unsignCookie(csrfToken.value).value! },
      payload: { name: 'SMS gateway', kind: 'sms', outboundUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/replies` },
    });
    expect(created.statusCode).toBe(201);
    const channel = created.json() as { id: string; secret: string; contactsUrl: string };
    const post = (body: object, secret = channel.secret) => {
      const raw = JSON.stringify(body);
      return t.app.http.inject({ method: 'POST', url: channel.contactsUrl, payload: raw, headers: { 'content-type': 'application/json', 'kefu-signature': signatureHeader([secret], Math.floor(t.clock.now().getTime() / 1000), raw) } });
    };
    const contact = { from: '+8613800000000', name: 'Wang', text: 'My printer is offline', externalId: 'sms-1' };
    expect((await post(contact, 'whsec_wrong')).json().error.code).toBe('SIGNATURE_INVALID');
    expect((await t.app.http.inject({ method: 'POST', url: channel.contactsUrl, payload: JSON.stringify(contact), headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
    expect((await post({ ...contact, text: '' })).json().error.code).toBe('VALIDATION_FAILED');
    expect(await t.services.chat.log.liveConversations(setup.workspace.id, ['queued', 'offered', 'active'])).toHaveLength(0);

    const accepted = await post(contact);
    expect(accepted.statusCode).toBe(202);
    const first = accepted.json() as { conversationId: string; ticketId: string; seq: number };
    // The gateway retries: the same externalId is the same message.
    expect((await post(contact)).json()).toMatchObject({ conversationId: first.conversationId, seq: first.seq });
    const offer = await waitFor<ChatOffer>(agent, 'chat:offer', (o) => o.conversation.id === first.conversationId);
    expect(offer.conversation).toMatchObject({ source: 'webhook', visitor: { name: 'Wang' } });
    expect((await t.services.tickets.ticket(setup.workspace.id, first.ticketId)).channel).toBe('sms');
    await ok(agent, 'agent:accept', { conversationId: first.conversationId });
    const followUp = (await post({ ...contact, text: 'Still offline', externalId: 'sms-2' })).json();
    expect(followUp).toMatchObject({ conversationId: first.conversationId, status: 'active' });
    await ok(agent, 'agent:message', { conversationId: first.conversationId, clientMessageId: 'r1', text: 'Please restart it' });
    await t.jobs.drain();
    await settle();
    expect(received).toHaveLength(1);
    const reply = JSON.parse(received[0]!.body) as { to: string; text: string; conversationId: string };
    expect(reply).toMatchObject({ to: '+8613800000000', text: 'Please restart it', conversationId: first.conversationId });
    expect(verifySignature({ secret: channel.secret, header: received[0]!.signature, body: received[0]!.body, nowSeconds: Math.floor(t.clock.now().getTime() / 1000) }).ok).toBe(true);
    const state = await t.services.chat.log.conversation(setup.workspace.id, first.conversationId);
    expect(state.messages.filter((m) => m.author.type === 'visitor').map((m) => m.text)).toEqual(['My printer is offline', 'Still offline']);
    expect((state.conversation as ConversationView).source).toBe('webhook');
  });
});
