import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInlineQueue, PermanentJobError, type Job } from '../index.js';
import { gate, recordingLog } from './test-support.js';
import { inOneTransaction } from '../../db/database.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('inline job queue', () => {
  it('runs a sent job in process; drain() waits for it', async () => {
    const queue = createInlineQueue();
    const seen: Job<unknown>[] = [];
    await queue.work('test.basic', async (job) => { seen.push(job); });
    const id = await queue.send('test.basic', { workspaceId: 'ws1', at: new Date('2024-01-02T03:04:05Z') });
    await queue.drain();
    // Data goes through JSON as it would through jsonb: a Date arrives as a string.
    expect(seen).toEqual([{ id, name: 'test.basic', data: { workspaceId: 'ws1', at: '2024-01-02T03:04:05.000Z' } }]);
  });

  it('queues a job sent inside inOneTransaction once its work has committed, and never when it rolls back', async () => {
    const queue = createInlineQueue();
    const ran: number[] = [];
    await queue.work<{ workspaceId: string; n: number }>('test.joined', async (job) => { ran.push(job.data.n); });
    await inOneTransaction(async () => {
      await queue.send('test.joined', { workspaceId: 'ws1', n: 1 });
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(ran).toEqual([]);
    });
    await queue.drain();
    expect(ran).toEqual([1]);
    await expect(inOneTransaction(async () => {
      await queue.send('test.joined', { workspaceId: 'ws1', n: 2 }, { idempotencyKey: 'two' });
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    await queue.drain();
    expect(ran).toEqual([1]);
    // The rolled-back send took no key: the same key is sent again.
    expect(await queue.send('test.joined', { workspaceId: 'ws1', n: 2 }, { idempotencyKey: 'two' })).not.toBeNull();
    await queue.drain();
    expect(ran).toEqual([1, 2]);
  });

  it('sends many jobs as send sends each: a taken key refused, by an earlier job of the list too; nothing of a transaction rolled back', async () => {
    const queue = createInlineQueue();
    const ran: string[] = [];
    await queue.work<{ workspaceId: string; n: string }>('test.many', async (job) => { ran.push(job.data.n); });
    const job = (n: string, key?: string) => ({ name: 'test.many', data: { workspaceId: 'ws1', n }, options: key ? { idempotencyKey: key } : undefined });
    const first = await queue.sendMany([job('a', 'a'), job('b'), job('a again', 'a')]);
    expect(first[0]).not.toBeNull();
    expect(first[1]).not.toBeNull();
    expect(first[2]).toBeNull();
    expect(await queue.sendMany([job('a once more', 'a'), job('c', 'c')])).toEqual([null, expect.any(String)]);
    await expect(inOneTransaction(async () => {
      await queue.sendMany([job('d', 'd')]);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    await queue.drain();
    expect(ran.sort()).toEqual(['a', 'b', 'c']);
    expect(await queue.sendMany([job('d', 'd')])).not.toContain(null);
  });

  it('waits for a job years ahead without waking every millisecond', async () => {
    const queue = createInlineQueue();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      await queue.send('test.far', { workspaceId: 'ws1' }, { startAfter: new Date(Date.now() + 5 * 365 * 86_400_000) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The job's one timer and this test's: one that overflowed fired after 1 ms and was set again, dozens of times.
      expect(timers.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      timers.mockRestore();
      await queue.stop({ graceful: false });
    }
  });

  it('drain() also waits for jobs that handlers send', async () => {
    const queue = createInlineQueue();
    const order: string[] = [];
    await queue.work<{ workspaceId: string }>('test.parent', async (job) => {
      order.push('parent');
      await queue.send('test.child', { workspaceId: job.data.workspaceId });
    });
    await queue.work('test.child', async () => { order.push('child'); });
    await queue.send('test.parent', { workspaceId: 'ws1' });
    await queue.drain();
    expect(order).toEqual(['parent', 'child']);
  });

  it('retries a failing handler up to its limit, then succeeds', async () => {
    const queue = createInlineQueue();
    let calls = 0;
    await queue.work('test.retry', async () => {
      calls++;
      if (calls < 3) throw new Error('try later');
    });
    await queue.send('test.retry', { workspaceId: 'ws1' }, { retryLimit: 2 });
    await queue.drain();
    expect(calls).toBe(3);
  });

  it('stops after retryLimit retries and logs the failure', async () => {
    const log = recordingLog();
    const queue = createInlineQueue({ log });
    let calls = 0;
    await queue.work('test.exhausted', async () => { calls++; throw new Error('still broken'); });
    await queue.send('test.exhausted', { workspaceId: 'ws1' }, { retryLimit: 2 });
    await queue.drain();
    expect(calls).toBe(3);
    expect(log.entries.map((e) => e.level)).toEqual(['warn', 'warn', 'error']);
  });

  it('does not retry a PermanentJobError', async () => {
    const queue = createInlineQueue();
    let calls = 0;
    await queue.work('test.permanent', async () => { calls++; throw new PermanentJobError('gone'); });
    await queue.send('test.permanent', { workspaceId: 'ws1' }, { retryLimit: 5 });
    await queue.drain();
    expect(calls).toBe(1);
  });

  it('dedupes by idempotency key while queued, active or recently completed, not after failure', async () => {
    const queue = createInlineQueue();
    const data = { workspaceId: 'ws1' };
    const first = await queue.send('test.idem', data, { idempotencyKey: 'k' });
    expect(first).not.toBeNull();
    expect(await queue.send('test.idem', data, { idempotencyKey: 'k' })).toBeNull(); // queued, no worker yet
    expect(await queue.send('test.idem', data, { idempotencyKey: 'other' })).not.toBeNull();
    expect(await queue.send('test.idem.b', data, { idempotencyKey: 'k' })).not.toBeNull();

    const hold = gate();
    let runs = 0;
    let fail = false;
    await queue.work('test.idem', async (job) => {
      runs++;
      if (job.id === first && runs === 1) await hold.promise;
      if (fail) throw new PermanentJobError('rejected');
    }, { concurrency: 2 });
    await vi.waitFor(() => expect(runs).toBeGreaterThan(0));
    expect(await queue.send('test.idem', data, { idempotencyKey: 'k' })).toBeNull(); // active
    hold.open();
    await queue.drain();
    expect(await queue.send('test.idem', data, { idempotencyKey: 'k' })).toBeNull(); // completed, within the window

    fail = true;
    const doomed = await queue.send('test.idem', data, { idempotencyKey: 'doomed' });
    await queue.drain();
    fail = false;
    expect(await queue.send('test.idem', data, { idempotencyKey: 'doomed' })).toBe(doomed); // failed: accepted again
    await queue.drain();
  });

  it('frees a completed key after the 12 h window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    const queue = createInlineQueue();
    await queue.work('test.window', async () => {});
    expect(await queue.send('test.window', { workspaceId: 'ws1' }, { idempotencyKey: 'k' })).not.toBeNull();
    await queue.drain();
    vi.setSystemTime(new Date('2025-01-01T11:59:00Z'));
    expect(await queue.send('test.window', { workspaceId: 'ws1' }, { idempotencyKey: 'k' })).toBeNull();
    vi.setSystemTime(new Date('2025-01-01T12:01:00Z'));
    expect(await queue.send('test.window', { workspaceId: 'ws1' }, { idempotencyKey: 'k' })).not.toBeNull();
  });

  it('defers a job with startAfter until the clock passes it', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    const queue = createInlineQueue();
    const ran: string[] = [];
    await queue.work<{ n: string }>('test.later', async (job) => { ran.push(job.data.n); });
    await queue.send('test.later', { workspaceId: 'ws1', n: 'later' }, { startAfter: new Date('2025-01-01T01:00:00Z') });
    await queue.send('test.later', { workspaceId: 'ws1', n: 'now' });
    await queue.drain();
    expect(ran).toEqual(['now']); // a job still ahead does not hold drain() up
    await vi.advanceTimersByTimeAsync(60 * 60 * 1000);
    await queue.drain();
    expect(ran).toEqual(['now', 'later']);
  });

  it('runs at most `concurrency` handlers of a queue at once', async () => {
    const queue = createInlineQueue();
    let running = 0;
    let peak = 0;
    await queue.work('test.conc', async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    }, { concurrency: 3 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => queue.send('test.conc', { workspaceId: 'ws1', i })));
    await queue.drain();
    expect(peak).toBe(3);
  });

  it('graceful stop waits for the active handler and refuses new jobs', async () => {
    const queue = createInlineQueue();
    const hold = gate();
    const events: string[] = [];
    await queue.work('test.stop', async () => {
      events.push('started');
      await hold.promise;
      events.push('finished');
    });
    await queue.send('test.stop', { workspaceId: 'ws1' });
    await vi.waitFor(() => expect(events).toEqual(['started']));
    const stopped = queue.stop({ graceful: true }).then(() => events.push('stopped'));
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['started']);
    hold.open();
    await stopped;
    expect(events).toEqual(['started', 'finished', 'stopped']);
    await expect(queue.send('test.stop', { workspaceId: 'ws1' })).rejects.toMatchObject({ code: 'JOB_QUEUE_STATE' });
  });

  it('validates like the database driver', async () => {
    const queue = createInlineQueue();
    await expect(queue.send('bad name!', { workspaceId: 'ws1' })).rejects.toMatchObject({ code: 'JOB_NAME_INVALID' });
    await expect(queue.send('test.x', { workspaceId: 'ws1' }, { retryDelaySeconds: 1.5 })).rejects.toMatchObject({ code: 'JOB_OPTIONS_INVALID' });
    await expect(queue.send('test.x', { workspaceId: 'ws1' }, { startAfter: new Date('nope') })).rejects.toMatchObject({ code: 'JOB_OPTIONS_INVALID' });
  });
});
