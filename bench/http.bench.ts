import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { projectRoot, type BenchContext, type BenchSuite, type Figure } from './harness.js';
import { KefuServer } from './kefu-server.js';
import { measureLoad, type LoadResult } from './load.js';

/**
 * The bare Fastify 5 baseline, as plain JavaScript in its own Node process (no tsx, no plugins):
 * the ceiling any Fastify route on this machine can reach. It prints its address, then serves.
 */
const HELLO_SERVER = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(address);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

export const suite: BenchSuite = {
  order: 20,
  benchmarks: [
    { name: 'fastify.hello', description: 'bare Fastify 5 hello-world, GET / → {hello:"world"}: the baseline for HTTP figures' },
    {
      name: 'api.read', requires: ['fastify.hello'],
      description: 'authenticated JSON read, GET /api/v1/agents with an API token, on the demo workspace',
    },
  ],

  async run(ctx, wanted) {
    const { connections, durationS, warmupS } = ctx.settings;
    ctx.note(`HTTP figures: autocannon runs inside the bench process, on the same 2 cores as the server ` +
      `under test (and its Postgres): ${connections} connections, ${warmupS} s warm-up, then ${durationS} s measured; ` +
      `p50/p99 over every 2xx response.`);
    // One server at a time: an idle Kefu still polls its job queue, which would tax the baseline.
    let hello: LoadResult | undefined;
    if (wanted.has('fastify.hello')) {
      const server = await startHello(ctx);
      ctx.log(`fastify.hello: loading ${server.url}`);
      hello = await measureLoad(ctx.settings, { url: server.url });
      report(ctx, 'fastify.hello', hello);
      await server.stop();
    }
    if (wanted.has('api.read')) {
      const { server, request } = await startKefuForRead(ctx);
      ctx.log(`api.read: loading ${request.url}`);
      const read = await measureLoad(ctx.settings, request);
      report(ctx, 'api.read', read, hello && { name: 'fastify.hello', result: hello });
      await server.stop();
    }
  },
};

function report(ctx: BenchContext, bench: string, result: LoadResult, baseline?: { name: string; result: LoadResult }) {
  const vs = (pick: (r: LoadResult) => number): Partial<Figure> =>
    baseline ? { baseline: baseline.name, baseline_value: pick(baseline.result) } : {};
  ctx.report({ bench, metric: 'rps', value: result.rps, ...vs((r) => r.rps) });
  ctx.report({ bench, metric: 'p50_ms', value: result.p50Ms, ...vs((r) => r.p50Ms) });
  ctx.report({ bench, metric: 'p99_ms', value: result.p99Ms, ...vs((r) => r.p99Ms) });
}

async function startHello(ctx: BenchContext): Promise<{ url: string; stop(): Promise<void> }> {
  ctx.log('fastify.hello: starting the bare Fastify server');
  const child = spawn(process.execPath, ['--input-type=module', '-e', HELLO_SERVER], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  ctx.onCleanup(stop);
  const lines = createInterface({ input: child.stdout });
  const [address] = await Promise.race([
    once(lines, 'line') as Promise<[string]>,
    exited.then(() => { throw new Error(`the hello-world server exited early (code ${child.exitCode})`); }),
  ]);
  return { url: `${address}/`, stop };
}

async function startKefuForRead(ctx: BenchContext) {
  ctx.log('api.read: starting Kefu (fresh data dir: initdb + demo seed)');
  const server = await KefuServer.start(ctx, await ctx.tempDir('api'));
  await server.waitHealthy();
  const token = await server.apiToken();
  const request = { url: `${server.url}/api/v1/agents`, headers: { authorization: `Bearer ${token}` } };

  // Load only a route proven to answer what it should: 401s are fast and would flatter the figure.
  const probe = await fetch(request.url, { headers: request.headers });
  const body = await probe.json().catch(() => undefined) as { agents?: unknown[] } | undefined;
  if (probe.status !== 200 || !body?.agents?.length) {
    throw server.failure(`GET /api/v1/agents answered ${probe.status}: ${JSON.stringify(body)}`);
  }
  return { server, request };
}
