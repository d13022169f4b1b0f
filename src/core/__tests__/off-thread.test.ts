import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { besideCaller, OffThread } from '../off-thread.js';
import type { Task } from './fixtures/off-thread-work.js';

const runners: OffThread<Task, { threadId: number; value: unknown }>[] = [];
const runner = (idleMs?: number) => {
  const made = new OffThread<Task, { threadId: number; value: unknown }>(besideCaller(import.meta.url, 'fixtures/off-thread-work'), { idleMs });
  runners.push(made);
  return made;
};
afterEach(async () => { await Promise.all(runners.splice(0).map((r) => r.close())); });

describe('OffThread', () => {
  it('runs the work in another thread and copies input and output', async () => {
    const result = await runner().run({ kind: 'echo', value: { bytes: new Uint8Array([1, 2, 3]), list: ['a'] } });
    expect(result.threadId).not.toBe(threadId);
    expect(result.value).toEqual({ bytes: new Uint8Array([1, 2, 3]), list: ['a'] });
  });

  it('leaves the event loop free while the work runs', async () => {
    let turns = 0;
    let running = true;
    const count = () => { if (running) { turns++; setImmediate(count); } };
    setImmediate(count);
    await runner().run({ kind: 'spin', ms: 300 });
    running = false;
    // Work run on this thread would have held the loop for the whole 300 ms: no turn at all.
    expect(turns).toBeGreaterThan(10);
  });

  it('gives the caller an AppError with its code, status and details, and other errors by message', async () => {
    const r = runner();
    const refused = await r.run({ kind: 'refuse' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'THING_REFUSED', status: 422, message: 'The thing is refused', details: { why: ['too big'] } });
    const failed = await r.run({ kind: 'fail' }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(AppError);
    expect((failed as Error).message).toBe('broken work');
    // The thread survives its work's errors.
    expect((await r.run({ kind: 'echo', value: 1 })).value).toBe(1);
  });

  it('refuses the work of a thread that died, and starts a new thread for the next', async () => {
    const r = runner();
    const first = await r.run({ kind: 'echo', value: 1 });
    await expect(r.run({ kind: 'exit' })).rejects.toThrow(/exit code 3/);
    const next = await r.run({ kind: 'echo', value: 2 });
    expect(next.value).toBe(2);
    expect(next.threadId).not.toBe(first.threadId);
  });

  it('runs one task at a time, in order, on one thread, and ends the thread after the idle time', async () => {
    const r = runner(100);
    const results = await Promise.all([1, 2, 3].map((value) => r.run({ kind: 'echo', value })));
    expect(results.map((x) => x.value)).toEqual([1, 2, 3]);
    expect(new Set(results.map((x) => x.threadId)).size).toBe(1);
    const soon = await r.run({ kind: 'echo', value: 4 });
    expect(soon.threadId).toBe(results[0]!.threadId);
    await sleep(400);
    const later = await r.run({ kind: 'echo', value: 5 });
    expect(later.threadId).not.toBe(soon.threadId);
  });

  it('refuses waiting work when closed', async () => {
    const r = runner();
    const waiting = r.run({ kind: 'spin', ms: 200 }).catch((error: unknown) => error);
    await r.close();
    expect(await waiting).toMatchObject({ message: 'The worker thread was closed' });
  });
});
