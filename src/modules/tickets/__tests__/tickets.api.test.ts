import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TicketsRepo } from '../tickets.repo.js';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
let auth: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  const token = await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'tests', { type: 'system', id: null });
  auth = { authorization: `Bearer ${token.token}` };
});
afterAll(async () => { await t.close(); });

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers: auth, payload });

async function openTicket(overrides: object = {}) {
  const res = await api('POST', '/tickets', {
    subject: 'Printer jams on every page', body: 'My P200 jams on every page since yesterday.',
    customer: { email: 'li.na@example.com', name: '李娜' }, department: 'service', urgency: 2, ...overrides,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('tickets API', () => {
  it('seeds the five departments and urgency names for a new workspace', async () => {
    const departments = (await api('GET', '/departments')).json().departments.map((d: { key: string }) => d.key);
    expect(departments).toEqual(['service', 'sales', 'pr', 'hr', 'finance']);
    const settings = (await api('GET', '/ticket-settings')).json();
    expect(settings.urgencyNames.en).toEqual(['Thanks', 'Normal', 'Urgent', 'Critical', 'Red alert']);
  });

  it('opens tickets with consecutive numbers and finds them by number', async () => {
    const first = await openTicket();
    const second = await openTicket({ subject: 'Second' });
    expect(second.number).toBe(first.number + 1);
    expect(first).toMatchObject({ status: 'new', urgency: 2, channel: 'api' });
    const byNumber = (await api('GET', `/tickets/by-number/${first.number}`)).json();
    expect(byNumber.id).toBe(first.id);
  });

  it('gives every ticket its own number under concurrent creation, in fewer counter statements than tickets', async () => {
    const counter = vi.spyOn(TicketsRepo.prototype, 'nextNumbers');
    try {
      const created = await Promise.all(Array.from({ length: 20 }, (_, i) => openTicket({ subject: `Concurrent ${i}` })));
      const numbers = created.map((c) => c.number).sort((a, b) => a - b);
      expect(new Set(numbers).size).toBe(20);
      // No gaps: the tickets that queued behind a counter statement share the next one's range.
      expect(numbers.at(-1)! - numbers[0]!).toBe(19);
      expect(counter.mock.calls.length).toBeLessThan(20);
      expect(counter.mock.calls.reduce((sum, [, , count]) => sum + count, 0)).toBe(20);
    } finally {
      counter.mockRestore();
    }
  });

  it('takes no number for an unknown department, even when it queued with tickets that take one', async () => {
    const before = (await openTicket()).number;
    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => api('POST', '/tickets', { subject: 'Known', body: 'x', customer: { email: 'a@example.com', name: 'A' }, department: 'service' })),
      ...Array.from({ length: 3 }, () => api('POST', '/tickets', { subject: 'Unknown', body: 'x', customer: { email: 'a@example.com', name: 'A' }, department: 'nope' })),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 400, 400, 400]);
    expect(results.slice(3).map((r) => r.json().error.code)).toEqual(Array(3).fill('DEPARTMENT_UNKNOWN'));
    expect(results.slice(0, 3).map((r) => r.json().number).sort()).toEqual([before + 1, before + 2, before + 3]);
    expect((await openTicket()).number).toBe(before + 4);
  });

  it('keeps a conversation: reply, note, status moves, first response time', async () => {
    const ticket = await openTicket();
    const reply = await api('POST', `/tickets/${ticket.id}/messages`, { kind: 'reply', body: 'Please send a photo of the paper path.' });
    expect(reply.statusCode).toBe(201);
    const note = await api('POST', `/tickets/${ticket.id}/messages`, { kind: 'note', body: 'Probably the roller.' });
    expect(note.json().kind).toBe('note');
    const after = (await api('GET', `/tickets/${ticket.id}`)).json();
    expect(after.status).toBe('pending');
    expect(after.firstResponseAt).not.toBeNull();
    const thread = (await api('GET', `/tickets/${ticket.id}/messages`)).json().messages;
    expect(thread.map((m: { kind: string; authorType: string }) => `${m.authorType}:${m.kind}`)).toEqual(['customer:reply', 'agent:reply', 'agent:note']);
  });

  it('renders HTML in messages inert', async () => {
    const ticket = await openTicket();
    const res = await api('POST', `/tickets/${ticket.id}/messages`, { kind: 'reply', body: '', bodyHtml: '<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">link</a></p>' });
    expect(res.statusCode).toBe(201);
    const html = res.json().bodyHtml as string;
    expect(html).not.toMatch(/script|onerror|onclick|javascript:/i);
    expect(res.json().bodyText).toContain('Hi');
  });

  it('refuses unknown departments, urgencies, statuses and assignees, storing nothing', async () => {
    const before = (await api('GET', '/tickets?view=all&limit=200')).json().tickets.length;
    const badDepartment = await api('POST', '/tickets', { subject: 'x', body: 'y', customer: { email: 'a@b.co', name: 'A' }, department: 'marketing' });
    expect(badDepartment.json().error.code).toBe('DEPARTMENT_UNKNOWN');
    const badUrgency = await api('POST', '/tickets', { subject: 'x', body: 'y', customer: { email: 'a@b.co', name: 'A' }, urgency: 7 });
    expect(badUrgency.json().error.code).toBe('VALIDATION_FAILED');
    const ticket = await openTicket();
    const badStatus = await api('PATCH', `/tickets/${ticket.id}`, { status: 'archived' });
    expect(badStatus.json().error.code).toBe('VALIDATION_FAILED');
    const badAssignee = await api('PATCH', `/tickets/${ticket.id}`, { assigneeId: '00000000-0000-4000-8000-000000000000' });
    expect(badAssignee.json().error.code).toBe('ASSIGNEE_UNKNOWN');
    expect((await api('GET', '/tickets?view=all&limit=200')).json().tickets.length).toBe(before + 1);
  });

  it('lists inbox views with keyset pages that neither skip nor repeat', async () => {
    for (let i = 0; i < 7; i++) await openTicket({ subject: `Paged ${i}`, tags: ['paged'] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await api('GET', `/tickets?view=all&tag=paged&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json() as { tickets: { id: string }[]; nextCursor: string | null };
      seen.push(...page.tickets.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const badCursor = await api('GET', '/tickets?cursor=garbage');
    expect(badCursor.json().error.code).toBe('CURSOR_INVALID');
  });

  it('assigns, and shows the ticket in "mine" but not in "unassigned"', async () => {
    const ticket = await openTicket({ subject: 'Assign me' });
    await api('PATCH', `/tickets/${ticket.id}`, { assigneeId: t.workspace.admin.id });
    const mine = (await api('GET', '/tickets?view=mine&limit=200')).json().tickets.map((x: { id: string }) => x.id);
    const unassigned = (await api('GET', '/tickets?view=unassigned&limit=200')).json().tickets.map((x: { id: string }) => x.id);
    expect(mine).toContain(ticket.id);
    expect(unassigned).not.toContain(ticket.id);
  });

  it('merges, splits and links tickets', async () => {
    const a = await openTicket({ subject: 'Original' });
    const b = await openTicket({ subject: 'Duplicate' });
    const merged = await api('POST', `/tickets/${b.id}/merge`, { intoId: a.id });
    expect(merged.statusCode).toBe(200);
    const thread = (await api('GET', `/tickets/${a.id}/messages`)).json().messages;
    expect(thread).toHaveLength(2);
    expect((await api('GET', `/tickets/${b.id}`)).json()).toMatchObject({ mergedIntoId: a.id, status: 'closed' });
    const again = await api('POST', `/tickets/${b.id}/merge`, { intoId: a.id });
    expect(again.json().error.code).toBe('TICKET_MERGE_INVALID');

    const split = await api('POST', `/messages/${thread[1].id}/split`, { subject: 'Split out' });
    expect(split.statusCode).toBe(201);
    const links = (await api('GET', `/tickets/${a.id}/links`)).json().links;
    expect(links.map((l: { id: string }) => l.id)).toEqual([split.json().id]);
    expect((await api('GET', `/tickets/${a.id}/messages`)).json().messages).toHaveLength(1);

    // The only message left cannot be split off: that would leave an empty ticket.
    const lastOne = await api('POST', `/messages/${thread[0].id}/split`, {});
    expect(lastOne.statusCode).toBe(409);
    expect(lastOne.json().error.code).toBe('TICKET_SPLIT_INVALID');
    expect((await api('GET', `/tickets/${a.id}/messages`)).json().messages).toHaveLength(1);
    expect((await api('GET', `/tickets/${a.id}/links`)).json().links).toHaveLength(1);
  });

  it('applies bulk changes ticket by ticket', async () => {
    const a = await openTicket();
    const b = await openTicket();
    const res = await api('POST', '/tickets/bulk', { ids: [a.id, b.id, '00000000-0000-4000-8000-000000000000'], changes: { status: 'solved', tags: ['bulk'] } });
    expect(res.json().results).toEqual([
      { id: a.id, ok: true }, { id: b.id, ok: true }, { id: '00000000-0000-4000-8000-000000000000', ok: false, code: 'TICKET_NOT_FOUND' },
    ]);
    expect((await api('GET', `/tickets/${a.id}`)).json()).toMatchObject({ status: 'solved', tags: ['bulk'] });
  });

  it('never stores one external message id twice', async () => {
    const first = await openTicket({ externalId: '<abc@mail.example>' });
    const second = await openTicket({ externalId: '<abc@mail.example>' });
    expect(second.id).toBe(first.id);
  });
});

describe('team view', () => {
  it('shows an agent the tickets of their teams only, and nothing when they are in none', async () => {
    const sales = (await api('GET', '/departments')).json().departments.find((d: { key: string }) => d.key === 'sales');
    const salesTicket = await openTicket({ subject: 'Quote for 20 printers', department: 'sales' });
    const serviceTicket = await openTicket({ subject: 'Service question', department: 'service' });
    const before = (await api('GET', '/tickets?view=team&limit=200')).json().tickets;
    expect(before).toEqual([]);
    await t.services.routing.configureDepartment(t.workspace.id, sales.id, { strategy: 'manual', autoAssign: false, memberIds: [t.workspace.admin.id] }, { type: 'system', id: null });
    const ids = (await api('GET', '/tickets?view=team&limit=200')).json().tickets.map((x: { id: string }) => x.id);
    expect(ids).toContain(salesTicket.id);
    expect(ids).not.toContain(serviceTicket.id);
  });
});

describe('solving', () => {
  it('announces ticket.solved whether the agent solves with a reply or with a status change', async () => {
    const solved: string[] = [];
    const unsubscribe = t.bus.subscribe('ticket.solved', (event) => { solved.push(event.payload.ticket.id); });
    const a = await openTicket();
    const b = await openTicket();
    await api('POST', `/tickets/${a.id}/messages`, { kind: 'reply', body: 'Fixed with a firmware update.', status: 'solved' });
    await api('PATCH', `/tickets/${b.id}`, { status: 'solved' });
    await t.jobs.drain(); // the listener has been handed every event so far
    unsubscribe();
    // with durable events, a solve made by an earlier test of this file may still be on its way
    expect(solved.filter((id) => id === a.id || id === b.id)).toEqual([a.id, b.id]);
  });

  it('reports changes under the ticket\'s own field names, not the database columns', async () => {
    const changes: unknown[] = [];
    const ticket = await openTicket();
    // only this ticket's changes: an earlier test's update may still be on its way with durable events
    const unsubscribe = t.bus.subscribe('ticket.updated', (event) => { if (event.payload.ticket.id === ticket.id) changes.push(event.payload.changes); });
    const { departments } = (await api('GET', '/departments')).json() as { departments: { id: string }[] };
    const res = await api('PATCH', `/tickets/${ticket.id}`, { departmentId: departments[4]!.id, assigneeId: t.workspace.admin.id, customFields: { order: 'A-1' } });
    expect(res.statusCode, res.body).toBe(200);
    await t.jobs.drain();
    unsubscribe();
    expect(changes).toEqual([{
      departmentId: [expect.not.stringMatching(departments[4]!.id), departments[4]!.id], assigneeId: [null, t.workspace.admin.id], customFields: [{}, { order: 'A-1' }],
    }]);
  });
});

describe('inbox search', () => {
  const found = async (q: string) => ((await api('GET', `/tickets?view=all&limit=50&q=${encodeURIComponent(q)}`)).json().tickets as { id: string }[]).map((x) => x.id);

  it('finds a ticket by the words of any of its messages, Chinese too, and only in its own workspace', async () => {
    const ticket = await openTicket({ subject: 'Question about my order', body: '我的打印机一直卡纸，换了纸也没用。' });
    await api('POST', `/tickets/${ticket.id}/messages`, { kind: 'note', body: 'Customer says the fuser unit was replaced in March.' });
    const unrelated = await openTicket({ subject: 'Another order question', body: 'Where is my invoice?' });
    expect(await found('卡纸')).toEqual([ticket.id]);
    expect(await found('打印机 卡纸')).toEqual([ticket.id]);
    expect(await found('fuser unit')).toEqual([ticket.id]);
    // Every word must be there; subjects still match as before.
    expect(await found('fuser invoice')).toEqual([]);
    expect((await found('order question')).sort()).toEqual([unrelated.id]);
    // What a query language would read as syntax is only words here.
    for (const hostile of ["卡纸 & !'x' | (", ':*', "' or 1=1 --", '😀']) expect((await api('GET', `/tickets?view=all&q=${encodeURIComponent(hostile)}`)).statusCode).toBe(200);

    const other = await t.addWorkspace('search-elsewhere');
    const theirs = await t.services.tickets.open(other.id, { subject: 'Elsewhere', body: '打印机卡纸了', channel: 'web', customer: { email: 'x@elsewhere.example', name: 'X' } }, { type: 'system', id: null });
    expect(await found('卡纸')).not.toContain(theirs.id);
  });

  it('forgets what an erasure blanked: the customer\'s words are no longer found', async () => {
    const ticket = await openTicket({ subject: 'Delivery', body: 'Please call me on my mobile, ask for Quillon Varga.', customer: { email: 'quillon@example.com', name: 'Quillon Varga' } });
    expect(await found('Quillon')).toEqual([ticket.id]);
    // As the customers module's erasure job does it: requested, then the job (the durable drivers run it on their own).
    await t.services.customerDataRights.requestErasure(t.workspace.id, ticket.customerId, { type: 'agent', id: t.workspace.admin.id }, { type: 'agent', id: t.workspace.admin.id });
    await t.jobs.drain();
    expect(await found('Quillon')).toEqual([]);
  });
});

describe('inbox sorts', () => {
  it('pages through every sort without skipping or repeating, and refuses a cursor of another sort', async () => {
    for (let i = 0; i < 6; i++) await openTicket({ subject: `Sorted ${i}`, tags: ['sorted'], urgency: (i % 3) as 0 | 1 | 2 });
    // Keyset pages hold still only while the keys do: with durable events the SLA deadlines (the
    // due sort's key) are written after the ticket, so let them land before paging.
    await t.jobs.drain();
    for (const sort of ['updated', 'created', 'urgency', 'due']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api('GET', `/tickets?view=all&tag=sorted&sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json() as { tickets: { id: string; urgency: number }[]; nextCursor: string | null };
        seen.push(...page.tickets.map((x) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(6);
    }
    const byUrgency = (await api('GET', '/tickets?view=all&tag=sorted&sort=urgency&limit=6')).json().tickets.map((x: { urgency: number }) => x.urgency);
    expect(byUrgency).toEqual([...byUrgency].sort((a, b) => b - a));
    const urgencyCursor = (await api('GET', '/tickets?view=all&tag=sorted&sort=urgency&limit=2')).json().nextCursor;
    const wrongSort = await api('GET', `/tickets?view=all&tag=sorted&sort=updated&cursor=${urgencyCursor}`);
    expect(wrongSort.json().error.code).toBe('CURSOR_INVALID');
    const forged = Buffer.from(JSON.stringify([['not a date'], '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    expect((await api('GET', `/tickets?view=all&cursor=${forged}`)).json().error.code).toBe('CURSOR_INVALID');
  });
});
