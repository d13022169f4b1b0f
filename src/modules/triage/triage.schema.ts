import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import type { AutomationSettings, RuleAction, RuleCondition, TriageTarget } from '../../contracts/triage.js';
import type { ClassifierState } from './triage.classifier.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type Json<T> = ColumnType<T, string, string>;
export type ChoiceSource = 'rule' | 'model' | 'none';

export interface TriageSettingsTable {
  workspace_id: WorkspaceId;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  auto_apply_threshold: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TriageRulesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  position: number;
  name: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  conditions: Json<RuleCondition[]>;
  actions: Json<RuleAction[]>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TriageModelsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  target: TriageTarget;
  version: number;
  examples: number;
  labels: Json<string[]>;
  held_out_accuracy: number | null;
  state: Json<ClassifierState>;
  /** The stored state's size in bytes (UTF-8 JSON). */
  size_bytes: ColumnType<number | null, number | null | undefined, never>;
  /** On the held-back fifth: `counts[actual][predicted]` over `labels`; null with too few examples. */
  confusion: ColumnType<Confusion | null, string | null | undefined, never>;
  trained_at: ColumnType<Date, Date | undefined, never>;
}

export interface Confusion { labels: string[]; counts: number[][] }

export interface TriageDecisionsTable {
  ticket_id: string;
  workspace_id: WorkspaceId;
  department_id: string | null;
  department_source: ChoiceSource;
  department_rule_id: string | null;
  department_confidence: number | null;
  department_applied: boolean;
  urgency: number | null;
  urgency_source: ChoiceSource;
  urgency_rule_id: string | null;
  urgency_confidence: number | null;
  urgency_applied: boolean;
  rule_ids: Json<string[]>;
  tags: Json<string[]>;
  suppress_ack: boolean;
  spam: boolean;
  model_versions: Json<Record<string, number>>;
  /** The spam score and the signals that made it (triage.spam.ts); null when scoring was off. */
  spam_score: ColumnType<number | null, number | null | undefined, never>;
  spam_signals: ColumnType<string[], string | undefined, never>;
  /** The earlier ticket this one was merged into as a duplicate. */
  duplicate_of: ColumnType<string | null, string | null | undefined, never>;
  /** A rule's agent (set when the ticket had none), its answer template, whom it told (null: the admins). */
  assignee_id: ColumnType<string | null, string | null | undefined, never>;
  reply_template_id: ColumnType<string | null, string | null | undefined, never>;
  notified: ColumnType<(string | null)[], string | undefined, never>;
  decided_at: ColumnType<Date, Date | undefined, never>;
}

export interface TriageTemplatesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  department_id: string | null;
  urgency: number | null;
  locale: Locale;
  subject: string;
  body: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TriageAutomationSettingsTable {
  workspace_id: WorkspaceId;
  settings: Json<AutomationSettings>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type AutomationKind = 'remind' | 'escalate' | 'autoClose';

export interface TriageAutomationRunsTable {
  workspace_id: WorkspaceId;
  ticket_id: string;
  automation: AutomationKind;
  condition_key: string;
  state: 'claimed' | 'done';
  plan: Json<AutomationPlan>;
  claimed_at: Date;
  done_at: Date | null;
}

/** What an automation will do to a ticket, fixed when it is claimed so a retry does the same. */
export interface AutomationPlan {
  urgency?: number;
  departmentId?: string;
  status?: 'closed';
  /** Agents to mail. */
  notify?: string[];
  /** Mail the customer the auto-close notice. */
  noticeToCustomer?: boolean;
  /** Why it fired: hours waited, or the SLA clock that warned. */
  reason: { hours?: number; days?: number; slaKind?: string };
}

export type RuleRow = Selectable<TriageRulesTable>;
export type TemplateRow = Selectable<TriageTemplatesTable>;
export type ModelRow = Selectable<TriageModelsTable>;
export type DecisionRow = Selectable<TriageDecisionsTable>;
export type AutomationRunRow = Selectable<TriageAutomationRunsTable>;

export interface TriageTables {
  triage_settings: TriageSettingsTable;
  triage_rules: TriageRulesTable;
  triage_models: TriageModelsTable;
  triage_decisions: TriageDecisionsTable;
  triage_templates: TriageTemplatesTable;
  triage_automation_settings: TriageAutomationSettingsTable;
  triage_automation_runs: TriageAutomationRunsTable;
}

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends TriageTables {}
}
