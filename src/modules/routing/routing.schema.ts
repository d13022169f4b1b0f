import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Availability, ChatStrategy, Strategy } from '../../contracts/routing.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

/** Availabilities and strategies are stored as the wire names them (src/contracts/routing.ts). */
export { AVAILABILITIES, CHAT_STRATEGIES, STRATEGIES, type Availability, type ChatStrategy, type Strategy } from '../../contracts/routing.js';
/** The kinds of work that count against a capacity: open tickets, concurrent chats. */
export const WORK_KINDS = ['ticket', 'chat'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];
export type AssignmentReason = ChatStrategy | 'manual' | 'released' | 'transfer';

export interface RoutingAgentsTable {
  workspace_id: WorkspaceId;
  agent_id: string;
  availability: ColumnType<Availability, Availability | undefined, Availability>;
  availability_changed_at: ColumnType<Date, Date | undefined, Date>;
  ticket_capacity: ColumnType<number, number | undefined, number>;
  chat_capacity: ColumnType<number, number | undefined, number>;
  ticket_load: ColumnType<number, number | undefined, number>;
  chat_load: ColumnType<number, number | undefined, number>;
  last_ticket_seq: ColumnType<string | null, never, string | null>;
  last_ticket_at: Date | null;
  last_chat_seq: ColumnType<string | null, never, string | null>;
  last_chat_at: Date | null;
  /** Set while the agent does after-contact work: no chat is offered until the chat sweeper clears it. */
  acw_until: Date | null;
  chat_idle_since: Date | null;
}

export interface RoutingDepartmentsTable {
  workspace_id: WorkspaceId;
  department_id: string;
  strategy: Strategy;
  auto_assign: boolean;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  chat_strategy: ColumnType<ChatStrategy, ChatStrategy | undefined, ChatStrategy>;
  overflow_department_id: string | null;
  overflow_after_seconds: number | null;
  customer_selectable: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface DepartmentMembersTable {
  workspace_id: WorkspaceId;
  department_id: string;
  agent_id: string;
  created_at: CreatedAt;
}

export interface RoutingHoldingsTable {
  workspace_id: WorkspaceId;
  kind: WorkKind;
  item_id: string;
  agent_id: string;
  department_id: string | null;
  confirmed: ColumnType<boolean, boolean | undefined, boolean>;
  held_since: Date;
}

export interface RoutingAssignmentsTable {
  id: Generated<number>;
  workspace_id: WorkspaceId;
  kind: WorkKind;
  item_id: string;
  agent_id: string | null;
  previous_agent_id: string | null;
  department_id: string | null;
  reason: AssignmentReason;
  created_at: CreatedAt;
}

export interface RoutingTables {
  routing_agents: RoutingAgentsTable;
  routing_departments: RoutingDepartmentsTable;
  department_members: DepartmentMembersTable;
  routing_holdings: RoutingHoldingsTable;
  routing_assignments: RoutingAssignmentsTable;
}

export type RoutingAgentRow = Selectable<RoutingAgentsTable>;
export type RoutingDepartmentRow = Selectable<RoutingDepartmentsTable>;
export type HoldingRow = Selectable<RoutingHoldingsTable>;
export type AssignmentRow = Selectable<RoutingAssignmentsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends RoutingTables {}
}
