// autocannon ships no types and @types/autocannon is not installed: just the part the bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    connections?: number;
    /** seconds */
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    pipelining?: number;
    /** seconds */
    timeout?: number;
  }

  /** Values in the histogram's unit (latency: whole milliseconds; requests: per second). */
  interface Histogram {
    average: number; mean: number; stddev: number; min: number; max: number; total: number;
    p50: number; p90: number; p99: number;
  }

  interface Result {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    /** seconds */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    statusCodeStats: Record<string, { count: number }>;
  }

  /** Emits 'response' (client, statusCode, resBytes, responseTimeMs) for every response. */
  type Instance = EventEmitter & { stop(): void };

  function autocannon(options: Options, done: (error: Error | null, result: Result) => void): Instance;

  export default autocannon;
  export type { Options, Result, Instance, Histogram };
}
