import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countCheckouts } from '../../../../test/helpers/pool-checkouts.js';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

type Jar = Record<string, string>;
const header = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
const keep = (jar: Jar, res: { cookies: { name: string; value: string }[] }) => { for (const c of res.cookies) jar[c.name] = c.value; };

async function portalForm(url: string) {
  const jar: Jar = {};
  const res = await t.app.http.inject({ url, headers: { 'accept-language': 'en' } });
  keep(jar, res);
  return { jar, csrf: /name="_csrf" value="([^"]+)"/.exec(res.body)![1]! };
}
const postForm = (url: string, jar: Jar, fields: Record<string, string>) => t.app.http.inject({
  method: 'POST', url, payload: new URLSearchParams(fields).toString(),
  headers: { cookie: header(jar), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
});

/**
 * What a request shows and does on the request path: its answer, the cookies it sets, the database
 * round trips it makes and the jobs it queues (held, so their work is not counted). No clocks:
 * timing follows from doing the same work.
 */
async function observe(send: () => Promise<{ statusCode: number; body: string; cookies: { name: string }[] }>) {
  const jobs = vi.spyOn(t.jobs, 'send').mockResolvedValue('held');
  try {
    const { result: res, checkouts: queries } = await countCheckouts(t.database.pool, send);
    return { status: res.statusCode, body: res.body, cookies: res.cookies.map((c) => c.name).sort(), queries, jobs: jobs.mock.calls.map(([name, data]) => [name, Object.keys(data).sort()]) };
  } finally {
    jobs.mockRestore();
  }
}

const mailsTo = (to: string) => t.database.db.selectFrom('mail_outbox').select(['template', 'text_body']).where('to_address', '=', to).execute();

describe('password reset does the same for known and unknown accounts (issue 12 #9)', () => {
  it('answers an agent reset request alike and defers the lookup to a job', async () => {
    const reset = (email: string) => observe(() => t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } }));
    const known = await reset(t.workspace.admin.email);
    const unknown = await reset('nobody-here@acme.example');
    expect(known).toEqual(unknown);
    expect(known.jobs).toHaveLength(1);

    // The job decides: the known agent gets a link, nobody else gets anything.
    await t.services.accounts.requestPasswordReset(t.workspace.id, 'agent', t.workspace.admin.email, 'en');
    await t.services.accounts.requestPasswordReset(t.workspace.id, 'agent', 'nobody-here@acme.example', 'en');
    await t.jobs.drain();
    expect(await mailsTo(t.workspace.admin.email)).toEqual([expect.objectContaining({ template: 'passwordReset' })]);
    expect(await mailsTo('nobody-here@acme.example')).toEqual([]);
  });

  it('answers a portal reset request alike', async () => {
    await t.services.accounts.registerCustomer(t.workspace.id, { email: 'has-account@example.com', name: 'Has', password: 'a-long-password', locale: 'en' });
    const { jar, csrf } = await portalForm('/account/forgot-password');
    const reset = (email: string) => observe(() => postForm('/account/forgot-password', jar, { _csrf: csrf, email }));
    expect(await reset('has-account@example.com')).toEqual(await reset('no-account@example.com'));
  });
});

describe('registration does not reveal who wrote to support (issue 12 #9)', () => {
  it('shows the same page for a new address and one that only wrote in, and mails each', async () => {
    await t.services.accounts.findOrCreateCustomer(t.workspace.id, { email: 'wrote-in@example.com', name: 'Wrote In' });
    const { jar, csrf } = await portalForm('/account/register');
    const register = (email: string) => postForm('/account/register', jar, { _csrf: csrf, name: 'Someone', email, password: 'a-long-password' });
    const existing = await register('wrote-in@example.com');
    const fresh = await register('brand-new@example.com');
    expect(existing.statusCode).toBe(200);
    expect(existing.body).toBe(fresh.body);
    expect(existing.cookies.map((c) => c.name)).toEqual(fresh.cookies.map((c) => c.name));

    await t.jobs.drain();
    expect(await mailsTo('brand-new@example.com')).toEqual([expect.objectContaining({ template: 'accountCreated' })]);
    // The person who wrote in is told, and offered a link to choose a password; the form set none.
    expect(await mailsTo('wrote-in@example.com')).toEqual([expect.objectContaining({ template: 'accountExists' })]);
    const [text] = (await mailsTo('wrote-in@example.com')).map((m) => m.text_body);
    const token = /token=([\w-]+)/.exec(await t.services.mailSecrets.render(text!))![1]!;
    const held = await t.database.db.selectFrom('customers').select('password_hash').where('email', '=', 'wrote-in@example.com').executeTakeFirstOrThrow();
    expect(held.password_hash).toBeNull();
    await t.services.accounts.resetPassword(t.workspace.id, 'customer', token, 'chosen-by-the-owner');
    const signIn = await postForm('/account/sign-in', jar, { _csrf: csrf, email: 'wrote-in@example.com', password: 'chosen-by-the-owner' });
    expect(signIn.headers.location).toBe('/requests');
  });
});

describe('sign-in rotates the CSRF token (issue 12 #16)', () => {
  it('gives an agent a new token at login, so one known before no longer works', async () => {
    const before = await t.app.http.inject({ url: '/api/v1/auth/me' });
    const planted = before.cookies.find((c) => c.name === 'kefu_csrf')!.value;
    const login = await t.app.http.inject({
      method: 'POST', url: '/api/v1/auth/login', headers: { cookie: `kefu_csrf=${planted}` },
      payload: { email: t.workspace.admin.email, password: t.workspace.admin.password },
    });
    const jar: Jar = { kefu_csrf: planted };
    keep(jar, login);
    expect(jar.kefu_csrf).not.toBe(planted);
    expect(login.json().csrfToken).toBe(jar.kefu_csrf!.replace(/\..*$/, ''));
    const stale = await t.app.http.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie: header(jar), 'x-csrf-token': planted }, payload: { locale: 'en' } });
    expect(stale.statusCode).toBe(403);
    const fresh = await t.app.http.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie: header(jar), 'x-csrf-token': login.json().csrfToken }, payload: { locale: 'en' } });
    expect(fresh.statusCode).toBe(200);
  });

  it('gives a customer a new token at portal sign-in', async () => {
    await t.services.accounts.registerCustomer(t.workspace.id, { email: 'rotating@example.com', name: 'Rot', password: 'a-long-password', locale: 'en' });
    const { jar, csrf } = await portalForm('/account/sign-in');
    const planted = jar.kefu_csrf;
    const signIn = await postForm('/account/sign-in', jar, { _csrf: csrf, email: 'rotating@example.com', password: 'a-long-password' });
    keep(jar, signIn);
    expect(jar.kefu_csrf).not.toBe(planted);
  });
});

describe('password resets are audited (issue 12 #16)', () => {
  it('records who reset a password, from where', async () => {
    const agent = await t.services.accounts.createAgent(t.workspace.id, { email: 'audited@acme.example', name: 'Audited', role: 'agent', password: 'a-long-password' }, { type: 'system', id: null });
    await t.services.accounts.requestPasswordReset(t.workspace.id, 'agent', agent.email, 'en');
    await t.jobs.drain();
    const [mail] = await mailsTo(agent.email);
    const token = /token=([\w-]+)/.exec(await t.services.mailSecrets.render(mail!.text_body))![1]!;
    const res = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password: 'a-new-long-password' } });
    expect(res.statusCode).toBe(204);
    const entries = await t.database.db.selectFrom('audit_log').select(['action', 'actor_type', 'actor_id', 'ip']).where('target_id', '=', agent.id).execute();
    expect(entries).toContainEqual({ action: 'password.reset', actor_type: 'agent', actor_id: agent.id, ip: '127.0.0.1' });
  });
});
