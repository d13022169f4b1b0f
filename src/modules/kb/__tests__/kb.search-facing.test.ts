import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import type { KbService } from '../kb.service.js';

let t: TestApp;
let kb: KbService;
let ws: string;
let editorId: string;

beforeAll(async () => {
  t = await createTestApp();
  kb = t.services.kb;
  ws = t.workspace.id;
  editorId = t.workspace.admin.id;
});
afterAll(async () => { await t.close(); });

describe('how articles are found', () => {
  it('gives Chinese titles readable pinyin slugs and never refuses an article for its generated slug', async () => {
    const first = await kb.createArticle(ws, { title: '打印机卡纸怎么办', markdown: '打开前盖。', locale: 'zh-CN' }, editorId);
    expect(first.slug).toBe('da-yin-ji-ka-zhi-zen-me-ban');
    const same = await Promise.all(Array.from({ length: 6 }, () => kb.createArticle(ws, { title: 'WiFi 连接', markdown: '…', locale: 'zh-CN' }, editorId)));
    expect(new Set(same.map((a) => a.slug)).size).toBe(6);
    expect(same.map((a) => a.slug)).toContain('wifi-lian-jie');
    // A slug the editor chose is still refused when taken.
    await expect(kb.createArticle(ws, { title: 'x', markdown: 'y', locale: 'en', slug: 'wifi-lian-jie' }, editorId)).rejects.toMatchObject({ code: 'KB_SLUG_TAKEN' });
  });

  it('searches alternative questions, snippets from rendered text, and tells search of each publish', async () => {
    const article = await kb.createArticle(ws, {
      title: 'Warranty', markdown: '**保修期：**自发票日期起一年。', locale: 'zh-CN', questions: ['机器坏了可以免费修吗', ' 机器坏了可以免费修吗 '],
    }, editorId);
    expect(article.questions).toEqual(['机器坏了可以免费修吗']);
    const published: string[] = [];
    t.bus.subscribe('kb_article.published', async (event) => { published.push(event.payload.articleId); });
    await kb.publish(ws, article.id, undefined);
    await t.jobs.drain();
    expect(published).toContain(article.id);
    const found = await t.services.search.search(ws, { q: '免费修', locale: 'zh-CN', source: 'api' });
    expect(found.hits[0]?.id).toBe(article.id);
    const snippet = (await t.services.search.search(ws, { q: '保修期', locale: 'zh-CN', source: 'api' })).hits[0]!.snippetHtml;
    expect(snippet).toContain('<mark>保修期</mark>');
    expect(snippet).not.toContain('**');
    const edited = await kb.updateArticle(ws, article.id, { questions: ['保修多久'] }, editorId);
    expect(edited.questions).toEqual(['保修多久']);
    expect((await t.services.search.search(ws, { q: '保修多久', locale: 'zh-CN', source: 'api' })).hits[0]?.id).toBe(article.id);
  });

  it('offers the other language\'s articles when the reader\'s finds nothing, and logs the search once', async () => {
    const english = await kb.createArticle(ws, { title: 'Fix a fuser overheat', markdown: 'Let the fuser cool down for ten minutes.', locale: 'en' }, editorId);
    await kb.publish(ws, english.id, undefined);
    const portal = { locale: 'zh-CN' as const, limit: 10, offset: 0 };

    const crossed = await kb.portalSearch(ws, { ...portal, q: 'fuser overheat' });
    expect(crossed).toMatchObject({ otherLanguage: true, locale: 'en', searchId: null });
    expect(crossed.hits.map((h) => h.id)).toEqual([english.id]);
    // The reports see one search, which found nothing in Chinese: a gap in the Chinese help centre.
    const gaps = await t.services.search.searchesWithoutResults(ws, { days: 1, limit: 50 });
    expect(gaps.find((g) => g.query === 'fuser overheat')).toMatchObject({ searches: 1 });
    expect((await t.services.search.topSearches(ws, { days: 1, limit: 50 })).find((g) => g.query === 'fuser overheat')).toMatchObject({ searches: 1 });

    // Found in the reader's language: those, and no other.
    const own = await kb.portalSearch(ws, { ...portal, locale: 'en', q: 'fuser overheat' });
    expect(own).toMatchObject({ otherLanguage: false, locale: 'en' });
    expect(own.searchId).not.toBeNull();
    // Nothing anywhere (and an empty query): nothing, in the reader's language.
    expect(await kb.portalSearch(ws, { ...portal, q: 'qqxzv' })).toMatchObject({ total: 0, hits: [], otherLanguage: false, locale: 'zh-CN' });
    expect(await kb.portalSearch(ws, { ...portal, q: '   ' })).toMatchObject({ total: 0, otherLanguage: false });
  });
});
