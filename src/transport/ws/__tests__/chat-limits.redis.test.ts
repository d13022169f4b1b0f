import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { requiredRedisUrl } from '../../../../test/helpers/services.js';
import { startLimiter } from '../chat.limits.js';

/** With Redis, chat starts are counted once for the cluster (issue 12, finding 3): two web nodes share one count. */
const redis = new Redis(requiredRedisUrl());
afterAll(() => {
  redis.disconnect();
});

describe('chat:start limits across web nodes', () => {
  it('counts the starts of one client address and of one visitor on every node together', async () => {
    const limits = { perIp: 3, perVisitor: 2, windowSeconds: 60 };
    const [nodeA, nodeB] = [startLimiter({ redis, limits }), startLimiter({ redis, limits })];
    const workspaceId = randomUUID();
    await nodeA.admit(workspaceId, '203.0.113.7', 'a@example.com');
    await nodeB.admit(workspaceId, '203.0.113.7', 'a@example.com');
    // The visitor's third start, on node A: over 2 for that address of the form.
    await expect(nodeA.admit(workspaceId, '203.0.113.7', 'a@example.com')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // The client address's fourth start, on node B: over 3, whoever the visitor.
    await expect(nodeB.admit(workspaceId, '203.0.113.7', 'b@example.com')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Another client address and a visitor with starts left still may.
    await nodeB.admit(workspaceId, '203.0.113.8', 'b@example.com');
  });
});
