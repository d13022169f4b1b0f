import { randomBytes, randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TestApp, TestWorkspace } from '../../../../test/helpers/app.js';
import { startTestServer } from '../../../../test/helpers/server.js';
import { AGENT_NAMESPACE, CHAT_SOCKET_PATH, VISITOR_NAMESPACE, type Ack, type ChatMessage, type ChatOffer, type ConversationView } from '../../../contracts/chat.js';

/** Socket.IO clients for the chat tests: visitors and agents speaking the protocol to a real server. */

export interface Client {
  socket: Socket;
  /** Everything received, by event name, in arrival order. */
  seen: Map<string, unknown[]>;
}

function track(socket: Socket): Client {
  const seen = new Map<string, unknown[]>();
  socket.onAny((event: string, body: unknown) => seen.set(event, [...(seen.get(event) ?? []), body]));
  return { socket, seen };
}

export function connectVisitor(base: string, auth: { workspace: string; token?: string; locale?: string }, extra: { origin?: string } = {}): Client {
  const socket = connect(`${base}${VISITOR_NAMESPACE}`, {
    path: CHAT_SOCKET_PATH, transports: ['websocket'], auth, reconnection: false, forceNew: true,
    ...(extra.origin ? { extraHeaders: { origin: extra.origin } } : {}),
  });
  return track(socket);
}

export function connectAgent(base: string, cookie: string | undefined, origin?: string): Client {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  const socket = connect(`${base}${AGENT_NAMESPACE}`, { path: CHAT_SOCKET_PATH, transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true });
  return track(socket);
}

export function connected(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    if (client.socket.connected) return resolve();
    client.socket.once('connect', () => resolve());
    client.socket.once('connect_error', reject);
  });
}

/** The connect_error message of a refused handshake. */
export function refused(client: Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.socket.once('connect', () => reject(new Error('connected, but should have been refused')));
    client.socket.once('connect_error', (error) => resolve(error.message));
  });
}

export function call<T extends object = Record<never, never>>(client: Client, event: string, body: unknown): Promise<Ack<T>> {
  return client.socket.timeout(10_000).emitWithAck(event, body) as Promise<Ack<T>>;
}

/** Like `call`, but the ack must be ok. */
export async function ok<T extends object = Record<never, never>>(client: Client, event: string, body: unknown): Promise<T> {
  const answer = await call<T>(client, event, body);
  if (!answer.ok) throw new Error(`${event} refused: ${JSON.stringify(answer.error)}`);
  return answer;
}

/** Resolves with the first `event` (already received or still to come) that matches. */
export function waitFor<T>(client: Client, event: string, match: (body: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  const earlier = (client.seen.get(event) ?? []) as T[];
  const found = earlier.find(match);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.socket.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms; seen: ${JSON.stringify(client.seen.get(event) ?? [])}`));
    }, timeoutMs);
    const listener = (body: T) => {
      if (!match(body)) return;
      clearTimeout(timer);
      client.socket.off(event, listener);
      resolve(body);
    };
    client.socket.on(event, listener);
  });
}

/** Waits until the server has pushed what it will (pushes follow the ack closely; this bounds the wait). */
export function settle(ms = 150): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function last<T>(client: Client, event: string): T | undefined {
  return (client.seen.get(event) ?? []).at(-1) as T | undefined;
}

export async function agentCookie(t: TestApp, workspaceId: string, email: string, password: string): Promise<string> {
  const { sessionToken } = await t.services.accounts.signInAgent(workspaceId, email, password);
  return `kefu_agent=${encodeURIComponent(t.app.http.signCookie(sessionToken))}`;
}

export interface TestAgent { id: string; name: string; email: string; password: string; cookie: string }

export async function addAgent(t: TestApp, workspace: TestWorkspace, name: string): Promise<TestAgent> {
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const email = `${name.toLowerCase()}-${randomBytes(3).toString('hex')}@${workspace.slug}.example`;
  const agent = await t.services.accounts.createAgent(workspace.id, { email, name, role: 'agent', password }, { type: 'system', id: null });
  return { id: agent.id, name, email, password, cookie: await agentCookie(t, workspace.id, email, password) };
}

/** A fresh workspace with the chat queue set up for a test: its own agents, departments and settings. */
export async function chatWorkspace(t: TestApp, settings: Partial<{ offerTimeoutSeconds: number; acwSeconds: number; serviceLevelSeconds: number; costPerAgentHour: number; respectBusinessHours: boolean }> = {}) {
  const workspace = await t.addWorkspace(`chat-${randomBytes(4).toString('hex')}`);
  await t.services.chat.settings.update(workspace.id, { respectBusinessHours: false, acwSeconds: 0, ...settings });
  const departments = await t.services.tickets.departments(workspace.id);
  const service = departments.find((d) => d.key === 'service')!;
  const sales = departments.find((d) => d.key === 'sales')!;
  return { workspace, service, sales };
}

export async function startChat(base: string, slug: string, name: string, extra: { departmentId?: string; text?: string } = {}) {
  const visitor = connectVisitor(base, { workspace: slug, locale: 'en' });
  await connected(visitor);
  const started = await ok<{ token: string; conversation: ConversationView; messages: ChatMessage[] }>(visitor, 'chat:start', {
    name, email: `${name.toLowerCase().replace(/\W/g, '')}@customer.example`, ...extra, clientMessageId: randomUUID(),
  });
  return { visitor, token: started.token, conversation: started.conversation, messages: started.messages };
}

/** A workspace of its own whose service team has one member, agent Ann, online and connected (`track` disconnects her after the test). */
export async function onlineAgent(t: TestApp, url: string, track: <C extends Client>(client: C) => C) {
  const setup = await chatWorkspace(t);
  const ann = await addAgent(t, setup.workspace, 'Ann');
  await t.services.routing.configureDepartment(setup.workspace.id, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: [ann.id] }, { type: 'system', id: null });
  const agent = track(connectAgent(url, ann.cookie));
  await connected(agent);
  await ok(agent, 'agent:presence', { presence: 'online' });
  return { setup, ann, agent };
}

/** A chat Ann (`onlineAgent`) has accepted from visitor Vee, both connected. */
export async function answeredChat(t: TestApp, url: string, track: <C extends Client>(client: C) => C) {
  const { setup, ann, agent } = await onlineAgent(t, url, track);
  const chat = await startChat(url, setup.workspace.slug, 'Vee');
  track(chat.visitor);
  await ok(agent, 'agent:accept', { conversationId: (await waitFor<ChatOffer>(agent, 'chat:offer')).conversation.id });
  return { setup, ann, agent, ...chat };
}

/**
 * One real server for a test file, its chat sweeper off so the test moves time itself; `ready` hands
 * the app and its URL over once it listens. Returns `track`: a client it is given is disconnected
 * after each test.
 */
export function useChatServer(ready: (server: { test: TestApp; url: string }) => void): <C extends Client>(client: C) => C {
  const clients: Client[] = [];
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const server = await startTestServer({ recurring: false });
    close = server.close;
    ready({ test: server.test, url: server.url });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.socket.disconnect();
  });
  afterAll(async () => {
    await close?.();
  });
  return (client) => (clients.push(client), client);
}
