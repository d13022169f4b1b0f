import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Roll-ups of settled days (UTC day of queued_at, per department): the metrics of a month read
    -- these instead of aggregating every session again. Rebuilt for a day whenever the service-level
    -- threshold it was computed with is not the workspace's any more.
    create table chat_metric_days (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      day date not null,
      department_id uuid,
      offline int not null,
      offered int not null,
      answered int not null,
      abandoned int not null,
      within_service_level int not null,
      answer_ms double precision not null,
      handled int not null,
      handle_ms double precision not null,
      with_acw int not null,
      acw_ms double precision not null,
      transferred int not null
    );
    create unique index chat_metric_days_key on chat_metric_days (workspace_id, day, coalesce(department_id, '00000000-0000-0000-0000-000000000000'));

    -- Which days are rolled up (a day without chats has no rows above, but is done all the same).
    create table chat_metric_days_done (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      day date not null,
      service_level_seconds int not null,
      primary key (workspace_id, day)
    );
  `.execute(db);
}
