import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { DB } from '../../src/core/db/database.js';
import type { EventBus, EventHandler, SubscribeOptions } from '../../src/core/events/index.js';
import { translator } from '../../src/core/i18n/index.js';
import { en } from '../../src/core/i18n/catalogues/en.js';
import { defineModule } from '../../src/core/module.js';
import { requireAgent } from '../../src/modules/accounts/accounts.http.js';
import type { AccountsTables } from '../../src/modules/accounts/index.js';
import type { ChatTables } from '../../src/modules/chat/index.js';
import type { KbTables } from '../../src/modules/kb/index.js';
import type { MailTables } from '../../src/modules/mail/index.js';
import type { RoutingTables } from '../../src/modules/routing/index.js';
import type { SearchTables } from '../../src/modules/search/index.js';
import type { SlaTables } from '../../src/modules/sla/index.js';
import type { TicketsTables } from '../../src/modules/tickets/index.js';
import type { TroubleshootingTables } from '../../src/modules/troubleshooting/index.js';
import type { WebhooksTables } from '../../src/modules/webhooks/index.js';
import { platformModules, startModulesRecurring, subscribeModules, type Services } from '../../src/services.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const SYSTEM = { type: 'system' as const, id: null };
const PING_JOB = 'notes.ping';

/**
 * A module written for this test only, known to the platform through its manifest and nothing else:
 * an API route, a page, a subscription that sends a job, the job's worker and recurring work.
 */
const pinged: { ticketId: string }[] = [];
let ticks = 0;
const notesApi: FastifyPluginAsyncZod = async (app) => {
  app.get('/notes/whoami', { preHandler: requireAgent(), schema: { response: { 200: z.object({ workspaceId: z.string() }) } } },
    async (request) => ({ workspaceId: request.workspace.id }));
};
const notesPage: FastifyPluginAsyncZod = async (app) => {
  app.get('/notes', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send('<h1>Notes</h1>'));
};
const notesModule = defineModule<Pick<Services, 'tickets'>>({
  name: 'notes',
  routes: () => [notesApi],
  pages: () => [notesPage],
  workers: async (_services, jobs) => {
    await jobs.work<{ ticketId: string }>(PING_JOB, async (job) => { pinged.push(job.data); });
  },
  recurring: () => [{ name: 'notes.tick', everyMs: 5, run: async () => { ticks++; } }],
  subscriptions: (_services, jobs) => ({
    'ticket.created': async (event) => { await jobs.send(PING_JOB, { ticketId: (event.payload as { ticket: { id: string } }).ticket.id }); },
  }),
});

const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('module catalogues', () => {
  it('have the same keys in both languages, under namespaces no other module or the core uses', () => {
    const namespaces = platformModules.flatMap((m) => (m.i18n ? [m.i18n.namespace] : []));
    expect(namespaces.length).toBeGreaterThan(0);
    expect(new Set(namespaces).size).toBe(namespaces.length);
    for (const namespace of namespaces) expect(Object.keys(en)).not.toContain(namespace);
    for (const { i18n } of platformModules) {
      if (!i18n) continue;
      expect(keys(i18n.strings['zh-CN']).sort(), i18n.namespace).toEqual(keys(i18n.strings.en).sort());
    }
  });
});

describe('module tables', () => {
  it('are in the core database type, each added by its own schema file (a type check: tsc runs over the tests)', () => {
    // No shared file lists them: each <m>.schema.ts merges its tables into core/db/database.ts's DatabaseTables.
    expectTypeOf<DB>().toExtend<AccountsTables & TicketsTables & SlaTables & WebhooksTables & RoutingTables & SearchTables
      & KbTables & TroubleshootingTables & MailTables & ChatTables>();
  });
});

describe('a module plugs in through its manifest alone', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp({}, { modules: [...platformModules, notesModule] }); });
  afterAll(async () => { await t.close(); });

  it('serves its API route under /api/v1 inside the request context (workspace and authentication)', async () => {
    const { token } = await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'admin', SYSTEM);
    const anonymous = await t.app.http.inject({ method: 'GET', url: '/api/v1/notes/whoami' });
    expect(anonymous.statusCode).toBe(401);
    const res = await t.app.http.inject({ method: 'GET', url: '/api/v1/notes/whoami', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ workspaceId: t.workspace.id });
  });

  it('serves its page at its own path', async () => {
    const res = await t.app.http.inject({ method: 'GET', url: '/notes' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<h1>Notes</h1>');
    expect(t.app.routes).toContainEqual(expect.objectContaining({ method: 'GET', url: '/notes' }));
  });

  it('hears the events it subscribed to and runs the jobs it registered', async () => {
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Paper jam', body: 'Every page jams.', customer: { email: 'c@example.com', name: 'C' }, channel: 'web' }, SYSTEM);
    await t.jobs.drain();
    expect(pinged).toEqual([{ ticketId: ticket.id }]);
  });

  it('has its recurring work run by the platform until stopped', async () => {
    const recurring = startModulesRecurring(t.services, { error: () => undefined }, [notesModule]);
    const deadline = Date.now() + 5_000;
    while (ticks < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await recurring.stop();
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('has its strings merged into the catalogues at start', () => {
    const trees = platformModules.find((m) => m.i18n?.namespace === 'trees')!.i18n!.strings['zh-CN'] as { back: string };
    expect(translator('zh-CN')('trees.back')).toBe(trees.back);
    for (const { i18n } of platformModules) {
      for (const key of i18n ? keys(i18n.strings['zh-CN']) : []) expect(translator('zh-CN')(`${i18n!.namespace}.${key}`), key).not.toBe('');
    }
  });

  it('subscribes each handler under the stable subscriber id `${module}:${event}`, unique across modules', () => {
    const made: { type: string; subscriber?: string }[] = [];
    const bus = {
      subscribe: (type: string, _handler: EventHandler, options?: SubscribeOptions) => { made.push({ type, subscriber: options?.subscriber }); return () => {}; },
    } as unknown as EventBus;
    subscribeModules([...platformModules, notesModule], t.services, bus, t.jobs);
    const ids = made.map((m) => m.subscriber);
    expect(made).toContainEqual({ type: 'ticket.created', subscriber: 'notes:ticket.created' });
    expect(made).toContainEqual({ type: 'ticket.created', subscriber: 'sla:ticket.created' });
    expect(made).toContainEqual({ type: 'message.created', subscriber: 'mail:message.created' });
    expect(new Set(ids).size).toBe(ids.length);
  });
});

