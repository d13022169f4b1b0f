/** Latencies of calls made one at a time in process, and their percentiles. */

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs the first `warmUp` items unmeasured, then every item, one at a time: milliseconds each. */
export async function time<T>(items: T[], run: (item: T) => Promise<unknown>, warmUp: number): Promise<number[]> {
  for (const item of items.slice(0, warmUp)) await run(item);
  const samples: number[] = [];
  for (const item of items) {
    const started = performance.now();
    await run(item);
    samples.push(performance.now() - started);
  }
  return samples;
}
