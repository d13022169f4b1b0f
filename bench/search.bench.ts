import { loadavg } from 'node:os';
import { sql } from 'kysely';
import type { SearchDocument } from '../src/modules/search/index.js';
import { openSearchSandbox } from '../src/modules/search/search.sandbox.js';
import type { BenchContext, BenchSuite } from './harness.js';
import { percentile, time as timeEach } from './timing.js';

const time = <T>(items: T[], run: (item: T) => Promise<unknown>) => timeEach(items, run, WARM_UP);

/**
 * Help-centre search at 100,000 articles (half English, half Chinese, generated from a printer
 * maker's vocabulary), on the embedded Postgres or an external one (`searchServer`):
 * SearchService.search and .suggest one call at a time, in process, beside plain Postgres full text
 * (`to_tsvector('simple')`) over the same articles and a `select 1` round trip, measured in the same run.
 */
const FULL_ARTICLES = 100_000;
const QUERIES = 400;
const WARM_UP = 50;
const SEED_BATCH = 5_000;
const CHANGED_ARTICLES = 10;
/** The targets, on both servers. */
const TARGETS = { searchP99Ms: 30, suggestP99Ms: 15 };

const EN_WORDS = (
  'printer print printing paper jam tray feed roller toner cartridge ink drum fuser duplex wireless wifi network driver install ' +
  'update firmware scan scanner copy fax error code light blinking offline queue spooler windows macos usb cable power reset ' +
  'factory settings quality faint streaks lines smudge colour color black cyan magenta yellow alignment nozzle clean head ' +
  'warranty repair service part replace order supplies label envelope photo borderless margin size letter a4 mobile app cloud ' +
  'email password router setup wizard panel display menu button sleep mode energy noise grinding squeaking stuck torn wrinkled ' +
  'manual automatic document feeder glass lid calibration registration account serial number model invoice return shipping'
).split(' ');
const ZH_WORDS = (
  '打印机 打印 卡纸 夹纸 纸盒 进纸 搓纸轮 硒鼓 墨盒 墨粉 定影器 双面 无线 网络 驱动 安装 更新 固件 扫描 复印 传真 错误 代码 指示灯 闪烁 ' +
  '脱机 队列 电源 重置 出厂 设置 质量 变淡 条纹 横线 污渍 彩色 黑色 对齐 喷头 清洗 保修 维修 服务 零件 更换 订购 耗材 标签 信封 照片 ' +
  '无边距 尺寸 手机 应用 云打印 邮件 密码 路由器 向导 面板 显示屏 菜单 按钮 睡眠 模式 噪音 卡住 撕裂 褶皱 手动 自动 输稿器 玻璃 校准 ' +
  '账户 序列号 型号 发票 退货 配送 连接 失败 无法 如何 怎么 解决 问题 步骤 提示'
).split(' ');
const PRODUCTS = ['P100', 'P200', 'P300', 'M404', 'L3150', 'X500'];

/** Deterministic (mulberry32), so every run measures the same articles and queries. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-like: a few words are everywhere, most are rare, as in real help content. */
const pick = (rand: () => number, words: string[]) => words[Math.floor(words.length * rand() ** 2.2)]!;
const words = (rand: () => number, vocabulary: string[], count: number, joiner: string) =>
  Array.from({ length: count }, () => pick(rand, vocabulary)).join(joiner);

function article(i: number, rand: () => number): SearchDocument {
  const zh = i % 2 === 1;
  const vocabulary = zh ? ZH_WORDS : EN_WORDS;
  const joiner = zh ? '' : ' ';
  const product = PRODUCTS[i % PRODUCTS.length]!;
  const sentences = Array.from({ length: 6 + Math.floor(rand() * 6) }, () => `${words(rand, vocabulary, 6 + Math.floor(rand() * 6), joiner)}${zh ? '。' : '.'}`);
  return {
    kind: 'article', id: `a${i}`, locale: zh ? 'zh-CN' : 'en', title: `${product} ${words(rand, vocabulary, 3 + Math.floor(rand() * 4), joiner)}`,
    body: sentences.join(zh ? '' : ' '), categoryId: `c${i % 40}`, product, tags: [], url: `/kb/articles/a${i}`, publishedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
  };
}

export const suite: BenchSuite = {
  order: 40,
  benchmarks: [
    { name: 'search.seed', description: 'articles/s indexed by SearchService.indexMany (segmentation in JS, bulk inserts, statistics recount), 100k articles' },
    { name: 'search.train', description: 'seconds to train the workspace\'s learned ranker (SearchService.train, as the search.train job does) on the 100k articles', requires: ['search.seed'] },
    { name: 'search.retrain', description: 'seconds to retrain the learned ranker after 10 of the articles changed (SearchService.train after a publish: only the changed ones trained again)', requires: ['search.train'] },
    { name: 'search.query', description: 'SearchService.search p50/p99 at 100k articles with the learned ranker on, one at a time (vs plain to_tsvector(\'simple\') search)', requires: ['search.train'] },
    { name: 'search.suggest', description: 'SearchService.suggest (as-you-type) p50/p99 at 100k articles (vs select 1)', requires: ['search.seed'] },
  ],

  async run(ctx: BenchContext, wanted) {
    const total = Math.max(5_000, Math.round(Number(process.env.BENCH_SEARCH_ARTICLES) || FULL_ARTICLES * Math.min(ctx.settings.scale, 1)));
    const server = searchServer();
    ctx.log(`search: ${server.url ? 'a new database on the external Postgres' : 'starting an embedded Postgres'}, seeding ${total.toLocaleString('en')} articles`);
    const sandbox = await openSearchSandbox({ databaseUrl: server.url });
    ctx.onCleanup(() => sandbox.close());
    const { search, database } = sandbox;
    const workspaceId = await sandbox.addWorkspace('bench-search');
    const rand = random(42);

    const seedStarted = performance.now();
    for (let from = 0; from < total; from += SEED_BATCH) {
      const batch = Array.from({ length: Math.min(SEED_BATCH, total - from) }, (_, k) => article(from + k, rand));
      await search.indexMany(workspaceId, batch, { recount: from + SEED_BATCH >= total });
    }
    await sql`vacuum analyze search_documents`.execute(database.db);
    await sql`analyze search_terms`.execute(database.db);
    // Measure the steady state, not the write-back of pages the seed left dirty.
    await sql`checkpoint`.execute(database.db);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    if (wanted.has('search.seed')) ctx.report({ bench: 'search.seed', metric: 'per_s', value: total / seedSeconds });

    // The baseline's own table: plain full text over the same title and body, GIN-indexed.
    await sql`create table bench_pg_simple as select document_id, to_tsvector('simple', title || ' ' || body) as vector from search_documents`.execute(database.db);
    await sql`create index on bench_pg_simple using gin (vector)`.execute(database.db);
    await sql`analyze bench_pg_simple`.execute(database.db);

    // Search as a workspace has it once its articles are published: with its learned ranker.
    if (wanted.has('search.train') || wanted.has('search.retrain') || wanted.has('search.query')) {
      const trainStarted = performance.now();
      const trained = await search.train(workspaceId, { full: true });
      const trainSeconds = (performance.now() - trainStarted) / 1000;
      if (!trained) throw new Error('search.train: no model was trained');
      if (wanted.has('search.train')) ctx.report({ bench: 'search.train', metric: 'seconds', value: trainSeconds });
      ctx.note(`search.train: ${trained.documents.toLocaleString('en')} documents, ${trained.examples.toLocaleString('en')} training examples (titles and body sentences), ` +
        `${trainSeconds.toFixed(1)} s including reading them and storing the model, one thread.`);
    }
    if (wanted.has('search.retrain')) {
      // An editor rewrites ten articles' bodies and publishes them: the job that follows.
      for (let i = 0; i < CHANGED_ARTICLES; i++) {
        const changed = article(i * Math.floor(total / CHANGED_ARTICLES), rand);
        await search.index(workspaceId, { ...changed, body: `${changed.body} ${article(total + i, rand).body}` });
      }
      const started = performance.now();
      const retrained = await search.train(workspaceId);
      const seconds = (performance.now() - started) / 1000;
      ctx.report({ bench: 'search.retrain', metric: 'seconds', value: seconds });
      ctx.note(`search.retrain: ${CHANGED_ARTICLES} articles changed, ${retrained?.retrained ?? 0} documents trained again, ${seconds.toFixed(1)} s including reading every document and storing the model.`);
    }

    const queryRand = random(7);
    const queries = Array.from({ length: QUERIES }, (_, i) => {
      const zh = i % 2 === 1;
      const text = words(queryRand, zh ? ZH_WORDS : EN_WORDS, 2 + Math.floor(queryRand() * 3), zh ? '' : ' ');
      // Every tenth English query has a typo (two letters swapped).
      return { zh, q: !zh && i % 10 === 0 && text.length > 5 ? `${text.slice(0, 2)}${text[3]}${text[2]}${text.slice(4)}` : text };
    });

    if (wanted.has('search.query')) {
      const kefu = await time(queries, (x) => search.search(workspaceId, { q: x.q, locale: x.zh ? 'zh-CN' : 'en', limit: 10, source: 'portal' }));
      const simple = await time(queries, (x) => sql`select document_id from bench_pg_simple where vector @@ plainto_tsquery('simple', ${x.q})
        order by ts_rank(vector, plainto_tsquery('simple', ${x.q})) desc limit 10`.execute(database.db));
      for (const [metric, p] of [['p50_ms', 50], ['p99_ms', 99]] as const) {
        ctx.report({ bench: 'search.query', metric, value: percentile(kefu, p), baseline: 'pg_simple.query', baseline_value: percentile(simple, p) });
      }
      const p99 = percentile(kefu, 99);
      ctx.note(`search.query: ${QUERIES} queries (2–4 words, half Chinese, a tenth of the English ones misspelt), each logged as a portal search, ` +
        `after ${WARM_UP} warm-up; p99 ${p99.toFixed(1)} ms ${p99 < TARGETS.searchP99Ms ? 'meets' : 'MISSES'} the ${TARGETS.searchP99Ms} ms target. ` +
        'pg_simple.query: plainto_tsquery(\'simple\') (every word required) ranked by ts_rank over the same articles.');
    }

    if (wanted.has('search.suggest')) {
      const typed = queries.map((x) => ({ zh: x.zh, q: x.zh ? x.q.slice(0, 1 + (x.q.length % 3)) : x.q.slice(0, Math.max(2, Math.ceil(x.q.length * 0.6))) }));
      const kefu = await time(typed, (x) => search.suggest(workspaceId, x.q, x.zh ? 'zh-CN' : 'en', 8));
      const select1 = await time(typed, () => sql`select 1`.execute(database.db));
      for (const [metric, p] of [['p50_ms', 50], ['p99_ms', 99]] as const) {
        ctx.report({ bench: 'search.suggest', metric, value: percentile(kefu, p), baseline: 'postgres.select1', baseline_value: percentile(select1, p) });
      }
      const p99 = percentile(kefu, 99);
      ctx.note(`search.suggest: ${QUERIES} partly typed queries (1–3 Chinese characters, or the first 60 % of 2–4 English words); ` +
        `p99 ${p99.toFixed(1)} ms ${p99 < TARGETS.suggestP99Ms ? 'meets' : 'MISSES'} the ${TARGETS.suggestP99Ms} ms target.`);
    }
    const { rows: [version] } = await sql<{ server_version: string }>`show server_version`.execute(database.db);
    ctx.note(`search: ${total.toLocaleString('en')} generated bilingual articles (BENCH_SEARCH_ARTICLES overrides), ${server.engine} Postgres ${version!.server_version.split(' ')[0]} ` +
      `(BENCH_ENGINES=embedded|postgres), calls in process one at a time; ` +
      `1-minute load average ${loadavg()[0]!.toFixed(1)} when measured (above the core count, p99s mostly measure waiting for a CPU: compare with the baselines' p99).`);
  },
};

/**
 * The server, one per run (each seeds 100,000 articles and trains on them): BENCH_ENGINES=postgres
 * names the external one (a new database on BENCH_POSTGRES_URL, else DATABASE_URL, else
 * 127.0.0.1:5432, dropped afterwards), =embedded or unset the embedded one.
 */
function searchServer(): { engine: 'embedded' | 'postgres'; url?: string } {
  const engine = process.env.BENCH_ENGINES;
  if (engine === 'postgres') return { engine, url: process.env.BENCH_POSTGRES_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' };
  if (!engine || engine === 'embedded') return { engine: 'embedded' };
  throw new Error(`the search bench runs on one server: BENCH_ENGINES=embedded or postgres, not "${engine}"`);
}
