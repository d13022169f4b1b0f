import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import type { TicketStatus, Urgency } from '../tickets/index.js';
import type { CalendarDocument } from './sla.calendar.js';
import type { ClockKind } from '../../contracts/sla.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type Json<T> = ColumnType<T, string, string>;

/** Clocks are stored as the wire names them (src/contracts/sla.ts). */
export type { ClockKind };
export type Phase = 'warning' | 'breach';

/** What a policy does when one of its clocks warns or breaches. */
export type EscalationRule = {
  on: Phase;
  /** Which clocks this rule is for; all three when absent. */
  targets?: ClockKind[];
} & (
  | { action: 'notify'; notify: 'assignee' | 'admins' }
  | { action: 'raise_urgency' }
  | { action: 'reassign'; agentId: string }
);

/** One escalation step as planned when a clock warned or breached: fixed then, carried out (once) afterwards. */
export type EscalationAction =
  | { type: 'notify'; agentIds: string[] }
  | { type: 'raise_urgency'; from: Urgency; to: Urgency }
  | { type: 'reassign'; agentId: string }
  /** Publishes sla.warned / sla.breached, with the deadline as it was when marked. */
  | { type: 'event'; dueAt: string | null };

export interface SlaCalendarsTable {
  workspace_id: WorkspaceId;
  time_zone: string;
  weekly_hours: Json<CalendarDocument['weeklyHours']>;
  holidays: Json<CalendarDocument['holidays']>;
  workdays: Json<CalendarDocument['workdays']>;
  pause_on_hold: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SlaPoliciesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  name: string;
  urgency: Urgency;
  department_id: string | null;
  customer_tier: string | null;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  warning_minutes: ColumnType<number, number | undefined, number>;
  escalations: Json<EscalationRule[]>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Per ticket: the policy in force, the status last seen, and its pauses. */
export interface SlaTicketStatesTable {
  ticket_id: string;
  workspace_id: WorkspaceId;
  policy_id: string | null;
  status: TicketStatus;
  /** Set while the clocks do not run (waiting on the customer, or solved). */
  paused_since: Date | null;
  /** Closed pauses, [from, to] as ISO strings: business time inside them does not count. */
  pauses: Json<[string, string][]>;
  first_responded_at: Date | null;
  /** Optimistic concurrency: each save bumps it; a save that lost a race re-reads and tries again. */
  version: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** One clock: first response (one), next response (one per customer turn), resolution (one). */
export interface SlaClocksTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  ticket_id: string;
  kind: ClockKind;
  cycle: number;
  started_at: Date;
  target_minutes: number | null;
  /** Null while paused, stopped before it was due, or without a target. */
  due_at: Date | null;
  warn_at: Date | null;
  stopped_at: Date | null;
  outcome: 'met' | 'cancelled' | null;
  /** Business minutes it ran, written when it stops (for reports). */
  business_minutes: number | null;
  warned_at: Date | null;
  breached_at: Date | null;
}

export interface SlaEscalationsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  ticket_id: string;
  clock_id: string;
  phase: Phase;
  position: number;
  action: Json<EscalationAction>;
  /** A runner holds the step until then; a crashed runner's step is picked up after it passes. */
  claimed_until: Date | null;
  done_at: Date | null;
  outcome: 'done' | 'skipped' | 'failed' | null;
  error_code: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface SlaNotificationsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  escalation_id: string;
  ticket_id: string;
  agent_id: string;
  phase: Phase;
  kind: ClockKind;
  locale: Locale;
  subject: string;
  body: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface SlaTables {
  sla_calendars: SlaCalendarsTable;
  sla_policies: SlaPoliciesTable;
  sla_ticket_states: SlaTicketStatesTable;
  sla_clocks: SlaClocksTable;
  sla_escalations: SlaEscalationsTable;
  sla_notifications: SlaNotificationsTable;
}

export type CalendarRow = Selectable<SlaCalendarsTable>;
export type PolicyRow = Selectable<SlaPoliciesTable>;
export type TicketStateRow = Selectable<SlaTicketStatesTable>;
export type ClockRow = Selectable<SlaClocksTable>;
export type EscalationRow = Selectable<SlaEscalationsTable>;
export type NotificationRow = Selectable<SlaNotificationsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends SlaTables {}
}
