/**
 * Agents join by invitation and look after their own password (issue 19, items 1 and 2): an admin
 * invites by e-mail, the invited person chooses a password through a one-time link and is signed
 * in; links refuse reuse, expiry, withdrawal and replacement, each with its own code; an agent
 * changes their password with the current one, ending their other sessions; "forgot password" is
 * throttled per address from any client and answers alike for unknown addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
// Three requests per address, six per client address, in 15 minutes; one proxy in front.
beforeAll(async () => { t = await createTestApp({ KEFU_LOGIN_ATTEMPTS_PER_15_MIN: '3', KEFU_LOGIN_ATTEMPTS_PER_IP_PER_15_MIN: '6', KEFU_TRUST_PROXY: '1' }); });
afterAll(async () => { await t.close(); });

let clients = 0;
/** A client address of its own per request series, so the per-client ceiling of one test does not reach the next. */
const nextClient = () => `203.0.113.${++clients}`;
type Jar = Record<string, string>;
const keep = (res: { cookies: { name: string; value: string }[] }, jar: Jar = {}) => {
  for (const c of res.cookies) jar[c.name] = c.value;
  return jar;
};
const asHeader = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');

async function adminSession() {
  const res = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.workspace.admin.email, password: t.workspace.admin.password }, headers: { 'x-forwarded-for': nextClient() } });
  expect(res.statusCode).toBe(200);
  const jar = keep(res);
  const csrf = res.json().csrfToken as string;
  return {
    jar,
    call: (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      t.app.http.inject({ method, url: `/api/v1${url}`, headers: { cookie: asHeader(jar), 'x-csrf-token': csrf }, ...(payload ? { payload } : {}) }),
  };
}

/** The link's token as the recipient's mail carries it (the stored mail holds only a reference). */
async function linkTokenMailedTo(email: string, template: string): Promise<string> {
  const mails = await t.database.db.selectFrom('mail_outbox').select(['text_body']).where('to_address', '=', email).where('template', '=', template)
    .orderBy('created_at', 'desc').execute();
  expect(mails.length).toBeGreaterThan(0);
  return /token=([\w-]+)/.exec(await t.services.mailSecrets.render(mails[0]!.text_body))![1]!;
}

const publicCall = (url: string, payload: object, jar: Jar = {}) =>
  t.app.http.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers: { 'x-forwarded-for': nextClient(), cookie: asHeader(jar) } });

describe('agent invitations', () => {
  it('invites by e-mail; the link shows who is invited, sets the password once and signs the new agent in', async () => {
    const admin = await adminSession();
    const invited = await admin.call('POST', '/agent-invitations', { email: 'New.Agent@Acme.example', name: '新同事 Xin', role: 'agent', locale: 'zh-CN' });
    expect(invited.statusCode).toBe(201);
    expect(invited.json()).toMatchObject({ email: 'new.agent@acme.example', role: 'agent', expired: false });
    const list = await admin.call('GET', '/agent-invitations');
    expect(list.json().invitations).toEqual([expect.objectContaining({ id: invited.json().id, email: 'new.agent@acme.example' })]);
    // No agent yet: the account is made when the link is followed.
    expect((await t.services.accounts.listAgents(t.workspace.id)).some((a) => a.email === 'new.agent@acme.example')).toBe(false);

    const mail = await t.database.db.selectFrom('mail_outbox').select(['subject', 'text_body']).where('to_address', '=', 'new.agent@acme.example').executeTakeFirstOrThrow();
    expect(mail.subject).toContain('邀请您加入');
    expect(mail.text_body).not.toMatch(/token=[\w-]{20,}/);
    const token = await linkTokenMailedTo('new.agent@acme.example', 'agentInvitation');

    const preview = await publicCall('/auth/invitation', { token });
    expect(preview.json()).toMatchObject({ email: 'new.agent@acme.example', name: '新同事 Xin', role: 'agent' });

    const weak = await publicCall('/auth/invitation/accept', { token, password: 'short' });
    expect(weak.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'body.password' })] });

    const accepted = await publicCall('/auth/invitation/accept', { token, password: 'a-long-new-password' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().agent).toMatchObject({ email: 'new.agent@acme.example', name: '新同事 Xin', role: 'agent', locale: 'zh-CN' });
    const me = await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie: asHeader(keep(accepted)) } });
    expect(me.json().agent.email).toBe('new.agent@acme.example');

    const again = await publicCall('/auth/invitation/accept', { token, password: 'another-long-password' });
    // A used link is refused exactly as an expired one is (below): same code, same message.
    expect([again.statusCode, again.json().error.code]).toEqual([410, 'INVITATION_EXPIRED']);
    expect((await publicCall('/auth/invitation', { token })).json().error).toMatchObject({ code: 'INVITATION_EXPIRED', message: again.json().error.message });
    expect((await admin.call('GET', '/agent-invitations')).json().invitations).toEqual([]);
    const audit = (await admin.call('GET', '/audit-log?limit=10')).json().entries.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['agent_invitation.created', 'agent_invitation.accepted', 'agent.created']));
  });

  it('refuses an expired link, a withdrawn one and one a resend replaced, each by its own code, and changes nothing', async () => {
    const admin = await adminSession();
    const expiring = (await admin.call('POST', '/agent-invitations', { email: 'late@acme.example', name: 'Late', role: 'editor' })).json();
    const lateToken = await linkTokenMailedTo('late@acme.example', 'agentInvitation');
    await t.database.db.updateTable('agent_invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', expiring.id).execute();
    const expired = await publicCall('/auth/invitation/accept', { token: lateToken, password: 'a-long-new-password' });
    expect([expired.statusCode, expired.json().error.code]).toEqual([410, 'INVITATION_EXPIRED']);
    expect(expired.json().error.message).toBe('This invitation link has expired or was already used');
    expect((await admin.call('GET', '/agent-invitations')).json().invitations).toEqual([expect.objectContaining({ id: expiring.id, expired: true })]);

    // A resend gives a new week and a new link; the old one is dead.
    const resent = await admin.call('POST', `/agent-invitations/${expiring.id}/resend`);
    expect(resent.json()).toMatchObject({ id: expiring.id, expired: false });
    expect((await publicCall('/auth/invitation', { token: lateToken })).json().error.code).toBe('INVITATION_INVALID');
    const freshToken = await linkTokenMailedTo('late@acme.example', 'agentInvitation');
    expect(freshToken).not.toBe(lateToken);

    expect((await admin.call('DELETE', `/agent-invitations/${expiring.id}`)).statusCode).toBe(204);
    const withdrawn = await publicCall('/auth/invitation/accept', { token: freshToken, password: 'a-long-new-password' });
    expect([withdrawn.statusCode, withdrawn.json().error.code]).toEqual([410, 'INVITATION_REVOKED']);
    expect((await admin.call('DELETE', `/agent-invitations/${expiring.id}`)).statusCode).toBe(404);
    expect((await publicCall('/auth/invitation', { token: 'not-a-real-token-at-all' })).json().error.code).toBe('INVITATION_INVALID');
    expect((await t.services.accounts.listAgents(t.workspace.id)).some((a) => a.email === 'late@acme.example')).toBe(false);
  });

  it('refuses a second open invitation to one address, an address that is already an agent, and non-admins', async () => {
    const admin = await adminSession();
    expect((await admin.call('POST', '/agent-invitations', { email: 'twice@acme.example', name: 'Twice', role: 'agent' })).statusCode).toBe(201);
    const second = await admin.call('POST', '/agent-invitations', { email: 'twice@acme.example', name: 'Twice again', role: 'agent' });
    expect([second.statusCode, second.json().error.code]).toEqual([409, 'INVITATION_PENDING']);
    const taken = await admin.call('POST', '/agent-invitations', { email: t.workspace.admin.email, name: 'Me', role: 'agent' });
    expect(taken.json().error.code).toBe('EMAIL_TAKEN');
    const bad = await admin.call('POST', '/agent-invitations', { email: 'not-an-address', name: '', role: 'boss' });
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.email', 'body.name', 'body.role']);

    await t.services.accounts.createAgent(t.workspace.id, { email: 'plain@acme.example', name: 'Plain', role: 'agent', password: 'plain-password-1' }, { type: 'system', id: null });
    const plain = await publicCall('/auth/login', { email: 'plain@acme.example', password: 'plain-password-1' });
    const headers = { cookie: asHeader(keep(plain)), 'x-csrf-token': plain.json().csrfToken };
    expect((await t.app.http.inject({ method: 'POST', url: '/api/v1/agent-invitations', headers, payload: { email: 'x@acme.example', name: 'X', role: 'admin' } })).statusCode).toBe(403);
    expect((await t.app.http.inject({ url: '/api/v1/agent-invitations', headers })).statusCode).toBe(403);
  });
});

describe('changing one\'s password', () => {
  it('needs the current password, then ends the agent\'s other sessions and keeps this one', async () => {
    const who = { email: 'changer@acme.example', password: 'the-first-password' };
    await t.services.accounts.createAgent(t.workspace.id, { ...who, name: 'Changer', role: 'agent' }, { type: 'system', id: null });
    const here = await publicCall('/auth/login', who);
    const elsewhere = await publicCall('/auth/login', who);
    const headers = { cookie: asHeader(keep(here)), 'x-csrf-token': here.json().csrfToken };
    const change = (payload: object) => t.app.http.inject({ method: 'POST', url: '/api/v1/auth/me/password', headers, payload });

    const wrong = await change({ currentPassword: 'not-the-password', newPassword: 'the-second-password' });
    expect(wrong.json().error).toMatchObject({ code: 'CURRENT_PASSWORD_WRONG', details: [{ path: 'body.currentPassword' }] });
    const weak = await change({ currentPassword: who.password, newPassword: 'short' });
    expect(weak.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'body.newPassword' })] });
    expect((await publicCall('/auth/login', who)).statusCode).toBe(200);

    expect((await change({ currentPassword: who.password, newPassword: 'the-second-password' })).statusCode).toBe(204);
    expect((await t.app.http.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(200);
    expect((await t.app.http.inject({ url: '/api/v1/auth/me', headers: { cookie: asHeader(keep(elsewhere)) } })).statusCode).toBe(401);
    expect((await publicCall('/auth/login', who)).statusCode).toBe(401);
    expect((await publicCall('/auth/login', { ...who, password: 'the-second-password' })).statusCode).toBe(200);
  });
});

describe('forgot password', () => {
  it('throttles requests for one address from any client, answering known and unknown addresses alike', async () => {
    const ask = (email: string) => publicCall('/auth/password-reset', { email });
    for (const email of [t.workspace.admin.email, 'nobody@acme.example']) {
      for (let i = 0; i < 3; i++) expect((await ask(email)).statusCode).toBe(202);
      const fourth = await ask(email);
      expect([fourth.statusCode, fourth.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    }
    expect((await ask('someone-else@acme.example')).statusCode).toBe(202);
  });
});
