import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Whether customers may pick the team on the portal's contact form. Internal teams (HR,
    -- finance) are still reachable by mail and by agents moving tickets; a team without a row here
    -- is offered, as before.
    alter table routing_departments add column customer_selectable boolean not null default true;
  `.execute(db);
}
