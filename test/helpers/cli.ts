import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { packageRoot } from '../../src/core/paths.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface KefuProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Runs the compiled CLI (`npm test` builds it first). The run's DATABASE_URL and REDIS_URL are not
 * inherited, in either CI pass: `kefu start` without them is the embedded server in the data dir,
 * which is what test/e2e/cli.e2e.test.ts and test/mail/mail-crash.e2e.test.ts are about (its
 * first-start seeding, the data dir's lock, a kill -9 of the process that owns the cluster).
 * Tests about a cluster of nodes pass DATABASE_URL themselves: test/crash/contact-world.ts gives
 * its nodes a fresh database on the run's server, so in the second pass they run on the external
 * Postgres. They get no REDIS_URL: Redis only shares sockets and rate limits between web nodes,
 * which nothing there checks (the *.redis.test.ts files do).
 */
export function runKefu(args: string[], env: Record<string, string>, port = 0): KefuProcess {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, [path.join(packageRoot, 'bin/kefu.js'), ...args], {
    env: { ...inherited, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
}

/** Resolves once /healthz answers; rejects with the process output if it exits first. */
export async function whenHealthy(kefu: KefuProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void kefu.exited.then(() => { exited = true; });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`kefu exited before it was healthy:\n${kefu.output()}`);
    const ok = await fetch(`${kefu.url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`kefu was not healthy within ${timeoutMs} ms:\n${kefu.output()}`);
}
