import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
type Caller = Record<string, string>;
let admin: Caller;
let editor: Caller;
let agent: Caller;
let customer: Caller;
const anonymous: Caller = {};
const SYSTEM = { type: 'system' as const, id: null };

beforeAll(async () => {
  t = await createTestApp({ KEFU_KB_DIGEST_DELAY_SECONDS: '0' });
  const token = async (role: 'agent' | 'editor', email: string) => {
    const a = await t.services.accounts.createAgent(t.workspace.id, { email, name: role, role, password: `${role}-password-1` }, SYSTEM);
    return { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, a.id, role, SYSTEM)).token}` };
  };
  admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'admin', SYSTEM)).token}` };
  editor = await token('editor', 'editor@acme.example');
  agent = await token('agent', 'agent@acme.example');
  const c = await t.services.accounts.registerCustomer(t.workspace.id, { email: 'c@example.com', name: 'C', password: null, locale: 'en' });
  customer = { cookie: `kefu_customer=${t.app.http.signCookie(await t.services.accounts.openSession(t.workspace.id, 'customer', c.id))}` };
});
afterAll(async () => { await t.close(); });

const api = (who: Caller, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers: who, payload });

const newArticle = (extra: object = {}) => ({ title: 'Reset the network settings', markdown: 'Hold the **Wi-Fi** button for 10 seconds.', locale: 'en', ...extra });

describe('who may do what', () => {
  it('lets agents read, editors and admins write, and nobody else in', async () => {
    for (const who of [anonymous, customer]) {
      expect((await api(who, 'GET', '/kb/articles')).statusCode).toBe(401);
      expect((await api(who, 'GET', '/kb/categories')).statusCode).toBe(401);
    }
    expect((await api(agent, 'GET', '/kb/articles')).statusCode).toBe(200);
    const refused = await api(agent, 'POST', '/kb/articles', newArticle());
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
    expect((await api(agent, 'POST', '/kb/categories', { slug: 'x-cat', names: { en: 'X' } })).statusCode).toBe(403);
    expect((await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'by-editor' }))).statusCode).toBe(201);
    expect((await api(admin, 'POST', '/kb/articles', newArticle({ slug: 'by-admin' }))).statusCode).toBe(201);
    expect((await api(agent, 'GET', '/kb/subscriptions/digests')).statusCode).toBe(403);
  });
});

describe('articles over HTTP', () => {
  it('creates, edits into a new draft, publishes, lists and deletes', async () => {
    const category = (await api(editor, 'POST', '/kb/categories', { slug: 'network', names: { en: 'Network', 'zh-CN': '网络' } })).json();
    const created = await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'reset-network', categoryId: category.id, tags: ['WiFi', 'wifi', 'Router'], faq: true }));
    expect(created.statusCode, created.body).toBe(201);
    const article = created.json();
    expect(article).toMatchObject({ status: 'draft', tags: ['wifi', 'router'], faq: true, url: '/help/articles/reset-network', published: null });
    expect(article.draft.html).toContain('<strong>Wi-Fi</strong>');

    const published = (await api(editor, 'POST', `/kb/articles/${article.id}/publish`)).json();
    expect(published).toMatchObject({ status: 'published', hasUnpublishedChanges: false });
    const patched = (await api(editor, 'PATCH', `/kb/articles/${article.id}`, { markdown: 'Hold it for 15 seconds.' })).json();
    expect(patched).toMatchObject({ hasUnpublishedChanges: true, draft: { number: 2 }, published: { number: 1 } });
    expect((await api(agent, 'GET', `/kb/articles/${article.id}/revisions`)).json().revisions.map((r: { number: number }) => r.number)).toEqual([2, 1]);
    const first = patched.revisions.find((r: { number: number }) => r.number === 1);
    const revision = (await api(agent, 'GET', `/kb/articles/${article.id}/revisions/${first.id}`)).json();
    expect(revision).toMatchObject({ number: 1, published: true, markdown: 'Hold the **Wi-Fi** button for 10 seconds.' });

    const list = (await api(agent, 'GET', `/kb/articles?status=published&categoryId=${category.id}`)).json();
    expect(list.articles.map((a: { id: string }) => a.id)).toEqual([article.id]);
    expect((await api(agent, 'GET', '/kb/articles?q=network&locale=en')).json().articles.length).toBeGreaterThan(0);

    expect((await api(editor, 'DELETE', `/kb/articles/${article.id}`)).statusCode).toBe(204);
    expect((await api(agent, 'GET', `/kb/articles/${article.id}`)).json().error.code).toBe('KB_ARTICLE_NOT_FOUND');
  });

  it('pages through articles with a keyset cursor', async () => {
    for (let i = 0; i < 5; i += 1) await api(editor, 'POST', '/kb/articles', newArticle({ title: `Paging ${i}`, slug: `paging-${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { articles: { id: string; title: string }[]; nextCursor: string | null } = (await api(agent, 'GET', `/kb/articles?q=Paging&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.articles.map((a) => a.title));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['Paging 0', 'Paging 1', 'Paging 2', 'Paging 3', 'Paging 4']);
    expect((await api(agent, 'GET', '/kb/articles?cursor=garbage')).json().error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses bad input with clear codes and changes nothing', async () => {
    const before = (await api(agent, 'GET', '/kb/articles?limit=200')).json().articles.length;
    const cases: [object, string][] = [
      [{ ...newArticle(), extra: true }, 'VALIDATION_FAILED'],
      [{ ...newArticle(), locale: 'fr' }, 'VALIDATION_FAILED'],
      [{ ...newArticle(), title: '' }, 'VALIDATION_FAILED'],
      [{ ...newArticle(), slug: 'Bad Slug!' }, 'VALIDATION_FAILED'],
      [{ ...newArticle(), markdown: 'x'.repeat(200_001) }, 'VALIDATION_FAILED'],
      [{ ...newArticle(), translationOf: crypto.randomUUID() }, 'KB_ARTICLE_NOT_FOUND'],
      [{ ...newArticle(), relatedIds: ['not-a-uuid'] }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of cases) {
      const res = await api(editor, 'POST', '/kb/articles', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().error.code).toBe(code);
    }
    expect((await api(agent, 'GET', '/kb/articles?limit=200')).json().articles.length).toBe(before);
    const a = (await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'patch-target' }))).json();
    expect((await api(editor, 'PATCH', `/kb/articles/${a.id}`, {})).json().error.code).toBe('VALIDATION_FAILED');
    expect((await api(editor, 'PATCH', `/kb/articles/${a.id}`, { status: 'published' })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await api(editor, 'PATCH', `/kb/articles/${a.id}`, { slug: 'by-editor' })).json().error.code).toBe('KB_SLUG_TAKEN');
    expect((await api(agent, 'GET', `/kb/articles/${a.id}`)).json()).toMatchObject({ slug: 'patch-target', revisions: [{ number: 1 }] });
    expect((await api(agent, 'GET', '/kb/articles/not-a-uuid')).statusCode).toBe(400);
  });

  it('renders previews safely and turns a ticket message into a draft', async () => {
    const preview = (await api(agent, 'POST', '/kb/preview', { markdown: '<script>alert(1)</script> [x](javascript:alert(1))' })).json();
    expect(preview.html).not.toMatch(/<script|href="javascript:/);
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: 'Printer offline after router change', body: 'Help!', channel: 'web', customer: { email: 'x@example.com', name: 'X' } }, SYSTEM);
    const reply = await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: 'Reconnect the printer to the new Wi-Fi.' }, SYSTEM);
    // Agents may not write articles by this road either (issue 12 #13).
    const byAgent = await api(agent, 'POST', `/kb/articles/from-message/${reply.id}`, { locale: 'en' });
    expect(byAgent.statusCode).toBe(403);
    expect(byAgent.json().error.code).toBe('FORBIDDEN');
    const draft = await api(editor, 'POST', `/kb/articles/from-message/${reply.id}`, { locale: 'en' });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json()).toMatchObject({ title: 'Printer offline after router change', status: 'draft', draft: { markdown: 'Reconnect the printer to the new Wi-Fi.' } });
    expect((await api(editor, 'POST', `/kb/articles/from-message/${crypto.randomUUID()}`, {})).json().error.code).toBe('MESSAGE_NOT_FOUND');
  });

  it('uploads files to an article and serves them once it is published', async () => {
    const a = (await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'with-image' }))).json();
    const upload = await t.app.http.inject({
      method: 'POST', url: `/api/v1/kb/articles/${a.id}/attachments?filename=diagram.png`,
      headers: { ...editor, 'content-type': 'application/octet-stream' }, payload: Buffer.from('png-bytes'),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    const file = upload.json();
    expect(file).toMatchObject({ filename: 'diagram.png', contentType: 'image/png', sizeBytes: 9, markdown: `![diagram.png](${file.url})` });
    const refused = await t.app.http.inject({
      method: 'POST', url: `/api/v1/kb/articles/${a.id}/attachments?filename=evil.html`, headers: { ...editor, 'content-type': 'text/html' }, payload: '<script></script>',
    });
    expect(refused.json().error.code).toBe('ATTACHMENT_TYPE_FORBIDDEN');
    expect((await api(agent, 'GET', `/kb/articles/${a.id}/attachments`)).json().attachments).toHaveLength(1);
    expect((await t.app.http.inject({ url: file.url })).statusCode).toBe(404);
    await api(editor, 'POST', `/kb/articles/${a.id}/publish`);
    const served = await t.app.http.inject({ url: file.url });
    expect(served.statusCode).toBe(200);
    expect(served.body).toBe('png-bytes');
  });

  it('takes images for the text (PNG, JPEG, GIF, WebP by their bytes), shows them in the draft\'s preview, and on the portal once published', async () => {
    const a = (await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'with-screenshot' }))).json();
    const upload = (filename: string, bytes: Buffer | string, who: Caller = editor) => t.app.http.inject({
      method: 'POST', url: `/api/v1/kb/articles/${a.id}/images?filename=${encodeURIComponent(filename)}`,
      headers: { ...who, 'content-type': 'application/octet-stream' }, payload: bytes,
    });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const stored = await upload('Screenshot 1.png', png);
    expect(stored.statusCode, stored.body).toBe(201);
    const image = stored.json();
    expect(image).toMatchObject({ filename: 'Screenshot 1.png', contentType: 'image/png', sizeBytes: png.length });

    // The draft's preview shows it from the editors' address; the portal does not, until the article is published.
    const preview = (await api(agent, 'POST', '/kb/preview', { markdown: `See ![the tray](${image.url}).` })).json();
    const editorsUrl = `/api/v1/kb/attachments/${image.id}/${encodeURIComponent('Screenshot 1.png')}`;
    expect(preview.html).toContain(`<img src="${editorsUrl}" alt="the tray"`);
    const seen = await t.app.http.inject({ url: editorsUrl, headers: agent });
    expect(seen.statusCode).toBe(200);
    expect(seen.rawPayload.equals(png)).toBe(true);
    expect(seen.headers['content-type']).toBe('image/png');
    for (const who of [anonymous, customer]) expect((await t.app.http.inject({ url: editorsUrl, headers: who })).statusCode).toBe(401);
    expect((await t.app.http.inject({ url: image.url })).statusCode).toBe(404);
    await api(editor, 'PATCH', `/kb/articles/${a.id}`, { markdown: `See ![the tray](${image.url}).` });
    await api(editor, 'POST', `/kb/articles/${a.id}/publish`);
    expect((await api(agent, 'GET', `/kb/articles/${a.id}`)).json().published.html).toContain(`<img src="${image.url}" alt="the tray"`);
    expect((await t.app.http.inject({ url: image.url })).rawPayload.equals(png)).toBe(true);

    // A JPEG keeps its picture and loses its EXIF block (where and when a phone took it).
    const exif = Buffer.concat([Buffer.from([0xff, 0xe1, 0x00, 0x12]), Buffer.from('Exif\0\0GPS 31.2N ')]);
    const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46]);
    const scan = Buffer.from([0xff, 0xda, 0x00, 0x02, 0x01, 0x02, 0x03, 0xff, 0xd9]);
    const photo = (await upload('photo.JPG', Buffer.concat([Buffer.from([0xff, 0xd8]), exif, app0, scan]))).json();
    expect(photo.contentType).toBe('image/jpeg');
    const kept = (await t.app.http.inject({ url: `/api/v1/kb/attachments/${photo.id}/photo.JPG`, headers: agent })).rawPayload;
    expect(kept.equals(Buffer.concat([Buffer.from([0xff, 0xd8]), app0, scan]))).toBe(true);

    // Not an image, an image of another kind, too large, not an editor: refused, nothing kept.
    const refusals: [string, Buffer | string, string, Caller?][] = [
      ['notes.txt', 'plain text', 'ATTACHMENT_TYPE_FORBIDDEN'],
      ['drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'ATTACHMENT_TYPE_FORBIDDEN'],
      ['fake.png', '<html><script>alert(1)</script></html>', 'KB_IMAGE_INVALID'],
      ['fake.gif', png, 'KB_IMAGE_INVALID'],
      ['huge.png', Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)]), 'ATTACHMENT_TOO_LARGE'],
      ['agent.png', png, 'FORBIDDEN', agent],
    ];
    for (const [filename, bytes, code, who] of refusals) {
      const res = await upload(filename, bytes, who);
      expect(res.json().error?.code, filename).toBe(code);
    }
    expect((await api(agent, 'GET', `/kb/articles/${a.id}/attachments`)).json().attachments.map((f: { filename: string }) => f.filename).sort()).toEqual(['Screenshot 1.png', 'photo.JPG']);
    const missing = await t.app.http.inject({ method: 'POST', url: `/api/v1/kb/articles/${crypto.randomUUID()}/images?filename=x.png`, headers: { ...editor, 'content-type': 'application/octet-stream' }, payload: png });
    expect(missing.json().error.code).toBe('KB_ARTICLE_NOT_FOUND');
  });

  it('reports stale and low-helpfulness articles', async () => {
    const a = (await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'often-wrong' }))).json();
    await api(editor, 'POST', `/kb/articles/${a.id}/publish`);
    for (const v of ['a', 'b', 'c']) await t.services.kb.vote(t.workspace.id, a.id, v, false, null);
    const low = (await api(agent, 'GET', '/kb/reports/low-helpfulness?minVotes=3')).json();
    expect(low.articles[0]).toMatchObject({ id: a.id, unhelpful: 3, helpfulRatio: 0 });
    const stale = (await api(agent, 'GET', '/kb/reports/stale?days=30')).json();
    expect(stale.articles.find((s: { id: string }) => s.id === a.id)?.reason).toBe('rated_down_since_edit');
    expect((await api(editor, 'POST', `/kb/articles/${a.id}/reviewed`)).json().lastReviewedAt).toBeTruthy();
    expect((await api(agent, 'GET', '/kb/reports/stale?days=0')).statusCode).toBe(400);
  });
});

describe('what customers wrote with "not helpful"', () => {
  it('lets editors read the comments newest first, for all articles or one, a page at a time', async () => {
    const a = (await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'commented' }))).json();
    const b = (await api(editor, 'POST', '/kb/articles', newArticle({ slug: 'commented-too', title: 'Another one' }))).json();
    for (const article of [a, b]) await api(editor, 'POST', `/kb/articles/${article.id}/publish`);
    // One vote a minute, oldest first.
    const votes: [string, string, boolean, string | null][] = [
      [a.id, 'visitor:1', false, 'Step 3 does not match my screen'], [a.id, 'visitor:2', true, 'Thanks!'], [a.id, 'visitor:3', false, null],
      [b.id, 'visitor:1', false, '没有说明 P200 型号'], [a.id, 'visitor:4', false, 'Where is the rear door?'],
    ];
    t.clock.set('2026-12-01T08:00:00Z');
    for (const [articleId, visitor, helpful, comment] of votes) {
      t.clock.advance(60_000);
      await t.services.kb.vote(t.workspace.id, articleId, visitor, helpful, comment);
    }

    const first = (await api(editor, 'GET', '/kb/feedback?limit=2')).json();
    expect(first.comments.map((c: { comment: string }) => c.comment)).toEqual(['Where is the rear door?', '没有说明 P200 型号']);
    expect(first.comments[1].article).toEqual({ id: b.id, title: 'Another one', locale: 'en', slug: 'commented-too' });
    const second = (await api(admin, 'GET', `/kb/feedback?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.comments.map((c: { comment: string }) => c.comment)).toEqual(['Step 3 does not match my screen']);
    expect(second.nextCursor).toBeNull();
    const ofA = (await api(editor, 'GET', `/kb/feedback?articleId=${a.id}`)).json();
    expect(ofA.comments.map((c: { comment: string }) => c.comment)).toEqual(['Where is the rear door?', 'Step 3 does not match my screen']);
  });

  it('keeps them from agents and outsiders, and refuses bad queries', async () => {
    expect((await api(agent, 'GET', '/kb/feedback')).json().error.code).toBe('FORBIDDEN');
    for (const who of [anonymous, customer]) expect((await api(who, 'GET', '/kb/feedback')).statusCode).toBe(401);
    expect((await api(editor, 'GET', `/kb/feedback?articleId=${crypto.randomUUID()}`)).json().error.code).toBe('KB_ARTICLE_NOT_FOUND');
    for (const query of ['cursor=nonsense', 'limit=0', 'limit=101', 'articleId=x', 'sort=oldest']) {
      const res = await api(editor, 'GET', `/kb/feedback?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBe('VALIDATION_FAILED');
    }
  });
});

describe('categories over HTTP', () => {
  it('creates a tree, refuses cycles and non-empty deletes', async () => {
    const root = (await api(editor, 'POST', '/kb/categories', { slug: 'printers', names: { en: 'Printers' } })).json();
    const child = (await api(editor, 'POST', '/kb/categories', { slug: 'p200', names: { en: 'P200' }, parentId: root.id })).json();
    expect((await api(editor, 'PATCH', `/kb/categories/${root.id}`, { parentId: child.id })).json().error.code).toBe('KB_CATEGORY_CYCLE');
    expect((await api(editor, 'DELETE', `/kb/categories/${root.id}`)).json().error.code).toBe('KB_CATEGORY_NOT_EMPTY');
    expect((await api(editor, 'POST', '/kb/categories', { slug: 'printers', names: { en: 'Again' } })).json().error.code).toBe('KB_CATEGORY_SLUG_TAKEN');
    expect((await api(editor, 'POST', '/kb/categories', { slug: 'nameless', names: {} })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await api(editor, 'DELETE', `/kb/categories/${child.id}`)).statusCode).toBe(204);
    expect((await api(agent, 'GET', `/kb/categories/${root.id}`)).json()).toMatchObject({ slug: 'printers', names: { en: 'Printers' } });
  });
});
