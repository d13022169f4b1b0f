import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import type { KbService } from '../kb.service.js';

let t: TestApp;
let kb: KbService;
let ws: string;
let editorId: string;

beforeAll(async () => {
  t = await createTestApp({ KEFU_KB_DIGEST_DELAY_SECONDS: '0' });
  kb = t.services.kb;
  ws = t.workspace.id;
  editorId = t.workspace.admin.id;
});
afterAll(async () => { await t.close(); });

/** Whatever changed an article, the whole article as it now is. */
const detailOf = async (changed: Promise<{ id: string }>) => kb.article(ws, (await changed).id);
const write = (title: string, markdown: string, extra: Partial<Parameters<KbService['createArticle']>[1]> = {}) =>
  detailOf(kb.createArticle(ws, { title, markdown, locale: 'en', ...extra }, editorId));

describe('revisions and publishing', () => {
  it('keeps the published revision live while a newer draft is edited, and publishes a chosen revision', async () => {
    const created = await write('Clear a paper jam', 'Open the **rear door**.', { slug: 'clear-a-paper-jam' });
    expect(created.article.status).toBe('draft');
    expect(created.revisions).toHaveLength(1);
    await expect(kb.publishedArticle(ws, 'clear-a-paper-jam')).rejects.toMatchObject({ code: 'KB_ARTICLE_NOT_FOUND' });

    const first = await detailOf(kb.publish(ws, created.article.id, undefined));
    expect(first.article.status).toBe('published');
    expect(first.published?.html).toContain('<strong>rear door</strong>');

    const edited = await detailOf(kb.updateArticle(ws, created.article.id, { markdown: 'Open the **front door**.' }, editorId));
    expect(edited.revisions.map((r) => r.number)).toEqual([2, 1]);
    expect(edited.draft.markdown).toBe('Open the **front door**.');
    expect((await kb.publishedArticle(ws, 'clear-a-paper-jam')).html).toContain('rear door');

    await kb.publish(ws, created.article.id, undefined);
    expect((await kb.publishedArticle(ws, 'clear-a-paper-jam')).html).toContain('front door');
    // Roll back to revision 1.
    await kb.publish(ws, created.article.id, first.revisions.find((r) => r.number === 1)!.id);
    expect((await kb.publishedArticle(ws, 'clear-a-paper-jam')).html).toContain('rear door');

    await kb.unpublish(ws, created.article.id);
    await expect(kb.publishedArticle(ws, 'clear-a-paper-jam')).rejects.toMatchObject({ code: 'KB_ARTICLE_NOT_FOUND' });
  });

  it('publishes into search and takes unpublished articles out', async () => {
    const a = await write('Replace the toner cartridge', 'Lift the cover and pull the old cartridge out.');
    await kb.publish(ws, a.article.id, undefined);
    const found = await t.services.search.search(ws, { q: 'toner cartridge', locale: 'en', source: 'api' });
    expect(found.hits.map((h) => h.id)).toContain(a.article.id);
    await kb.unpublish(ws, a.article.id);
    const gone = await t.services.search.search(ws, { q: 'toner cartridge', locale: 'en', source: 'api' });
    expect(gone.hits.map((h) => h.id)).not.toContain(a.article.id);
  });
});

describe('translations', () => {
  it('links the language versions of one article, and refuses a second version of one language', async () => {
    const en = await write('Connect to Wi-Fi', 'Press the Wi-Fi button.', { slug: 'connect-wifi' });
    const zh = await detailOf(kb.createArticle(ws, { title: '连接无线网络', markdown: '按下 Wi-Fi 按钮。', locale: 'zh-CN', slug: 'connect-wifi-zh', translationOf: en.article.id }, editorId));
    expect(zh.article.translation_group_id).toBe(en.article.translation_group_id);
    expect((await kb.article(ws, en.article.id)).translations).toEqual([expect.objectContaining({ id: zh.article.id, locale: 'zh-CN' })]);
    await expect(kb.createArticle(ws, { title: 'Again', markdown: 'x', locale: 'zh-CN', translationOf: en.article.id }, editorId))
      .rejects.toMatchObject({ code: 'KB_TRANSLATION_EXISTS', status: 409 });
    await kb.publish(ws, en.article.id, undefined);
    await kb.publish(ws, zh.article.id, undefined);
    expect((await kb.publishedArticle(ws, 'connect-wifi')).translations).toEqual([{ slug: 'connect-wifi-zh', locale: 'zh-CN', title: '连接无线网络' }]);
  });
});

describe('links for troubleshooting solutions', () => {
  it('answers in the reader\'s language when that version is published, and leaves out unpublished articles', async () => {
    const en = await write('Solution in English', 'x', { slug: 'solution-en' });
    const zh = await detailOf(kb.createArticle(ws, { title: '中文解决方案', markdown: 'x', locale: 'zh-CN', slug: 'solution-zh', translationOf: en.article.id }, editorId));
    const draft = await write('Still a draft', 'x', { slug: 'solution-draft' });
    await kb.publish(ws, en.article.id, undefined);
    let links = await kb.links(ws, [en.article.id, draft.article.id], 'zh-CN');
    expect(links.get(en.article.id)).toEqual({ title: 'Solution in English', url: '/help/articles/solution-en' });
    expect(links.has(draft.article.id)).toBe(false);
    await kb.publish(ws, zh.article.id, undefined);
    links = await kb.links(ws, [en.article.id], 'zh-CN');
    expect(links.get(en.article.id)).toEqual({ title: '中文解决方案', url: '/help/articles/solution-zh' });
  });
});

describe('internal links and back links', () => {
  it('records links on publish, lists back links, and renders links to deleted or unpublished articles as plain text', async () => {
    const target = await write('Install the driver', 'Download it.', { slug: 'install-driver' });
    const source = await write('Set up your printer', 'First [install the driver](/help/articles/install-driver), then [print](/help/articles/missing-article).', { slug: 'set-up' });
    await kb.publish(ws, source.article.id, undefined);
    // The target is still a draft: the link is text, and nothing breaks.
    let page = await kb.publishedArticle(ws, 'set-up');
    expect(page.html).not.toContain('href="/help/articles/install-driver"');
    expect(page.html).toContain('install the driver');
    expect(page.html).not.toContain('missing-article');

    await kb.publish(ws, target.article.id, undefined);
    page = await kb.publishedArticle(ws, 'set-up');
    expect(page.html).toContain('href="/help/articles/install-driver"');
    expect((await kb.publishedArticle(ws, 'install-driver')).backlinks).toEqual([{ id: source.article.id, slug: 'set-up', title: 'Set up your printer' }]);

    await kb.deleteArticle(ws, target.article.id);
    page = await kb.publishedArticle(ws, 'set-up');
    expect(page.html).not.toContain('href="/help/articles/install-driver"');
    expect(page.html).toContain('install the driver');
  });
});

describe('related articles', () => {
  it('lists the chosen ones first, then similar ones found by search, then ones sharing a tag', async () => {
    const similar = await write('Wireless module keeps disconnecting', 'Move the printer closer to the router.', { slug: 'wireless-disconnecting' });
    const tagged = await write('Order a spare part', 'Call us.', { slug: 'spare-part', tags: ['spare'] });
    const chosen = await write('Warranty for spare parts', 'Six months.', { slug: 'spare-warranty' });
    const article = await write('Reset the wireless module', 'Hold the button for ten seconds.', { slug: 'reset-wireless-module', tags: ['spare'], relatedIds: [chosen.article.id] });
    for (const a of [similar, tagged, chosen, article]) await kb.publish(ws, a.article.id, undefined);
    const related = (await kb.publishedArticle(ws, 'reset-wireless-module')).related.map((r) => r.slug);
    expect(related[0]).toBe('spare-warranty');
    expect(related).toContain('wireless-disconnecting');
    expect(related).toContain('spare-part');
    expect(related).not.toContain('reset-wireless-module');
    expect((await kb.article(ws, article.article.id)).related[0]).toMatchObject({ slug: 'spare-warranty', manual: true });
  });
});

describe('safe rendering and bad input', () => {
  it('never lets script through Markdown', async () => {
    const html = await kb.preview(ws, [
      '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[click](javascript:alert(1))', '![x](javascript:alert(2))',
      '<a href="https://evil.example" onclick="x()">a</a>',
    ].join('\n\n'));
    // Typed HTML stays visible text; no element or attribute of it survives.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<img[^>]*onerror|<a[^>]*onclick|href="javascript:|src="javascript:/i);
  });

  it('refuses duplicate slugs, unknown categories, related ids and revisions, changing nothing', async () => {
    await write('Unique one', 'x', { slug: 'unique-one' });
    const before = (await kb.listArticles(ws, { limit: 200 })).articles.length;
    await expect(write('Other', 'y', { slug: 'unique-one' })).rejects.toMatchObject({ code: 'KB_SLUG_TAKEN', status: 409 });
    await expect(write('Other', 'y', { categoryId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'KB_CATEGORY_NOT_FOUND' });
    await expect(write('Other', 'y', { relatedIds: [crypto.randomUUID()] })).rejects.toMatchObject({ code: 'KB_RELATED_NOT_FOUND' });
    expect((await kb.listArticles(ws, { limit: 200 })).articles.length).toBe(before);
    const a = await write('Revision check', 'x');
    await expect(kb.publish(ws, a.article.id, crypto.randomUUID())).rejects.toMatchObject({ code: 'KB_REVISION_NOT_FOUND' });
    expect((await kb.article(ws, a.article.id)).article.status).toBe('draft');
  });

  it('refuses a category cycle and deleting a category in use', async () => {
    const root = await kb.createCategory(ws, { slug: 'root-cat', names: { en: 'Root' } });
    const child = await kb.createCategory(ws, { slug: 'child-cat', names: { en: 'Child' }, parentId: root.id });
    await expect(kb.updateCategory(ws, root.id, { parentId: child.id })).rejects.toMatchObject({ code: 'KB_CATEGORY_CYCLE' });
    await expect(kb.updateCategory(ws, root.id, { parentId: root.id })).rejects.toMatchObject({ code: 'KB_CATEGORY_CYCLE' });
    await expect(kb.deleteCategory(ws, root.id)).rejects.toMatchObject({ code: 'KB_CATEGORY_NOT_EMPTY' });
    expect((await kb.category(ws, root.id)).parent_id).toBeNull();
  });
});

describe('votes and reports', () => {
  it('counts one vote per visitor, and reports articles voted down since their last edit', async () => {
    const a = await write('Printer is slow', 'Use draft mode.', { slug: 'printer-slow' });
    await kb.publish(ws, a.article.id, undefined);
    expect(await kb.vote(ws, a.article.id, 'visitor:1', false, 'did not help')).toBe(true);
    expect(await kb.vote(ws, a.article.id, 'visitor:1', true, null)).toBe(false);
    expect(await kb.vote(ws, a.article.id, 'visitor:2', false, null)).toBe(true);
    const detail = await kb.article(ws, a.article.id);
    expect([detail.article.helpful, detail.article.unhelpful]).toEqual([0, 2]);
    expect((await kb.lowHelpfulness(ws, { minVotes: 2, limit: 10 })).map((r) => r.id)).toContain(a.article.id);
    const stale = await kb.stale(ws, { days: 365, limit: 50 });
    expect(stale.find((r) => r.id === a.article.id)?.reason).toBe('rated_down_since_edit');
    await kb.markReviewed(ws, a.article.id);
    expect((await kb.stale(ws, { days: 365, limit: 50 })).map((r) => r.id)).not.toContain(a.article.id);
  });
});

describe('digests', () => {
  it('e-mails a subscriber one digest after a publish, and its link unsubscribes', async () => {
    const customer = await t.services.accounts.registerCustomer(ws, { email: 'reader@example.com', name: 'Reader', password: null, locale: 'zh-CN' });
    const category = await kb.createCategory(ws, { slug: 'ink', names: { en: 'Ink', 'zh-CN': '墨盒' } });
    const a = await write('Refill ink', 'Use original ink.', { slug: 'refill-ink', categoryId: category.id });
    const b = await write('Ink levels', 'Check the levels.', { slug: 'ink-levels', categoryId: category.id });
    await kb.subscribe(ws, customer.id, { kind: 'category', id: category.id }, '127.0.0.1');
    await kb.publish(ws, a.article.id, undefined);
    await kb.publish(ws, b.article.id, undefined);
    await t.jobs.drain();
    const digests = await kb.digests(ws, { customerId: customer.id, limit: 10 });
    expect(digests.length).toBeGreaterThanOrEqual(1);
    expect(new Set(digests.flatMap((d) => d.article_ids))).toEqual(new Set([a.article.id, b.article.id]));
    const mails = await t.database.db.selectFrom('mail_outbox').select(['to_address', 'subject', 'text_body', 'template']).where('template', '=', 'kbDigest').execute();
    expect(mails.length).toBe(digests.length);
    expect(mails[0]!.to_address).toBe('reader@example.com');
    expect(mails[0]!.subject).toContain('帮助文章');
    const token = /\/help\/unsubscribe\/([A-Za-z0-9_-]+)/.exec(mails.map((m) => m.text_body).join('\n'))![1]!;
    expect(await kb.unsubscribeByToken(ws, token)).toBe(true);
    expect(await kb.subscription(ws, customer.id, { kind: 'category', id: category.id })).toBeUndefined();
    // Publishing again sends nothing: nobody follows any more.
    await kb.updateArticle(ws, a.article.id, { markdown: 'Use original ink only.' }, editorId);
    await kb.publish(ws, a.article.id, undefined);
    await t.jobs.drain();
    expect(await kb.digests(ws, { customerId: customer.id, limit: 10 })).toHaveLength(digests.length);
  });
});
