import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { samplePayload } from '../../../../test/helpers/events.js';
import { systemClock } from '../../../core/clock.js';
import { loadConfig } from '../../../core/config.js';
import { connectDatabase, type Database } from '../../../core/db/database.js';
import { createOutboxBus, type OutboxBus } from '../../../core/events/index.js';
import { createInlineQueue } from '../../../core/jobs/index.js';
import { createLogger } from '../../../core/logger.js';
import { Tenancy } from '../../../core/tenancy.js';
import { createServices, type Services } from '../../../services.js';

/**
 * Each node keeps a workspace's active webhooks in memory. A webhook added, changed or removed on
 * a web node reaches the worker node's next events at once, not after the cache's lifetime: the
 * worker hears `webhook.changed` before its subscribers handle a later event.
 */
const log = createLogger('silent');
const system = { type: 'system' as const, id: null };

interface Node { services: Services; bus: OutboxBus; database: Database }
let testDb: TestDatabase;
let dataDir: string;
const nodes: Node[] = [];

async function startNode(durable: boolean): Promise<Node> {
  const config = loadConfig({ KEFU_DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const database = await connectDatabase(testDb.url, { max: 4, log });
  const tenancy = await Tenancy.load(database.db);
  const bus = createOutboxBus({ db: database.db, pool: database.pool, connectionString: database.url, log, checkPayloads: true });
  const services = createServices({ config, database, tenancy, bus, jobs: createInlineQueue(), clock: systemClock });
  await bus.start({ durable });
  const node = { services, bus, database };
  nodes.push(node);
  return node;
}

beforeAll(async () => {
  testDb = await freshDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'kefu-webhooks-cache-'));
});
afterAll(async () => {
  for (const node of nodes) {
    await node.bus.close();
    await node.database.close();
  }
  await testDb?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the active webhooks each node caches', () => {
  it('follow a webhook added, deactivated and removed on another node from the next event on', async () => {
    const web = await startNode(false);
    const worker = await startNode(true);
    const workspace = await web.services.accounts.createWorkspace({ slug: 'hooks-cache', name: { en: 'Hooks', 'zh-CN': '钩子' } });
    const deliveries = async (eventId: string) => (await sql<{ n: number }>`
      select count(*)::int as n from webhook_deliveries where event_id = ${eventId}`.execute(web.database.db)).rows[0]!.n;
    const created = async () => {
      const event = await web.bus.publish('ticket.created', workspace.id, samplePayload('ticket.created'));
      await worker.bus.drain();
      return deliveries(event.id);
    };

    // The worker has looked the workspace up (nobody listens) and keeps that.
    expect(await created()).toBe(0);
    const { webhook } = await web.services.webhooks.create(workspace.id, { url: 'https://hooks.example.com/kefu', events: ['ticket.*'] }, system);
    expect(await created()).toBe(1);
    await web.services.webhooks.update(workspace.id, webhook.id, { active: false }, system);
    expect(await created()).toBe(0);
    await web.services.webhooks.update(workspace.id, webhook.id, { active: true }, system);
    expect(await created()).toBe(1);
    await web.services.webhooks.remove(workspace.id, webhook.id, system);
    expect(await created()).toBe(0);
  });
});
