import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Acknowledgement texts per department × urgency × language; null department or urgency means
    -- "any". One template per combination: the most specific one for a ticket is sent.
    create table triage_templates (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      department_id uuid,
      urgency smallint check (urgency between 0 and 4),
      locale text not null check (locale in ('zh-CN', 'en')),
      subject text not null check (length(subject) between 1 and 200),
      body text not null check (length(body) between 1 and 10000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index triage_templates_combination on triage_templates
      (workspace_id, coalesce(department_id, '00000000-0000-0000-0000-000000000000'), coalesce(urgency, -1), locale);
  `.execute(db);
}
