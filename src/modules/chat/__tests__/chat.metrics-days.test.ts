import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import type { ChatMetrics } from '../../../contracts/chat.js';
import { addAgent, chatWorkspace } from './chat.harness.js';

/**
 * The metrics of settled days come from daily roll-ups: the figures must be the same as those
 * aggregated from the sessions while the days were still live, for whole days, for periods that
 * start and end inside a day, per department, and after the service-level threshold changed.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Everything but logged-in time (an open presence interval runs until "now") and the cost derived from it. */
const figures = ({ loggedInHours: _hours, costPerContact: _cost, ...rest }: ChatMetrics) => rest;

describe('metrics of settled days', () => {
  it('read from the roll-ups equal those aggregated live, also for partial days, a department, and a new threshold', async () => {
    const setup = await chatWorkspace(t, { serviceLevelSeconds: 20, offerTimeoutSeconds: 60 });
    const ws = setup.workspace.id;
    const chat = t.services.chat;
    const ann = await addAgent(t, setup.workspace, 'Ann');
    await t.services.routing.configureDepartment(ws, setup.service.id, { strategy: 'manual', autoAssign: false, memberIds: [ann.id] }, { type: 'system', id: null });
    await t.services.routing.setAvailability(ws, ann.id, 'online');
    let visitors = 0;
    const start = async (at: string, departmentId = setup.service.id) => {
      t.clock.set(at);
      visitors++;
      return (await chat.conversations.start(ws, { name: `V${visitors}`, email: `v${visitors}@customer.example`, departmentId }, 'en', 'metrics-test')).conversation;
    };
    const answered = async (at: string, answerSeconds: number, handleSeconds: number, transferTo?: string) => {
      const conversation = await start(at);
      t.clock.advance(answerSeconds * 1000);
      await chat.queue.accept(ws, ann.id, conversation.id);
      t.clock.advance(handleSeconds * 1000);
      if (transferTo) await chat.queue.transfer(ws, ann.id, conversation.id, { departmentId: transferTo });
      else await chat.conversations.agentEnd(ws, ann.id, conversation.id);
    };
    await answered('2026-10-05T09:00:00Z', 5, 60);
    await answered('2026-10-05T15:00:00Z', 12, 200);
    await chat.conversations.visitorEnd(ws, (await start('2026-10-05T18:00:00Z')).id);
    await answered('2026-10-06T08:00:00Z', 45, 100);
    await t.services.routing.setAvailability(ws, ann.id, 'offline');
    await start('2026-10-06T20:00:00Z');
    await t.services.routing.setAvailability(ws, ann.id, 'online');
    // Nobody serves sales: its chat becomes an offline ticket (in the month's figures, not the service queue's).
    await start('2026-10-06T21:00:00Z', setup.sales.id);
    await answered('2026-10-07T11:00:00Z', 8, 30, setup.service.id);

    const month = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
    const partial = { from: new Date('2026-10-05T12:00:00Z'), to: new Date('2026-10-07T12:00:00Z') };
    const service = { ...month, departmentId: setup.service.id };
    const measure = async () => Promise.all([month, partial, service].map(async (q) => figures(await chat.metrics.metrics(ws, q))));

    // While the days are live, everything is aggregated from the sessions.
    t.clock.set('2026-10-07T23:00:00Z');
    const live = await measure();
    expect(live[0]).toMatchObject({ offered: 5, answered: 4, abandoned: 1, offline: 2, transfers: 1 });
    expect(live[2]).toMatchObject({ offered: 5, offline: 1 });
    await chat.settings.update(ws, { serviceLevelSeconds: 10 });
    const liveStrict = await measure();
    expect(liveStrict[0]!.serviceLevel).not.toBe(live[0]!.serviceLevel);
    await chat.settings.update(ws, { serviceLevelSeconds: 20 });

    // Weeks later the days are settled: the first request rolls them up, the next reads the roll-ups.
    t.clock.set('2026-11-20T00:00:00Z');
    expect(await measure()).toEqual(live);
    const rolledUp = await t.database.db.selectFrom('chat_metric_days_done').select('service_level_seconds').where('workspace_id', '=', ws).execute();
    expect(rolledUp.length).toBeGreaterThanOrEqual(31);
    expect(await measure()).toEqual(live);
    // The roll-ups carry the threshold they were computed with: a new one rolls the days up again.
    await chat.settings.update(ws, { serviceLevelSeconds: 10 });
    expect(await measure()).toEqual(liveStrict);
  });
});
