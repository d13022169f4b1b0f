import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../test/helpers/app.js';
import type { SearchDocument, SearchService } from '../index.js';

let t: TestApp;
let search: SearchService;
let ws: string;
let beta: TestWorkspace;

const doc = (id: string, locale: 'en' | 'zh-CN', title: string, body: string, extra: Partial<SearchDocument> = {}): SearchDocument => ({
  kind: 'article', id, locale, title, body, categoryId: null, product: null, tags: [], url: `/kb/articles/${id}`, publishedAt: new Date('2026-01-01'), ...extra,
});

const DOCS: SearchDocument[] = [
  doc('jam-en', 'en', 'Clearing a paper jam', 'Open the front cover, pull the jammed sheet out slowly, close the cover.', { categoryId: 'cat-paper', product: 'P100' }),
  doc('toner-en', 'en', 'Replacing the toner cartridge', 'When prints are faint, replace the toner cartridge with a genuine one.', { categoryId: 'cat-supplies', product: 'P200' }),
  doc('wifi-en', 'en', 'Connecting the printer to Wi-Fi', 'Use the setup wizard on the control panel to join your wireless network.', { categoryId: 'cat-network', product: 'P100' }),
  doc('driver-en', 'en', 'Installing the printer driver', 'Download the driver for Windows or macOS from the support site.', { categoryId: 'cat-software', product: 'P200' }),
  doc('jam-zh', 'zh-CN', '打印机卡纸怎么办', '打开前盖，慢慢取出卡住的纸张，然后合上前盖。', { categoryId: 'cat-paper', product: 'P100' }),
  doc('toner-zh', 'zh-CN', '更换硒鼓', '打印颜色变淡时，请更换原装硒鼓。', { categoryId: 'cat-supplies', product: 'P200' }),
  doc('wifi-zh', 'zh-CN', '打印机连接无线网络', '在控制面板上使用设置向导加入无线网络。', { categoryId: 'cat-network', product: 'P100' }),
  doc('topic-zh', 'zh-CN', '论坛：卡纸问题讨论', '大家遇到的卡纸情况汇总。', { kind: 'topic', categoryId: 'cat-paper' }),
];

const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

beforeAll(async () => {
  t = await createTestApp();
  search = t.services.search;
  ws = t.workspace.id;
  beta = await t.addWorkspace('beta');
  for (const d of DOCS) await search.index(ws, d);
});
afterAll(async () => { await t.close(); });

describe('SearchService.search', () => {
  it('finds English by stem: "printers installing drivers" → the driver article first', async () => {
    const result = await search.search(ws, { q: 'installing drivers', locale: 'en', source: 'console' });
    expect(ids(result.hits)[0]).toBe('driver-en');
    expect(result.hits[0]!.snippetHtml).toContain('<mark>driver</mark>');
    expect(result.total).toBeGreaterThanOrEqual(1);
  });

  it('finds Chinese without spaces, title matches first', async () => {
    const result = await search.search(ws, { q: '卡纸', locale: 'zh-CN', kind: 'article', source: 'portal' });
    expect(ids(result.hits)).toEqual(['jam-zh']);
    const all = await search.search(ws, { q: '无线网络怎么连接', locale: 'zh-CN', source: 'portal' });
    expect(ids(all.hits)[0]).toBe('wifi-zh');
  });

  it('finds a lone Chinese character through the words it starts', async () => {
    const result = await search.search(ws, { q: '硒', locale: 'zh-CN', source: 'portal' });
    expect(ids(result.hits)).toContain('toner-zh');
  });

  it('corrects typos against the workspace vocabulary (pritner → printer)', async () => {
    const result = await search.search(ws, { q: 'pritner drivr', locale: 'en', source: 'console' });
    expect(ids(result.hits)[0]).toBe('driver-en');
  });

  it('filters by kind, category, product and locale', async () => {
    expect(ids((await search.search(ws, { q: '卡纸', kind: 'topic', source: 'api' })).hits)).toEqual(['topic-zh']);
    expect(ids((await search.search(ws, { q: 'printer', categoryId: 'cat-network', source: 'api' })).hits)).toEqual(['wifi-en']);
    expect(ids((await search.search(ws, { q: 'printer', product: 'P200', source: 'api' })).hits)).toEqual(['driver-en']);
    expect(ids((await search.search(ws, { q: 'printer', locale: 'zh-CN', source: 'api' })).hits)).toEqual([]);
  });

  it('pages with limit and offset, total counting every match', async () => {
    const first = await search.search(ws, { q: 'printer cover toner driver', locale: 'en', limit: 2, source: 'api' });
    const second = await search.search(ws, { q: 'printer cover toner driver', locale: 'en', limit: 2, offset: 2, source: 'api' });
    expect(first.total).toBe(4);
    expect(first.hits).toHaveLength(2);
    expect(ids(second.hits).filter((id) => ids(first.hits).includes(id))).toEqual([]);
  });

  it('answers hostile queries without errors, taking operators and SQL as plain text', async () => {
    // Operators, quotes and SQL are words or nothing, never syntax: `printer:*` is the word printer
    // (not a prefix search), NUL and control characters are dropped, and oversized input finds nothing.
    const expected: [string, string[]][] = [
      ['', []], ['   ', []], ["& | ! : * ( ) ' \\ ;", []], ["'; drop table search_documents; --", []], ['!!!???', []],
      ['printer:*', ['driver-en', 'wifi-en']], ['a'.repeat(10_000), []], ['卡'.repeat(10_000), []], ['\u0000\u0001 jam', ['jam-en']],
    ];
    for (const [q, hits] of expected) {
      const result = await search.search(ws, { q, source: 'portal' });
      expect([ids(result.hits).sort(), result.total], JSON.stringify(q.slice(0, 20))).toEqual([hits, hits.length]);
    }
    // The "drop table" query dropped nothing.
    const indexed = await t.database.db.selectFrom('search_documents').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', ws).executeTakeFirstOrThrow();
    expect(Number(indexed.n)).toBe(DOCS.length);
    expect((await search.search(ws, { q: "jam'); select 1; --", locale: 'en', source: 'portal' })).hits[0]!.id).toBe('jam-en');
    expect(await search.suggest(ws, "'&|!:*()", 'en')).toEqual([]);
    expect(await search.bestAnswers(ws, '&&&', 'en')).toEqual([]);
  });

  it('re-indexing is idempotent and remove takes a document out', async () => {
    const extra = doc('extra-en', 'en', 'Duplex printing', 'Print on both sides of the paper automatically.');
    await search.index(ws, extra);
    await search.index(ws, { ...extra, title: 'Two-sided duplex printing' });
    expect(ids((await search.search(ws, { q: 'duplex', source: 'api' })).hits)).toEqual(['extra-en']);
    expect((await search.search(ws, { q: 'two-sided', source: 'api' })).hits[0]!.title).toBe('Two-sided duplex printing');
    await search.remove(ws, 'article', 'extra-en');
    expect((await search.search(ws, { q: 'duplex', source: 'api' })).total).toBe(0);
  });

  it('indexes a 1 MB body (the start of it) without failing', async () => {
    const huge = Array.from({ length: 60_000 }, (_, i) => `词${String.fromCharCode(0x4e00 + (i * 7919) % 20_000)}${i}`).join(' ');
    await search.index(ws, doc('huge', 'zh-CN', '超长说明书', `${huge} ${'x'.repeat(1_000_000 - huge.length - 1)}`.slice(0, 1_000_000)));
    const result = await search.search(ws, { q: '超长说明书', source: 'api' });
    expect(ids(result.hits)).toEqual(['huge']);
    expect(result.hits[0]!.snippetHtml.length).toBeLessThan(1000);
    await search.remove(ws, 'article', 'huge');
  });

  it('refuses an invalid document with a clear error', async () => {
    await expect(search.index(ws, doc('bad', 'en', '', 'x'))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    await expect(search.index(ws, doc('bad', 'en', 'Title', 'x', { url: 'javascript:alert(1)' }))).rejects.toMatchObject({ status: 400 });
  });
});

describe('common words in a large help centre', () => {
  it('ranks documents with the words in their titles first, beyond the candidate cap', async () => {
    const gamma = await t.addWorkspace('gamma');
    // The titled ones come last: a plain capped scan (physical order) would never reach them.
    const docs = Array.from({ length: 320 }, (_, i) => i >= 310
      ? doc(`titled-${i}`, 'en', `Printer tip ${i}`, 'A short note.')
      : doc(`body-${i}`, 'en', `Note ${i}`, `Something about the printer and the paper, note ${i}.`));
    await search.indexMany(gamma.id, docs);
    const printer = await search.search(gamma.id, { q: 'printer', source: 'api' });
    expect(ids(printer.hits).every((id) => id.startsWith('titled-'))).toBe(true);
    expect(printer.hits).toHaveLength(10);
    // No title holds both words: the whole text is searched, as many results as asked for.
    const both = await search.search(gamma.id, { q: 'printer paper', limit: 20, source: 'api' });
    expect(both.hits).toHaveLength(20);
    expect(both.total).toBeGreaterThanOrEqual(20);
  });
});

describe('synonyms', () => {
  it('expands a query by the editors\' synonym groups, across languages', async () => {
    expect(ids((await search.search(ws, { q: '夹纸', locale: 'zh-CN', source: 'portal' })).hits)).toEqual([]);
    const group = await search.addSynonym(ws, { locale: 'zh-CN', terms: ['卡纸', '夹纸', 'paper jam'] });
    expect(ids((await search.search(ws, { q: '夹纸', locale: 'zh-CN', kind: 'article', source: 'portal' })).hits)).toEqual(['jam-zh']);
    await search.removeSynonym(ws, group.id);
    expect(ids((await search.search(ws, { q: '夹纸', locale: 'zh-CN', source: 'portal' })).hits)).toEqual([]);
  });

  it('validates groups: two different terms with searchable words', async () => {
    await expect(search.addSynonym(ws, { locale: 'en', terms: ['jam'] })).rejects.toMatchObject({ status: 400 });
    await expect(search.addSynonym(ws, { locale: 'en', terms: ['Jam', 'jam'] })).rejects.toMatchObject({ status: 400 });
    await expect(search.addSynonym(ws, { locale: 'en', terms: ['jam', 'the'] })).rejects.toMatchObject({ code: 'SYNONYM_TERM_EMPTY' });
    await expect(search.updateSynonym(ws, 'not-a-uuid', { terms: ['a1', 'b1'] })).rejects.toMatchObject({ status: 404 });
  });
});

describe('suggestions and best answers', () => {
  it('suggests titles as the user types, correcting typos when nothing matches', async () => {
    expect(ids(await search.suggest(ws, 'paper ja', 'en'))).toEqual(['jam-en']);
    expect(ids(await search.suggest(ws, 'replac', 'en'))).toEqual(['toner-en']);
    expect(ids(await search.suggest(ws, '打印机', 'zh-CN'))).toEqual(expect.arrayContaining(['jam-zh', 'wifi-zh']));
    expect(ids(await search.suggest(ws, 'conecting the printr', 'en'))).toEqual(['wifi-en']);
  });

  it('returns only confident answers for a long e-mail', async () => {
    const mail = 'Hello, since yesterday my printer has a paper jam every time. I opened the cover but the jammed sheet is stuck. ' +
      'What should I do? Regards, Li Wei. '.repeat(20);
    expect(ids(await search.bestAnswers(ws, mail, 'en'))).toEqual(['jam-en']);
    expect(await search.bestAnswers(ws, 'I would like to ask about your office opening hours and the invoice for my order.', 'en')).toEqual([]);
    expect(ids(await search.bestAnswers(ws, '您好，我的打印机一直卡纸，每次打印都卡住，请问怎么办？谢谢', 'zh-CN'))).toEqual(['jam-zh']);
    expect(await search.bestAnswers(ws, '请问你们的发票什么时候寄出？', 'zh-CN')).toEqual([]);
  });
});

describe('usefulness and listening', () => {
  it('learned usefulness reorders close matches, damped so one vote does not', async () => {
    const a = doc('useful-a', 'en', 'Scanner calibration', 'Calibrate the scanner glass.');
    const b = doc('useful-b', 'en', 'Scanner calibration', 'Calibrate the glass, then wipe it dry.');
    await search.indexMany(beta.id, [a, b]);
    const order = async () => ids((await search.search(beta.id, { q: 'scanner calibration', source: 'api' })).hits);
    expect(await order()).toEqual(['useful-a', 'useful-b']);
    await search.recordUsefulness(beta.id, 'article', 'useful-b', 'helpful');
    expect((await search.usefulness(beta.id, 'article', 'useful-b'))!.helpful).toBe(1);
    expect(await order()).toEqual(['useful-a', 'useful-b']);
    for (let i = 0; i < 10; i++) await search.recordUsefulness(beta.id, 'article', 'useful-b', 'helpful');
    for (let i = 0; i < 5; i++) await search.recordUsefulness(beta.id, 'article', 'useful-a', 'ticket_after_read');
    expect(await order()).toEqual(['useful-b', 'useful-a']);
    // The boost stays bounded: a document matching only half the query stays below, however liked.
    await search.index(beta.id, doc('half', 'en', 'Scanner cleaning', 'Clean the scanner glass.'));
    for (let i = 0; i < 50; i++) await search.recordUsefulness(beta.id, 'article', 'half', 'helpful');
    expect(await order()).toEqual(['useful-b', 'useful-a', 'half']);
  });

  it('logs portal/console/api searches and their clicks; reports top, no-result and no-click searches', async () => {
    const hit = await search.search(ws, { q: 'toner', locale: 'en', source: 'portal' });
    await search.search(ws, { q: 'Toner', locale: 'en', source: 'console' });
    const secondPage = await search.search(ws, { q: 'toner', locale: 'en', offset: 10, source: 'portal' });
    expect(secondPage.searchId).not.toBeNull();
    const none = await search.search(ws, { q: 'fax machine', locale: 'en', source: 'portal' });
    const auto = await search.search(ws, { q: 'toner', source: 'autoresponder' });
    expect(hit.searchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.total).toBe(0);
    expect(auto.searchId).toBeNull();
    await search.recordClick(ws, hit.searchId!, 'article', 'toner-en');
    await expect(search.recordClick(ws, hit.searchId!, 'article', 'jam-en')).rejects.toMatchObject({ code: 'SEARCH_HIT_NOT_FOUND' });
    await expect(search.recordClick(beta.id, hit.searchId!, 'article', 'toner-en')).rejects.toMatchObject({ status: 404 });
    expect((await search.usefulness(ws, 'article', 'toner-en'))!.clicks).toBe(1);

    const top = await search.topSearches(ws, { days: 7, limit: 50 });
    expect(top.find((r) => r.query === 'toner')).toMatchObject({ searches: 2, searchesWithClicks: 1 });
    expect((await search.searchesWithoutResults(ws, { days: 7, limit: 50 })).map((r) => r.query)).toContain('fax machine');
    expect((await search.searchesWithoutClicks(ws, { days: 7, limit: 50 })).map((r) => r.query)).not.toContain('toner');
    t.clock.advance(8 * 86_400_000);
    expect((await search.topSearches(ws, { days: 7, limit: 50 })).find((r) => r.query === 'toner')).toBeUndefined();
  });
});

describe('tenant isolation', () => {
  it('keeps documents, search logs and synonyms inside their workspace', async () => {
    expect((await search.search(beta.id, { q: '卡纸 toner printer', source: 'api' })).total).toBe(0);
    expect(await search.suggest(beta.id, 'paper', 'en')).toEqual([]);
    await search.search(ws, { q: 'acme secret words', source: 'portal' });
    expect((await search.topSearches(beta.id, { days: 30, limit: 200 })).map((r) => r.query)).not.toContain('acme secret words');
    const group = await search.addSynonym(ws, { locale: 'en', terms: ['acme-widget', 'gizmo'] });
    expect(await search.synonyms(beta.id)).toEqual([]);
    await expect(search.removeSynonym(beta.id, group.id)).rejects.toMatchObject({ status: 404 });
    await expect(search.updateSynonym(beta.id, group.id, { terms: ['x1', 'y1'] })).rejects.toMatchObject({ status: 404 });
    // Removing a same-id document in beta leaves acme's alone.
    await search.remove(beta.id, 'article', 'jam-en');
    expect(ids((await search.search(ws, { q: 'jam', locale: 'en', source: 'api' })).hits)).toContain('jam-en');
  });
});
