import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { hydrateSymlinks, startEmbeddedServer, type EmbeddedServer } from '../embedded-server.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/server-process.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const NOBODY = { uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;
const TIMEOUT = 60_000;

const tempDirs: string[] = [];
const servers: EmbeddedServer[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
}, TIMEOUT);

/** `<mkdtemp>/data`: mkdtemp makes a 0700 directory, which the postgres user cannot cross. */
async function freshDataDir(name = 'data'): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-embedded-'));
  tempDirs.push(root);
  return path.join(root, name);
}

async function start(dataDir: string, messages: string[] = []): Promise<EmbeddedServer> {
  const server = await startEmbeddedServer({ dataDir, log: (msg) => messages.push(msg) });
  servers.push(server);
  return server;
}

async function query<T extends pg.QueryResultRow>(connectionString: string, sql: string): Promise<T[]> {
  const client = new pg.Client(connectionString);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function startError(dataDir: string): Promise<AppError> {
  const error: unknown = await start(dataDir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function isRunning(pid: number): Promise<boolean> {
  return fs.readFile(`/proc/${pid}/stat`, 'utf8').then(
    (stat) => !/^Z|^X/.test(stat.slice(stat.lastIndexOf(')') + 2)),
    () => false,
  );
}

/** Another Kefu process (see fixtures/server-process.ts), with its stdout lines collected. */
function runServerProcess(dataDir: string, mode: 'hold' | 'insert', options: SpawnOptions = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, mode], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
    ...options,
  });
  children.push(child);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiters) wake();
  });
  const exited = once(child, 'exit');
  /** Resolves with the first line matching, or rejects if the process ends without printing one. */
  const waitForLine = (matches: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines.find(matches);
        if (line !== undefined) {
          waiters.delete(check);
          resolve(line);
        }
      };
      waiters.add(check);
      check();
      void exited.then(() => reject(new Error(`server process exited; it printed: ${lines.join(' | ')}`)));
    });
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return { child, lines, waitForLine, exited, kill };
}

const postmasterPidIn = (readyLine: string) => Number(readyLine.split(' ')[1]);

describe('startEmbeddedServer', () => {
  it('initialises a cluster, serves pg_trgm over a local socket, and keeps data across restarts', async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir);
    const url = first.connectionString('postgres');
    expect(url).toContain(`host=${encodeURIComponent(path.join(dataDir, 'pg-run'))}`);

    await query(url, 'create extension pg_trgm');
    await query(url, "create table notes (body text); insert into notes values ('打印机卡纸 paper jam')");
    const [settings] = await query(url, `select current_setting('listen_addresses') as listen,
      current_setting('shared_buffers') as buffers, current_setting('max_connections') as connections,
      current_setting('fsync') as fsync, pg_encoding_to_char(encoding) as encoding
      from pg_database where datname = 'postgres'`);
    expect(settings).toEqual({ listen: '', buffers: '32MB', connections: '50', fsync: 'on', encoding: 'UTF8' });

    await first.stop();
    await first.stop(); // idempotent
    expect(await isRunning(first.pid)).toBe(false);
    await expect(fs.access(path.join(dataDir, 'kefu.lock'))).rejects.toThrow();

    const second = await start(dataDir);
    const rows = await query(second.connectionString('postgres'), "select body, similarity(body, 'paper jam') > 0 as similar from notes");
    expect(rows).toEqual([{ body: '打印机卡纸 paper jam', similar: true }]);
  }, TIMEOUT);

  it.skipIf(!isRoot)('grants only search permission on an ancestor the postgres user cannot cross', async () => {
    const dataDir = await freshDataDir();
    const ancestor = path.dirname(dataDir);
    expect((await fs.stat(ancestor)).mode & 0o777).toBe(0o700);
    const messages: string[] = [];

    await start(dataDir, messages);

    expect((await fs.stat(ancestor)).mode & 0o777).toBe(0o701);
    expect(messages.some((msg) => msg.includes('o+x') && msg.includes(ancestor))).toBe(true);
  }, TIMEOUT);

  it('falls back to 127.0.0.1 with a scram password when the socket path would be too long', async () => {
    const dataDir = await freshDataDir(`${'long-'.repeat(20)}data`);
    const server = await start(dataDir);
    const url = server.connectionString('postgres');
    expect(new URL(url).hostname).toBe('127.0.0.1');

    const [settings] = await query(url, `select current_setting('listen_addresses') as listen,
      current_setting('unix_socket_directories') as sockets`);
    expect(settings).toEqual({ listen: '127.0.0.1', sockets: '' });
    expect((await fs.stat(path.join(dataDir, 'pg-password'))).mode & 0o777).toBe(0o600);

    const wrongPassword = new URL(url);
    wrongPassword.password = 'wrong';
    await expect(query(wrongPassword.href, 'select 1')).rejects.toMatchObject({ code: '28P01' });
  }, TIMEOUT);

  describe('one supervisor per data dir', () => {
    it('refuses a second start while another live process holds the data dir', async () => {
      const dataDir = await freshDataDir();
      const holder = runServerProcess(dataDir, 'hold');
      await holder.waitForLine((line) => line.startsWith('ready '));

      const error = await startError(dataDir);
      expect(error).toMatchObject({ code: 'DATA_DIR_LOCKED', status: 409, details: { dataDir, ownerPid: holder.child.pid } });
      expect(error.message).toContain(String(holder.child.pid));

      holder.child.stdin!.end();
      expect(await holder.exited).toEqual([0, null]);
    }, TIMEOUT);

    it('refuses a second start from the same process', async () => {
      const dataDir = await freshDataDir();
      await start(dataDir);
      expect(await startError(dataDir)).toMatchObject({ code: 'DATA_DIR_LOCKED', details: { ownerPid: process.pid } });
    }, TIMEOUT);

    it('takes over a lock whose pid now belongs to a different process (pid reuse)', async () => {
      const dataDir = await freshDataDir();
      await fs.mkdir(dataDir);
      // Our own pid, but another start time: what a container restart leaves behind.
      await fs.writeFile(path.join(dataDir, 'kefu.lock'), JSON.stringify({ pid: process.pid, startTicks: 1 }));
      const messages: string[] = [];

      await start(dataDir, messages);

      expect(messages.some((msg) => msg.includes('took over the stale lock'))).toBe(true);
    }, TIMEOUT);
  });

  describe('after a supervisor was killed', () => {
    it('stops the orphaned postmaster cleanly and loses no committed row', async () => {
      const dataDir = await freshDataDir();
      const writer = runServerProcess(dataDir, 'insert');
      const orphanPid = postmasterPidIn(await writer.waitForLine((line) => line.startsWith('ready ')));
      await writer.waitForLine((line) => line === 'committed 300');
      await writer.kill();
      const printed = writer.lines.filter((line) => line.startsWith('committed ')).map((line) => Number(line.split(' ')[1]));
      expect(await isRunning(orphanPid)).toBe(true);
      const messages: string[] = [];

      const server = await start(dataDir, messages);

      expect(server.pid).not.toBe(orphanPid);
      expect(await isRunning(orphanPid)).toBe(false);
      expect(messages.some((msg) => msg.includes(`orphaned postmaster (pid ${orphanPid})`))).toBe(true);
      const ids = (await query<{ id: number }>(server.connectionString('postgres'), 'select id from writes order by id')).map((row) => row.id);
      // One transaction was in flight at the kill: it may have committed without being printed.
      const last = printed.at(-1)!;
      expect([printed, [...printed, last + 1]]).toContainEqual(ids);
    }, TIMEOUT);

    it('starts over a stale postmaster.pid when the postmaster was killed too', async () => {
      const dataDir = await freshDataDir();
      const holder = runServerProcess(dataDir, 'hold');
      const postmasterPid = postmasterPidIn(await holder.waitForLine((line) => line.startsWith('ready ')));
      await holder.kill();
      process.kill(postmasterPid, 'SIGKILL');
      await expect(fs.access(path.join(dataDir, 'pg', 'postmaster.pid'))).resolves.toBeUndefined();

      const server = await start(dataDir);

      const rows = await query(server.connectionString('postgres'), 'select written_by from marker');
      expect(rows).toEqual([{ written_by: holder.child.pid }]);
    }, TIMEOUT);

    it('starts when postmaster.pid names an unrelated live process', async () => {
      const dataDir = await freshDataDir();
      await (await start(dataDir)).stop();
      // pid 1 is alive and not a postgres of this cluster: the pid was reused after a crash.
      await fs.writeFile(path.join(dataDir, 'pg', 'postmaster.pid'), `1\n${path.join(dataDir, 'pg')}\n`);
      const messages: string[] = [];

      const server = await start(dataDir, messages);

      expect(await query(server.connectionString('postgres'), 'select 1 as one')).toEqual([{ one: 1 }]);
      expect(messages.some((msg) => msg.includes('postmaster.pid'))).toBe(true);
    }, TIMEOUT);
  });

  describe('a data dir it cannot use', () => {
    it.each([
      ['garbage in PG_VERSION', { PG_VERSION: 'not a version\n', 'base/1/1259': 'table data' }],
      ['another major version', { PG_VERSION: '15\n', 'base/1/1259': 'table data' }],
      ['files but no PG_VERSION', { 'base/1/1259': 'table data' }],
    ])('reports %s as DATA_DIR_CORRUPT and leaves the files alone', async (_, files: Record<string, string>) => {
      const dataDir = await freshDataDir();
      const clusterDir = path.join(dataDir, 'pg');
      for (const [file, content] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(clusterDir, file)), { recursive: true });
        await fs.writeFile(path.join(clusterDir, file), content);
      }
      const clusterFiles = async () => (await fs.readdir(clusterDir, { recursive: true })).sort();
      const before = await clusterFiles();

      expect(await startError(dataDir)).toMatchObject({ code: 'DATA_DIR_CORRUPT', status: 500 });

      expect(await clusterFiles()).toEqual(before);
      expect(await fs.readdir(dataDir)).not.toContain('pg.initdb-tmp');
      await expect(fs.access(path.join(dataDir, 'kefu.lock'))).rejects.toThrow();
    }, TIMEOUT);

    it('reports a cluster postgres refuses to start as DATA_DIR_CORRUPT, quoting its log', async () => {
      const dataDir = await freshDataDir();
      await (await start(dataDir)).stop();
      await fs.appendFile(path.join(dataDir, 'pg', 'postgresql.conf'), '\nthis line is not a setting\n');

      const error = await startError(dataDir);

      expect(error.code).toBe('DATA_DIR_CORRUPT');
      expect(error.message).toContain('postgresql.conf');
      expect(error.message).toContain('syntax error');
    }, TIMEOUT);

    it('reports a read-only data dir as DATA_DIR_UNWRITABLE', async () => {
      const dataDir = await freshDataDir();
      await fs.chmod(path.dirname(dataDir), 0o755);
      await fs.mkdir(dataDir, { mode: 0o555 });
      // Root writes anywhere: run the start as an unprivileged user then.
      const starter = runServerProcess(dataDir, 'hold', isRoot ? NOBODY : {});

      expect(await starter.waitForLine((line) => line.startsWith('error '))).toBe('error DATA_DIR_UNWRITABLE');
      expect(await fs.readdir(dataDir)).toEqual([]);
    }, TIMEOUT);
  });
});

describe('hydrateSymlinks', () => {
  it('re-creates the missing shared-library links of a platform package, relative, and keeps existing ones', async () => {
    const packageDir = await freshDataDir('package');
    const lib = path.join(packageDir, 'native', 'lib');
    await fs.mkdir(lib, { recursive: true });
    await fs.writeFile(path.join(lib, 'libpq.so.5.18'), 'library');
    await fs.symlink('libpq.so.5.18', path.join(lib, 'libpq.so'));
    await fs.writeFile(
      path.join(packageDir, 'native', 'pg-symlinks.json'),
      JSON.stringify([
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so' },
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' },
      ]),
    );

    const created = await hydrateSymlinks(packageDir);

    expect(created).toEqual([path.join(lib, 'libpq.so.5')]);
    expect(await fs.readlink(path.join(lib, 'libpq.so.5'))).toBe('libpq.so.5.18');
    expect(await fs.readFile(path.join(lib, 'libpq.so.5'), 'utf8')).toBe('library');
    expect(await hydrateSymlinks(packageDir)).toEqual([]);
  });

  it('does nothing for a package without a link list', async () => {
    const packageDir = await freshDataDir('package');
    await fs.mkdir(packageDir);
    expect(await hydrateSymlinks(packageDir)).toEqual([]);
  });
});
