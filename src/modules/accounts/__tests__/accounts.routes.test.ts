import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

function cookieHeader(res: { cookies: { name: string; value: string }[] }, jar: Record<string, string> = {}) {
  for (const c of res.cookies) jar[c.name] = c.value;
  return jar;
}
const asHeader = (jar: Record<string, string>) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');

async function signIn(email = t.workspace.admin.email, password = t.workspace.admin.password) {
  const res = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  return { res, jar: cookieHeader(res), csrf: res.json().csrfToken as string };
}

describe('agent sign-in', () => {
  it('signs in with the right password and returns the agent, workspace and a CSRF token', async () => {
    const { res } = await signIn();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ agent: { email: t.workspace.admin.email, role: 'admin' }, workspace: { slug: 'acme' } });
    const session = res.cookies.find((c) => c.name === 'kefu_agent');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  });

  it('refuses a wrong password and an unknown e-mail with the same error', async () => {
    const wrong = await signIn(t.workspace.admin.email, 'not-the-password');
    const unknown = await signIn('nobody@acme.example', 'whatever-password');
    expect(wrong.res.statusCode).toBe(401);
    expect(wrong.res.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.res.json()).toEqual(wrong.res.json());
  });

  it('rejects malformed JSON, wrong types and unknown fields with VALIDATION or MALFORMED codes', async () => {
    const malformed = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('MALFORMED_JSON');
    const wrongType = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 42, password: true } });
    expect(wrongType.json().error.code).toBe('VALIDATION_FAILED');
    expect(wrongType.json().error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.email', 'body.password']));
    const unknownField = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@b.co', password: 'x', admin: true } });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('rejects an oversized body with BODY_TOO_LARGE and never a stack trace', async () => {
    const res = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BODY_TOO_LARGE');
    expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('returns /me for the session and 401 without one', async () => {
    const { jar } = await signIn();
    const me = await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie: asHeader(jar) } });
    expect(me.json().agent.email).toBe(t.workspace.admin.email);
    const anonymous = await t.app.http.inject({ url: '/api/v1/auth/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('needs the CSRF token for cookie-authenticated writes', async () => {
    const { jar, csrf } = await signIn();
    const without = await t.app.http.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie: asHeader(jar) }, payload: { locale: 'zh-CN' } });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.code).toBe('CSRF_INVALID');
    const forged = await t.app.http.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie: asHeader(jar), 'x-csrf-token': 'forged' }, payload: { locale: 'zh-CN' } });
    expect(forged.statusCode).toBe(403);
    const ok = await t.app.http.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: { cookie: asHeader(jar), 'x-csrf-token': csrf }, payload: { locale: 'zh-CN' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().agent.locale).toBe('zh-CN');
  });

  it('signs out: the session no longer works', async () => {
    const { jar, csrf } = await signIn();
    const out = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: asHeader(jar), 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    const me = await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie: asHeader(jar) } });
    expect(me.statusCode).toBe(401);
  });
});

describe('login rate limit', () => {
  it('answers 429 RATE_LIMITED after too many attempts for one address', async () => {
    const limited = await createTestApp({ KEFU_LOGIN_ATTEMPTS_PER_15_MIN: '3' });
    try {
      const attempt = () => limited.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: limited.workspace.admin.email, password: 'wrong-password' } });
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await attempt()).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
      const last = await attempt();
      expect(last.json().error.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

describe('API tokens', () => {
  it('authenticates API calls with a bearer token, without CSRF, until revoked', async () => {
    const { jar, csrf } = await signIn();
    const created = await t.app.http.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: { cookie: asHeader(jar), 'x-csrf-token': csrf }, payload: { name: 'ci', scopes: ['read', 'write'] } });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^kefu_/);
    const bearer = { authorization: `Bearer ${token}` };
    const agents = await t.app.http.inject({ url: '/api/v1/agents', headers: bearer });
    expect(agents.statusCode).toBe(200);
    const write = await t.app.http.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: bearer, payload: { name: 'second' } });
    expect(write.statusCode).toBe(201);
    const revoked = await t.app.http.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${id}`, headers: bearer });
    expect(revoked.statusCode).toBe(204);
    const after = await t.app.http.inject({ url: '/api/v1/agents', headers: bearer });
    expect(after.statusCode).toBe(401);
  });

  it('refuses a made-up token', async () => {
    const res = await t.app.http.inject({ url: '/api/v1/agents', headers: { authorization: 'Bearer kefu_madeup' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('admin actions', () => {
  it('lets an admin add an agent, audits it, and forbids agents from doing the same', async () => {
    const { jar, csrf } = await signIn();
    const headers = { cookie: asHeader(jar), 'x-csrf-token': csrf };
    const created = await t.app.http.inject({ method: 'POST', url: '/api/v1/agents', headers, payload: { email: 'Mei@Acme.example', name: 'Mei', role: 'agent', password: 'a-long-password' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().email).toBe('mei@acme.example');
    const duplicate = await t.app.http.inject({ method: 'POST', url: '/api/v1/agents', headers, payload: { email: 'mei@acme.example', name: 'Mei 2', role: 'agent', password: 'a-long-password' } });
    expect(duplicate.json().error.code).toBe('EMAIL_TAKEN');
    const badRole = await t.app.http.inject({ method: 'POST', url: '/api/v1/agents', headers, payload: { email: 'x@acme.example', name: 'X', role: 'owner', password: 'a-long-password' } });
    expect(badRole.json().error.code).toBe('VALIDATION_FAILED');

    const audit = await t.app.http.inject({ url: '/api/v1/audit-log', headers });
    expect(audit.json().entries[0]).toMatchObject({ action: 'agent.created', actorId: t.workspace.admin.id, targetId: created.json().id });

    const mei = await signIn('mei@acme.example', 'a-long-password');
    const asAgent = await t.app.http.inject({ method: 'POST', url: '/api/v1/agents', headers: { cookie: asHeader(mei.jar), 'x-csrf-token': mei.csrf }, payload: { email: 'y@acme.example', name: 'Y', role: 'admin', password: 'a-long-password' } });
    expect(asAgent.statusCode).toBe(403);
    const auditAsAgent = await t.app.http.inject({ url: '/api/v1/audit-log', headers: { cookie: asHeader(mei.jar) } });
    expect(auditAsAgent.statusCode).toBe(403);
  });

  it('keeps at least one active admin', async () => {
    const { jar, csrf } = await signIn();
    const res = await t.app.http.inject({ method: 'PATCH', url: `/api/v1/agents/${t.workspace.admin.id}`, headers: { cookie: asHeader(jar), 'x-csrf-token': csrf }, payload: { role: 'agent' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('LAST_ADMIN');
  });
});

describe('audit log filters', () => {
  it('narrows the log by who acted, the action and the time, and never shows another workspace\'s entries', async () => {
    const { jar } = await signIn();
    const log = async (query: Record<string, string>) => {
      const res = await t.app.http.inject({ url: `/api/v1/audit-log?${new URLSearchParams({ limit: '200', ...query })}`, headers: { cookie: asHeader(jar) } });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().entries as { action: string; actorType: string; actorId: string | null }[]).filter((e) => e.action.startsWith('filter.'));
    };
    const other = await t.addWorkspace('audit-filters');
    const admin = { type: 'agent' as const, id: t.workspace.admin.id };
    await t.services.accounts.audit(t.workspace.id, admin, 'filter.one', null, null, {});
    await t.services.accounts.audit(t.workspace.id, { type: 'system', id: null }, 'filter.two', null, null, {});
    await t.services.accounts.audit(other.id, { type: 'agent', id: other.admin.id }, 'filter.one', null, null, {});

    expect((await log({})).map((e) => e.action)).toEqual(['filter.two', 'filter.one']);
    expect(await log({ actorId: t.workspace.admin.id })).toMatchObject([{ action: 'filter.one', actorId: t.workspace.admin.id }]);
    expect(await log({ actorType: 'system' })).toMatchObject([{ action: 'filter.two', actorType: 'system' }]);
    expect(await log({ action: 'filter.one' })).toHaveLength(1);
    // Another workspace's agent and entries stay out, whatever the filter names.
    expect(await log({ actorId: other.admin.id })).toEqual([]);
    const hour = 3600_000;
    expect(await log({ from: new Date(Date.now() - hour).toISOString(), to: new Date(Date.now() + hour).toISOString() })).toHaveLength(2);
    expect(await log({ from: new Date(Date.now() + hour).toISOString() })).toEqual([]);
    expect(await log({ to: new Date(Date.now() - hour).toISOString() })).toEqual([]);
  });

  it('refuses a filter it cannot read, naming it', async () => {
    const { jar } = await signIn();
    const refused = async (query: string) => {
      const res = await t.app.http.inject({ url: `/api/v1/audit-log?${query}`, headers: { cookie: asHeader(jar) } });
      expect(res.statusCode).toBe(400);
      return res.json().error as { code: string; details: { path: string }[] };
    };
    expect(await refused('actorId=me')).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'querystring.actorId' }] });
    expect(await refused('actorType=customer')).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'querystring.actorType' }] });
    expect(await refused('from=yesterday')).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'querystring.from' }] });
    expect(await refused(`from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'querystring.to' }] });
    expect(await refused(`action=${'x'.repeat(101)}`)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'querystring.action' }] });
  });
});

describe('password reset', () => {
  it('writes a reset mail to the outbox whose link sets a new password once', async () => {
    const requested = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: t.workspace.admin.email } });
    expect(requested.statusCode).toBe(202);
    const unknown = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'ghost@acme.example' } });
    expect(unknown.statusCode).toBe(202);
    await t.jobs.drain();
    const mails = await t.database.db.selectFrom('mail_outbox').selectAll().execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to_address).toBe(t.workspace.admin.email);
    // The link as the recipient gets it: the stored mail holds only a reference to the token.
    const token = /token=([\w-]+)/.exec(await t.services.mailSecrets.render(mails[0]!.text_body))?.[1];
    expect(token).toBeTruthy();

    const short = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password: 'short' } });
    expect(short.json().error.code).toBe('VALIDATION_FAILED');
    const done = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password: 'a-brand-new-password' } });
    expect(done.statusCode).toBe(204);
    const again = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password: 'another-new-password' } });
    expect(again.json().error.code).toBe('RESET_TOKEN_INVALID');
    expect((await signIn(t.workspace.admin.email, 'a-brand-new-password')).res.statusCode).toBe(200);
    t.workspace.admin.password = 'a-brand-new-password';
  });
});

describe('stale sessions', () => {
  it('lets an agent whose session ended sign in again with the old cookie still in the browser', async () => {
    const { jar, csrf } = await signIn();
    await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: asHeader(jar), 'x-csrf-token': csrf } });
    const again = await t.app.http.inject({
      method: 'POST', url: '/api/v1/auth/login', headers: { cookie: asHeader(jar) },
      payload: { email: t.workspace.admin.email, password: t.workspace.admin.password },
    });
    expect(again.statusCode).toBe(200);
  });
});
