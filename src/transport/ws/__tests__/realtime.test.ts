import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';
import { createLogger } from '../../../core/logger.js';
import { createOutboxBus, type EventBus } from '../../../core/events/index.js';
import { connectDatabase } from '../../../core/db/database.js';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { samplePayload } from '../../../../test/helpers/events.js';
import { attachRealtime, REALTIME_PATH, type PushedEvent, type Viewer } from '../realtime.js';

/**
 * The console's socket against the real app: only signed-in agents connect, each hears its own
 * workspace's ticket events and nothing else, and agents with the same ticket open see each other.
 */
let t: TestApp;
let url: string;
let other: TestWorkspace;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp();
  other = await t.addWorkspace('globex');
  // A short re-check interval so the sign-out test doesn't wait minutes.
  attachRealtime({ http: t.app.http, accounts: t.services.accounts, bus: t.bus, log: t.app.http.log, publicUrl: t.config.publicUrl, revalidateMs: 300 });
  url = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});
afterAll(async () => {
  await t.close();
});

async function sessionCookie(workspaceId: string, email: string, password: string): Promise<{ cookie: string; token: string }> {
  const { sessionToken } = await t.services.accounts.signInAgent(workspaceId, email, password);
  return { cookie: `kefu_agent=${encodeURIComponent(t.app.http.signCookie(sessionToken))}`, token: sessionToken };
}

function open(headers: Record<string, string>, base = url): Socket {
  const socket = connect(base, { path: REALTIME_PATH, transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

function refused(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected, but should have been refused')));
    socket.once('connect_error', (error) => resolve(error.message));
  });
}

async function agentSocket(workspace: TestWorkspace, agent = workspace.admin, base = url): Promise<Socket> {
  const { cookie } = await sessionCookie(workspace.id, agent.email, agent.password);
  const socket = open({ cookie }, base);
  await connected(socket);
  return socket;
}

function collect(socket: Socket, type: string): PushedEvent[] {
  const seen: PushedEvent[] = [];
  socket.on(type, (event: PushedEvent) => seen.push(event));
  return seen;
}

function next<T>(socket: Socket, type: string, match: (body: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (body: T) => {
      if (!match(body)) return;
      socket.off(type, listener);
      resolve(body);
    };
    socket.on(type, listener);
  });
}

function view(socket: Socket, ticketId: string): Promise<{ viewers: Viewer[] }> {
  return socket.emitWithAck('ticket:viewing', { ticketId });
}

async function addAgent(workspace: TestWorkspace, name: string) {
  const password = `pw-${randomUUID()}`;
  const agent = await t.services.accounts.createAgent(workspace.id, { email: `${randomUUID().slice(0, 8)}@${workspace.slug}.example`, name, role: 'agent', password }, { type: 'system', id: null });
  return { id: agent.id, email: agent.email, name: agent.name, password };
}

const openTicket = (workspaceId: string, subject = 'Printer jams') =>
  t.services.tickets.open(workspaceId, { subject, body: 'It jams on every page.', channel: 'web', customer: { email: 'li.na@example.com', name: '李娜' } }, { type: 'customer', id: null });

describe('realtime: who may connect', () => {
  it('refuses a connection without a session cookie', async () => {
    expect(await refused(open({}))).toBe('UNAUTHENTICATED');
  });

  it('refuses a forged, unsigned or ended session', async () => {
    expect(await refused(open({ cookie: 'kefu_agent=not-a-session' }))).toBe('UNAUTHENTICATED');
    const forged = `kefu_agent=${encodeURIComponent(t.app.http.signCookie('a'.repeat(43)))}`;
    expect(await refused(open({ cookie: forged }))).toBe('UNAUTHENTICATED');
    const { cookie, token } = await sessionCookie(t.workspace.id, t.workspace.admin.email, t.workspace.admin.password);
    await t.services.accounts.closeSession(token);
    expect(await refused(open({ cookie }))).toBe('UNAUTHENTICATED');
  });

  it('refuses a browser page from another site, even with the agent\'s cookie', async () => {
    const { cookie } = await sessionCookie(t.workspace.id, t.workspace.admin.email, t.workspace.admin.password);
    const socket = open({ cookie, origin: 'https://evil.example' });
    await expect(refused(socket)).resolves.toBeTruthy();
    const sameSite = open({ cookie, origin: url });
    await connected(sameSite);
  });

  it('ends the connection once the session is signed out', async () => {
    const { cookie, token } = await sessionCookie(t.workspace.id, t.workspace.admin.email, t.workspace.admin.password);
    const socket = open({ cookie });
    await connected(socket);
    const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await t.services.accounts.closeSession(token);
    expect(await gone).toBe('io server disconnect');
  });
});

describe('realtime: ticket events', () => {
  it('pushes a workspace\'s ticket and message events to its agents only, without bodies', async () => {
    const mine = await agentSocket(t.workspace);
    const theirs = await agentSocket(other);
    const mineCreated = collect(mine, 'ticket.created');
    const theirsCreated = collect(theirs, 'ticket.created');
    const theirsMessages = collect(theirs, 'message.created');

    const created = next<PushedEvent>(mine, 'ticket.created');
    const ticket = await openTicket(t.workspace.id, '打印机卡纸');
    expect((await created).payload).toMatchObject({ ticket: { id: ticket.id, number: ticket.number, subject: '打印机卡纸', status: 'new' } });

    const note = next<PushedEvent>(mine, 'message.created', (e) => (e.payload as { kind?: string }).kind === 'note');
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'note', body: 'internal: roller worn' }, { type: 'agent', id: t.workspace.admin.id });
    const noteEvent = await note;
    expect(noteEvent.payload).toMatchObject({ ticketId: ticket.id, kind: 'note', authorType: 'agent' });
    expect(JSON.stringify(noteEvent)).not.toContain('roller worn');

    // The note moved the ticket from new to open; now the agent solves it.
    const updated = next<PushedEvent>(mine, 'ticket.updated', (e) => (e.payload as { ticket: { status: string } }).ticket.status === 'solved');
    await t.services.tickets.update(t.workspace.id, ticket.id, { status: 'solved' }, { type: 'agent', id: t.workspace.admin.id });
    expect((await updated).payload).toMatchObject({ ticket: { id: ticket.id, status: 'solved' }, changes: { status: ['open', 'solved'] } });

    // The other workspace's agent hears its own ticket, and by then nothing of the first workspace.
    const theirsOwn = next<PushedEvent>(theirs, 'ticket.created');
    const theirTicket = await openTicket(other.id, 'Toner empty');
    expect((await theirsOwn).payload).toMatchObject({ ticket: { id: theirTicket.id } });
    expect(theirsCreated.map((e) => (e.payload as { ticket: { id: string } }).ticket.id)).toEqual([theirTicket.id]);
    expect(theirsMessages.every((e) => (e.payload as { ticketId: string }).ticketId === theirTicket.id)).toBe(true);
    expect(mineCreated.map((e) => (e.payload as { ticket: { id: string } }).ticket.id)).toEqual([ticket.id]);
  });

  it('keeps other events (workspace setup, anything not about tickets) on the server', async () => {
    const socket = await agentSocket(t.workspace);
    const seen: string[] = [];
    socket.onAny((type: string) => seen.push(type));
    await t.bus.publish('workspace.created', t.workspace.id, samplePayload('workspace.created'));
    const probe = next<PushedEvent>(socket, 'ticket.rated');
    const withBodies = { ...samplePayload('ticket.rated'), body: 'secret', bodyHtml: '<p>secret</p>' };
    await t.bus.publish('ticket.rated', t.workspace.id, withBodies);
    expect((await probe).payload).not.toHaveProperty('body');
    expect((await probe).payload).not.toHaveProperty('bodyHtml');
    expect(seen).toEqual(['ticket.rated']);
  });
});

describe('realtime: collision notice', () => {
  it('tells agents who else has the same ticket open, and when they leave or disconnect', async () => {
    const wang = await addAgent(t.workspace, '王磊');
    const emma = await addAgent(t.workspace, 'Emma Hughes');
    const ticket = await openTicket(t.workspace.id);
    const first = await agentSocket(t.workspace, wang);
    const second = await agentSocket(t.workspace, emma);

    expect((await view(first, ticket.id)).viewers.map((v) => v.name)).toEqual(['王磊']);
    const firstSeesBoth = next<{ ticketId: string; viewers: Viewer[] }>(first, 'ticket:viewers', (b) => b.viewers.length === 2);
    const answer = await view(second, ticket.id);
    expect(answer.viewers.map((v) => v.name).sort()).toEqual(['Emma Hughes', '王磊']);
    expect((await firstSeesBoth).ticketId).toBe(ticket.id);

    // Writing a reply shows as "composing"; a second tab of the same agent is still one viewer.
    const composing = next<{ viewers: Viewer[] }>(first, 'ticket:viewers', (b) => b.viewers.some((v) => v.composing));
    second.emit('ticket:composing', { ticketId: ticket.id, composing: true });
    expect((await composing).viewers.find((v) => v.agentId === emma.id)?.composing).toBe(true);
    const secondTab = await agentSocket(t.workspace, emma);
    expect((await view(secondTab, ticket.id)).viewers).toHaveLength(2);

    // Leaving (closing the ticket) and disconnecting both clear the notice.
    const afterLeave = next<{ viewers: Viewer[] }>(first, 'ticket:viewers', (b) => b.viewers.length === 2 && !b.viewers.some((v) => v.composing));
    second.emit('ticket:left', { ticketId: ticket.id });
    await afterLeave;
    const alone = next<{ viewers: Viewer[] }>(first, 'ticket:viewers', (b) => b.viewers.length === 1);
    secondTab.disconnect();
    expect((await alone).viewers.map((v) => v.name)).toEqual(['王磊']);
  });

  it('never shows an agent of another workspace, even for the same ticket id', async () => {
    const ticket = await openTicket(t.workspace.id);
    const mine = await agentSocket(t.workspace);
    const theirs = await agentSocket(other);
    await view(mine, ticket.id);
    const theirsAnswer = await view(theirs, ticket.id);
    expect(theirsAnswer.viewers.map((v) => v.name)).toEqual([other.admin.name]);
    const mineAgain = await view(mine, ticket.id);
    expect(mineAgain.viewers.map((v) => v.name)).toEqual([t.workspace.admin.name]);
  });

  it('rejects a ticket id that is not an id', async () => {
    const socket = await agentSocket(t.workspace);
    expect(await socket.emitWithAck('ticket:viewing', { ticketId: '../../etc' })).toEqual({ error: 'VALIDATION_FAILED' });
  });
});

describe('realtime: closing', () => {
  it('disconnects its sockets when the app closes, without holding the close', async () => {
    const app = await createTestApp();
    const rt = attachRealtime({ http: app.app.http, accounts: app.services.accounts, bus: app.bus, log: app.app.http.log, publicUrl: app.config.publicUrl });
    const base = await app.app.http.listen({ port: 0, host: '127.0.0.1' });
    const { sessionToken } = await app.services.accounts.signInAgent(app.workspace.id, app.workspace.admin.email, app.workspace.admin.password);
    const socket = open({ cookie: `kefu_agent=${encodeURIComponent(app.app.http.signCookie(sessionToken))}` }, base);
    await connected(socket);
    const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const started = Date.now();
    await app.close();
    await gone;
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(rt.io.local.fetchSockets()).resolves.toHaveLength(0);
  });
});

/**
 * Two web nodes on one database and one Redis, as `kefu start --role web` twice behind a load
 * balancer: each node tails the event log and pushes to its own sockets once; ticket rooms span both nodes.
 */
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisReachable = await (async () => {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
})();

describe.runIf(redisReachable || process.env.REDIS_URL)('realtime on two nodes with Redis', () => {
  const log = createLogger('silent');
  const secret = 'realtime-two-nodes-secret-0123456789abcdef';
  const workspaceId = randomUUID();
  const agents = new Map([['token-wang', { id: randomUUID(), name: '王磊' }], ['token-emma', { id: randomUUID(), name: 'Emma Hughes' }]]);
  const accounts = {
    agentForSession: async (token: string) => {
      const agent = agents.get(token);
      return agent ? ({ agent, workspace: { id: workspaceId } } as never) : undefined;
    },
  };
  const nodes: { http: FastifyInstance; bus: EventBus; redis: Redis; url: string; close(): Promise<void> }[] = [];
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await freshDatabase();
    for (let i = 0; i < 2; i += 1) {
      const http = Fastify();
      await http.register(fastifyCookie, { secret });
      const database = await connectDatabase(testDb.url, { max: 2, log });
      const bus = createOutboxBus({ db: database.db, pool: database.pool, connectionString: database.url, log, checkPayloads: true });
      const redis = new Redis(redisUrl);
      attachRealtime({ http, accounts, bus, log, redis, publicUrl: 'http://localhost:3000' });
      await bus.start({ durable: false });
      nodes.push({ http, bus, redis, url: await http.listen({ port: 0, host: '127.0.0.1' }), close: () => database.close() });
    }
  });
  afterAll(async () => {
    for (const node of nodes) {
      await node.http.close();
      await node.bus.close();
      await node.redis.quit();
      await node.close();
    }
    await testDb.drop();
  });

  const socketOn = async (node: number, token: string) => {
    const socket = open({ cookie: `kefu_agent=${encodeURIComponent(nodes[node]!.http.signCookie(token))}` }, nodes[node]!.url);
    await connected(socket);
    return socket;
  };

  it('pushes an event published on one node to sockets on both, once each', async () => {
    const onFirst = await socketOn(0, 'token-wang');
    const onSecond = await socketOn(1, 'token-emma');
    const first = collect(onFirst, 'ticket.created');
    const second = collect(onSecond, 'ticket.created');
    const arrived = next(onSecond, 'ticket.created');
    await nodes[0]!.bus.publish('ticket.created', workspaceId, samplePayload('ticket.created'));
    await arrived;
    await new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate would arrive within this
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
  });

  it('shows agents on different nodes to each other', async () => {
    const ticketId = randomUUID();
    const onFirst = await socketOn(0, 'token-wang');
    const onSecond = await socketOn(1, 'token-emma');
    await view(onFirst, ticketId);
    const firstSeesBoth = next<{ viewers: Viewer[] }>(onFirst, 'ticket:viewers', (b) => b.viewers.length === 2);
    expect((await view(onSecond, ticketId)).viewers.map((v) => v.name).sort()).toEqual(['Emma Hughes', '王磊']);
    await firstSeesBoth;
    const alone = next<{ viewers: Viewer[] }>(onFirst, 'ticket:viewers', (b) => b.viewers.length === 1);
    onSecond.disconnect();
    expect((await alone).viewers.map((v) => v.name)).toEqual(['王磊']);
  });
});
