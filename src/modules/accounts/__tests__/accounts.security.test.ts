import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { loadConfig } from '../../../core/config.js';
import { SmtpSink, eventually } from '../../../../test/mail/outbound-sink.js';

let t: TestApp;
let sink: SmtpSink;
// Three tries per address and account, eight per address; one proxy in front; mail really sent.
beforeAll(async () => {
  sink = await SmtpSink.start();
  t = await createTestApp({ KEFU_LOGIN_ATTEMPTS_PER_15_MIN: '3', KEFU_LOGIN_ATTEMPTS_PER_IP_PER_15_MIN: '8', KEFU_TRUST_PROXY: '1', KEFU_SMTP_URL: sink.url });
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

let clients = 0;
/** A distinct client address per test, as the proxy in front reports it (the right-most X-Forwarded-For entry). */
const nextClient = () => `203.0.113.${++clients}`;

const login = (client: string, email: string, password: string, spoofed = '198.51.100.7') => t.app.http.inject({
  method: 'POST', url: '/api/v1/auth/login', payload: { email, password },
  headers: { 'x-forwarded-for': `${spoofed}, ${client}` },
});

describe('sign-in rate limits (issue 12 #4)', () => {
  it('counts failures per address and account: guesses at other accounts never lock the admin out', async () => {
    const client = nextClient();
    for (let i = 0; i < 5; i++) expect((await login(client, `random${i}@elsewhere.example`, 'wrong-password')).statusCode).toBe(401);
    expect((await login(client, t.workspace.admin.email, t.workspace.admin.password)).statusCode).toBe(200);
  });

  it('stops the fourth try at one account, and any account past the per-address ceiling', async () => {
    const client = nextClient();
    for (let i = 0; i < 3; i++) expect((await login(client, 'victim@acme.example', 'wrong-password')).statusCode).toBe(401);
    expect((await login(client, 'victim@acme.example', 'wrong-password')).json().error.code).toBe('RATE_LIMITED');
    for (let i = 0; i < 4; i++) await login(client, `spray${i}@acme.example`, 'wrong-password');
    expect((await login(client, 'fresh@acme.example', 'wrong-password')).json().error.code).toBe('RATE_LIMITED');
  });

  it('takes the client address the trusted proxy saw, so a forged left-most X-Forwarded-For does not reset the count', async () => {
    const client = nextClient();
    for (let i = 0; i < 3; i++) await login(client, 'target@acme.example', 'wrong-password', `192.0.2.${i}`);
    expect((await login(client, 'target@acme.example', 'wrong-password', '192.0.2.99')).statusCode).toBe(429);
  });

  it('accepts a hop count or proxy addresses for KEFU_TRUST_PROXY, and refuses `true`', () => {
    expect(loadConfig({ KEFU_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ KEFU_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).trustProxy).toEqual(['10.0.0.1', '10.1.0.0/16']);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(() => loadConfig({ KEFU_TRUST_PROXY: 'true' })).toThrow(/KEFU_TRUST_PROXY/);
    expect(() => loadConfig({ KEFU_TRUST_PROXY: '10.0.0.300' })).toThrow(/KEFU_TRUST_PROXY/);
  });
});

describe('password-reset links (issue 12 #5, #8)', () => {
  const requestReset = (email: string) => t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email }, headers: { 'x-forwarded-for': nextClient() } });
  const confirm = (token: string, password: string) => t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password }, headers: { 'x-forwarded-for': nextClient() } });
  const sentTokens = (to: string) => sink.received.filter((m) => m.envelopeTo.includes(to)).map((m) => /token=([\w-]+)/.exec(m.parsed.text ?? '')?.[1]).filter((x): x is string => !!x);

  it('keeps the live link out of the stored mail and the outbox API; only the mail sent carries it', async () => {
    const agent = await t.services.accounts.createAgent(t.workspace.id, { email: 'target-agent@acme.example', name: 'Target', role: 'agent', password: 'original-password' }, { type: 'system', id: null });
    expect((await requestReset(agent.email)).statusCode).toBe(202);
    await t.jobs.drain();
    await eventually(() => expect(sentTokens(agent.email)).toHaveLength(1));
    const [sent] = sentTokens(agent.email);

    const stored = await t.database.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', agent.email).executeTakeFirstOrThrow();
    expect(stored.text_body).not.toContain(sent);
    const token = (await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'outbox reader', { type: 'system', id: null })).token;
    const detail = await t.app.http.inject({ url: `/api/v1/mail/outbox/${stored.id}`, headers: { authorization: `Bearer ${token}` } });
    expect(detail.statusCode).toBe(200);
    const shown = detail.json().text as string;
    expect(shown).not.toContain(sent);
    // Whatever the API shows after `token=` does not reset the password.
    const fromApi = /token=(\S+)/.exec(shown)?.[1] ?? '';
    expect((await confirm(fromApi.padEnd(10, 'x'), 'taken-over-password')).statusCode).toBe(400);
    expect((await confirm(sent!, 'chosen-by-owner-1')).statusCode).toBe(204);
  });

  it('kills every older reset link once one of them has been used', async () => {
    const agent = await t.services.accounts.createAgent(t.workspace.id, { email: 'two-links@acme.example', name: 'Two links', role: 'agent', password: 'original-password' }, { type: 'system', id: null });
    await requestReset(agent.email);
    await requestReset(agent.email);
    await t.jobs.drain();
    await eventually(() => expect(sentTokens(agent.email)).toHaveLength(2));
    const [older, newer] = sentTokens(agent.email);
    expect((await confirm(newer!, 'newer-link-password')).statusCode).toBe(204);
    const late = await confirm(older!, 'older-link-password');
    expect(late.statusCode).toBe(400);
    expect(late.json().error.code).toBe('RESET_TOKEN_INVALID');
    // The link just used, and one past its hour: the same code and the same message, whichever it is.
    const used = await confirm(newer!, 'once-more-password');
    await requestReset(agent.email);
    await t.jobs.drain();
    await eventually(() => expect(sentTokens(agent.email)).toHaveLength(3));
    await t.database.db.updateTable('password_resets').set({ expires_at: new Date(Date.now() - 1000) })
      .where('principal_id', '=', agent.id).where('used_at', 'is', null).execute();
    const expired = await confirm(sentTokens(agent.email)[2]!, 'too-late-password');
    expect([used.statusCode, used.json().error]).toEqual([expired.statusCode, expired.json().error]);
    expect(expired.json().error.code).toBe('RESET_TOKEN_INVALID');
  });
});
