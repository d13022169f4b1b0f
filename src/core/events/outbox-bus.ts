import pg from 'pg';
import { sql, type QueryExecutorProvider } from 'kysely';
import { AppError } from '../errors.js';
import { collectInOneTransaction, inOneTransaction, transactionWithFinalStatement, withCommitOfOneTransaction } from '../db/database.js';
import { ListenConnection } from '../db/listen-connection.js';
import { runReplayable } from '../jobs/replayable.js';
import {
  LocalSubscribers, assertSubscription, createEvent, parseEvent, type BatchHandler, type DomainEvent, type EventBus, type EventHandler, type EventLogger,
  type EventName, type EventPayload, type PublishOptions, type SubscribeOptions,
} from './event-bus.js';

/**
 * The transactional outbox (README.md, "Delivery"). Publishing writes rows to `events` in the
 * caller's transaction and NOTIFYs at its commit. Every node tails the log for its realtime
 * listeners; where `start({ durable: true })` runs (the worker role), each durable subscriber is
 * driven by the one node holding its advisory lock, from its cursor in `event_subscribers`.
 */
export interface OutboxBusOptions {
  /** Publishing outside a transaction goes through it. */
  db: QueryExecutorProvider;
  pool: pg.Pool;
  /** For a listening connection of its own (which holds the subscribers' locks) when none is shared. */
  connectionString: string;
  /**
   * The process's listening connection, shared with the job queue (one Postgres process fewer);
   * without it the bus opens one of its own and ends it when it closes.
   */
  listenConnection?: ListenConnection;
  log: EventLogger;
  /** Check payloads against the catalogue's schemas (tests). */
  checkPayloads?: boolean;
  /** Events read per query, and handed to a subscriber at a time; default 200. */
  batchSize?: number;
  /**
   * Events this node keeps in memory after its one read per wake, for subscribers busy when it was
   * made; default 5 batches. A subscriber further behind reads the log on its own until it catches up.
   */
  windowSize?: number;
  /** Attempts of one handler on one event before it is recorded in event_failures; default 5. */
  attempts?: number;
  /** Delay before the second attempt, doubled after each; default 200 ms. */
  retryDelayMs?: number;
  /** Events of different streams handled side by side by one subscriber; default 8. */
  concurrency?: number;
  /** Events older than this are pruned once every durable subscriber has handled them; default 7 days. */
  retentionHours?: number;
  /** How often cursors that only jumped over other subscribers' events are written; default 30 s. */
  jumpsSaveMs?: number;
  /**
   * How long a cursor that moved over handled events waits to be written with the others that
   * moved meanwhile, in one statement; default 50 ms.
   */
  cursorSaveMs?: number;
}

export interface SubscriberState {
  subscriber: string;
  types: string[];
  /** Events of its types committed and not yet handled. */
  lag: number;
  handled: number;
  failed: number;
  updatedAt: Date;
  /** Held by a node of the cluster right now. */
  active: boolean;
}

export interface LoggedEvent extends Record<string, unknown> {
  seq: number;
  id: string;
  type: string;
  workspaceId: string;
  stream: string | null;
  occurredAt: Date;
}

export interface OutboxBus extends EventBus {
  /** Starts delivery: realtime listeners always, durable subscribers where `durable` (the worker role). */
  start(options: { durable: boolean }): Promise<void>;
  /** Each durable subscriber's position in the log. */
  subscribers(): Promise<SubscriberState[]>;
  /** The newest events, newest first. */
  tail(limit: number): Promise<LoggedEvent[]>;
}

const CHANNEL = 'kefu_events';
/** First key of the two-key advisory locks; the second is the subscriber id's hash. */
const LOCK_SPACE = 0x6b656675; // "kefu"
/** Without a notification (a transaction that held the horizon back ended silently), look anyway. */
const POLL_MS = 1000;
const CLAIM_EVERY_MS = 5000;
/**
 * Committed events a running transaction still holds behind the horizon (it began before they
 * committed) are looked for again after this, doubling up to POLL_MS while held: without it they
 * waited for the next poll, up to a second per hop of a chain of subscribers and jobs.
 */
const HELD_BACK_FIRST_MS = 20;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/**
 * Cursors that only jumped over other events are written this often, all in one statement: such a
 * jump needs no write for correctness (nothing would be handled twice after a crash), only so a
 * restart does not read far back.
 */
const JUMPS_SAVE_MS_DEFAULT = 30_000;
/**
 * Cursors that moved over handled events are written together this long after the first of them:
 * one statement for every subscriber's batches meanwhile instead of one per batch (each subscriber
 * of `ticket.created` wrote its own, two or more statements and commits per ticket). A crash in
 * between re-delivers what those batches held, which handlers take as a no-op (README.md, "Delivery").
 */
const CURSOR_SAVE_MS_DEFAULT = 50;
/**
 * Events of one subscriber handled in one transaction at most: its row locks are held until the
 * last of them is handled, so an agent's write to one of those tickets waits that long.
 */
const TRANSACTION_EVENTS = 50;

interface Row {
  seq: number;
  txid: string;
  id: string;
  type: string;
  workspace_id: string;
  stream: string | null;
  payload: unknown;
  occurred_at: Date;
}

/** A position in the log: everything at or before it, in (txid, seq) order, is behind. */
interface Cursor {
  txid: string;
  seq: number;
}

/** An event read from the log, parsed once for every reader of this node. */
interface Entry {
  at: Cursor;
  row: Row;
  /** Parsed on first use; null: it does not match the catalogue. */
  event?: DomainEvent | null;
}

/** A handful of entries for one reader, and where its cursor goes once it has handled them. */
interface Batch {
  entries: Entry[];
  next: Cursor;
}

interface Durable {
  id: string;
  type: string;
  handler: EventHandler;
  /** Its set-based handler, called with a whole chunk where it has one (event-bus.ts `BatchHandler`). */
  batch?: BatchHandler;
  owned: boolean;
  /** Where it is, while this node holds its lock; undefined: read it from event_subscribers. */
  cursor?: Cursor;
  /**
   * What the stored cursor lags behind `cursor`: nothing; only events of other subscribers (the next
   * jumps save takes it); or handled events, `unsavedHandled` of them (written within cursorSaveMs).
   */
  unsaved: 'none' | 'jumped' | 'handled';
  unsavedHandled: number;
  running: boolean;
  again: boolean;
}

/**
 * The oldest transaction that may still commit events here: the oldest one running in this
 * database, else the first not yet completed (the snapshot's xmax). Transaction ids are
 * cluster-wide, so the snapshot's own xmin would also wait for a long transaction in another
 * database on a shared server, which can never write this database's events. Only transactions
 * seen running in another database are passed over; one that ends between the snapshot and that
 * look is not, and the horizon stays at it (early, never late: the statement's snapshot does not
 * see its rows yet). The activity is looked at only when transactions are running.
 */
const HORIZON = `(select case when not exists (select from pg_snapshot_xip(s.snap))
    then pg_snapshot_xmax(s.snap)
    else coalesce((select min(running) from pg_snapshot_xip(s.snap) as running
       where xid(running) not in (
         select backend_xid from pg_stat_get_activity(null)
         where backend_xid is not null
           and datid is distinct from (select oid from pg_database where datname = current_database()))),
       pg_snapshot_xmax(s.snap)) end
  from (select pg_current_snapshot() as snap) as s)`;

/** xid8 values as decimal text: a longer one is larger, the same length compares as text. */
const compare = (a: Cursor, b: Cursor): number =>
  a.txid.length - b.txid.length || (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : a.seq - b.seq);
const later = (a: Cursor, b: Cursor): Cursor => (compare(a, b) >= 0 ? a : b);
const earlier = (a: Cursor, b: Cursor): Cursor => (compare(a, b) <= 0 ? a : b);

export function createOutboxBus(options: OutboxBusOptions): OutboxBus {
  const { pool, log } = options;
  const batchSize = options.batchSize ?? 200;
  const windowSize = options.windowSize ?? batchSize * 5;
  const attempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const concurrency = options.concurrency ?? 8;
  const retentionHours = options.retentionHours ?? 24 * 7;
  const cursorSaveMs = options.cursorSaveMs ?? CURSOR_SAVE_MS_DEFAULT;
  const check = options.checkPayloads ?? false;
  const realtime = new LocalSubscribers(log);
  const durables = new Map<string, Durable>();
  const timers = new Set<NodeJS.Timeout>();
  const connection = options.listenConnection ?? new ListenConnection(options.connectionString, log, 'kefu-events-listen');
  let started: { durable: boolean } | undefined;
  let closed = false;
  /**
   * What this node read of the log: every event after `from` up to `to`, of every type, in order.
   * Each wake reads once, after `to`; every reader of this node (its realtime listeners, the
   * durable subscribers it holds) takes its part from here, each from its own cursor.
   */
  const window: { from: Cursor; to: Cursor; entries: Entry[] } = { from: { txid: '0', seq: 0 }, to: { txid: '0', seq: 0 }, entries: [] };
  let pumping = false;
  let pumpAgain = false;
  let realtimeCursor: Cursor | undefined;
  let heldBackTimer: NodeJS.Timeout | undefined;
  let heldBackMs = HELD_BACK_FIRST_MS;
  let cursorSaveTimer: NodeJS.Timeout | undefined;
  let cursorSaving: Promise<void> = Promise.resolve();

  const assertOpen = () => {
    if (closed) throw new AppError('EVENT_BUS_CLOSED', 500, 'The event bus is closed');
  };

  /** One statement: the rows, and a notification sent when (if) the transaction commits. */
  const insert = (events: { event: DomainEvent; stream: string | null }[]) => sql`
    with written as (
      insert into events (id, type, workspace_id, stream, payload, occurred_at)
      values ${sql.join(events.map(({ event, stream }) =>
        sql`(${event.id}, ${event.type}, ${event.workspaceId}, ${stream}, ${JSON.stringify(event.payload)}::jsonb, ${event.occurredAt})`))}
      returning 1
    )
    select pg_notify(${CHANNEL}, '') from (select count(*) from written) as n`;

  /** `insert`'s statement as plain SQL, its values escaped as literals: for the COMMIT's round trip (`transactionWithFinalStatement`). */
  const insertText = (events: { event: DomainEvent; stream: string | null }[]): string => {
    const literal = (value: string | null) => (value === null ? 'null' : pg.escapeLiteral(value));
    const rows = events.map(({ event, stream }) => `(${[event.id, event.type, event.workspaceId, stream].map(literal).join(', ')}, `
      + `${literal(JSON.stringify(event.payload))}::jsonb, ${literal(event.occurredAt)})`);
    return `with written as (insert into events (id, type, workspace_id, stream, payload, occurred_at) values ${rows.join(', ')} returning 1)
      select pg_notify(${literal(CHANNEL)}, '') from (select count(*) from written) as n`;
  };

  const horizon = async (): Promise<string> =>
    (await pool.query<{ xmin: string }>(`select (${HORIZON})::text as xmin`)).rows[0]!.xmin;

  /**
   * One statement: committed events after `cursor` of transactions older than any still running
   * (so none can appear behind it later), that horizon, and whether committed events wait behind it.
   * On `on` when given (the listening connection), else on the pool.
   */
  const read = async (cursor: Cursor, types: string[] | undefined, on: Pick<pg.Pool, 'query'> = pool): Promise<{ rows: Row[]; until: string; held: boolean }> => {
    const { rows } = await on.query<Row & { until: string; held: boolean }>(
      `with h as (
         select x.xmin, exists (select 1 from events where txid >= x.xmin) as held
         from (select ${HORIZON} as xmin) x
       )
       select h.xmin::text as until, h.held, e.seq, e.txid::text as txid, e.id, e.type, e.workspace_id, e.stream, e.payload, e.occurred_at
       from h left join lateral (
         select * from events where (txid, seq) > ($1::xid8, $2) and txid < h.xmin ${types ? 'and type = any($4)' : ''}
         order by txid, seq limit $3
       ) e on true`,
      types ? [cursor.txid, cursor.seq, batchSize, types] : [cursor.txid, cursor.seq, batchSize]);
    const [first] = rows;
    return { rows: first?.id ? rows : [], until: first!.until, held: first!.held };
  };

  /** After a read of `rows` from `cursor`: the last row of a full batch, else the horizon (nothing before it is left). */
  const nextAfter = (cursor: Cursor, rows: Row[], until: string): Cursor => {
    const last = rows.at(-1);
    return rows.length === batchSize ? { txid: last!.txid, seq: last!.seq } : later(cursor, { txid: until, seq: 0 });
  };

  const entryOf = (row: Row): Entry => ({ at: { txid: row.txid, seq: row.seq }, row });

  const eventOf = (entry: Entry): DomainEvent | undefined => {
    if (entry.event === undefined) {
      const { row } = entry;
      entry.event = parseEvent({ id: row.id, type: row.type, workspaceId: row.workspace_id, payload: row.payload, occurredAt: row.occurred_at.toISOString() }) ?? null;
    }
    return entry.event ?? undefined;
  };

  /**
   * A reader's next batch of its events after `cursor`: from the window when it is inside it (no
   * statement), from its own read of the log when it is behind (a subscriber catching up after a
   * crash, or one slower than the others). Undefined: nothing new.
   */
  const nextBatch = async (cursor: Cursor, type: string): Promise<Batch | undefined> => {
    let batch: Batch;
    if (compare(cursor, window.from) >= 0) {
      const entries: Entry[] = [];
      let next = later(cursor, window.to);
      for (const entry of window.entries) {
        if (compare(entry.at, cursor) <= 0 || (type !== '*' && entry.row.type !== type)) continue;
        entries.push(entry);
        if (entries.length === batchSize) { next = entry.at; break; }
      }
      batch = { entries, next };
    } else {
      // Not past what this node's listeners have been handed (the window's end), though the log may have more.
      const end = window.to;
      const { rows, until } = await read(cursor, type === '*' ? undefined : [type]);
      const seen = rows.filter((row) => compare({ txid: row.txid, seq: row.seq }, end) <= 0);
      const next = seen.length === batchSize ? { txid: seen.at(-1)!.txid, seq: seen.at(-1)!.seq } : later(cursor, earlier(end, { txid: until, seq: 0 }));
      batch = { entries: seen.map(entryOf), next };
    }
    return batch.entries.length || compare(batch.next, cursor) > 0 ? batch : undefined;
  };

  /**
   * The one read per wake: appends what committed since the window's end, hands it to every reader
   * of this node, and forgets what all of them are past (or, over `windowSize`, what the slowest
   * are still behind: they read on their own).
   */
  const pump = async (): Promise<void> => {
    if (pumping) { pumpAgain = true; return; }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        // The node's one read a second even when nothing happens: on the listening connection,
        // which is always open. On the pool it kept a connection (a Postgres process of 20 MB)
        // open on an idle server; the pool only while the listening connection reconnects.
        const { rows, until, held } = await read(window.to, undefined, connection.client);
        window.entries.push(...rows.map(entryOf));
        window.to = nextAfter(window.to, rows, until);
        if (rows.length === batchSize) pumpAgain = true;
        else heldBack(held);
        serve();
        forget();
      } while (pumpAgain && !closed);
    } catch (err) {
      if (!closed) log.warn({ err }, 'event bus: reading the event log failed; retrying on the next event');
    } finally {
      pumping = false;
    }
  };

  const serve = (): void => {
    if (closed) return;
    deliverRealtime();
    for (const durable of durables.values()) if (durable.owned) void runDurable(durable);
  };

  const forget = (): void => {
    let keepFrom = window.to;
    for (const reader of [{ cursor: realtimeCursor }, ...[...durables.values()].filter((d) => d.owned)]) {
      // A subscriber just taken has not read its cursor yet: it may be anywhere in the window.
      const cursor = reader.cursor ?? window.from;
      if (compare(cursor, window.from) >= 0 && compare(cursor, keepFrom) < 0) keepFrom = cursor;
    }
    let drop = 0;
    while (drop < window.entries.length && compare(window.entries[drop]!.at, keepFrom) <= 0) drop++;
    drop = Math.max(drop, window.entries.length - windowSize);
    if (drop > 0) {
      window.from = later(window.from, window.entries[drop - 1]!.at);
      window.entries.splice(0, drop);
    }
    if (!window.entries.length) window.from = later(window.from, keepFrom);
  };

  /**
   * Committed events a running transaction holds behind the horizon are looked for again soon,
   * not at the next poll (every node reads, so every node notices).
   */
  const heldBack = (held: boolean): void => {
    if (!held) { heldBackMs = HELD_BACK_FIRST_MS; return; }
    if (heldBackTimer || closed) return;
    heldBackTimer = setTimeout(() => { heldBackTimer = undefined; wake(); }, heldBackMs);
    heldBackTimer.unref();
    heldBackMs = Math.min(heldBackMs * 2, POLL_MS);
  };

  // ---- realtime: this node's listeners, from the moment it started ------------------------

  /**
   * Hands this node's listeners everything the window holds past their cursor, in log order, at
   * once: their handlers are called before any durable subscriber of this node is handed these
   * events (and a subscriber reading on its own stops at the window's end). So a cache dropped on an
   * event (`sla.settings_changed`, `webhook.changed`) is dropped before a handler on this node uses
   * it for a later event. Listeners are synchronous (socket pushes, cache drops); `deliver` logs
   * what one throws or rejects.
   */
  const deliverRealtime = (): void => {
    if (!realtimeCursor) return;
    for (const entry of window.entries) {
      if (compare(entry.at, realtimeCursor) <= 0) continue;
      const event = eventOf(entry);
      if (event) void realtime.deliver(event);
    }
    realtimeCursor = later(realtimeCursor, window.to);
  };

  // ---- durable subscribers: once per cluster, from their cursors ----------------------------

  const handleWithRetries = async (durable: Durable, event: DomainEvent): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        // Replayable work (core/jobs/replayable.ts): the event is stored, the cursor moves by a
        // synchronous commit only after the handler returned, and a redelivery is a no-op (the
        // table in README.md); so the handler's own commits need not wait for the disk.
        await runReplayable(async () => durable.handler(event));
        return;
      } catch (err) {
        if (attempt >= attempts || closed) {
          log.error({ err, eventId: event.id, eventType: event.type, subscriber: durable.id, attempts: attempt }, 'event handler failed; recorded in event_failures');
          await pool.query(
            `insert into event_failures (subscriber, event_id, attempts, error) values ($1, $2, $3, $4)
             on conflict (subscriber, event_id) do update set attempts = event_failures.attempts + excluded.attempts, error = excluded.error, failed_at = now()`,
            [durable.id, event.id, attempt, String((err as Error)?.message ?? err).slice(0, 2000)]);
          return;
        }
        await sleep(retryDelayMs * 2 ** (attempt - 1));
      }
    }
  };

  /**
   * A batch in one transaction (core/db/database.ts `inOneTransaction`), its events one after
   * another in log order: a BEGIN and a COMMIT per batch instead of per event and transaction. If
   * any of them fails, nothing of the batch stays and each event is handled on its own.
   */
  const handleBatch = async (durable: Durable, entries: Entry[]): Promise<void> => {
    const events: { event: DomainEvent; stream: string }[] = [];
    for (const entry of entries) {
      const event = eventOf(entry);
      if (event) events.push({ event, stream: entry.row.stream ?? entry.row.id });
      else log.warn({ eventId: entry.row.id, eventType: entry.row.type, subscriber: durable.id }, 'event bus: skipped an event that does not match the catalogue');
    }
    for (let start = 0; start < events.length; start += TRANSACTION_EVENTS) {
      const chunk = events.slice(start, start + TRANSACTION_EVENTS);
      try {
        await runReplayable(() => inOneTransaction(async () => {
          if (durable.batch) await durable.batch(chunk.map(({ event }) => event));
          else for (const { event } of chunk) await durable.handler(event);
        }));
      } catch (err) {
        if (closed) return;
        log.debug?.({ err, subscriber: durable.id, events: chunk.length }, 'event bus: a batch failed in one transaction; handling its events one by one');
        await handleEach(durable, chunk);
      }
    }
  };

  /** Events of one stream one after another, streams side by side, each with its own retries. */
  const handleEach = async (durable: Durable, events: { event: DomainEvent; stream: string }[]): Promise<void> => {
    const streams = new Map<string, DomainEvent[]>();
    for (const { event, stream } of events) streams.set(stream, [...(streams.get(stream) ?? []), event]);
    const queue = [...streams.values()];
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let stream = queue.shift(); stream; stream = queue.shift()) {
        for (const event of stream) await handleWithRetries(durable, event);
      }
    });
    await Promise.all(workers);
  };

  /**
   * Hands a subscriber its events, a batch at a time, from its own cursor: a subscriber busy with a
   * batch (or retrying a failing handler) holds up no other, and takes what it missed meanwhile
   * from the window, or from the log once it has fallen behind the window.
   */
  const runDurable = async (durable: Durable): Promise<void> => {
    if (durable.running) { durable.again = true; return; }
    durable.running = true;
    try {
      do {
        durable.again = false;
        for (;;) {
          if (!durable.owned || closed) break;
          // The stored cursor is read once per ownership: only the lock holder moves it.
          if (!durable.cursor) {
            const { rows: [state] } = await pool.query<Cursor>('select txid::text as txid, seq from event_subscribers where subscriber = $1', [durable.id]);
            if (!state) break;
            durable.cursor = state;
          }
          const batch = await nextBatch(durable.cursor, durable.type);
          if (!batch) break;
          await handleBatch(durable, batch.entries);
          if (!durable.owned) break;
          // No statement here: the cursor is written with the others that moved meanwhile, soon
          // when it moved over handled events, now and then when it only jumped over others' events.
          durable.cursor = batch.next;
          if (batch.entries.length) {
            durable.unsaved = 'handled';
            durable.unsavedHandled += batch.entries.length;
            scheduleCursorSave();
          } else if (durable.unsaved === 'none') {
            durable.unsaved = 'jumped';
          }
        }
      } while (durable.again && !closed);
    } catch (err) {
      if (!closed) log.warn({ err, subscriber: durable.id }, 'event bus: durable delivery failed; retrying');
    } finally {
      durable.running = false;
    }
  };

  /**
   * One statement for the owned cursors ahead of what is stored: those that moved over handled
   * events, and with `jumps` those that only jumped over other subscribers' events. Only forward:
   * a cursor another node moved further meanwhile stays. The statement commits synchronously, so
   * the handlers' own asynchronous commits before it (core/jobs/replayable.ts) are on disk with it.
   */
  const saveCursors = (options: { jumps: boolean }): Promise<void> => {
    // One at a time: two saves of the same cursor would both take its handled count off.
    const next = cursorSaving.then(() => writeCursors(options));
    cursorSaving = next.catch(() => undefined);
    return next;
  };

  const writeCursors = async ({ jumps }: { jumps: boolean }): Promise<void> => {
    const saved = [...durables.values()]
      .filter((d) => d.owned && d.cursor && (d.unsaved === 'handled' || (jumps && d.unsaved === 'jumped')))
      .map((d) => ({ durable: d, cursor: d.cursor!, handled: d.unsavedHandled }));
    if (!saved.length) return;
    await pool.query(
      `update event_subscribers s set txid = v.txid::xid8, seq = v.seq, handled = s.handled + v.handled, updated_at = now()
       from unnest($1::text[], $2::text[], $3::bigint[], $4::int[]) as v(subscriber, txid, seq, handled)
       where s.subscriber = v.subscriber and (s.txid, s.seq) < (v.txid::xid8, v.seq)`,
      [saved.map((x) => x.durable.id), saved.map((x) => x.cursor.txid), saved.map((x) => x.cursor.seq), saved.map((x) => x.handled)]);
    for (const { durable, cursor, handled } of saved) {
      // Not below zero: the subscriber may have been forgotten (its lock lost) while the statement ran.
      durable.unsavedHandled = Math.max(0, durable.unsavedHandled - handled);
      // Unless it moved on while the statement ran: then the next save takes it.
      if (durable.cursor === cursor) durable.unsaved = 'none';
      else if (durable.unsaved === 'handled') scheduleCursorSave();
    }
  };

  /** What is not yet written stays so: the node now holding the subscriber re-delivers it. */
  const forgetCursor = (durable: Durable): void => {
    durable.cursor = undefined;
    durable.unsaved = 'none';
    durable.unsavedHandled = 0;
  };

  const scheduleCursorSave = (): void => {
    if (cursorSaveTimer || closed) return;
    cursorSaveTimer = setTimeout(() => {
      cursorSaveTimer = undefined;
      saveCursors({ jumps: false }).catch((err: unknown) => {
        log.warn({ err }, 'event bus: saving cursors failed; retrying');
        scheduleCursorSave();
      });
    }, cursorSaveMs);
    cursorSaveTimer.unref();
  };

  /** Takes the lock of every durable subscriber no node holds; a node that dies lets go of its locks with its connection. */
  const claim = async (): Promise<void> => {
    const client = connection.client;
    if (!client || !started?.durable) return;
    const free = [...durables.values()].filter((durable) => !durable.owned);
    if (!free.length) return;
    // Two statements on the connection that holds the locks, whatever the number of subscribers:
    // taken one by one (and their cursors read one per subscriber, side by side on the pool), a
    // start opened a Postgres process per subscriber at once.
    const { rows: locks } = await client.query<{ subscriber: string; locked: boolean }>(
      'select id as subscriber, pg_try_advisory_lock($1, hashtext(id)) as locked from unnest($2::text[]) as id',
      [LOCK_SPACE, free.map((durable) => durable.id)]);
    const taken = locks.filter((lock) => lock.locked).map((lock) => lock.subscriber);
    for (const durable of free) {
      durable.owned = taken.includes(durable.id);
      // Another node may have moved the cursor while this one did not hold the lock.
      forgetCursor(durable);
    }
    if (!taken.length) return;
    // Read after the locks are held, in a statement of its own: its snapshot then holds whatever
    // the node that let go of them saved before it did.
    const { rows: cursors } = await client.query<Cursor & { subscriber: string }>(
      'select subscriber, txid::text as txid, seq from event_subscribers where subscriber = any($1::text[])', [taken]);
    for (const { subscriber, txid, seq } of cursors) {
      const durable = durables.get(subscriber);
      if (durable?.owned && !durable.cursor) durable.cursor = { txid, seq };
    }
  };

  /** A commit, the poll or a claim: one read of the log, then every reader takes its part. */
  const wake = (): void => {
    if (closed || !started) return;
    void pump();
  };

  const prune = async (): Promise<void> => {
    // Never past the slowest subscriber: what one has not handled stays.
    await pool.query(
      `delete from events where occurred_at < now() - make_interval(hours => $1)
       and (txid, seq) < coalesce((select min((txid, seq)) from event_subscribers), (txid, seq))`,
      [retentionHours]).catch((err: unknown) => log.warn({ err }, 'event bus: pruning the event log failed'));
  };

  /** The connection that hears commits holds this node's subscriber locks: claimed again after a reconnect. */
  const listen = () => connection.listen(CHANNEL, {
    onNotify: wake,
    onConnected: async () => { await claim(); wake(); },
    onLost: () => { for (const durable of durables.values()) { durable.owned = false; forgetCursor(durable); } },
  });

  /** Lets go of this node's subscribers so another node's worker takes them over. */
  const release = async (): Promise<void> => {
    await connection.unlisten(CHANNEL);
    if (!options.listenConnection) return connection.close();
    const client = connection.client;
    for (const durable of durables.values()) {
      if (!durable.owned) continue;
      durable.owned = false;
      await client?.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_SPACE, durable.id]).catch(() => undefined);
    }
  };

  const every = (ms: number, work: () => Promise<void> | void) => {
    const timer = setInterval(() => { void work(); }, ms);
    timer.unref();
    timers.add(timer);
  };

  return {
    async publish<K extends EventName>(type: K, workspaceId: string, payload: EventPayload<K>, opts?: PublishOptions): Promise<DomainEvent<K>> {
      assertOpen();
      const event = createEvent(type, workspaceId, payload, check);
      await insert([{ event: event as DomainEvent, stream: opts?.stream ?? null }]).execute(options.db);
      return event;
    },

    async transaction(db, work) {
      assertOpen();
      return transactionWithFinalStatement(db, async (trx, withCommit) => {
        const events: { event: DomainEvent; stream: string | null }[] = [];
        const result = await work(trx, {
          publish(type, workspaceId, payload, opts) {
            const event = createEvent(type, workspaceId, payload, check);
            events.push({ event: event as DomainEvent, stream: opts?.stream ?? null });
            return event;
          },
        });
        // In an `inOneTransaction` scope (a batch of inbound mail, of a subscriber's events) the
        // batch's events are written together with its commit.
        const collected = events.length ? collectInOneTransaction(insert, async (all: typeof events) => {
          if (!withCommitOfOneTransaction(insertText(all))) await insert(all).execute(options.db);
        }) : undefined;
        if (collected) collected.push(...events);
        // Else with the COMMIT, in its round trip, where the transaction is not joined to another.
        else if (events.length && !withCommit(insertText(events))) await insert(events).execute(trx);
        return result;
      });
    },

    subscribe(type: string, handler: EventHandler, opts?: SubscribeOptions): () => void {
      const id = opts?.subscriber;
      if (id === undefined) return realtime.subscribe(type, handler, opts);
      assertSubscription(type, handler, opts);
      if (durables.has(id)) throw new AppError('EVENT_SUBSCRIBER_TAKEN', 500, `Two handlers for the subscriber ${id}`, { subscriber: id });
      if (started) throw new AppError('EVENT_BUS_STARTED', 500, 'Durable subscribers are registered before the bus starts', { subscriber: id });
      durables.set(id, { id, type, handler, batch: opts?.batch, owned: false, unsaved: 'none', unsavedHandled: 0, running: false, again: false });
      return () => { durables.delete(id); };
    },

    async start({ durable }): Promise<void> {
      assertOpen();
      if (started) return;
      // Every subscriber this release declares gets a cursor at the current horizon, before this
      // node publishes anything: it handles every event from now on, none from before it existed.
      const now = await horizon();
      for (const { id, type } of durables.values()) {
        await pool.query(
          `insert into event_subscribers (subscriber, types, txid, seq) values ($1, $2, $3::xid8, 0)
           on conflict (subscriber) do update set types = excluded.types`,
          [id, type === '*' ? [] : [type], now]);
      }
      realtimeCursor = { txid: now, seq: 0 };
      window.from = window.to = realtimeCursor;
      started = { durable };
      await listen();
      every(POLL_MS, wake);
      if (durable) {
        every(CLAIM_EVERY_MS, () => claim().then(wake, (err: unknown) => log.warn({ err }, 'event bus: claiming subscribers failed')));
        every(PRUNE_EVERY_MS, prune);
        every(options.jumpsSaveMs ?? JUMPS_SAVE_MS_DEFAULT, () => saveCursors({ jumps: true }).catch((err: unknown) => log.warn({ err }, 'event bus: saving cursors failed')));
      }
      wake();
    },

    async drain(): Promise<void> {
      const { rows: [head] } = await pool.query<{ seq: number | null }>('select max(seq) as seq from events');
      if (!head?.seq) return;
      for (;;) {
        // What this node's subscribers handled is counted once their cursors are written.
        await saveCursors({ jumps: false });
        const { rows: [behind] } = await pool.query<{ n: number }>(
          `select count(*)::int as n from events e join event_subscribers s
             on (cardinality(s.types) = 0 or e.type = any(s.types)) and (e.txid, e.seq) > (s.txid, s.seq)
           where e.seq <= $1`, [head.seq]);
        if (!behind?.n) break;
        await sleep(50);
      }
      // This node's realtime listeners too (a test's `subscribe('*')` expects what it caused): they
      // are handed events from the node's own tail, which may be a moment behind the subscribers.
      while (started && !closed && realtimeCursor) {
        const cursor = realtimeCursor;
        const { rows: [late] } = await pool.query<{ late: boolean }>(
          'select exists (select 1 from events where seq <= $1 and (txid, seq) > ($2::xid8, $3)) as late', [head.seq, cursor.txid, cursor.seq]);
        if (!late?.late) return;
        wake();
        await sleep(20);
      }
    },

    async subscribers(): Promise<SubscriberState[]> {
      const { rows } = await pool.query<{ subscriber: string; types: string[]; lag: number; handled: number; failed: number; updated_at: Date; active: boolean }>(
        `select s.subscriber, s.types, s.handled, s.updated_at,
           (select count(*)::int from events e where (e.txid, e.seq) > (s.txid, s.seq) and (cardinality(s.types) = 0 or e.type = any(s.types))) as lag,
           (select count(*)::int from event_failures f where f.subscriber = s.subscriber) as failed,
           exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.classid = $1 and l.objid = hashtext(s.subscriber)::oid and l.granted) as active
         from event_subscribers s order by s.subscriber`, [LOCK_SPACE]);
      return rows.map((r) => ({ subscriber: r.subscriber, types: r.types, lag: r.lag, handled: r.handled, failed: r.failed, updatedAt: r.updated_at, active: r.active }));
    },

    async tail(limit: number): Promise<LoggedEvent[]> {
      const { rows } = await pool.query<Row>(
        'select seq, id, type, workspace_id, stream, payload, occurred_at from events order by seq desc limit $1', [limit]);
      return rows.map((r) => ({ seq: r.seq, id: r.id, type: r.type, workspaceId: r.workspace_id, stream: r.stream, occurredAt: r.occurred_at, payload: r.payload }));
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      clearTimeout(heldBackTimer);
      clearTimeout(cursorSaveTimer);
      realtime.clear();
      // So the node that takes the subscribers over starts where this one stopped.
      await saveCursors({ jumps: true }).catch((err: unknown) => log.warn({ err }, 'event bus: saving cursors on close failed'));
      await release();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
