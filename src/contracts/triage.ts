import { z } from 'zod';
import { AUTOMATION_LIMITS } from './enums.js';
import { LocaleView, type Wire } from './http.js';

/**
 * Triage on the wire (`/api/v1/triage/…`): rules as an admin sends them (checked field by field
 * here; regular expressions, contradictions and loops by the module), settings, the classifier's
 * models and a ticket's triage decision. The console reads them as `Wire<…>`.
 */

export const TRIAGE_TARGETS = ['department', 'urgency'] as const;
export type TriageTarget = (typeof TRIAGE_TARGETS)[number];
export const RULE_TEXT_FIELDS = ['subject', 'body', 'any'] as const;
const CHANNEL_NAMES = ['web', 'email', 'chat', 'forum', 'api', 'phone', 'sms'] as const;

export const RULE_LIMITS = { rules: 200, conditions: 20, actions: 10, values: 50, value: 200, pattern: 200 } as const;

const Value = z.string().trim().min(1).max(RULE_LIMITS.value);
const Values = z.array(Value).min(1).max(RULE_LIMITS.values);
const Tag = z.string().trim().toLowerCase().min(1).max(50);

export const RuleCondition = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('channel'), in: z.array(z.enum(CHANNEL_NAMES)).min(1) }),
  /** Whole sender addresses, compared without case. */
  z.strictObject({ type: z.literal('sender'), in: z.array(Value.toLowerCase()).min(1).max(RULE_LIMITS.values) }),
  /** Sender domains; a subdomain matches its parent (mail.acme.example matches acme.example). */
  z.strictObject({ type: z.literal('senderDomain'), in: z.array(Value.toLowerCase()).min(1).max(RULE_LIMITS.values) }),
  /** Words or phrases, matched on word boundaries (Chinese cut into words by jieba). */
  z.strictObject({ type: z.literal('words'), field: z.enum(RULE_TEXT_FIELDS), words: Values, match: z.enum(['any', 'all']).default('any') }),
  /** A regular expression (case-insensitive, Unicode); patterns that could backtrack without end are refused. */
  z.strictObject({ type: z.literal('regex'), field: z.enum(RULE_TEXT_FIELDS), pattern: z.string().min(1).max(RULE_LIMITS.pattern) }),
  z.strictObject({ type: z.literal('language'), in: z.array(LocaleView).min(1) }),
  /** The ticket has any of these tags (including tags added by rules before this one). */
  z.strictObject({ type: z.literal('tags'), in: z.array(Tag).min(1).max(RULE_LIMITS.values) }),
  z.strictObject({ type: z.literal('attachments'), present: z.boolean() }),
  /** The mail came to one of these support addresses or IMAP mailboxes (ids; Settings → Mail). */
  z.strictObject({ type: z.literal('address'), in: z.array(z.string().uuid()).min(1).max(RULE_LIMITS.values) }),
  /** Opened inside (true) or outside (false) the workspace's business hours (the SLA calendar: hours, holidays, make-up days). */
  z.strictObject({ type: z.literal('businessHours'), inside: z.boolean() }),
  /** The customer's record has any of these tags (the customer database's tags, not the ticket's). */
  z.strictObject({ type: z.literal('customerTags'), in: z.array(Tag).min(1).max(RULE_LIMITS.values) }),
  /** The customer is a member of any of these saved customer segments (ids). */
  z.strictObject({ type: z.literal('customerSegment'), in: z.array(z.string().uuid()).min(1).max(10) }),
]);
export type RuleCondition = z.infer<typeof RuleCondition>;

export const RuleAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('setDepartment'), departmentId: z.string().uuid() }),
  z.strictObject({ type: z.literal('setUrgency'), urgency: z.number().int().min(0).max(4) }),
  z.strictObject({ type: z.literal('addTags'), tags: z.array(Tag).min(1).max(20) }),
  /** No acknowledgement mail for the ticket. */
  z.strictObject({ type: z.literal('suppressAck') }),
  /** Tagged `spam` and recorded as spam. */
  z.strictObject({ type: z.literal('markSpam') }),
  /** The ticket goes to this agent (a team is the department: setDepartment, and the team's routing assigns within it). */
  z.strictObject({ type: z.literal('assignAgent'), agentId: z.string().uuid() }),
  /** The acknowledgement is this answer template (instead of the one chosen by department × urgency × language). */
  z.strictObject({ type: z.literal('replyWithTemplate'), templateId: z.string().uuid() }),
  /** Mail a named agent, or the workspace's admins (agentId null), that the ticket arrived. */
  z.strictObject({ type: z.literal('notify'), agentId: z.string().uuid().nullable() }),
]);
export type RuleAction = z.infer<typeof RuleAction>;

export const RuleInput = z.strictObject({
  name: z.string().trim().min(1).max(120),
  enabled: z.boolean().default(true),
  /** All must hold. */
  conditions: z.array(RuleCondition).min(1).max(RULE_LIMITS.conditions),
  actions: z.array(RuleAction).min(1).max(RULE_LIMITS.actions),
  /** 0-based place in the workspace's order; default: last. */
  position: z.number().int().min(0).max(RULE_LIMITS.rules).optional(),
});
export type RuleInput = z.infer<typeof RuleInput>;

/** A rule to try on the newest tickets before it is saved. */
export const RuleTrialInput = RuleInput.extend({ limit: z.number().int().min(1).max(500).default(100) });
export const RuleTrialView = z.object({
  tried: z.number().int(),
  matches: z.array(z.object({
    ticketId: z.string(), number: z.number().int(), subject: z.string(), departmentId: z.string().nullable(), urgency: z.number().int().nullable(),
    tags: z.array(z.string()), suppressAck: z.boolean(), spam: z.boolean(),
    assigneeId: z.string().nullable(), replyTemplateId: z.string().nullable(), notify: z.array(z.string().nullable()),
  })),
});

export const RuleView = z.object({
  id: z.string(), name: z.string(), enabled: z.boolean(), position: z.number().int(),
  conditions: z.array(RuleCondition), actions: z.array(RuleAction), createdAt: z.date(), updatedAt: z.date(),
});
export const RuleListView = z.object({ rules: z.array(RuleView) });

export const SettingsInput = z.strictObject({
  /** The classifier applies its label at or above this confidence; below, it only suggests. */
  autoApplyThreshold: z.number().min(0).max(1).optional(),
  /** Off: neither rules nor the classifier touch new tickets. */
  enabled: z.boolean().optional(),
});
export const SettingsView = z.object({ autoApplyThreshold: z.number(), enabled: z.boolean() });

export const ModelView = z.object({
  target: z.enum(TRIAGE_TARGETS), version: z.number().int(), examples: z.number().int(), labels: z.array(z.string()),
  /** On a fifth of the examples held back while a trial model trained on the rest; null when there were too few. */
  heldOutAccuracy: z.number().nullable(),
  /** The stored model's size in bytes; null for models trained before it was recorded. */
  sizeBytes: z.number().int().nullable(),
  /** On the same held-back fifth: `counts[i][j]` tickets whose label was `labels[i]` were predicted `labels[j]`; null as the accuracy. */
  confusion: z.object({ labels: z.array(z.string()), counts: z.array(z.array(z.number().int())) }).nullable(),
  trainedAt: z.date(),
});
export const ModelListView = z.object({ models: z.array(ModelView) });

const Choice = z.object({
  value: z.union([z.string(), z.number().int()]).nullable(),
  source: z.enum(['rule', 'model', 'none']),
  ruleId: z.string().nullable(),
  confidence: z.number().nullable(),
  /** Set on the ticket (a rule, or the model at or above the threshold); otherwise a suggestion only. */
  applied: z.boolean(),
});
export const DecisionView = z.object({
  ticketId: z.string(), department: Choice, urgency: Choice, tags: z.array(z.string()),
  suppressAck: z.boolean(), spam: z.boolean(), modelVersions: z.record(z.string(), z.number().int()),
  /** The spam score and the signals that made it; null when spam scoring was off. */
  spamScore: z.number().int().nullable(), spamSignals: z.array(z.string()),
  /** The earlier ticket of the same customer with the same text this one was merged into. */
  duplicateOf: z.string().nullable(),
  /** A rule's agent (set when the ticket had none), answer template, and whom it told (agent ids; null: the admins). */
  assigneeId: z.string().nullable(), replyTemplateId: z.string().nullable(), notified: z.array(z.string().nullable()),
  /** One line for the agent, in their language. */
  summary: z.string(), decidedAt: z.date(),
});

export const ClassifyInput = z.strictObject({ text: z.string().max(20_000) });
export const ClassifyView = z.object({
  predictions: z.array(z.object({ target: z.enum(TRIAGE_TARGETS), value: z.union([z.string(), z.number().int()]), confidence: z.number(), modelVersion: z.number().int() })),
});

/** What an acknowledgement template may say; each is filled in when the acknowledgement is sent. */
export const TEMPLATE_PLACEHOLDERS = ['name', 'number', 'subject', 'workspace', 'expectation', 'suggestions'] as const;

export const TemplateInput = z.strictObject({
  departmentId: z.string().uuid().nullable().describe('null: any department'),
  urgency: z.number().int().min(0).max(4).nullable().describe('null: any urgency'),
  locale: LocaleView,
  /** The subject; " [#number]" is added so replies join the ticket. */
  subject: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(10_000),
});
export type TemplateInput = z.infer<typeof TemplateInput>;
export const TemplateView = TemplateInput.extend({ id: z.string(), createdAt: z.date(), updatedAt: z.date() });
export const TemplateListView = z.object({ templates: z.array(TemplateView) });

// ---- automations, duplicates and spam (issue 14, items 4 and 5)

const Hours = z.number().int().min(AUTOMATION_LIMITS.hours.min).max(AUTOMATION_LIMITS.hours.max);
/** A whole address (name@host) or a domain (host), compared without case. */
const BlockedSender = z.string().trim().toLowerCase().min(3).max(254)
  .regex(/^([^\s@]+@)?[a-z0-9\u00a1-\uffff-]+(\.[a-z0-9\u00a1-\uffff-]+)+$/, 'an address (name@example.com) or a domain (example.com)');

export const AutomationSettingsInput = z.strictObject({
  /** Mail the assignee when a ticket has waited on an agent (the customer wrote last) this long. */
  remind: z.strictObject({ enabled: z.boolean(), afterHours: Hours }),
  /** After this long without a first reply, or on an SLA warning: raise the urgency, move it to a team, tell the assignee (else the admins). */
  escalate: z.strictObject({
    enabled: z.boolean(), afterHours: Hours, onSlaWarning: z.boolean(),
    raiseUrgencyTo: z.number().int().min(0).max(4).nullable(), departmentId: z.string().uuid().nullable(), notify: z.boolean(),
  }),
  /** Close tickets pending (waiting on the customer) this many days, with a notice mail to the customer. */
  autoClose: z.strictObject({ enabled: z.boolean(), afterDays: z.number().int().min(AUTOMATION_LIMITS.days.min).max(AUTOMATION_LIMITS.days.max) }),
  /** The same customer sending the same text again within this window: merged into the first ticket. */
  duplicates: z.strictObject({ enabled: z.boolean(), windowMinutes: z.number().int().min(AUTOMATION_LIMITS.duplicateMinutes.min).max(AUTOMATION_LIMITS.duplicateMinutes.max) }),
  /** Score new tickets for bulk and spam signals; at or above the threshold the ticket is parked as spam. */
  spam: z.strictObject({
    enabled: z.boolean(), threshold: z.number().int().min(AUTOMATION_LIMITS.spamThreshold.min).max(AUTOMATION_LIMITS.spamThreshold.max),
    blocklist: z.array(BlockedSender).max(AUTOMATION_LIMITS.blocklist),
  }),
});
export type AutomationSettings = z.infer<typeof AutomationSettingsInput>;
export const AutomationSettingsView = AutomationSettingsInput;

export const NotSpamView = z.object({ ticketId: z.string(), status: z.string(), tags: z.array(z.string()) });

// ---- what the console reads and sends ----

export type RuleWire = Wire<z.infer<typeof RuleView>>;
export type RuleBody = z.input<typeof RuleInput>;
export type RuleTrialWire = z.infer<typeof RuleTrialView>;
export type DecisionWire = Wire<z.infer<typeof DecisionView>>;
export type ModelWire = Wire<z.infer<typeof ModelView>>;
export type SettingsWire = z.infer<typeof SettingsView>;
export type AutomationSettingsWire = AutomationSettings;
export type TemplateWire = Wire<z.infer<typeof TemplateView>>;
