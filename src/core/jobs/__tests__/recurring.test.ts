import { describe, expect, it } from 'vitest';
import { startRecurring } from '../recurring.js';

const silent = { error: () => undefined };
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('recurring work', () => {
  it('runs again after each run ends, never two at once, and keeps going after a failure', async () => {
    let runs = 0;
    let inFlight = 0;
    let most = 0;
    const failures: unknown[] = [];
    const recurring = startRecurring([{
      name: 'test.tick', everyMs: 1,
      run: async () => {
        runs++;
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10)); // longer than the period: a timer would overlap
        inFlight--;
        if (runs === 2) throw new Error('database gone for a moment');
      },
    }], { error: (details: unknown) => { failures.push(details); } });
    await until(() => runs >= 5, 'five runs');
    await recurring.stop();
    expect(most).toBe(1);
    expect(failures).toHaveLength(1);
  });

  it('stops: no run starts after stop(), and stop() waits for the one in flight', async () => {
    let runs = 0;
    let finished = 0;
    const recurring = startRecurring([{
      name: 'test.slow', everyMs: 1,
      run: async () => { runs++; await new Promise((resolve) => setTimeout(resolve, 20)); finished++; },
    }], silent);
    await until(() => runs === 1, 'the first run');
    await recurring.stop();
    expect(finished).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(1);
  });
});
