import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCheckouts } from '../../../../test/helpers/pool-checkouts.js';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const system = { type: 'system' as const, id: null };
let agents = 0;
async function newAgent(role: 'agent' | 'admin' = 'agent') {
  const email = `token-owner-${++agents}@acme.example`;
  return t.services.accounts.createAgent(t.workspace.id, { email, name: `Owner ${agents}`, role, password: 'a-long-password' }, system);
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
const mint = async (token: string, payload: object) => call(token, 'POST', '/api-tokens', { name: 'minted', ...payload });
/** A token made by the product itself (no scopes asked: everything its owner may do). */
const tokenOf = async (agentId: string) => (await t.services.accounts.createApiToken(t.workspace.id, agentId, 'seeded', system)).token;

describe('API token scopes (issue 12 #7)', () => {
  it('lets a read-only token read and refuses it every write', async () => {
    const admin = await tokenOf(t.workspace.admin.id);
    const created = await mint(admin, {});
    expect(created.json().scopes).toEqual(['read']);
    const readOnly = created.json().token as string;
    expect((await call(readOnly, 'GET', '/agents')).statusCode).toBe(200);
    const write = await call(readOnly, 'POST', '/api-tokens', { name: 'escalate', scopes: ['read'] });
    expect(write.statusCode).toBe(403);
    expect(write.json().error).toMatchObject({ code: 'API_TOKEN_SCOPE_MISSING', details: { scope: 'write' } });
  });

  it('needs the admin scope for admin-only routes, which only an admin can hold', async () => {
    const admin = await tokenOf(t.workspace.admin.id);
    const readWrite = (await mint(admin, { scopes: ['read', 'write'] })).json().token as string;
    const refused = await call(readWrite, 'GET', '/audit-log');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('API_TOKEN_SCOPE_MISSING');
    expect((await call(readWrite, 'POST', '/agents', { email: 'x@acme.example', name: 'X', role: 'agent', password: 'a-long-password' })).statusCode).toBe(403);
    const adminScoped = (await mint(admin, { scopes: ['read', 'admin'] })).json().token as string;
    expect((await call(adminScoped, 'GET', '/audit-log')).statusCode).toBe(200);

    const agent = await tokenOf((await newAgent()).id);
    const grab = await mint(agent, { scopes: ['read', 'write', 'admin'] });
    expect(grab.statusCode).toBe(403);
    expect(grab.json().error.code).toBe('API_TOKEN_SCOPE_NOT_ALLOWED');
  });

  it('stops accepting a token once it has expired, and refuses an expiry in the past', async () => {
    const owner = await newAgent();
    const created = await t.services.accounts.createApiToken(t.workspace.id, owner.id, 'short-lived', system, { expiresAt: new Date(Date.now() + 3600_000) });
    await t.database.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', created.id).execute();
    expect((await call(created.token, 'GET', '/agents')).statusCode).toBe(401);
    const past = await mint(await tokenOf(owner.id), { scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.json().error.code).toBe('API_TOKEN_EXPIRY_INVALID');
  });
});

describe('tokens minted with a token (issue 12 #7)', () => {
  it('cannot exceed or outlive their parent, inherit its expiry, and die with it', async () => {
    const admin = await tokenOf(t.workspace.admin.id);
    const parentExpiry = new Date(Date.now() + 24 * 3600_000);
    const parent = (await mint(admin, { scopes: ['read', 'write'], expiresAt: parentExpiry.toISOString() })).json();

    const wider = await mint(parent.token, { scopes: ['read', 'write', 'admin'] });
    expect(wider.statusCode).toBe(403);
    expect(wider.json().error).toMatchObject({ code: 'API_TOKEN_SCOPE_MISSING', details: { scope: 'admin' } });
    const longer = await mint(parent.token, { scopes: ['read'], expiresAt: new Date(parentExpiry.getTime() + 1000).toISOString() });
    expect(longer.json().error.code).toBe('API_TOKEN_OUTLIVES_PARENT');

    const child = (await mint(parent.token, { scopes: ['read'] })).json();
    expect(child).toMatchObject({ scopes: ['read'], parentId: parent.id, expiresAt: parentExpiry.toISOString() });
    const grandchild = (await mint(parent.token, { scopes: ['read', 'write'] })).json();
    const greatGrandchild = (await mint(grandchild.token, { scopes: ['read'] })).json();
    expect((await call(greatGrandchild.token, 'GET', '/agents')).statusCode).toBe(200);

    expect((await call(admin, 'DELETE', `/api-tokens/${parent.id}`)).statusCode).toBe(204);
    for (const token of [parent.token, child.token, grandchild.token, greatGrandchild.token]) {
      expect((await call(token, 'GET', '/agents')).statusCode).toBe(401);
    }
  });
});

describe('tokens end with their owner\'s access (issue 12 #7)', () => {
  it('dies when its owner\'s password is reset', async () => {
    const owner = await newAgent();
    const token = await tokenOf(owner.id);
    expect((await call(token, 'GET', '/agents')).statusCode).toBe(200);
    await t.services.accounts.requestPasswordReset(t.workspace.id, 'agent', owner.email, 'en');
    await t.jobs.drain();
    const mail = await t.database.db.selectFrom('mail_outbox').select('text_body').where('to_address', '=', owner.email).executeTakeFirstOrThrow();
    const resetToken = /token=([\w-]+)/.exec(await t.services.mailSecrets.render(mail.text_body))![1]!;
    await t.services.accounts.resetPassword(t.workspace.id, 'agent', resetToken, 'a-new-long-password');
    expect((await call(token, 'GET', '/agents')).statusCode).toBe(401);
  });

  it('dies when its owner is disabled, and stays dead when they are enabled again', async () => {
    const owner = await newAgent();
    const token = await tokenOf(owner.id);
    expect((await call(token, 'GET', '/agents')).statusCode).toBe(200);
    await t.services.accounts.updateAgent(t.workspace.id, owner.id, { disabled: true }, system);
    expect((await call(token, 'GET', '/agents')).statusCode).toBe(401);
    await t.services.accounts.updateAgent(t.workspace.id, owner.id, { disabled: false }, system);
    expect((await call(token, 'GET', '/agents')).statusCode).toBe(401);
  });

  it('loses admin powers at once when its owner stops being an admin', async () => {
    const owner = await newAgent('admin');
    const token = await tokenOf(owner.id);
    expect((await call(token, 'GET', '/audit-log')).statusCode).toBe(200);
    await t.services.accounts.updateAgent(t.workspace.id, owner.id, { role: 'agent' }, system);
    expect((await call(token, 'GET', '/audit-log')).statusCode).toBe(403);
  });
});

describe('admins oversee every agent\'s tokens (issue 12 #7)', () => {
  it('lists and revokes another agent\'s tokens; an agent sees and revokes only their own', async () => {
    const owner = await newAgent();
    const theirs = await t.services.accounts.createApiToken(t.workspace.id, owner.id, 'laptop', system);
    const agentToken = await tokenOf((await newAgent()).id);
    const admin = await tokenOf(t.workspace.admin.id);

    expect((await call(agentToken, 'GET', `/api-tokens?agentId=${owner.id}`)).statusCode).toBe(403);
    expect((await call(agentToken, 'DELETE', `/api-tokens/${theirs.id}`)).statusCode).toBe(404);
    const listed = await call(admin, 'GET', `/api-tokens?agentId=${owner.id}`);
    expect(listed.json().tokens).toEqual([expect.objectContaining({ id: theirs.id, name: 'laptop', agentId: owner.id, scopes: ['read', 'write'] })]);
    const all = (await call(admin, 'GET', '/api-tokens?agentId=all')).json().tokens as { agentId: string }[];
    expect(new Set(all.map((x) => x.agentId))).toContain(owner.id);

    expect((await call(admin, 'DELETE', `/api-tokens/${theirs.id}`)).statusCode).toBe(204);
    expect((await call(theirs.token, 'GET', '/agents')).statusCode).toBe(401);
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'actor_type']).where('target_id', '=', theirs.id).execute();
    expect(audit).toContainEqual({ action: 'api_token.revoked', actor_type: 'api' });
  });
});

describe('cached principals (issue 15 #6)', () => {
  it('costs an authenticated read one database round trip once the token is known', async () => {
    const token = await tokenOf((await newAgent()).id);
    expect((await call(token, 'GET', '/agents')).statusCode).toBe(200);
    const { result, checkouts } = await countCheckouts(t.database.pool, () => call(token, 'GET', '/agents'));
    expect(result.statusCode).toBe(200);
    expect(checkouts).toBe(1);
  });

  it('refuses a revoked token at once on the node that revoked it', async () => {
    const owner = await newAgent();
    const created = await t.services.accounts.createApiToken(t.workspace.id, owner.id, 'cached', system);
    expect((await call(created.token, 'GET', '/agents')).statusCode).toBe(200);
    await t.services.accounts.revokeApiToken(t.workspace.id, owner.id, created.id, system);
    expect((await call(created.token, 'GET', '/agents')).statusCode).toBe(401);
  });

  it('drops a cached token when another node announces access.changed', async () => {
    const owner = await newAgent();
    const created = await t.services.accounts.createApiToken(t.workspace.id, owner.id, 'elsewhere', system);
    expect((await call(created.token, 'GET', '/agents')).statusCode).toBe(200);
    // Another node revoked it: the row changed under this node's cache, and the bus brings the news.
    await t.database.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', created.id).execute();
    expect((await call(created.token, 'GET', '/agents')).statusCode).toBe(200);
    await t.bus.publish('access.changed', t.workspace.id, { principal: 'agent', id: owner.id });
    await t.jobs.drain(); // this node's listener has heard it (on the outbox, from the node's tail of the log)
    expect((await call(created.token, 'GET', '/agents')).statusCode).toBe(401);
  });

  it('signs a session out at once, however recently it was used', async () => {
    const owner = await newAgent();
    const login = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: owner.email, password: 'a-long-password' } });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': login.json().csrfToken } });
    expect((await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });
});
