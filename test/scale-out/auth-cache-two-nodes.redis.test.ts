import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { connectDatabase } from '../../src/core/db/database.js';
import { createOutboxBus } from '../../src/core/events/index.js';
import { createInlineQueue } from '../../src/core/jobs/index.js';
import { createLogger } from '../../src/core/logger.js';
import { Tenancy } from '../../src/core/tenancy.js';
import { createServices, type Services } from '../../src/services.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { requiredRedisUrl } from '../helpers/services.js';

/**
 * Two web nodes on one Postgres, each caching resolved tokens for a minute: a token revoked on one
 * is refused by the other long before that minute is up, because the other hears `access.changed`
 * from the event log (issue 15 #6). CI runs it in its second pass.
 */
requiredRedisUrl();
const log = createLogger('silent');
const secret = randomBytes(32).toString('hex');
const system = { type: 'system' as const, id: null };

interface Node { services: Services; app: App; close(): Promise<void> }
let testDb: TestDatabase;
let dataDir: string;
const nodes: Node[] = [];

async function startNode(): Promise<Node> {
  const config = loadConfig({ KEFU_DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent', KEFU_AUTH_CACHE_SECONDS: '60' });
  const database = await connectDatabase(testDb.url, { max: 4, log });
  const tenancy = await Tenancy.load(database.db);
  const bus = createOutboxBus({ db: database.db, pool: database.pool, connectionString: database.url, log, checkPayloads: true });
  const services = createServices({ config, database, tenancy, bus, jobs: createInlineQueue(), clock: systemClock });
  await bus.start({ durable: false });
  const app = await buildApp({ config, log, database, services, secret });
  return { services, app, close: async () => { await app.http.close(); await bus.close(); await database.close(); } };
}

beforeAll(async () => {
  testDb = await freshDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'kefu-auth-cache-'));
  nodes.push(await startNode(), await startNode());
});
afterAll(async () => {
  for (const node of nodes) await node.close();
  await testDb?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the principal cache across nodes', () => {
  it('refuses on node B a token revoked on node A, well within the cache lifetime', async () => {
    const [a, b] = nodes as [Node, Node];
    const workspace = await a.services.accounts.createWorkspace({ slug: 'two-nodes', name: { en: 'Two', 'zh-CN': '二' } });
    const admin = await a.services.accounts.createAgent(workspace.id, { email: 'admin@two.example', name: 'Admin', role: 'admin', password: 'a-long-password' }, system);
    const created = await a.services.accounts.createApiToken(workspace.id, admin.id, 'roaming', system);
    const read = (node: Node) => node.app.http.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${created.token}` } });
    expect((await read(b)).statusCode).toBe(200);

    await a.services.accounts.revokeApiToken(workspace.id, null, created.id, system);
    expect((await read(a)).statusCode).toBe(401);
    // Node B learns from the event log (LISTEN/NOTIFY, else its one-second look): poll, with a deadline far below 60 s.
    const deadline = Date.now() + 10_000;
    let status = (await read(b)).statusCode;
    while (status !== 401 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await read(b)).statusCode;
    }
    expect(status).toBe(401);
  });
});
