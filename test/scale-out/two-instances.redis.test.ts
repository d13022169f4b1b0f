import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { connectDatabase, type Database } from '../../src/core/db/database.js';
import type { DomainEvent } from '../../src/core/events/index.js';
import { createLogger } from '../../src/core/logger.js';
import { openMessaging, type Messaging } from '../../src/runtime.js';
import { samplePayload } from '../helpers/events.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { requiredRedisUrl } from '../helpers/services.js';

/**
 * Two Kefu processes' messaging, as `kefu start` wires it, on one Postgres and one Redis: what
 * one node publishes (a row in the event log) the other hears, and a job sent on one is worked on the other.
 */
const log = createLogger('silent');
const config = loadConfig({ REDIS_URL: requiredRedisUrl(), LOG_LEVEL: 'silent' });
let testDb: TestDatabase;
let database: Database;
let web: Messaging;
let worker: Messaging;

beforeAll(async () => {
  testDb = await freshDatabase();
  database = await connectDatabase(testDb.url, { max: 2, log });
  web = await openMessaging(config, log, database);
  worker = await openMessaging(config, log, database);
});
afterAll(async () => {
  await web.close();
  await worker.close();
  await database.close();
  await testDb.drop();
});

describe('two instances on Postgres and Redis', () => {
  it('delivers an event published on one instance to the other, once', async () => {
    const type = 'troubleshooting_tree.published';
    const payload = samplePayload(type, { slug: '你好' });
    const received: DomainEvent[] = [];
    const arrived = new Promise<void>((resolve) => worker.bus.subscribe(type, (event) => {
      if (event.payload.treeId !== payload.treeId) return;
      received.push(event);
      resolve();
    }));
    await web.bus.start({ durable: false });
    await worker.bus.start({ durable: true });
    const sent = await web.bus.publish(type, '00000000-0000-4000-8000-000000000001', payload);
    await arrived;
    await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive within this
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ id: sent.id, type, payload: { slug: '你好' } });
  });

  it('runs a job sent by one instance on the other\'s worker', async () => {
    await worker.jobs.start();
    await web.jobs.start();
    const done = new Promise<object>((resolve) => {
      void worker.jobs.work<{ workspaceId: string; n: number }>('probe-job', async (job) => resolve(job.data));
    });
    await web.jobs.send('probe-job', { workspaceId: 'w1', n: 42 });
    expect(await done).toEqual({ workspaceId: 'w1', n: 42 });
  });
});
