import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import type { ChatOffer, Wallboard } from '../../../contracts/chat.js';
import { addAgent, chatWorkspace, connectAgent, connected, ok, startChat, waitFor, useChatServer } from './chat.harness.js';

/**
 * A scripted hour of the contact centre, driven through the sockets on a TestClock; the metrics
 * must equal the figures worked out by hand below.
 */
let t: TestApp;
let url: string;
const track = useChatServer((server) => { t = server.test; url = server.url; });
const T0 = new Date('2026-11-23T02:00:00.000Z');
const at = (seconds: number) => t.clock.set(new Date(T0.getTime() + seconds * 1000));


describe('contact-centre metrics', () => {
  it('match the hand-computed figures of a scripted scenario, per queue and per agent', async () => {
    at(0);
    const setup = await chatWorkspace(t, { offerTimeoutSeconds: 60, acwSeconds: 30, serviceLevelSeconds: 20, costPerAgentHour: 36 });
    const ws = setup.workspace.id;
    const ann = await addAgent(t, setup.workspace, 'Ann');
    const bob = await addAgent(t, setup.workspace, 'Bob');
    const system = { type: 'system' as const, id: null };
    await t.services.routing.configureDepartment(ws, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: [ann.id] }, system);
    // Bob works in sales: online (his hours count for the workspace) but never offered service chats.
    await t.services.routing.configureDepartment(ws, setup.sales.id, { strategy: 'manual', autoAssign: false, memberIds: [bob.id] }, system);
    const a = connectAgent(url, ann.cookie);
    const b = connectAgent(url, bob.cookie);
    track(a);
    track(b);
    await Promise.all([connected(a), connected(b)]);
    await ok(a, 'agent:presence', { presence: 'online' });
    await ok(b, 'agent:presence', { presence: 'online' });

    // V1: offered at 0, answered at 10 (ASA 10, within 20), ended at 70 (handle 60), ACW to 100 (30).
    const v1 = await startChat(url, setup.workspace.slug, 'V1');
    track(v1.visitor);
    await waitFor<ChatOffer>(a, 'chat:offer', (o) => o.conversation.id === v1.conversation.id);
    at(10);
    await ok(a, 'agent:accept', { conversationId: v1.conversation.id });
    at(70);
    await ok(a, 'agent:end', { conversationId: v1.conversation.id });
    at(100);
    await t.services.chat.deadlines.sweep(ws);

    // V2: offered at 100, declined at 105, nobody else in service: waits; abandons at 150.
    const v2 = await startChat(url, setup.workspace.slug, 'V2');
    track(v2.visitor);
    await waitFor<ChatOffer>(a, 'chat:offer', (o) => o.conversation.id === v2.conversation.id);
    at(105);
    expect(await ok(a, 'agent:decline', { conversationId: v2.conversation.id })).toMatchObject({ next: 'queue' });
    at(150);
    await ok(v2.visitor, 'chat:end', {});

    // V3: offered at 200, answered at 230 (ASA 30, outside SL), transferred to Bob at 240,
    // ended by Bob at 300 (handle 230→300 = 70), Bob's ACW to 330 (30).
    at(200);
    const v3 = await startChat(url, setup.workspace.slug, 'V3');
    track(v3.visitor);
    await waitFor<ChatOffer>(a, 'chat:offer', (o) => o.conversation.id === v3.conversation.id);
    at(230);
    await ok(a, 'agent:accept', { conversationId: v3.conversation.id });
    at(240);
    await ok(a, 'agent:transfer', { conversationId: v3.conversation.id, to: { agentId: bob.id } });
    at(300);
    await ok(b, 'agent:end', { conversationId: v3.conversation.id });
    at(330);
    await t.services.chat.deadlines.sweep(ws);

    // The wallboard, as pushed to the agents' sockets and as the REST API answers, before anyone logs off.
    await waitFor<Wallboard>(a, 'wallboard', (pushed) => pushed.offeredToday === 3 && pushed.agents.acw === 0);
    const board = (await t.app.http.inject({ method: 'GET', url: '/api/v1/chat/wallboard', headers: { cookie: ann.cookie } })).json<Wallboard>();
    expect(board).toMatchObject({ waiting: 0, longestWaitSeconds: 0, offeredToday: 3, answeredToday: 2, abandonedToday: 1, offlineToday: 0, agents: { online: 2, acw: 0 } });
    // V2 waited from 100 to 150 and left: the one chat today that reached no agent.
    expect(board.missedToday).toEqual([{
      conversationId: v2.conversation.id, ticketNumber: v2.conversation.ticketNumber, visitorName: 'V2', reason: 'abandoned',
      queuedAt: new Date(T0.getTime() + 100_000).toISOString(), waitedSeconds: 50,
    }]);
    expect(board.serviceLevelToday).toBeCloseTo(1 / 3, 10);

    // Both log off after exactly one hour: 2 logged-in hours in all, 1 each.
    at(3600);
    await ok(a, 'agent:presence', { presence: 'offline' });
    await ok(b, 'agent:presence', { presence: 'offline' });
    at(4000);

    const query = (params: Record<string, string>) => t.app.http.inject({
      method: 'GET', url: `/api/v1/chat/metrics?${new URLSearchParams({ from: T0.toISOString(), to: new Date(T0.getTime() + 3_600_000).toISOString(), ...params })}`,
      headers: { cookie: ann.cookie },
    });
    const all = await query({});
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({
      from: T0.toISOString(), to: '2026-11-23T03:00:00.000Z', departmentId: null, agentId: null, serviceLevelSeconds: 20,
      offered: 3, answered: 2, abandoned: 1, offline: 0, abandonRate: 1 / 3, serviceLevel: 1 / 3,
      averageSpeedOfAnswerSeconds: 20, averageHandleSeconds: 65, averageAcwSeconds: 30,
      transfers: 1, transferRate: 0.5, loggedInHours: 2, costPerContact: 36, rated: 0, averageRating: null,
    });
    // The service queue: the same contacts; only Ann is a member, so 1 logged-in hour → 36 × 1 / 2.
    expect((await query({ departmentId: setup.service.id })).json()).toMatchObject({ offered: 3, answered: 2, loggedInHours: 1, costPerContact: 18 });
    // Ann: rung three times, answered two, one of those abandoned after she declined.
    expect((await query({ agentId: ann.id })).json()).toMatchObject({ offered: 3, answered: 2, abandoned: 1, averageSpeedOfAnswerSeconds: 20, loggedInHours: 1 });
    // Bob answered none himself (V3 came to him by transfer).
    expect((await query({ agentId: bob.id })).json()).toMatchObject({ offered: 0, answered: 0, loggedInHours: 1, costPerContact: null });
    // A period with nothing in it.
    expect((await t.app.http.inject({ method: 'GET', url: `/api/v1/chat/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`, headers: { cookie: ann.cookie } })).json())
      .toMatchObject({ offered: 0, serviceLevel: null, abandonRate: null, averageHandleSeconds: null, loggedInHours: 0 });
  });

  it('refuses a bad period and unknown filters', async () => {
    const setup = await chatWorkspace(t);
    const ann = await addAgent(t, setup.workspace, 'Ann');
    const get = (qs: string) => t.app.http.inject({ method: 'GET', url: `/api/v1/chat/metrics?${qs}`, headers: { cookie: ann.cookie } });
    expect((await get('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).json().error.code).toBe('VALIDATION_FAILED');
    expect((await get('from=yesterday&to=today')).json().error.code).toBe('VALIDATION_FAILED');
    const unknownTeam = await get('from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&departmentId=00000000-0000-4000-8000-000000000000');
    expect([unknownTeam.statusCode, unknownTeam.json().error.code]).toEqual([400, 'DEPARTMENT_UNKNOWN']);
    expect((await get('from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&extra=1')).statusCode).toBe(400);
    expect((await t.app.http.inject({ method: 'GET', url: '/api/v1/chat/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z' })).statusCode).toBe(401);
  });
});
