/**
 * The widget's connection (web/widget/src/chat-connection.ts, run here in Node) against the real
 * chat server: when the connection drops, messages written meanwhile are delivered once it is
 * back, what the agent wrote meanwhile is fetched, a message stored whose acknowledgement was lost is not stored twice,
 * and the visitor's log ends up complete, in order and without duplicates.
 */
import type { AddressInfo } from 'node:net';
import type { Namespace } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VISITOR_NAMESPACE } from '../../src/contracts/chat.js';
import { attachChat, type ChatSockets } from '../../src/transport/ws/chat.socket.js';
import { ChatConnection } from '../../web/widget/src/chat-connection.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const SYSTEM = { type: 'system' as const, id: null };

let test: TestApp | undefined;
let sockets: ChatSockets | undefined;
let origin = '';

beforeAll(async () => {
  test = await createTestApp();
  const { services, workspace } = test;
  sockets = attachChat({ http: test.app.http, accounts: services.accounts, chat: services.chat, log: test.app.http.log, publicUrl: test.config.publicUrl });
  await test.app.http.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(test.app.http.server.address() as AddressInfo).port}`;
  const service = (await services.tickets.departments(workspace.id)).find((d) => d.key === 'service')!;
  await services.routing.configureDepartment(workspace.id, service.id, { strategy: 'round_robin', autoAssign: false, memberIds: [workspace.admin.id] }, SYSTEM);
  await services.chat.settings.update(workspace.id, { defaultDepartmentId: service.id, respectBusinessHours: false });
  await services.chat.queue.setPresence(workspace.id, workspace.admin.id, 'online');
}, 120_000);

afterAll(async () => {
  await test?.close();
});

function visitorSockets(): Namespace {
  return sockets!.io.of(VISITOR_NAMESPACE);
}

/** Cuts the visitor's connection under it (a network drop, not a server goodbye), so it reconnects. */
function dropVisitors(): void {
  for (const socket of visitorSockets().sockets.values()) socket.conn.close();
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('widget connection across a dropped connection', () => {
  it('delivers what was written offline once, fetches what was missed, and keeps the log in order without doubles', async () => {
    const { services, workspace } = test!;
    const ws = workspace.id;
    const agentId = workspace.admin.id;
    const connection = new ChatConnection(origin, 'acme', 'en');
    const states: boolean[] = [];
    connection.onEvent((event) => {
      if (event.type === 'connection') states.push(event.connected);
    });
    try {
      await connection.start({ name: 'Ada Lovelace', email: 'ada@example.com', departmentId: null, message: 'My P200 jams.' });
      const [live] = await services.chat.log.liveConversations(ws, ['offered']);
      expect(live).toBeDefined();
      const conversationId = live!.id;
      await services.chat.queue.accept(ws, agentId, conversationId);
      connection.send('first, while connected');
      await until(() => connection.log.unacknowledged().length === 0, 'the first message to be stored');

      // The connection drops; the visitor writes twice and the agent once before it is back.
      dropVisitors();
      await until(() => states.at(-1) === false, 'the disconnect');
      connection.send('second, written offline');
      connection.send('third, written offline');
      await services.chat.conversations.agentMessage(ws, agentId, { conversationId, clientMessageId: 'agent-1', text: 'Are you still there?' });
      await until(() => states.filter((s) => s).length >= 2 && connection.log.unacknowledged().length === 0, 'the reconnect and re-send');
      await until(() => connection.log.list().some((m) => m.body === 'Are you still there?'), 'the missed agent message');

      // Stored exactly once each, and the visitor's log is the server's, in seq order.
      const stored = await services.chat.log.conversation(ws, conversationId);
      const storedTexts = stored.messages.filter((m) => m.author.type !== 'system').map((m) => m.text);
      // Each once; the agent's message may land before or after the re-sent ones, but those keep their order.
      expect([...storedTexts].sort()).toEqual(['Are you still there?', 'My P200 jams.', 'first, while connected', 'second, written offline', 'third, written offline']);
      expect(storedTexts.indexOf('second, written offline')).toBeLessThan(storedTexts.indexOf('third, written offline'));
      await until(() => connection.log.list().length === stored.messages.length, 'the log to match the server');
      expect(connection.log.list().map((m) => m.seq)).toEqual(stored.messages.map((m) => m.seq));
      expect(connection.log.list().map((m) => m.body)).toEqual(stored.messages.map((m) => m.text));

      // Another drop with nothing pending: nothing is sent again, nothing is doubled.
      dropVisitors();
      await until(() => states.filter((s) => s).length >= 3, 'the second reconnect');
      await until(async () => (await services.chat.log.conversation(ws, conversationId)).conversation.lastSeq === stored.conversation.lastSeq, 'no new messages');
      expect(connection.log.list()).toHaveLength(stored.messages.length);
    } finally {
      await connection.end().catch(() => undefined);
    }
  }, 60_000);
  it('stores a message once when the server stored it but its acknowledgement was lost with the connection', async () => {
    const { services, workspace } = test!;
    const ws = workspace.id;
    const connection = new ChatConnection(origin, 'acme', 'en');
    const states: boolean[] = [];
    connection.onEvent((event) => {
      if (event.type === 'connection') states.push(event.connected);
    });
    try {
      await connection.start({ name: 'Grace Hopper', email: 'grace@example.com', departmentId: null, message: 'The scanner is stuck.' });
      const live = (await services.chat.log.liveConversations(ws, ['queued', 'offered', 'active'])).find((c) => c.visitor.name === 'Grace Hopper');
      expect(live).toBeDefined();

      // The server handles the next message (stores it) and, instead of answering, the connection
      // goes: the widget never hears that it was stored, and sends it again once it is back.
      let answersLost = 0;
      for (const socket of visitorSockets().sockets.values()) {
        socket.use((packet, next) => {
          const answer = packet.at(-1);
          if (packet[0] === 'chat:message' && typeof answer === 'function' && answersLost === 0) {
            packet[packet.length - 1] = () => {
              answersLost++;
              socket.conn.close();
            };
          }
          next();
        });
      }
      connection.send('stored, answer lost');
      await until(() => answersLost === 1 && states.filter((s) => s).length >= 2 && connection.log.unacknowledged().length === 0, 'the lost answer, the reconnect and the re-send');

      const stored = await services.chat.log.conversation(ws, live!.id);
      expect(stored.messages.filter((m) => m.text === 'stored, answer lost')).toHaveLength(1);
      await until(() => connection.log.list().length === stored.messages.length, 'the log to match the server');
      expect(connection.log.list().filter((m) => m.body === 'stored, answer lost')).toHaveLength(1);
    } finally {
      await connection.end().catch(() => undefined);
    }
  }, 60_000);
});
