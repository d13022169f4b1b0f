import { afterEach, describe, expect, it, vi } from 'vitest';
import { inOneTransaction, insideOneTransaction } from '../db/database.js';
import { WorkspaceCache } from '../workspace-cache.js';

afterEach(() => { vi.useRealTimers(); });

describe('WorkspaceCache', () => {
  it('loads once per workspace, shares a load in flight, and keeps workspaces apart', async () => {
    const loads: string[] = [];
    const cache = new WorkspaceCache(10_000, async (workspaceId) => { loads.push(workspaceId); return `settings of ${workspaceId}`; });
    const [a1, a2] = await Promise.all([cache.get('a'), cache.get('a')]);
    expect([a1, a2, await cache.get('a'), await cache.get('b')]).toEqual(['settings of a', 'settings of a', 'settings of a', 'settings of b']);
    expect(loads).toEqual(['a', 'b']);
  });

  it('loads again after forget and after the time to live', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let version = 0;
    const cache = new WorkspaceCache(1_000, async () => ++version);
    expect(await cache.get('a')).toBe(1);
    cache.forget('a');
    expect(await cache.get('a')).toBe(2);
    vi.advanceTimersByTime(999);
    expect(await cache.get('a')).toBe(2);
    vi.advanceTimersByTime(1);
    expect(await cache.get('a')).toBe(3);
  });

  it('keeps no failed load: the next reader tries again', async () => {
    let calls = 0;
    const cache = new WorkspaceCache(10_000, async () => {
      calls++;
      if (calls === 1) throw new Error('database unreachable');
      return 'loaded';
    });
    await expect(cache.get('a')).rejects.toThrow('database unreachable');
    expect(await cache.get('a')).toBe('loaded');
    expect(calls).toBe(2);
  });

  it('does not drop a newer value when an older, forgotten load fails', async () => {
    let rejectFirst!: (error: Error) => void;
    let calls = 0;
    const cache = new WorkspaceCache(10_000, (): Promise<string> => {
      calls++;
      return calls === 1 ? new Promise((_resolve, reject) => { rejectFirst = reject; }) : Promise.resolve('fresh');
    });
    const first = cache.get('a');
    cache.forget('a');
    expect(await cache.get('a')).toBe('fresh');
    rejectFirst(new Error('late failure'));
    await expect(first).rejects.toThrow('late failure');
    expect(await cache.get('a')).toBe('fresh');
    expect(calls).toBe(2);
  });

  it('never makes a reader inside a one-transaction scope wait for a load it did not start', async () => {
    let release!: () => void;
    const loads: boolean[] = [];
    const cache = new WorkspaceCache(10_000, async () => {
      loads.push(insideOneTransaction());
      const number = loads.length;
      if (number === 1) await new Promise<void>((resolve) => { release = resolve; });
      return number;
    });
    const outside = cache.get('a');
    // The first load hangs (in production: waiting for a connection a batch holds); the batch reads for itself.
    expect(await inOneTransaction(() => cache.get('a'))).toBe(2);
    release();
    expect(await outside).toBe(1);
    expect(await inOneTransaction(() => cache.get('a'))).toBe(1);
    expect(loads).toEqual([false, true]);
  });

  it('loads for the others outside the scope, committed data only, when a reader inside finds nothing', async () => {
    const loads: boolean[] = [];
    const cache = new WorkspaceCache(10_000, async () => {
      loads.push(insideOneTransaction());
      return loads.length;
    });
    expect(await inOneTransaction(() => cache.get('a'))).toBe(2);
    expect(await cache.get('a')).toBe(1);
    expect(loads).toEqual([false, true]);
  });
});
