import type { Kysely } from 'kysely';
import type { DB } from '../../core/db/database.js';
import { isUniqueViolation } from '../../core/db/unique-violation.js';
import { queryTemplate } from '../../core/db/query-template.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { RuleAction, RuleCondition, TriageTarget } from '../../contracts/triage.js';
import type { ClassifierState } from './triage.classifier.js';
import type { AutomationSettings } from '../../contracts/triage.js';
import type { AutomationKind, AutomationPlan, Confusion, TriageDecisionsTable } from './triage.schema.js';

type Db = Kysely<DB>;
/** Trainings storing a version at the same moment: more than a few at once would be a loop, not a race. */
const MAX_VERSION_ATTEMPTS = 5;
export type NewDecision = Omit<TriageDecisionsTable, 'workspace_id' | 'decided_at' | 'rule_ids' | 'tags' | 'model_versions' | 'spam_score' | 'spam_signals' | 'duplicate_of' | 'assignee_id' | 'reply_template_id' | 'notified'> & {
  rule_ids: string[]; tags: string[]; model_versions: Record<string, number>;
  spam_score?: number | null; spam_signals?: string[]; duplicate_of?: string | null;
  assignee_id?: string | null; reply_template_id?: string | null; notified?: (string | null)[];
};

/** A decision as its row is inserted (its lists as JSON). */
const decisionRow = (values: NewDecision) => ({
  ...values, rule_ids: JSON.stringify(values.rule_ids), tags: JSON.stringify(values.tags), model_versions: JSON.stringify(values.model_versions),
  spam_signals: JSON.stringify(values.spam_signals ?? []), notified: JSON.stringify(values.notified ?? []),
});

/** Models kept per workspace and target: the newest classifies, the others show the history. */
const MODELS_KEPT = 5;

interface RunKey { ticketId: string; automation: AutomationKind; conditionKey: string }

/** Statements of every ticket's decision and automations, built and compiled once (core/db/query-template.ts). */
const DECISION = queryTemplate((db, { ticketId }: { ticketId: string }) => db.selectFrom('triage_decisions').selectAll().where('ticket_id', '=', ticketId));
const DECISIONS = queryTemplate((db, { ticketIds }: { ticketIds: readonly string[] }) => db.selectFrom('triage_decisions').selectAll()
  .where('ticket_id', '=', (eb) => eb.fn.any(eb.val(ticketIds))));
const INSERT_DECISION = queryTemplate((db, row: ReturnType<typeof decisionRow>) => db.insertInto('triage_decisions').values(row)
  .onConflict((oc) => oc.column('ticket_id').doNothing()).returningAll());
const RUN = queryTemplate((db, { ticketId, automation, conditionKey }: RunKey) => db.selectFrom('triage_automation_runs').selectAll()
  .where('ticket_id', '=', ticketId).where('automation', '=', automation).where('condition_key', '=', conditionKey));
const INSERT_RUN = queryTemplate((db, { ticketId, automation, conditionKey, plan, now }: RunKey & { plan: string; now: Date }) => db.insertInto('triage_automation_runs').values({
  ticket_id: ticketId, automation, condition_key: conditionKey, state: 'claimed', plan, claimed_at: now,
}).onConflict((oc) => oc.columns(['workspace_id', 'ticket_id', 'automation', 'condition_key']).doNothing()).returningAll());
const FINISH_RUN = queryTemplate((db, { ticketId, automation, conditionKey, now }: RunKey & { now: Date }) => db.updateTable('triage_automation_runs')
  .set({ state: 'done', done_at: now }).where('ticket_id', '=', ticketId).where('automation', '=', automation).where('condition_key', '=', conditionKey));

/** Every query goes through `tenancy.forWorkspace`, but for the nightly fan-out's list of ids. */
export class TriageRepo {
  constructor(private readonly db: Db, private readonly tenancy: Tenancy<DB>) {}

  in(workspaceId: string): Db {
    return this.tenancy.forWorkspace(workspaceId);
  }

  /**
   * Workspaces triage has seen (settings are made on their first ticket), for the nightly
   * retraining's fan-out: the one unscoped query, reading ids only; each becomes its own scoped job.
   */
  async workspaceIds(): Promise<string[]> {
    return (await this.db.selectFrom('triage_settings').select('workspace_id').execute()).map((r) => r.workspace_id);
  }

  // ---- settings

  settings(workspaceId: string) {
    return this.in(workspaceId).selectFrom('triage_settings').selectAll().executeTakeFirst();
  }

  async ensureSettings(workspaceId: string): Promise<void> {
    await this.in(workspaceId).insertInto('triage_settings').values({}).onConflict((oc) => oc.column('workspace_id').doNothing()).execute();
  }

  saveSettings(workspaceId: string, values: { enabled?: boolean; auto_apply_threshold?: number }, now: Date) {
    return this.in(workspaceId).insertInto('triage_settings').values({ ...values, updated_at: now })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ ...values, updated_at: now }))
      .returningAll().executeTakeFirstOrThrow();
  }

  /** The workspace's acknowledgement templates (triage.templates.ts chooses among them). */
  templates(db: Db) {
    return db.selectFrom('triage_templates').selectAll().execute();
  }

  // ---- rules

  rules(db: Db) {
    return db.selectFrom('triage_rules').selectAll().orderBy('position').orderBy('created_at').orderBy('id').execute();
  }

  insertRule(db: Db, values: { name: string; enabled: boolean; position: number; conditions: RuleCondition[]; actions: RuleAction[] }) {
    return db.insertInto('triage_rules').values({ ...values, conditions: JSON.stringify(values.conditions), actions: JSON.stringify(values.actions) })
      .returningAll().executeTakeFirstOrThrow();
  }

  updateRule(db: Db, id: string, values: { name: string; enabled: boolean; conditions: RuleCondition[]; actions: RuleAction[] }, now: Date) {
    return db.updateTable('triage_rules')
      .set({ ...values, conditions: JSON.stringify(values.conditions), actions: JSON.stringify(values.actions), updated_at: now })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  async deleteRule(db: Db, id: string): Promise<boolean> {
    return Number((await db.deleteFrom('triage_rules').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;
  }

  /** Numbers the rules 0, 1, 2 … in the order given. */
  async renumber(db: Db, ids: readonly string[]): Promise<void> {
    for (const [position, id] of ids.entries()) await db.updateTable('triage_rules').set({ position }).where('id', '=', id).execute();
  }

  // ---- models

  latestModel(workspaceId: string, target: TriageTarget) {
    return this.in(workspaceId).selectFrom('triage_models').selectAll().where('target', '=', target)
      .orderBy('version', 'desc').limit(1).executeTakeFirst();
  }

  /** The newest version of each target, without the (large) state. */
  latestModels(workspaceId: string) {
    return this.in(workspaceId).selectFrom('triage_models')
      .select(['target', 'version', 'examples', 'labels', 'held_out_accuracy', 'size_bytes', 'confusion', 'trained_at'])
      .distinctOn('target').orderBy('target').orderBy('version', 'desc').execute();
  }

  /**
   * Stores the next version and drops versions beyond the ones kept. Two trainings of one workspace
   * may store at once (an admin's and a job's; training runs in a thread, so their inserts
   * interleave): the one whose version was taken meanwhile takes the next.
   */
  async insertModel(db: Db, target: TriageTarget, values: { examples: number; labels: string[]; held_out_accuracy: number | null; confusion: Confusion | null; state: ClassifierState }) {
    const state = JSON.stringify(values.state);
    for (let attempt = 1; ; attempt++) {
      const last = await db.selectFrom('triage_models').select((eb) => eb.fn.max('version').as('version')).where('target', '=', target).executeTakeFirst();
      const version = (last?.version ?? 0) + 1;
      try {
        const row = await db.insertInto('triage_models').values({
          target, version, examples: values.examples, labels: JSON.stringify(values.labels), held_out_accuracy: values.held_out_accuracy, state,
          size_bytes: Buffer.byteLength(state), confusion: values.confusion && JSON.stringify(values.confusion),
        }).returning(['target', 'version', 'examples', 'labels', 'held_out_accuracy', 'size_bytes', 'confusion', 'trained_at']).executeTakeFirstOrThrow();
        await db.deleteFrom('triage_models').where('target', '=', target).where('version', '<=', version - MODELS_KEPT).execute();
        return row;
      } catch (error) {
        if (!isUniqueViolation(error, 'triage_models_workspace_id_target_version_key') || attempt === MAX_VERSION_ATTEMPTS) throw error;
      }
    }
  }

  // ---- decisions

  decision(workspaceId: string, ticketId: string) {
    return DECISION.first(this.in(workspaceId), { ticketId });
  }

  /** The decisions stored for these tickets, in one statement. */
  async decisions(workspaceId: string, ticketIds: readonly string[]) {
    if (!ticketIds.length) return [];
    return DECISIONS.rows(this.in(workspaceId), { ticketIds });
  }

  /** The ticket's decision: this one, or the one a concurrent delivery stored first. */
  async insertDecision(workspaceId: string, values: NewDecision) {
    const { decision } = await this.claimDecision(this.in(workspaceId), values);
    return decision;
  }

  /**
   * As `insertDecision`, in the caller's (workspace-scoped) transaction, saying whether this call
   * stored it (`won`): what follows a decision once (notices) follows the winner only.
   */
  async claimDecision(db: Db, values: NewDecision) {
    const inserted = await INSERT_DECISION.first(db, decisionRow(values));
    const decision = inserted ?? await DECISION.first(db, { ticketId: values.ticket_id });
    return { decision, won: inserted !== undefined };
  }

  /**
   * Stores decisions nothing follows (no notices), in one statement: a ticket whose decision a
   * concurrent delivery stored first keeps that one, as `claimDecision` would.
   */
  async claimDecisions(db: Db, values: readonly NewDecision[]): Promise<void> {
    if (!values.length) return;
    await db.insertInto('triage_decisions').values(values.map(decisionRow)).onConflict((oc) => oc.column('ticket_id').doNothing()).execute();
  }

  /** "Not spam": the decision says so from now on (the score and its signals stay, for the record). */
  async clearSpam(workspaceId: string, ticketId: string): Promise<void> {
    await this.in(workspaceId).updateTable('triage_decisions').set({ spam: false }).where('ticket_id', '=', ticketId).execute();
  }

  // ---- automations

  automationSettings(workspaceId: string) {
    return this.in(workspaceId).selectFrom('triage_automation_settings').select('settings').executeTakeFirst().then((r) => r?.settings);
  }

  async saveAutomationSettings(workspaceId: string, settings: AutomationSettings, now: Date): Promise<void> {
    const json = JSON.stringify(settings);
    await this.in(workspaceId).insertInto('triage_automation_settings').values({ settings: json, updated_at: now })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ settings: json, updated_at: now })).execute();
  }

  /** Workspaces with automations saved: the sweep's fan-out (ids only; each becomes its own scoped job). */
  async automationWorkspaceIds(): Promise<string[]> {
    return (await this.db.selectFrom('triage_automation_settings').select('workspace_id').execute()).map((r) => r.workspace_id);
  }

  /** Of these tickets, the ones an automation already claimed for its condition (any state). */
  async claimedKeys(workspaceId: string, automation: AutomationKind, ticketIds: string[]): Promise<Set<string>> {
    if (!ticketIds.length) return new Set();
    const rows = await this.in(workspaceId).selectFrom('triage_automation_runs').select(['ticket_id', 'condition_key'])
      .where('automation', '=', automation).where('ticket_id', 'in', ticketIds).execute();
    return new Set(rows.map((r) => `${r.ticket_id}:${r.condition_key}`));
  }

  /** The run of this automation for the ticket and condition: the one stored now with `plan`, or the one stored first. */
  async claimRun(workspaceId: string, run: { ticketId: string; automation: AutomationKind; conditionKey: string; plan: AutomationPlan }, now: Date) {
    const db = this.in(workspaceId);
    const key = { ticketId: run.ticketId, automation: run.automation, conditionKey: run.conditionKey };
    return await INSERT_RUN.first(db, { ...key, plan: JSON.stringify(run.plan), now }) ?? RUN.firstOrThrow(db, key);
  }

  findRun(workspaceId: string, ticketId: string, automation: AutomationKind, conditionKey: string) {
    return RUN.first(this.in(workspaceId), { ticketId, automation, conditionKey });
  }

  /** Marks the run done, in the caller's (workspace-scoped) transaction. */
  async finishRun(db: Db, ticketId: string, automation: AutomationKind, conditionKey: string, now: Date): Promise<void> {
    await FINISH_RUN.run(db, { ticketId, automation, conditionKey, now });
  }

  runsOf(workspaceId: string, ticketId: string) {
    return this.in(workspaceId).selectFrom('triage_automation_runs').selectAll().where('ticket_id', '=', ticketId).orderBy('claimed_at').execute();
  }
}
