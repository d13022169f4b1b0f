import { describe, expect, it } from 'vitest';
import { coalesced } from '../coalesce.js';

/** A take whose calls are answered by hand, so the test decides when the "statement" returns. */
function controlledTake() {
  const calls: { key: string; count: number; answer: (results: string[]) => void; fail: (error: Error) => void }[] = [];
  const take = (key: string, count: number) => new Promise<string[]>((answer, fail) => { calls.push({ key, count, answer, fail }); });
  return { calls, take };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesced', () => {
  it('sends a quiet key at once, and answers everyone who queued behind it with one call, in order', async () => {
    const { calls, take } = controlledTake();
    const next = coalesced(take);
    const first = next('w1');
    await tick();
    expect(calls.map((c) => c.count)).toEqual([1]);
    const queued = [next('w1'), next('w1'), next('w1')];
    await tick();
    expect(calls).toHaveLength(1); // they wait for the call in flight
    calls[0]!.answer(['1']);
    expect(await first).toBe('1');
    await tick();
    expect(calls.map((c) => c.count)).toEqual([1, 3]);
    calls[1]!.answer(['2', '3', '4']);
    expect(await Promise.all(queued)).toEqual(['2', '3', '4']);
  });

  it('keeps keys apart', async () => {
    const { calls, take } = controlledTake();
    const next = coalesced(take);
    const a = next('a');
    const b = next('b');
    await tick();
    expect(calls.map((c) => `${c.key}:${c.count}`)).toEqual(['a:1', 'b:1']);
    calls[1]!.answer(['b1']);
    calls[0]!.answer(['a1']);
    expect([await a, await b]).toEqual(['a1', 'b1']);
  });

  it('fails every caller a failed call served, and starts afresh for the next', async () => {
    const { calls, take } = controlledTake();
    const next = coalesced(take);
    const first = next('w');
    await tick();
    const queued = [next('w'), next('w')];
    calls[0]!.answer(['1']);
    await first;
    await tick();
    calls[1]!.fail(new Error('database gone'));
    for (const result of await Promise.allSettled(queued)) expect(result).toMatchObject({ status: 'rejected', reason: { message: 'database gone' } });
    const later = next('w');
    await tick();
    expect(calls.map((c) => c.count)).toEqual([1, 2, 1]);
    calls[2]!.answer(['2']);
    expect(await later).toBe('2');
  });

  it('turns a take that throws at once into rejections', async () => {
    const next = coalesced<string, string>(() => { throw new Error('bad key'); });
    await expect(next('w')).rejects.toThrow('bad key');
    await expect(next('w')).rejects.toThrow('bad key');
  });
});
