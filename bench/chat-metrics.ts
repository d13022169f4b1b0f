import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import { withDatabase } from '../src/core/db/connection-string.js';
import { connectDatabase } from '../src/core/db/database.js';
import { startEmbeddedServer } from '../src/core/db/embedded-server.js';
import { migrateToLatest } from '../src/core/db/migrations.js';
import { createLogger } from '../src/core/logger.js';
import { Tenancy } from '../src/core/tenancy.js';
import { ChatMetricsService } from '../src/modules/chat/chat.metrics.js';
import { ChatRepo } from '../src/modules/chat/chat.repo.js';
import type { BenchContext } from './harness.js';

/**
 * `chat.metrics`: the contact-centre figures of one month (ChatMetricsService.metrics, as the
 * console's Metrics page asks for them) in a workspace with 10,000 chats that month and in one
 * with 100,000, on the embedded Postgres (or DATABASE_URL's server), measured in the same run.
 */
const SIZES = [10_000, 100_000];
const MONTH = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
const WARM_UP = 5;
const RUNS = 30;

export async function benchChatMetrics(ctx: BenchContext): Promise<void> {
  const log = createLogger('silent');
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'kefu-bench-chat-metrics-'));
    const server = await startEmbeddedServer({ dataDir: dir });
    ctx.onCleanup(async () => { await server.stop(); await rm(dir, { recursive: true, force: true }); });
    serverUrl = server.connectionString('postgres');
  }
  const name = `kefu_chat_metrics_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  ctx.onCleanup(async () => { await admin.query(`drop database if exists ${name} with (force)`); await admin.end(); });
  const url = withDatabase(serverUrl, name);
  const database = await connectDatabase(url, { max: 2, log });
  ctx.onCleanup(() => database.close());
  await migrateToLatest(database.db, log);
  const metrics = new ChatMetricsService(new ChatRepo(database.db, await Tenancy.load(database.db)), systemClock, {
    settings: async () => ({ serviceLevelSeconds: 20, costPerAgentHour: 30 }),
    checkFilter: async () => {},
    members: async () => [],
    timeZone: async () => 'UTC',
    agents: async () => [],
  });

  const seeder = new pg.Client({ connectionString: url });
  await seeder.connect();
  const medians: number[] = [];
  const firstCalls: number[] = [];
  try {
    const workspaces: string[] = [];
    for (const sessions of SIZES) {
      ctx.log(`chat.metrics: seeding a month of ${sessions.toLocaleString('en')} chats`);
      workspaces.push(await seedMonth(seeder, sessions));
    }
    // Measure the steady state, not the write-back of pages the seed left dirty.
    await seeder.query('checkpoint');
    for (const [index, workspaceId] of workspaces.entries()) {
      // The first call rolls the month's settled days up (aggregating every session once); later ones read the roll-ups.
      const first = performance.now();
      await metrics.metrics(workspaceId, MONTH);
      firstCalls.push(performance.now() - first);
      for (let i = 0; i < WARM_UP; i++) await metrics.metrics(workspaceId, MONTH);
      const times: number[] = [];
      let figures = await metrics.metrics(workspaceId, MONTH);
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        figures = await metrics.metrics(workspaceId, MONTH);
        times.push(performance.now() - started);
      }
      if (figures.offered + figures.offline !== SIZES[index]) throw new Error(`chat.metrics counted ${figures.offered + figures.offline} of ${SIZES[index]} chats`);
      medians.push(times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!);
    }
  } finally {
    await seeder.end();
  }
  const [small, large] = medians as [number, number];
  ctx.report({ bench: 'chat.metrics', metric: 'p50_ms_10k_sessions', value: small });
  ctx.report({ bench: 'chat.metrics', metric: 'p50_ms_100k_sessions', value: large, baseline: 'chat.metrics p50_ms_10k_sessions', baseline_value: small });
  ctx.note(`chat.metrics: ChatMetricsService.metrics over one month (${MONTH.from.toISOString().slice(0, 10)} – ${MONTH.to.toISOString().slice(0, 10)}), ` +
    `median of ${RUNS} calls after ${WARM_UP} warm-up, in a workspace with 10,000 chats that month and in one with 100,000 (same database, after VACUUM ANALYZE). ` +
    `The first call of each, which rolls the settled days up, took ${firstCalls.map((ms) => `${Math.round(ms)} ms`).join(' and ')}.`);
}

/** A workspace with `sessions` chats spread over the month (answered, abandoned, offline, transferred), and its agents' presence. */
async function seedMonth(client: pg.Client, sessions: number): Promise<string> {
  const { rows: [workspace] } = await client.query<{ id: string }>(
    `insert into workspaces (slug, name) values ($1, '{"en":"bench"}'::jsonb) returning id`, [`bench-chat-${sessions}`]);
  const workspaceId = workspace!.id;
  await client.query('begin');
  // Foreign keys off for this transaction's session only: tickets and customers are not part of the figures.
  await client.query('set local session_replication_role = replica');
  await client.query(`
    insert into chat_sessions (workspace_id, ticket_id, ticket_number, customer_id, visitor_name, visitor_email, locale, source, department_id,
      status, queued_at, queue_entered_at, answered_by, answered_at, ended_at, ended_by, acw_ended_at, transfers, agent_id, agent_name)
    select $1, gen_random_uuid(), n, gen_random_uuid(), 'Visitor ' || n, 'v' || n || '@bench.example', 'en', 'web', null,
      kind.status, q, q, kind.agent, kind.answered, kind.ended, kind.ended_by, kind.acw, kind.transfers, kind.agent, 'Agent'
    from generate_series(1, $2::int) n
    cross join lateral (select $3::timestamptz + (random() * interval '30 days') as q) queued
    cross join lateral (select
      case when n % 10 = 0 then 'offline' when n % 7 = 0 then 'abandoned' else 'ended' end as status,
      case when n % 10 <> 0 and n % 7 <> 0 then md5((n % 25)::text)::uuid end as agent,
      case when n % 10 <> 0 and n % 7 <> 0 then q + (random() * interval '60 seconds') end as answered,
      case when n % 10 = 0 or n % 7 = 0 then q + interval '1 minute' else q + interval '1 minute' + (random() * interval '10 minutes') end as ended,
      case when n % 10 = 0 then 'system' else 'visitor' end as ended_by,
      case when n % 10 <> 0 and n % 7 <> 0 then q + interval '12 minutes' end as acw,
      case when n % 13 = 0 then 1 else 0 end as transfers) kind`,
  [workspaceId, sessions, MONTH.from]);
  // 25 agents, two shifts a day each, 8 hours: their presence intervals over the month.
  await client.query(`
    insert into chat_presence_log (workspace_id, agent_id, presence, started_at, ended_at)
    select $1, md5(a::text)::uuid, 'online', $2::timestamptz + d * interval '1 day' + s * interval '12 hours',
      $2::timestamptz + d * interval '1 day' + s * interval '12 hours' + interval '8 hours'
    from generate_series(0, 24) a, generate_series(0, 29) d, generate_series(0, 1) s`, [workspaceId, MONTH.from]);
  await client.query('commit');
  await client.query('vacuum analyze chat_sessions');
  await client.query('vacuum analyze chat_presence_log');
  return workspaceId;
}
