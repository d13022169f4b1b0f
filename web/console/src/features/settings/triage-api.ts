/**
 * Triage's REST calls (src/modules/triage/README.md): rules, settings, the classifier's models and
 * retraining. Wire shapes come from the contract; bodies are checked for the lists the screens use.
 */
import type {
  AutomationSettingsWire, ModelWire, RuleAction, RuleBody, RuleCondition, RuleTrialWire, RuleWire, SettingsWire, TemplateInput, TemplateWire,
} from '@contracts/triage.js';
import { ApiError, isRecord, request } from '../../api/http.js';

export type TriageRule = RuleWire;
export type TriageModel = ModelWire;
export type TriageSettings = SettingsWire;
export type TriageRuleBody = RuleBody;
export type TriageAutomations = AutomationSettingsWire;
export type { RuleAction, RuleCondition };

const unexpected = (what: string) => new ApiError('UNEXPECTED_RESPONSE', 0, `unexpected ${what} response`);

async function listOf<T>(path: string, key: string): Promise<T[]> {
  const body = await request('GET', path);
  if (!isRecord(body) || !Array.isArray(body[key])) throw unexpected(key);
  return body[key] as T[];
}

export const triageRules = () => listOf<TriageRule>('/api/v1/triage/rules', 'rules');
export const createTriageRule = (input: TriageRuleBody) => request('POST', '/api/v1/triage/rules', { body: input });
export const updateTriageRule = (id: string, input: TriageRuleBody) => request('PUT', `/api/v1/triage/rules/${encodeURIComponent(id)}`, { body: input });
export type RuleTrial = RuleTrialWire;

/** What a rule would do to the newest tickets; nothing is saved or changed. */
export async function tryTriageRule(input: TriageRuleBody): Promise<RuleTrial> {
  const body = await request('POST', '/api/v1/triage/rules/try', { body: input });
  if (!isRecord(body) || !Array.isArray(body.matches)) throw unexpected('rule trial');
  return body as unknown as RuleTrial;
}
export const deleteTriageRule = (id: string) => request('DELETE', `/api/v1/triage/rules/${encodeURIComponent(id)}`);

/** Answer (acknowledgement) templates per department × urgency × language. */
export type AnswerTemplate = TemplateWire;
export type AnswerTemplateBody = TemplateInput;
export const answerTemplates = () => listOf<AnswerTemplate>('/api/v1/triage/templates', 'templates');
export const createAnswerTemplate = (input: AnswerTemplateBody) => request('POST', '/api/v1/triage/templates', { body: input });
export const updateAnswerTemplate = (id: string, input: AnswerTemplateBody) => request('PUT', `/api/v1/triage/templates/${encodeURIComponent(id)}`, { body: input });
export const deleteAnswerTemplate = (id: string) => request('DELETE', `/api/v1/triage/templates/${encodeURIComponent(id)}`);

export const triageModels = () => listOf<TriageModel>('/api/v1/triage/models', 'models');
export const retrainTriage = () => request('POST', '/api/v1/triage/models/train');

export async function triageSettings(): Promise<TriageSettings> {
  const body = await request('GET', '/api/v1/triage/settings');
  if (!isRecord(body) || typeof body.autoApplyThreshold !== 'number') throw unexpected('triage settings');
  return body as TriageSettings;
}
export const saveTriageSettings = (input: Partial<TriageSettings>) => request('PUT', '/api/v1/triage/settings', { body: input });

/** The body that saves a rule as it is, changed by `patch` (a rule is replaced whole). */
export const ruleBody = (rule: TriageRule, patch: Partial<TriageRuleBody> = {}): TriageRuleBody =>
  ({ name: rule.name, enabled: rule.enabled, conditions: rule.conditions, actions: rule.actions, ...patch });

/** Reminders, escalation, auto-closing, duplicates and spam: one document, replaced whole. */
export const triageAutomations = async (): Promise<TriageAutomations> => automationsOf(await request('GET', '/api/v1/triage/automations'));
/** Replaces the automation settings; answers with them as stored. */
export const saveTriageAutomations = async (input: TriageAutomations): Promise<TriageAutomations> =>
  automationsOf(await request('PUT', '/api/v1/triage/automations', { body: input }));

function automationsOf(body: unknown): TriageAutomations {
  if (!isRecord(body) || !isRecord(body.remind) || !isRecord(body.spam)) throw unexpected('triage automations');
  return body as unknown as TriageAutomations;
}
