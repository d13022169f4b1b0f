import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TestApp } from '../helpers/app.js';
import { checkIsolation, idFields, type IsolationCheck } from './isolation-checker.js';
import { isolationSetup } from './isolation-setup.js';

/**
 * The test of the test: the cross-workspace checker, run on the app with deliberately leaking
 * routes added, must name each of them; and must refuse to pass a route it cannot probe.
 */
let t: TestApp;
let check: IsolationCheck;
beforeAll(async () => {
  ({ t, check } = await isolationSetup());
  const db = t.database.db;
  const http = t.app.http;
  // Each route forgets the workspace in one place an id can travel.
  http.get('/api/v1/leaky/tickets/:id', { schema: { params: z.object({ id: z.string().uuid() }) } },
    async (request) => db.selectFrom('tickets').select('subject').where('id', '=', request.params.id).executeTakeFirstOrThrow());
  http.get('/api/v1/leaky/lookup', { schema: { querystring: z.object({ ticketId: z.string().uuid() }) } },
    async (request) => db.selectFrom('tickets').select('subject').where('id', '=', request.query.ticketId).executeTakeFirst() ?? {});
  http.post('/api/v1/leaky/bulk', { schema: { body: z.object({ ids: z.array(z.string().uuid()) }) } }, async (request) => {
    await db.updateTable('tickets').set({ tags: ['touched'] }).where('id', 'in', request.body.ids).execute();
    return { ok: true };
  });
  http.post('/api/v1/leaky/links', { schema: { body: z.object({ relatedId: z.string().uuid() }) } }, async (request) => {
    // Stores another workspace's id in one of the caller's rows: a dangling reference.
    await sql`update tickets set custom_fields = ${JSON.stringify({ link: request.body.relatedId })} where workspace_id = ${check.intruder.id}`.execute(db);
    return { ok: true };
  });
  // Routes the checker cannot fill: an id in the path with no probe, an id field the probe leaves out.
  http.get('/api/v1/unprobed/:id', async () => ({}));
  http.post('/api/v1/unprobed-body', { schema: { body: z.object({ webhookId: z.string().uuid().optional() }) } }, async () => ({}));
});
afterAll(async () => { await t?.close(); });

describe('the cross-workspace checker', () => {
  it('finds ids in schemas by name and by uuid format, inside objects and arrays', () => {
    const schema = z.strictObject({
      ids: z.array(z.string().uuid()), changes: z.object({ assigneeId: z.string().nullable(), subject: z.string() }),
      escalations: z.array(z.object({ agentId: z.string() })), owner: z.string().uuid(), externalId: z.string(), q: z.string(),
    });
    expect(idFields(schema).sort()).toEqual(['changes.assigneeId', 'escalations[].agentId', 'ids', 'owner']);
  });

  it('names every leaking route added to the app, and every route it cannot probe', async () => {
    const report = await checkIsolation({
      ...check,
      probes: {
        'GET /api/v1/leaky/tickets/:id': (p) => ({ url: `/api/v1/leaky/tickets/${p.ticket}` }),
        'GET /api/v1/leaky/lookup': (_, o) => ({ url: '/api/v1/leaky/lookup', query: { ticketId: o.ticket } }),
        'POST /api/v1/leaky/bulk': (_, o) => ({ url: '/api/v1/leaky/bulk', payload: { ids: [o.ticket] } }),
        'POST /api/v1/leaky/links': (_, o) => ({ url: '/api/v1/leaky/links', payload: { relatedId: o.relatedTicket } }),
        'POST /api/v1/unprobed-body': () => ({ url: '/api/v1/unprobed-body', payload: {} }),
      },
    });
    const about = (route: string) => report.violations.filter((v) => v.startsWith(route));
    expect(about('GET /api/v1/leaky/tickets/:id')).toEqual([
      expect.stringMatching(/with a foreign path .* → 200 leaked the victim's subject$/),
      'GET /api/v1/leaky/tickets/:id with a foreign path answered 200, not one of 401/403/404',
    ]);
    expect(about('GET /api/v1/leaky/lookup')).toEqual([expect.stringMatching(/with a foreign ticketId in the querystring .* → 200 leaked the victim's subject$/)]);
    expect(about('POST /api/v1/leaky/bulk')).toEqual([expect.stringMatching(/with a foreign ids in the body .* → 200 changed the victim's tickets$/)]);
    expect(about('POST /api/v1/leaky/links')).toEqual([expect.stringMatching(/with a foreign relatedId in the body .* made a row of the intruder's tickets name the victim's ids$/)]);
    expect(about('GET /api/v1/unprobed/:id')).toEqual(['GET /api/v1/unprobed/:id has no probe in route-probes.ts']);
    expect(about('POST /api/v1/unprobed-body')).toEqual(['POST /api/v1/unprobed-body: the probe\'s body has no fixture id in webhookId']);
  }, 180_000); // probes every route of the app, as the cross-workspace test does
});
