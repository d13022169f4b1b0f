import pg from 'pg';
import { round, type BenchContext, type BenchSuite, type Figure } from './harness.js';
import { KefuServer } from './kefu-server.js';
import { measureLoad, type LoadResult } from './load.js';
import { KEFU_POOL_MAX, startDbBaseline, startInlineServer } from './inline-server.js';
import { embeddedConnectionString } from './tickets-seed.js';

/** Turns of api.read and db.pk_select, measured one after the other. */
const ROUNDS = 3;

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
      description: 'authenticated JSON read, GET /api/v1/agents with an API token, on the demo workspace (vs fastify.hello, and vs db.pk_select: one primary-key select through a pool of the same size)',
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
      // Beside a route doing one primary-key select on Kefu's database: what an authenticated read
      // costs above one round trip (the bar: a ratio of at least 0.5). The two are measured
      // in turns, ROUNDS times, and each side's median taken: on two cores shared with Postgres and
      // the load generator, one 5 s run of either moved by a third from one run to the next.
      const baseline = await startPkSelect(ctx, server);
      const reads: LoadResult[] = [];
      const selects: LoadResult[] = [];
      for (let turn = 1; turn <= ROUNDS; turn++) {
        ctx.log(`api.read: turn ${turn} of ${ROUNDS}: loading ${request.url}, then ${baseline.url}`);
        reads.push(await measureLoad(ctx.settings, request));
        selects.push(await measureLoad(ctx.settings, { url: baseline.url }));
      }
      await baseline.stop();
      const read = median(reads);
      const select = median(selects);
      report(ctx, 'api.read', read, hello && { name: 'fastify.hello', result: hello });
      report(ctx, 'db.pk_select', select, hello && { name: 'fastify.hello', result: hello });
      report(ctx, 'api.read', read, { name: 'db.pk_select', result: select });
      ctx.note(`api.read: ${round(read.rps)} rps is ${(read.rps / select.rps).toFixed(2)} of db.pk_select's ${round(select.rps)} ` +
        `(Fastify + a ${KEFU_POOL_MAX}-connection pg.Pool, one \`select * from agents where id = $1\` per request, on the same Postgres, ` +
        `measured while that Kefu idles); medians of ${ROUNDS} turns each (api.read ${reads.map((r) => round(r.rps)).join(', ')}; ` +
        `db.pk_select ${selects.map((r) => round(r.rps)).join(', ')} rps); target ≥ 0.5.`);
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
  const server = await startInlineServer(ctx, 'fastify.hello', HELLO_SERVER);
  return { url: `${server.url}/`, stop: server.stop };
}

/** The baseline route on Kefu's database, answering for the demo's first agent; probed once. */
async function startPkSelect(ctx: BenchContext, server: KefuServer): Promise<{ url: string; stop(): Promise<void> }> {
  const connection = process.env.DATABASE_URL || await embeddedConnectionString(server.dataDir);
  const client = new pg.Client({ connectionString: connection });
  await client.connect();
  const ids = await client.query<{ agent: string; workspace: string; customer: string }>(
    `select a.id as agent, a.workspace_id as workspace, (select id from customers c where c.workspace_id = a.workspace_id limit 1) as customer
     from agents a order by a.created_at limit 1`).finally(() => client.end());
  const row = ids.rows[0];
  if (!row?.customer) throw new Error('db.pk_select: the demo workspace has no agent or no customer');
  const baseline = await startDbBaseline(ctx, connection, { workspaceId: row.workspace, customerId: row.customer });
  const url = `${baseline.url}/agents/${row.agent}`;
  const probe = await fetch(url);
  if (probe.status !== 200) {
    await baseline.stop();
    throw new Error(`db.pk_select: GET ${url} answered ${probe.status}`);
  }
  return { url, stop: baseline.stop };
}

/** The run of median rps, with the median p50 and p99 of all runs (each taken on its own). */
function median(results: LoadResult[]): LoadResult {
  const middle = (pick: (r: LoadResult) => number) => [...results].map(pick).sort((x, y) => x - y)[Math.floor(results.length / 2)]!;
  const medianRun = [...results].sort((x, y) => x.rps - y.rps)[Math.floor(results.length / 2)]!;
  return { ...medianRun, p50Ms: middle((r) => r.p50Ms), p99Ms: middle((r) => r.p99Ms) };
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
