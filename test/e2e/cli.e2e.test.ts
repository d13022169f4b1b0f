import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runKefu, whenHealthy, type KefuProcess } from '../helpers/cli.js';

let dataDir: string;
beforeAll(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'kefu-cli-')); });
afterAll(async () => { await rm(dataDir, { recursive: true, force: true }); });

async function start(dir = dataDir): Promise<KefuProcess> {
  const kefu = runKefu(['start'], { KEFU_DATA_DIR: dir }, await freePort());
  await whenHealthy(kefu);
  return kefu;
}

async function signIn(url: string, email: string, password: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { status: res.status, cookies, body: await res.json() as { csrfToken: string } };
}

/** A sign-in sent with the given Host header (fetch does not let a request set it). */
function signInOnHost(port: number, host: string, email: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: '/api/v1/auth/login', method: 'POST', headers: { host, 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ email, password }));
  });
}

async function demoAdmin() {
  return (JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as { admin: { email: string; password: string } }).admin;
}

describe('kefu start on the embedded server', () => {
  let first: KefuProcess;

  it('comes up on an empty data dir with the demo world, prints the admin, and serves portal, console and docs', async () => {
    first = await start();
    const admin = await demoAdmin();
    expect(first.output()).toContain(`admin        ${admin.email}  password: ${admin.password}`);
    for (const page of ['/', '/agent', '/docs', '/openapi.json']) {
      const res = await fetch(`${first.url}${page}`);
      expect(res.status, page).toBe(200);
    }
    expect((await signIn(first.url, admin.email, admin.password)).status).toBe(200);
    // A first start creates the cluster, migrates and seeds the whole demo world: ~10 s on an idle box,
    // over 30 s beside the crash tests' servers; start() itself waits up to 60 s for health.
  }, 120_000);

  it('refuses a second start on the same data dir with a clear error', async () => {
    const second = runKefu(['start'], { KEFU_DATA_DIR: dataDir }, await freePort());
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/kefu: The data directory .* is in use by .*pid \d+/);
    expect(second.output()).not.toMatch(/\n\s+at /);
  });

  it('keeps every committed write through a kill -9 mid-write, and starts again', async () => {
    const admin = await demoAdmin();
    const session = await signIn(first.url, admin.email, admin.password);
    const headers = { 'content-type': 'application/json', cookie: session.cookies, 'x-csrf-token': session.body.csrfToken };
    const committed: string[] = [];
    const writer = (async () => {
      for (let i = 0; ; i++) {
        const email = `crash-${i}@yunmo.example`;
        const res = await fetch(`${first.url}/api/v1/agents`, { method: 'POST', headers, body: JSON.stringify({ email, name: `Crash ${i}`, role: 'agent', password: 'crash-test-password' }) })
          .catch(() => undefined);
        if (!res) return;
        if (res.status === 201) committed.push(email);
      }
    })();
    while (committed.length < 15) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    await first.exited;
    await writer;

    const again = await start();
    try {
      const after = await signIn(again.url, admin.email, admin.password);
      const list = await fetch(`${again.url}/api/v1/agents`, { headers: { cookie: after.cookies } }).then((r) => r.json()) as { agents: { email: string }[] };
      const emails = new Set(list.agents.map((a) => a.email));
      for (const email of committed) expect(emails, email).toContain(email);
      const crashRows = list.agents.filter((a) => a.email.startsWith('crash-'));
      expect(crashRows.length - committed.length).toBeLessThanOrEqual(1); // the one in flight may have committed
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
    expect(again.output()).not.toContain('Demo workspace'); // seeded once, not again
  });

  it('stops cleanly on SIGTERM: exit 0 and the data dir is free for the next start', async () => {
    const kefu = await start();
    kefu.child.kill('SIGTERM');
    expect(await kefu.exited).toBe(0);
    const next = await start();
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });
});

describe('kefu start with bad settings or a bad data dir', () => {
  it('names every bad setting and exits 1 without a stack trace', async () => {
    const kefu = runKefu(['start'], { KEFU_DATA_DIR: dataDir, PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    expect(await kefu.exited).toBe(1);
    expect(kefu.output()).toMatch(/Invalid configuration:[\s\S]*PORT[\s\S]*DATABASE_URL/);
    expect(kefu.output()).not.toMatch(/\n\s+at /);
  });

  it('refuses a corrupt data dir with a clear error and leaves its files alone', async () => {
    const corrupt = await mkdtemp(path.join(os.tmpdir(), 'kefu-corrupt-'));
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(path.join(corrupt, 'pg'));
      await writeFile(path.join(corrupt, 'pg', 'PG_VERSION'), 'garbage\n');
      const kefu = runKefu(['start'], { KEFU_DATA_DIR: corrupt }, await freePort());
      expect(await kefu.exited).toBe(1);
      expect(kefu.output()).toMatch(/kefu: The PostgreSQL data directory .* is unusable/);
      expect(await readFile(path.join(corrupt, 'pg', 'PG_VERSION'), 'utf8')).toBe('garbage\n');
    } finally {
      await rm(corrupt, { recursive: true, force: true });
    }
  });

  it('admin create --hostname: the new workspace answers on it; a bad or taken host name is refused before anything is created', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kefu-cli-hosts-'));
    const env = { KEFU_DATA_DIR: dir, KEFU_SEED_DEMO: 'never' };
    const admin = (workspace: string, email: string, ...more: string[]) =>
      runKefu(['admin', 'create', '--workspace', workspace, '--email', email, '--name', 'Admin', ...more], env);
    let server: KefuProcess | undefined;
    try {
      const schemed = admin('acme', 'a@acme.example', '--hostname', 'https://help.acme.example');
      expect(await schemed.exited).toBe(2);
      expect(schemed.output()).toContain('--hostname "https://help.acme.example": Leave out the scheme');
      expect(existsSync(path.join(dir, 'pg'))).toBe(false);

      const beta = admin('beta', 'b@beta.example');
      expect(await beta.exited).toBe(0);
      const acme = admin('acme', 'a@acme.example', '--hostname', 'Help.Acme.Example');
      expect(await acme.exited).toBe(0);
      expect(acme.output()).toContain('It answers on help.acme.example.');
      const password = /Password: (\S+)/.exec(acme.output())![1]!;
      const taken = admin('gamma', 'g@gamma.example', '--hostname', 'help.acme.example');
      expect(await taken.exited).toBe(2);
      expect(taken.output()).toContain('workspace "acme" already answers on it; nothing was created');

      server = runKefu(['start'], env, await freePort());
      await whenHealthy(server);
      const port = Number(new URL(server.url).port);
      // The first workspace (beta) answers on other hosts; acme's admin signs in on acme's host only.
      expect(await signInOnHost(port, 'help.acme.example', 'a@acme.example', password)).toBe(200);
      expect(await signInOnHost(port, '127.0.0.1', 'a@acme.example', password)).toBe(401);
    } finally {
      server?.child.kill('SIGTERM');
      await server?.exited;
      await rm(dir, { recursive: true, force: true });
    }
    // Four CLI runs each start the embedded server on a new cluster, then `kefu start`: ~12 s on an idle
    // box, over 30 s when CI's other test files keep both cores busy.
  }, 120_000);

  it('explains an unknown command', async () => {
    const kefu = runKefu(['launch'], {});
    expect(await kefu.exited).toBe(2);
    expect(kefu.output()).toContain('unknown command "launch"');
  });
});
