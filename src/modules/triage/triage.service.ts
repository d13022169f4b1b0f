import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { DB } from '../../core/db/database.js';
import { AppError, notFound } from '../../core/errors.js';
import { eventsByWorkspace, type DomainEvent } from '../../core/events/index.js';
import type { JobQueue } from '../../core/jobs/index.js';
import { translator, type Locale } from '../../core/i18n/index.js';
import { besideCaller, OffThread } from '../../core/off-thread.js';
import { words } from '../../core/learn/index.js';
import type { MailOutbox, OutboundMail } from '../../core/mail/outbox.js';
import type { RuleInput, TriageTarget } from '../../contracts/triage.js';
import { TRIAGE_TARGETS } from '../../contracts/triage.js';
import { TriageClassifier, type Prediction } from './triage.classifier.js';
import type { TargetsTraining, TrainedTarget, TrainingExample } from './triage.training.js';
import { triageErrors } from './triage.errors.js';
import type { NewDecision, TriageRepo } from './triage.repo.js';
import {
  applyRules, contradiction, factsNeeded, ruleOf, ruleProblems, type Rule, type RuleOutcome, type RuleProblem, type TriageInput,
} from './triage.rules.js';
import type { TriageTemplates } from './triage.templates.js';
import type { TriageAutomations } from './triage.automations.js';
import type { TriageConfigCache } from './triage.config.js';
import { duplicateText, spamScore, type SpamScore } from './triage.spam.js';
import type { ChoiceSource, Confusion, DecisionRow, RuleRow } from './triage.schema.js';

/** A new ticket as triage reads it (tickets.sources.ts implements the port). */
export interface TriageTicket {
  id: string;
  subject: string;
  body: string;
  channel: string;
  tags: string[];
  customerId: string;
  departmentId: string | null;
  urgency: number;
  attachments: number;
  /** The opening message's own id (a mail's Message-ID), for its header fields. */
  externalId: string | null;
  createdAt: Date;
}

/** Where a new ticket's duplicates are looked for: its customer's tickets opened since `since`. */
export interface DuplicateWindow { ticketId: string; customerId: string; since: Date }

/** A customer's ticket as a duplicate's candidate: its subject, first message and status. */
export interface CustomerOpening { id: string; subject: string; body: string; status: string; createdAt: Date }

/** A ticket as the automations read it. */
export interface AutomationTicket {
  id: string;
  number: number;
  subject: string;
  status: string;
  urgency: number;
  departmentId: string | null;
  assigneeId: string | null;
  customerId: string;
  mergedIntoId: string | null;
  createdAt: Date;
  updatedAt: Date;
  firstResponseAt: Date | null;
  lastCustomerMessageAt: Date | null;
  lastAgentMessageAt: Date | null;
}

/** The coarse selections the automations sweep (each checked exactly per ticket by triage). */
export type AutomationSelection = 'waitingOnAgent' | 'unanswered' | 'pendingSince';

/** Where a ticket stands for triage: its department and urgency. */
export interface Placement { departmentId: string | null; urgency: number }

export interface LabelledTicket { id: string; subject: string; body: string; departmentId: string | null; urgency: number }

/** What triage reads of tickets. */
export interface TriageTicketSource {
  /** The ticket with its first customer message. */
  opening(workspaceId: string, ticketId: string): Promise<TriageTicket | undefined>;
  /** `opening` of each of these tickets that exists, in one statement (a batch of new tickets). */
  openings(workspaceId: string, ticketIds: readonly string[]): Promise<TriageTicket[]>;
  /** Tickets whose department and urgency people settled (solved or closed, or set by an agent), newest first. */
  labelled(workspaceId: string, limit: number): Promise<LabelledTicket[]>;
  /** The newest tickets, for trying a rule on them. */
  recent(workspaceId: string, limit: number): Promise<(TriageTicket & { number: number })[]>;
  /**
   * Per window's ticket, its customer's other unmerged tickets opened since the window's start
   * (the oldest 50, oldest first), with their first message: duplicates' candidates. One statement
   * for any number of windows (a batch of new tickets).
   */
  sameCustomerOpenings(workspaceId: string, windows: readonly DuplicateWindow[]): Promise<Map<string, CustomerOpening[]>>;
  automationTicket(workspaceId: string, ticketId: string): Promise<AutomationTicket | undefined>;
  /**
   * Unmerged tickets, oldest change first: `waitingOnAgent` new or open, assigned, the customer
   * wrote last and before `before`; `unanswered` new or open, no first answer, opened before
   * `before`; `pendingSince` pending and unchanged since before `before`. Pages by (updated_at, id)
   * after `after`.
   */
  automationCandidates(workspaceId: string, selection: AutomationSelection, before: Date, limit: number, after?: { at: Date; id: string }): Promise<AutomationTicket[]>;
}

/** What triage needs of the tickets and accounts modules. */
export interface TriagePorts {
  source: TriageTicketSource;
  tickets: {
    departments(workspaceId: string): Promise<{ id: string; key: string; archived_at: Date | null }[]>;
    update(workspaceId: string, ticketId: string, changes: TicketChanges, actor: { type: 'system'; id: null }): Promise<unknown>;
    merge(workspaceId: string, duplicateId: string, survivorId: string, actor: { type: 'system'; id: null }): Promise<unknown>;
    /** With `trx`, the line is written in that transaction. */
    recordActivity(workspaceId: string, ticketId: string, action: string, details: Record<string, unknown>, trx?: Kysely<DB>): Promise<void>;
  };
  /** The customer's record: one read gives a new ticket's rules both the sender and the record's tags. */
  customers: {
    findCustomer(workspaceId: string, id: string): Promise<CustomerRecord | undefined>;
    /** The records of these customers that exist, in one statement (a batch of new tickets' senders). */
    findCustomers(workspaceId: string, ids: readonly string[]): Promise<(CustomerRecord & { id: string })[]>;
  };
  /** The header fields of the mail a message came from, by the message's external id (its Message-ID). */
  mailHeaders(workspaceId: string, externalId: string): Promise<ReadonlyMap<string, string> | undefined>;
  /** What rules ask of a ticket beyond itself, and the ids they may name. */
  facts: RuleFacts;
  accounts: {
    findAgent(workspaceId: string, id: string): Promise<{ email: string; name: string; locale: Locale | null; disabled_at: Date | null } | undefined>;
    listAgents(workspaceId: string): Promise<{ id: string; role: string; disabled_at: Date | null }[]>;
    workspace(workspaceId: string): Promise<{ name: Record<Locale, string>; default_locale: Locale }>;
    audit(workspaceId: string, actor: { type: 'agent' | 'api' | 'system'; id: string | null; ip?: string | null }, action: string, targetType: string | null, targetId: string | null, details: object): Promise<unknown>;
  };
  outbox: MailOutbox;
}

/** The other modules' facts rule conditions read (mail's addresses, the SLA calendar, the customer database). */
export interface RuleFacts {
  /** The support address and IMAP mailbox ids of the mail a message came from, by its external id (its Message-ID). */
  mailRecipient(workspaceId: string, externalId: string): Promise<string[]>;
  /** The workspace's support addresses and IMAP mailboxes (ids). */
  addressIds(workspaceId: string): Promise<string[]>;
  /** Whether the instant is inside the workspace's business hours (its SLA calendar). */
  insideBusinessHours(workspaceId: string, at: Date): Promise<boolean>;
  /** Of these saved segments, those the customer is a member of. */
  customerSegments(workspaceId: string, customerId: string, segmentIds: readonly string[]): Promise<string[]>;
  /** The workspace's saved customer segments (ids). */
  segmentIds(workspaceId: string): Promise<string[]>;
}

/** A customer's record as triage reads it. */
export interface CustomerRecord { email: string | null; name: string; locale: Locale | null; tags: string[] }

/** What triage sets on a ticket. */
export interface TicketChanges {
  departmentId?: string;
  assigneeId?: string;
  urgency?: 0 | 1 | 2 | 3 | 4;
  tags?: string[];
  status?: 'open' | 'closed';
}

export const TRIAGE_JOBS = { train: 'triage.train', retrainAll: 'triage.retrain_all' } as const;
/** The newest labelled tickets a model learns from: enough for any workspace's vocabulary, bounded in time and memory. */
const MAX_TRAINING_TICKETS = 20_000;
const SYSTEM = { type: 'system' as const, id: null };
/** The tag rules' "mark spam" set before scoring existed; the spam view is the tickets with it. */
const SPAM_TAG = 'spam';
/** A decision that decided nothing (a duplicate merged away). */
const NO_DECISION: Omit<NewDecision, 'ticket_id'> = {
  department_id: null, department_source: 'none', department_rule_id: null, department_confidence: null, department_applied: false,
  urgency: null, urgency_source: 'none', urgency_rule_id: null, urgency_confidence: null, urgency_applied: false,
  rule_ids: [], tags: [], suppress_ack: false, spam: false, model_versions: {},
};

export interface TriageSettings { enabled: boolean; autoApplyThreshold: number }
export interface ModelSummary {
  target: TriageTarget; version: number; examples: number; labels: string[]; heldOutAccuracy: number | null;
  sizeBytes: number | null; confusion: Confusion | null; trainedAt: Date;
}

/** One ticket a rule being tried matched, and what the rule would have set. */
export interface RuleTrial {
  ticketId: string;
  number: number;
  subject: string;
  departmentId: string | null;
  urgency: number | null;
  tags: string[];
  suppressAck: boolean;
  spam: boolean;
  assigneeId: string | null;
  replyTemplateId: string | null;
  notify: (string | null)[];
}

interface Choice { value: string | number | null; source: ChoiceSource; ruleId: string | null; confidence: number | null; applied: boolean }

/** A workspace's settings, the defaults where it has saved none. */
function settingsOf(row: { enabled: boolean; auto_apply_threshold: number } | undefined): TriageSettings {
  return { enabled: row?.enabled ?? true, autoApplyThreshold: row?.auto_apply_threshold ?? 0.7 };
}

/** How long a node uses the model versions it read before reading them again (a training elsewhere is used this much later at most). */
const MODEL_VERSIONS_TTL_MS = 30_000;

/**
 * Rules and a learned classifier for a new ticket's department and urgency. On `ticket.created` a
 * matching rule sets its values; where no rule does, the workspace's newest model predicts, and its
 * label is set when its confidence reaches the workspace's threshold, else only suggested. Models
 * learn from the tickets whose department and urgency people settled, retrained by a durable job.
 */
export class TriageService {
  /** Each workspace's newest classifier per target, kept while its version is the newest stored. */
  private readonly loadedModels = new Map<string, { version: number; classifier: TriageClassifier }>();
  /** Per workspace, until when (Date.now() ms) this node uses the newest versions it last read without reading them again. */
  private readonly modelsCheckedUntil = new Map<string, number>();

  constructor(
    private readonly repo: TriageRepo,
    private readonly ports: TriagePorts,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    /** Acknowledgement texts per department × urgency × language. */
    readonly templates: TriageTemplates,
    /** Reminders, escalations and auto-closing; and the settings of duplicates and spam. */
    readonly automations: TriageAutomations,
    /** Settings and rules as this node keeps them for new tickets; every change here drops them on every node. */
    private readonly config: TriageConfigCache,
  ) {}

  /** Training takes seconds of CPU with many tickets: in a thread of its own, off the event loop that takes new tickets. */
  private readonly trainer = new OffThread<TargetsTraining, TrainedTarget[]>(besideCaller(import.meta.url, 'triage.train-thread'));

  // ---- settings

  async settings(workspaceId: string): Promise<TriageSettings> {
    return settingsOf(await this.repo.settings(workspaceId));
  }

  async saveSettings(workspaceId: string, input: { enabled?: boolean; autoApplyThreshold?: number }): Promise<TriageSettings> {
    const row = await this.repo.saveSettings(workspaceId, { enabled: input.enabled, auto_apply_threshold: input.autoApplyThreshold }, this.clock.now());
    await this.config.changed(workspaceId);
    return { enabled: row.enabled, autoApplyThreshold: row.auto_apply_threshold };
  }

  // ---- rules

  async rules(workspaceId: string): Promise<RuleRow[]> {
    return this.repo.rules(this.repo.in(workspaceId));
  }

  /** Saves a new rule at `position` (default: last), after checking it (TRIAGE_RULE_INVALID, TRIAGE_RULE_CONTRADICTS). */
  async createRule(workspaceId: string, input: RuleInput): Promise<RuleRow> {
    await this.assertRule(workspaceId, input, await this.rules(workspaceId));
    const saved = await this.repo.in(workspaceId).transaction().execute(async (trx) => {
      const existing = await this.repo.rules(trx);
      const row = await this.repo.insertRule(trx, { name: input.name, enabled: input.enabled, position: existing.length, conditions: input.conditions, actions: input.actions });
      await this.place(trx, existing.map((r) => r.id), row.id, input.position);
      return (await this.repo.rules(trx)).find((r) => r.id === row.id)!;
    });
    await this.config.changed(workspaceId);
    return saved;
  }

  async updateRule(workspaceId: string, id: string, input: RuleInput): Promise<RuleRow> {
    const all = await this.rules(workspaceId);
    if (!all.some((r) => r.id === id)) throw notFound('triage_rule');
    await this.assertRule(workspaceId, input, all.filter((r) => r.id !== id));
    const saved = await this.repo.in(workspaceId).transaction().execute(async (trx) => {
      const row = await this.repo.updateRule(trx, id, { name: input.name, enabled: input.enabled, conditions: input.conditions, actions: input.actions }, this.clock.now());
      if (!row) throw notFound('triage_rule');
      if (input.position !== undefined) await this.place(trx, (await this.repo.rules(trx)).map((r) => r.id).filter((other) => other !== id), id, input.position);
      return (await this.repo.rules(trx)).find((r) => r.id === id)!;
    });
    await this.config.changed(workspaceId);
    return saved;
  }

  async deleteRule(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repo.deleteRule(this.repo.in(workspaceId), id))) throw notFound('triage_rule');
    await this.config.changed(workspaceId);
  }

  /** Drops this node's copy of the workspace's settings and rules (`triage.settings_changed`: another node changed them). */
  forgetConfig(workspaceId: string): void {
    this.config.forget(workspaceId);
  }

  private async place(trx: Parameters<TriageRepo['renumber']>[0], others: string[], id: string, position: number | undefined): Promise<void> {
    const order = [...others];
    order.splice(Math.min(position ?? order.length, order.length), 0, id);
    await this.repo.renumber(trx, order);
  }

  private async assertRule(workspaceId: string, input: RuleInput, others: RuleRow[]): Promise<void> {
    const problems = [...ruleProblems(input), ...await this.unknownReferences(workspaceId, input)];
    if (problems.length) throw triageErrors.ruleInvalid(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    const clash = contradiction(input, others.map(ruleOf));
    if (clash) throw triageErrors.ruleContradicts(`The rule "${clash.name}" has the same conditions and sets another value`, { ruleId: clash.id });
  }

  /** Each id the rule names that is not (or no longer) one of the workspace's live departments, agents, templates, addresses or segments. */
  private async unknownReferences(workspaceId: string, input: RuleInput): Promise<RuleProblem[]> {
    const named = (type: string) => [...input.conditions, ...input.actions].some((c) => c.type === type);
    const idsOf = async <T extends { id: string }>(wanted: boolean, list: () => Promise<T[]>, live: (row: T) => boolean = () => true) =>
      new Set(wanted ? (await list()).filter(live).map((row) => row.id) : []);
    const [departments, agents, templates, addresses, segments] = await Promise.all([
      idsOf(named('setDepartment'), () => this.ports.tickets.departments(workspaceId), (d) => !d.archived_at),
      idsOf(named('assignAgent') || named('notify'), () => this.ports.accounts.listAgents(workspaceId), (a) => !a.disabled_at),
      idsOf(named('replyWithTemplate'), () => this.templates.list(workspaceId)),
      idsOf(named('address'), async () => (await this.ports.facts.addressIds(workspaceId)).map((id) => ({ id }))),
      idsOf(named('customerSegment'), async () => (await this.ports.facts.segmentIds(workspaceId)).map((id) => ({ id }))),
    ]);
    const problems: RuleProblem[] = [];
    const unknown = (path: string, code: string, message: string) => problems.push({ path, code, message });
    input.conditions.forEach((condition, i) => {
      if (condition.type === 'address') {
        condition.in.forEach((id, k) => { if (!addresses.has(id)) unknown(`conditions.${i}.in.${k}`, 'ADDRESS_UNKNOWN', 'There is no such support address or mailbox in this workspace'); });
      } else if (condition.type === 'customerSegment') {
        condition.in.forEach((id, k) => { if (!segments.has(id)) unknown(`conditions.${i}.in.${k}`, 'SEGMENT_UNKNOWN', 'There is no such customer segment in this workspace'); });
      }
    });
    input.actions.forEach((action, i) => {
      if (action.type === 'setDepartment' && !departments.has(action.departmentId)) {
        unknown(`actions.${i}.departmentId`, 'DEPARTMENT_UNKNOWN', 'There is no such department in this workspace');
      } else if ((action.type === 'assignAgent' || (action.type === 'notify' && action.agentId !== null)) && !agents.has(action.agentId!)) {
        unknown(`actions.${i}.agentId`, 'AGENT_UNKNOWN', 'There is no such active agent in this workspace');
      } else if (action.type === 'replyWithTemplate' && !templates.has(action.templateId)) {
        unknown(`actions.${i}.templateId`, 'TEMPLATE_UNKNOWN', 'There is no such answer template in this workspace');
      }
    });
    return problems;
  }

  /**
   * What a rule would have done to the workspace's newest tickets, before it is saved: the rule is
   * checked as a save checks it (but not against the other rules) and tried on its own.
   */
  async tryRule(workspaceId: string, input: RuleInput, limit: number): Promise<{ tried: number; matches: RuleTrial[] }> {
    await this.assertRule(workspaceId, input, []);
    const tickets = await this.ports.source.recent(workspaceId, limit);
    const candidate: Rule = { id: 'candidate', name: input.name, enabled: true, conditions: input.conditions, actions: input.actions };
    const needed = factsNeeded([candidate]);
    // The customers' facts once each: a few customers write many of the newest tickets.
    const customers = new Map<string, Promise<CustomerFacts>>();
    const reads = this.readNow(workspaceId);
    const matches: RuleTrial[] = [];
    for (const ticket of tickets) {
      if (!customers.has(ticket.customerId)) customers.set(ticket.customerId, this.customerFacts(reads, workspaceId, ticket.customerId, needed));
      const outcome = applyRules([candidate], await this.ruleInput(workspaceId, ticket, needed, await customers.get(ticket.customerId)!));
      if (!outcome.matched.length) continue;
      matches.push({
        ticketId: ticket.id, number: ticket.number, subject: ticket.subject, departmentId: outcome.department?.value ?? null,
        urgency: outcome.urgency?.value ?? null, tags: outcome.tags, suppressAck: outcome.suppressAck, spam: outcome.spam,
        assigneeId: outcome.assignee?.value ?? null, replyTemplateId: outcome.replyTemplate?.value ?? null, notify: outcome.notify,
      });
    }
    return { tried: tickets.length, matches };
  }

  /** What the rules read of a ticket: the ticket, and of the other modules' facts only those some rule asks for. */
  private async ruleInput(workspaceId: string, ticket: TriageTicket, needed: ReturnType<typeof factsNeeded>, customer: CustomerFacts): Promise<TriageInput> {
    const [addressIds, insideBusinessHours] = await Promise.all([
      needed.address && ticket.externalId && ticket.channel === 'email' ? this.ports.facts.mailRecipient(workspaceId, ticket.externalId) : [],
      needed.businessHours ? this.ports.facts.insideBusinessHours(workspaceId, ticket.createdAt) : null,
    ]);
    return {
      subject: ticket.subject, body: ticket.body, channel: ticket.channel, sender: customer.email, tags: ticket.tags, attachments: ticket.attachments,
      addressIds, insideBusinessHours, customerTags: customer.tags, customerSegments: customer.segments,
    };
  }

  private async customerFacts(reads: DecisionReads, workspaceId: string, customerId: string, needed: ReturnType<typeof factsNeeded>): Promise<CustomerFacts> {
    const [record, segments] = await Promise.all([
      reads.customer(customerId),
      needed.segments.length ? this.ports.facts.customerSegments(workspaceId, customerId, needed.segments) : [],
    ]);
    return { email: record?.email?.toLowerCase() ?? null, tags: needed.customerTags ? record?.tags ?? [] : [], segments };
  }

  // ---- models

  async modelSummaries(workspaceId: string): Promise<ModelSummary[]> {
    return (await this.repo.latestModels(workspaceId)).map(summaryOf);
  }

  /** The examples the next training of each target would learn from: tickets' texts and the labels people settled. */
  async trainingData(workspaceId: string): Promise<Record<TriageTarget, TrainingExample[]>> {
    const tickets = await this.ports.source.labelled(workspaceId, MAX_TRAINING_TICKETS);
    const text = (t: LabelledTicket) => `${t.subject}\n${t.body}`;
    return {
      department: tickets.flatMap((t) => (t.departmentId ? [{ ticketId: t.id, text: text(t), label: t.departmentId }] : [])),
      urgency: tickets.map((t) => ({ ticketId: t.id, text: text(t), label: String(t.urgency) })),
    };
  }

  /**
   * Asks the worker to retrain the workspace's models now. No idempotency key: a key would refuse
   * a second request for 12 hours after the first job completed (core/jobs README), and an admin
   * who has just corrected tickets wants them in the model.
   */
  async requestTraining(workspaceId: string): Promise<{ queued: boolean }> {
    // Said now rather than by a job that would skip quietly: with no target of two labels or more
    // there is nothing to train (TRIAGE_NO_EXAMPLES, TRIAGE_ONE_CLASS with each target's labels).
    const data = await this.trainingData(workspaceId);
    const labels = Object.fromEntries(TRIAGE_TARGETS.map((target) => [target, [...new Set(data[target].map((e) => e.label))]]));
    if (!TRIAGE_TARGETS.some((target) => labels[target]!.length >= 2)) {
      if (!data.department.length && !data.urgency.length) throw triageErrors.noExamples('There are no settled tickets to learn from yet');
      throw triageErrors.oneClass('Training needs settled tickets of at least two different departments or urgencies', { labels });
    }
    return { queued: (await this.jobs.send(TRIAGE_JOBS.train, { workspaceId })) !== null };
  }

  /**
   * Trains a new version of each target that has examples of two labels or more. With `strict`
   * (an admin asked), a target that cannot be trained is an error; the nightly job skips it.
   */
  async train(workspaceId: string, options: { strict?: boolean } = {}): Promise<ModelSummary[]> {
    const data = await this.trainingData(workspaceId);
    const trained: ModelSummary[] = [];
    for (const model of await this.trainer.run({ data, strict: options.strict ?? false })) {
      const row = await this.repo.insertModel(this.repo.in(workspaceId), model.target, {
        examples: model.examples, labels: model.labels, held_out_accuracy: model.heldOut?.accuracy ?? null, confusion: model.heldOut?.confusion ?? null,
        state: model.state,
      });
      this.loadedModels.set(`${workspaceId}:${model.target}`, { version: row.version, classifier: TriageClassifier.fromState(model.state) });
      // A target trained for the first time is read with the others on the next ticket.
      this.modelsCheckedUntil.delete(workspaceId);
      trained.push(summaryOf(row));
    }
    return trained;
  }

  /** The nightly fan-out: one training job per workspace triage has seen, so one failing workspace stops no other. */
  async retrainAll(): Promise<void> {
    const day = this.clock.now().toISOString().slice(0, 10);
    for (const workspaceId of await this.repo.workspaceIds()) {
      await this.jobs.send(TRIAGE_JOBS.train, { workspaceId }, { idempotencyKey: `${TRIAGE_JOBS.train}:${workspaceId}:${day}` });
    }
  }

  /** What the newest models say about a text (TRIAGE_EMPTY_TEXT for a text without words). */
  async classify(workspaceId: string, text: string): Promise<{ target: TriageTarget; value: string | number; confidence: number; modelVersion: number }[]> {
    // Refused whether or not a model exists yet: the answer must not depend on the training state.
    if (!words(text).length) throw triageErrors.emptyText('The text has no words to classify');
    const out = [];
    const models = await this.models(workspaceId);
    for (const target of TRIAGE_TARGETS) {
      const model = models.get(target);
      if (!model) continue;
      const { label, confidence } = model.classifier.predict(text);
      out.push({ target, value: target === 'urgency' ? Number(label) : label, confidence, modelVersion: model.version });
    }
    return out;
  }

  /**
   * The newest classifier of each target that has one: one read of the versions (at most every
   * MODEL_VERSIONS_TTL_MS per workspace: every new ticket asks, issue 15), a model's state only
   * when its version is new here. A training on this node is used at once; one on another node
   * within MODEL_VERSIONS_TTL_MS.
   */
  private async models(workspaceId: string): Promise<Map<TriageTarget, { version: number; classifier: TriageClassifier }>> {
    const out = new Map<TriageTarget, { version: number; classifier: TriageClassifier }>();
    if ((this.modelsCheckedUntil.get(workspaceId) ?? 0) > Date.now()) {
      for (const target of TRIAGE_TARGETS) {
        const loaded = this.loadedModels.get(`${workspaceId}:${target}`);
        if (loaded) out.set(target, loaded);
      }
      return out;
    }
    for (const newest of await this.repo.latestModels(workspaceId)) {
      const key = `${workspaceId}:${newest.target}`;
      let loaded = this.loadedModels.get(key);
      if (loaded?.version !== newest.version) {
        const row = await this.repo.latestModel(workspaceId, newest.target);
        if (!row) continue;
        loaded = { version: row.version, classifier: TriageClassifier.fromState(row.state) };
        this.loadedModels.set(key, loaded);
      }
      out.set(newest.target, loaded);
    }
    for (const target of TRIAGE_TARGETS) if (!out.has(target)) this.loadedModels.delete(`${workspaceId}:${target}`);
    this.modelsCheckedUntil.set(workspaceId, Date.now() + MODEL_VERSIONS_TTL_MS);
    return out;
  }

  // ---- new tickets

  /** `ticket.created`: the ticket's triage, unless the acknowledgement already asked for it. */
  onTicketCreated = async (event: DomainEvent<'ticket.created'>): Promise<void> => {
    await this.decide(event.workspaceId, event.payload.ticket.id, event.payload.ticket);
  };

  /**
   * `ticket.created` for a durable subscriber's batch (event-bus.ts `BatchHandler`), in the batch's
   * one transaction: what `onTicketCreated` on each event in log order would leave, with each
   * workspace's reads made once for its tickets (issue 15: some 8 statements a ticket). Nothing
   * triage reads or writes crosses workspaces, so each workspace's tickets are decided on their own.
   */
  onTicketsCreated = async (events: readonly DomainEvent<'ticket.created'>[]): Promise<void> => {
    for (const [workspaceId, group] of eventsByWorkspace(events)) {
      await this.decideMany(workspaceId, group.map((e) => ({ ticketId: e.payload.ticket.id, opened: e.payload.ticket })));
    }
  };

  /**
   * Rules, then the classifier, once per ticket: the decision's row is the key, so a redelivered
   * event, or the acknowledgement asking first, finds it and changes nothing. A value is set only
   * while the ticket still has the one it was `opened` with (default: what it has now): a person's
   * change made since wins. Undefined when triage is off or the ticket has no customer message.
   */
  async decide(workspaceId: string, ticketId: string, opened?: Placement): Promise<DecisionRow | undefined> {
    return (await this.decideAndPlace(workspaceId, ticketId, opened)).decision;
  }

  /**
   * `decide`, and where the ticket then is (department, urgency) when this call made the decision
   * and so knows it without reading the ticket again; undefined when it found one made before.
   */
  private async decideAndPlace(workspaceId: string, ticketId: string, opened?: Placement, reads = this.readNow(workspaceId)): Promise<{
    decision: DecisionRow | undefined; placed?: Placement; madeBefore?: true;
  }> {
    const decided = await this.decideFrom(reads, workspaceId, ticketId, opened);
    if (!('row' in decided)) return decided;
    const { decision, won } = await this.repo.claimDecision(this.repo.in(workspaceId), decided.row);
    if (!won) return { decision, madeBefore: true };
    return decided.placed ? { decision, placed: decided.placed } : { decision };
  }

  /**
   * The tickets' decisions in log order, each made by `decideFrom` as `decide` makes it, on what
   * was read for all of them at once: stored decisions, openings, customers' records, duplicates'
   * candidates (a statement each, whatever the number of tickets). A ticket whose customer has
   * another ticket in the batch is decided by `decideAndPlace`, reading when its turn comes: the
   * earlier one may have been merged into, or merged away, or changed the customer's tickets. A
   * ticket's handling writes nothing another customer's ticket reads. The decisions nothing follows
   * (no notices) are stored together at the end: no ticket's decision reads another's.
   */
  private async decideMany(workspaceId: string, tickets: readonly { ticketId: string; opened: Placement }[]): Promise<void> {
    const stored = new Set((await this.repo.decisions(workspaceId, tickets.map((t) => t.ticketId))).map((d) => d.ticket_id));
    const undecided = tickets.filter((t) => !stored.has(t.ticketId));
    if (!undecided.length) return;
    // As `decideFrom` reads it, from this node's copy: with triage off nothing more is read.
    if (!settingsOf((await this.config.get(workspaceId)).settings).enabled) return;
    const ids = undecided.map((t) => t.ticketId);
    const openings = new Map<string, TriageTicket | undefined>(ids.map((id) => [id, undefined]));
    for (const opening of await this.ports.source.openings(workspaceId, ids)) openings.set(opening.id, opening);
    // Per customer, the batch's tickets of theirs to decide (a ticket delivered twice counts twice).
    const ticketsOf = new Map<string, number>();
    for (const id of ids) {
      const customerId = openings.get(id)?.customerId;
      if (customerId) ticketsOf.set(customerId, (ticketsOf.get(customerId) ?? 0) + 1);
    }
    const alone = [...openings.values()].filter((o): o is TriageTicket => o !== undefined && ticketsOf.get(o.customerId) === 1);
    const automations = await this.automations.settings(workspaceId, { fresh: false });
    const windows = automations.duplicates.enabled ? alone.flatMap((o) => duplicateSearch(o, automations.duplicates.windowMinutes) ?? []) : [];
    const customerIds = [...new Set(alone.map((o) => o.customerId))];
    const [records, sameCustomerOpenings] = await Promise.all([
      this.ports.customers.findCustomers(workspaceId, customerIds), this.ports.source.sameCustomerOpenings(workspaceId, windows),
    ]);
    const customers = new Map<string, CustomerRecord | undefined>(customerIds.map((id) => [id, undefined]));
    for (const record of records) customers.set(record.id, record);
    const reads = prefetchedReads({ decisions: new Map(ids.map((id) => [id, undefined])), openings, customers, sameCustomerOpenings, headers: new Map() }, this.readNow(workspaceId));
    const rows: NewDecision[] = [];
    for (const { ticketId, opened } of undecided) {
      const customerId = openings.get(ticketId)?.customerId;
      if (customerId && ticketsOf.get(customerId)! > 1) {
        await this.decideAndPlace(workspaceId, ticketId, opened);
        continue;
      }
      const decided = await this.decideFrom(reads, workspaceId, ticketId, opened);
      if ('row' in decided) rows.push(decided.row);
    }
    await this.repo.claimDecisions(this.repo.in(workspaceId), rows);
  }

  /** What deciding a ticket reads, a statement each when asked. */
  private readNow(workspaceId: string): DecisionReads {
    return {
      decision: (ticketId) => this.repo.decision(workspaceId, ticketId),
      opening: (ticketId) => this.ports.source.opening(workspaceId, ticketId),
      customer: (customerId) => this.ports.customers.findCustomer(workspaceId, customerId),
      sameCustomerOpenings: async (window) => (await this.ports.source.sameCustomerOpenings(workspaceId, [window])).get(window.ticketId) ?? [],
      headers: async (ticket) => (ticket.externalId ? this.ports.mailHeaders(workspaceId, ticket.externalId) : undefined),
    };
  }

  /**
   * A ticket's decision from what `reads` gives: the rules, duplicates, spam and the classifier,
   * and the ticket's update. Its row is left to the caller to store when nothing follows it; with
   * notices it is stored here, with them, in one transaction.
   */
  private async decideFrom(reads: DecisionReads, workspaceId: string, ticketId: string, opened?: Placement): Promise<Decided> {
    const stored = await reads.decision(ticketId);
    if (stored) return { decision: stored, madeBefore: true };
    // Settings, automations and rules: this node's copy (no statement per ticket while it lasts).
    const config = await this.config.get(workspaceId);
    const settings = settingsOf(config.settings);
    if (!settings.enabled) return { decision: undefined };
    const ticket = await reads.opening(ticketId);
    if (!ticket) return { decision: undefined };
    const automations = await this.automations.settings(workspaceId, { fresh: false });
    if (automations.duplicates.enabled) {
      const first = await this.mergeDuplicate(reads, workspaceId, ticket, automations.duplicates.windowMinutes);
      if (first) return { row: { ...NO_DECISION, ticket_id: ticketId, suppress_ack: true, duplicate_of: first } };
    }
    const start = opened ?? { departmentId: ticket.departmentId, urgency: ticket.urgency };
    const needed = factsNeeded(config.rules);
    const customer = await this.customerFacts(reads, workspaceId, ticket.customerId, needed);
    const sender = customer.email;
    const outcome = applyRules(config.rules, await this.ruleInput(workspaceId, ticket, needed, customer));
    const spam: SpamScore | undefined = automations.spam.enabled ? spamScore({
      subject: ticket.subject, body: ticket.body, sender, blocklist: automations.spam.blocklist,
      headers: ticket.externalId && ticket.channel === 'email' ? await reads.headers(ticket) : undefined,
    }) : undefined;
    const isSpam = outcome.spam || (spam !== undefined && spam.score >= automations.spam.threshold);
    const text = `${ticket.subject}\n${ticket.body}`;
    const versions: Record<string, number> = {};
    const models = await this.models(workspaceId);
    const predict = (target: TriageTarget): Prediction | undefined => {
      const model = models.get(target);
      if (!model) return undefined;
      versions[target] = model.version;
      try {
        return model.classifier.predict(text);
      } catch (error) {
        if (error instanceof AppError && error.code === 'TRIAGE_EMPTY_TEXT') return undefined;
        throw error;
      }
    };
    const liveDepartments = new Set((await this.ports.tickets.departments(workspaceId)).filter((d) => !d.archived_at).map((d) => d.id));
    // A rule's department archived since the rule was saved is no longer a place to send tickets.
    const ruleDepartment = outcome.department && liveDepartments.has(outcome.department.value) ? outcome.department : undefined;
    const department = choose(ruleDepartment, predict('department'), settings.autoApplyThreshold,
      (label) => (liveDepartments.has(label) ? label : undefined), ticket.departmentId === start.departmentId);
    const urgency = choose(outcome.urgency, predict('urgency'), settings.autoApplyThreshold,
      (label) => (/^[0-4]$/.test(label) ? Number(label) : undefined), ticket.urgency === start.urgency);
    const changes: TicketChanges = {};
    if (department.applied && department.value !== ticket.departmentId) changes.departmentId = department.value as string;
    if (urgency.applied && urgency.value !== ticket.urgency) changes.urgency = urgency.value as 0 | 1 | 2 | 3 | 4;
    const tags = isSpam && !outcome.tags.includes(SPAM_TAG) ? [...outcome.tags, SPAM_TAG] : outcome.tags;
    const newTags = tags.filter((t) => !ticket.tags.includes(t));
    if (newTags.length) changes.tags = [...ticket.tags, ...newTags];
    // Parked: closed, so no view of work to do, no SLA clock and no assignment holds it; "not spam" reopens it.
    if (isSpam) changes.status = 'closed';
    // A rule's agent, unless someone took the ticket already or the agent was disabled since the rule was saved.
    const assignee = !isSpam && outcome.assignee && !(await this.automationAssignee(workspaceId, ticketId))
      && (await this.ports.accounts.listAgents(workspaceId)).some((a) => a.id === outcome.assignee!.value && !a.disabled_at) ? outcome.assignee.value : null;
    if (assignee) changes.assigneeId = assignee;
    if (Object.keys(changes).length) await this.ports.tickets.update(workspaceId, ticketId, changes, SYSTEM);
    const notified = isSpam ? [] : outcome.notify;
    const placed = { departmentId: changes.departmentId ?? ticket.departmentId, urgency: changes.urgency ?? ticket.urgency };
    const values: NewDecision = {
      ticket_id: ticketId,
      department_id: department.value as string | null, department_source: department.source, department_rule_id: department.ruleId,
      department_confidence: department.confidence, department_applied: department.applied,
      urgency: urgency.value as number | null, urgency_source: urgency.source, urgency_rule_id: urgency.ruleId,
      urgency_confidence: urgency.confidence, urgency_applied: urgency.applied,
      rule_ids: outcome.matched, tags, suppress_ack: outcome.suppressAck || isSpam, spam: isSpam, model_versions: versions,
      spam_score: spam?.score ?? null, spam_signals: spam?.signals ?? [],
      assignee_id: assignee, reply_template_id: outcome.replyTemplate?.value ?? null, notified,
    };
    // Stored by the caller: alone (`decideAndPlace`), or with a batch's others (`decideMany`).
    if (!notified.length) return { row: values, placed };
    const rule = config.rules.find((r) => outcome.matched.includes(r.id) && r.actions.some((a) => a.type === 'notify'))?.name ?? '';
    // Read before the transaction, which then only writes: it holds one connection, and waits for no other.
    const notices = await this.notices(workspaceId, ticketId, notified, rule);
    // What the rules decided to tell people commits with the decision: a crash before the commit
    // loses both (the redelivered event decides again and sends), after it the mails are in the
    // outbox, and a redelivered event finds the decision and sends nothing. The acknowledgement may
    // decide the ticket while its subscriber does: one of them stores the decision, and only that one
    // tells people (the activity line would otherwise be written twice).
    return this.repo.in(workspaceId).transaction().execute(async (trx) => {
      const { decision, won } = await this.repo.claimDecision(trx, values);
      if (won && notices) {
        for (const mail of notices) await this.ports.outbox.queue(workspaceId, mail, trx);
        await this.ports.tickets.recordActivity(workspaceId, ticketId, 'triage.notified', { notified: notices.length, rule }, trx);
      }
      return won ? { decision, placed } : { decision };
    });
  }

  private async automationAssignee(workspaceId: string, ticketId: string): Promise<string | null> {
    return (await this.ports.source.automationTicket(workspaceId, ticketId))?.assigneeId ?? null;
  }

  /**
   * A rule's "notify": a mail to each named agent, and to each admin for `null`, in their language,
   * once per ticket and agent (their idempotency keys say so too). Undefined when the ticket is gone.
   */
  private async notices(workspaceId: string, ticketId: string, targets: readonly (string | null)[], rule: string): Promise<OutboundMail[] | undefined> {
    const agents = await this.ports.accounts.listAgents(workspaceId);
    const ids = new Set(targets.flatMap((id) => (id === null ? agents.filter((a) => a.role === 'admin' && !a.disabled_at).map((a) => a.id) : [id])));
    const [ticket, workspace] = await Promise.all([this.ports.source.automationTicket(workspaceId, ticketId), this.ports.accounts.workspace(workspaceId)]);
    if (!ticket) return undefined;
    const mails: OutboundMail[] = [];
    for (const agentId of ids) {
      const agent = await this.ports.accounts.findAgent(workspaceId, agentId);
      if (!agent || agent.disabled_at) continue;
      const locale = agent.locale ?? workspace.default_locale;
      mails.push({
        to: agent.email, locale, autoSubmitted: 'auto-generated', template: 'triageRuleNotice',
        vars: { name: agent.name, number: String(ticket.number), subject: ticket.subject, rule, workspace: workspace.name[locale] },
        idempotencyKey: `triage.notify:${ticketId}:${agentId}`,
      });
    }
    return mails;
  }

  /**
   * The same customer's same text again within the window (a form sent twice, a mail re-sent): the
   * new ticket is merged into the first (its message joins the first ticket's thread, the new one
   * stays as a closed pointer), not linked, since two open tickets for one request would be
   * answered twice. Returns the first ticket's id, or undefined when there is none.
   */
  private async mergeDuplicate(reads: DecisionReads, workspaceId: string, ticket: TriageTicket, windowMinutes: number): Promise<string | undefined> {
    const search = duplicateSearch(ticket, windowMinutes);
    if (!search) return undefined;
    const earlier = (await reads.sameCustomerOpenings(search))
      // Only into an earlier ticket (two arriving together merge one way) that still takes messages.
      .find((other) => (other.createdAt < ticket.createdAt || (other.createdAt.getTime() === ticket.createdAt.getTime() && other.id < ticket.id))
        && other.status !== 'closed' && duplicateText(other.subject, other.body) === search.text);
    if (!earlier) return undefined;
    await this.ports.tickets.merge(workspaceId, ticket.id, earlier.id, SYSTEM);
    return earlier.id;
  }

  /** "Not spam": the ticket leaves the spam view (tag removed, reopened) and the decision says so. */
  async notSpam(workspaceId: string, ticketId: string): Promise<{ ticketId: string; status: string; tags: string[] }> {
    const [ticket, decision] = await Promise.all([this.ports.source.automationTicket(workspaceId, ticketId), this.repo.decision(workspaceId, ticketId)]);
    if (!ticket) throw notFound('ticket');
    const opening = await this.ports.source.opening(workspaceId, ticketId);
    const tags = opening?.tags ?? [];
    if (!decision?.spam && !tags.includes(SPAM_TAG)) throw triageErrors.notSpam('This ticket is not marked as spam');
    const changes: TicketChanges = { tags: tags.filter((t) => t !== SPAM_TAG), ...(ticket.status === 'closed' && !ticket.mergedIntoId && { status: 'open' as const }) };
    await this.ports.tickets.update(workspaceId, ticketId, changes, SYSTEM);
    await this.repo.clearSpam(workspaceId, ticketId);
    await this.ports.tickets.recordActivity(workspaceId, ticketId, 'triage.not_spam', { spamScore: decision?.spam_score ?? null });
    return { ticketId, status: changes.status ?? ticket.status, tags: changes.tags! };
  }

  /**
   * What the mail autoresponder asks before it acknowledges a ticket: triage decides the ticket
   * first if its own subscriber has not yet (the inbound pipeline acknowledges at once), so the
   * acknowledgement goes from the triaged department, says the triaged urgency, or is suppressed by
   * a rule; and the workspace's most specific template for the ticket in the customer's language.
   * `opened`: the ticket as the caller's transaction just opened it, and its customer's record when
   * the opening created them (no other tickets then): neither is read again.
   */
  async acknowledgement(workspaceId: string, ticketId: string, locale: Locale, opened?: JustOpenedTicket): Promise<{
    suppressed: boolean; template: { subject: string; body: string } | null; placed?: Placement;
  }> {
    const reads = opened ? prefetchedReads(justOpenedReads(opened), this.readNow(workspaceId)) : this.readNow(workspaceId);
    const { decision, placed, madeBefore } = await this.decideAndPlace(workspaceId, ticketId, undefined, reads);
    // After the decision: the template follows the department and urgency triage set (read again
    // unless this call set them or left the ticket as opened), unless a rule named one (and it was
    // not deleted since).
    const ticket = placed ?? (opened && !madeBefore ? opened.opening : await this.ports.source.opening(workspaceId, ticketId));
    const named = decision?.reply_template_id ? await this.templates.find(workspaceId, decision.reply_template_id) : undefined;
    const template = named ?? (ticket && await this.templates.choose(workspaceId, ticket, locale));
    return { suppressed: decision?.suppress_ack ?? false, template: template ? { subject: template.subject, body: template.body } : null, ...(placed ? { placed } : {}) };
  }

  /** A ticket's decision with a line for the agent in their language, or undefined when triage has not seen it. */
  async decision(workspaceId: string, ticketId: string, locale: Locale) {
    const row = await this.repo.decision(workspaceId, ticketId);
    return row && decisionView(row, locale);
  }
}

/** What the rules read of a ticket's customer: the address (lower-case) and, when some rule asks, tags and segments. */
interface CustomerFacts { email: string | null; tags: string[]; segments: string[] }

/**
 * What deciding a ticket reads of its ticket, its customer and the customer's other tickets: read
 * when asked, a statement each (`readNow`), or read before for a batch's tickets (`prefetchedReads`).
 */
interface DecisionReads {
  decision(ticketId: string): Promise<DecisionRow | undefined>;
  opening(ticketId: string): Promise<TriageTicket | undefined>;
  customer(customerId: string): Promise<CustomerRecord | undefined>;
  sameCustomerOpenings(window: DuplicateWindow): Promise<CustomerOpening[]>;
  /** The header fields of the mail a mail-born ticket came from. */
  headers(ticket: TriageTicket): Promise<ReadonlyMap<string, string> | undefined>;
}

/** What was read for a batch's tickets: by ticket id (customers by customer id), `undefined` where there is none. */
interface Prefetched {
  decisions: ReadonlyMap<string, DecisionRow | undefined>;
  openings: ReadonlyMap<string, TriageTicket | undefined>;
  customers: ReadonlyMap<string, CustomerRecord | undefined>;
  sameCustomerOpenings: ReadonlyMap<string, CustomerOpening[]>;
  headers: ReadonlyMap<string, ReadonlyMap<string, string> | undefined>;
}

/**
 * A ticket the caller's transaction has just opened, its customer's record when the opening created
 * them, and the header fields of the mail it came from (by lower-case name).
 */
export interface JustOpenedTicket {
  opening: TriageTicket;
  customer?: CustomerRecord;
  headers?: ReadonlyMap<string, string>;
}

/**
 * What deciding a just-opened ticket would read, known without a statement: the opening; for a
 * customer the opening created, their record and no other tickets. Its decision is still read: a
 * subscriber run inside the opening's transaction (the in-process bus of tests and one-off
 * commands) may have made it, and changed the ticket since.
 */
function justOpenedReads({ opening, customer, headers }: JustOpenedTicket): Prefetched {
  return {
    decisions: new Map(),
    openings: new Map([[opening.id, opening]]),
    customers: new Map(customer ? [[opening.customerId, customer]] : []),
    sameCustomerOpenings: new Map(customer ? [[opening.id, []]] : []),
    headers: new Map(headers ? [[opening.id, headers]] : []),
  };
}

/** Reads answered from what was prefetched; anything not prefetched is read now. */
function prefetchedReads(values: Prefetched, now: DecisionReads): DecisionReads {
  const from = <V>(map: ReadonlyMap<string, V>, key: string, read: () => Promise<V>): Promise<V> => (map.has(key) ? Promise.resolve(map.get(key) as V) : read());
  return {
    decision: (ticketId) => from(values.decisions, ticketId, () => now.decision(ticketId)),
    opening: (ticketId) => from(values.openings, ticketId, () => now.opening(ticketId)),
    customer: (customerId) => from(values.customers, customerId, () => now.customer(customerId)),
    sameCustomerOpenings: (window) => from(values.sameCustomerOpenings, window.ticketId, () => now.sameCustomerOpenings(window)),
    headers: (ticket) => from(values.headers, ticket.id, () => now.headers(ticket)),
  };
}

/**
 * A ticket's decision as `decideFrom` leaves it: made and stored, or none made (`decision`; stored
 * before this call when `madeBefore`); or made, with nothing following it, its row left to the
 * caller to store (`row`). `placed`: where the ticket is after its update.
 */
type Decided = { decision: DecisionRow | undefined; placed?: Placement; madeBefore?: true } | { row: NewDecision; placed?: Placement };

/**
 * Where a ticket's duplicates are looked for (its customer's tickets opened within the window
 * before it) and the text they would repeat; undefined when its text has no words to repeat.
 */
function duplicateSearch(ticket: TriageTicket, windowMinutes: number): (DuplicateWindow & { text: string }) | undefined {
  const text = duplicateText(ticket.subject, ticket.body);
  if (!text) return undefined;
  return { ticketId: ticket.id, customerId: ticket.customerId, since: new Date(ticket.createdAt.getTime() - windowMinutes * 60_000), text };
}


/**
 * One target's choice: a rule's value wins; otherwise the model's label, set when its confidence
 * reaches the threshold and the ticket still has the value it was opened with, else suggested.
 */
function choose<T extends string | number>(
  rule: RuleOutcome['department'] | RuleOutcome['urgency'],
  prediction: Prediction | undefined,
  threshold: number,
  valueOf: (label: string) => T | undefined,
  untouched: boolean,
): Choice {
  if (rule) return { value: rule.value, source: 'rule', ruleId: rule.ruleId, confidence: null, applied: untouched };
  const value = prediction && valueOf(prediction.label);
  if (!prediction || value === undefined) return { value: null, source: 'none', ruleId: null, confidence: null, applied: false };
  return { value, source: 'model', ruleId: null, confidence: prediction.confidence, applied: untouched && prediction.confidence >= threshold };
}

const summaryOf = (m: { target: TriageTarget; version: number; examples: number; labels: string[]; held_out_accuracy: number | null; size_bytes: number | null; confusion: Confusion | null; trained_at: Date }): ModelSummary => ({
  target: m.target, version: m.version, examples: m.examples, labels: m.labels, heldOutAccuracy: m.held_out_accuracy,
  sizeBytes: m.size_bytes, confusion: m.confusion, trainedAt: m.trained_at,
});

function decisionView(row: DecisionRow, locale: Locale) {
  const t = translator(locale);
  const department: Choice = {
    value: row.department_id, source: row.department_source, ruleId: row.department_rule_id, confidence: row.department_confidence, applied: row.department_applied,
  };
  const urgency: Choice = { value: row.urgency, source: row.urgency_source, ruleId: row.urgency_rule_id, confidence: row.urgency_confidence, applied: row.urgency_applied };
  const line = (target: TriageTarget, c: Choice) => (c.source === 'none' ? t(`triage.none.${target}`)
    : t(`triage.${c.source}.${c.applied ? 'applied' : 'suggested'}.${target}`, { confidence: c.confidence === null ? '' : Math.round(c.confidence * 100) }));
  return {
    ticketId: row.ticket_id, department, urgency, tags: row.tags, suppressAck: row.suppress_ack, spam: row.spam, modelVersions: row.model_versions,
    spamScore: row.spam_score, spamSignals: row.spam_signals, duplicateOf: row.duplicate_of,
    assigneeId: row.assignee_id, replyTemplateId: row.reply_template_id, notified: row.notified,
    summary: row.duplicate_of ? t('triage.duplicate') : [
      line('department', department), line('urgency', urgency), ...(row.spam ? [t(row.spam_score === null ? 'triage.spam' : 'triage.spamScored', { score: row.spam_score })] : []),
    ].join(' '),
    decidedAt: row.decided_at,
  };
}
