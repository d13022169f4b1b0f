import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

type Jar = Record<string, string>;
const header = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
const csrfFrom = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function formPage(url: string) {
  const jar: Jar = {};
  const res = await t.app.http.inject({ url, headers: { 'accept-language': 'en' } });
  for (const c of res.cookies) jar[c.name] = c.value;
  return { jar, csrf: csrfFrom(res.body) };
}

const counts = async () => ({
  customers: (await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
  tickets: (await t.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
});

describe('NUL bytes (issue 12 #10)', () => {
  it.each(['/help/articles/%00', '/help/categories/%00', '/api/v1/chat/widget/%00', '/help/articles/a%00b'])('answers %s with a 400, not a database error', async (url) => {
    const res = await t.app.http.inject({ url });
    expect(res.statusCode).toBe(400);
  });

  it('refuses a contact form with NUL in a field with 400, and writes no customer and burns no ticket number', async () => {
    const before = await counts();
    const { jar, csrf } = await formPage('/contact');
    const fields = { _csrf: csrf, name: 'Nul\u0000Name', email: 'nul-sender@example.com', department: 'service', subject: 'Broken\u0000subject', message: 'Hello' };
    const res = await t.app.http.inject({
      method: 'POST', url: '/contact', payload: new URLSearchParams(fields).toString(),
      headers: { cookie: header(jar), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
    });
    expect(res.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
    // The next good post gets the very next number.
    const highest = await t.database.db.selectFrom('tickets').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
    const ok = await t.app.http.inject({
      method: 'POST', url: '/contact', payload: new URLSearchParams({ ...fields, name: 'Fine', subject: 'Fine subject' }).toString(),
      headers: { cookie: header(jar), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
    });
    expect(ok.statusCode).toBe(303);
    const created = await t.database.db.selectFrom('tickets').select('number').orderBy('number', 'desc').executeTakeFirstOrThrow();
    expect(created.number).toBe(Number(highest?.n ?? 0) + 1);
  });

  it('refuses NUL in an API ticket subject with 400 VALIDATION-style code', async () => {
    const token = (await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'nul', { type: 'system', id: null })).token;
    const res = await t.app.http.inject({
      method: 'POST', url: '/api/v1/tickets', headers: { authorization: `Bearer ${token}` },
      payload: { subject: 'a\u0000b', body: 'x', customer: { email: 'api-nul@example.com', name: 'API' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INPUT_NUL_BYTE');
  });
});

describe('redirect targets (issue 12 #11)', () => {
  it.each(['%E2%80%AE', '%00', '%01', '%7F', '%E2%81%A6'])('sends /language?next=/x%s to a safe place, never a 500', async (bad) => {
    const res = await t.app.http.inject({ url: `/language?set=en&next=/help${bad}evil` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('keeps a local target with other non-ASCII characters, percent-encoded', async () => {
    const res = await t.app.http.inject({ url: `/language?set=zh-CN&next=${encodeURIComponent('/search?q=打印机')}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/search?q=${encodeURIComponent('打印机')}`);
  });
});
