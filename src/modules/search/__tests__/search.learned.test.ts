import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { OffThread } from '../../../core/off-thread.js';
import { Tenancy } from '../../../core/tenancy.js';
import type { SearchDocument } from '../index.js';
import { SearchRepo } from '../search.repo.js';
import { SearchService } from '../search.service.js';

let t: TestApp;
let search: SearchService;
let ws: string;
let other: string;

const doc = (id: string, locale: 'en' | 'zh-CN', title: string, body: string, questions: string[] = []): SearchDocument => ({
  kind: 'article', id, locale, title, body, categoryId: null, product: null, tags: [], url: `/kb/articles/${id}`, publishedAt: new Date('2026-01-01'), questions,
});

const DOCS: SearchDocument[] = [
  doc('jam', 'zh-CN', '打印机卡纸怎么办', '打开前盖，慢慢取出卡住的纸张，然后合上前盖。'),
  doc('toner', 'zh-CN', '更换硒鼓', '打印颜色变淡时，请更换原装硒鼓。'),
  doc('wifi', 'zh-CN', '打印机连接无线网络', '在控制面板上使用设置向导加入无线网络。'),
  doc('sleep', 'en', 'Waking the printer from sleep mode', 'Press any button on the control panel. The screen lights up after a few seconds.'),
  doc('power', 'en', 'The printer does not turn on', 'Check the power cable and the wall socket. Hold the power button for three seconds.', ['Printer is dead, no lights']),
  doc('ink', 'en', 'Checking the ink levels', 'Open the app and choose Supplies to see how much ink is left.'),
  doc('paper', 'en', 'Loading paper into the tray', 'Pull out the tray, fan the stack and slide the guides against the paper.'),
];

const ids = (hits: { id: string }[]) => hits.map((h) => h.id);
const rankOf = async (workspaceId: string, q: string, id: string) => ids((await search.search(workspaceId, { q, locale: 'en', source: 'api' })).hits).indexOf(id);

beforeAll(async () => {
  t = await createTestApp();
  search = t.services.search;
  ws = t.workspace.id;
  other = (await t.addWorkspace('other')).id;
  for (const d of DOCS) await search.index(ws, d);
  await search.train(ws);
});
afterAll(async () => { await t.close(); });

describe('what people type', () => {
  it('pinyin finds the simplified article: dayinji ka zhi → 打印机卡纸', async () => {
    expect(ids((await search.search(ws, { q: 'dayinji ka zhi', source: 'portal' })).hits)[0]).toBe('jam');
    expect(ids((await search.search(ws, { q: 'kazhi', locale: 'zh-CN', source: 'portal' })).hits)).toContain('jam');
  });

  it('traditional Chinese finds the simplified article, snippet marked', async () => {
    const result = await search.search(ws, { q: '打印機卡紙怎麼辦', locale: 'zh-CN', source: 'portal' });
    expect(ids(result.hits)[0]).toBe('jam');
    expect(ids((await search.search(ws, { q: '更換硒鼓', locale: 'zh-CN', source: 'portal' })).hits)[0]).toBe('toner');
  });

  it('typos in every word still find the article through character n-grams', async () => {
    expect(ids((await search.search(ws, { q: 'wakng slep mdoe', locale: 'en', source: 'api' })).hits)[0]).toBe('sleep');
  });

  it('the order of what is asked decides between articles with the same words, on every page alike', async () => {
    const swaps = (await t.addWorkspace('swaps')).id;
    await search.indexMany(swaps, [
      // The swapped article mentions both universities once more: by words alone it scores higher.
      doc('columbia', 'en', 'Fishman holds a BA from Columbia and an MA from Brown', 'His first degree was in history.'),
      doc('brown', 'en', 'Fishman holds a BA from Brown and an MA from Columbia', 'Fishman studied at Columbia, then at Brown.'),
      doc('password', 'en', 'Resetting a password', 'Open settings and choose reset.'),
      doc('born-tn', 'zh-CN', '他出生于田纳西州，后来搬到阿肯色州', '他在那里读完了高中。'),
      doc('born-ar', 'zh-CN', '他出生于阿肯色州，后来搬到田纳西州', '他在那里读完了高中。'),
    ]);
    await search.train(swaps);
    const found = async (q: string, locale: 'en' | 'zh-CN', offset = 0, limit = 10) => ids((await search.search(swaps, { q, locale, offset, limit, source: 'api' })).hits);
    const columbiaFirst = 'Fishman has a BA from Columbia and an MA from Brown';
    expect(await found(columbiaFirst, 'en')).toEqual(['columbia', 'brown']);
    expect(await found('Fishman has a BA from Brown and an MA from Columbia', 'en')).toEqual(['brown', 'columbia']);
    expect([...await found(columbiaFirst, 'en', 0, 1), ...await found(columbiaFirst, 'en', 1, 1)]).toEqual(['columbia', 'brown']);
    expect(await found('他在田纳西州出生，之后搬到阿肯色州', 'zh-CN')).toEqual(['born-tn', 'born-ar']);
    expect(await found('他在阿肯色州出生，之后搬到田纳西州', 'zh-CN')).toEqual(['born-ar', 'born-tn']);
  });

  it('alternative questions are searched', async () => {
    expect(ids((await search.search(ws, { q: 'dead no lights', locale: 'en', source: 'api' })).hits)[0]).toBe('power');
  });
});

describe('the learned ranker', () => {
  it('stores a new version with each training that has something new to learn; one that has not starts no training thread', async () => {
    const threads = vi.spyOn(OffThread.prototype, 'run');
    try {
      const first = await search.train(ws);
      // Nothing changed since beforeAll's training (a restart's queued training): the model stays.
      expect(first).toMatchObject({ retrained: 0, documents: DOCS.length });
      expect(threads).not.toHaveBeenCalled();
      const ink = DOCS.find((d) => d.id === 'ink')!;
      await search.index(ws, { ...ink, questions: ['How much ink is left?'] });
      const second = await search.train(ws);
      expect(second!.version).toBe(first!.version + 1);
      expect(second!.retrained).toBeGreaterThan(0);
      expect(threads).toHaveBeenCalledTimes(1);
      expect((await search.train(ws))!.version).toBe(second!.version);
      // The nightly full training learns again whatever changed.
      expect((await search.train(ws, { full: true }))!.version).toBe(second!.version + 1);
      expect(threads).toHaveBeenCalledTimes(2);
      await search.index(ws, ink);
      await search.train(ws);
    } finally {
      threads.mockRestore();
    }
  });

  it('keeps a model that learned from documents read later than the one a slower training read', async () => {
    const repo = new SearchRepo(await Tenancy.load(t.database.db), t.database.db);
    const stored = (await repo.modelSummary(ws))!;
    const { rows: [storedRow] } = await t.database.pool.query<{ trained_at: Date }>('select trained_at from search_models where workspace_id = $1', [ws]);
    const readAt = storedRow!.trained_at;
    const late = { format: stored.format, model: Buffer.from('stale'), documents: 1, examples: 1, training_ms: 1, learned_from: 'stale' };
    // A training that read the documents before the stored one did, finishing after it: not stored.
    expect(await repo.saveModel(ws, { ...late, trained_at: new Date(readAt.getTime() - 1_000) })).toBeUndefined();
    expect(await repo.modelSummary(ws)).toEqual(stored);
    expect(ids((await search.search(ws, { q: 'dead no lights', locale: 'en', source: 'api' })).hits)[0]).toBe('power');
  });

  it('learns a new phrasing from clicks: the clicked article ranks higher after retraining', async () => {
    const phrasing = 'tray lamp blinks orange after lunch';
    const shown = (rank: number) => (rank < 0 ? Infinity : rank);
    const before = shown(await rankOf(ws, phrasing, 'sleep'));
    expect(before).toBeGreaterThan(0);
    // Searchers typed the phrasing, then (it was not on top) found the article and opened it.
    for (let i = 0; i < 3; i++) {
      const { searchId, hits } = await search.search(ws, { q: phrasing, locale: 'en', source: 'portal' });
      const clicked = hits.some((h) => h.id === 'sleep') ? searchId! : (await search.search(ws, { q: `${phrasing} sleep mode`, locale: 'en', source: 'portal' })).searchId!;
      await search.recordClick(ws, clicked, 'article', 'sleep');
    }
    await search.train(ws);
    expect(shown(await rankOf(ws, phrasing, 'sleep'))).toBeLessThan(before);
  });

  it("never ranks another workspace's articles, nor lends its model to another workspace", async () => {
    // The other workspace has an article with the same id as one this model knows, about something else.
    await search.index(other, doc('sleep', 'en', 'Opening hours of the service desk', 'We answer on weekdays from nine to five.'));
    await search.index(other, doc('desk', 'en', 'Where the service desk is', 'The desk is on the ground floor.'));
    expect(await rankOf(other, 'wakng slep mdoe', 'sleep')).toBe(-1);
    const here = await search.search(ws, { q: 'service desk opening hours', locale: 'en', source: 'api' });
    expect(ids(here.hits).every((id) => DOCS.some((d) => d.id === id))).toBe(true);
    expect(here.hits.every((h) => !h.title.includes('desk'))).toBe(true);
    // Trained on its own two articles, the other workspace's model still never returns this one's.
    await search.train(other);
    expect(ids((await search.search(other, { q: 'printer does not turn on', locale: 'en', source: 'api' })).hits)).not.toContain('power');
  });

  it('a node reads the model version at most every 5 seconds, and knows it at once after its own training', async () => {
    // A second node on the same database, so its statements can be counted.
    const repo = new SearchRepo(await Tenancy.load(t.database.db), t.database.db);
    const node = new SearchService(repo, t.clock);
    const reads = vi.spyOn(repo, 'modelVersion');
    const find = () => node.search(ws, { q: 'printer sleep mode', locale: 'en', source: 'api' });
    t.clock.set('2026-03-02T09:00:00Z');
    await find();
    await find();
    expect(reads).toHaveBeenCalledTimes(1);
    // Another node trained: this one sees the new version once the 5 seconds are over.
    const { version } = (await search.train(ws))!;
    t.clock.advance(5_000);
    expect(ids((await find()).hits)[0]).toBe('sleep');
    expect(reads).toHaveBeenCalledTimes(2);
    await expect(reads.mock.results[1]!.value).resolves.toMatchObject({ version });
    // Its own training reads the stored model (to retrain from it); its searches then know the new version without reading it.
    await node.train(ws);
    await find();
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('bad input gives plain results, no errors: empty, 10 kB, tsquery syntax, control characters, emoji, mixed scripts', async () => {
    // [query, hits of search and of searchText (no locale), suggestions]
    const expected: [string, string[], string[]][] = [
      ['', [], []], ['   ', [], []], ['x'.repeat(10_000), [], []], ["a & b | !c:* ( ) ' \\ ;", [], []], ['\u0000\u0007', [], []],
      ['😀🖨️', [], []], ['Drucker ノート 프린터', [], []],
      ['printer 打印机 dayin ＰＲＩＮＴ', ['power', 'jam', 'sleep', 'wifi', 'toner'], []],
      ['打印機 & 紙 | !', ['jam', 'wifi', 'toner'], ['jam']],
      ['卡纸 paper jam 😀', ['paper', 'jam'], []],
    ];
    for (const [q, hits, suggestions] of expected) {
      const result = await search.search(ws, { q, source: 'api' });
      expect([ids(result.hits), result.total], JSON.stringify(q.slice(0, 20))).toEqual([hits, hits.length]);
      expect(ids(await search.searchText(ws, q, undefined, 10))).toEqual(hits);
      expect((await search.suggest(ws, q, 'zh-CN')).map((s) => s.id)).toEqual(suggestions);
    }
  });
});
