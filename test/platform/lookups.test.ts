import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * "Not found" is a `find*` answering undefined, never a catch that turns every failure into it:
 * a database that fails mid-lookup must surface as a failure (a logged 500, a job retried), not as
 * a missing row that refuses the request, files a reply as a new ticket or skips a notification.
 */

let t: TestApp;
let admin: { authorization: string };
const SYSTEM = { type: 'system' as const, id: null };
const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
/** The repository behind a service: where a real database failure would come from. */
const repoOf = <R>(service: object) => (service as { repo: R }).repo;

beforeAll(async () => {
  t = await createTestApp();
  admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'admin', SYSTEM)).token}` };
});
afterEach(() => { vi.restoreAllMocks(); });
afterAll(async () => { await t?.close(); });

describe('a lookup whose database fails', () => {
  it('is the failure, not TICKET_NOT_FOUND, when a customer opens their ticket', async () => {
    const ticket = await t.services.tickets.open(t.workspace.id, {
      subject: 'Broken hinge', body: 'The lid hinge broke.', channel: 'web', customer: { email: 'hinge@example.com', name: 'Hinge' },
    }, SYSTEM);
    const repo = repoOf<{ ticket: (...args: unknown[]) => Promise<unknown> }>(t.services.tickets);
    vi.spyOn(repo, 'ticket').mockRejectedValueOnce(lost());
    await expect(t.services.tickets.customerTicket(t.workspace.id, ticket.customer_id, ticket.id)).rejects.toMatchObject({ code: '57P01' });
    // With the database back, the same call finds it, and an id that is no UUID is simply not found.
    expect((await t.services.tickets.customerTicket(t.workspace.id, ticket.customer_id, ticket.id)).id).toBe(ticket.id);
    await expect(t.services.tickets.customerTicket(t.workspace.id, ticket.customer_id, 'not-a-uuid')).rejects.toMatchObject({ code: 'TICKET_NOT_FOUND' });
  });

  it('answers 500, not 400 SLA_ESCALATION_INVALID, when the escalation\'s agent cannot be read', async () => {
    const hr = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'hr')!;
    const policy = { name: 'HR escalates to the admin', urgency: 2, departmentId: hr.id, firstResponseMinutes: 60, escalations: [{ action: 'reassign', agentId: t.workspace.admin.id }] };
    const repo = repoOf<{ agentById: (...args: unknown[]) => Promise<unknown> }>(t.services.accounts);
    vi.spyOn(repo, 'agentById').mockRejectedValueOnce(lost());
    const failed = await t.app.http.inject({ method: 'POST', url: '/api/v1/sla/policies', headers: admin, payload: policy });
    expect([failed.statusCode, failed.json().error.code]).toEqual([500, 'INTERNAL']);
    const created = await t.app.http.inject({ method: 'POST', url: '/api/v1/sla/policies', headers: admin, payload: policy });
    expect(created.statusCode, created.body).toBe(201);
  });
});
