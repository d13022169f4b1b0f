import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { samplePayload } from '../../../../test/helpers/events.js';
import { requiredRedisUrl } from '../../../../test/helpers/services.js';
import { connectDatabase } from '../../../core/db/database.js';
import { createOutboxBus, type EventBus } from '../../../core/events/index.js';
import { createLogger } from '../../../core/logger.js';
import { attachRealtime, type Viewer } from '../realtime.js';
import { collect, connected, next, realtimeSockets, view } from './realtime.harness.js';

const redisUrl = requiredRedisUrl();
const { sockets, open: openOn } = realtimeSockets();
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});

/**
 * Two web nodes on one database and one Redis, as `kefu start --role web` twice behind a load
 * balancer: each node tails the event log and pushes to its own sockets once; ticket rooms span both nodes.
 */
describe('realtime on two nodes with Redis', () => {
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
    const socket = openOn(nodes[node]!.url, { cookie: `kefu_agent=${encodeURIComponent(nodes[node]!.http.signCookie(token))}` });
    await connected(socket);
    return socket;
  };

  it('pushes an event published on one node to sockets on both, once each', async () => {
    const onFirst = await socketOn(0, 'token-wang');
    const onSecond = await socketOn(1, 'token-emma');
    const first = collect(onFirst, 'ticket.created');
    const second = collect(onSecond, 'ticket.created');
    await nodes[0]!.bus.publish('ticket.created', workspaceId, samplePayload('ticket.created'));
    // A second event after the first: each node pushes the log in order, so once it has arrived on
    // both sockets, any duplicate of the first would have arrived too.
    const markers = [next(onFirst, 'ticket.solved'), next(onSecond, 'ticket.solved')];
    await nodes[0]!.bus.publish('ticket.solved', workspaceId, samplePayload('ticket.solved'));
    await Promise.all(markers);
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
