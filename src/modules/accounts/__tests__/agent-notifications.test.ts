/**
 * Notification mails to agents (issue 19, 2): assigned to you, the customer replied on your ticket,
 * an SLA target of your ticket about to be missed; in the agent's language, each kind turned off in
 * the agent's preferences, none for a disabled agent, and one mail per event however often it is delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { sampleEvent } from '../../../../test/helpers/events.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const system = { type: 'system' as const, id: null };
let agents = 0;
async function newAgent(locale: 'en' | 'zh-CN') {
  const n = ++agents;
  const agent = await t.services.accounts.createAgent(t.workspace.id, { email: `notified${n}@acme.example`, name: `Notified ${n}`, role: 'agent', password: 'a-long-password', locale }, system);
  return agent;
}
const mailsTo = async (email: string) => {
  await t.jobs.drain();
  return t.database.db.selectFrom('mail_outbox').select(['template', 'subject', 'text_body', 'locale']).where('to_address', '=', email).orderBy('created_at').execute();
};
const openTicket = (subject: string) =>
  t.services.tickets.open(t.workspace.id, { subject, body: 'The printer shows E05.', channel: 'web', customer: { email: 'printing@customer.example', name: 'Pat' } }, system);

describe('agent notification mails', () => {
  it('mails the agent a ticket is assigned to, and again when its customer replies, in the agent\'s language', async () => {
    const agent = await newAgent('zh-CN');
    const ticket = await openTicket('Paper jam on floor 3');
    await t.services.tickets.update(t.workspace.id, ticket.id, { assigneeId: agent.id }, system);
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Still jammed.' }, { type: 'customer', id: ticket.customer_id });
    // An agent's own reply and a note are not news to them.
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'On my way.' }, { type: 'agent', id: agent.id });
    const mails = await mailsTo(agent.email);
    expect(mails.map((m) => m.template)).toEqual(['agentAssigned', 'agentCustomerReplied']);
    expect(mails[0]).toMatchObject({ locale: 'zh-CN', subject: `[#${ticket.number}] 已分配给您：Paper jam on floor 3` });
    expect(mails[1]!.text_body).toContain(`/agent/inbox/${ticket.number}`);
  });

  it('mails an agent assigned by another agent, but not one who assigns the ticket to themself', async () => {
    const colleague = await newAgent('en');
    const taker = await newAgent('en');
    const actors: unknown[] = [];
    const stop = t.bus.subscribe('ticket.updated', (event) => { if (event.payload.ticket.assigneeId === taker.id) actors.push(event.payload.actor); });
    const byColleague = await openTicket('Scanner offline');
    await t.services.tickets.update(t.workspace.id, byColleague.id, { assigneeId: taker.id }, { type: 'agent', id: colleague.id });
    const self = await openTicket('Fuser noise');
    await t.services.tickets.update(t.workspace.id, self.id, { assigneeId: taker.id }, { type: 'agent', id: taker.id });
    // The same through an API token of the agent's own.
    const viaApi = await openTicket('Duplex unit');
    await t.services.tickets.update(t.workspace.id, viaApi.id, { assigneeId: taker.id }, { type: 'api', id: taker.id });
    const mails = await mailsTo(taker.email);
    expect(mails.map((m) => m.subject)).toEqual([`[#${byColleague.number}] assigned to you: Scanner offline`]);
    // The events name who acted.
    stop();
    expect(actors).toEqual([{ type: 'agent', id: colleague.id }, { type: 'agent', id: taker.id }, { type: 'api', id: taker.id }]);
  });

  it('warns of an SLA target about to be missed with its due time in the workspace\'s zone, once per event', async () => {
    await t.services.accounts.updateWorkspace(t.workspace.id, { timeZone: 'Asia/Shanghai' }, system);
    const agent = await newAgent('en');
    const ticket = await openTicket('Toner order');
    const warned = sampleEvent('sla.warned', t.workspace.id, { ticketId: ticket.id, ticketNumber: ticket.number, assigneeId: agent.id, kind: 'first_response', dueAt: '2026-12-05T09:30:00Z' });
    await t.services.agentNotifications.onSlaWarned(warned);
    await t.services.agentNotifications.onSlaWarned(warned);
    const mails = await mailsTo(agent.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`[#${ticket.number}] first response due soon: Toner order`);
    expect(mails[0]!.text_body).toContain('is due by 2026-12-05 17:30 GMT+8');
  });

  it('sends no kind the agent turned off, and nothing to a disabled agent', async () => {
    const agent = await newAgent('en');
    const login = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: agent.email, password: 'a-long-password' } });
    const headers = { cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': login.json().csrfToken };
    expect((await t.app.http.inject({ url: '/api/v1/auth/me/notifications', headers })).json()).toEqual({ assigned: true, customerReplied: true, slaWarning: true });
    const bad = await t.app.http.inject({ method: 'PUT', url: '/api/v1/auth/me/notifications', headers, payload: { assigned: 'no', customerReplied: true } });
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const saved = await t.app.http.inject({ method: 'PUT', url: '/api/v1/auth/me/notifications', headers, payload: { assigned: false, customerReplied: true, slaWarning: true } });
    expect(saved.json()).toEqual({ assigned: false, customerReplied: true, slaWarning: true });

    const ticket = await openTicket('Scanner offline');
    await t.services.tickets.update(t.workspace.id, ticket.id, { assigneeId: agent.id }, system);
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Any news?' }, { type: 'customer', id: ticket.customer_id });
    expect((await mailsTo(agent.email)).map((m) => m.template)).toEqual(['agentCustomerReplied']);

    await t.services.accounts.updateAgent(t.workspace.id, agent.id, { disabled: true }, system);
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Hello?' }, { type: 'customer', id: ticket.customer_id });
    expect(await mailsTo(agent.email)).toHaveLength(1);
  });
});
