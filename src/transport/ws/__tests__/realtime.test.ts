import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';
import { samplePayload } from '../../../../test/helpers/events.js';
import { attachRealtime, REALTIME_PATH, type PushedEvent, type Viewer } from '../realtime.js';
import { collect, connected, next, realtimeSockets, view } from './realtime.harness.js';

/**
 * The console's socket against the real app: only signed-in agents connect, each hears its own
 * workspace's ticket events and nothing else, and agents with the same ticket open see each other.
 */
let t: TestApp;
let url: string;
let other: TestWorkspace;
const harness = realtimeSockets();
const sockets = harness.sockets;

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

const open = (headers: Record<string, string>, base = url): Socket => harness.open(base, headers);


/** The server's own answer to a WebSocket upgrade (the client library only says "websocket error"). */
function upgradeAnswer(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      hostname, port, path: `${REALTIME_PATH}/?EIO=4&transport=websocket`,
      headers: { ...headers, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    });
    request.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    request.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode!, body: '' }); });
    request.on('error', reject);
    request.end();
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
    const error = await new Promise<Error & { description?: Error }>((resolve) => socket.once('connect_error', resolve));
    // The client library reports any failed upgrade alike; the server's answer names the reason.
    expect({ message: error.message, cause: error.description?.message }).toEqual({ message: 'websocket error', cause: 'Unexpected server response: 400' });
    expect(await upgradeAnswer({ cookie, origin: 'https://evil.example' })).toEqual({ status: 400, body: 'ORIGIN_FORBIDDEN' });
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
    const gone = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    // Held until the client gave up, the close would take socket.io's ping interval plus timeout
    // (45 s), past this test's deadline (30 s): the server must drop the connection itself.
    await app.close();
    expect(await gone).toBe('io server disconnect');
    await expect(rt.io.local.fetchSockets()).resolves.toHaveLength(0);
  });
});
