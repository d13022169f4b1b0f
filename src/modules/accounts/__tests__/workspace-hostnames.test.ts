/**
 * A workspace's host names (Settings → Host names): admins list, add and remove the names the
 * portal answers on; a name is a DNS name, lower-cased, without scheme, port or path, and never
 * another workspace's; bad input says which problem and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** Names of this run only: the durable database is shared. */
const run = randomBytes(4).toString('hex');
const name = (label: string) => `${label}.${run}.hosts.example`;

async function session(workspace: { admin: { email: string; password: string } }) {
  const res = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: workspace.admin.email, password: workspace.admin.password } });
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = res.json().csrfToken as string;
  return (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.http.inject({ method, url: `/api/v1${url}`, headers: { cookie, 'x-csrf-token': csrf }, ...(payload ? { payload } : {}) });
}

describe('workspace host names', () => {
  it('adds a name lower-cased, lists it, answers the portal on it, and removes it', async () => {
    const api = await session(t.workspace);
    const added = await api('POST', '/workspace/hostnames', { hostname: `  ${name('Help').toUpperCase()}. ` });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().hostnames).toContain(name('help'));
    expect((await api('POST', '/workspace/hostnames', { hostname: name('help') })).json().hostnames.filter((h: string) => h === name('help'))).toHaveLength(1);
    expect((await api('GET', '/workspace/hostnames')).json().hostnames).toContain(name('help'));
    expect((await t.services.accounts.workspaceForHost(name('help')))?.id).toBe(t.workspace.id);
    const audit = (await api('GET', '/audit-log?limit=5')).json().entries.map((e: { action: string }) => e.action);
    expect(audit).toContain('workspace.hostname_added');

    const removed = await api('DELETE', `/workspace/hostnames/${name('help')}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().hostnames).not.toContain(name('help'));
    expect((await api('DELETE', `/workspace/hostnames/${name('help')}`)).json().error.code).toBe('HOSTNAME_NOT_FOUND');
  });

  it('refuses a scheme, a port, a path or no DNS name, saying which, and changes nothing', async () => {
    const api = await session(t.workspace);
    const before = (await api('GET', '/workspace/hostnames')).json().hostnames;
    const cases: [string, string][] = [
      [`https://${name('a')}`, 'HOSTNAME_SCHEME'], [`${name('a')}:8080`, 'HOSTNAME_PORT'], [`${name('a')}/help`, 'HOSTNAME_PATH'],
      ['help desk.example', 'HOSTNAME_INVALID'], ['-bad.example', 'HOSTNAME_INVALID'], ['', 'HOSTNAME_INVALID'], [`${'x'.repeat(64)}.example`, 'HOSTNAME_INVALID'],
    ];
    for (const [hostname, code] of cases) {
      const refused = await api('POST', '/workspace/hostnames', { hostname });
      expect(refused.statusCode, hostname).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body.hostname', code }] });
    }
    expect((await api('POST', '/workspace/hostnames', { hostname: 42 })).statusCode).toBe(400);
    expect((await api('POST', '/workspace/hostnames', { hostname: name('a'), extra: 1 })).statusCode).toBe(400);
    expect((await api('GET', '/workspace/hostnames')).json().hostnames).toEqual(before);
  });

  it('refuses a name another workspace answers on with 409 HOSTNAME_TAKEN, and a non-admin altogether', async () => {
    const other = await t.addWorkspace(`hosts-${run}`);
    // Signing in picks the workspace by host name: the other workspace's admin adds theirs through the service.
    await t.services.accounts.addHostname(other.id, name('theirs'), { type: 'agent', id: other.admin.id });
    const api = await session(t.workspace);
    const taken = await api('POST', '/workspace/hostnames', { hostname: name('THEIRS') });
    expect([taken.statusCode, taken.json().error.code]).toEqual([409, 'HOSTNAME_TAKEN']);
    // Removing it from here finds nothing: it is theirs.
    expect((await api('DELETE', `/workspace/hostnames/${name('theirs')}`)).statusCode).toBe(404);
    expect(await t.services.accounts.hostnames(other.id)).toEqual([name('theirs')]);
    await expect(t.services.accounts.addHostname(other.id, name('help'), { type: 'agent', id: other.admin.id })).resolves.toContain(name('help'));

    const agent = await t.services.accounts.createAgent(t.workspace.id, { email: `plain-${run}@acme.example`, name: 'Plain', role: 'agent', password: 'a-long-password' }, { type: 'system', id: null });
    const plain = await session({ admin: { email: agent.email, password: 'a-long-password' } });
    expect((await plain('GET', '/workspace/hostnames')).statusCode).toBe(403);
    expect((await plain('POST', '/workspace/hostnames', { hostname: name('plain') })).statusCode).toBe(403);
  });
});
