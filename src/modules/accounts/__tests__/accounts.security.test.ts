import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { loadConfig } from '../../../core/config.js';

let t: TestApp;
// Three tries per address and account, eight per address; one proxy in front.
beforeAll(async () => { t = await createTestApp({ KEFU_LOGIN_ATTEMPTS_PER_15_MIN: '3', KEFU_LOGIN_ATTEMPTS_PER_IP_PER_15_MIN: '8', KEFU_TRUST_PROXY: '1' }); });
afterAll(async () => { await t?.close(); });

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
