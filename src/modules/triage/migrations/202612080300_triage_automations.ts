import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Time-based automations, duplicate merging and spam scoring, per workspace (triage.automations.ts);
    -- one JSON document checked by AutomationSettingsInput, the defaults where a workspace has none.
    create table triage_automation_settings (
      workspace_id uuid primary key references workspaces(id) on delete cascade,
      settings jsonb not null,
      updated_at timestamptz not null default now()
    );

    -- One row per ticket, automation and condition: the key that makes each automation fire once.
    -- 'claimed' holds the plan (the values to set, who to tell) before anything is done, so a retry
    -- after a crash carries out the same plan; 'done' once it was carried out.
    create table triage_automation_runs (
      workspace_id uuid not null references workspaces(id) on delete cascade,
      ticket_id uuid not null,
      automation text not null check (automation in ('remind', 'escalate', 'autoClose')),
      condition_key text not null,
      state text not null check (state in ('claimed', 'done')),
      plan jsonb not null,
      claimed_at timestamptz not null,
      done_at timestamptz,
      primary key (workspace_id, ticket_id, automation, condition_key)
    );

    alter table triage_decisions
      add column spam_score smallint,
      add column spam_signals jsonb not null default '[]',
      add column duplicate_of uuid;
  `.execute(db);
}
