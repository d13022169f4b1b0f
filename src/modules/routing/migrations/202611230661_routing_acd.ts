import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The chat queue (ACD) shares routing with tickets. Agents may be on a break (logged in, not
    -- taking contacts); after a chat they do after-contact work (ACW) until acw_until passes and
    -- the chat sweeper frees them; chat_idle_since orders the longest-idle strategy.
    alter table routing_agents drop constraint routing_agents_availability_check;
    alter table routing_agents add constraint routing_agents_availability_check
      check (availability in ('online', 'away', 'on_break', 'offline'));
    alter table routing_agents add column acw_until timestamptz;
    alter table routing_agents add column chat_idle_since timestamptz;
    create index routing_agents_acw on routing_agents (acw_until) where acw_until is not null;

    -- A team routes chats with its own strategy (tickets keep theirs), and may overflow waiting
    -- chats to another team after some seconds.
    alter table routing_departments add column chat_strategy text not null default 'round_robin'
      check (chat_strategy in ('round_robin', 'least_loaded', 'longest_idle'));
    alter table routing_departments add column overflow_department_id uuid references departments(id) on delete set null;
    alter table routing_departments add column overflow_after_seconds int check (overflow_after_seconds between 1 and 86400);
    alter table routing_assignments drop constraint routing_assignments_reason_check;
    alter table routing_assignments add constraint routing_assignments_reason_check
      check (reason in ('round_robin', 'least_loaded', 'longest_idle', 'manual', 'released', 'transfer'));
  `.execute(db);
}
