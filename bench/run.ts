/**
 * `npm run bench [-- [--quick] [--list] NAME…]`: runs the benchmarks of every `bench/*.bench.ts`
 * (or only the named ones), one JSON line per figure on stdout, a table on stderr. See README.md.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Run, describeSettings, formatTable, settingsFor, type BenchSuite } from './harness.js';

const QUICK_SCALE = 0.3;
const USAGE = `usage: npm run bench -- [--quick] [--list] [NAME…]

  NAME      a benchmark (api.read) or a group of them (start = start.*); none: all of them
  --quick   shorter runs (scale ${QUICK_SCALE}); or set BENCH_SCALE=<factor> (default 1)
  --list    print the benchmarks and exit

stdout: one JSON object per line, {"bench","metric","value"[,"baseline","baseline_value","ratio"]};
stderr: progress and a table.`;

interface Loaded {
  file: string;
  suite: BenchSuite;
}

async function loadSuites(): Promise<Loaded[]> {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
  const loaded: Loaded[] = [];
  const owner = new Map<string, string>();
  for (const file of files) {
    const module = await import(pathToFileURL(path.join(dir, file)).href) as { suite?: BenchSuite };
    if (!module.suite?.benchmarks?.length) throw new Error(`bench/${file} must export \`suite\` (a BenchSuite) with benchmarks`);
    for (const { name } of module.suite.benchmarks) {
      if (owner.has(name)) throw new Error(`benchmark ${name} is declared by both bench/${owner.get(name)} and bench/${file}`);
      owner.set(name, file);
    }
    loaded.push({ file, suite: module.suite });
  }
  return loaded.sort((a, b) => (a.suite.order ?? 100) - (b.suite.order ?? 100) || a.file.localeCompare(b.file));
}

function listing(suites: Loaded[]): string {
  const all = suites.flatMap((s) => s.suite.benchmarks);
  const width = Math.max(...all.map((b) => b.name.length));
  return all.map((b) => `  ${b.name.padEnd(width)}  ${b.description}`).join('\n');
}

/** Exact names win; otherwise `start` selects start.*; then everything each one requires. */
function select(suites: Loaded[], names: string[]): Set<string> | string[] {
  const all = suites.flatMap((s) => s.suite.benchmarks);
  const wanted = new Set<string>();
  const unknown: string[] = [];
  for (const name of names) {
    const matches = all.some((b) => b.name === name) ? [name] : all.filter((b) => b.name.startsWith(`${name}.`)).map((b) => b.name);
    if (!matches.length) unknown.push(name);
    for (const match of matches) wanted.add(match);
  }
  if (unknown.length) return unknown;
  if (!names.length) for (const b of all) wanted.add(b.name);
  for (let grew = true; grew;) {
    grew = false;
    for (const b of all) {
      for (const need of wanted.has(b.name) ? b.requires ?? [] : []) {
        if (!wanted.has(need)) { wanted.add(need); grew = true; }
      }
    }
  }
  return wanted;
}

function scaleFrom(quick: boolean): number {
  if (quick) return QUICK_SCALE;
  const raw = process.env.BENCH_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!(scale > 0)) throw new UsageError(`BENCH_SCALE must be a positive number, not "${raw}"`);
  return scale;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const started = performance.now();
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { quick: { type: 'boolean', default: false }, list: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (args.values.help) {
    console.error(USAGE);
    return 0;
  }
  const suites = await loadSuites();
  if (args.values.list) {
    console.error(`Benchmarks:\n${listing(suites)}`);
    return 0;
  }

  const wanted = select(suites, args.positionals);
  if (Array.isArray(wanted)) {
    throw new UsageError(`unknown benchmark${wanted.length > 1 ? 's' : ''}: ${wanted.join(', ')}\n\nBenchmarks:\n${listing(suites)}`);
  }
  const run = new Run(settingsFor(scaleFrom(args.values.quick)), (line) => process.stdout.write(`${line}\n`));
  const interrupt = (signal: NodeJS.Signals, code: number) => process.once(signal, () => {
    run.log(`${signal}: stopping the servers started by this run`);
    void run.cleanup().finally(() => process.exit(code));
  });
  interrupt('SIGINT', 130);
  interrupt('SIGTERM', 143);

  run.log(`running ${[...wanted].join(', ')}`);
  run.log(`settings: ${describeSettings(run.settings)}`);
  const failures: string[] = [];
  for (const { file, suite } of suites) {
    const mine = new Set(suite.benchmarks.map((b) => b.name).filter((name) => wanted.has(name)));
    if (!mine.size) continue;
    try {
      await suite.run(run, mine);
    } catch (error) {
      // Later suites still run: one broken module should not hide the others' figures.
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`bench/${file}: ${message}`);
      run.log(`FAILED bench/${file} (${[...mine].join(', ')}):\n${message}`);
    }
    await run.cleanup();
  }
  process.stderr.write(formatTable(run.figures, run.notes, run.settings, performance.now() - started));
  if (failures.length) {
    process.stderr.write(`${failures.length} suite(s) failed:\n${failures.map((f) => `  ${f.split('\n')[0]}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error('bench:', error);
    process.exit(1);
  },
);
