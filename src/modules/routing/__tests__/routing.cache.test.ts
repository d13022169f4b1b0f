import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { systemClock } from '../../../core/clock.js';
import { loadConfig } from '../../../core/config.js';
import { connectDatabase, type Database } from '../../../core/db/database.js';
import { createOutboxBus, type OutboxBus } from '../../../core/events/index.js';
import { createInlineQueue } from '../../../core/jobs/index.js';
import { createLogger } from '../../../core/logger.js';
import { Tenancy } from '../../../core/tenancy.js';
import { createServices, type Services } from '../../../services.js';

/**
 * Each node keeps a workspace's team routing settings in memory. A team switched to automatic
 * assignment on a web node routes the worker node's next ticket at once, not after the cache's
 * lifetime: the worker hears `routing.settings_changed` before its subscribers handle a later event.
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
  dataDir = await mkdtemp(path.join(tmpdir(), 'kefu-routing-cache-'));
});
afterAll(async () => {
  for (const node of nodes) {
    await node.bus.close();
    await node.database.close();
  }
  await testDb?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the team settings each node caches', () => {
  it('route a ticket by settings changed on another node from the next ticket on', async () => {
    const web = await startNode(false);
    const worker = await startNode(true);
    const workspace = await web.services.accounts.createWorkspace({ slug: 'routing-cache', name: { en: 'Routing', 'zh-CN': '路由' } });
    await worker.bus.drain(); // its default departments
    const [team] = await web.services.tickets.departments(workspace.id);
    const agent = await web.services.accounts.createAgent(workspace.id, { email: 'li@routing-cache.example', name: 'Li', role: 'agent', password: 'agent-password-1' }, system);
    await web.services.routing.setAvailability(workspace.id, agent.id, 'online');
    const open = async () => {
      const ticket = await web.services.tickets.open(workspace.id, {
        subject: 'Printer offline', body: 'It says offline.', channel: 'web', departmentKey: team!.key, customer: { email: 'c@routing-cache.example', name: 'C' },
      }, system);
      await worker.bus.drain();
      return (await web.services.tickets.ticket(workspace.id, ticket.id)).assignee_id;
    };

    // The worker has looked the team up (manual routing) and keeps that.
    expect(await open()).toBeNull();
    await web.services.routing.configureDepartment(workspace.id, team!.id, { strategy: 'round_robin', autoAssign: true, memberIds: [agent.id] }, system);
    expect(await open()).toBe(agent.id);
    await web.services.routing.configureDepartment(workspace.id, team!.id, { strategy: 'manual', autoAssign: false, memberIds: [agent.id] }, system);
    expect(await open()).toBeNull();
  });
});
