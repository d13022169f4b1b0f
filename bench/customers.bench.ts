import { loadavg } from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { createInProcessBus } from '../src/core/events/index.js';
import { runReplayable } from '../src/core/jobs/index.js';
import { createLogger } from '../src/core/logger.js';
import { systemClock } from '../src/core/clock.js';
import { loadConfig } from '../src/core/config.js';
import { Tenancy } from '../src/core/tenancy.js';
import { CustomerImports, CustomerSegments, CustomersService } from '../src/modules/customers/index.js';
import { ticketContactSource } from '../src/modules/tickets/index.js';
import { CustomersRepo } from '../src/modules/customers/customers.repo.js';
import { openSearchSandbox } from '../src/modules/search/search.sandbox.js';
import type { BenchContext, BenchSuite } from './harness.js';
import { percentile, time } from './timing.js';

/**
 * The customer database at 1,000,000 customers (names half Chinese, a third with a phone), on the
 * embedded Postgres or DATABASE_URL's server: the console's list (first page and deep pages) and its
 * search (a Chinese name part, an e-mail part, a phone part) through the module's repository, one
 * call at a time, beside plain indexed selects of the same rows; and a CSV import through the real
 * import (decode, check, batches with their events) beside plain multi-row inserts of the same rows.
 */
const FULL_CUSTOMERS = 1_000_000;
const SEED_BATCH = 100_000;
const QUERIES = 300;
const WARM_UP = 30;
const IMPORT_ROWS = 20_000;
const SEGMENT_QUERIES = 120;
const SEGMENT_WARM_UP = 12;
/** Counts taken now last seconds each at 1M: 6 rounds of the 6 segments (p99 is then the slowest). */
const SEGMENT_LIVE_QUERIES = 36;
const SEGMENT_LIVE_WARM_UP = 6;
const TARGETS = { listP99Ms: 50, searchP99Ms: 50, importPerS: 5_000, segmentP99Ms: 200 };

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华红玉萍建国文斌宇浩凯鹏飞丹玲燕雪梅琳晨欣怡'.split('');
const FIRST = ['Emma', 'Oliver', 'Sarah', 'James', 'Amelia', 'Noah', 'Grace', 'Liam', 'Chloe', 'Ethan', 'Lucy', 'Jack'];
const LAST = ['Miller', 'Chan', 'Hughes', 'Smith', 'Wong', 'Taylor', 'Lee', 'Brown', 'Wilson', 'Davies', 'Evans', 'Clark'];

export const suite: BenchSuite = {
  order: 60,
  benchmarks: [
    { name: 'customers.list', description: 'customer list pages (first and deep keyset pages) at 1M customers, beside a plain indexed select' },
    { name: 'customers.search', description: 'customer search (Chinese name part, e-mail, phone) at 1M customers, beside the same look-ups written by hand on the same indexes' },
    { name: 'customers.search.common', description: 'customer search for common terms (a surname alone, a first name, an e-mail start of two characters, a phone start of three digits) at 1M customers, beside every match looked up on the same indexes and sorted by hand' },
    { name: 'customers.segment_count.stored', description: 'saved segment counts as the segment list and page read them (the stored count, recounted by a job) at 1M customers, beside counting by hand' },
    { name: 'customers.segment_count.live', description: 'saved segment counts taken now (tag, product owners bought in 12 months, no contact for 180 days, attribute, consent, orders) at 1M customers, beside the same counts written by hand' },
    { name: 'customers.segment_count.preview', description: 'the rule editor\'s live count and first page of the same six rules through segments.preview (estimated from a sample above 100,000 customers) at 1M customers, beside the exact counts written by hand' },
    { name: 'customers.import', description: 'CSV import rows/s through the real import, beside plain multi-row inserts of the same rows; statements per 500-row batch' },
  ],
  async run(ctx: BenchContext, wanted) {
    const total = Math.max(10_000, Math.round(Number(process.env.BENCH_CUSTOMERS) || FULL_CUSTOMERS * Math.min(ctx.settings.scale, 1)));
    const serverUrl = postgresServer();
    ctx.log(`customers: a migrated database on ${serverUrl ? 'the external Postgres' : 'an embedded Postgres'}, seeding ${total.toLocaleString('en')} customers`);
    const sandbox = await openSearchSandbox({ databaseUrl: serverUrl });
    ctx.onCleanup(() => sandbox.close());
    const { database } = sandbox;
    const workspaceId = await sandbox.addWorkspace('bench-customers');
    const seedStarted = performance.now();
    await seedCustomers(ctx, database.db, workspaceId, total);
    const countSegments = wanted.has('customers.segment_count.stored') || wanted.has('customers.segment_count.live') || wanted.has('customers.segment_count.preview');
    if (countSegments) await seedSegmentData(ctx, database.db, workspaceId, total);
    for (const table of ['customers', 'customer_identities', 'product_registrations', 'customer_orders', 'consent_changes', 'tickets']) {
      await sql`vacuum analyze ${sql.table(table)}`.execute(database.db);
    }
    await sql`checkpoint`.execute(database.db);
    ctx.note(`customers: on ${serverUrl ? 'the external Postgres' : 'the embedded Postgres'}, ${total.toLocaleString('en')} customers seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s (BENCH_CUSTOMERS overrides); ` +
      `calls in process one at a time after ${WARM_UP} warm-up; 1-minute load average ${loadavg()[0]!.toFixed(1)} when measured.`);

    const tenancy = await Tenancy.load(database.db);
    const repo = CustomersRepo.of(tenancy);
    const db = database.db;

    if (wanted.has('customers.list')) {
      // Deep pages start at a customer a third, a half … of the way down the list.
      const { rows: anchors } = await sql<{ created_at: Date; id: string }>`
        select created_at, id from customers where workspace_id = ${workspaceId} order by created_at desc, id desc
        offset ${Math.floor(total / 3)} limit 1`.execute(db);
      const pages = Array.from({ length: QUERIES }, (_, i) => (i % 2 === 0 ? undefined : { createdAt: anchors[0]!.created_at, id: anchors[0]!.id }));
      const kefu = await time(pages, (after) => repo.list(workspaceId, { after, limit: 51 }), WARM_UP);
      const plain = await time(pages, (after) => (after
        ? sql`select id, email, name from customers where workspace_id = ${workspaceId} and (created_at, id) < (${after.createdAt}, ${after.id}) order by created_at desc, id desc limit 51`
        : sql`select id, email, name from customers where workspace_id = ${workspaceId} order by created_at desc, id desc limit 51`).execute(db), WARM_UP);
      report(ctx, 'customers.list', kefu, 'pg.keyset_select', plain, TARGETS.listP99Ms);
    }

    // What a DBA would write for each kind of query on the same indexes: name grams, e-mail start, phone start; every match
    // looked up (as an array: given `in (…)` the planner misjudges how many match and probes the whole list) and sorted.
    const byHand = (q: string) => (/^\d+$/.test(q)
      ? sql`id = any(array(select customer_id from customer_identities where workspace_id = ${workspaceId} and kind = 'phone' and customer_phone_national(value) like ${`${q}%`}))`
      : /^[a-z0-9.@]+$/.test(q) && !/^[a-z]+$/.test(q)
        ? sql`id = any(array(select customer_id from customer_identities where workspace_id = ${workspaceId} and lower(value) like ${`${q}%`}))`
        : sql`customer_name_grams(name) @> ${q.length === 1 ? [q] : [...q].slice(1).map((c, i) => q[i] + c)}::text[] and lower(name) like ${`%${q}%`}`);
    /** `baselineQueries`: the hand-written every-match look-up of a common term takes seconds, so it runs fewer. */
    const searches = async (bench: string, queries: string[], note: string, baselineQueries = queries.length) => {
      const kefu = await time(queries, (q) => repo.list(workspaceId, { q, limit: 51 }), WARM_UP);
      const plain = await time(queries.slice(0, baselineQueries), (q) => sql`select id from customers where workspace_id = ${workspaceId} and ${byHand(q)}
        order by created_at desc, id desc limit 51`.execute(db), Math.min(WARM_UP, Math.ceil(baselineQueries / 10)));
      report(ctx, bench, kefu, 'pg.indexed_select', plain, TARGETS.searchP99Ms);
      ctx.note(`${bench}: ${note}`);
    };
    if (wanted.has('customers.search')) {
      await searches('customers.search', Array.from({ length: QUERIES }, (_, i) => [
        `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}`, `c${1000 + i * 37}@`, `139${String(3000 + i * 3).padStart(8, '0').slice(0, 6)}`,
      ][i % 3]!), 'a surname and a given name (~500 matches), an e-mail start (1), a phone start of 9 digits (~33), in turns.');
    }
    if (wanted.has('customers.search.common')) {
      await searches('customers.search.common', Array.from({ length: QUERIES }, (_, i) => [
        SURNAMES[i % SURNAMES.length]!, FIRST[(1 + 2 * i) % FIRST.length]!.toLowerCase(), `c${1 + (i % 9)}`, `13${9 - (i % 2)}`,
      ][i % 4]!), 'a surname alone (up to 20,000 matches; the seed leaves some surnames out), a first name (~83,000), an e-mail start of two characters (~111,000), ' +
        'a phone start of three digits (139: all ~333,000 phones; 138: none), in turns; pg.indexed_select looks every match up and sorts it (40 queries after 4).', 40);
    }

    if (countSegments) {
      const nobody = { audit: async () => [] };
      const customers = new CustomersService(repo, nobody, createInProcessBus(createLogger('silent')), systemClock, { customerTickets: async () => [] }, ticketContactSource);
      // The preview's threshold as a default install has it (KEFU_SEGMENT_PREVIEW_EXACT_UP_TO).
      const segments = new CustomerSegments(repo, customers, nobody, systemClock, ticketContactSource, { exactUpTo: loadConfig({}).segmentPreviewExactUpTo });
      const { rows: [ids] } = await sql<{ product: string; purpose: string }>`
        select (select id from products where workspace_id = ${workspaceId} and model = 'YM-720') as product,
               (select id from consent_purposes where workspace_id = ${workspaceId} and key = 'newsletter') as purpose`.execute(db);
      const day = (days: number) => new Date(Date.now() - days * 86_400_000);
      // Each saved segment beside the same count written by hand (the plain SQL a DBA would write).
      const rules = [
        { rule: { match: 'all', conditions: [{ field: 'tag', op: 'has', value: 'vip' }] }, plain: sql`tags @> array['vip']::text[]` },
        {
          rule: { match: 'all', conditions: [{ field: 'product', op: 'owns', model: 'YM-720', purchasedWithinDays: 365 }] },
          plain: sql`id in (select customer_id from product_registrations where workspace_id = ${workspaceId} and product_id = ${ids!.product} and purchased_on >= ${day(365).toISOString().slice(0, 10)})`,
        },
        {
          rule: { match: 'all', conditions: [{ field: 'lastContact', op: 'not_within_days', days: 180 }] },
          plain: sql`id not in (select customer_id from tickets where workspace_id = ${workspaceId} and updated_at >= ${day(180)})`,
        },
        { rule: { match: 'all', conditions: [{ field: 'attribute', key: 'tier', op: 'equals', value: 'gold' }] }, plain: sql`attributes @> '{"tier":"gold"}'::jsonb` },
        {
          rule: { match: 'all', conditions: [{ field: 'consent', purpose: 'newsletter', op: 'granted' }] },
          plain: sql`id in (select customer_id from (select distinct on (customer_id) customer_id, granted from consent_changes
            where workspace_id = ${workspaceId} and purpose_id = ${ids!.purpose} order by customer_id, id desc) s where granted)`,
        },
        {
          rule: { match: 'all', conditions: [{ field: 'orders', measure: 'count', op: 'gte', value: 2, withinDays: 365 }, { field: 'locale', op: 'is', value: 'zh-CN' }] },
          plain: sql`locale = 'zh-CN' and id in (select customer_id from customer_orders where workspace_id = ${workspaceId} and ordered_at >= ${day(365)} group by customer_id having count(*) >= 2)`,
        },
      ];
      const saved: { id: string; rule: typeof rules[number]['rule']; plain: typeof rules[number]['plain']; count: number }[] = [];
      for (const [i, { rule, plain }] of rules.entries()) {
        const segment = await segments.create(workspaceId, { name: `bench segment ${i + 1}`, description: '', rule }, { type: 'system', id: null });
        const [{ count: kefuCount }, plainCount] = [await segments.count(workspaceId, segment.id), Number((await sql<{ n: string }>`select count(*) as n from customers where workspace_id = ${workspaceId} and erased_at is null and ${plain}`.execute(db)).rows[0]!.n)];
        if (kefuCount !== plainCount) throw new Error(`segment ${i + 1} counts ${kefuCount}, the hand-written query ${plainCount}`);
        saved.push({ id: segment.id, rule, plain, count: kefuCount });
      }
      const calls = Array.from({ length: SEGMENT_QUERIES }, (_, i) => saved[i % saved.length]!);
      const liveCalls = calls.slice(0, SEGMENT_LIVE_QUERIES);
      const plain = await time(liveCalls, (s) => sql`select count(*) from customers where workspace_id = ${workspaceId} and erased_at is null and ${s.plain}`.execute(db), SEGMENT_LIVE_WARM_UP);
      if (wanted.has('customers.segment_count.live')) {
        // Load the segment, check its names, compile, count: what a stale stored count falls back to, and the recount job does.
        const live = await time(liveCalls, async (s) => segments.where(workspaceId, s.id).then((where) => repo.countWhere(workspaceId, where)), SEGMENT_LIVE_WARM_UP);
        report(ctx, 'customers.segment_count.live', live, 'pg.handwritten_count', plain, TARGETS.segmentP99Ms);
      }
      if (wanted.has('customers.segment_count.preview')) {
        // As the editor asks while a rule is typed (the console's page of 10): check, compile, count (by a sample above the threshold) and the first page.
        const previewed = await time(calls, (s) => segments.preview(workspaceId, s.rule, 10), SEGMENT_WARM_UP);
        report(ctx, 'customers.segment_count.preview', previewed, 'pg.handwritten_count', plain, TARGETS.segmentP99Ms);
        const answers = [];
        for (const s of saved) answers.push({ ...(await segments.preview(workspaceId, s.rule, 10)), exact: s.count });
        const errors = answers.map((a) => Math.abs(a.count - a.exact) / Math.max(1, a.exact));
        ctx.report({ bench: 'customers.segment_count.preview', metric: 'max_error_pct', value: 100 * Math.max(...errors) });
        // Per rule, as the p99 of the mix is the slowest rule's: the first page can cost more than the count.
        const byRule = saved.map((_, r) => percentile(previewed.filter((__, i) => i % saved.length === r), 50).toFixed(0));
        ctx.note(`customers.segment_count.preview: ${SEGMENT_QUERIES} previews of the ${saved.length} rules in turn (p50 by rule ${byRule.join(' / ')} ms); one more of each answered ` +
          `${answers.map((a, i) => `${a.estimated ? '≈' : ''}${a.count.toLocaleString('en')} (exact ${a.exact.toLocaleString('en')}, ${(100 * errors[i]!).toFixed(1)} %)`).join(' / ')}.`);
      }
      if (wanted.has('customers.segment_count.stored')) {
        const recountStarted = performance.now();
        await segments.recount(workspaceId);
        const recountMs = performance.now() - recountStarted;
        const stored = await time(calls, (s) => segments.count(workspaceId, s.id), SEGMENT_WARM_UP);
        report(ctx, 'customers.segment_count.stored', stored, 'pg.handwritten_count', plain, TARGETS.segmentP99Ms);
        ctx.note(`customers.segment_count.stored: the count as GET /customer-segments/:id/count answers it (stored by the recount job, read while younger than 15 minutes); ` +
          `one recount of all ${saved.length} segments (the job) took ${(recountMs / 1000).toFixed(1)} s.`);
      }
      ctx.note(`customers.segment_count: ${saved.length} saved segments counted in turn (live: ${SEGMENT_LIVE_QUERIES} counts, stored: ${SEGMENT_QUERIES} reads), ` +
        `members ${saved.map((s) => s.count.toLocaleString('en')).join(' / ')}; pg.handwritten_count: the same counts as plain SQL, counted now.`);
    }

    if (wanted.has('customers.import')) {
      const rows = Array.from({ length: IMPORT_ROWS }, (_, i) => [`import${i}@example.cn`, `导入客户${i}`, `+86 137 ${String(10_000_000 + i)}`, i % 2 ? 'vip;打印机' : '']);
      const file = Buffer.from(['email,name,phone,tags', ...rows.map((r) => r.join(','))].join('\r\n'));
      const imports = new CustomerImports(repo, createInProcessBus(createLogger('silent')), systemClock);
      const started = performance.now();
      const job = await imports.start(workspaceId, { name: 'bench.csv', bytes: file }, { type: 'system', id: null });
      // As the job worker runs it: replayable work (index.ts), so each batch's commit does not wait for the disk.
      const statements = await countingStatements(() => runReplayable(() => imports.run(workspaceId, job.id)));
      const kefuSeconds = (performance.now() - started) / 1000;
      ctx.report({ bench: 'customers.import', metric: 'statements_per_batch', value: statements / Math.ceil(IMPORT_ROWS / 500) });
      const done = await imports.find(workspaceId, job.id);
      if (done.created !== IMPORT_ROWS) throw new Error(`the import made ${done.created} customers of ${IMPORT_ROWS}: ${JSON.stringify(done.refused.slice(0, 3))}`);

      const plainStarted = performance.now();
      for (let from = 0; from < IMPORT_ROWS; from += 500) {
        const batch = rows.slice(from, from + 500);
        await sql`insert into customers (workspace_id, email, name, tags)
          select ${workspaceId}, 'plain.' || e, n, coalesce(string_to_array(nullif(t, ''), ';'), '{}')
          from unnest(${batch.map((r) => r[0])}::text[], ${batch.map((r) => r[1])}::text[], ${batch.map((r) => r[3])}::text[]) as v(e, n, t)`.execute(db);
      }
      const plainSeconds = (performance.now() - plainStarted) / 1000;
      ctx.report({ bench: 'customers.import', metric: 'per_s', value: IMPORT_ROWS / kefuSeconds, baseline: 'pg.multirow_insert', baseline_value: IMPORT_ROWS / plainSeconds });
      const rate = IMPORT_ROWS / kefuSeconds;
      ctx.note(`customers.import: ${IMPORT_ROWS.toLocaleString('en')} rows (e-mail, name, phone, tags) decoded, checked and written in batches of 500 with their phones, ` +
        `events and progress; ${rate.toFixed(0)} rows/s ${rate >= TARGETS.importPerS ? 'meets' : 'MISSES'} the ${TARGETS.importPerS} target. ` +
        'pg.multirow_insert: the same customers (no phones, events or checks) as 500-row inserts.');
    }
  },
};

/**
 * The server to run on, one per run (a million customers take minutes to seed): BENCH_ENGINES=postgres
 * names the external one (BENCH_POSTGRES_URL, else DATABASE_URL, else 127.0.0.1:5432), =embedded the
 * embedded one; unset, DATABASE_URL when set, else the embedded one.
 */
function postgresServer(): string | undefined {
  const engine = process.env.BENCH_ENGINES;
  if (engine === 'postgres') return process.env.BENCH_POSTGRES_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  if (engine === 'embedded') return undefined;
  if (engine) throw new Error(`the customers bench runs on one server: BENCH_ENGINES=embedded or postgres, not "${engine}"`);
  return process.env.DATABASE_URL;
}

/** Runs `work` counting the statements sent to Postgres meanwhile (every pg.Client#query, transaction begin and commit included). */
async function countingStatements(work: () => Promise<unknown>): Promise<number> {
  const query = pg.Client.prototype.query;
  let statements = 0;
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    statements += 1;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return statements;
}

function report(ctx: BenchContext, bench: string, kefu: number[], baseline: string, plain: number[], targetP99: number) {
  for (const [metric, p] of [['p50_ms', 50], ['p99_ms', 99]] as const) {
    ctx.report({ bench, metric, value: percentile(kefu, p), baseline, baseline_value: percentile(plain, p) });
  }
  const p99 = percentile(kefu, 99);
  ctx.note(`${bench}: p99 ${p99.toFixed(1)} ms ${p99 < targetP99 ? 'meets' : 'MISSES'} the ${targetP99} ms target.`);
}

/** The customers (names half Chinese, created over three years, every third with a phone), in batches of 100,000. */
export async function seedCustomers(ctx: Pick<BenchContext, 'log'>, db: Awaited<ReturnType<typeof openSearchSandbox>>['database']['db'], workspaceId: string, total: number) {
  for (let from = 0; from < total; from += SEED_BATCH) {
    const to = Math.min(total, from + SEED_BATCH);
    // Names from the lists above by the row number, created_at spread over three years; every third has a phone.
    await sql`
      with source as (
        select i, 'c' || i || '@example.com' as email,
          case when i % 2 = 0 then (${SURNAMES}::text[])[1 + i % ${SURNAMES.length}] || (${GIVEN}::text[])[1 + (i / 7) % ${GIVEN.length}] || (${GIVEN}::text[])[1 + (i / 3) % ${GIVEN.length}]
               else (${FIRST}::text[])[1 + i % ${FIRST.length}] || ' ' || (${LAST}::text[])[1 + (i / 5) % ${LAST.length}] || ' ' || i end as name
        from generate_series(${from + 1}::int, ${to}::int) as i
      ), made as (
        insert into customers (workspace_id, email, name, tags, created_at)
        select ${workspaceId}, email, name, case when i % 10 = 0 then array['vip'] else '{}' end,
          now() - (i % 1095) * interval '1 day' - (i % 86400) * interval '1 second'
        from source returning id, email
      )
      insert into customer_identities (workspace_id, customer_id, kind, value, is_primary)
      select ${workspaceId}, made.id, 'phone', '+86139' || lpad(source.i::text, 8, '0'), true
      from made join source using (email) where source.i % 3 = 0`.execute(db);
    ctx.log(`customers: ${to.toLocaleString('en')} seeded`);
  }
}

/**
 * What segment conditions read, spread over the seeded customers by their row number: a tier
 * attribute (1 in 7 gold), zh-CN for half, a YM-720 or YM-350 for 1 in 5 (bought over three years),
 * orders for 1 in 4 (1–3 each over two years), a newsletter consent for 1 in 3 (1 in 4 of them
 * withdrawn later), and a ticket for 1 in 10 (active over the last year).
 */
export async function seedSegmentData(ctx: Pick<BenchContext, 'log'>, db: Awaited<ReturnType<typeof openSearchSandbox>>['database']['db'], workspaceId: string, total: number) {
  const started = performance.now();
  const run = (query: ReturnType<typeof sql>) => query.execute(db);
  await run(sql`update customers set locale = case when ((created_at::date - date '2000-01-01') % 2) = 0 then 'zh-CN' else 'en' end,
    attributes = jsonb_build_object('tier', (array['standard','gold','standard','platinum','standard','standard','gold'])[1 + abs(hashtext(id::text)) % 7])
    where workspace_id = ${workspaceId}`);
  await run(sql`insert into products (workspace_id, model, names, category) values
    (${workspaceId}, 'YM-720', '{"en":"YM-720"}', 'laser'), (${workspaceId}, 'YM-350', '{"en":"YM-350"}', 'inkjet')`);
  await run(sql`insert into customer_attribute_definitions (workspace_id, key, labels, type, choices)
    values (${workspaceId}, 'tier', '{"en":"Tier"}', 'choice', array['standard', 'gold', 'platinum'])`);
  await run(sql`insert into consent_purposes (workspace_id, key, names, wording_version) values (${workspaceId}, 'newsletter', '{"en":"Newsletter"}', 'v1')`);
  // Customers numbered by creation for the spreads below.
  await run(sql`create temporary table bench_numbered as select id, row_number() over (order by created_at, id) as n from customers where workspace_id = ${workspaceId}`);
  await run(sql`insert into product_registrations (workspace_id, customer_id, product_id, serial, purchased_on, warranty_until)
    select ${workspaceId}, c.id, p.id, 'SN-' || c.n, current_date - (c.n % 1095)::int, current_date - (c.n % 1095)::int + 730
    from bench_numbered c join products p on p.workspace_id = ${workspaceId} and p.model = case when c.n % 10 = 0 then 'YM-350' else 'YM-720' end
    where c.n % 5 = 0`);
  await run(sql`insert into customer_orders (workspace_id, customer_id, ordered_at, amount, currency)
    select ${workspaceId}, c.id, now() - ((c.n * 7 + k * 97) % 730) * interval '1 day', 100 + (c.n % 900), 'CNY'
    from bench_numbered c cross join generate_series(1, 3) k where c.n % 4 = 0 and k <= 1 + c.n % 3`);
  await run(sql`insert into consent_changes (workspace_id, customer_id, purpose_id, granted, channel, wording_version, changed_by_type, changed_at)
    select ${workspaceId}, c.id, p.id, g.granted, 'portal', 'v1', 'customer', now() - g.days * interval '1 day'
    from bench_numbered c join consent_purposes p on p.workspace_id = ${workspaceId}
    cross join lateral (values (true, 400), (false, 100)) as g(granted, days)
    where c.n % 3 = 0 and (g.granted or c.n % 4 = 0)`);
  await run(sql`insert into tickets (workspace_id, number, subject, customer_id, channel, status, created_at, updated_at)
    select ${workspaceId}, c.n / 10, 'bench', c.id, 'web', 'closed', now() - (c.n % 365) * interval '1 day', now() - (c.n % 365) * interval '1 day'
    from bench_numbered c where c.n % 10 = 0`);
  await run(sql`drop table bench_numbered`);
  ctx.log(`customers: segment data for ${total.toLocaleString('en')} customers (products, orders, consents, tickets) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
