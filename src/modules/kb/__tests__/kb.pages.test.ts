import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { seedKbDemo } from '../kb.demo.js';
import { DEMO_ARTICLES, DEMO_UNHELPFUL_COMMENTS } from '../kb.demo.content.js';

let t: TestApp;
let customerId: string;

type Jar = Record<string, string>;
const cookieHeader = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
const csrfFrom = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

/** A browser of sorts: keeps cookies and the last CSRF token. */
function browser(lang: 'en' | 'zh-CN' = 'en') {
  const jar: Jar = {};
  let csrf = '';
  const keep = <R extends { cookies: { name: string; value: string }[]; body: string }>(res: R): R => {
    for (const c of res.cookies) jar[c.name] = c.value;
    csrf = csrfFrom(res.body) || csrf;
    return res;
  };
  return {
    jar,
    get: async (url: string) => keep(await t.app.http.inject({ url, headers: { cookie: cookieHeader(jar), 'accept-language': lang, accept: 'text/html' } })),
    post: async (url: string, fields: Record<string, string>, withCsrf = true) => keep(await t.app.http.inject({
      method: 'POST', url, payload: new URLSearchParams({ ...(withCsrf ? { _csrf: csrf } : {}), ...fields }).toString(),
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': lang, accept: 'text/html' },
    })),
  };
}

beforeAll(async () => {
  t = await createTestApp({ KEFU_KB_DIGEST_DELAY_SECONDS: '0' });
  await seedKbDemo(t.services, t.workspace.id, t.workspace.admin.id);
  customerId = (await t.services.accounts.registerCustomer(t.workspace.id, { email: 'follower@example.com', name: 'Follower', password: null, locale: 'en' })).id;
});
afterAll(async () => { await t.close(); });

describe('the demo help centre', () => {
  it('has at least 30 published articles in each language, linked as translations', async () => {
    const published = (await t.services.kb.listArticles(t.workspace.id, { status: 'published', limit: 200 })).articles;
    const en = published.filter((a) => a.locale === 'en');
    const zh = published.filter((a) => a.locale === 'zh-CN');
    expect(en.length).toBeGreaterThanOrEqual(30);
    expect(zh.length).toBe(en.length);
    expect(new Set(zh.map((a) => a.translation_group_id))).toEqual(new Set(en.map((a) => a.translation_group_id)));
    expect(DEMO_ARTICLES.filter((a) => a.faq).length).toBeGreaterThanOrEqual(8);
  });

  it('has "not helpful" votes with comments for editors to read', async () => {
    const { comments } = await t.services.kb.unhelpfulComments(t.workspace.id, { limit: 20 });
    expect(comments.map((c) => c.comment).sort()).toEqual(DEMO_UNHELPFUL_COMMENTS.map((c) => c.comment).sort());
  });

  it('finds the same article by synonyms, in Chinese and in English', async () => {
    const zh = await t.services.search.search(t.workspace.id, { q: '夹纸', locale: 'zh-CN', source: 'api' });
    // 夹纸 is nowhere in the articles: only the synonym group 卡纸/夹纸/塞纸 finds them.
    expect(zh.hits.map((h) => h.url)).toContain('/help/articles/clear-paper-jam-zh');
    const en = await t.services.search.search(t.workspace.id, { q: 'misfeed', locale: 'en', source: 'api' });
    expect(en.hits.map((h) => h.url)).toContain('/help/articles/clear-paper-jam');
  });
});

describe('portal pages', () => {
  it('home: search box, top questions and categories, in the visitor\'s language', async () => {
    const zh = await browser('zh-CN').get('/');
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('热门问题');
    expect(zh.body).toContain('action="/search"');
    expect(zh.body).toContain('/help/categories/paper-jams');
    expect(zh.body).toMatch(/<link rel="canonical" href="http:\/\/localhost:3000\/">/);
    const en = await browser('en').get('/');
    expect(en.body).toContain('Top questions');
    expect(en.body).toContain('/help/articles/');
  });

  it('article: breadcrumbs, body, translations with hreflang, back links, related, vote form, next steps and metadata', async () => {
    const res = await browser('en').get('/help/articles/clear-paper-jam');
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain('<h1>How to clear a paper jam</h1>');
    expect(body).toContain('href="/help/categories/paper-jams"');
    expect(body).toContain('<link rel="alternate" hreflang="zh-CN" href="http://localhost:3000/help/articles/clear-paper-jam-zh">');
    expect(body).toContain('<meta property="og:title" content="How to clear a paper jam">');
    expect(body).toContain('<meta name="description" content="Remove jammed paper safely, without tearing it.">');
    expect(body).toContain('hreflang="zh-CN" lang="zh-CN">如何清除卡纸</a>');
    expect(body).toMatch(/id="backlinks"[\s\S]*My printer does not print/);
    expect(body).toContain('Was this article helpful?');
    expect(body).toContain('href="/contact"');
    expect(body).toContain('/help/troubleshoot');
    const print = await browser('en').get('/help/articles/clear-paper-jam?print=1');
    expect(print.body).toContain('class="print"');
    expect(print.body).not.toContain('site-header');
  });

  it('an unknown article is a friendly 404 page with a search box', async () => {
    const res = await browser('en').get('/help/articles/no-such-article');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('action="/search"');
  });

  it('category page and FAQ in both layouts and orders', async () => {
    const category = await browser('en').get('/help/categories/ink-toner');
    expect(category.statusCode).toBe(200);
    expect(category.body).toContain('How to replace an ink cartridge');
    const single = await browser('en').get('/help/faq');
    expect(single.body).toContain('href="#clear-paper-jam"');
    expect(single.body).toContain('id="clear-paper-jam"');
    const pages = await browser('en').get('/help/faq?sort=alpha&layout=pages');
    expect(pages.body).toContain('href="/help/articles/clear-paper-jam"');
    expect(pages.body).not.toContain('id="clear-paper-jam"');
    const titles = [...pages.body.matchAll(/<li><a href="\/help\/articles\/[^"]+">([^<]+)<\/a><\/li>/g)].map((m) => m[1]!);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, 'en')));
    expect((await browser('en').get('/help/faq?sort=bogus&layout=nope')).statusCode).toBe(200);
  });

  it('search results page: highlights, category filter, paging, and odd queries render safely', async () => {
    const res = await browser('en').get('/search?q=paper+jam');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<mark>');
    expect(res.body).toMatch(/href="\/search\/go\?sid=/);
    const filtered = await browser('en').get('/search?q=printer&category=warranty-repair');
    expect(filtered.body).toContain('What does the warranty cover?');
    expect(filtered.body).not.toContain('How to clear a paper jam');
    for (const q of ['', '<script>alert(1)</script>', '"\' & | ! :* ( )', 'x'.repeat(10_000)]) {
      const odd = await browser('en').get(`/search?q=${encodeURIComponent(q)}&page=9999`);
      expect(odd.statusCode, q.slice(0, 20)).toBe(200);
      expect(odd.body).not.toContain('<script>alert(1)');
    }
  });

  it('a search with no hits in the portal\'s language shows the other language\'s articles and says so, in both', async () => {
    const zh = await browser('zh-CN').get('/search?q=paper+jam');
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('没有中文结果，以下是英文文章</span> / <span lang="en">No results in Chinese; showing English articles</span>');
    expect(zh.body).toContain('<ol class="results" lang="en">');
    expect(zh.body).toContain('How to clear a paper jam');
    // The same words in English on the English portal: its own results, no notice.
    const en = await browser('en').get('/search?q=paper+jam');
    expect(en.body).not.toContain('other-language');
    // Nothing in either language: the plain "no results" page.
    const none = await browser('zh-CN').get('/search?q=zzqxv');
    expect(none.body).not.toContain('other-language');
    expect(none.body).toContain('没有与“zzqxv”匹配的文章。');
  });

  it('sitemap lists every published article with its language alternates', async () => {
    const res = await t.app.http.inject({ url: '/sitemap.xml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/xml');
    expect(res.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const locs = [...res.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(locs).toContain('http://localhost:3000/help/articles/clear-paper-jam');
    expect(locs).toContain('http://localhost:3000/help/articles/clear-paper-jam-zh');
    expect(res.body).toContain('<xhtml:link rel="alternate" hreflang="zh-CN" href="http://localhost:3000/help/articles/clear-paper-jam-zh"/>');
    expect(res.body.match(/<url>/g)!.length).toBe(res.body.match(/<\/url>/g)!.length);
  });
});

describe('was this helpful?', () => {
  it('counts one vote per visitor, needs the CSRF token, and thanks the visitor', async () => {
    const visitor = browser('en');
    await visitor.get('/help/articles/printer-offline');
    const before = (await t.services.kb.publishedArticle(t.workspace.id, 'printer-offline')).article;
    expect((await visitor.post('/help/articles/printer-offline/vote', { helpful: 'no', comment: 'Still offline' }, false)).statusCode).toBe(403);
    const voted = await visitor.post('/help/articles/printer-offline/vote', { helpful: 'no', comment: 'Still offline' });
    expect(voted.statusCode).toBe(303);
    expect(voted.headers.location).toBe('/help/articles/printer-offline?notice=voted#feedback');
    await visitor.post('/help/articles/printer-offline/vote', { helpful: 'yes' });
    const after = (await t.services.kb.publishedArticle(t.workspace.id, 'printer-offline')).article;
    expect([after.helpful, after.unhelpful]).toEqual([before.helpful, before.unhelpful + 1]);
    const page = await visitor.get('/help/articles/printer-offline?notice=voted');
    expect(page.body).toContain('Thank you for your feedback.');
    expect(page.body).not.toContain('name="helpful"');
    expect((await visitor.post('/help/articles/printer-offline/vote', { helpful: 'maybe' })).statusCode).toBe(400);
  });
});

describe('following and digests', () => {
  it('sends anonymous visitors to sign in instead of following', async () => {
    const anonymous = browser('en');
    const page = await anonymous.get('/help/articles/replace-toner');
    expect(page.body).not.toContain('action="/help/follow"');
    expect(page.body).toContain('href="/account/sign-in"');
    const article = (await t.services.kb.publishedArticle(t.workspace.id, 'replace-toner')).article;
    const res = await anonymous.post('/help/follow', { kind: 'article', id: article.id, consent: 'yes', next: '/help/articles/replace-toner' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/sign-in');
    expect(await t.database.db.selectFrom('kb_subscriptions').select('id').where('target_id', '=', article.id).execute()).toEqual([]);
  });

  it('needs consent, e-mails a digest after a publish, and its link unsubscribes (GET asks, POST does it)', async () => {
    const reader = browser('en');
    reader.jar.kefu_customer = t.app.http.signCookie(await t.services.accounts.openSession(t.workspace.id, 'customer', customerId));
    const page = await reader.get('/help/articles/replace-toner');
    expect(page.body).toContain('action="/help/follow"');
    const id = /name="id" value="([^"]+)"/.exec(page.body)![1]!;
    const noConsent = await reader.post('/help/follow', { kind: 'article', id, next: '/help/articles/replace-toner' });
    expect(noConsent.headers.location).toBe('/help/articles/replace-toner?notice=consent');
    expect(await t.services.kb.subscription(t.workspace.id, customerId, { kind: 'article', id })).toBeUndefined();
    const followed = await reader.post('/help/follow', { kind: 'article', id, consent: 'yes', next: '/help/articles/replace-toner' });
    expect(followed.headers.location).toBe('/help/articles/replace-toner?notice=followed');
    const subscription = await t.services.kb.subscription(t.workspace.id, customerId, { kind: 'article', id });
    expect(subscription?.consent_at).toBeInstanceOf(Date);

    await t.services.kb.updateArticle(t.workspace.id, id, { markdown: 'New steps for the YT-50.' }, t.workspace.admin.id);
    await t.services.kb.publish(t.workspace.id, id, undefined);
    await t.jobs.drain();
    const admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'digests', { type: 'system', id: null })).token}` };
    const digests = (await t.app.http.inject({ url: `/api/v1/kb/subscriptions/digests?customerId=${customerId}`, headers: admin })).json().digests;
    expect(digests).toEqual([expect.objectContaining({ email: 'follower@example.com', articleIds: [id] })]);
    const mail = await t.database.db.selectFrom('mail_outbox').select(['text_body']).where('to_address', '=', 'follower@example.com').executeTakeFirstOrThrow();
    expect(mail.text_body).toContain('http://localhost:3000/help/articles/replace-toner');
    const link = /http:\/\/localhost:3000(\/help\/unsubscribe\/[A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!;

    const confirm = await reader.get(link);
    expect(confirm.statusCode).toBe(200);
    expect(await t.services.kb.subscription(t.workspace.id, customerId, { kind: 'article', id })).toBeDefined();
    const done = await reader.post(link, {});
    expect(done.statusCode).toBe(200);
    expect(await t.services.kb.subscription(t.workspace.id, customerId, { kind: 'article', id })).toBeUndefined();
    expect((await browser('en').get('/help/unsubscribe/not-a-real-token-at-all')).statusCode).toBe(404);
  });

  it('one-click unsubscribe (RFC 8058) works without cookies or CSRF token', async () => {
    const category = (await t.services.kb.categories(t.workspace.id)).find((c) => c.slug === 'wifi-network')!;
    await t.services.kb.subscribe(t.workspace.id, customerId, { kind: 'category', id: category.id }, null);
    const article = (await t.services.kb.publishedArticle(t.workspace.id, 'wifi-direct')).article;
    await t.services.kb.updateArticle(t.workspace.id, article.id, { title: 'Printing without a router' }, null);
    await t.services.kb.publish(t.workspace.id, article.id, undefined);
    await t.jobs.drain();
    const mails = await t.database.db.selectFrom('mail_outbox').select(['text_body']).where('to_address', '=', 'follower@example.com').execute();
    const token = /\/help\/unsubscribe\/([A-Za-z0-9_-]+)/.exec(mails.at(-1)!.text_body)![1]!;
    const res = await t.app.http.inject({
      method: 'POST', url: `/help/unsubscribe/${token}/one-click`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(200);
    expect(await t.services.kb.subscription(t.workspace.id, customerId, { kind: 'category', id: category.id })).toBeUndefined();
  });
});
