import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { freePort, projectRoot, sleep, type BenchContext } from './harness.js';
import { isAlive, processTree } from './processes.js';

const KEFU_BIN = path.join(projectRoot, 'bin', 'kefu.js');
/** Node's flags from the CLI's `#!/usr/bin/env -S node …` line: the server is measured as it runs. */
const KEFU_NODE_FLAGS = readFileSync(KEFU_BIN, 'utf8').split('\n', 1)[0]!.split(/\s+/).filter((word) => word.startsWith('--'));
const START_TIMEOUT_MS = 120_000;
/** The server gives itself 30 s to drain before it exits on its own. */
const STOP_TIMEOUT_MS = 40_000;
const OUTPUT_KEPT_CHARS = 16_000;
const STATEMENT_COUNTER = path.join(projectRoot, 'bench', 'count-statements.mjs');

export interface StatementCounts {
  statements: number;
  byText: Record<string, number>;
  /** Milliseconds from sending each statement to its answer, summed by the same first words. */
  msByText: Record<string, number>;
}

export interface StartOptions {
  /** Count the statements the server sends to Postgres (see count-statements.mjs); read with `statements()`. */
  countStatements?: boolean;
  /** Settings for the server, over the inherited environment; a DATABASE_URL here is also the one `kefu seed --demo` seeds. */
  env?: Record<string, string>;
}

export interface DemoCredentials {
  admin: { email: string; password: string };
}

/**
 * The real server, `node bin/kefu.js start`, as a child process on a data dir of its own: what a
 * user runs, embedded Postgres included (or the DATABASE_URL Postgres when one is set).
 */
export class KefuServer {
  private output = '';
  private exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
    /** When `spawn` was called (performance.now()). */
    readonly spawnedAt: number,
    /** Where the statement counter writes, when it was asked for. */
    private readonly countsDir: string | undefined,
  ) {
    // BENCH_SERVER_LOG=<file>: every line the server prints is appended there too (which jobs failed, and why).
    const logFile = process.env.BENCH_SERVER_LOG;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEPT_CHARS);
      if (logFile) appendFileSync(logFile, chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Spawns the server; stopped by `ctx` clean-up if the caller doesn't stop it first. */
  static async start(ctx: BenchContext, dataDir: string, options: StartOptions = {}): Promise<KefuServer> {
    if (!existsSync(path.join(projectRoot, 'dist', 'main.js'))) {
      throw new Error('dist/main.js is missing: build first (`npm run bench` does it; or `npm run build`)');
    }
    if (options.env?.DATABASE_URL ?? process.env.DATABASE_URL) await seedExternalDatabase(dataDir, options.env);
    const port = await freePort();
    const countsDir = options.countStatements ? await ctx.tempDir('statements') : undefined;
    const env = { ...serverEnv(dataDir, port), ...options.env };
    if (countsDir) {
      env.KEFU_BENCH_COUNTS = countsDir;
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(STATEMENT_COUNTER).href}`.trim();
    }
    const spawnedAt = performance.now();
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server, written there when it stops (Node refuses it in NODE_OPTIONS).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...KEFU_NODE_FLAGS, ...profile, KEFU_BIN, 'start'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new KefuServer(child, port, dataDir, spawnedAt, countsDir);
    ctx.onCleanup(() => server.stop());
    return server;
  }

  /** Polls GET /healthz every 10 ms; returns ms from spawn to the first 200. */
  async waitHealthy(): Promise<number> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw this.failure(`kefu exited while starting (code ${this.child.exitCode}, signal ${this.child.signalCode})`);
      }
      const status = await fetch(`${this.url}/healthz`).then((r) => r.status, () => 0);
      if (status === 200) return performance.now() - this.spawnedAt;
      if (Date.now() > deadline) throw this.failure(`kefu did not answer /healthz within ${START_TIMEOUT_MS / 1000} s`);
      await sleep(10);
    }
  }

  /** The demo admin's credentials, written by the first start on an empty data dir. */
  async demoCredentials(): Promise<DemoCredentials> {
    const file = path.join(this.dataDir, 'demo-credentials.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (!text) throw this.failure(`${file} is missing: the server did not seed the demo workspace`);
    return JSON.parse(text) as DemoCredentials;
  }

  /**
   * Signs the demo admin in and creates an API token that reads and writes, the way an integrator
   * would (tokens read only unless given scopes); admin routes need `admin` among the scopes too.
   */
  async apiToken(name = 'bench', scopes: ('read' | 'write' | 'admin')[] = ['read', 'write']): Promise<string> {
    const { admin } = await this.demoCredentials();
    const login = await fetch(`${this.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    const session = await login.json().catch(() => undefined) as { csrfToken?: string } | undefined;
    if (login.status !== 200 || !session?.csrfToken) {
      throw this.failure(`POST /api/v1/auth/login answered ${login.status}: ${JSON.stringify(session)}`);
    }
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const created = await fetch(`${this.url}/api/v1/api-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken },
      body: JSON.stringify({ name, scopes }),
    });
    const body = await created.json().catch(() => undefined) as { token?: string } | undefined;
    if (created.status !== 201 || !body?.token) {
      throw this.failure(`POST /api/v1/api-tokens answered ${created.status}: ${JSON.stringify(body)}`);
    }
    return body.token;
  }

  /** Statements the server has sent to Postgres since it started, in all and by their first words (needs `countStatements`). */
  async statements(): Promise<StatementCounts> {
    if (!this.countsDir) throw new Error('the server was started without countStatements');
    const file = path.join(this.countsDir, `${this.pid}.json`);
    const asked = Date.now();
    this.child.kill('SIGUSR2');
    const deadline = asked + 5_000;
    for (;;) {
      const counts = await readFile(file, 'utf8').then((text) => JSON.parse(text) as StatementCounts & { at: number }, () => undefined);
      if (counts && counts.at >= asked) return { statements: counts.statements, byText: counts.byText, msByText: counts.msByText };
      if (Date.now() > deadline) throw this.failure('the statement counter did not answer SIGUSR2 within 5 s');
      await sleep(20);
    }
  }

  /** SIGTERM and wait; the server stops its embedded Postgres itself. Idempotent. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // Remember the tree now: if the server has to be killed, its Postgres would be left behind.
    const descendants = (await processTree(this.pid)).filter((p) => p.pid !== this.pid);
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!stopped) {
      this.child.kill('SIGKILL');
      await this.exited;
      // SIGINT is Postgres's "fast shutdown"; only the postmaster (our child's child) gets it.
      for (const p of descendants) if (p.ppid === this.pid && isAlive(p.pid)) process.kill(p.pid, 'SIGINT');
      throw this.failure(`kefu did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killed it`);
    }
    if (this.child.exitCode !== 0) throw this.failure(`kefu exited with code ${this.child.exitCode} on SIGTERM`);
    const deadline = Date.now() + 5_000;
    let left = descendants.filter((p) => isAlive(p.pid));
    while (left.length && Date.now() < deadline) {
      await sleep(50);
      left = left.filter((p) => isAlive(p.pid));
    }
    if (left.length) {
      throw this.failure(`processes still running after kefu stopped: ${left.map((p) => `${p.comm} ${p.pid}`).join(', ')}`);
    }
  }

  /** An error carrying the end of the server's output, which says what went wrong. */
  failure(problem: string): Error {
    const tail = this.output.trim();
    return new Error(`${problem}\n--- kefu output (last ${OUTPUT_KEPT_CHARS} chars) ---\n${tail || '(none)'}\n---`);
  }
}

function serverEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  // Inherit the rest (DATABASE_URL, REDIS_URL, PATH …) but not a public URL meant for another install.
  const { KEFU_PUBLIC_URL: _publicUrl, ...inherited } = process.env;
  return {
    ...inherited,
    KEFU_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    KEFU_SEED_DEMO: 'auto',
  };
}

/**
 * The server seeds the demo only on its own embedded database; on a DATABASE_URL one the bench
 * runs `kefu seed --demo` itself, once per data dir (that writes demo-credentials.json there).
 */
async function seedExternalDatabase(dataDir: string, extraEnv: Record<string, string> = {}): Promise<void> {
  if (existsSync(path.join(dataDir, 'demo-credentials.json'))) return;
  const child = spawn(process.execPath, [...KEFU_NODE_FLAGS, KEFU_BIN, 'seed', '--demo'], {
    cwd: projectRoot, env: { ...serverEnv(dataDir, 0), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) {
    throw new Error(`\`kefu seed --demo\` failed on DATABASE_URL (the bench needs an empty database there):\n${output.trim()}`);
  }
}

/**
 * One row: events some durable subscriber has not yet handled (`lag`), and jobs due or running
 * (`jobs`), pg-boss' own minute ticks left out (nothing a ticket or a mail needs). Both 0: every
 * after-effect of what was sent has happened.
 */
export const PIPELINE_BACKLOG_SQL = `
  select (select count(*)::int from events e join event_subscribers s on (e.txid, e.seq) > (s.txid, s.seq)
            and (cardinality(s.types) = 0 or e.type = any(s.types))) as lag,
         (select count(*)::int from pgboss.job where state in ('created', 'retry', 'active') and start_after <= now()
            and name not like '\\_\\_pgboss\\_\\_%') as jobs`;

/**
 * On DATABASE_URL's server (`adminUrl`), a database of the bench's own, named after `prefix` and this
 * process: the demo seed needs an empty one. Dropped at clean-up.
 */
export async function createBenchDatabase(ctx: BenchContext, adminUrl: string, prefix = 'kefu_bench'): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const drop = () => admin(`drop database if exists ${name} with (force)`);
  await drop();
  await admin(`create database ${name}`);
  // Also registered before the server starts, so on Ctrl-C it runs after the server's own stop.
  ctx.onCleanup(drop);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop };
}
