import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { loadConfig } from '../../src/core/config.js';
import { systemClock } from '../../src/core/clock.js';
import { connectDatabase } from '../../src/core/db/database.js';
import { createInProcessBus } from '../../src/core/events/index.js';
import { createInlineQueue } from '../../src/core/jobs/index.js';
import { createLogger } from '../../src/core/logger.js';
import { Tenancy } from '../../src/core/tenancy.js';
import { createServices } from '../../src/services.js';
import { freePort, runKefu, whenHealthy, type KefuProcess } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { SmtpSink } from '../mail/outbound-sink.js';

/**
 * What the crash tests of side effects run against: a fresh database holding one workspace whose
 * new tickets are acknowledged, auto-assigned (round robin over two online agents) and announced
 * to a webhook; a local webhook receiver and SMTP sink that keep everything they get; and the
 * `kefu start` processes (compiled CLI) on that database, started and killed by the test.
 */
export const SUPPORT_ADDRESS = 'help@crash.example';
export const WEBHOOK_EVENTS = ['ticket.created', 'message.created'] as const;

export interface WebhookCall {
  deliveryId: string;
  eventId: string;
  type: string;
}

export interface ContactWorld {
  db: TestDatabase;
  token: string;
  workspaceId: string;
  /** The auto-assigning team's key: the department web requests are opened in. */
  departmentKey: string;
  sink: SmtpSink;
  webhookCalls: WebhookCall[];
  httpPort: number;
  smtpPort: number;
  /** Starts `kefu start --role <role>` on the world's database, ports and sink. */
  start(role: 'all' | 'web' | 'worker' | 'mail'): KefuProcess;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function createContactWorld(): Promise<ContactWorld> {
  const db = await freshDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kefu-crash-world-'));
  const sink = await SmtpSink.start();
  const webhookCalls: WebhookCall[] = [];
  const receiver = await listen(createServer((req, res) => {
    const chunks: Buffer[] = [];
    // A post cut off by a kill resets the connection: not a call received, and not an uncaught error.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; type: string };
      webhookCalls.push({ deliveryId: String(req.headers['kefu-delivery']), eventId: body.id, type: body.type });
      res.writeHead(200).end('ok');
    });
  }));

  // The workspace is set up in this process, as `kefu admin create` would, with an in-process bus.
  const log = createLogger('silent');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', KEFU_DATA_DIR: dataDir, KEFU_PUBLIC_URL: 'http://localhost:3000', KEFU_WEBHOOKS_ALLOW_PRIVATE: 'true' });
  const database = await connectDatabase(db.url, { max: 2, log });
  const system = { type: 'system', id: null } as const;
  let token: string;
  let workspaceId: string;
  let departmentKey: string;
  try {
    const services = createServices({ config, database, tenancy: await Tenancy.load(database.db), bus: createInProcessBus(log), jobs: createInlineQueue(), clock: systemClock });
    const workspace = await services.accounts.createWorkspace({ slug: 'crash', name: { en: 'Crash Ltd', 'zh-CN': '崩溃公司' }, defaultLocale: 'en' });
    workspaceId = workspace.id;
    const agents = [];
    for (const [i, role] of (['admin', 'agent'] as const).entries()) {
      agents.push(await services.accounts.createAgent(workspace.id, { email: `agent${i}@crash.example`, name: `Agent ${i}`, role, password: `crash-password-${i}` }, system));
    }
    for (const agent of agents) await services.routing.updateAgent(workspace.id, agent.id, { availability: 'online', ticketCapacity: 10_000 });
    const [department] = await services.tickets.departments(workspace.id);
    departmentKey = department!.key;
    await services.routing.configureDepartment(workspace.id, department!.id, { strategy: 'round_robin', autoAssign: true, memberIds: agents.map((a) => a.id) }, system);
    await services.mailInbound.addresses.create(workspace.id, { address: SUPPORT_ADDRESS, departmentId: department!.id, locale: 'en' });
    await services.webhooks.create(workspace.id, { url: `http://127.0.0.1:${receiver.port}/hook`, events: [...WEBHOOK_EVENTS] }, system);
    token = (await services.accounts.createApiToken(workspace.id, agents[0]!.id, 'crash test', system)).token;
  } finally {
    await database.close();
  }

  const httpPort = await freePort();
  const smtpPort = await freePort();
  const env = {
    DATABASE_URL: db.url, KEFU_DATA_DIR: dataDir, KEFU_SECRET: 'crash-test-secret-0123456789abcdef', LOG_LEVEL: 'error',
    // Short back-offs: a job a kill cut off waits its expiry (40 s) plus the back-off before it runs again.
    KEFU_SMTP_URL: sink.url, KEFU_MAIL_RETRY_DELAY_MS: '500', KEFU_WEBHOOKS_ALLOW_PRIVATE: 'true', KEFU_WEBHOOKS_RETRY_DELAY_SECONDS: '1',
    KEFU_SMTP_LISTEN_PORT: String(smtpPort), KEFU_SMTP_LISTEN_HOST: '127.0.0.1',
    KEFU_SMTP_MESSAGES_PER_SENDER_PER_MIN: '100000', KEFU_SMTP_MESSAGES_PER_IP_PER_MIN: '100000',
  };
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // pool.end() resolves before its sockets have closed, so the drop's forced termination (57P01) can
  // still reach an ended client; without a listener that is an unhandled error in the test run.
  pool.on('error', () => undefined);
  return {
    db, token: token!, workspaceId: workspaceId!, departmentKey: departmentKey!, sink, webhookCalls, httpPort, smtpPort,
    start: (role) => runKefu(['start', '--role', role], env, role === 'all' || role === 'web' ? httpPort : 0),
    query: async (text, values) => (await pool.query(text, values)).rows,
    close: async () => {
      await pool.end();
      await sink.stop();
      await new Promise((resolve) => receiver.server.close(resolve));
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function listen(server: Server): Promise<{ server: Server; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Resolves once the process has printed `text`; rejects with its output if it exits first. */
export async function whenPrinted(kefu: KefuProcess, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!kefu.output().includes(text)) {
    if (kefu.child.exitCode !== null || Date.now() > deadline) throw new Error(`kefu did not print "${text}":\n${kefu.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { whenHealthy };

/**
 * The contacts a help desk gets, sent until `stop()`: web-form tickets over the HTTP API, mail
 * over SMTP and agents' replies on the tickets created. Requests that fail (the server is down)
 * are tried again; what was acknowledged (201, 250) is counted.
 */
/**
 * Web-form tickets one stream sends at most. Uncapped, how many commit depends on how fast the web
 * role runs beside the kills (629 in one CI rehearsal, 1,265 in the next), and with it the backlog
 * of mail, SLA and webhook work the restarted worker must finish within the settle time.
 */
const MAX_WEB_TICKETS = 400;

export function contactStream(world: ContactWorld, opts: { httpUrl: () => string; httpClients: number }) {
  const counts = { ticketsAcknowledged: 0, mailsAccepted: 0, repliesAcknowledged: 0, failedRequests: 0 };
  const tickets: string[] = [];
  let running = true;
  let n = 0;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${world.token}` };
  const pause = () => new Promise((r) => setTimeout(r, 250));

  const post = async (url: string, body: unknown): Promise<{ id: string } | undefined> => {
    const res = await fetch(`${opts.httpUrl()}${url}`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    if (res?.status === 201) return await res.json() as { id: string };
    counts.failedRequests++;
    return undefined;
  };

  const ticketClient = async () => {
    while (running && counts.ticketsAcknowledged < MAX_WEB_TICKETS) {
      const i = n++;
      // A customer of their own each, so the acknowledgements' hourly limit per address never applies.
      const ticket = await post('/api/v1/tickets', { subject: `Web request ${i}`, body: `Printer ${i} is jammed`, channel: 'web', department: world.departmentKey, customer: { email: `web${i}@customers.example`, name: `Web ${i}` } });
      if (ticket) { counts.ticketsAcknowledged++; tickets.push(ticket.id); } else await pause();
    }
  };

  const replyClient = async () => {
    while (running) {
      const ticketId = tickets[Math.floor(Math.random() * tickets.length)];
      if (!ticketId) { await pause(); continue; }
      // The same external id on every try: a reply whose response was lost is not written twice.
      const externalId = `crash-reply-${n++}`;
      for (let tries = 0; running && tries < 50; tries++) {
        if (await post(`/api/v1/tickets/${ticketId}/messages`, { kind: 'reply', body: `Try turning it off and on (${externalId})`, externalId })) { counts.repliesAcknowledged++; break; }
        await pause();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const mailClient = async () => {
    while (running) {
      const i = n++;
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: world.smtpPort, secure: false, ignoreTLS: true, connectionTimeout: 2000, socketTimeout: 5000 });
      const info = await transport.sendMail({ from: `mail${i}@customers.example`, to: SUPPORT_ADDRESS, subject: `Mail request ${i}`, text: `Toner ${i} is empty`, messageId: `<crash-${i}@customers.example>` })
        .catch(() => undefined);
      transport.close();
      if (info && /^250/.test(info.response)) counts.mailsAccepted++;
      else { counts.failedRequests++; await pause(); }
    }
  };

  const clients = [...Array.from({ length: opts.httpClients }, ticketClient), replyClient(), mailClient()];
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

/** What must follow every committed contact, counted from the database and the local receivers. */
export interface Outcome {
  tickets: number;
  /** Accepted mail not (yet) turned into a ticket: still waiting, or parked. */
  unprocessedMail: string[];
  missingSla: string[];
  ackDue: number;
  missingAck: string[];
  missingRouting: string[];
  doubleRouting: string[];
  events: number;
  missingWebhook: string[];
  replies: number;
  missingReplyMail: string[];
  /** Mails and webhook calls received more than once (each explained by an interrupted attempt, or not). */
  mailResends: number;
  unexplainedMailResends: string[];
  webhookResends: number;
  unexplainedWebhookResends: string[];
  mailsReceived: number;
  webhookCallsReceived: number;
}

export async function outcome(world: ContactWorld): Promise<Outcome> {
  const ws = [world.workspaceId];
  const tickets = await world.query<{ id: string; channel: string; sla: boolean; routed: number; assignee_id: string | null; ack_message_id: string | null; ack_status: string | null; ack_decision: string | null }>(`
    select t.id, t.channel, t.assignee_id,
      (select a.outcome || coalesce(' ' || a.reason, '') from mail_autoresponses a where a.workspace_id = t.workspace_id and a.ticket_id = t.id) as ack_decision,
      exists (select 1 from sla_ticket_states s where s.ticket_id = t.id) as sla,
      (select count(*)::int from routing_assignments r where r.workspace_id = t.workspace_id and r.kind = 'ticket' and r.item_id = t.id and r.agent_id is not null) as routed,
      (select o.message_id from mail_outbox o where o.workspace_id = t.workspace_id and o.idempotency_key = 'autoresponse:' || t.id) as ack_message_id,
      (select o.status from mail_outbox o where o.workspace_id = t.workspace_id and o.idempotency_key = 'autoresponse:' || t.id) as ack_status
    from tickets t where t.workspace_id = $1`, ws);
  const unprocessedMail = await world.query<{ id: string; status: string; reason: string | null }>(
    "select id, status, reason from mail_inbound where workspace_id = $1 and status <> 'processed'", ws);
  const replies = await world.query<{ id: string; message_id: string | null; status: string | null }>(`
    select m.id, o.message_id, o.status from ticket_messages m
    left join mail_outbox o on o.workspace_id = m.workspace_id and o.ticket_message_id = m.id
    where m.workspace_id = $1 and m.kind = 'reply' and m.author_type = 'agent'`, ws);
  const events = await world.query<{ id: string; type: string; delivery_id: string | null; status: string | null; attempts: number | null }>(`
    select e.id, e.type, d.id as delivery_id, d.status, d.attempts from events e
    left join webhook_deliveries d on d.event_id = e.id::text and d.redelivery_of is null
    where e.workspace_id = $1 and e.type = any($2)`, [world.workspaceId, [...WEBHOOK_EVENTS]]);
  // Attempts whose process stopped before their outcome was recorded: the mail went out again, with its Message-ID.
  const interrupted = new Set((await world.query<{ message_id: string }>(`
    select distinct o.message_id from mail_outbox_attempts a join mail_outbox o on o.id = a.outbox_id
    where o.workspace_id = $1 and a.outcome = 'unknown'`, ws)).map((r) => r.message_id));

  const received = world.sink.countsByMessageId();
  const got = (messageId: string | null) => !!messageId && (received.get(`<${messageId}>`) ?? 0) >= 1;
  const calls = new Map<string, number>();
  for (const call of world.webhookCalls) calls.set(call.deliveryId, (calls.get(call.deliveryId) ?? 0) + 1);
  const mailResends = [...received].filter(([, count]) => count > 1);
  const webhookResends = [...calls].filter(([, count]) => count > 1);
  const attemptsOf = new Map(events.map((e) => [e.delivery_id, e.attempts ?? 0]));
  const ackDue = tickets.filter((t) => t.channel === 'web' || t.channel === 'email');
  return {
    tickets: tickets.length,
    unprocessedMail: unprocessedMail.map((m) => `${m.id} (${m.status}${m.reason ? `: ${m.reason}` : ''})`),
    missingSla: tickets.filter((t) => !t.sla).map((t) => t.id),
    ackDue: ackDue.length,
    // What is missing says how far it got: the decision, the outbox row's status, the sink.
    missingAck: ackDue.filter((t) => t.ack_status !== 'sent' || !got(t.ack_message_id))
      .map((t) => `${t.id} (${t.channel}; decision ${t.ack_decision ?? 'none'}; outbox ${t.ack_status ?? 'none'}; received ${got(t.ack_message_id)})`),
    missingRouting: tickets.filter((t) => t.routed === 0 || !t.assignee_id).map((t) => `${t.id} (${t.channel}; decisions ${t.routed}; assignee ${t.assignee_id})`),
    doubleRouting: tickets.filter((t) => t.routed > 1).map((t) => t.id),
    events: events.length,
    missingWebhook: events.filter((e) => e.status !== 'succeeded' || !calls.has(e.delivery_id!)).map((e) => `${e.type} ${e.id} (delivery ${e.status ?? 'none'}, ${e.attempts ?? 0} attempts)`),
    replies: replies.length,
    missingReplyMail: replies.filter((r) => r.status !== 'sent' || !got(r.message_id)).map((r) => `${r.id} (outbox ${r.status ?? 'none'}; received ${got(r.message_id)})`),
    mailResends: mailResends.length,
    unexplainedMailResends: mailResends.filter(([id]) => !interrupted.has(id.replace(/^<|>$/g, ''))).map(([id]) => id),
    webhookResends: webhookResends.length,
    // A delivery POSTed twice was attempted twice: the first attempt's process stopped before it recorded the answer.
    unexplainedWebhookResends: webhookResends.filter(([id, count]) => (attemptsOf.get(id) ?? 0) < count).map(([id]) => id),
    mailsReceived: world.sink.received.length,
    webhookCallsReceived: world.webhookCalls.length,
  };
}

/** Where delivery stands, for a failure's message: subscribers' failures and lag, and the jobs by state. */
export async function deliveryState(world: ContactWorld): Promise<string> {
  const failures = await world.query<{ subscriber: string; error: string; n: number }>(
    'select subscriber, error, count(*)::int as n from event_failures group by 1, 2 order by 1');
  const lag = await world.query<{ subscriber: string; lag: number }>(`
    select s.subscriber, (select count(*)::int from events e where (e.txid, e.seq) > (s.txid, s.seq) and (cardinality(s.types) = 0 or e.type = any(s.types))) as lag
    from event_subscribers s order by 1`);
  const jobs = await world.query<{ name: string; state: string; n: number }>(
    "select name, state::text, count(*)::int as n from pgboss.job where name not like '\\_\\_%' group by 1, 2 order by 1, 2");
  return JSON.stringify({ failures, lagging: lag.filter((l) => l.lag > 0), jobs });
}

/** Everything that must follow has followed. */
export function settled(o: Outcome): boolean {
  return !o.unprocessedMail.length && !o.missingSla.length && !o.missingAck.length && !o.missingRouting.length && !o.missingWebhook.length && !o.missingReplyMail.length;
}
