import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { recordingLog } from '../../../../test/helpers/log.js';
import { ListenConnection } from '../listen-connection.js';

let database: TestDatabase;
let sql: pg.Pool;
const opened: ListenConnection[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  sql = new pg.Pool({ connectionString: database.url, max: 2 });
  sql.on('error', () => undefined);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

function connection(name: string): ListenConnection {
  const c = new ListenConnection(database.url, recordingLog(), name);
  opened.push(c);
  return c;
}

const backends = async (name: string) => (await sql.query<{ pid: number }>(
  'select pid from pg_stat_activity where datname = current_database() and application_name = $1', [name])).rows.map((r) => r.pid);

const notify = (channel: string, payload: string) => sql.query('select pg_notify($1, $2)', [channel, payload]);

/** Records what a channel was told, in order. */
function channelLog() {
  const seen: string[] = [];
  return {
    seen,
    handlers: {
      onNotify: (payload: string) => { seen.push(payload); },
      onConnected: (_client: pg.Client, reconnected: boolean) => { seen.push(reconnected ? '<reconnected>' : '<connected>'); },
      onLost: () => { seen.push('<lost>'); },
    },
  };
}

describe('the listening connection', () => {
  it('listens on several channels over one Postgres connection', async () => {
    const listen = connection('test-listen-two');
    const events = channelLog();
    const jobs = channelLog();
    await Promise.all([listen.listen('test_events', events.handlers), listen.listen('test_jobs', jobs.handlers)]);
    expect(await backends('test-listen-two')).toHaveLength(1);
    await notify('test_events', 'e1');
    await notify('test_jobs', 'j1');
    await notify('test_other', 'nobody');
    await vi.waitFor(() => {
      expect(events.seen).toEqual(['<connected>', 'e1']);
      expect(jobs.seen).toEqual(['<connected>', 'j1']);
    });
  });

  it('after losing its connection, tells every channel, reconnects, listens again and says it reconnected', async () => {
    const listen = connection('test-listen-lost');
    const events = channelLog();
    const jobs = channelLog();
    await listen.listen('test_events', events.handlers);
    await listen.listen('test_jobs', jobs.handlers);
    const [before] = await backends('test-listen-lost');
    await sql.query('select pg_terminate_backend($1)', [before]);
    await vi.waitFor(() => expect(jobs.seen).toContain('<reconnected>'), { timeout: 5000, interval: 50 });
    const after = await backends('test-listen-lost');
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    await notify('test_events', 'e2');
    await notify('test_jobs', 'j2');
    await vi.waitFor(() => {
      expect(events.seen).toEqual(['<connected>', '<lost>', '<reconnected>', 'e2']);
      expect(jobs.seen).toEqual(['<connected>', '<lost>', '<reconnected>', 'j2']);
    });
  });

  it('stops one channel while the other keeps listening, and ends its connection when closed', async () => {
    const listen = connection('test-listen-stop');
    const events = channelLog();
    const jobs = channelLog();
    await listen.listen('test_events', events.handlers);
    await listen.listen('test_jobs', jobs.handlers);
    await listen.unlisten('test_events');
    await notify('test_events', 'after unlisten');
    await notify('test_jobs', 'j3');
    await vi.waitFor(() => expect(jobs.seen).toEqual(['<connected>', 'j3']));
    expect(events.seen).toEqual(['<connected>']);
    await listen.close();
    await vi.waitFor(async () => expect(await backends('test-listen-stop')).toEqual([]));
  });

  it('keeps trying when the database cannot be reached, without throwing', async () => {
    const log = recordingLog();
    const listen = new ListenConnection('postgres://postgres@127.0.0.1:1/none', log, 'test-listen-unreachable');
    opened.push(listen);
    await expect(listen.listen('test_events', channelLog().handlers)).resolves.toBeUndefined();
    expect(listen.client).toBeUndefined();
    expect(log.entries.some((e) => e.level === 'warn')).toBe(true);
  });

  it('refuses a channel name that is not a plain identifier, and a channel listened to twice', async () => {
    const listen = connection('test-listen-bad');
    await expect(listen.listen('kefu; drop table events', channelLog().handlers)).rejects.toThrow(/plain channel name/);
    await expect(listen.listen('Upper', channelLog().handlers)).rejects.toThrow(/plain channel name/);
    await listen.listen('test_twice', channelLog().handlers);
    await expect(listen.listen('test_twice', channelLog().handlers)).rejects.toThrow(/Already listening/);
  });
});
