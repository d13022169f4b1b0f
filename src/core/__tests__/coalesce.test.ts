import { describe, expect, it } from 'vitest';
import { batched, coalesced } from '../coalesce.js';

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

/** Batches answered by hand: the test decides when each "transaction" ends and how each item fares. */
function controlledWork() {
  const batches: { items: number[]; answer: (results: PromiseSettledResult<string>[]) => void; fail: (error: Error) => void }[] = [];
  const work = (items: number[]) => new Promise<PromiseSettledResult<string>[]>((answer, fail) => { batches.push({ items, answer, fail }); });
  const ok = (items: number[]) => items.map((i): PromiseSettledResult<string> => ({ status: 'fulfilled', value: `done ${i}` }));
  return { batches, work, ok };
}

describe('batched', () => {
  it('sends a quiet item at once, and what queues behind busy lanes together, at most `size` a batch', async () => {
    const { batches, work, ok } = controlledWork();
    const submit = batched(work, { size: 3, lanes: 1 });
    const first = submit(1);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    const queued = [2, 3, 4, 5].map((i) => submit(i));
    await tick();
    expect(batches).toHaveLength(1); // the only lane is busy
    batches[0]!.answer(ok([1]));
    expect(await first).toBe('done 1');
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.answer(ok([2, 3, 4]));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4], [5]]);
    batches[2]!.answer(ok([5]));
    expect(await Promise.all(queued)).toEqual(['done 2', 'done 3', 'done 4', 'done 5']);
  });

  it('shares items that arrive together out over the free lanes', async () => {
    const { batches, work, ok } = controlledWork();
    const submit = batched(work, { size: 10, lanes: 3 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((i) => submit(i));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
    for (const batch of batches) batch.answer(ok(batch.items));
    expect(await Promise.all(all)).toHaveLength(7);
  });

  it("fails only the items whose result failed, and a whole batch when the work throws", async () => {
    const { batches, work, ok } = controlledWork();
    const submit = batched(work, { size: 5, lanes: 1 });
    const [a, b] = [submit(1), submit(2)];
    await tick();
    batches[0]!.answer([ok([1])[0]!, { status: 'rejected', reason: new Error('item 2 failed') }]);
    expect(await a).toBe('done 1');
    await expect(b).rejects.toThrow('item 2 failed');
    const [c, d] = [submit(3), submit(4)];
    await tick();
    batches[1]!.fail(new Error('the batch failed'));
    await expect(c).rejects.toThrow('the batch failed');
    await expect(d).rejects.toThrow('the batch failed');
    // The lane is free again afterwards.
    const e = submit(5);
    await tick();
    batches[2]!.answer(ok([5]));
    expect(await e).toBe('done 5');
  });
});
