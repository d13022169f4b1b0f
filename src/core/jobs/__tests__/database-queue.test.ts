import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { createDatabaseQueue, PermanentJobError, type DatabaseJobQueue, type Job, type JobQueue } from '../index.js';
import { QueueWorker, ScheduledLane } from '../database-worker.js';
import { jobIdForKey } from '../job-queue.js';
import { gate, pause, recordingLog } from './test-support.js';
import { sql as kyselySql } from 'kysely';
import { connectDatabase, inOneTransaction } from '../../db/database.js';
import { createLogger } from '../../logger.js';

let database: TestDatabase;
let sql: pg.Pool;
const opened: JobQueue[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  sql = new pg.Pool({ connectionString: database.url, max: 2 });
  // The drop's forced termination may reach a client pool.end() has not finished closing.
  sql.on('error', () => undefined);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((q) => q.stop({ graceful: false })));
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

/** Polling at 0.5 s keeps retry and startAfter tests short; wake-up tests use the 2 s default. */
async function startQueue(opts: { pollingIntervalSeconds?: number; cronMonitorIntervalSeconds?: number; expireInSeconds?: number; maintenanceIntervalSeconds?: number } = {}) {
  const log = recordingLog();
  const queue = createDatabaseQueue({ connectionString: database.url, log, pollingIntervalSeconds: 0.5, ...opts });
  opened.push(queue);
  await queue.start();
  return { queue, log };
}

async function jobRow(name: string, id: string) {
  const { rows } = await sql.query<{ state: string; retry_count: number; output: unknown }>(
    'select state, retry_count, output from pgboss.job where name = $1 and id = $2', [name, id]);
  return rows[0];
}

describe('database job queue', () => {
  it('runs again a job left active by a worker that died, once it expires', async () => {
    // The dying worker: it takes the job and never finishes (its process is gone, not stopped).
    const { queue: dying } = await startQueue({ expireInSeconds: 2, maintenanceIntervalSeconds: 1 });
    const taken = gate();
    await dying.work<{ workspaceId: string }>('test.expiry', async () => { taken.open(); await new Promise(() => {}); });
    const id = await dying.send('test.expiry', { workspaceId: 'ws1' });
    await taken.promise;
    expect((await jobRow('test.expiry', id!))?.state).toBe('active');
    const { queue: survivor } = await startQueue({ expireInSeconds: 2, maintenanceIntervalSeconds: 1 });
    const ran: string[] = [];
    await survivor.work<{ workspaceId: string }>('test.expiry', async (job) => { ran.push(job.id); });
    await vi.waitFor(() => expect(ran).toEqual([id]), { timeout: 15_000, interval: 200 });
  });

  it('runs a sent job with its id, name and data', async () => {
    const { queue } = await startQueue();
    const seen: Job<{ workspaceId: string; ticketId: number }>[] = [];
    await queue.work<{ workspaceId: string; ticketId: number }>('test.basic', async (job) => { seen.push(job); });
    const id = await queue.send('test.basic', { workspaceId: 'ws1', ticketId: 7 });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 5000 });
    expect(seen[0]).toEqual({ id, name: 'test.basic', data: { workspaceId: 'ws1', ticketId: 7 } });
    await vi.waitFor(async () => expect((await jobRow('test.basic', id!))?.state).toBe('completed'));
  });

  it('wakes an idle worker by NOTIFY instead of waiting for its 2 s poll', async () => {
    const { queue } = await startQueue({ pollingIntervalSeconds: 2 });
    const started = new Map<number, number>();
    await queue.work<{ workspaceId: string; n: number }>('test.latency', async (job) => { started.set(job.data.n, performance.now()); });
    await pause(300); // the worker's first fetch found nothing: it now sleeps until a NOTIFY or 2 s
    const latencies: number[] = [];
    for (let n = 0; n < 20; n++) {
      const sentAt = performance.now();
      await queue.send('test.latency', { workspaceId: 'ws1', n });
      await vi.waitFor(() => expect(started.has(n)).toBe(true), { timeout: 3000, interval: 1 });
      latencies.push(started.get(n)! - sentAt);
      await pause(50);
    }
    latencies.sort((a, b) => a - b);
    console.log(`[jobs] send→start latency over 20 jobs: p50 ${latencies[10]!.toFixed(1)} ms, max ${latencies[19]!.toFixed(1)} ms`);
    // Loose on purpose (speed is for benchmarks): a poll-driven start would take up to 2 s.
    expect(latencies[19]).toBeLessThan(1000);
  });

  it('processes a burst without waiting a polling interval between jobs', async () => {
    const { queue } = await startQueue({ pollingIntervalSeconds: 2 });
    const total = 1000;
    let done = 0;
    await queue.work('test.burst', async () => { done++; }, { concurrency: 4 });
    const t0 = performance.now();
    for (let i = 0; i < total; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => queue.send('test.burst', { workspaceId: 'ws1', i: i + k })));
    }
    const sent = performance.now();
    await vi.waitFor(() => expect(done).toBe(total), { timeout: 25_000, interval: 5 });
    const end = performance.now();
    console.log(`[jobs] ${total} jobs: sends ${(total / ((sent - t0) / 1000)).toFixed(0)}/s (50 in flight), `
      + `send→all done ${(total / ((end - t0) / 1000)).toFixed(0)} jobs/s, concurrency 4`);
  });

  it('retries a failing handler with growing back-off until it succeeds', async () => {
    const { queue, log } = await startQueue();
    const attempts: number[] = [];
    await queue.work('test.retry', async () => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw new Error('smtp 451 try later');
    });
    const id = await queue.send('test.retry', { workspaceId: 'ws1' }, { retryLimit: 3, retryDelaySeconds: 1 });
    await vi.waitFor(() => expect(attempts).toHaveLength(3), { timeout: 15_000, interval: 20 });
    // Back-off: delay·2^n/2 plus up to as much jitter, so ≥1 s before the first retry, ≥2 s before the second.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1900);
    await vi.waitFor(async () => expect(await jobRow('test.retry', id!)).toMatchObject({ state: 'completed', retry_count: 2 }));
    expect(log.entries.filter((e) => e.level === 'warn' && String(e.args[1]).includes('retried'))).toHaveLength(2);
  });

  it('fails a job at once on PermanentJobError, with no retry left', async () => {
    const { queue, log } = await startQueue();
    let calls = 0;
    await queue.work('test.permanent', async () => {
      calls++;
      throw new PermanentJobError('the ticket was deleted');
    });
    const id = await queue.send('test.permanent', { workspaceId: 'ws1' }, { retryLimit: 3, retryDelaySeconds: 0, retryBackoff: false });
    await vi.waitFor(async () => expect((await jobRow('test.permanent', id!))?.state).toBe('failed'), { timeout: 5000 });
    await pause(1200); // two more polls: a retry would have run by now
    expect(calls).toBe(1);
    const row = await jobRow('test.permanent', id!);
    expect(row).toMatchObject({ state: 'failed', retry_count: 0, output: { name: 'PermanentJobError', message: 'the ticket was deleted' } });
    expect(log.entries.some((e) => e.level === 'error' && String(e.args[1]) === 'job failed')).toBe(true);
  });

  it('fails a job for good once its retries are used up', async () => {
    const { queue } = await startQueue();
    let calls = 0;
    await queue.work('test.exhausted', async () => { calls++; throw new Error('still broken'); });
    const id = await queue.send('test.exhausted', { workspaceId: 'ws1' }, { retryLimit: 1, retryDelaySeconds: 0, retryBackoff: false });
    await vi.waitFor(async () => expect((await jobRow('test.exhausted', id!))?.state).toBe('failed'), { timeout: 5000 });
    expect(calls).toBe(2);
  });

  it('dedupes by idempotency key while the job is queued, active or recently completed', async () => {
    const { queue } = await startQueue();
    const data = { workspaceId: 'ws1', messageId: '<a@b>' };
    // Queued (no worker yet), including racing sends.
    const first = await queue.send('test.idem', data, { idempotencyKey: 'mail:<a@b>' });
    expect(first).not.toBeNull();
    const racing = await Promise.all(Array.from({ length: 5 }, () => queue.send('test.idem', data, { idempotencyKey: 'mail:<a@b>' })));
    expect(racing).toEqual([null, null, null, null, null]);
    // Other keys and other queues are independent.
    expect(await queue.send('test.idem', data, { idempotencyKey: 'mail:<c@d>' })).not.toBeNull();
    expect(await queue.send('test.idem.other', data, { idempotencyKey: 'mail:<a@b>' })).not.toBeNull();
    // Active.
    const hold = gate();
    const runs: string[] = [];
    await queue.work<{ messageId: string }>('test.idem', async (job) => {
      runs.push(job.id);
      if (job.id === first) await hold.promise;
    }, { concurrency: 2 });
    await vi.waitFor(() => expect(runs).toContain(first));
    expect(await queue.send('test.idem', data, { idempotencyKey: 'mail:<a@b>' })).toBeNull();
    // Completed within the window.
    hold.open();
    await vi.waitFor(async () => expect((await jobRow('test.idem', first!))?.state).toBe('completed'));
    expect(await queue.send('test.idem', data, { idempotencyKey: 'mail:<a@b>' })).toBeNull();
    expect(runs.filter((id) => id === first)).toHaveLength(1);
  });

  it('accepts the key again after the job with it failed', async () => {
    const { queue } = await startQueue();
    let fail = true;
    const runs: number[] = [];
    await queue.work('test.idem.failed', async () => {
      runs.push(Date.now());
      if (fail) throw new PermanentJobError('mailbox rejected');
    });
    const first = await queue.send('test.idem.failed', { workspaceId: 'ws1' }, { idempotencyKey: 'k1' });
    await vi.waitFor(async () => expect((await jobRow('test.idem.failed', first!))?.state).toBe('failed'));
    fail = false;
    const again = await queue.send('test.idem.failed', { workspaceId: 'ws1' }, { idempotencyKey: 'k1' });
    expect(again).toBe(first); // the id comes from the key
    await vi.waitFor(async () => expect((await jobRow('test.idem.failed', first!))?.state).toBe('completed'));
    expect(runs).toHaveLength(2);
  });

  it('defers a job with startAfter', async () => {
    const { queue } = await startQueue();
    let ranAt = 0;
    await queue.work('test.later', async () => { ranAt = Date.now(); });
    const due = new Date(Date.now() + 1500);
    await queue.send('test.later', { workspaceId: 'ws1' }, { startAfter: due });
    await pause(800);
    expect(ranAt).toBe(0);
    await vi.waitFor(() => expect(ranAt).toBeGreaterThan(0), { timeout: 5000 });
    expect(ranAt).toBeGreaterThanOrEqual(due.getTime() - 50); // Postgres' clock decides; allow a little skew
  });

  it('an idle queue asks once per interval which queues have due jobs: idle workers do not fetch, a due one does', async () => {
    const { queue } = await startQueue();
    const names = Array.from({ length: 8 }, (_, i) => `test.idle${i}`);
    const ran: string[] = [];
    for (const name of names) await queue.work(name, async () => { ran.push(name); });
    await pause(600);
    const queries = vi.spyOn(pg.Pool.prototype, 'query');
    const onConnections = vi.spyOn(pg.Client.prototype, 'query');
    // pg-boss' fetch statement, with the queue's name as its first value.
    const fetchedQueues = () => queries.mock.calls.flatMap(([text, values]) => (typeof text === 'string' && /WITH next as/i.test(text) ? [(values as string[])[0]] : []));
    const polls = (spy: typeof queries | typeof onConnections) => spy.mock.calls.filter(([text]) => typeof text === 'string' && /unnest\(\$1::text\[\]\) AS q\(name\)/.test(text)).length;
    try {
      // Three polling intervals: each worker polling its own queue made 8 × 3 fetches.
      await pause(1600);
      expect(fetchedQueues()).toEqual([]);
      // Asked on the listening connection, which is open anyway: none through the pool, which opened a connection for each.
      expect(polls(onConnections)).toBeGreaterThanOrEqual(2);
      expect(polls(queries)).toBe(0);
      // A job whose start time comes is announced by no NOTIFY: the shared poll finds it, and only its queue fetches.
      await queue.send(names[3]!, { workspaceId: 'ws1' }, { startAfter: new Date(Date.now() + 700) });
      await vi.waitFor(() => expect(ran).toEqual([names[3]]), { timeout: 5000 });
      expect(new Set(fetchedQueues())).toEqual(new Set([names[3]]));
    } finally {
      queries.mockRestore();
      onConnections.mockRestore();
    }
  });

  it('lets several instances create the same queues at the same moment', async () => {
    const instances = await Promise.all([startQueue(), startQueue(), startQueue()]);
    const names = Array.from({ length: 6 }, (_, i) => `test.race_${i}`);
    await Promise.all(instances.flatMap(({ queue }) => names.map((name) => queue.work(name, async () => undefined))));
    const { rows } = await sql.query<{ name: string }>('select name from pgboss.queue where name like $1 order by name', ['test.race_%']);
    expect(rows.map((r) => r.name)).toEqual(names);
  });

  it('keeps a job sent while no worker runs and runs it from a new queue instance', async () => {
    const a = await startQueue();
    const id = await a.queue.send('test.durable', { workspaceId: 'ws1', note: 'survives restart' });
    await a.queue.stop();
    expect((await jobRow('test.durable', id!))?.state).toBe('created');

    const b = await startQueue();
    const seen: Job<unknown>[] = [];
    await b.queue.work('test.durable', async (job) => { seen.push(job); });
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 5000 });
    expect(seen[0]).toMatchObject({ id, data: { note: 'survives restart' } });
  });

  it('graceful stop lets the active handler finish and leaves queued jobs for the next start', async () => {
    const { queue } = await startQueue();
    const hold = gate();
    const events: string[] = [];
    await queue.work('test.graceful', async () => {
      events.push('handler started');
      await hold.promise;
      await pause(100);
      events.push('handler finished');
    }, { concurrency: 1 });
    const active = await queue.send('test.graceful', { workspaceId: 'ws1', n: 1 });
    await vi.waitFor(() => expect(events).toEqual(['handler started']));
    const queued = await queue.send('test.graceful', { workspaceId: 'ws1', n: 2 });
    const stopped = queue.stop({ graceful: true, timeoutMs: 5000 }).then(() => events.push('stop resolved'));
    await pause(200);
    expect(events).toEqual(['handler started']); // stop() is still waiting
    hold.open();
    await stopped;
    expect(events).toEqual(['handler started', 'handler finished', 'stop resolved']);
    expect(await jobRow('test.graceful', active!)).toMatchObject({ state: 'completed' });
    expect(await jobRow('test.graceful', queued!)).toMatchObject({ state: 'created', retry_count: 0 });
  });

  it('non-graceful stop hands the interrupted job back for a retry', async () => {
    const { queue } = await startQueue();
    const hold = gate();
    let started = false;
    await queue.work('test.abrupt', async () => { started = true; await hold.promise; });
    const id = await queue.send('test.abrupt', { workspaceId: 'ws1' });
    await vi.waitFor(() => expect(started).toBe(true));
    await queue.stop({ graceful: false });
    expect((await jobRow('test.abrupt', id!))?.state).toBe('retry');
    hold.open();
  });

  it('hands jobs fetched during stop back to the queue as they were, first attempts and retries alike', async () => {
    const boss = new PgBoss({ connectionString: database.url, max: 2, schedule: false, supervise: false });
    await boss.start();
    try {
      await boss.createQueue('test.release', { name: 'test.release' });
      const fresh = (await boss.send('test.release', { workspaceId: 'ws1' }))!;
      const retried = (await boss.send('test.release', { workspaceId: 'ws1' }, { retryLimit: 3, retryDelay: 0 }))!;
      // Give `retried` one failed attempt: state 'retry', retry_count 0, started_on set.
      await sql.query(`update pgboss.job set priority = 1 where id = $1`, [retried]);
      const [first] = await boss.fetch('test.release');
      expect(first!.id).toBe(retried);
      await boss.fail('test.release', retried, { message: 'first attempt failed' });
      await sql.query(`update pgboss.job set start_after = now() - interval '1 second' where id = $1`, [retried]);
      // pg-boss reads started_on only as "has it started before?", so that is what must survive.
      const rowsNow = () => sql.query('select id, state, retry_count, started_on is not null as started from pgboss.job where name = $1 order by id', ['test.release']);
      const before = await rowsNow();

      // Stop while the fetch is in flight: the worker must not run the jobs, and must undo the fetch.
      const fetchStarted = gate();
      const realFetch = boss.fetch.bind(boss);
      (boss as unknown as { fetch: typeof realFetch }).fetch = (async (...args: Parameters<typeof realFetch>) => {
        fetchStarted.open();
        const jobs = await realFetch(...args);
        await pause(100);
        return jobs;
      }) as typeof realFetch;
      let ran = 0;
      const worker = new QueueWorker('test.release', async () => { ran++; }, { concurrency: 2, replayable: false, relaxedDb: boss.getDb(), scheduledLane: new ScheduledLane() }, 2000, boss, 'pgboss', recordingLog());
      worker.start();
      await fetchStarted.promise;
      worker.stop();
      await worker.loopDone;

      expect(ran).toBe(0);
      const after = await rowsNow();
      expect(after.rows).toEqual(before.rows);
      expect(after.rows.find((r) => r.id === fresh)).toMatchObject({ state: 'created', retry_count: 0, started: false });
      expect(after.rows.find((r) => r.id === retried)).toMatchObject({ state: 'retry', retry_count: 0, started: true });
      // And the next fetch sees them exactly as a first fetch would have.
      const again = await realFetch('test.release', { batchSize: 2, includeMetadata: true });
      expect(again.map((j) => [j.id, j.retryCount]).sort()).toEqual([[fresh, 0], [retried, 1]].sort());
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it('registers a recurring schedule and runs its job when the cron fires', async () => {
    const { queue } = await startQueue({ cronMonitorIntervalSeconds: 1 });
    const seen: Job<{ workspaceId: string }>[] = [];
    await queue.work<{ workspaceId: string }>('test.cron', async (job) => { seen.push(job); });
    await queue.schedule('test.cron', '* * * * *', { workspaceId: 'ws1' }, { tz: 'Asia/Shanghai' });
    const { rows } = await sql.query('select name, cron, timezone, data from pgboss.schedule where name = $1', ['test.cron']);
    expect(rows).toEqual([{ name: 'test.cron', cron: '* * * * *', timezone: 'Asia/Shanghai', data: { workspaceId: 'ws1' } }]);
    // An every-minute cron is due at once; pg-boss checks each second here (cronMonitorIntervalSeconds: 1).
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(1), { timeout: 10_000, interval: 50 });
    expect(seen[0]!.data).toEqual({ workspaceId: 'ws1' });
  });

  it('runs the jobs of scheduled queues one at a time on a node, and other queues beside them', async () => {
    const { queue } = await startQueue();
    const running = new Set<string>();
    const overlaps: string[][] = [];
    const finished: string[] = [];
    const release = gate();
    const track = (name: string) => async (job: Job<object>) => {
      running.add(name);
      if (running.size > 1 && name !== 'test.unscheduled') overlaps.push([...running]);
      if (job.name !== 'test.unscheduled') await release.promise;
      await pause(20);
      running.delete(name);
      finished.push(name);
    };
    // Concurrency 2 and two queues: without the lane, four of these would run at once.
    for (const name of ['test.sweep-a', 'test.sweep-b']) {
      await queue.work(name, track(name), { concurrency: 2 });
      // A cron that does not fire during the test: the queue counts as scheduled all the same.
      await queue.schedule(name, '0 0 1 1 *');
    }
    await queue.work('test.unscheduled', track('test.unscheduled'));
    for (const name of ['test.sweep-a', 'test.sweep-b', 'test.sweep-a', 'test.sweep-b']) await queue.send(name, {});
    await vi.waitFor(() => expect(running.size).toBe(1), { timeout: 5_000, interval: 20 });
    await pause(300);
    expect(running.size).toBe(1);
    // A queue without a schedule is not held up by the scheduled one that waits.
    await queue.send('test.unscheduled', {});
    await vi.waitFor(() => expect(finished).toContain('test.unscheduled'), { timeout: 5_000, interval: 20 });
    release.open();
    await vi.waitFor(() => expect(finished.filter((n) => n !== 'test.unscheduled')).toHaveLength(4), { timeout: 10_000, interval: 20 });
    expect(overlaps).toEqual([]);
  });

  it('stops while scheduled work waits for its turn, and leaves the waiting job queued', async () => {
    const { queue } = await startQueue();
    const holding = gate();
    const started: string[] = [];
    await queue.work('test.lane-holder', async () => { started.push('holder'); await holding.promise; });
    await queue.work('test.lane-waiter', async () => { started.push('waiter'); });
    await queue.schedule('test.lane-holder', '0 0 1 1 *');
    await queue.schedule('test.lane-waiter', '0 0 1 1 *');
    await queue.send('test.lane-holder', {});
    await vi.waitFor(() => expect(started).toEqual(['holder']), { timeout: 5_000, interval: 20 });
    const waiting = await queue.send('test.lane-waiter', {});
    await pause(500);
    const stopped = queue.stop({ graceful: true, timeoutMs: 5_000 });
    // The holder finishes once the workers were told to stop (stop() first lets go of its NOTIFY channel).
    await pause(500);
    holding.open();
    await stopped;
    expect(started).toEqual(['holder']);
    expect((await jobRow('test.lane-waiter', waiting!))?.state).toBe('created');
  });

  it('rejects bad input with stable codes', async () => {
    const idle = createDatabaseQueue({ connectionString: database.url, log: recordingLog() });
    await expect(idle.send('test.x', { workspaceId: 'ws1' })).rejects.toMatchObject({ code: 'JOB_QUEUE_STATE' });
    const { queue } = await startQueue();
    await expect(queue.send('bad name!', { workspaceId: 'ws1' })).rejects.toMatchObject({ code: 'JOB_NAME_INVALID' });
    await expect(queue.send('test.x', 'text' as unknown as object)).rejects.toMatchObject({ code: 'JOB_DATA_INVALID' });
    await expect(queue.send('test.x', { workspaceId: 'ws1' }, { retryLimit: -1 })).rejects.toMatchObject({ code: 'JOB_OPTIONS_INVALID' });
    await expect(queue.schedule('test.x', 'not a cron')).rejects.toMatchObject({ code: 'JOB_SCHEDULE_INVALID' });
    await expect(queue.work('test.x', async () => {}, { concurrency: 0 })).rejects.toMatchObject({ code: 'JOB_OPTIONS_INVALID' });
  });

  it('fails to start with JOB_QUEUE_UNAVAILABLE when the database is unreachable', async () => {
    const queue = createDatabaseQueue({ connectionString: 'postgres://postgres@127.0.0.1:1/none', log: recordingLog() });
    await expect(queue.start()).rejects.toMatchObject({ code: 'JOB_QUEUE_UNAVAILABLE' });
  });

  it('holds at most four connections: two of pg-boss, one for relaxed statements, the listener', async () => {
    const { queue } = await startQueue();
    await queue.work('test.pool', async () => { await pause(20); }, { concurrency: 8 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => queue.send('test.pool', { workspaceId: 'ws1', i })));
    await pause(300);
    const { rows } = await sql.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name like 'kefu-jobs%'`);
    expect(rows[0]!.n).toBeLessThanOrEqual(4);
  });

  it('closes what a burst opened once idle: the listener and one pg-boss connection stay, the relaxed one ends', async () => {
    const { queue } = await startQueue();
    await queue.work('test.idle', async () => { await pause(20); }, { concurrency: 8 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => queue.send('test.idle', { workspaceId: 'ws1', i })));
    const connections = async () => (await sql.query<{ name: string; n: number }>(
      `select application_name as name, count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name like 'kefu-jobs%' group by 1`)).rows;
    // The due-jobs poll (every 0.5 s here) and pg-boss' timers keep one pg-boss connection busy.
    await vi.waitFor(async () => expect(await connections()).toEqual(expect.arrayContaining([{ name: 'kefu-jobs-listen', n: 1 }])), { timeout: 5000, interval: 100 });
    await vi.waitFor(async () => {
      const open = await connections();
      expect(open.find((c) => c.name === 'kefu-jobs-relaxed')).toBeUndefined();
      expect(open.find((c) => c.name === 'kefu-jobs')?.n ?? 0).toBeLessThanOrEqual(1);
    }, { timeout: 8000, interval: 200 });
  });

  it('drain() waits for the due jobs of its queues, not for those whose start is ahead', async () => {
    const { queue } = await startQueue();
    const ran: number[] = [];
    await queue.work<{ workspaceId: string; i: number }>('test.drain', async (job) => { await pause(100); ran.push(job.data.i); }, { concurrency: 2 });
    const later = await queue.send('test.drain', { workspaceId: 'ws1', i: 99 }, { startAfter: new Date(Date.now() + 3_600_000) });
    await Promise.all([0, 1, 2, 3].map((i) => queue.send('test.drain', { workspaceId: 'ws1', i })));
    await queue.drain({ timeoutMs: 10_000 });
    expect(ran.sort()).toEqual([0, 1, 2, 3]);
    expect((await jobRow('test.drain', later!))?.state).toBe('created');
  });

  it('drain() gives up with JOB_QUEUE_DRAIN_TIMEOUT while a job still runs', async () => {
    const { queue } = await startQueue();
    const release = gate();
    await queue.work('test.drain_slow', async () => { await release.promise; });
    await queue.send('test.drain_slow', { workspaceId: 'ws1' });
    await expect(queue.drain({ timeoutMs: 300 })).rejects.toMatchObject({ code: 'JOB_QUEUE_DRAIN_TIMEOUT' });
    release.open();
    await queue.drain({ timeoutMs: 10_000 });
  });
});

describe('a job sent inside a subscriber\'s batch transaction (inOneTransaction)', () => {
  /** The jobs `n` of the queue `name`, sent one by one or in one statement. */
  const ways = {
    send: async (queue: DatabaseJobQueue, name: string, ns: number[]) => { for (const n of ns) await queue.send(name, { workspaceId: 'ws1', n }, { idempotencyKey: `joined:${n}` }); },
    sendMany: async (queue: DatabaseJobQueue, name: string, ns: number[]) => {
      await queue.sendMany(ns.map((n) => ({ name, data: { workspaceId: 'ws1', n }, options: { idempotencyKey: `joined:${n}` } })));
    },
  };

  it.each(Object.keys(ways) as (keyof typeof ways)[])('is stored with the transaction\'s writes by %s: no worker sees it before the commit, none ever when it rolls back, and the commit wakes the worker', async (way) => {
    const name = `test.joined.${way}`;
    // Polling every 30 s: a job run sooner was woken by the NOTIFY sent with the commit.
    const { queue } = await startQueue({ pollingIntervalSeconds: 30 });
    const sendNumbered = (ns: number[]) => ways[way](queue, name, ns);
    const ran: number[] = [];
    await queue.work<{ workspaceId: string; n: number }>(name, async (job) => { ran.push(job.data.n); });
    const kefuDatabase = await connectDatabase(database.url, { max: 2, log: createLogger('silent') });
    const count = async () => Number((await sql.query(`select count(*) as n from pgboss.job where name = $1`, [name])).rows[0].n);
    try {
      await inOneTransaction(async () => {
        await kyselySql`select 1`.execute(kefuDatabase.db);
        await sendNumbered([1, 2]);
        expect(await count()).toBe(0);
        await new Promise((r) => setTimeout(r, 300));
        expect(ran).toEqual([]);
      });
      await vi.waitFor(() => expect(ran.sort()).toEqual([1, 2]), { timeout: 5000, interval: 50 });

      await expect(inOneTransaction(async () => {
        await kyselySql`select 1`.execute(kefuDatabase.db);
        await sendNumbered([3]);
        throw new Error('the batch fails');
      })).rejects.toThrow('the batch fails');
      expect(await count()).toBe(2);
      // The rolled-back job took no key.
      await sendNumbered([3]);
      expect(await count()).toBe(3);
    } finally {
      await kefuDatabase.close();
    }
  });
});

describe('sendMany: several jobs in one statement', () => {
  /** The INSERTs into the job table while `work` runs, whichever pool sends them. */
  async function jobInserts(work: () => Promise<unknown>): Promise<number> {
    const query = vi.spyOn(pg.Pool.prototype, 'query');
    try {
      await work();
      return query.mock.calls.filter(([text]) => typeof text === 'string' && /INSERT INTO pgboss\.job\b/.test(text)).length;
    } finally {
      query.mockRestore();
    }
  }

  it('stores each job as send stores it, all of them in one INSERT', async () => {
    const { queue } = await startQueue();
    const later = new Date(Date.now() + 3_600_000);
    const options = { startAfter: later, retryLimit: 3, retryDelaySeconds: 4, retryBackoff: true };
    const bySend = [
      await queue.send('test.many.same', { workspaceId: 'ws1', n: 1 }, { ...options, idempotencyKey: 'send:1' }),
      await queue.send('test.many.same', { workspaceId: 'ws1', n: 2 }),
      await queue.send('test.many.same', { workspaceId: 'ws1', n: 3 }, { retryBackoff: false, retryDelaySeconds: 0 }),
    ];
    let byMany: (string | null)[] = [];
    const inserts = await jobInserts(async () => {
      byMany = await queue.sendMany([
        { name: 'test.many.same', data: { workspaceId: 'ws1', n: 1 }, options: { ...options, idempotencyKey: 'many:1' } },
        { name: 'test.many.same', data: { workspaceId: 'ws1', n: 2 } },
        { name: 'test.many.same', data: { workspaceId: 'ws1', n: 3 }, options: { retryBackoff: false, retryDelaySeconds: 0 } },
      ]);
    });
    expect(inserts).toBe(1);
    const stored = async (ids: (string | null)[]) => (await sql.query(`
      select data, state, priority, retry_limit, retry_count, retry_delay, retry_backoff, start_after > now() + interval '1 minute' as later,
        keep_until - start_after as kept, expire_in, singleton_on, dead_letter, policy, coalesce(singleton_key, '') <> '' as keyed,
        case when start_after > now() + interval '1 minute' then start_after end as start_after_given
      from pgboss.job where name = 'test.many.same' and id = any($1::uuid[]) order by (data->>'n')::int`, [ids])).rows;
    const sent = await stored(bySend);
    expect(sent).toHaveLength(3);
    expect(await stored(byMany)).toEqual(sent);
    expect(sent[0]).toMatchObject({ later: true, keyed: true, retry_limit: 3, retry_delay: 4, retry_backoff: true, start_after_given: later, state: 'created', policy: 'standard' });
    // The key fixes the id, as with send.
    expect(byMany[0]).toBe(jobIdForKey('test.many.same', 'many:1'));
  });

  it('keeps idempotency keys: a taken key, by an earlier job of the list too, is refused; a failed job\'s key is taken over', async () => {
    const { queue } = await startQueue();
    const job = (key: string | undefined, n: number) => ({ name: 'test.many.keys', data: { workspaceId: 'ws1', n }, options: key ? { idempotencyKey: key } : undefined });
    const first = await queue.sendMany([job('a', 1), job('b', 2), job('a', 3), job(undefined, 4)]);
    expect(first[0]).not.toBeNull();
    expect(first[1]).not.toBeNull();
    expect(first[2]).toBeNull();
    expect(first[3]).not.toBeNull();
    // Sent again, by either call: nothing more stored.
    const again = await queue.sendMany([job('a', 5), job('b', 6), job('c', 7)]);
    expect(again.slice(0, 2)).toEqual([null, null]);
    expect(await queue.send('test.many.keys', { workspaceId: 'ws1', n: 8 }, { idempotencyKey: 'c' })).toBeNull();
    const rows = async () => (await sql.query(`select data->>'n' as n, state from pgboss.job where name = 'test.many.keys' order by (data->>'n')::int`)).rows;
    expect((await rows()).map((r) => r.n)).toEqual(['1', '2', '4', '7']);
    // A failed job does not hold its key: the next send replaces it, under the same id.
    await sql.query(`update pgboss.job set state = 'failed' where name = 'test.many.keys' and id = $1`, [first[1]]);
    const replaced = await queue.sendMany([job('b', 9), job('a', 10)]);
    expect(replaced).toEqual([first[1], null]);
    expect(await rows()).toEqual([{ n: '1', state: 'created' }, { n: '4', state: 'created' }, { n: '7', state: 'created' }, { n: '9', state: 'created' }]);
  });
});
