import { IANAZone } from 'luxon';
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import {
  ATTRIBUTE_OPERATORS, SEGMENT_FIELDS, SEGMENT_LIMITS, SegmentCondition, type SegmentGroup, type SegmentProblemCode, type SegmentRule,
} from '../../contracts/customers.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Actor } from '../accounts/index.js';
import { isUniqueViolation } from '../../core/db/unique-violation.js';
import { customerErrors as errors } from './customers.errors.js';
import type { CustomerContactSource, CustomersRepo, CustomerWhere } from './customers.repo.js';
import type { AttributeType, CustomersDB, SegmentRow } from './customers.schema.js';
import type { Auditor, CustomerPage, CustomersService } from './customers.service.js';

export type { CustomerContactSource } from './customers.repo.js';

export interface SegmentInput { name: string; description: string; rule: unknown }
export interface SegmentPatch { name?: string; description?: string; rule?: unknown }
interface Problem { path: string; code: SegmentProblemCode; params?: Record<string, string | number>; message: string }

const DAY_MS = 24 * 60 * 60 * 1000;
const PREVIEW_PAGE = 20;
/** A stored count older than this is taken again when asked for (the periodic recount is every 10 minutes). */
export const COUNT_MAX_AGE_MS = 15 * 60 * 1000;

export interface SegmentCount { count: number; countedAt: Date }
/** The live count of an unsaved rule: exact, or estimated from a sample (rounded to 3 significant figures). */
export interface PreviewCount { count: number; estimated: boolean }

/**
 * How the preview counts. A workspace of up to `exactUpTo` customers is counted exactly (at most a
 * few hundred ms); a larger one from a block sample of about a fifth as many rows (`sampleRows`).
 */
export interface SegmentPreviewOptions { exactUpTo: number; sampleRows?: number }
/**
 * Fewer matches than this in the sample and the estimate's error is over ~10 % (1/√n, more as rows
 * inserted together share pages), and "≈ 0" would hide the few who match: counted exactly instead
 * (a rare match is mostly found on an index: a tag, an e-mail, an attribute's value).
 */
const MIN_SAMPLED_MATCHES = 100;

/**
 * Saved segments: a named rule per workspace (all/any groups of conditions on the record, products
 * owned, orders, consent and last contact), checked against the workspace when written and compiled
 * to one SQL query whenever it is counted or listed. Members are never loaded to be filtered.
 */
export class CustomerSegments {
  constructor(
    private readonly repo: CustomersRepo,
    private readonly customers: CustomersService,
    private readonly auditor: Auditor,
    private readonly clock: Clock,
    private readonly contacts: CustomerContactSource,
    private readonly previewOptions: SegmentPreviewOptions,
  ) {}

  list(workspaceId: string): Promise<SegmentRow[]> {
    return this.repo.segments(workspaceId);
  }

  async find(workspaceId: string, id: string): Promise<SegmentRow> {
    const segment = await this.repo.segment(workspaceId, id);
    if (!segment) throw errors.notFound('segment');
    return segment;
  }

  async create(workspaceId: string, input: SegmentInput, actor: Actor): Promise<SegmentRow> {
    const rule = await this.check(workspaceId, input.rule);
    const segment = await this.repo.insertSegment(workspaceId, {
      name: input.name, description: input.description, rule: JSON.stringify(rule), created_by: actor.type === 'agent' ? actor.id : null,
    }).catch(rethrowNameTaken(input.name));
    await this.auditor.audit(workspaceId, actor, 'customer_segment.created', 'customer_segment', segment.id, { name: segment.name });
    return segment;
  }

  async update(workspaceId: string, id: string, patch: SegmentPatch, actor: Actor): Promise<SegmentRow> {
    await this.find(workspaceId, id);
    const rule = patch.rule === undefined ? undefined : await this.check(workspaceId, patch.rule);
    const segment = await this.repo.updateSegment(workspaceId, id, {
      name: patch.name, description: patch.description, rule: rule && JSON.stringify(rule),
    }, this.clock.now()).catch(rethrowNameTaken(patch.name ?? ''));
    if (!segment) throw errors.notFound('segment');
    await this.auditor.audit(workspaceId, actor, 'customer_segment.updated', 'customer_segment', id, { changed: Object.keys(patch).filter((k) => patch[k as keyof SegmentPatch] !== undefined) });
    return segment;
  }

  async remove(workspaceId: string, id: string, actor: Actor): Promise<void> {
    if (!(await this.repo.deleteSegment(workspaceId, id))) throw errors.notFound('segment');
    await this.auditor.audit(workspaceId, actor, 'customer_segment.deleted', 'customer_segment', id, {});
  }

  /** The segment's members as a condition on customers, compiled now (relative days count from now). */
  async where(workspaceId: string, id: string): Promise<CustomerWhere> {
    const segment = await this.find(workspaceId, id);
    return this.compiled(workspaceId, segment.rule);
  }

  /**
   * The segment's member count and when it was taken: the stored one while younger than
   * COUNT_MAX_AGE_MS (recounts follow changes within a minute or two, and come every 10 minutes
   * anyway: customers.segments.jobs.ts), else counted now and stored.
   */
  async count(workspaceId: string, id: string): Promise<SegmentCount> {
    const segment = await this.find(workspaceId, id);
    const oldest = this.clock.now().getTime() - COUNT_MAX_AGE_MS;
    if (segment.member_count !== null && segment.counted_at && segment.counted_at.getTime() >= oldest) {
      return { count: segment.member_count, countedAt: segment.counted_at };
    }
    return this.countNow(workspaceId, segment);
  }

  /** Counts every saved segment of the workspace now and stores the counts; how many segments it has. */
  async recount(workspaceId: string): Promise<number> {
    const segments = await this.repo.segments(workspaceId);
    for (const segment of segments) {
      // A rule naming what was deleted since (a purpose, a product) cannot be counted: its last count stays.
      await this.countNow(workspaceId, segment).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
    }
    return segments.length;
  }

  /** One count over the workspace's customers (seconds at a million), stored with the time it began. */
  private async countNow(workspaceId: string, segment: SegmentRow): Promise<SegmentCount> {
    const countedAt = this.clock.now();
    const count = await this.repo.countWhere(workspaceId, await this.compiled(workspaceId, segment.rule));
    await this.repo.storeSegmentCount(workspaceId, segment.id, { count, countedAt, rule: segment.rule });
    return { count, countedAt };
  }

  /** A page of the segment's members in the customer list's order (`cursor`: its `nextCursor`). */
  async members(workspaceId: string, id: string, page: { cursor?: string; limit?: number }): Promise<CustomerPage> {
    return this.customers.list(workspaceId, { ...page, where: await this.where(workspaceId, id) });
  }

  /**
   * An unsaved rule's count and some of its customers: the console's live count while a rule is
   * edited. In a small workspace the count is exact and the customers are the first page (newest
   * first, with a cursor); in a large one both come from a block sample (`previewFrom`): the count
   * estimated, the customers the newest of the sampled ones who match (no cursor; a saved
   * segment's members page through all of them). Saved segments' counts (`count`, the recount
   * job) are always exact.
   */
  async preview(workspaceId: string, input: unknown, limit = PREVIEW_PAGE): Promise<PreviewCount & CustomerPage> {
    const { rule, refs } = await this.resolve(workspaceId, input);
    const now = this.clock.now();
    return this.previewFrom(workspaceId, (form) => compileRule(rule, refs, now, this.contacts, form), limit);
  }

  /**
   * Exact when the planner expects at most `exactUpTo` customers in the workspace. The decision is
   * the planner's estimate (`plannedCustomers`, per workspace, read from the statistics in a
   * millisecond), not a count: counting the workspace's customers is itself the slow part at a
   * million. Above it, a block sample of about `sampleRows` of the workspace's rows gives the share
   * that matches, scaled by the same estimate of the workspace's customers (a ratio estimate: the
   * sample's own size varies with how many pages it drew, the share much less), and a second
   * sample the customers shown, both reading the rule per customer (`RuleForm`): the first page of a rule on the whole list costs seconds at a
   * million when its matches are spread thin or its condition is a join (consent, orders). Counted
   * exactly after all when sampling would read more rows than the workspace holds (a workspace
   * small beside the others in the table), when the sample finds far fewer of the workspace's rows
   * than expected (the statistics overstate it), or when too few rows match (MIN_SAMPLED_MATCHES).
   * When the sample finds more than twice the rows expected (statistics well behind a growing
   * workspace), its own count scales instead.
   */
  private async previewFrom(workspaceId: string, compiled: (form: RuleForm) => CustomerWhere, limit: number): Promise<PreviewCount & CustomerPage> {
    const where = compiled('set');
    const exact = async () => {
      const [count, page] = await Promise.all([this.repo.countWhere(workspaceId, where), this.customers.list(workspaceId, { limit, where })]);
      return { count, estimated: false, ...page };
    };
    const { exactUpTo } = this.previewOptions;
    const sampleRows = this.previewOptions.sampleRows ?? Math.ceil(exactUpTo / 5);
    const planned = await this.repo.plannedCustomers(workspaceId);
    if (planned.workspace <= exactUpTo) return exact();
    const percent = Math.min(100, (100 * sampleRows) / planned.workspace);
    if ((planned.table * percent) / 100 >= planned.workspace) return exact();
    const perCustomer = compiled('per_customer');
    const [{ sampled, matched }, shown] = await Promise.all([
      this.repo.sampleWhere(workspaceId, perCustomer, percent), this.repo.sampledMembers(workspaceId, perCustomer, percent, limit),
    ]);
    if (sampled < sampleRows / 4 || matched < MIN_SAMPLED_MATCHES) return exact();
    const fromSample = (sampled * 100) / percent;
    const customers = fromSample > 2 * planned.workspace ? fromSample : planned.workspace;
    return { count: significant((customers * matched) / sampled, 3), estimated: true, customers: shown, nextCursor: null };
  }

  /** The rule parsed and every name in it found in the workspace; throws naming each bad part. */
  async check(workspaceId: string, input: unknown): Promise<SegmentRule> {
    return (await this.resolve(workspaceId, input)).rule;
  }

  /** A rule (checked as `check` does) as a condition on customers, compiled now, in the form asked for (`RuleForm`). */
  async compiled(workspaceId: string, input: unknown, form: RuleForm = 'set'): Promise<CustomerWhere> {
    const { rule, refs } = await this.resolve(workspaceId, input);
    return compileRule(rule, refs, this.clock.now(), this.contacts, form);
  }

  private async resolve(workspaceId: string, input: unknown): Promise<{ rule: SegmentRule; refs: References }> {
    const rule = parseRule(input);
    const conditions = flatten(rule);
    const named = {
      models: unique(conditions.flatMap(({ condition: c }) => (c.field === 'product' && c.model ? [c.model] : []))),
      categories: unique(conditions.flatMap(({ condition: c }) => (c.field === 'product' && c.category ? [c.category] : []))),
      companyIds: unique(conditions.flatMap(({ condition: c }) => (c.field === 'company' && c.companyId ? [c.companyId] : []))),
    };
    const found = await this.repo.segmentReferences(workspaceId, named);
    const refs: References = {
      attributes: new Map(found.attributes.map((a) => [a.key, { type: a.type, choices: a.choices }])),
      purposes: new Map(found.purposes.map((p) => [p.key, p.id])),
      products: new Map(found.products.map((p) => [p.model, p.id])),
    };
    const invalid: Problem[] = [];
    const unknown: Problem[] = [];
    for (const { condition: c, path } of conditions) {
      const at = (part: string) => `${path}.${part}`;
      if (c.field === 'attribute') {
        const definition = refs.attributes.get(c.key);
        if (!definition) unknown.push({ path: at('key'), code: 'attribute_unknown', params: { key: c.key }, message: `no customer attribute has the key ${c.key}` });
        else {
          const problem = attributeConditionProblem(definition, c.op, c.value);
          if (problem) invalid.push({ path: at(problem.part), ...problem });
        }
      } else if (c.field === 'product') {
        if (c.model && !refs.products.has(c.model)) unknown.push({ path: at('model'), code: 'model_unknown', params: { model: c.model }, message: `no product in the catalogue has the model ${c.model}` });
        if (c.category && !found.categories.includes(c.category)) unknown.push({ path: at('category'), code: 'category_unknown', params: { category: c.category }, message: `no product in the catalogue has the category ${c.category}` });
        if (c.purchasedAfter && c.purchasedBefore && c.purchasedAfter >= c.purchasedBefore) invalid.push({ path: at('purchasedBefore'), code: 'purchased_range', message: 'must be after purchasedAfter' });
      } else if (c.field === 'consent') {
        if (!refs.purposes.has(c.purpose)) unknown.push({ path: at('purpose'), code: 'purpose_unknown', params: { purpose: c.purpose }, message: `no consent purpose has the key ${c.purpose}` });
      } else if (c.field === 'company') {
        if (c.companyId && !found.companyIds.includes(c.companyId)) unknown.push({ path: at('companyId'), code: 'company_unknown', message: 'no company of this workspace has this id' });
      } else if (c.field === 'timeZone') {
        if (c.value !== null && !IANAZone.isValidZone(c.value)) invalid.push({ path: at('value'), code: 'time_zone', message: 'an IANA time zone such as Asia/Shanghai' });
      } else if (c.field === 'orders') {
        if (c.measure === 'total' && !c.currency) invalid.push({ path: at('currency'), code: 'currency_required', message: 'a total is summed in one currency: name it' });
        if (c.measure === 'count' && !Number.isInteger(c.value)) invalid.push({ path: at('value'), code: 'count_whole', message: 'a count is a whole number' });
      } else if (c.field === 'lastContact') {
        if (c.op !== 'never' && c.days === undefined) invalid.push({ path: at('days'), code: 'days_required', message: 'how many days' });
        if (c.op === 'never' && c.days !== undefined) invalid.push({ path: at('days'), code: 'days_not_taken', message: 'never takes no days' });
      }
    }
    if (invalid.length) throw errors.segmentRuleInvalid(invalid);
    if (unknown.length) throw errors.segmentReferenceUnknown(unknown);
    return { rule, refs };
  }
}

const rethrowNameTaken = (name: string) => (cause: unknown): never => {
  throw isUniqueViolation(cause) ? errors.segmentNameTaken(name) : cause;
};

const unique = <T>(values: T[]) => [...new Set(values)];
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const pathText = (path: (string | number)[]) => path.join('.');

/**
 * The rule's shape: groups ({match, conditions}) and conditions (by `field`), at most
 * SEGMENT_LIMITS deep and long. Every problem is named by its path (conditions.1.value).
 */
export function parseRule(input: unknown): SegmentRule {
  const problems: Problem[] = [];
  let conditions = 0;
  const group = (node: Record<string, unknown>, path: (string | number)[], depth: number): SegmentGroup => {
    const extra = Object.keys(node).filter((key) => key !== 'match' && key !== 'conditions');
    if (extra.length) problems.push({ path: pathText([...path, extra[0]!]), code: 'group_keys', message: 'a group has only match and conditions' });
    if (node.match !== 'all' && node.match !== 'any') problems.push({ path: pathText([...path, 'match']), code: 'group_match', message: 'all or any' });
    if (depth > SEGMENT_LIMITS.depth) {
      problems.push({ path: pathText(path), code: 'group_too_deep', params: { depth: SEGMENT_LIMITS.depth }, message: `groups nest at most ${SEGMENT_LIMITS.depth} deep` });
      return { match: 'all', conditions: [] };
    }
    if (!Array.isArray(node.conditions) || node.conditions.length === 0) {
      problems.push({ path: pathText([...path, 'conditions']), code: 'group_empty', message: 'a group holds at least one condition' });
      return { match: 'all', conditions: [] };
    }
    return {
      match: node.match === 'any' ? 'any' : 'all',
      conditions: node.conditions.flatMap((child: unknown, i): (SegmentCondition | SegmentGroup)[] => {
        const at = [...path, 'conditions', i];
        if (isObject(child) && 'match' in child && !('field' in child)) return [group(child, at, depth + 1)];
        conditions++;
        if (isObject(child) && typeof child.field === 'string' && !(SEGMENT_FIELDS as string[]).includes(child.field)) {
          problems.push({ path: pathText([...at, 'field']), code: 'field_unknown', params: { field: child.field }, message: `unknown field ${child.field}; one of ${SEGMENT_FIELDS.join(', ')}` });
          return [];
        }
        const parsed = SegmentCondition.safeParse(child);
        if (parsed.success) return [parsed.data];
        for (const issue of parsed.error.issues) problems.push({ path: pathText([...at, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]), code: 'condition_shape', message: issue.message });
        return [];
      }),
    };
  };
  if (!isObject(input)) throw errors.segmentRuleInvalid([{ path: '', code: 'rule_shape', message: 'a rule is a group {match, conditions}' }]);
  const rule = group(input, [], 1);
  if (conditions > SEGMENT_LIMITS.conditions) problems.unshift({ path: '', code: 'too_many_conditions', params: { max: SEGMENT_LIMITS.conditions, count: conditions }, message: `a rule holds at most ${SEGMENT_LIMITS.conditions} conditions (this one ${conditions})` });
  if (problems.length) throw errors.segmentRuleInvalid(problems);
  return rule;
}

function flatten(group: SegmentGroup, path = 'conditions'): { condition: SegmentCondition; path: string }[] {
  return group.conditions.flatMap((node, i) => ('match' in node ? flatten(node, `${path}.${i}.conditions`) : [{ condition: node, path: `${path}.${i}` }]));
}

/** An operator the attribute's type does not take, or a value of the wrong kind for it. */
function attributeConditionProblem(definition: { type: AttributeType; choices: string[] }, op: string, value: unknown): Omit<Problem, 'path'> & { part: 'op' | 'value' } | undefined {
  const allowed: readonly string[] = ATTRIBUTE_OPERATORS[definition.type];
  if (!allowed.includes(op)) return { part: 'op', code: 'attribute_op', params: { type: definition.type, ops: allowed.join(', ') }, message: `a ${definition.type} attribute takes ${allowed.join(', ')}` };
  if (op === 'is_set' || op === 'is_not_set') return value === undefined ? undefined : { part: 'value', code: 'attribute_no_value', params: { op }, message: `${op} takes no value` };
  const wrong = (code: SegmentProblemCode, message: string, params?: Record<string, string>) => ({ part: 'value' as const, code, params, message });
  const choices = { choices: definition.choices.join(', ') };
  switch (definition.type) {
    case 'text': return typeof value === 'string' && value.length > 0 ? undefined : wrong('value_text', 'a text');
    case 'number': return typeof value === 'number' ? undefined : wrong('value_number', 'a number');
    case 'date':
      if (op === 'within_last_days') return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 36_500 ? undefined : wrong('value_days', 'a number of days');
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value) ? undefined : wrong('value_date', 'a date like 2026-12-31');
    case 'choice':
      if (op === 'in') {
        return Array.isArray(value) && value.every((v) => definition.choices.includes(v)) ? undefined : wrong('value_choices', `a list of ${choices.choices}`, choices);
      }
      return typeof value === 'string' && definition.choices.includes(value) ? undefined : wrong('value_choice', `one of ${choices.choices}`, choices);
  }
}

interface References {
  attributes: Map<string, { type: AttributeType; choices: string[] }>;
  purposes: Map<string, string>;
  products: Map<string, string>;
}

/** `value` rounded to `figures` significant figures (243,517 → 244,000): an estimate claims no more. */
export function significant(value: number, figures: number): number {
  if (value < 1) return Math.round(value);
  const step = 10 ** Math.max(0, Math.floor(Math.log10(value)) - figures + 1);
  return Math.round(value / step) * step;
}

type Eb = ExpressionBuilder<CustomersDB, 'customers'>;
const COMPARE = { gte: '>=', gt: '>', lte: '<=', lt: '<', eq: '=' } as const;
const holds = (left: number, op: keyof typeof COMPARE, right: number) =>
  ({ gte: left >= right, gt: left > right, lte: left <= right, lt: left < right, eq: left === right })[op];
const like = (text: string, where: 'in' | 'start' | 'end') => {
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return where === 'start' ? `${escaped}%` : where === 'end' ? `%${escaped}` : `%${escaped}%`;
};

/**
 * How a rule reads products, orders and consent: `set`, a subquery over the whole table once
 * (`customers.id [not] in (…)`), for counting all of a workspace's customers; `per_customer`, an
 * index look-up per customer (`exists`, a correlated count or latest change), for a sample of a few
 * thousand, where computing the whole set (every consent change of a purpose, every order of a year)
 * would cost more than the sample. Both hold the same customers (customers.segments.test.ts).
 */
export type RuleForm = 'set' | 'per_customer';

/**
 * The rule as one condition on `customers`: record fields compare columns; products, orders,
 * consent and last contact are subqueries, in the `form` asked for (last contact is always a set:
 * it is the tickets module's). Every value is a parameter; operators come from fixed tables.
 * Relative periods count back from `now`.
 */
export function compileRule(rule: SegmentRule, refs: References, now: Date, contacts: CustomerContactSource, form: RuleForm = 'set'): CustomerWhere {
  const perCustomer = form === 'per_customer';
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const dayText = (date: Date) => date.toISOString().slice(0, 10);
  const today = dayText(now);
  const id = sql.ref('customers.id');
  const within = (set: Expression<unknown>, negate: boolean): RawBuilder<SqlBool> => (negate ? sql<SqlBool>`${id} not in (${set})` : sql<SqlBool>`${id} in (${set})`);

  const condition = (eb: Eb, c: SegmentCondition): Expression<SqlBool> => {
    switch (c.field) {
      case 'name': {
        const name = sql<string>`lower(customers.name)`;
        return c.op === 'equals' ? eb(name, '=', c.value.toLowerCase()) : eb(name, 'like', like(c.value, c.op === 'starts_with' ? 'start' : 'in'));
      }
      case 'email':
        return c.op === 'equals' ? eb('customers.email', '=', c.value.toLowerCase()) : eb('customers.email', 'like', like(c.value, c.op === 'ends_with' ? 'end' : 'in'));
      case 'locale':
        return eb('customers.locale', c.op === 'is' ? 'is not distinct from' : 'is distinct from', c.value);
      case 'timeZone':
        return eb('customers.time_zone', c.op === 'is' ? 'is not distinct from' : 'is distinct from', c.value);
      case 'company':
        return eb('customers.company_id', c.op === 'is' ? 'is not distinct from' : 'is distinct from', c.companyId);
      case 'tag': {
        const has = eb('customers.tags', '@>', sql<string[]>`array[${c.value}]::text[]`);
        return c.op === 'has' ? has : eb.not(has);
      }
      case 'attribute': return attribute(eb, c);
      case 'createdAt':
        return eb('customers.created_at', c.op === 'within_days' ? '>=' : '<', daysAgo(c.days));
      case 'product': {
        let owned = eb.selectFrom('product_registrations as r').select('r.customer_id');
        if (c.model) owned = owned.where('r.product_id', '=', refs.products.get(c.model)!);
        if (c.category) owned = owned.where('r.product_id', 'in', eb.selectFrom('products as p').select('p.id').where('p.category', '=', c.category));
        if (c.purchasedWithinDays) owned = owned.where('r.purchased_on', '>=', dayText(daysAgo(c.purchasedWithinDays)));
        if (c.purchasedAfter) owned = owned.where('r.purchased_on', '>=', c.purchasedAfter);
        if (c.purchasedBefore) owned = owned.where('r.purchased_on', '<', c.purchasedBefore);
        if (c.warrantyActive === true) owned = owned.where('r.warranty_until', '>=', today);
        if (c.warrantyActive === false) owned = owned.where((w) => w.or([w('r.warranty_until', 'is', null), w('r.warranty_until', '<', today)]));
        if (!perCustomer) return within(owned, c.op === 'not_owns');
        const holds = eb.exists(owned.whereRef('r.customer_id', '=', 'customers.id'));
        return c.op === 'not_owns' ? eb.not(holds) : holds;
      }
      case 'orders': {
        const measure = c.measure === 'count' ? sql`count(*)` : sql`sum(o.amount)`;
        const test = sql<SqlBool>`${measure} ${sql.raw(COMPARE[c.op])} ${c.value}`;
        // Customers without orders measure 0: when 0 meets the test they are in, so the subquery
        // lists those who have orders and fail it instead.
        const zeroMeets = holds(0, c.op, c.value);
        let orders = eb.selectFrom('customer_orders as o');
        if (c.withinDays) orders = orders.where('o.ordered_at', '>=', daysAgo(c.withinDays));
        if (c.currency) orders = orders.where('o.currency', '=', c.currency);
        if (perCustomer) {
          const measured = orders.whereRef('o.customer_id', '=', 'customers.id').select(sql`coalesce(${measure}, 0)`.as('measured'));
          return sql<SqlBool>`(${measured}) ${sql.raw(COMPARE[c.op])} ${c.value}`;
        }
        return within(orders.select('o.customer_id').groupBy('o.customer_id').having(zeroMeets ? sql<SqlBool>`not (${test})` : test), zeroMeets);
      }
      case 'consent': {
        // The current state is each customer's latest change for the purpose.
        if (perCustomer) {
          const current = eb.selectFrom('consent_changes as cc').select('cc.granted').whereRef('cc.customer_id', '=', 'customers.id')
            .where('cc.purpose_id', '=', refs.purposes.get(c.purpose)!).orderBy('cc.id', 'desc').limit(1);
          return sql<SqlBool>`(${current}) is ${sql.raw(c.op === 'granted' ? 'true' : 'not true')}`;
        }
        const latest = eb.selectFrom('consent_changes as cc').distinctOn('cc.customer_id').select(['cc.customer_id', 'cc.granted'])
          .where('cc.purpose_id', '=', refs.purposes.get(c.purpose)!).orderBy('cc.customer_id').orderBy('cc.id', 'desc').as('latest');
        return within(eb.selectFrom(latest).select('latest.customer_id').where('latest.granted', '=', true), c.op === 'not_granted');
      }
      case 'lastContact':
        return c.op === 'never' ? within(contacts(null), true) : within(contacts(daysAgo(c.days!)), c.op === 'not_within_days');
    }
  };

  const attribute = (eb: Eb, c: Extract<SegmentCondition, { field: 'attribute' }>): Expression<SqlBool> => {
    const definition = refs.attributes.get(c.key)!;
    const raw = sql`customers.attributes -> ${c.key}`;
    const text = sql<string>`customers.attributes ->> ${c.key}`;
    const contains = (value: unknown) => sql<SqlBool>`customers.attributes @> ${JSON.stringify({ [c.key]: value })}::jsonb`;
    switch (c.op) {
      case 'is_set': return sql<SqlBool>`${raw} is not null`;
      case 'is_not_set': return sql<SqlBool>`${raw} is null`;
      case 'equals': return contains(c.value);
      case 'not_equals': return eb.not(contains(c.value));
      case 'contains': return eb(sql<string>`lower(${text})`, 'like', like(String(c.value), 'in'));
      case 'in': return eb(text, '=', sql<string>`any(${c.value as string[]}::text[])`);
      case 'within_last_days': return sql<SqlBool>`(case when jsonb_typeof(${raw}) = 'string' then ${text} end) >= ${dayText(daysAgo(c.value as number))}`;
      case 'before': case 'after': {
        // Dates are stored as YYYY-MM-DD, which sort as they read.
        return sql<SqlBool>`(case when jsonb_typeof(${raw}) = 'string' then ${text} end) ${sql.raw(c.op === 'before' ? '<' : '>')} ${c.value as string}`;
      }
      case 'gt': case 'gte': case 'lt': case 'lte': {
        const number = sql`(case when jsonb_typeof(${raw}) = 'number' then (${text})::numeric end)`;
        return sql<SqlBool>`${number} ${sql.raw(COMPARE[c.op])} ${c.value as number}::numeric`;
      }
    }
    throw new Error(`unreachable: ${definition.type} ${c.op}`);
  };

  const group = (eb: Eb, g: SegmentGroup): Expression<SqlBool> => {
    const parts = g.conditions.map((node) => ('match' in node ? group(eb, node) : condition(eb, node)));
    return g.match === 'all' ? eb.and(parts) : eb.or(parts);
  };
  return (eb) => group(eb, rule);
}
