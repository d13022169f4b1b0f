import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

type Jar = Record<string, string>;
const header = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
const keep = (jar: Jar, res: { cookies: { name: string; value: string }[] }) => { for (const c of res.cookies) jar[c.name] = c.value; };
const csrfFrom = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function formPage(url: string, jar: Jar = {}) {
  const res = await t.app.http.inject({ url, headers: { cookie: header(jar), 'accept-language': 'en' } });
  keep(jar, res);
  return { res, jar, csrf: csrfFrom(res.body) };
}

function post(url: string, jar: Jar, fields: Record<string, string>) {
  return t.app.http.inject({
    method: 'POST', url, payload: new URLSearchParams(fields).toString(),
    headers: { cookie: header(jar), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
  });
}

describe('portal pages', () => {
  it('serves the help centre home in the visitor\'s language, as plain HTML', async () => {
    const zh = await t.app.http.inject({ url: '/', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(zh.statusCode).toBe(200);
    expect(zh.headers['content-type']).toContain('text/html');
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain('有什么可以帮您？');
    const en = await t.app.http.inject({ url: '/', headers: { 'accept-language': 'en-US' } });
    expect(en.body).toContain('How can we help?');
    // Works without JavaScript: search is a plain GET form; scripts only enhance, loaded deferred or async.
    expect(en.body).toContain('<form class="search" method="get" action="/search" role="search">');
    for (const tag of en.body.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/ src="[^"]+"[^>]* (defer|async)/);
  });

  it('switches language with a cookie and only redirects within the site', async () => {
    const res = await t.app.http.inject({ url: '/language?set=zh-CN&next=/account/sign-in' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/sign-in');
    const page = await t.app.http.inject({ url: '/account/sign-in', headers: { cookie: 'kefu_lang=zh-CN', 'accept-language': 'en' } });
    expect(page.body).toContain('登录您的账号');
    const offsite = await t.app.http.inject({ url: '/language?set=en&next=//evil.example/' });
    expect(offsite.headers.location).toBe('/');
    const badLocale = await t.app.http.inject({ url: '/language?set=fr' });
    expect(badLocale.statusCode).toBe(400);
  });

  it('registers a customer, who signs in and sees their name rendered inert', async () => {
    const { jar, csrf } = await formPage('/account/register');
    const res = await post('/account/register', jar, { _csrf: csrf, name: '<img src=x onerror=alert(1)>', email: 'New@Customer.example', password: 'a-long-password' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('We have sent an e-mail to that address');
    const signedIn = await post('/account/sign-in', jar, { _csrf: csrf, email: 'new@customer.example', password: 'a-long-password' });
    expect(signedIn.headers.location).toBe('/requests');
    keep(jar, signedIn);
    const requests = await t.app.http.inject({ url: '/requests', headers: { cookie: header(jar), 'accept-language': 'en' } });
    expect(requests.statusCode).toBe(200);
    expect(requests.body).toContain('Welcome, &lt;img src=x onerror=alert(1)&gt;');
    expect(requests.body).not.toContain('<img src=x');
  });

  it('refuses a form post without the CSRF token, and changes nothing', async () => {
    const { jar } = await formPage('/account/register');
    const res = await post('/account/register', jar, { name: 'Mallory', email: 'mallory@example.com', password: 'a-long-password' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Your form expired');
    const rows = await t.database.db.selectFrom('customers').select('id').where('email', '=', 'mallory@example.com').execute();
    expect(rows).toEqual([]);
  });

  it('shows form errors on the page: bad e-mail, short password, wrong password', async () => {
    const { jar, csrf } = await formPage('/account/register');
    const bad = await post('/account/register', jar, { _csrf: csrf, name: 'X', email: 'not-an-email', password: 'a-long-password' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Some fields are not valid.');
    // The field that failed says its rule, and what was typed stays (but never the password).
    expect(bad.body).toMatch(/<input id="email" name="email" type="email" autocomplete="email" value="not-an-email" required aria-invalid="true" aria-describedby="email-error">/);
    expect(bad.body).toContain('<p class="field-error" id="email-error">Please enter a valid e-mail address.</p>');
    expect(bad.body).toMatch(/<input id="name" name="name" type="text" autocomplete="name" value="X" required>/);
    expect(bad.body).not.toContain('a-long-password');
    const short = await post('/account/register', jar, { _csrf: csrf, name: '<b>X</b>', email: 'x@example.com', password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('<p class="field-error" id="password-error">Please choose a password of at least 10 characters.</p>');
    expect(short.body).toContain('value="x@example.com"');
    expect(short.body).toContain('value="&lt;b&gt;X&lt;/b&gt;"');
    expect(short.body).not.toContain('id="email-error"');
    expect(short.body).not.toContain('value="short"');
    const zh = await t.app.http.inject({
      method: 'POST', url: '/account/register', payload: new URLSearchParams({ _csrf: csrf, name: '王', email: 'wang@example.com', password: 'short' }).toString(),
      headers: { cookie: `${header(jar)}; kefu_lang=zh-CN`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(zh.body).toContain('请设置至少 10 个字符的密码。');
    expect(zh.body).toContain('value="王"');
    expect(await t.database.db.selectFrom('customers').select('id').where('email', 'in', ['x@example.com', 'wang@example.com']).execute()).toEqual([]);
    await post('/account/register', jar, { _csrf: csrf, name: 'Taken', email: 'taken@example.com', password: 'a-long-password' });
    const wrong = await post('/account/sign-in', jar, { _csrf: csrf, email: 'taken@example.com', password: 'wrong-password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('The e-mail or password is not correct.');
  });

  it('sends anonymous visitors of "my requests" to sign in', async () => {
    const res = await t.app.http.inject({ url: '/requests' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/sign-in');
  });

  it('resets a customer password through the e-mailed link', async () => {
    const { jar, csrf } = await formPage('/account/register');
    await post('/account/register', jar, { _csrf: csrf, name: 'Forgetful', email: 'forgetful@example.com', password: 'first-password' });
    const asked = await post('/account/forgot-password', jar, { _csrf: csrf, email: 'forgetful@example.com' });
    expect(asked.body).toContain('If an account exists');
    await t.jobs.drain();
    const mail = await t.database.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'forgetful@example.com').where('template', '=', 'passwordReset').executeTakeFirstOrThrow();
    const link = /http:\/\/localhost:3000(\/account\/reset-password\?token=[\w-]+)/.exec(await t.services.mailSecrets.render(mail.text_body))?.[1];
    expect(link).toBeTruthy();
    const form = await formPage(link!, jar);
    const token = /name="token" value="([^"]+)"/.exec(form.res.body)?.[1] ?? '';
    const done = await post('/account/reset-password', jar, { _csrf: form.csrf, token, password: 'second-password' });
    expect(done.body).toContain('Your password has been changed.');
    const signIn = await post('/account/sign-in', jar, { _csrf: form.csrf, email: 'forgetful@example.com', password: 'second-password' });
    expect(signIn.statusCode).toBe(303);
  });

  it('answers unknown paths with a JSON 404 and health checks with ok/ready', async () => {
    const missing = await t.app.http.inject({ url: '/no/such/page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    const page = await t.app.http.inject({ url: '/no/such/page', headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('页面不存在。');
    expect((await t.app.http.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.http.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });

  it('publishes an OpenAPI 3 document with the API routes and a viewer at /docs', async () => {
    const doc = (await t.app.http.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/agents/{id}', '/api/v1/audit-log']));
    expect(Object.keys(doc.paths).some((p: string) => p.startsWith('/account'))).toBe(false);
    const docs = await t.app.http.inject({ url: '/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});
