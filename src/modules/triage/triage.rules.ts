import { normaliseText, words } from '../../core/learn/index.js';
import type { Locale } from '../../core/i18n/index.js';
import type { RULE_TEXT_FIELDS, RuleAction, RuleCondition, RuleInput } from '../../contracts/triage.js';

/**
 * The rules engine: a workspace's rules, in order, over a new ticket. One forward pass: each rule
 * is tried once, sees the tags added by the rules before it, and cannot trigger itself again, so
 * rules never loop. For the department and the urgency the first matching rule that sets one wins;
 * tags add up; "suppress the acknowledgement" and "spam" hold if any matching rule says so.
 */

/** What rules look at: the ticket as it was opened. */
export interface TriageInput {
  subject: string;
  body: string;
  channel: string;
  /** The sender's address, lower-case; null when there is none (a chat without e-mail). */
  sender: string | null;
  tags: readonly string[];
  attachments: number;
  /** The support address and IMAP mailbox the mail came to (ids); empty for other channels. */
  addressIds: readonly string[];
  /** Whether it was opened inside the business hours; null when no rule asks (not worked out). */
  insideBusinessHours: boolean | null;
  /** The customer record's tags. */
  customerTags: readonly string[];
  /** Of the segments the rules name, those the customer is a member of. */
  customerSegments: readonly string[];
}

/** What a rule's conditions need beyond the ticket itself, so that it is looked up only when some rule asks. */
export interface FactsNeeded { address: boolean; businessHours: boolean; customerTags: boolean; segments: string[] }

export function factsNeeded(rules: readonly Pick<Rule, 'enabled' | 'conditions'>[]): FactsNeeded {
  const conditions = rules.filter((r) => r.enabled).flatMap((r) => r.conditions);
  return {
    address: conditions.some((c) => c.type === 'address'),
    businessHours: conditions.some((c) => c.type === 'businessHours'),
    customerTags: conditions.some((c) => c.type === 'customerTags'),
    segments: [...new Set(conditions.flatMap((c) => (c.type === 'customerSegment' ? c.in : [])))],
  };
}

export interface Rule {
  id: string;
  name: string;
  enabled: boolean;
  conditions: RuleCondition[];
  actions: RuleAction[];
}

/** A stored rule as the engine reads it. */
export const ruleOf = (row: Rule): Rule => ({ id: row.id, name: row.name, enabled: row.enabled, conditions: row.conditions, actions: row.actions });

export interface RuleOutcome {
  department?: { value: string; ruleId: string };
  urgency?: { value: number; ruleId: string };
  /** Tags to add, in the order the rules added them. */
  tags: string[];
  suppressAck: boolean;
  spam: boolean;
  /** The first matching rule's agent, and its answer template. */
  assignee?: { value: string; ruleId: string };
  replyTemplate?: { value: string; ruleId: string };
  /** Whom to tell, once each: agent ids, null for the admins. */
  notify: (string | null)[];
  matched: string[];
}

/** One thing wrong with a rule, at the path of the field to change (`conditions.1.pattern`). */
export interface RuleProblem { path: string; code: string; message: string }

/** Actions of which a ticket takes one value: a rule with two different ones contradicts itself. */
const SINGLE_VALUE_ACTIONS = ['setDepartment', 'setUrgency', 'assignAgent', 'replyWithTemplate'] as const;
type SingleValueAction = (typeof SINGLE_VALUE_ACTIONS)[number];

/** Regular expressions read at most this much of a text: bounds the work of the quantifiers left. */
const REGEX_INPUT_CHARS = 2_000;
/** More unbounded quantifiers than this multiply into polynomial blow-ups (a*a*a*b over 2,000 a's). */
const MAX_UNBOUNDED_QUANTIFIERS = 2;
const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;

/** zh-CN when at least a fifth of the letters are Chinese characters, else en. */
export function languageOf(text: string): Locale {
  const letters = text.match(LETTER)?.length ?? 0;
  const han = text.match(HAN)?.length ?? 0;
  return letters > 0 && han / letters >= 0.2 ? 'zh-CN' : 'en';
}

/** The problems of one rule on its own; none means it may be saved (contradictions with others: `contradiction`). */
export function ruleProblems(rule: Pick<RuleInput, 'conditions' | 'actions'>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  rule.conditions.forEach((condition, i) => {
    if (condition.type === 'regex') {
      const problem = regexProblem(condition.pattern);
      if (problem) problems.push({ path: `conditions.${i}.pattern`, ...problem });
    }
    // Punctuation or symbols alone ("？", "!!!") have no words to match: the condition could never hold.
    if (condition.type === 'words') {
      condition.words.forEach((phrase, k) => {
        if (!words(phrase).length) problems.push({ path: `conditions.${i}.words.${k}`, code: 'WORDS_EMPTY', message: 'This has no words to look for (only punctuation or symbols)' });
      });
    }
  });
  const set = (type: SingleValueAction) => new Set(rule.actions.filter((a) => a.type === type).map((a) => JSON.stringify(a)));
  for (const type of SINGLE_VALUE_ACTIONS) {
    if (set(type).size > 1) {
      problems.push({ path: `actions.${rule.actions.findLastIndex((a) => a.type === type)}`, code: 'RULE_SELF_CONTRADICTS', message: `The rule sets two different values with ${type}` });
    }
  }
  // A rule that adds a tag it is conditioned on would fire again on its own result in any engine
  // that re-runs rules after a change; refused so that rules stay portable and readable.
  const tested = new Set(rule.conditions.flatMap((c) => (c.type === 'tags' ? c.in : [])));
  rule.actions.forEach((action, i) => {
    if (action.type === 'addTags' && action.tags.some((t) => tested.has(t))) {
      problems.push({ path: `actions.${i}.tags`, code: 'RULE_LOOPS', message: 'The rule adds a tag its own conditions test' });
    }
  });
  return problems;
}

/**
 * Another enabled rule with the same conditions that sets the department or urgency to a different
 * value: whichever comes first would silently win, so the second is refused.
 */
export function contradiction(rule: Pick<Rule, 'conditions' | 'actions' | 'enabled'>, others: readonly Rule[]): Rule | undefined {
  if (!rule.enabled) return undefined;
  const conditions = canonical(rule.conditions);
  const values = setValues(rule.actions);
  return others.find((other) => other.enabled && canonical(other.conditions) === conditions && (() => {
    const theirs = setValues(other.actions);
    return SINGLE_VALUE_ACTIONS.some((type) => values.has(type) && theirs.has(type) && values.get(type) !== theirs.get(type));
  })());
}

/** Runs the enabled rules in order over the input. */
export function applyRules(rules: readonly Rule[], input: TriageInput): RuleOutcome {
  const outcome: RuleOutcome = { tags: [], suppressAck: false, spam: false, notify: [], matched: [] };
  const text = new TextView(input);
  for (const rule of rules) {
    if (!rule.enabled || !rule.conditions.every((c) => holds(c, input, text, outcome.tags))) continue;
    outcome.matched.push(rule.id);
    for (const action of rule.actions) {
      if (action.type === 'setDepartment') outcome.department ??= { value: action.departmentId, ruleId: rule.id };
      else if (action.type === 'setUrgency') outcome.urgency ??= { value: action.urgency, ruleId: rule.id };
      else if (action.type === 'addTags') for (const tag of action.tags) { if (!outcome.tags.includes(tag)) outcome.tags.push(tag); }
      else if (action.type === 'suppressAck') outcome.suppressAck = true;
      else if (action.type === 'markSpam') outcome.spam = true;
      else if (action.type === 'assignAgent') outcome.assignee ??= { value: action.agentId, ruleId: rule.id };
      else if (action.type === 'replyWithTemplate') outcome.replyTemplate ??= { value: action.templateId, ruleId: rule.id };
      else if (!outcome.notify.includes(action.agentId)) outcome.notify.push(action.agentId);
    }
  }
  if (outcome.spam && !outcome.tags.includes('spam')) outcome.tags.push('spam');
  return outcome;
}

type TextField = (typeof RULE_TEXT_FIELDS)[number];

/** The ticket's texts as rules read them, each worked out once and only when a condition asks. */
class TextView {
  private readonly cache = new Map<string, string[]>();
  constructor(private readonly input: TriageInput) {}

  raw(field: TextField): string {
    return field === 'subject' ? this.input.subject : field === 'body' ? this.input.body : `${this.input.subject}\n${this.input.body}`;
  }

  words(field: TextField): string[] {
    let cached = this.cache.get(field);
    if (!cached) this.cache.set(field, cached = words(this.raw(field)));
    return cached;
  }
}

function holds(condition: RuleCondition, input: TriageInput, text: TextView, addedTags: readonly string[]): boolean {
  switch (condition.type) {
    case 'channel': return (condition.in as readonly string[]).includes(input.channel);
    case 'sender': return input.sender !== null && condition.in.includes(input.sender.toLowerCase());
    case 'senderDomain': {
      const domain = input.sender?.toLowerCase().split('@')[1];
      return !!domain && condition.in.some((d) => domain === d || domain.endsWith(`.${d}`));
    }
    case 'words': {
      const found = (phrase: string) => containsPhrase(text.words(condition.field), phrase);
      return condition.match === 'all' ? condition.words.every(found) : condition.words.some(found);
    }
    case 'regex': return new RegExp(condition.pattern, 'iu').test(text.raw(condition.field).slice(0, REGEX_INPUT_CHARS));
    case 'language': return condition.in.includes(languageOf(`${input.subject}\n${input.body}`));
    case 'tags': return condition.in.some((tag) => input.tags.includes(tag) || addedTags.includes(tag));
    case 'attachments': return condition.present === input.attachments > 0;
    case 'address': return condition.in.some((id) => input.addressIds.includes(id));
    case 'businessHours': return input.insideBusinessHours === condition.inside;
    case 'customerTags': return condition.in.some((tag) => input.customerTags.includes(tag));
    case 'customerSegment': return condition.in.some((id) => input.customerSegments.includes(id));
  }
}

/** Rules' phrases, cut into words once (not for every ticket): a few hundred at most in practice, so the bound only guards memory. */
const phrases = new Map<string, { wanted: string[]; han: string | undefined }>();
const MAX_PHRASES = 10_000;

/** A phrase's words, and its characters joined when it is all Chinese. */
function phraseOf(phrase: string): { wanted: string[]; han: string | undefined } {
  let known = phrases.get(phrase);
  if (!known) {
    if (phrases.size >= MAX_PHRASES) phrases.clear();
    const joined = normaliseText(phrase).replace(/\s+/g, '');
    known = { wanted: words(phrase), han: /^\p{Script=Han}+$/u.test(joined) ? joined : undefined };
    phrases.set(phrase, known);
  }
  return known;
}

/**
 * Whether a phrase's words occur one after another in the text's words. A Chinese phrase also
 * matches a run of words that joins to it, since jieba may cut the same characters differently
 * in another sentence (规则 "卡纸" against text cut as "卡" "纸").
 */
export function containsPhrase(textWords: readonly string[], phrase: string): boolean {
  const { wanted, han } = phraseOf(phrase);
  if (!wanted.length) return false;
  for (let at = 0; at + wanted.length <= textWords.length; at++) {
    if (wanted.every((w, k) => textWords[at + k] === w)) return true;
  }
  if (!han) return false;
  for (let at = 0; at < textWords.length; at++) {
    let joined = '';
    for (let end = at; end < textWords.length && joined.length < han.length; end++) {
      joined += textWords[end];
      if (joined === han) return true;
    }
  }
  return false;
}

/**
 * A pattern that cannot take long on 2,000 characters, or why not. Refused: what does not
 * compile; back-references (matching them is NP-hard); a quantified group that itself holds a
 * quantifier or an alternative ((a+)+, (a|aa)*: exponential backtracking); more than two
 * unbounded quantifiers in all (polynomial blow-up).
 */
export function regexProblem(pattern: string): { code: string; message: string } | undefined {
  try {
    new RegExp(pattern, 'iu');
  } catch (error) {
    return { code: 'REGEX_INVALID', message: `Not a valid regular expression: ${(error as Error).message}` };
  }
  if (/\\[1-9]|\\k</.test(pattern)) return { code: 'REGEX_BACKTRACKS', message: 'Back-references are not allowed' };
  // Per open group: whether it holds a quantifier or an alternative.
  const groups: { risky: boolean }[] = [];
  let unbounded = 0;
  let lastGroupRisky = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') { i++; lastGroupRisky = false; continue; }
    if (char === '[') {
      // A character class is one atom: skip to its end.
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      lastGroupRisky = false;
      continue;
    }
    if (char === '(') { groups.push({ risky: false }); lastGroupRisky = false; continue; }
    if (char === ')') { lastGroupRisky = groups.pop()?.risky ?? false; if (lastGroupRisky && groups.length) groups.at(-1)!.risky = true; continue; }
    if (char === '|') { if (groups.length) groups.at(-1)!.risky = true; lastGroupRisky = false; continue; }
    const quantifier = char === '*' || char === '+' || char === '?' ? char : char === '{' ? /^\{\d+(,\d*)?\}/.exec(pattern.slice(i))?.[0] : undefined;
    if (quantifier) {
      const isUnbounded = quantifier === '*' || quantifier === '+' || /,\}$/.test(quantifier) || /,(\d{3,})\}$/.test(quantifier);
      if (isUnbounded) unbounded++;
      if (lastGroupRisky && quantifier !== '?') return { code: 'REGEX_BACKTRACKS', message: 'A repeated group holds a repetition or an alternative ((a+)+, (a|b)*): it can backtrack without end' };
      if (groups.length) groups.at(-1)!.risky = true;
      i += quantifier.length - 1;
      if (pattern[i + 1] === '?') i++;
      lastGroupRisky = false;
      continue;
    }
    lastGroupRisky = false;
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
    return { code: 'REGEX_BACKTRACKS', message: `At most ${MAX_UNBOUNDED_QUANTIFIERS} unbounded repetitions (*, +, {n,}) per pattern` };
  }
  return undefined;
}

function canonical(conditions: readonly RuleCondition[]): string {
  return JSON.stringify(conditions.map((c) => JSON.stringify(c, Object.keys(c).sort())).sort());
}

function setValues(actions: readonly RuleAction[]): Map<string, string> {
  return new Map(actions.flatMap((a) => ((SINGLE_VALUE_ACTIONS as readonly string[]).includes(a.type) ? [[a.type, JSON.stringify(a)] as const] : [])));
}
