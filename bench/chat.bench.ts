import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import { benchChatMetrics } from './chat-metrics.js';
import { projectRoot, sleep, type BenchContext, type BenchSuite, type Figure } from './harness.js';
import { KefuServer } from './kefu-server.js';
import { processTree } from './processes.js';

/**
 * Live chat at load: N widget connections held open on one Kefu node, and the delivery latency of
 * customer → agent messages meanwhile, beside a bare Socket.IO relay measured the same way in the
 * same run. Load generators are child processes on loopback (socket.io-client), so the client
 * side's work is not in the server's process (it is on the same 2 cores).
 */

const TARGET_CONNECTIONS = 10_000;
const HOLDER_PROCESSES = 4;
/**
 * Customers sending while the connections are held; each sends one message a second (the limit is
 * 10 per 5 s). 20 messages/s is what a node with 10,000 open widgets sees when a few hundred of them
 * chat; BENCH_CHAT_SENDERS raises it to find where the 2 cores saturate (each message is two
 * database transactions plus the ticket events: SLA clocks, webhooks, the console's pushes).
 */
const SENDERS = Number(process.env.BENCH_CHAT_SENDERS ?? 20);
const OPEN_FILES = 20_000;

/** The baseline: Socket.IO 4 with nothing else, relaying each message to one receiver (plain JS, own process). */
const ECHO_SERVER = `
import { createServer } from 'node:http';
import { Server } from 'socket.io';
const http = createServer();
const io = new Server(http, { path: '/chat-socket', transports: ['websocket'], serveClient: false });
const agents = io.of('/agent');
io.of('/visitor').on('connection', (socket) => {
  socket.on('chat:message', (body, ack) => {
    agents.emit('chat:message', body);
    if (typeof ack === 'function') ack({ ok: true });
  });
});
http.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + http.address().port));
process.once('SIGTERM', () => { io.close(); process.exit(0); });
`;

/**
 * A load generator process. Holders (ROLE=hold) open COUNT visitor connections, 200 handshakes at a
 * time, report {connected, failed}, then hold them. Senders (ROLE=send) start a chat each (Kefu) or
 * just connect (echo), report {ready}, and on "go" on stdin send one message a second each, the
 * text carrying the wall-clock send time (performance.timeOrigin + now(): sub-millisecond, and
 * comparable across processes on one machine).
 */
const LOAD_CLIENT = `
import { io } from 'socket.io-client';
const { URL: base, ROLE, COUNT, WORKSPACE, KEFU } = process.env;
const count = Number(COUNT);
const sockets = [];
const now = () => performance.timeOrigin + performance.now();
const open = () => new Promise((resolve) => {
  const socket = io(base + '/visitor', { path: '/chat-socket', transports: ['websocket'], reconnection: false, forceNew: true, auth: { workspace: WORKSPACE, locale: 'en' } });
  sockets.push(socket);
  socket.once('connect', () => resolve(true));
  socket.once('connect_error', () => resolve(false));
});
let connected = 0, failed = 0;
for (let i = 0; i < count; i += 200) {
  const batch = await Promise.all(Array.from({ length: Math.min(200, count - i) }, open));
  for (const ok of batch) ok ? connected++ : failed++;
}
if (ROLE === 'hold') {
  console.log(JSON.stringify({ connected, failed }));
} else {
  const live = sockets.filter((s) => s.connected);
  if (KEFU === '1') {
    await Promise.all(live.map((s, i) => new Promise((resolve) => {
      s.on('chat:state', (c) => { if (c.status === 'active') resolve(); });
      s.emit('chat:start', { name: 'Bench ' + i, email: 'bench' + i + '@bench.example', clientMessageId: 'start-' + i + '-' + process.pid }, (answer) => {
        if (answer.ok && answer.conversation.status === 'active') resolve();
      });
    })));
  }
  console.log(JSON.stringify({ ready: live.length }));
  process.stdin.once('data', () => {
    let n = 0;
    live.forEach((s, i) => setTimeout(() => setInterval(() => {
      n++;
      s.emit('chat:message', { clientMessageId: 'm' + i + '-' + n, text: String(now()) }, () => {});
    }, 1000), Math.round((i * 1000) / live.length)));
  });
}
process.once('SIGTERM', () => { for (const s of sockets) s.disconnect(); process.exit(0); });
`;

interface Target {
  name: string;
  url: string;
  pid: number;
  workspace: string;
  kefu: boolean;
  /** The receiving side: the agent's socket (Kefu), or a plain receiver (echo). */
  receiver: Socket;
}

interface Measured { connections: number; failed: number; p50Ms: number; p99Ms: number; samples: number; rssMb: number }

export const suite: BenchSuite = {
  order: 40,
  benchmarks: [
    { name: 'socketio.echo', description: 'bare Socket.IO 4 relay: N idle connections held, p50/p99 sender → receiver latency, RSS: the baseline for chat' },
    { name: 'chat.widget', requires: ['socketio.echo'], description: 'Kefu: N widget connections held on one node, p50/p99 customer → agent delivery (stored first), RSS of the node process' },
    { name: 'chat.metrics', description: 'contact-centre figures of one month (SQL aggregates): p50 ms at 10,000 and at 100,000 chats that month' },
  ],

  async run(ctx, wanted) {
    if (wanted.has('chat.metrics')) await benchChatMetrics(ctx);
    if (!wanted.has('socketio.echo') && !wanted.has('chat.widget')) return;
    const connections = Math.max(500, Math.round(TARGET_CONNECTIONS * Math.min(1, ctx.settings.scale)));
    const seconds = ctx.settings.durationS;
    ctx.note(`chat: ${connections} idle widget connections held by ${HOLDER_PROCESSES} socket.io-client processes; meanwhile ${SENDERS} ` +
      `customers (another process) send one message a second each for ${ctx.settings.warmupS} s warm-up + ${seconds} s measured; ` +
      'latency = receive time at the agent socket (in the bench process) − send time stamped in the message. Kefu stores each ' +
      'message (ticket message + sequence number) before it relays it; the echo relays at once. Everything shares the 2 cores.');
    let echo: Measured | undefined;
    if (wanted.has('socketio.echo')) {
      echo = await measure(ctx, await startEcho(ctx), connections);
      report(ctx, 'socketio.echo', echo);
    }
    if (wanted.has('chat.widget')) {
      const kefu = await measure(ctx, await startKefu(ctx), connections);
      report(ctx, 'chat.widget', kefu, echo);
    }
  },
};

function report(ctx: BenchContext, bench: string, m: Measured, baseline?: Measured) {
  const vs = (pick: (r: Measured) => number): Partial<Figure> => (baseline ? { baseline: 'socketio.echo', baseline_value: pick(baseline) } : {});
  ctx.report({ bench, metric: 'connections', value: m.connections, ...vs((r) => r.connections) });
  ctx.report({ bench, metric: 'p50_ms', value: m.p50Ms, ...vs((r) => r.p50Ms) });
  ctx.report({ bench, metric: 'p99_ms', value: m.p99Ms, ...vs((r) => r.p99Ms) });
  ctx.report({ bench, metric: 'rss_mb', value: m.rssMb, ...vs((r) => r.rssMb) });
  ctx.note(`${bench}: ${m.connections} connections held (${m.failed} refused), ${m.samples} messages timed.`);
}

async function measure(ctx: BenchContext, target: Target, connections: number): Promise<Measured> {
  await raiseOpenFiles(target.pid);
  ctx.log(`${target.name}: opening ${connections} connections`);
  const env = { URL: target.url, WORKSPACE: target.workspace, KEFU: target.kefu ? '1' : '0' };
  const per = Math.ceil(connections / HOLDER_PROCESSES);
  const holders = await Promise.all(Array.from({ length: HOLDER_PROCESSES }, (_, i) =>
    loadProcess(ctx, { ...env, ROLE: 'hold', COUNT: String(Math.min(per, connections - i * per)) })));
  const held = holders.map((h) => h.first as { connected: number; failed: number });
  const connected = held.reduce((n, h) => n + h.connected, 0);
  const failed = held.reduce((n, h) => n + h.failed, 0);

  const latencies: number[] = [];
  let measuring = false;
  target.receiver.on('chat:message', (message: { text: string; author?: { type: string } }) => {
    if (target.kefu && message.author?.type !== 'visitor') return;
    const sent = Number(message.text);
    if (measuring && Number.isFinite(sent)) latencies.push(performance.timeOrigin + performance.now() - sent);
  });
  ctx.log(`${target.name}: ${connected} held; starting ${SENDERS} senders`);
  const sender = await loadProcess(ctx, { ...env, ROLE: 'send', COUNT: String(SENDERS) });
  sender.child.stdin!.write('go\n');
  await sleep(ctx.settings.warmupS * 1000);
  measuring = true;
  await sleep(ctx.settings.durationS * 1000);
  measuring = false;
  const rssMb = Math.round((await processTree(target.pid)).find((p) => p.pid === target.pid)!.rssKb / 102.4) / 10;
  sender.stop();
  for (const h of holders) h.stop();
  target.receiver.disconnect();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { connections: connected, failed, p50Ms: at(0.5), p99Ms: at(0.99), samples: latencies.length, rssMb };
}

/** Spawns a load generator with a raised open-file limit; resolves with its first JSON line. */
async function loadProcess(ctx: BenchContext, env: Record<string, string>): Promise<{ child: ChildProcess; first: unknown; stop(): void }> {
  const child = spawn('sh', ['-c', `ulimit -n ${OPEN_FILES} 2>/dev/null; exec "$0" --input-type=module -e "$1"`, process.execPath, LOAD_CLIENT], {
    cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'],
  });
  const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); };
  ctx.onCleanup(stop);
  const lines = createInterface({ input: child.stdout! });
  const [line] = await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error('a chat load generator exited early'); })]) as [string];
  return { child, first: JSON.parse(line), stop };
}

async function startEcho(ctx: BenchContext): Promise<Target> {
  ctx.log('socketio.echo: starting the bare Socket.IO relay');
  const child = spawn(process.execPath, ['--input-type=module', '-e', ECHO_SERVER], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  ctx.onCleanup(() => { if (child.exitCode === null) child.kill('SIGTERM'); });
  const [url] = await once(createInterface({ input: child.stdout! }), 'line') as [string];
  const receiver = connect(`${url}/agent`, { path: '/chat-socket', transports: ['websocket'], reconnection: false, forceNew: true });
  await connectedSocket(receiver);
  return { name: 'socketio.echo', url, pid: child.pid!, workspace: 'echo', kefu: false, receiver };
}

/** The real server (`kefu start`, demo data), its agent online in the service team with room for every sender. */
async function startKefu(ctx: BenchContext): Promise<Target> {
  ctx.log('chat.widget: starting Kefu');
  const server = await KefuServer.start(ctx, await ctx.tempDir('chat'));
  await server.waitHealthy();
  const { admin } = await server.demoCredentials();
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/api/v1${path}`, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
    if (response.status >= 300) throw server.failure(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response;
  };
  const login = await api('POST', '/auth/login', { email: admin.email, password: admin.password });
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = await login.json() as { csrfToken: string };
  const auth = { cookie, 'x-csrf-token': csrfToken };
  const me = await (await api('GET', '/auth/me', undefined, auth)).json() as { agent: { id: string }; workspace: { slug: string } };
  const departments = await (await api('GET', '/routing/departments', undefined, auth)).json() as { departments: { id: string; key: string }[] };
  const service = departments.departments.find((d) => d.key === 'service')!;
  await api('PUT', `/routing/departments/${service.id}`, { strategy: 'manual', autoAssign: false, memberIds: [me.agent.id] }, auth);
  await api('PUT', `/routing/agents/${me.agent.id}`, { chatCapacity: 100 }, auth);
  await api('PUT', '/chat/settings', { respectBusinessHours: false, defaultDepartmentId: service.id }, auth);

  const receiver = connect(`${server.url}/agent`, { path: '/chat-socket', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie } });
  await connectedSocket(receiver);
  // The agent answers every offer at once, as a console would on a click.
  receiver.on('chat:offer', (offer: { conversation: { id: string } }) => receiver.emit('agent:accept', { conversationId: offer.conversation.id }, () => {}));
  await receiver.timeout(10_000).emitWithAck('agent:presence', { presence: 'online' });
  return { name: 'chat.widget', url: server.url, pid: server.pid, workspace: me.workspace.slug, kefu: true, receiver };
}

function connectedSocket(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

/** The server must hold more sockets than a default soft limit allows; raise it where the system lets us. */
async function raiseOpenFiles(pid: number): Promise<void> {
  await promisify(execFile)('prlimit', [`--pid=${pid}`, `--nofile=${OPEN_FILES}:${OPEN_FILES}`]).catch(() => undefined);
}
