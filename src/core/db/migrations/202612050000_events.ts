import { sql, type Kysely } from 'kysely';

/**
 * The transactional outbox of domain events (core/events/outbox-bus.ts). An event is a row written
 * in the transaction that causes it. `txid` (the writing transaction) and `seq` order the log: a
 * reader takes only rows of transactions older than every transaction still running, so no row
 * can later appear behind its cursor.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table events (
      seq bigint generated always as identity primary key,
      txid xid8 not null default pg_current_xact_id(),
      id uuid not null unique,
      type text not null,
      workspace_id uuid not null,
      stream text,
      payload jsonb not null,
      occurred_at timestamptz not null
    )`.execute(db);
  await sql`create index events_log on events (txid, seq)`.execute(db);
  await sql`create index events_occurred on events (occurred_at)`.execute(db);
  // One row per durable subscriber: its cursor, and what it listens to (for its lag).
  await sql`
    create table event_subscribers (
      subscriber text primary key,
      types text[] not null,
      txid xid8 not null,
      seq bigint not null,
      handled bigint not null default 0,
      updated_at timestamptz not null default now()
    )`.execute(db);
  // Events a subscriber gave up on after its retries; kept for an operator to see.
  await sql`
    create table event_failures (
      subscriber text not null,
      event_id uuid not null,
      attempts int not null,
      error text not null,
      failed_at timestamptz not null default now(),
      primary key (subscriber, event_id)
    )`.execute(db);
}
