import autocannon, { type Options, type Result } from 'autocannon';
import type { Settings } from './harness.js';

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  raw: Result;
}

/**
 * autocannon in this process: a warm-up run thrown away, then the measured one. Percentiles come
 * from every 2xx response's own time (autocannon's histogram keeps whole milliseconds, which reads
 * 0 for a sub-millisecond p50).
 */
export async function measureLoad(settings: Settings, target: Omit<Options, 'connections' | 'duration'>): Promise<LoadResult> {
  await cannon({ ...target, connections: settings.connections, duration: settings.warmupS });
  const latencies = new Latencies();
  const raw = await cannon({ ...target, connections: settings.connections, duration: settings.durationS }, latencies);
  const failed = raw.errors + raw.timeouts + raw.non2xx + raw.mismatches;
  if (failed > 0) {
    throw new Error(`${target.url}: ${failed} of ${raw.requests.total + raw.errors} requests failed ` +
      `(errors ${raw.errors}, timeouts ${raw.timeouts}, non-2xx ${raw.non2xx}; status codes ${JSON.stringify(raw.statusCodeStats)})`);
  }
  return {
    rps: raw.requests.total / raw.duration,
    p50Ms: latencies.percentile(50),
    p99Ms: latencies.percentile(99),
    requests: raw.requests.total,
    raw,
  };
}

function cannon(options: Options, latencies?: Latencies): Promise<Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ timeout: 10, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
    if (latencies) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) latencies.add(ms);
      });
    }
  });
}

/** Grows by doubling: a 10 s run at 40k requests/s is 400k samples, 3.2 MB. */
class Latencies {
  private values = new Float64Array(1 << 16);
  private count = 0;

  add(ms: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }

  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const sorted = this.values.subarray(0, this.count).sort();
    return sorted[Math.min(this.count - 1, Math.ceil((p / 100) * this.count) - 1)]!;
  }
}
