import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
let admin: { authorization: string };
let departments: Record<string, string>;
const system = { type: 'system' as const, id: null };

beforeAll(async () => {
  t = await createTestApp();
  admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'tests', system)).token}` };
  departments = Object.fromEntries((await t.services.tickets.departments(t.workspace.id)).map((d) => [d.key, d.id]));
});
afterAll(async () => { await t.close(); });

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
/** A write's subscribers (assignment follows ticket.created and ticket.updated) have run when it returns. */
const call = async (headers: { authorization: string }, method: Method, url: string, payload?: object) => {
  const res = await t.app.http.inject({ method, url: `/api/v1${url}`, headers, payload });
  if (method !== 'GET') await t.jobs.drain();
  return res;
};
const api = (method: Method, url: string, payload?: object) => call(admin, method, url, payload);

interface Agent { id: string; name: string; auth: { authorization: string } }
let agentCount = 0;

/** A fresh agent with their own API token, set to `availability` through the API. */
async function newAgent(availability: 'online' | 'away' | 'offline' = 'online', capacity?: { ticket?: number; chat?: number }): Promise<Agent> {
  agentCount += 1;
  const name = `Agent ${agentCount}`;
  const agent = await t.services.accounts.createAgent(t.workspace.id, { email: `agent${agentCount}@acme.example`, name, role: 'agent', password: 'agent-password-1' }, system);
  const auth = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, agent.id, 'mine', system)).token}` };
  const res = await call(auth, 'PUT', '/me/availability', { availability });
  expect(res.statusCode, res.body).toBe(200);
  if (capacity) {
    const set = await api('PUT', `/routing/agents/${agent.id}`, { ticketCapacity: capacity.ticket, chatCapacity: capacity.chat });
    expect(set.statusCode, set.body).toBe(200);
  }
  return { id: agent.id, name, auth };
}

async function team(key: string, strategy: 'manual' | 'round_robin' | 'least_loaded', members: Agent[], autoAssign = strategy !== 'manual') {
  const res = await api('PUT', `/routing/departments/${departments[key]}`, { strategy, autoAssign, memberIds: members.map((m) => m.id) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function openTicket(department: string, subject = 'Printer does not print') {
  const res = await api('POST', '/tickets', { subject, body: 'Nothing comes out.', customer: { email: 'wang.fang@example.com', name: '王芳' }, department });
  expect(res.statusCode, res.body).toBe(201);
  // Assignment follows the ticket's commit (a subscriber of ticket.created): the ticket as it is now.
  const ticket = await api('GET', `/tickets/${(res.json() as { id: string }).id}`);
  return ticket.json() as { id: string; assigneeId: string | null; departmentId: string };
}

async function routingOf(agentId: string) {
  const agents = (await api('GET', '/routing/agents')).json().agents as { agentId: string; load: { ticket: number; chat: number }; openTickets: number; availability: string; capacity: { ticket: number; chat: number }; departmentIds: string[] }[];
  return agents.find((a) => a.agentId === agentId)!;
}

const countBy = (ids: (string | null)[]) => ids.reduce<Record<string, number>>((acc, id) => ({ ...acc, [id ?? 'none']: (acc[id ?? 'none'] ?? 0) + 1 }), {});

describe('availability and capacity', () => {
  it('lets agents set their own availability and admins see everyone with load, open tickets and teams', async () => {
    const agent = await newAgent('away');
    const mine = (await call(agent.auth, 'GET', '/me/availability')).json();
    expect(mine).toMatchObject({ agentId: agent.id, availability: 'away', capacity: { ticket: 20, chat: 3 }, load: { ticket: 0, chat: 0 } });
    await team('pr', 'manual', [agent]);
    await api('PUT', `/routing/agents/${agent.id}`, { ticketCapacity: 7, chatCapacity: 2 });
    const listed = await routingOf(agent.id);
    expect(listed).toMatchObject({ availability: 'away', capacity: { ticket: 7, chat: 2 }, openTickets: 0, departmentIds: [departments.pr] });
    const forbidden = await call(agent.auth, 'GET', '/routing/agents');
    expect(forbidden.json().error.code).toBe('FORBIDDEN');
  });

  it('refuses an unknown availability and capacities out of range', async () => {
    const agent = await newAgent();
    expect((await call(agent.auth, 'PUT', '/me/availability', { availability: 'sleeping' })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await api('PUT', `/routing/agents/${agent.id}`, { ticketCapacity: -1 })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await api('PUT', `/routing/agents/${agent.id}`, {})).json().error.code).toBe('VALIDATION_FAILED');
    expect((await api('PUT', `/routing/agents/${randomUUID()}`, { chatCapacity: 2 })).statusCode).toBe(404);
    expect((await call(agent.auth, 'GET', '/me/availability')).json().availability).toBe('online');
  });
});

describe('automatic ticket assignment', () => {
  it('spreads tickets evenly over three online agents by round-robin', async () => {
    const agents = [await newAgent(), await newAgent(), await newAgent()];
    await team('service', 'round_robin', agents);
    const assignees: (string | null)[] = [];
    for (let i = 0; i < 9; i++) assignees.push((await openTicket('service')).assigneeId);
    expect(Object.values(countBy(assignees))).toEqual([3, 3, 3]);
    // Each round gives each agent one ticket, in the same order.
    expect(new Set(assignees.slice(0, 3)).size).toBe(3);
    expect(assignees.slice(3, 6)).toEqual(assignees.slice(0, 3));
    expect(new Set(assignees)).toEqual(new Set(agents.map((a) => a.id)));
  });

  it('gives the next ticket to the emptiest agent by least-loaded, ties to the longest waiting', async () => {
    const [x, y, z] = [await newAgent(), await newAgent(), await newAgent()];
    await team('sales', 'manual', [x!, y!, z!]);
    // Loads by hand: x has two open tickets, y one, z none.
    for (const agent of [x!, x!, y!]) {
      const ticket = await openTicket('sales');
      expect(ticket.assigneeId).toBeNull();
      expect((await api('PATCH', `/tickets/${ticket.id}`, { assigneeId: agent.id })).statusCode).toBe(200);
    }
    expect((await routingOf(x!.id)).load.ticket).toBe(2);
    await team('sales', 'least_loaded', [x!, y!, z!]);
    const picks = [];
    for (let i = 0; i < 4; i++) picks.push((await openTicket('sales')).assigneeId);
    // z (0) · y and z tie at 1, y never picked → y · z (1 vs 2, 2) · all at 2, x never picked → x
    expect(picks).toEqual([z!.id, y!.id, z!.id, x!.id]);
  });

  it('skips away, offline and full agents, and leaves the ticket unassigned when nobody can take it', async () => {
    const away = await newAgent('away');
    const offline = await newAgent('offline');
    const one = await newAgent('online', { ticket: 1 });
    const two = await newAgent('online', { ticket: 2 });
    await team('hr', 'round_robin', [away, offline, one, two]);
    const assignees = [];
    for (let i = 0; i < 4; i++) assignees.push((await openTicket('hr')).assigneeId);
    expect(countBy(assignees)).toEqual({ [one.id]: 1, [two.id]: 2, none: 1 });
    expect((await routingOf(one.id)).load.ticket).toBe(1);
    expect((await routingOf(two.id)).load.ticket).toBe(2);
  });

  it('assigns nobody when the whole team is offline, or the team assigns by hand', async () => {
    const sleeper = await newAgent('offline');
    await team('finance', 'least_loaded', [sleeper]);
    expect((await openTicket('finance')).assigneeId).toBeNull();
    await call(sleeper.auth, 'PUT', '/me/availability', { availability: 'online' });
    await team('finance', 'least_loaded', [sleeper], false);
    expect((await openTicket('finance')).assigneeId).toBeNull();
    await team('finance', 'manual', [sleeper]);
    expect((await openTicket('finance')).assigneeId).toBeNull();
    expect(await t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.finance!, kind: 'ticket', itemId: randomUUID() })).toBeNull();
  });

  it('frees a slot when a ticket is solved, reassigned or merged, and counts reopened and hand-assigned tickets', async () => {
    const solo = await newAgent('online', { ticket: 1 });
    const other = await newAgent('offline');
    await team('pr', 'round_robin', [solo]);
    const first = await openTicket('pr');
    expect(first.assigneeId).toBe(solo.id);
    expect((await openTicket('pr')).assigneeId).toBeNull();

    await api('PATCH', `/tickets/${first.id}`, { status: 'solved' });
    expect((await routingOf(solo.id)).load.ticket).toBe(0);
    const third = await openTicket('pr');
    expect(third.assigneeId).toBe(solo.id);

    // Reassigned by hand: the slot moves with the ticket, beyond capacity if need be.
    await api('PATCH', `/tickets/${third.id}`, { assigneeId: other.id });
    expect((await routingOf(solo.id)).load.ticket).toBe(0);
    expect((await routingOf(other.id)).load.ticket).toBe(1);

    // The solved ticket comes back (the customer wrote again): it counts again.
    await api('PATCH', `/tickets/${first.id}`, { status: 'open' });
    expect((await routingOf(solo.id)).load).toEqual({ ticket: 1, chat: 0 });
    expect((await openTicket('pr')).assigneeId).toBeNull();

    // Merged away: the duplicate is closed, its slot free.
    const survivor = await t.services.tickets.open(t.workspace.id, { subject: 'same', body: 'x', channel: 'web', customer: { email: 'wang.fang@example.com', name: '王芳' } }, system);
    await t.jobs.drain(); // ticket.created reaches routing as it would after the commit
    await api('POST', `/tickets/${first.id}/merge`, { intoId: survivor.id });
    expect((await routingOf(solo.id)).load.ticket).toBe(0);

    for (const agent of [solo, other]) {
      const row = await routingOf(agent.id);
      expect(row.load.ticket, agent.name).toBe(row.openTickets);
    }
    const history = await t.services.routing.assignments(t.workspace.id, 'ticket', third.id);
    expect(history.map((h) => [h.reason, h.agent_id])).toEqual([['round_robin', solo.id], ['manual', other.id]]);
  });

  it('assigns an unassigned ticket moved into a team that routes automatically', async () => {
    const agent = await newAgent();
    await team('finance', 'round_robin', [agent]);
    await team('hr', 'manual', []);
    const ticket = await openTicket('hr');
    expect(ticket.assigneeId).toBeNull();
    const moved = await api('PATCH', `/tickets/${ticket.id}`, { departmentId: departments.finance });
    expect(moved.statusCode).toBe(200);
    expect((await api('GET', `/tickets/${ticket.id}`)).json().assigneeId).toBe(agent.id);
  });

  it('gives exactly the free slots away when 20 tickets arrive at once for a team with capacity 10', async () => {
    const agents = [await newAgent('online', { ticket: 3 }), await newAgent('online', { ticket: 3 }), await newAgent('online', { ticket: 4 })];
    await team('service', 'least_loaded', agents);
    const tickets = await Promise.all(Array.from({ length: 20 }, (_, i) => openTicket('service', `Burst ${i}`)));
    const assigned = tickets.filter((x) => x.assigneeId);
    expect(assigned).toHaveLength(10);
    const counts = countBy(assigned.map((x) => x.assigneeId));
    const opens = await t.services.tickets.openTicketCounts(t.workspace.id, agents.map((a) => a.id));
    for (const [i, agent] of agents.entries()) {
      const capacity = i === 2 ? 4 : 3;
      expect(counts[agent.id], agent.name).toBe(capacity);
      expect(Number(opens.find((o) => o.assignee_id === agent.id)?.n), agent.name).toBe(capacity);
      expect((await routingOf(agent.id)).load.ticket, agent.name).toBe(capacity);
    }
  });

  it('gives a claim back that was never carried out, after a minute', async () => {
    const agent = await newAgent('online', { ticket: 1 });
    await team('sales', 'round_robin', [agent]);
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'x', body: 'y', channel: 'web', customer: { email: 'a@b.example', name: 'A' } }, system);
    await t.jobs.drain(); // ticket.created reaches routing as it would after the commit
    // Somebody picked an agent for this (department-less) ticket and never assigned it.
    expect(await t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.sales!, kind: 'ticket', itemId: ticket.id })).toBe(agent.id);
    expect((await openTicket('sales')).assigneeId).toBeNull();
    t.clock.set(new Date(Date.now() + 61_000));
    try {
      expect((await openTicket('sales')).assigneeId).toBe(agent.id);
    } finally {
      t.clock.set(new Date());
    }
  });
});

describe('redelivered events', () => {
  it('finishes an assignment whose claim a crash cut off from the ticket\'s update, once', async () => {
    const agent = await newAgent();
    await team('finance', 'round_robin', [agent]);
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Refund', body: 'Please', channel: 'web', customer: { email: 'crash@b.example', name: 'C' } }, system);
    await t.jobs.drain(); // ticket.created reaches routing as it would after the commit
    await t.database.db.updateTable('tickets').set({ department_id: departments.finance!, assignee_id: null }).where('id', '=', ticket.id).execute();
    // ticket.created's handler claimed the agent, and the process died before the ticket showed it.
    expect(await t.services.routing.claim(t.workspace.id, { departmentId: departments.finance!, kind: 'ticket', itemId: ticket.id })).toEqual({ agentId: agent.id, claimed: true });
    const delivered = { id: ticket.id, departmentId: departments.finance!, assigneeId: null, status: 'new', channel: 'web' };
    expect(await t.services.routing.autoAssignTicket(t.workspace.id, delivered)).toBe(agent.id);
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).assignee_id).toBe(agent.id);
    // Delivered once more: nothing changes.
    expect(await t.services.routing.autoAssignTicket(t.workspace.id, delivered)).toBeNull();
    const decisions = await t.services.routing.assignments(t.workspace.id, 'ticket', ticket.id);
    expect(decisions.map((d) => d.agent_id)).toEqual([agent.id]);
    expect((await routingOf(agent.id)).load.ticket).toBe(1);
  });
});

describe('a batch of new tickets', () => {
  /** New tickets of these teams as `ticket.created` carries them, not yet routed (opened without a team, then moved there). */
  async function unrouted(keys: string[]) {
    const events: never[] = [];
    for (const key of keys) {
      const ticket = await t.services.tickets.open(t.workspace.id, { subject: `Batch ${key}`, body: 'Please', channel: 'web', customer: { email: `batch-${key}@b.example`, name: 'B' } }, system);
      await t.jobs.drain();
      await t.database.db.updateTable('tickets').set({ department_id: departments[key]!, assignee_id: null }).where('id', '=', ticket.id).execute();
      events.push({
        id: randomUUID(), type: 'ticket.created', workspaceId: t.workspace.id, occurredAt: new Date().toISOString(),
        payload: { ticket: { id: ticket.id, departmentId: departments[key]!, assigneeId: null, status: 'new', channel: 'web' }, messageId: randomUUID() },
      } as never);
    }
    return events;
  }
  const assignees = async (events: { payload: { ticket: { id: string } } }[]) =>
    Promise.all(events.map(async (e) => (await t.services.tickets.ticket(t.workspace.id, e.payload.ticket.id)).assignee_id));

  it('assigns them as one by one would, finishing a claim a crash cut off, and looks at a team nobody can take from once for the batch', async () => {
    const agent = await newAgent('online', { ticket: 2 });
    const sleeper = await newAgent('offline');
    await team('hr', 'round_robin', [agent]);
    await team('pr', 'least_loaded', [sleeper]);
    await team('sales', 'manual', [agent]);
    const events = await unrouted(['hr', 'pr', 'hr', 'sales', 'hr', 'pr']);
    // The first hr ticket was claimed before a crash cut the claim off from the ticket's update.
    const crashed = (events[0] as unknown as { payload: { ticket: { id: string } } }).payload.ticket.id;
    expect(await t.services.routing.claim(t.workspace.id, { departmentId: departments.hr!, kind: 'ticket', itemId: crashed })).toEqual({ agentId: agent.id, claimed: true });
    await t.services.routing.onTicketsCreated(events);
    await t.jobs.drain();
    // Capacity 2: the claimed ticket and the next hr ticket; the third finds the agent full.
    expect(await assignees(events)).toEqual([agent.id, null, agent.id, null, null, null]);
    expect((await routingOf(agent.id)).load.ticket).toBe(2);
    // Delivered again (the batch's commit was lost): nothing changes.
    await t.services.routing.onTicketsCreated(events);
    await t.jobs.drain();
    expect(await assignees(events)).toEqual([agent.id, null, agent.id, null, null, null]);
    expect((await routingOf(agent.id)).load.ticket).toBe(2);
    expect((await t.services.routing.assignments(t.workspace.id, 'ticket', crashed)).map((a) => a.agent_id)).toEqual([agent.id]);

    const statements = vi.spyOn(pg.Client.prototype, 'query');
    try {
      // The look for abandoned claims (once per 10 s per workspace) is not the batch's own.
      const isOwn = ([text]: unknown[]) => !/"confirmed" = /.test(typeof text === 'string' ? text : (text as { text?: string } | undefined)?.text ?? '');
      const count = async (batch: never[]) => {
        statements.mockClear();
        await t.services.routing.onTicketsCreated(batch);
        return statements.mock.calls.filter(isOwn).length;
      };
      const few = await count(await unrouted(['pr', 'pr']));
      const many = await count(await unrouted(['pr', 'pr', 'pr', 'pr', 'pr', 'pr', 'pr', 'pr']));
      expect(many).toBe(few);
      expect(many).toBe(2); // the batch's holdings, and which of its teams have room

      const offShift = await unrouted(['pr', 'pr', 'pr', 'pr', 'pr', 'pr', 'pr', 'pr']);
      statements.mockClear();
      for (const event of offShift) await t.services.routing.onTicketCreated(event);
      expect(statements.mock.calls.filter(isOwn).length).toBeGreaterThanOrEqual(8 * 3);
    } finally {
      statements.mockRestore();
    }
  });

  it('assigns tickets moved to another team as one by one would, claiming nothing where nobody could take them', async () => {
    const agent = await newAgent('online', { ticket: 1 });
    const sleeper = await newAgent('offline');
    await team('hr', 'round_robin', [agent]);
    await team('pr', 'least_loaded', [sleeper]);
    const created = await unrouted(['sales', 'sales', 'sales', 'sales']);
    const moved = (event: never, to: string) => {
      const { ticket } = (event as { payload: { ticket: { id: string; departmentId: string } } }).payload;
      return {
        id: randomUUID(), type: 'ticket.updated', workspaceId: t.workspace.id, occurredAt: new Date().toISOString(),
        payload: { ticket: { ...ticket, departmentId: departments[to]!, urgency: 1 }, changes: { departmentId: [ticket.departmentId, departments[to]!] }, actor: system },
      } as never;
    };
    const isOwn = ([text]: unknown[]) => !/"confirmed" = /.test(typeof text === 'string' ? text : (text as { text?: string } | undefined)?.text ?? '');
    const statements = vi.spyOn(pg.Client.prototype, 'query');
    try {
      // Two moved into a team off shift: one look at both, no claim.
      await t.services.routing.onTicketsUpdated([moved(created[0]!, 'pr'), moved(created[1]!, 'pr')]);
      const sent = statements.mock.calls.filter(isOwn).map(([text]) => String((text as { text?: string })?.text ?? text));
      // The team settings were read afresh (just changed); then the batch's holdings and its teams with room.
      expect(sent.filter((text) => !text.includes('from "routing_departments"'))).toEqual([
        expect.stringContaining('from "routing_holdings"'), expect.stringContaining('from "routing_agents" as "a"'),
      ]);
    } finally {
      statements.mockRestore();
    }
    // Two moved into a team with one free slot: the first gets it, the second finds the agent full.
    await t.services.routing.onTicketsUpdated([moved(created[2]!, 'hr'), moved(created[3]!, 'hr')]);
    await t.jobs.drain();
    expect(await assignees(created)).toEqual([null, null, agent.id, null]);
    expect((await routingOf(agent.id)).load.ticket).toBe(1);
  });
});

describe('picking for chats', () => {
  it('never gives more concurrent chats than capacity under simultaneous picks, and frees slots on release', async () => {
    const agents = [await newAgent('online', { chat: 2 }), await newAgent('online', { chat: 3 })];
    await team('pr', 'round_robin', agents);
    const chats = Array.from({ length: 20 }, () => randomUUID());
    const picks = await Promise.all(chats.map((itemId) => t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.pr!, kind: 'chat', itemId })));
    expect(countBy(picks)).toEqual({ [agents[0]!.id]: 2, [agents[1]!.id]: 3, none: 15 });
    // Asking again for a chat already held answers its holder and takes no second slot.
    const held = chats[picks.findIndex((p) => p)]!;
    expect(await t.services.routing.claim(t.workspace.id, { departmentId: departments.pr!, kind: 'chat', itemId: held })).toEqual({ agentId: picks.find((p) => p), claimed: false });
    expect(await t.services.routing.release(t.workspace.id, { kind: 'chat', itemId: held })).toBe(picks.find((p) => p));
    const next = await t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.pr!, kind: 'chat', itemId: randomUUID(), exclude: [] });
    expect(next).toBe(picks.find((p) => p));
    // Re-offer after a timeout: everyone but the agent who let it ring.
    const other = await t.services.routing.release(t.workspace.id, { kind: 'chat', itemId: chats[picks.lastIndexOf(agents[1]!.id)]! });
    expect(other).toBe(agents[1]!.id);
    expect(await t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.pr!, kind: 'chat', itemId: randomUUID(), exclude: [agents[1]!.id] })).toBeNull();
    expect((await routingOf(agents[0]!.id)).load).toEqual({ ticket: 0, chat: 2 });
  });
});

describe('picking while other picks are under way', () => {
  it('looks once when nobody in the team is free, twice only when every free agent is locked by another pick', async () => {
    const agent = await newAgent('offline', { chat: 1 });
    await team('sales', 'round_robin', [agent]);
    const isLook = (text: unknown) => /from "routing_agents" as "a"/.test(typeof text === 'string' ? text : (text as { text?: string } | undefined)?.text ?? '');
    const pick = () => t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.sales!, kind: 'chat', itemId: randomUUID() });
    const statements = vi.spyOn(pg.Client.prototype, 'query');
    try {
      expect(await pick()).toBeNull();
      expect(statements.mock.calls.filter(([text]) => isLook(text))).toHaveLength(1);

      await call(agent.auth, 'PUT', '/me/availability', { availability: 'online' });
      statements.mockClear();
      // Another transaction holds the only free agent until the pick's first look has been answered.
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => { locked = resolve; });
      const holder = t.database.db.transaction().execute(async (trx) => {
        await sql`select 1 from routing_agents where agent_id = ${agent.id} for update`.execute(trx);
        locked();
        for (;;) {
          const first = statements.mock.calls.findIndex(([text]) => isLook(text));
          if (first >= 0) return void await statements.mock.results[first]!.value;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      });
      await isLocked;
      expect(await pick()).toBe(agent.id);
      await holder;
      expect(statements.mock.calls.filter(([text]) => isLook(text))).toHaveLength(2);
    } finally {
      statements.mockRestore();
    }
  });

  it('waits for an agent another transaction has locked instead of answering nobody', async () => {
    const agent = await newAgent('online', { chat: 1 });
    await team('sales', 'round_robin', [agent]);
    let locked!: () => void;
    let unlock!: () => void;
    const isLocked = new Promise<void>((resolve) => { locked = resolve; });
    const unlocked = new Promise<void>((resolve) => { unlock = resolve; });
    const holder = t.database.db.transaction().execute(async (trx) => {
      await sql`select 1 from routing_agents where agent_id = ${agent.id} for update`.execute(trx);
      locked();
      await unlocked;
    });
    await isLocked;
    let settled = false;
    const pick = t.services.routing.pickAgent(t.workspace.id, { departmentId: departments.sales!, kind: 'chat', itemId: randomUUID() })
      .finally(() => { settled = true; });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    unlock();
    await holder;
    expect(await pick).toBe(agent.id);
  });
});

describe('team settings', () => {
  it('lists teams with their members, strategy and switch', async () => {
    const agent = await newAgent();
    await team('hr', 'least_loaded', [agent, agent]);
    const listed = (await api('GET', '/routing/departments')).json().departments;
    expect(listed.find((d: { key: string }) => d.key === 'hr')).toMatchObject({ id: departments.hr, strategy: 'least_loaded', autoAssign: true, memberIds: [agent.id] });
    const one = await call(agent.auth, 'GET', `/routing/departments/${departments.hr}`);
    expect(one.json()).toMatchObject({ key: 'hr', memberIds: [agent.id] });
  });

  it('refuses unknown departments, strangers as members, bad strategies and non-admins, changing nothing', async () => {
    const agent = await newAgent();
    await team('hr', 'round_robin', [agent]);
    const before = (await api('GET', `/routing/departments/${departments.hr}`)).json();

    const unknown = await api('PUT', `/routing/departments/${randomUUID()}`, { strategy: 'round_robin', autoAssign: true, memberIds: [] });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'DEPARTMENT_NOT_FOUND']);
    expect((await api('GET', `/routing/departments/${randomUUID()}`)).json().error.code).toBe('DEPARTMENT_NOT_FOUND');
    await expect(t.services.routing.pickAgent(t.workspace.id, { departmentId: randomUUID(), kind: 'ticket', itemId: randomUUID() }))
      .rejects.toMatchObject({ code: 'DEPARTMENT_UNKNOWN' });

    const other = await t.addWorkspace('other');
    const stranger = await api('PUT', `/routing/departments/${departments.hr}`, { strategy: 'round_robin', autoAssign: true, memberIds: [agent.id, other.admin.id] });
    expect([stranger.statusCode, stranger.json().error.code]).toEqual([400, 'MEMBER_UNKNOWN']);
    expect(stranger.json().error.details).toEqual({ agentIds: [other.admin.id] });

    const badStrategy = await api('PUT', `/routing/departments/${departments.hr}`, { strategy: 'random', autoAssign: true, memberIds: [] });
    expect(badStrategy.json().error.code).toBe('VALIDATION_FAILED');
    const manualAuto = await api('PUT', `/routing/departments/${departments.hr}`, { strategy: 'manual', autoAssign: true, memberIds: [] });
    expect(manualAuto.json().error.code).toBe('VALIDATION_FAILED');
    const notAnId = await api('PUT', `/routing/departments/${departments.hr}`, { strategy: 'manual', autoAssign: false, memberIds: ['me'] });
    expect(notAnId.json().error.code).toBe('VALIDATION_FAILED');
    const notAdmin = await call(agent.auth, 'PUT', `/routing/departments/${departments.hr}`, { strategy: 'manual', autoAssign: false, memberIds: [] });
    expect(notAdmin.json().error.code).toBe('FORBIDDEN');

    expect((await api('GET', `/routing/departments/${departments.hr}`)).json()).toEqual(before);
  });
});
