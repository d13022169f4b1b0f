import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import type { AgentChatState, ChatMessage, ChatOffer, ConversationView, QueueUpdate, ScreenPop } from '../../../contracts/chat.js';
import {
  addAgent, chatWorkspace, connectAgent, connected, ok, settle, startChat, waitFor, last, call, useChatServer, type Client, type TestAgent,
} from './chat.harness.js';

/**
 * The ACD through real sockets on a real server: strategies, queue positions, re-offers after a
 * timeout, transfers, offline tickets, after-contact work. Time is a TestClock and deadlines are
 * acted on by `chat.deadlines.sweep()` when the test says, so every figure is exact.
 */
let t: TestApp;
let url: string;
const track = useChatServer((server) => { t = server.test; url = server.url; });
const T0 = new Date('2026-11-23T02:00:00.000Z');


const at = (seconds: number) => t.clock.set(new Date(T0.getTime() + seconds * 1000));

async function online(agent: TestAgent): Promise<Client> {
  const client = connectAgent(url, agent.cookie);
  track(client);
  await connected(client);
  await ok(client, 'agent:presence', { presence: 'online' });
  return client;
}

async function visitor(slug: string, name: string, departmentId?: string) {
  const started = await startChat(url, slug, name, departmentId ? { departmentId } : {});
  track(started.visitor);
  return started;
}

async function team(setup: Awaited<ReturnType<typeof chatWorkspace>>, names: string[], options: { capacity?: number; strategy?: 'round_robin' | 'least_loaded' | 'longest_idle' } = {}) {
  const agents: TestAgent[] = [];
  for (const name of names) agents.push(await addAgent(t, setup.workspace, name));
  const admin = { type: 'system' as const, id: null };
  await t.services.routing.configureDepartment(setup.workspace.id, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: agents.map((a) => a.id) }, admin);
  await t.services.routing.configureChatQueue(setup.workspace.id, setup.service.id, { chatStrategy: options.strategy ?? 'round_robin', overflowDepartmentId: null, overflowAfterSeconds: null }, admin);
  for (const agent of agents) await t.services.routing.updateAgent(setup.workspace.id, agent.id, { chatCapacity: options.capacity ?? 3 });
  return agents;
}

const offersTo = (client: Client) => (client.seen.get('chat:offer') ?? []) as ChatOffer[];

describe('offers follow the team\'s strategy', () => {
  it('round-robin takes turns; each offer carries the customer\'s record (screen-pop)', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann, bob] = await team(setup, ['Ann', 'Bob'], { capacity: 2 });
    const a = await online(ann!);
    const b = await online(bob!);
    const chats = [];
    for (const name of ['V1', 'V2', 'V3', 'V4']) {
      const chat = await visitor(setup.workspace.slug, name);
      chats.push(chat);
    }
    await settle();
    const toAnn = offersTo(a).map((o) => o.conversation.visitor.name);
    const toBob = offersTo(b).map((o) => o.conversation.visitor.name);
    expect(toAnn.length).toBe(2);
    expect(toBob.length).toBe(2);
    // Alternating: the first and third go to one agent, the second and fourth to the other.
    expect([toAnn, toBob].map((names) => names.join())).toEqual(expect.arrayContaining(['V1,V3', 'V2,V4']));
    const offer = offersTo(a)[0]!;
    expect(offer.screenPop.customer.email).toBe(`${offer.conversation.visitor.name.toLowerCase()}@customer.example`);
    expect(offer.timeoutSeconds).toBe(20);
  });

  it('least-loaded gives the next chat to the agent holding fewest', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann, bob] = await team(setup, ['Ann', 'Bob'], { strategy: 'least_loaded' });
    const a = await online(ann!);
    const first = await visitor(setup.workspace.slug, 'V1');
    const offer = await waitFor<ChatOffer>(a, 'chat:offer');
    await ok(a, 'agent:accept', { conversationId: offer.conversation.id });
    const b = await online(bob!);
    await visitor(setup.workspace.slug, 'V2');
    await visitor(setup.workspace.slug, 'V3');
    await settle();
    // Ann holds V1: Bob (0) gets V2, then both hold one and the tie goes to the one picked longest ago (Ann).
    expect(offersTo(b).map((o) => o.conversation.visitor.name)).toEqual(['V2']);
    expect(offersTo(a).map((o) => o.conversation.visitor.name)).toEqual(['V1', 'V3']);
    expect(first.conversation.status).toBe('offered');
  });

  it('longest-idle prefers whoever finished their last chat (and ACW) earliest', async () => {
    at(0);
    const setup = await chatWorkspace(t, { acwSeconds: 0 });
    const [ann, bob] = await team(setup, ['Ann', 'Bob'], { strategy: 'longest_idle', capacity: 1 });
    const a = await online(ann!);
    const b = await online(bob!);
    await visitor(setup.workspace.slug, 'V1');
    await visitor(setup.workspace.slug, 'V2');
    await settle();
    const annChat = offersTo(a)[0]!.conversation.id;
    const bobChat = offersTo(b)[0]!.conversation.id;
    await ok(a, 'agent:accept', { conversationId: annChat });
    await ok(b, 'agent:accept', { conversationId: bobChat });
    // Whoever was offered first (round-robin would pick them again) finishes last.
    const [firstAgent, firstChat, secondAgent, secondChat] = offersTo(a)[0]!.conversation.visitor.name === 'V1' ? [a, annChat, b, bobChat] : [b, bobChat, a, annChat];
    at(10);
    await ok(secondAgent, 'agent:end', { conversationId: secondChat });
    at(20);
    await ok(firstAgent, 'agent:end', { conversationId: firstChat });
    at(30);
    await visitor(setup.workspace.slug, 'V3');
    await settle();
    expect(offersTo(secondAgent).map((o) => o.conversation.visitor.name).at(-1)).toBe('V3');
    expect(offersTo(firstAgent).length).toBe(1);
  });
});

describe('the queue', () => {
  it('tells every waiting visitor their position, and updates it as the queue moves', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann] = await team(setup, ['Ann'], { capacity: 1 });
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    const v2 = await visitor(setup.workspace.slug, 'V2');
    const v3 = await visitor(setup.workspace.slug, 'V3');
    await waitFor<QueueUpdate>(v3.visitor, 'chat:queue', (u) => u.position === 3);
    await waitFor<QueueUpdate>(v2.visitor, 'chat:queue', (u) => u.position === 2);
    const offer = await waitFor<ChatOffer>(a, 'chat:offer');
    expect(offer.conversation.id).toBe(v1.conversation.id);
    // Ann answers V1: V2 moves to 1st, V3 to 2nd.
    await ok(a, 'agent:accept', { conversationId: v1.conversation.id });
    await waitFor<QueueUpdate>(v2.visitor, 'chat:queue', (u) => u.position === 1);
    await waitFor<QueueUpdate>(v3.visitor, 'chat:queue', (u) => u.position === 2);
    // V2 gives up: V3 is next.
    await ok(v2.visitor, 'chat:end', {});
    await waitFor<QueueUpdate>(v3.visitor, 'chat:queue', (u) => u.position === 1);
    expect(last<QueueUpdate>(v3.visitor, 'chat:queue')!.position).toBe(1);
  });

  it('re-offers an unanswered chat to the next agent after the timeout, never back to the one who let it ring', async () => {
    at(0);
    const setup = await chatWorkspace(t, { offerTimeoutSeconds: 20 });
    const [ann, bob] = await team(setup, ['Ann', 'Bob']);
    const a = await online(ann!);
    const b = await online(bob!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await settle();
    const [first, second] = offersTo(a).length ? [a, b] : [b, a];
    expect(offersTo(first).map((o) => o.conversation.id)).toEqual([v1.conversation.id]);
    at(19);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    await settle(50);
    expect(offersTo(second)).toEqual([]);
    at(20);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    await waitFor(first, 'chat:offer_withdrawn', (w: { reason: string }) => w.reason === 'timeout');
    const reoffer = await waitFor<ChatOffer>(second, 'chat:offer');
    expect(reoffer.conversation.id).toBe(v1.conversation.id);
    // Too late for the first agent.
    const late = await call(first, 'agent:accept', { conversationId: v1.conversation.id });
    expect(late).toMatchObject({ ok: false, error: { code: 'OFFER_NOT_FOUND' } });
    // The second lets it ring out too: nobody is left, it waits (first in line) instead of ringing at the first again.
    at(40);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    await waitFor(second, 'chat:offer_withdrawn');
    await settle();
    expect(offersTo(first).length).toBe(1);
    const { conversation } = await t.services.chat.log.conversation(setup.workspace.id, v1.conversation.id);
    expect(conversation.status).toBe('queued');
  });

  it('turns waiting chats into tickets when the last agent goes offline; the visitor is told', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann] = await team(setup, ['Ann'], { capacity: 1 });
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    const v2 = await visitor(setup.workspace.slug, 'V2');
    await ok(a, 'agent:presence', { presence: 'offline' });
    const state = await waitFor<ConversationView>(v2.visitor, 'chat:state', (c) => c.status === 'offline');
    const notice = await waitFor<ChatMessage>(v2.visitor, 'chat:message', (m) => m.author.type === 'system');
    expect(notice.text).toContain(`#${state.ticketNumber}`);
    const ticket = await t.services.tickets.ticket(setup.workspace.id, state.ticketId);
    expect(ticket.channel).toBe('chat');
    expect(ticket.assignee_id).toBeNull();
    // The answered chat stays with Ann until it ends.
    expect((await t.services.chat.log.conversation(setup.workspace.id, v1.conversation.id)).conversation.status).toBe('active');
    // Nobody online: a new chat becomes a ticket at once.
    const v3 = await visitor(setup.workspace.slug, 'V3');
    expect(v3.conversation.status).toBe('offline');
  });

  it('outside business hours the chat becomes a ticket (the workspace calendar, Mon–Fri 9–18)', async () => {
    const setup = await chatWorkspace(t, { respectBusinessHours: true });
    const [ann] = await team(setup, ['Ann']);
    await online(ann!);
    t.clock.set(new Date('2026-11-22T12:00:00.000Z')); // a Sunday everywhere
    const sunday = await visitor(setup.workspace.slug, 'V1');
    expect(sunday.conversation.status).toBe('offline');
  });

  it('overflows a chat waiting past the team\'s limit to the overflow team', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann] = await team(setup, ['Ann'], { capacity: 1 });
    const dan = await addAgent(t, setup.workspace, 'Dan');
    const system = { type: 'system' as const, id: null };
    await t.services.routing.configureDepartment(setup.workspace.id, setup.sales.id, { strategy: 'manual', autoAssign: false, memberIds: [dan.id] }, system);
    await t.services.routing.configureChatQueue(setup.workspace.id, setup.service.id, { chatStrategy: 'round_robin', overflowDepartmentId: setup.sales.id, overflowAfterSeconds: 60 }, system);
    const a = await online(ann!);
    const d = await online(dan);
    await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    const v2 = await visitor(setup.workspace.slug, 'V2');
    at(59);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    await settle(50);
    expect(offersTo(d)).toEqual([]);
    at(60);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    const offer = await waitFor<ChatOffer>(d, 'chat:offer');
    expect(offer.conversation).toMatchObject({ id: v2.conversation.id, departmentId: setup.sales.id });
  });
});

describe('agents leaving', () => {
  it('moves an offer ringing at an agent who goes on a break to the next agent at once', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann, bob] = await team(setup, ['Ann', 'Bob']);
    const a = await online(ann!);
    const b = await online(bob!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await settle();
    const [first, second] = offersTo(a).length ? [a, b] : [b, a];
    await ok(first, 'agent:presence', { presence: 'on_break' });
    await waitFor(first, 'chat:offer_withdrawn', (w: { conversationId: string }) => w.conversationId === v1.conversation.id);
    expect((await waitFor<ChatOffer>(second, 'chat:offer')).conversation.id).toBe(v1.conversation.id);
  });
});

describe('declining', () => {
  it('tells the decliner where the chat went: to a colleague, or back to wait in the queue when nobody else is free', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann, bob] = await team(setup, ['Ann', 'Bob'], { capacity: 1 });
    const a = await online(ann!);
    const b = await online(bob!);
    // Bob is free: Ann's decline hands the chat to him.
    await ok(b, 'agent:presence', { presence: 'away' });
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await waitFor<ChatOffer>(a, 'chat:offer', (o) => o.conversation.id === v1.conversation.id);
    await ok(b, 'agent:presence', { presence: 'online' });
    expect(await ok(a, 'agent:decline', { conversationId: v1.conversation.id })).toMatchObject({ next: 'colleague' });
    await ok(b, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(b, 'chat:offer', (o) => o.conversation.id === v1.conversation.id)).conversation.id });
    // Bob is full now: the next chat declined by Ann waits in the queue.
    const v2 = await visitor(setup.workspace.slug, 'V2');
    await waitFor<ChatOffer>(a, 'chat:offer', (o) => o.conversation.id === v2.conversation.id);
    expect(await ok(a, 'agent:decline', { conversationId: v2.conversation.id })).toMatchObject({ next: 'queue' });
    expect((await t.services.chat.log.conversation(setup.workspace.id, v2.conversation.id)).conversation.status).toBe('queued');
  });
});

describe('visitors leaving', () => {
  it('abandons a waiting chat whose visitor stays disconnected a minute; a reconnect keeps it', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann] = await team(setup, ['Ann'], { capacity: 1 });
    const a = await online(ann!);
    await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    const gone = await visitor(setup.workspace.slug, 'V2');
    const back = await visitor(setup.workspace.slug, 'V3');
    gone.visitor.socket.disconnect();
    back.visitor.socket.disconnect();
    await settle();
    const { connectVisitor } = await import('./chat.harness.js');
    const again = connectVisitor(url, { workspace: setup.workspace.slug, token: back.token });
    track(again);
    await connected(again);
    await settle();
    const status = async (id: string) => (await t.services.chat.log.conversation(setup.workspace.id, id)).conversation.status;
    at(59);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    expect(await status(gone.conversation.id)).toBe('queued');
    at(60);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    expect(await status(gone.conversation.id)).toBe('abandoned');
    expect(await status(back.conversation.id)).toBe('queued');
    await waitFor<QueueUpdate>(again, 'chat:queue', (u) => u.position === 1);
  });
});

describe('the ticket copy of each message', () => {
  it('is written again by the sweeper when a crash left it out, once', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann] = await team(setup, ['Ann']);
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    const sent = await ok<{ message: ChatMessage }>(v1.visitor, 'chat:message', { clientMessageId: 'lost', text: 'copy me' });
    // As if the process stopped between the chat log and the ticket copy.
    const db = t.database.db;
    await db.deleteFrom('ticket_messages').where('id', '=', sent.message.messageId!).execute();
    await db.updateTable('chat_messages').set({ message_id: null }).where('session_id', '=', v1.conversation.id).where('seq', '=', sent.message.seq).execute();
    at(5);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    const copies = async () => (await t.services.tickets.thread(setup.workspace.id, v1.conversation.ticketId, { includeNotes: false })).filter((m) => m.body_text === 'copy me');
    expect(await copies()).toHaveLength(0);
    at(11);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    const [copy, ...more] = await copies();
    expect(more).toEqual([]);
    const synced = await ok<{ messages: ChatMessage[] }>(v1.visitor, 'chat:sync', { sinceSeq: sent.message.seq - 1 });
    expect(synced.messages[0]).toMatchObject({ seq: sent.message.seq, messageId: copy!.id });
  });
});

describe('conversations', () => {
  it('a transfer keeps the whole history and counts once; the receiving agent reads everything', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann, bob] = await team(setup, ['Ann', 'Bob'], { capacity: 1 });
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    const offer = await waitFor<ChatOffer>(a, 'chat:offer');
    const accepted = await ok<{ screenPop: ScreenPop }>(a, 'agent:accept', { conversationId: offer.conversation.id });
    expect(accepted.screenPop.customer.name).toBe('V1');
    await ok(v1.visitor, 'chat:message', { clientMessageId: 'v-1', text: 'My printer jams' });
    await ok(a, 'agent:message', { conversationId: v1.conversation.id, clientMessageId: 'a-1', text: 'Let me get a specialist' });
    const b = await online(bob!);
    const moved = await ok<{ conversation: ConversationView }>(a, 'agent:transfer', { conversationId: v1.conversation.id, to: { agentId: bob!.id } });
    expect(moved.conversation).toMatchObject({ status: 'active', agent: { id: bob!.id }, transfers: 1 });
    await waitFor<ConversationView>(b, 'chat:state', (c) => c.id === v1.conversation.id);
    const history = await ok<{ messages: ChatMessage[] }>(b, 'agent:sync', { conversationId: v1.conversation.id, sinceSeq: 0 });
    expect(history.messages.map((m) => m.text)).toEqual(expect.arrayContaining(['My printer jams', 'Let me get a specialist']));
    expect(history.messages.map((m) => m.seq)).toEqual(history.messages.map((_, i) => i + 1));
    // Ann no longer holds it: her messages are refused, Bob's go through to the visitor.
    expect(await call(a, 'agent:message', { conversationId: v1.conversation.id, clientMessageId: 'a-2', text: 'still me?' })).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    await ok(b, 'agent:message', { conversationId: v1.conversation.id, clientMessageId: 'b-1', text: 'Hello, Bob here' });
    await waitFor<ChatMessage>(v1.visitor, 'chat:message', (m) => m.text === 'Hello, Bob here');
    const holders = await t.services.routing.assignments(setup.workspace.id, 'chat', v1.conversation.id);
    expect(holders.map((h) => [h.agent_id, h.reason])).toEqual([[ann!.id, 'round_robin'], [bob!.id, 'transfer']]);
    const states = ((a.seen.get('agent:state') ?? []) as AgentChatState[]);
    expect(states.at(-1)!.chatLoad).toBe(0);
  });

  it('a transfer to a team puts the chat back in that queue, not to the agent who gave it away', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann, bob] = await team(setup, ['Ann', 'Bob'], { capacity: 1 });
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    const b = await online(bob!);
    await ok(a, 'agent:transfer', { conversationId: v1.conversation.id, to: { departmentId: setup.service.id } });
    const offer = await waitFor<ChatOffer>(b, 'chat:offer');
    expect(offer.conversation).toMatchObject({ id: v1.conversation.id, transfers: 1 });
    expect(offersTo(a).length).toBe(1);
  });

  it('after-contact work holds the next offer until its timer ends (or the agent is ready)', async () => {
    at(0);
    const setup = await chatWorkspace(t, { acwSeconds: 30 });
    const [ann] = await team(setup, ['Ann'], { capacity: 1 });
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    at(10);
    const ended = await ok<{ state: AgentChatState }>(a, 'agent:end', { conversationId: v1.conversation.id });
    expect(ended.state.acwUntil).toBe(new Date(T0.getTime() + 40_000).toISOString());
    await visitor(setup.workspace.slug, 'V2');
    at(39);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    await settle(50);
    expect(offersTo(a).length).toBe(1);
    at(40);
    await t.services.chat.deadlines.sweep(setup.workspace.id);
    await waitFor<ChatOffer>(a, 'chat:offer', (o) => o.conversation.visitor.name === 'V2');
  });

  it('relays typing both ways and sends delivered and read receipts', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann] = await team(setup, ['Ann']);
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    v1.visitor.socket.emit('chat:typing', { typing: true });
    expect(await waitFor(a, 'chat:typing')).toEqual({ conversationId: v1.conversation.id, typing: true, name: 'V1' });
    a.socket.emit('agent:typing', { conversationId: v1.conversation.id, typing: true });
    expect(await waitFor(v1.visitor, 'chat:typing')).toEqual({ conversationId: v1.conversation.id, typing: true, name: 'Ann' });
    const sent = await ok<{ message: ChatMessage }>(v1.visitor, 'chat:message', { clientMessageId: 'r1', text: 'read me' });
    await waitFor(v1.visitor, 'chat:receipt', (r: { kind: string; upToSeq: number }) => r.kind === 'delivered' && r.upToSeq === sent.message.seq);
    await ok(a, 'agent:read', { conversationId: v1.conversation.id, seq: sent.message.seq });
    await waitFor(v1.visitor, 'chat:receipt', (r: { kind: string; upToSeq: number }) => r.kind === 'read' && r.upToSeq === sent.message.seq);
    // Another agent's typing or read marks never reach this visitor.
    expect(await call(a, 'agent:read', { conversationId: randomUUID(), seq: 1 })).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
  });

  it('a message resent after a reconnect is stored once; missed messages come back from the seq the visitor had', async () => {
    at(0);
    const setup = await chatWorkspace(t);
    const [ann] = await team(setup, ['Ann']);
    const a = await online(ann!);
    const v1 = await visitor(setup.workspace.slug, 'V1');
    await ok(a, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(a, 'chat:offer')).conversation.id });
    const id = randomUUID();
    const first = await ok<{ message: ChatMessage }>(v1.visitor, 'chat:message', { clientMessageId: id, text: 'hello' });
    v1.visitor.socket.disconnect();
    await ok(a, 'agent:message', { conversationId: v1.conversation.id, clientMessageId: 'a-1', text: 'while you were away' });
    const { connectVisitor } = await import('./chat.harness.js');
    const again = connectVisitor(url, { workspace: setup.workspace.slug, token: v1.token });
    track(again);
    await connected(again);
    const resent = await ok<{ message: ChatMessage }>(again, 'chat:message', { clientMessageId: id, text: 'hello' });
    expect(resent.message).toEqual(first.message);
    const missed = await ok<{ messages: ChatMessage[] }>(again, 'chat:sync', { sinceSeq: first.message.seq });
    expect(missed.messages.map((m) => m.text)).toEqual(['while you were away']);
    const thread = await t.services.tickets.thread(setup.workspace.id, v1.conversation.ticketId, { includeNotes: false });
    expect(thread.filter((m) => m.body_text === 'hello')).toHaveLength(1);
  });
});
