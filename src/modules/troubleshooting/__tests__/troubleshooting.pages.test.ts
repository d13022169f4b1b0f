import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { seedTroubleshootingDemo } from '../troubleshooting.demo.js';
import { smallTree } from './tree-fixtures.js';

let t: TestApp;
const SYSTEM = { type: 'system' as const, id: null };
const LIVE_ARTICLE = '00000000-0000-4000-8000-000000000001';
const DELETED_ARTICLE = '00000000-0000-4000-8000-000000000002';

type Jar = Record<string, string>;
const cookieHeader = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');

/** A browser without JavaScript: follows the links the page offers, keeps its cookies. */
async function get(url: string, jar: Jar = {}, lang = 'en') {
  const res = await t.app.http.inject({ url, headers: { cookie: cookieHeader(jar), 'accept-language': lang, accept: 'text/html' } });
  for (const c of res.cookies) jar[c.name] = c.value;
  return res;
}
const unescape = (s: string) => s.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
const hrefOf = (body: string, text: string) => {
  const match = new RegExp(`<a [^>]*href="([^"]+)"[^>]*>[^<]*${text}`).exec(body);
  if (!match) throw new Error(`no link "${text}" in ${body}`);
  return unescape(match[1]!);
};

beforeAll(async () => {
  t = await createTestApp();
  // The knowledge base, as the tree sees it: one live article; the other was deleted.
  t.services.troubleshooting.useArticles({
    links: async (_ws, ids) => new Map(ids.filter((id) => id === LIVE_ARTICLE).map((id) => [id, { title: 'Clearing jams', url: '/help/articles/clearing-jams' }])),
  });
  const input = smallTree({ slug: 'no-print' });
  input.nodes[2] = { ...input.nodes[2]!, articleId: LIVE_ARTICLE, body: 'Pull **slowly**.<script>alert("x")</script><img src=x onerror=alert(1)> [bad](javascript:alert(1))' };
  input.nodes[3] = { ...input.nodes[3]!, articleId: DELETED_ARTICLE };
  input.nodes[1] = { ...input.nodes[1]!, title: 'Is paper stuck? <b onmouseover=alert(1)>' };
  const tree = await t.services.troubleshooting.create(t.workspace.id, input, SYSTEM);
  await t.services.troubleshooting.publish(t.workspace.id, tree.id, SYSTEM);
  await t.services.troubleshooting.create(t.workspace.id, smallTree({ slug: 'unpublished-draft', title: 'Secret draft' }), SYSTEM);
  await seedTroubleshootingDemo(t.services.troubleshooting, t.workspace.id, SYSTEM);
});
afterAll(async () => { await t.close(); });

describe('troubleshooting on the portal', () => {
  it('lists the published guides of the visitor\'s language only', async () => {
    const en = await get('/help/troubleshoot');
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('Printer does not print');
    expect(en.body).not.toContain('Secret draft');
    expect(en.body).not.toContain('打印机不打印');
    const zh = await get('/help/troubleshoot', {}, 'zh-CN');
    expect(zh.body).toContain('打印机不打印');
    expect(zh.body).toContain('故障排查向导');
  });

  it('walks a tree by links carried in the URL, steps back, and renders node text safely', async () => {
    const start = await get('/help/troubleshoot/no-print');
    expect(start.body).toContain('Is the power light on?');
    expect(start.body).not.toContain('class="back"');
    const second = await get(hrefOf(start.body, 'Yes'));
    expect(second.body).toContain('Is paper stuck? &lt;b onmouseover=alert(1)&gt;');
    expect(second.body).toMatch(/<a class="back" href="\/help\/troubleshoot\/no-print">/);
    const solved = await get(hrefOf(second.body, 'Yes'));
    expect(solved.statusCode).toBe(200);
    expect(solved.body).toContain('<strong>slowly</strong>');
    expect(solved.body).not.toMatch(/<script>alert|<img|href="javascript/);
    expect(solved.body).toContain('&lt;script&gt;');
    expect(solved.body).toContain('<a class="article-link" href="/help/articles/clearing-jams">');
    // Back once: the previous question again, from a plain link.
    const back = await get(hrefOf(solved.body, '← Back'));
    expect(back.body).toContain('Is paper stuck?');

    const deleted = await get('/help/troubleshoot/no-print?path=on.no');
    expect(deleted.statusCode).toBe(200);
    expect(deleted.body).toContain('Reinstall the driver');
    expect(deleted.body).toContain('no longer available');
    expect(deleted.body).not.toContain('article-link');
  });

  it('never fails on a stale, mangled or unknown address', async () => {
    const stale = await get('/help/troubleshoot/no-print?path=on.gone');
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toContain('has changed since this link was made');
    expect(stale.body).toContain('Is paper stuck?');
    for (const path of ['%3Cscript%3E', 'a'.repeat(3000), '..', 'on..yes', "on';--"]) {
      const res = await get(`/help/troubleshoot/no-print?path=${path}`);
      expect(res.statusCode, path).toBe(200);
      expect(res.body).toContain('Is the power light on?');
    }
    for (const slug of ['unpublished-draft', 'nothing-here', 'Bad%20Slug', '%3Cscript%3E']) {
      const missing = await get(`/help/troubleshoot/${slug}`, {}, 'zh-CN');
      expect(missing.statusCode, slug).toBe(404);
      expect(missing.body).toContain('此故障排查向导不存在或已下线。');
      expect(missing.body).not.toContain('<script>');
    }
    const notRepair = await get('/help/troubleshoot/no-print/repair?path=on');
    expect([notRepair.statusCode, notRepair.headers.location]).toEqual([303, '/help/troubleshoot/no-print?path=on']);
  });

  it('turns "open a repair request" into a pre-filled contact form whose ticket keeps the steps', async () => {
    const jar: Jar = {};
    const repairStep = await get('/help/troubleshoot/no-print?path=off', jar);
    expect(repairStep.body).toContain('We need to look at it');
    const redirect = await get(hrefOf(repairStep.body, 'Open a repair request'), jar);
    expect(redirect.statusCode).toBe(303);
    const location = new URL(redirect.headers.location as string, 'http://localhost');
    expect(location.pathname).toBe('/contact');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      product: 'P200 inkjet', subject: 'Printer does not print: repair request', path: 'Is the power light on? — No\nWe need to look at it',
    });

    const form = await get(redirect.headers.location as string, jar);
    expect(form.body).toContain('<span class="product">P200 inkjet</span>');
    expect(form.body).toContain('<li>Is the power light on? — No</li>');
    expect(form.body).toContain('value="Printer does not print: repair request"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;

    const fields = new FormData();
    for (const [name, value] of Object.entries({
      _csrf: csrf, name: 'Wei Zhang', email: 'wei@example.com', department: (await t.services.tickets.departments(t.workspace.id))[0]!.key, subject: 'Printer does not print: repair request',
      product: 'P200 inkjet', path: 'Is the power light on? — No\nWe need to look at it', message: 'It is dead.',
    })) fields.append(name, value);
    const encoded = new Response(fields);
    const sent = await t.app.http.inject({
      method: 'POST', url: '/contact', payload: Buffer.from(await encoded.arrayBuffer()),
      headers: { cookie: cookieHeader(jar), 'content-type': encoded.headers.get('content-type')!, accept: 'text/html' },
    });
    expect(sent.statusCode, sent.body).toBe(303);
    // The anonymous sender's number travels in a signed cookie to the "sent" page.
    const sentCookie = sent.cookies.find((c) => c.name === 'kefu_contact_sent')!;
    const number = JSON.parse(t.app.http.unsignCookie(sentCookie.value).value!).n as number;
    const ticket = await t.services.tickets.ticketByNumber(t.workspace.id, number);
    expect(ticket.custom_fields).toEqual({ product: 'P200 inkjet', troubleshootingPath: 'Is the power light on? — No\nWe need to look at it' });
    const [message] = await t.services.tickets.thread(t.workspace.id, ticket.id, { includeNotes: false });
    expect(message!.body_text).toBe('It is dead.\n\nTroubleshooting steps already tried:\nIs the power light on? — No\nWe need to look at it');
  });

  it('counts the walk per node', async () => {
    const tree = (await t.services.troubleshooting.list(t.workspace.id, { locale: 'en' })).find((x) => x.slug === 'no-print')!;
    const stats = Object.fromEntries((await t.services.troubleshooting.stats(t.workspace.id, tree.id)).map((s) => [s.nodeId, s]));
    expect(stats.repair!.repairs).toBe(1);
    expect(stats.clear!.solutions).toBe(1);
    expect(stats.power!.visits).toBeGreaterThan(1);
  });
});
