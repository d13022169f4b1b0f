import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { projectRoot, type BenchContext } from './harness.js';

/**
 * A baseline server given as plain JavaScript, in its own Node process (no tsx): it prints its
 * address on the first line of stdout, then serves until SIGTERM. `env` reaches the script.
 */
export async function startInlineServer(ctx: BenchContext, name: string, script: string, env: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
  ctx.log(`${name}: starting the baseline server`);
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env },
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
    exited.then(() => { throw new Error(`the ${name} server exited early (code ${child.exitCode})`); }),
  ]);
  return { url: address, stop };
}

/**
 * The database baseline: Fastify with a `pg.Pool` of Kefu's default size on the same database,
 * one statement per request. POST /tickets inserts one ticket row (`INSERT … RETURNING *`, numbers
 * from BASELINE_FIRST_NUMBER on, so the bench can delete them after); GET /agents/:id is one
 * primary-key select. What Kefu's routes are set beside: the ceiling of a route that does one
 * round trip.
 */
const DB_BASELINE = `
import Fastify from 'fastify';
import pg from 'pg';
const pool = new pg.Pool({ connectionString: process.env.BASELINE_DATABASE_URL, max: Number(process.env.BASELINE_POOL_MAX) });
const app = Fastify({ logger: false });
const workspace = process.env.BASELINE_WORKSPACE_ID;
const customer = process.env.BASELINE_CUSTOMER_ID;
let number = Number(process.env.BASELINE_FIRST_NUMBER);
app.post('/tickets', async (request, reply) => {
  const { subject, urgency } = request.body;
  const { rows: [ticket] } = await pool.query(
    'insert into tickets (workspace_id, number, subject, urgency, customer_id, channel, last_customer_message_at) values ($1, $2, $3, $4, $5, $6, now()) returning *',
    [workspace, number++, subject, urgency ?? 1, customer, 'api']);
  return reply.code(201).send(ticket);
});
app.get('/agents/:id', async (request, reply) => {
  const { rows: [agent] } = await pool.query('select * from agents where id = $1', [request.params.id]);
  return agent ? { agent } : reply.code(404).send({});
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(address);
process.once('SIGTERM', () => app.close().then(() => pool.end()).then(() => process.exit(0)));
`;

/** Kefu's DATABASE_POOL_MAX default (src/core/config.ts): the baseline gets as many connections. */
export const KEFU_POOL_MAX = 10;

/** Numbers of baseline tickets: far above any the bench's Kefu hands out. */
export const BASELINE_FIRST_NUMBER = 1_000_000_000;

export function startDbBaseline(ctx: BenchContext, connectionString: string, ids: { workspaceId: string; customerId: string }) {
  return startInlineServer(ctx, 'db baseline', DB_BASELINE, {
    BASELINE_DATABASE_URL: connectionString, BASELINE_POOL_MAX: String(KEFU_POOL_MAX),
    BASELINE_WORKSPACE_ID: ids.workspaceId, BASELINE_CUSTOMER_ID: ids.customerId, BASELINE_FIRST_NUMBER: String(BASELINE_FIRST_NUMBER),
  });
}
