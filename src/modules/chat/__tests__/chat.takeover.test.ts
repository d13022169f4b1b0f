import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { signatureHeader } from '../../webhooks/webhooks.signature.js';
import type { ChatMessage, ConversationView } from '../../../contracts/chat.js';
import { addAgent, chatWorkspace, connectVisitor, connected, ok, settle, useChatServer, type Client } from './chat.harness.js';

/**
 * Issue 12, finding 2: client ids are idempotency keys of their requester only. A widget that
 * sends the id another requester used (an SMS contact's externalId, another visitor's start) gets
 * a conversation of its own, never the other one, its history, its token or its later replies.
 */
let t: TestApp;
let url: string;
const track = useChatServer((server) => { t = server.test; url = server.url; });

type Started = { token: string; conversation: ConversationView; messages: ChatMessage[] };


/** A workspace with one online agent, so chats wait in the queue (not offline). */
async function staffedWorkspace() {
  const setup = await chatWorkspace(t);
  const ann = await addAgent(t, setup.workspace, 'Ann');
  await t.services.routing.configureDepartment(setup.workspace.id, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: [ann.id] }, { type: 'system', id: null });
  await t.services.routing.setAvailability(setup.workspace.id, ann.id, 'online');
  return { ...setup, ann };
}

async function visitorStart(slug: string, form: object): Promise<{ visitor: Client; started: Started }> {
  const visitor = track(connectVisitor(url, { workspace: slug, locale: 'en' }));
  await connected(visitor);
  return { visitor, started: await ok<Started>(visitor, 'chat:start', form) };
}

describe('client ids of chat:start and of webhook channels', () => {
  it('a widget sending an SMS contact\'s externalId gets a conversation of its own, not the contact\'s', async () => {
    const setup = await staffedWorkspace();
    const channel = await t.services.chatChannels.create(setup.workspace.id, { name: 'SMS', kind: 'sms', outboundUrl: null, departmentId: null });
    const raw = JSON.stringify({ from: '+8613800000001', name: 'Wang', text: 'My account number is 4711', externalId: 'sms-1' });
    const posted = await t.app.http.inject({
      method: 'POST', url: `/api/v1/channels/webhook/${channel.id}/contacts`, payload: raw,
      headers: { 'content-type': 'application/json', 'kefu-signature': signatureHeader([channel.secret], Math.floor(t.clock.now().getTime() / 1000), raw) },
    });
    expect(posted.statusCode).toBe(202);
    const sms = posted.json() as { conversationId: string; ticketId: string };

    const { visitor, started } = await visitorStart(setup.workspace.slug, { name: 'Mallory', email: 'm@attacker.example', text: 'hi', clientMessageId: 'sms-1' });
    expect(started.conversation.id).not.toBe(sms.conversationId);
    expect(started.conversation.ticketId).not.toBe(sms.ticketId);
    expect(started.messages.map((m) => m.text)).toEqual(['hi']);
    // The token names the visitor's own conversation only: it opens nothing of the SMS contact.
    const file = await t.app.http.inject({ method: 'GET', url: `/api/v1/chat/conversations/${sms.conversationId}/files/${sms.ticketId}?token=${encodeURIComponent(started.token)}` });
    expect(file.statusCode).toBe(404);
    // The agent's later reply to the SMS contact (offered first: it waited longest) never reaches this widget.
    await t.services.chat.queue.accept(setup.workspace.id, setup.ann.id, sms.conversationId);
    await t.services.chat.conversations.agentMessage(setup.workspace.id, setup.ann.id, { conversationId: sms.conversationId, clientMessageId: 'r1', text: 'Your code is 1234' });
    await settle();
    const seenTexts = (visitor.seen.get('chat:message') ?? []).map((m) => (m as ChatMessage).text);
    expect(seenTexts).not.toContain('Your code is 1234');
    expect(seenTexts).not.toContain('My account number is 4711');
    // And the contact's ticket is still the contact's alone.
    expect((await t.services.tickets.thread(setup.workspace.id, sms.ticketId, { includeNotes: true })).map((m) => m.body_text)).toEqual(['My account number is 4711', 'Your code is 1234']);
  });

  it('a second visitor sending another visitor\'s start id gets a conversation (and token) of its own', async () => {
    const setup = await staffedWorkspace();
    const victim = await visitorStart(setup.workspace.slug, { name: 'Vee', email: 'vee@customer.example', text: 'My password is hunter2', clientMessageId: 'v0' });
    const mallory = await visitorStart(setup.workspace.slug, { name: 'Mallory', email: 'm@attacker.example', text: 'hello', clientMessageId: 'v0' });
    expect(mallory.started.conversation.id).not.toBe(victim.started.conversation.id);
    expect(mallory.started.messages.map((m) => m.text)).toEqual(['hello']);
    // Reconnecting with the token Mallory got resumes Mallory's chat, never Vee's.
    const resumed = track(connectVisitor(url, { workspace: setup.workspace.slug, token: mallory.started.token }));
    await connected(resumed);
    const synced = await ok<{ conversation: ConversationView; messages: ChatMessage[] }>(resumed, 'chat:sync', { sinceSeq: 0 });
    expect(synced.conversation.id).toBe(mallory.started.conversation.id);
    expect(synced.messages.map((m) => m.text)).not.toContain('My password is hunter2');
    // Vee's conversation is untouched: one ticket message, Vee's own.
    expect((await t.services.tickets.thread(setup.workspace.id, victim.started.conversation.ticketId, { includeNotes: true })).map((m) => m.body_text)).toEqual(['My password is hunter2']);
  });

  it('a webhook contact whose externalId a widget used first gets the channel\'s own conversation', async () => {
    const setup = await staffedWorkspace();
    const widget = await visitorStart(setup.workspace.slug, { name: 'Vee', email: 'vee@customer.example', text: 'from the website', clientMessageId: 'sms-9' });
    const channel = await t.services.chatChannels.create(setup.workspace.id, { name: 'SMS', kind: 'sms', outboundUrl: null, departmentId: null });
    const received = await t.services.chatChannels.receive(channel, { from: '+8613800000002', text: 'from a phone', externalId: 'sms-9' });
    expect(received.conversationId).not.toBe(widget.started.conversation.id);
    const { conversation, messages } = await t.services.chat.log.conversation(setup.workspace.id, received.conversationId);
    expect(conversation.source).toBe('webhook');
    expect(messages.map((m) => m.text)).toEqual(['from a phone']);
  });

  it('a channel\'s gateway resending an externalId finds its stored contact, even after the chat ended', async () => {
    const setup = await staffedWorkspace();
    const channel = await t.services.chatChannels.create(setup.workspace.id, { name: 'SMS', kind: 'sms', outboundUrl: null, departmentId: null });
    const contact = { from: '+8613800000003', text: 'first', externalId: 'sms-77' };
    const first = await t.services.chatChannels.receive(channel, contact);
    await t.services.chat.conversations.visitorEnd(setup.workspace.id, first.conversationId);
    const again = await t.services.chatChannels.receive(channel, contact);
    expect(again).toMatchObject({ conversationId: first.conversationId, ticketId: first.ticketId });
    expect((await t.services.tickets.thread(setup.workspace.id, first.ticketId, { includeNotes: true })).map((m) => m.body_text)).toEqual(['first']);
  });
});
