import { describe, expect, it } from 'vitest';
import { createInProcessBus, type DomainEvent } from '../index.js';
import { recordingLog } from '../../../../test/helpers/log.js';

describe('in-process event bus', () => {
  it('delivers a published event to subscribers of its type, and only those', async () => {
    const bus = createInProcessBus(recordingLog());
    const created: DomainEvent[] = [];
    const closed: DomainEvent[] = [];
    bus.subscribe('ticket.created', (e) => { created.push(e); });
    bus.subscribe('ticket.closed', (e) => { closed.push(e); });
    const event = await bus.publish('ticket.created', 'ws1', { ticketId: 't1', at: new Date('2024-05-06T07:08:09Z') });
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'ticket.created',
      workspaceId: 'ws1',
      payload: { ticketId: 't1', at: '2024-05-06T07:08:09.000Z' }, // as JSON, exactly what a Redis peer receives
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(created).toEqual([event]);
    expect(closed).toEqual([]);
  });

  it("delivers every event to '*' subscribers", async () => {
    const bus = createInProcessBus(recordingLog());
    const types: string[] = [];
    bus.subscribe('*', (e) => { types.push(e.type); });
    await bus.publish('ticket.created', 'ws1', {});
    await bus.publish('article.updated', 'ws2', { articleId: 'a1' });
    expect(types).toEqual(['ticket.created', 'article.updated']);
  });

  it('stops delivering after unsubscribe, and unsubscribing twice is harmless', async () => {
    const bus = createInProcessBus(recordingLog());
    let calls = 0;
    const unsubscribe = bus.subscribe('message.received', () => { calls++; });
    await bus.publish('message.received', 'ws1', {});
    unsubscribe();
    unsubscribe();
    await bus.publish('message.received', 'ws1', {});
    expect(calls).toBe(1);
  });

  it('logs a throwing or rejecting handler; the publisher and other handlers carry on', async () => {
    const log = recordingLog();
    const bus = createInProcessBus(log);
    const reached: string[] = [];
    bus.subscribe('ticket.created', () => { throw new Error('sync boom'); });
    bus.subscribe('ticket.created', async () => { throw new Error('async boom'); });
    bus.subscribe('ticket.created', () => { reached.push('exact'); });
    bus.subscribe('*', async () => { reached.push('wildcard'); });
    await expect(bus.publish('ticket.created', 'ws1', { ticketId: 't1' })).resolves.toMatchObject({ type: 'ticket.created' });
    expect(reached.sort()).toEqual(['exact', 'wildcard']);
    const errors = log.entries.filter((e) => e.level === 'error');
    expect(errors.map((e) => (e.args[0] as { err: Error }).err.message).sort()).toEqual(['async boom', 'sync boom']);
    expect(errors[0]!.args[0]).toMatchObject({ eventType: 'ticket.created', workspaceId: 'ws1' });
  });

  it('resolves publish after async handlers settle', async () => {
    const bus = createInProcessBus(recordingLog());
    let done = false;
    bus.subscribe('ticket.created', async () => {
      await new Promise((r) => setTimeout(r, 20));
      done = true;
    });
    await bus.publish('ticket.created', 'ws1', {});
    expect(done).toBe(true);
  });

  it('hands handlers a frozen event, so one cannot change it for the next', async () => {
    const log = recordingLog();
    const bus = createInProcessBus(log);
    const seen: unknown[] = [];
    bus.subscribe('ticket.created', (e) => { (e.payload as { status: string }).status = 'tampered'; });
    bus.subscribe('ticket.created', (e) => { seen.push(e.payload); });
    await bus.publish('ticket.created', 'ws1', { status: 'open' });
    expect(seen).toEqual([{ status: 'open' }]);
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(1);
  });

  it('rejects malformed types, a missing workspace, and publishing after close', async () => {
    const bus = createInProcessBus(recordingLog());
    await expect(bus.publish('TicketCreated', 'ws1', {})).rejects.toMatchObject({ code: 'EVENT_TYPE_INVALID' });
    await expect(bus.publish('ticket', 'ws1', {})).rejects.toMatchObject({ code: 'EVENT_TYPE_INVALID' });
    await expect(bus.publish('ticket.created', '', {})).rejects.toMatchObject({ code: 'EVENT_WORKSPACE_REQUIRED' });
    await expect(bus.publish('ticket.created', 'ws1', { n: 1n })).rejects.toMatchObject({ code: 'EVENT_PAYLOAD_INVALID' });
    expect(() => bus.subscribe('tickets', () => {})).toThrow(expect.objectContaining({ code: 'EVENT_TYPE_INVALID' }));
    await bus.close();
    await expect(bus.publish('ticket.created', 'ws1', {})).rejects.toMatchObject({ code: 'EVENT_BUS_CLOSED' });
  });
});
