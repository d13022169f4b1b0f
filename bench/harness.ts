import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One figure = one JSON line on stdout, the contract every benchmark keeps:
 * `{"bench":"api.read","metric":"rps","value":8123,"baseline":"fastify.hello","baseline_value":20110,"ratio":0.40}`.
 * `metric` names the unit (rps, p50_ms, p99_ms, ms, per_s, rss_mb …); the baseline fields appear
 * together, and `ratio` is value / baseline_value.
 */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  baseline?: string;
  baseline_value?: number;
  ratio?: number;
  /** The baseline is a figure recorded earlier (DESIGN.md), not measured in this run. */
  recorded?: true;
}

export interface BenchmarkInfo {
  /** Dotted, `area.what`: the name `npm run bench -- NAME` selects. */
  name: string;
  description: string;
  /** Other benchmarks that must run too when this one is asked for (its baseline, say). */
  requires?: string[];
}

/**
 * A suite measures one or more named benchmarks that share a set-up (a server, a data set). Each
 * `bench/<module>.bench.ts` exports `suite`; `run.ts` finds them by file name.
 */
export interface BenchSuite {
  /** Suites run in ascending `order`, then by file name. */
  order?: number;
  benchmarks: BenchmarkInfo[];
  /** Measure the benchmarks in `wanted` (never others) and `ctx.report` each figure. */
  run(ctx: BenchContext, wanted: ReadonlySet<string>): Promise<void>;
}

export interface Settings {
  scale: number;
  /** Concurrent connections of every HTTP load run. */
  connections: number;
  /** Seconds of each measured load run. */
  durationS: number;
  /** Seconds of load thrown away before each measured run (JIT, pools, caches). */
  warmupS: number;
  /** Seconds a freshly started server is left alone before its memory is read. */
  idleS: number;
}

const BASE = { connections: 10, durationS: 10, warmupS: 2, idleS: 30 };

/** `--quick` is BENCH_SCALE=0.3; durations never drop below one second. */
export function settingsFor(scale: number): Settings {
  const seconds = (base: number) => Math.max(1, Math.round(base * scale));
  return {
    scale,
    connections: BASE.connections,
    durationS: seconds(BASE.durationS),
    warmupS: seconds(BASE.warmupS),
    idleS: seconds(BASE.idleS),
  };
}

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchContext {
  settings: Settings;
  /** Prints the figure's JSON line now and keeps it for the closing table. */
  report(figure: Figure): void;
  /** A line under the closing table: how a figure was taken, what it competes with. */
  note(text: string): void;
  /** Progress on stderr. */
  log(text: string): void;
  /** A fresh directory, removed when the run ends. */
  tempDir(prefix: string): Promise<string>;
  /** Runs when the run ends, also on failure or Ctrl-C, last registered first. */
  onCleanup(cleanup: () => Promise<void> | void): void;
}

export class Run implements BenchContext {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  constructor(readonly settings: Settings, private readonly out: (line: string) => void) {}

  report(figure: Figure): void {
    const line = { ...figure, value: round(figure.value) };
    if (figure.baseline_value !== undefined) {
      line.baseline_value = round(figure.baseline_value);
      line.ratio = round2(figure.ratio ?? (figure.baseline_value ? figure.value / figure.baseline_value : 0));
    }
    this.figures.push(line);
    this.out(JSON.stringify(line));
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  log(text: string): void {
    process.stderr.write(`bench: ${text}\n`);
  }

  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), `kefu-bench-${prefix}-`));
    this.onCleanup(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  onCleanup(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  /** Safe to call twice (a Ctrl-C during the normal clean-up). */
  async cleanup(): Promise<void> {
    while (this.cleanups.length) {
      const cleanup = this.cleanups.pop()!;
      try {
        await cleanup();
      } catch (error) {
        this.log(`clean-up failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** Three significant figures at most, whole numbers above 100: enough for noisy measurements. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value);
  if (abs >= 10) return Math.round(value * 10) / 10;
  if (abs >= 1) return Math.round(value * 100) / 100;
  return Number(value.toPrecision(3));
}

export const round2 = (value: number) => Math.round(value * 100) / 100;

/** A port nothing listens on right now (the OS picks it; a tiny race with other programs remains). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The closing human-readable table (stderr, so stdout stays one JSON object per line). */
export function formatTable(figures: Figure[], notes: string[], settings: Settings, wallMs: number): string {
  const header = ['bench', 'metric', 'value', 'baseline', 'baseline value', 'ratio'];
  const rows = figures.map((f) => [
    f.bench, f.metric, String(f.value), f.baseline ?? '', f.baseline_value === undefined ? '' : String(f.baseline_value),
    f.ratio === undefined ? '' : f.ratio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([2, 4, 5]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `Settings: ${describeSettings(settings)}; wall time ${(wallMs / 1000).toFixed(1)} s.`,
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

export function describeSettings(s: Settings): string {
  return `scale ${s.scale}, ${s.connections} connections, ${s.durationS} s measured after ${s.warmupS} s warm-up per load run, ` +
    `${s.idleS} s idle before reading memory`;
}
