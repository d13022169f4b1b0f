import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisBus, type DomainEvent, type EventBus } from '../index.js';
import { samplePayload } from '../../../../test/helpers/events.js';
import { recordingLog } from '../../../../test/helpers/log.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

const uniqueChannel = () => `kefu:test:${randomUUID()}`;

async function bus(channel: string, log = recordingLog()): Promise<EventBus> {
  const b = await createRedisBus({ url: redisUrl, channel, log });
  opened.push(b);
  return b;
}

/** A plain client on the channel: proves what actually crossed Redis, and injects junk. */
async function rawClient() {
  const client = new Redis(redisUrl);
  opened.push({ close: async () => { client.disconnect(); } });
  return client;
}

describe('redis event bus', () => {
  it('delivers an event once on the publishing instance and once on the other', async () => {
    const channel = uniqueChannel();
    const a = await bus(channel);
    const b = await bus(channel);
    const onA: DomainEvent[] = [];
    const onB: DomainEvent[] = [];
    a.subscribe('ticket.created', (e) => { onA.push(e); });
    b.subscribe('*', (e) => { onB.push(e); });

    const event = await a.publish('ticket.created', 'ws1', samplePayload('ticket.created'));
    await vi.waitFor(() => expect(onB).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 150)); // room for a duplicate to show up, if there were one
    expect(onA).toEqual([event]);
    expect(onB).toEqual([event]);
  });

  it('keeps channels apart', async () => {
    const a = await bus(uniqueChannel());
    const other = await bus(uniqueChannel());
    const seen: DomainEvent[] = [];
    other.subscribe('*', (e) => { seen.push(e); });
    await a.publish('ticket.created', 'ws1', samplePayload('ticket.created'));
    await new Promise((r) => setTimeout(r, 150));
    expect(seen).toEqual([]);
  });

  it('puts the event on the channel tagged with the sender', async () => {
    const channel = uniqueChannel();
    const listener = await rawClient();
    const raw: string[] = [];
    await listener.subscribe(channel);
    listener.on('message', (_ch: string, message: string) => raw.push(message));
    const a = await bus(channel);
    const event = await a.publish('ticket.rated', 'ws9', samplePayload('ticket.rated'));
    await vi.waitFor(() => expect(raw).toHaveLength(1));
    expect(JSON.parse(raw[0]!)).toEqual({ v: 1, origin: expect.any(String), event });
  });

  it('logs and ignores invalid messages, then keeps delivering', async () => {
    const channel = uniqueChannel();
    const log = recordingLog();
    const b = await bus(channel, log);
    const seen: DomainEvent[] = [];
    b.subscribe('*', (e) => { seen.push(e); });
    const raw = await rawClient();
    await raw.publish(channel, 'not json');
    await raw.publish(channel, JSON.stringify({ v: 1, origin: 'x', event: { type: 'ticket.created' } }));
    await raw.publish(channel, JSON.stringify({ v: 2, origin: 'x', event: {} }));
    const a = await bus(channel);
    const payload = samplePayload('ticket.created');
    await a.publish('ticket.created', 'ws1', payload);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]!.payload).toEqual(payload);
    expect(log.entries.filter((e) => e.level === 'warn' && String(e.args[1]).includes('invalid message'))).toHaveLength(3);
  });

  it('isolates a throwing handler on the receiving instance', async () => {
    const channel = uniqueChannel();
    const log = recordingLog();
    const a = await bus(channel);
    const b = await bus(channel, log);
    const seen: string[] = [];
    b.subscribe('ticket.created', () => { throw new Error('boom'); });
    b.subscribe('ticket.created', (e) => { seen.push(e.id); });
    const event = await a.publish('ticket.created', 'ws1', samplePayload('ticket.created'));
    await vi.waitFor(() => expect(seen).toEqual([event.id]));
    expect(log.entries.some((e) => e.level === 'error' && String(e.args[1]) === 'event handler failed')).toBe(true);
  });

  it('unsubscribe stops remote deliveries too', async () => {
    const channel = uniqueChannel();
    const a = await bus(channel);
    const b = await bus(channel);
    const seen: string[] = [];
    const off = b.subscribe('*', (e) => { seen.push(e.type); });
    await a.publish('ticket.created', 'ws1', samplePayload('ticket.created'));
    await vi.waitFor(() => expect(seen).toEqual(['ticket.created']));
    off();
    await a.publish('ticket.solved', 'ws1', samplePayload('ticket.solved'));
    await new Promise((r) => setTimeout(r, 150));
    expect(seen).toEqual(['ticket.created']);
  });

  it('reconnects after losing its subscriber connection and receives again', async () => {
    const channel = uniqueChannel();
    const log = recordingLog();
    const a = await bus(channel, log);
    const b = await bus(channel);
    const raw = await rawClient();
    await raw.subscribe(channel);
    const origins: string[] = [];
    raw.on('message', (_ch: string, message: string) => origins.push(JSON.parse(message).origin));
    await a.publish('ticket.created', 'ws1', samplePayload('ticket.created'));
    await vi.waitFor(() => expect(origins).toHaveLength(1));

    // Cut exactly A's subscribed connection, found by its name (which carries A's origin id).
    const admin = await rawClient();
    const list = String(await admin.call('CLIENT', 'LIST'));
    const line = list.split('\n').find((l) => l.includes(`name=kefu-events-sub-${origins[0]}`))!;
    const id = /\bid=(\d+)/.exec(line)![1]!;
    await admin.call('CLIENT', 'KILL', 'ID', id);

    const seen: string[] = [];
    a.subscribe('ticket.solved', (e) => { seen.push(e.id); });
    // Pub/sub has no replay: publish until one lands after the resubscribe.
    await vi.waitFor(async () => {
      await b.publish('ticket.solved', 'ws1', samplePayload('ticket.solved'));
      expect(seen.length).toBeGreaterThan(0);
    }, { timeout: 5000, interval: 200 });
    expect(log.entries.some((e) => e.level === 'info' && String(e.args[1]).includes('ready'))).toBe(true);
  });

  it('fails fast with REDIS_UNREACHABLE when Redis cannot be reached', async () => {
    const started = Date.now();
    const error = await createRedisBus({ url: 'redis://127.0.0.1:1', log: recordingLog() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REDIS_UNREACHABLE', status: 503 });
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(createRedisBus({ url: 'redis://user:secret@no-such-host.invalid:6379', log: recordingLog() }))
      .rejects.toMatchObject({ code: 'REDIS_UNREACHABLE', details: { redis: 'redis://user:***@no-such-host.invalid:6379' } });
    await expect(createRedisBus({ url: 'redis://bad host', log: recordingLog() }))
      .rejects.toMatchObject({ code: 'REDIS_UNREACHABLE' });
  });
});
