import { loadavg } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { loadConfig } from '../src/core/config.js';
import { createInProcessBus } from '../src/core/events/index.js';
import type { JobQueue } from '../src/core/jobs/index.js';
import { createLogger } from '../src/core/logger.js';
import { Tenancy } from '../src/core/tenancy.js';
import { openSearchSandbox } from '../src/modules/search/search.sandbox.js';
import { KEFU_SETTINGS, REFERENCE_SETTINGS, TriageClassifier } from '../src/modules/triage/triage.classifier.js';
import { readLabelledCsv } from '../src/modules/triage/triage.dataset.js';
import { createServices } from '../src/services.js';
import { claimDueAutomations, DEMO_AUTOMATIONS, unclaimedDueTickets } from './automation-history.js';
import { projectRoot, type BenchContext, type BenchSuite } from './harness.js';
import { percentile, time } from './timing.js';

/**
 * The triage classifier on BANKING77 (../shared/datasets/banking77: 10,003 training texts, 77
 * labels), in process: the time to train on train.csv, and the latency of classifying each of the
 * 3,080 test texts one at a time (features, TF-IDF, every class's score). Beside the reference
 * settings (one TF-IDF vector, see triage.classifier.ts), measured in the same run.
 *
 * And the automations' sweep (`TriageAutomations.sweep`, every five minutes per workspace) on a
 * workspace of 100,000 tickets, 4 % of them waiting long enough for an automation (2 % on an
 * agent, 1 % unanswered, 1 % pending) and each already claimed, as after earlier sweeps: the
 * steady state, in which the sweep reads every candidate and sends nothing. Beside one hand-written
 * statement per automation that finds the same unclaimed due tickets (none) in SQL.
 */
const DATA = path.resolve(projectRoot, '../shared/datasets/banking77');
const WARM_UP = 200;
const SWEEP_TICKETS = 100_000;
const SWEEPS = 40;
const SWEEP_WARM_UP = 5;

export const suite: BenchSuite = {
  order: 45,
  benchmarks: [
    { name: 'triage.train', description: 'ms to train the triage classifier on BANKING77 train.csv (10,003 texts, 77 labels) (vs the reference settings)' },
    { name: 'triage.classify', description: 'triage classifier p50/p99 per text, BANKING77 test.csv one at a time (vs the reference settings)' },
    { name: 'triage.sweep', description: 'the automations sweep of one workspace, p50/p99, 100k tickets of which 4% wait long enough and are claimed (vs finding them in SQL, one statement per automation)' },
  ],

  async run(ctx: BenchContext, wanted) {
    if (wanted.has('triage.train') || wanted.has('triage.classify')) await classifier(ctx, wanted);
    if (wanted.has('triage.sweep')) await sweep(ctx);
  },
};

async function classifier(ctx: BenchContext, wanted: ReadonlySet<string>): Promise<void> {
  const [train, test] = await Promise.all([readLabelledCsv(path.join(DATA, 'train.csv')), readLabelledCsv(path.join(DATA, 'test.csv'))]);
  ctx.log(`triage: training on ${train.length.toLocaleString('en')} BANKING77 texts, Kefu's settings and the reference's`);
  const trained = (settings: typeof KEFU_SETTINGS) => {
    const started = performance.now();
    return { classifier: TriageClassifier.train(train, settings), ms: performance.now() - started };
  };
  const kefu = trained(KEFU_SETTINGS);
  const reference = trained(REFERENCE_SETTINGS);
  if (wanted.has('triage.train')) ctx.report({ bench: 'triage.train', metric: 'ms', value: kefu.ms, baseline: 'reference.train', baseline_value: reference.ms });
  if (wanted.has('triage.classify')) {
    const texts = test.map((t) => t.text);
    const kefuMs = await time(texts, async (text) => kefu.classifier.predict(text), WARM_UP);
    const referenceMs = await time(texts, async (text) => reference.classifier.predict(text), WARM_UP);
    for (const [metric, p] of [['p50_ms', 50], ['p99_ms', 99]] as const) {
      ctx.report({ bench: 'triage.classify', metric, value: percentile(kefuMs, p), baseline: 'reference.classify', baseline_value: percentile(referenceMs, p) });
    }
  }
  ctx.note(`triage: BANKING77, in process, one text at a time after ${WARM_UP} warm-up; reference = word 1–2 + character 2–5 TF-IDF in one vector, C = 1; ` +
    `1-minute load average ${loadavg()[0]!.toFixed(1)} when measured.`);
}

async function sweep(ctx: BenchContext): Promise<void> {
  const total = Math.max(10_000, Math.round(SWEEP_TICKETS * Math.min(ctx.settings.scale, 1)));
  const log = createLogger('silent');
  const sandbox = await openSearchSandbox({ databaseUrl: process.env.DATABASE_URL });
  ctx.onCleanup(() => sandbox.close());
  const { database } = sandbox;
  const db = database.db;
  // Jobs are counted, not queued: in the steady state measured the sweep sends none.
  let sent = 0;
  const jobs: JobQueue = {
    start: async () => {}, work: async () => {}, schedule: async () => {}, stop: async () => {},
    send: async () => `bench-job-${++sent}`,
    sendMany: async (list) => list.map(() => `bench-job-${++sent}`),
  };
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', KEFU_DATA_DIR: await ctx.tempDir('triage-sweep'), KEFU_PUBLIC_URL: 'http://localhost:3000' });
  const services = createServices({ config, database, tenancy: await Tenancy.load(db), bus: createInProcessBus(log), jobs, clock: systemClock });
  const workspace = await services.accounts.createWorkspace({ slug: 'bench-sweep', name: { en: 'Sweep', 'zh-CN': '扫描' } });
  const ws = workspace.id;
  const agent = await services.accounts.createAgent(ws, { email: 'agent@sweep.example', name: 'Agent', role: 'agent', password: 'bench-sweep-password' }, { type: 'system', id: null });
  const { rows: [customer] } = await sql<{ id: string }>`insert into customers (workspace_id, email, name) values (${ws}, 'customer@sweep.example', 'Customer') returning id`.execute(db);

  ctx.log(`triage: seeding ${total.toLocaleString('en')} tickets for the automations sweep`);
  // Opened 60 to 10 days ago (in whole milliseconds, as the condition keys are): every waiting one is due.
  await sql`
    with g as (
      select n, date_trunc('milliseconds', now() - interval '60 days' + (n::float8 / ${total}) * interval '50 days') as at,
             case when n % 100 < 2 then 'waiting' when n % 100 < 3 then 'unanswered' when n % 100 < 4 then 'pending' else 'done' end as kind
      from generate_series(1, ${total}::int) n
    )
    insert into tickets (workspace_id, number, subject, status, assignee_id, customer_id, channel, first_response_at,
                         last_customer_message_at, last_agent_message_at, solved_at, created_at, updated_at)
    select ${ws}, n, 'Printer question ' || n,
           case kind when 'waiting' then 'open' when 'unanswered' then 'new' when 'pending' then 'pending' else 'closed' end,
           case when kind = 'unanswered' then null else ${agent.id}::uuid end, ${customer!.id}, 'web',
           case when kind = 'unanswered' then null else at + interval '1 hour' end,
           case when kind = 'waiting' then at + interval '2 hours' else at end,
           case when kind = 'unanswered' then null else at + interval '1 hour' end,
           case when kind = 'done' then at + interval '1 day' end,
           at,
           case kind when 'waiting' then at + interval '2 hours' when 'unanswered' then at when 'pending' then at + interval '1 hour' else at + interval '1 day' end
    from g`.execute(db);
  await services.triage.automations.saveSettings(ws, {
    remind: { enabled: true, afterHours: DEMO_AUTOMATIONS.remindAfterHours },
    escalate: { enabled: true, afterHours: DEMO_AUTOMATIONS.escalateAfterHours, onSlaWarning: false, raiseUrgencyTo: 2, departmentId: null, notify: true },
    autoClose: { enabled: true, afterDays: DEMO_AUTOMATIONS.autoCloseAfterDays },
    duplicates: { enabled: false, windowMinutes: 10 },
    spam: { enabled: false, threshold: 5, blocklist: [] },
  }, { type: 'system', id: null });
  // The steady state: earlier sweeps' firings claimed every due ticket's run under its condition key.
  for (const statement of claimDueAutomations) await database.pool.query(statement, [ws]);
  for (const table of ['tickets', 'triage_automation_runs']) await sql`vacuum analyze ${sql.table(table)}`.execute(db);
  const { rows: [counted] } = await sql<{ candidates: number }>`select count(*)::int as candidates from triage_automation_runs where workspace_id = ${ws}`.execute(db);

  // The same question in SQL: each automation's due tickets without a run under their condition key.
  const byHand = async () => {
    let found = 0;
    for (const statement of unclaimedDueTickets) found += (await database.pool.query(statement, [ws])).rowCount ?? 0;
    return found;
  };
  const rounds = Array.from({ length: SWEEPS }, (_, i) => i);
  const sweepMs = await time(rounds, () => services.triage.automations.sweep(ws), SWEEP_WARM_UP);
  const sqlMs = await time(rounds, byHand, SWEEP_WARM_UP);
  // Both must have found nothing to fire: every due ticket is claimed under the key the sweep computes.
  if (sent !== 0) throw new Error(`the sweep sent ${sent} jobs: the claimed runs' keys differ from the sweep's`);
  if ((await byHand()) !== 0) throw new Error('the hand-written statements found unclaimed due tickets');
  for (const [metric, p] of [['p50_ms', 50], ['p99_ms', 99]] as const) {
    ctx.report({ bench: 'triage.sweep', metric, value: percentile(sweepMs, p), baseline: 'triage.sweep_sql', baseline_value: percentile(sqlMs, p) });
  }
  ctx.note(`triage.sweep: ${total.toLocaleString('en')} tickets, ${counted!.candidates.toLocaleString('en')} of them due and claimed (remind, escalate, auto-close), ` +
    `${SWEEPS} sweeps after ${SWEEP_WARM_UP} unmeasured, on ${process.env.DATABASE_URL ? 'DATABASE_URL\'s server' : 'an embedded Postgres'}; ` +
    `baseline = one anti-join statement per automation; 1-minute load average ${loadavg()[0]!.toFixed(1)} when measured.`);
}
