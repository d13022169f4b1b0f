/**
 * The automations' history, as a workspace that grew over months has it: every ticket already due
 * for an automation was claimed by an earlier sweep, under the condition key the sweep computes
 * (`TriageAutomations.sweep`). Bulk-seeded tickets have no such history, so the first sweep after a
 * seed fires for thousands of them at once; a benchmark measuring something else claims them first.
 *
 * The conditions are those of the demo's settings (`triage.demo.ts`), which the triage bench saves
 * too. Every statement takes the workspace id as `$1`.
 */
export const DEMO_AUTOMATIONS = { remindAfterHours: 4, escalateAfterHours: 24, autoCloseAfterDays: 7 };

/** An ISO instant as JavaScript's toISOString writes it (the condition keys), of a timestamp in whole milliseconds. */
const isoKey = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Per automation: which tickets are due, and the key their run is claimed under. */
const DUE = [
  {
    automation: 'remind',
    where: `status in ('new', 'open') and assignee_id is not null and last_customer_message_at < now() - interval '${DEMO_AUTOMATIONS.remindAfterHours} hours'
            and (last_agent_message_at is null or last_agent_message_at < last_customer_message_at)`,
    key: isoKey('t.last_customer_message_at'),
  },
  {
    automation: 'escalate',
    where: `status in ('new', 'open') and first_response_at is null and created_at < now() - interval '${DEMO_AUTOMATIONS.escalateAfterHours} hours'`,
    key: `'no-first-reply'`,
  },
  {
    automation: 'autoClose',
    where: `status = 'pending' and updated_at < now() - interval '${DEMO_AUTOMATIONS.autoCloseAfterDays} days'`,
    key: isoKey('t.updated_at'),
  },
] as const;

/** Statements that claim, as done, the run of every due ticket not claimed yet. */
export const claimDueAutomations: string[] = DUE.map(({ automation, where, key }) => `
  insert into triage_automation_runs (workspace_id, ticket_id, automation, condition_key, state, plan, claimed_at, done_at)
  select workspace_id, id, '${automation}', ${key}, 'done', '{"reason":{}}', now(), now()
  from tickets t where workspace_id = $1 and merged_into_id is null and ${where}
  on conflict do nothing`);

/** Statements that find (ids) the due tickets without a claimed run: what a sweep would fire for, in SQL. */
export const unclaimedDueTickets: string[] = DUE.map(({ automation, where, key }) => `
  select t.id from tickets t where t.workspace_id = $1 and t.merged_into_id is null and ${where}
    and not exists (select 1 from triage_automation_runs r where r.workspace_id = t.workspace_id and r.ticket_id = t.id
                    and r.automation = '${automation}' and r.condition_key = ${key})`);
