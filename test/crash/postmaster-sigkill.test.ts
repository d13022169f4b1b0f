import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/core/db/embedded-server.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Nothing acknowledged is lost when the machine's processes die at once: the writes' COMMITs return
 * only once on disk (fsync, synchronous_commit), so after a SIGKILL mid-stream every acknowledged
 * row is there, and the only others are rows whose COMMIT was in flight.
 */
const WRITERS = 4;
const ACKS_BEFORE_KILL = 300;

interface Stream {
  child: ChildProcess;
  sent: Set<number>;
  acked: Set<number>;
  /** Resolves with the first line of output matching, once seen. */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<void>;
}

function startStream(args: string[]): Stream {
  // Its own process group, so a SIGKILL of the group takes the writer and nothing of the test runner.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'write-stream.ts'), ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const sent = new Set<number>();
  const acked = new Set<number>();
  const waiting: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  let output = '';
  let buffered = '';
  child.stderr!.on('data', (chunk) => { output += chunk; });
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [kind, id] = line.split(' ');
      if (kind === 'sent') sent.add(Number(id));
      if (kind === 'ack') acked.add(Number(id));
      for (const w of [...waiting]) {
        const match = w.pattern.exec(line);
        if (match) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(match);
        }
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const line = (pattern: RegExp) => new Promise<RegExpMatchArray>((resolve, reject) => {
    waiting.push({ pattern, resolve });
    void exited.then(() => reject(new Error(`the write stream exited before printing ${pattern}:\n${output}`)));
  });
  return { child, sent, acked, line, exited };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function committedIds(url: string): Promise<Set<number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return new Set((await client.query<{ id: string }>('select id from crash_writes')).rows.map((r) => Number(r.id)));
  } finally {
    await client.end();
  }
}

async function otherSessions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** Every acknowledged id committed; every other committed id one whose COMMIT was in flight. */
function expectExactlyTheAcknowledged(committed: Set<number>, stream: Stream) {
  expect(stream.acked.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
  expect([...stream.acked].filter((id) => !committed.has(id)), 'acknowledged but lost').toEqual([]);
  const unacknowledged = [...committed].filter((id) => !stream.acked.has(id));
  const inFlight = [...stream.sent].filter((id) => !stream.acked.has(id));
  expect(unacknowledged.filter((id) => !inFlight.includes(id)), 'committed but never sent').toEqual([]);
  expect(inFlight.length).toBeLessThanOrEqual(WRITERS);
}

let dataDir: string | undefined;
let restarted: EmbeddedServer | undefined;
let database: TestDatabase | undefined;
afterAll(async () => {
  await restarted?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  await database?.drop();
});

describe('a SIGKILL in the middle of acknowledged writes', () => {
  it('of the embedded postmaster and its whole process group: crash recovery keeps exactly the acknowledged rows', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'kefu-crash-'));
    const stream = startStream(['-', String(WRITERS), '--hold-server', dataDir]);
    const [, postmasterPid] = await stream.line(/^server (\d+) /);
    await stream.line(/^ready$/);
    await until(() => stream.acked.size >= ACKS_BEFORE_KILL, `${ACKS_BEFORE_KILL} acknowledged writes`);
    // The postmaster runs in a process group of its own (its backends with it); the writer, holding Kefu's lock, in another.
    process.kill(-Number(postmasterPid), 'SIGKILL');
    process.kill(-stream.child.pid!, 'SIGKILL');
    await stream.exited;
    const frozen = { sent: new Set(stream.sent), acked: new Set(stream.acked) };

    restarted = await startEmbeddedServer({ dataDir });
    const log = await readFile(path.join(dataDir, 'log', 'postgres.log'), 'utf8');
    // Postgres itself says it found the cluster crashed and replayed the WAL.
    expect(log).toMatch(/database system was interrupted|was not properly shut down; automatic recovery in progress/);
    expect(log).toMatch(/redo done at/);
    expectExactlyTheAcknowledged(await committedIds(restarted.connectionString('postgres')), { ...stream, ...frozen });
  }, 240_000); // initdb, the writes, then crash recovery: each may take a minute on a loaded machine (its own waits allow that)

  it('of the client on the server under test: the server keeps exactly the acknowledged rows', async () => {
    database = await freshDatabase();
    const stream = startStream([database.url, String(WRITERS)]);
    await stream.line(/^ready$/);
    await until(() => stream.acked.size >= ACKS_BEFORE_KILL, `${ACKS_BEFORE_KILL} acknowledged writes`);
    process.kill(-stream.child.pid!, 'SIGKILL');
    await stream.exited;
    // The server commits or rolls back the dead client's last statements once it notices the closed connections.
    await until(async () => (await otherSessions(database!.url)) === 0, 'the dead client\'s sessions to end');
    const committed = await committedIds(database.url);
    expectExactlyTheAcknowledged(committed, stream);
  });
});
