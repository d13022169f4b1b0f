import { z } from 'zod';
import type { Wire } from './http.js';

/**
 * The customer database on the wire: the shapes the customers module's routes answer with (their
 * response schemas) and the console reads (`Wire<…>` of them: times travel as ISO strings).
 */

export const IDENTITY_KINDS = ['email', 'phone', 'chat_visitor', 'portal_account', 'wechat_openid', 'wechat_unionid', 'wecom_external'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
/** The fields a merge may take from the duplicate instead of the survivor; the rest are combined. */
/** The domain of the undeliverable address a customer known only by phone gets (phone-8613800138000@phone.invalid): shown as no e-mail. */
export const PHONE_ONLY_DOMAIN = 'phone.invalid';
/** Why an import refused a row, as a code the console translates (`params` fill its placeholders). */
export const IMPORT_REFUSAL_CODES = [
  'email_invalid', 'attribute_invalid', 'name_too_long', 'phone_invalid', 'locale_invalid', 'time_zone_invalid', 'company_too_long', 'tags_invalid',
  'email_repeated', 'phone_repeated', 'phone_taken', 'email_taken', 'contact_missing',
] as const;
export type ImportRefusalCode = (typeof IMPORT_REFUSAL_CODES)[number];
export const MERGE_FIELDS = ['name', 'locale', 'timeZone', 'companyId', 'address'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

export const LocalisedTextView = z.object({ en: z.string(), 'zh-CN': z.string().optional() });
export const AddressView = z.object({
  line1: z.string().optional(), line2: z.string().optional(), city: z.string().optional(),
  region: z.string().optional(), postalCode: z.string().optional(), country: z.string().optional(),
});

export const CustomerView = z.object({
  id: z.string(), name: z.string(), email: z.string().describe('The primary e-mail'), locale: z.enum(['en', 'zh-CN']).nullable(),
  timeZone: z.string().nullable(), companyId: z.string().nullable(), address: AddressView.nullable(), tags: z.array(z.string()),
  attributes: z.record(z.string(), z.union([z.string(), z.number()])), createdAt: z.date(), updatedAt: z.date(),
  erasedAt: z.date().nullable().optional().describe('Set once the customer\'s personal data has been erased'),
});
export const IdentityView = z.object({ id: z.string(), kind: z.enum(IDENTITY_KINDS), value: z.string(), primary: z.boolean(), verified: z.boolean(), createdAt: z.date() });
export const CompanyView = z.object({ id: z.string(), name: z.string(), domain: z.string().nullable(), notes: z.string(), createdAt: z.date(), updatedAt: z.date() });
/** The companies list: each with its number of customers. */
export const CompanyListView = CompanyView.extend({ memberCount: z.number().int() });
/** A company's page: its first 100 members by name, each with their number of tickets (chats included). */
export const CompanyPageView = CompanyView.extend({ members: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), ticketCount: z.number().int() })) });
export const ProductView = z.object({ id: z.string(), model: z.string(), names: LocalisedTextView, category: z.string(), createdAt: z.date() });
export const RegistrationView = z.object({
  id: z.string(), productId: z.string(), serial: z.string(), purchasedOn: z.string().nullable(), warrantyUntil: z.string().nullable(), boughtFrom: z.string(), createdAt: z.date(),
});
export const OrderView = z.object({
  id: z.string(), reference: z.string().nullable(), orderedAt: z.date(), amount: z.string(), currency: z.string(),
  lines: z.array(z.object({ productId: z.string().nullable(), description: z.string(), quantity: z.number(), amount: z.string() })),
});
export const PurposeView = z.object({ id: z.string(), key: z.string(), names: LocalisedTextView, wordingVersion: z.string() });
export const ConsentChangeView = z.object({
  purposeId: z.string(), granted: z.boolean(), channel: z.string(), wordingVersion: z.string(),
  changedBy: z.object({ type: z.string(), id: z.string().nullable() }), changedAt: z.date(),
});
export const ConsentView = z.object({ purpose: PurposeView, granted: z.boolean(), since: z.date().nullable(), wordingVersion: z.string().nullable() });
export const AttributeView = z.object({ id: z.string(), key: z.string(), labels: LocalisedTextView, type: z.string(), choices: z.array(z.string()) });


export const TimelineView = z.object({
  at: z.date(),
  kind: z.enum(['created', 'ticket', 'note', 'product', 'order', 'consent', 'merge']),
  ticket: z.object({ id: z.string(), number: z.number(), subject: z.string(), status: z.string(), channel: z.string() }).optional(),
  note: z.object({ id: z.string(), body: z.string(), authorId: z.string().nullable() }).optional(),
  registration: z.object({ id: z.string(), model: z.string(), serial: z.string() }).optional(),
  order: z.object({ id: z.string(), reference: z.string().nullable(), amount: z.string(), currency: z.string() }).optional(),
  consent: z.object({ purposeId: z.string(), granted: z.boolean(), channel: z.string() }).optional(),
  merge: z.object({ mergedName: z.string(), mergedEmail: z.string() }).optional(),
});
export const ImportStatusView = z.object({
  id: z.string(), fileName: z.string(), status: z.enum(['queued', 'running', 'done']), total: z.number(), processed: z.number(),
  created: z.number(), updated: z.number(),
  refused: z.array(z.object({
    line: z.number(), email: z.string().nullable(), reason: z.string(),
    code: z.enum(IMPORT_REFUSAL_CODES).optional().describe('The reason as a code (imports before codes have none)'), params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })).describe('Rows not imported: line in the file (header is line 1) and why'),
  createdAt: z.date(), finishedAt: z.date().nullable(),
});
export const MergeView = z.object({
  id: z.string(), survivorId: z.string(), mergedId: z.string(), mergedName: z.string(), mergedEmail: z.string(),
  fieldsTaken: z.array(z.string()), moved: z.record(z.string(), z.number()), mergedBy: z.object({ type: z.string(), id: z.string().nullable() }), createdAt: z.date(),
});

export const RecordView = z.object({
  customer: CustomerView, identities: z.array(IdentityView), company: CompanyView.nullable(),
  notes: z.array(z.object({ id: z.string(), body: z.string(), authorId: z.string().nullable(), createdAt: z.date() })),
  products: z.array(RegistrationView.extend({ model: z.string(), names: LocalisedTextView })),
  orders: z.array(OrderView), consents: z.array(ConsentView),
  tickets: z.array(z.object({ id: z.string(), number: z.number(), subject: z.string(), status: z.string(), createdAt: z.date(), updatedAt: z.date() })),
});
/** An erasure (PIPL / GDPR): who asked, its progress and how many rows it changed; never the personal data. */
export const ErasureView = z.object({
  id: z.string(), customerId: z.string(), status: z.enum(['queued', 'done']),
  requestedBy: z.object({ type: z.enum(['customer', 'agent', 'api', 'system']), id: z.string().nullable() }),
  counts: z.record(z.string(), z.number()), createdAt: z.date(), finishedAt: z.date().nullable(),
});
export const CustomerPageView = z.object({ customers: z.array(CustomerView), nextCursor: z.string().nullable() });
export const DuplicatesView = z.object({
  suggestions: z.array(z.object({ customer: CustomerView, reasons: z.array(z.enum(['name', 'phone', 'email'])) })),
  merges: z.array(MergeView),
});


export type CustomerWire = Wire<z.infer<typeof CustomerView>>;
export type RecordWire = Wire<z.infer<typeof RecordView>>;
export type CustomerPageWire = Wire<z.infer<typeof CustomerPageView>>;
export type TimelineWire = Wire<z.infer<typeof TimelineView>>;
export type ImportStatusWire = Wire<z.infer<typeof ImportStatusView>>;
export type DuplicatesWire = Wire<z.infer<typeof DuplicatesView>>;
export type MergeWire = Wire<z.infer<typeof MergeView>>;
export type ErasureWire = Wire<z.infer<typeof ErasureView>>;
export type CompanyWire = Wire<z.infer<typeof CompanyView>>;
export type CompanyListWire = Wire<z.infer<typeof CompanyListView>>;
export type CompanyPageWire = Wire<z.infer<typeof CompanyPageView>>;
export type PurposeWire = z.infer<typeof PurposeView>;

// ---- saved segments: a named rule over the customer database, counted and listed live

/** How deep groups nest (the rule itself is depth 1), how many conditions a rule holds in all, how many values a list takes. */
export const SEGMENT_LIMITS = { depth: 3, conditions: 20, values: 50 } as const;

/** The operators each attribute type takes; a value's shape follows the operator (see the module's README). */
export const ATTRIBUTE_OPERATORS = {
  text: ['equals', 'not_equals', 'contains', 'is_set', 'is_not_set'],
  number: ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte', 'is_set', 'is_not_set'],
  date: ['equals', 'before', 'after', 'within_last_days', 'is_set', 'is_not_set'],
  choice: ['equals', 'not_equals', 'in', 'is_set', 'is_not_set'],
} as const;
export type AttributeOperator = (typeof ATTRIBUTE_OPERATORS)[keyof typeof ATTRIBUTE_OPERATORS][number];
const ALL_ATTRIBUTE_OPERATORS = [...new Set(Object.values(ATTRIBUTE_OPERATORS).flat())] as [AttributeOperator, ...AttributeOperator[]];

const SegmentText = z.string().trim().min(1).max(200);
const SegmentKey = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _, starting with a letter');
const SegmentDays = z.number().int().min(1).max(36_500);
const SegmentDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');
const Compare = z.enum(['gte', 'gt', 'lte', 'lt', 'eq']);

/**
 * One condition of a segment's rule, by `field`. Every value is a query parameter when the rule is
 * compiled to SQL; keys, models, purposes and companies are checked against the workspace first.
 */
export const SegmentCondition = z.discriminatedUnion('field', [
  z.strictObject({ field: z.literal('name'), op: z.enum(['contains', 'equals', 'starts_with']), value: SegmentText }),
  z.strictObject({ field: z.literal('email'), op: z.enum(['contains', 'equals', 'ends_with']), value: SegmentText }),
  z.strictObject({ field: z.literal('locale'), op: z.enum(['is', 'is_not']), value: z.enum(['en', 'zh-CN']).nullable().describe('null: no language set') }),
  z.strictObject({ field: z.literal('timeZone'), op: z.enum(['is', 'is_not']), value: z.string().min(1).max(64).nullable().describe('An IANA zone; null: none set') }),
  z.strictObject({ field: z.literal('company'), op: z.enum(['is', 'is_not']), companyId: z.string().uuid().nullable().describe('null: no company') }),
  z.strictObject({ field: z.literal('tag'), op: z.enum(['has', 'has_not']), value: z.string().trim().toLowerCase().min(1).max(40) }),
  z.strictObject({
    field: z.literal('attribute'), key: SegmentKey, op: z.enum(ALL_ATTRIBUTE_OPERATORS),
    value: z.union([z.string().max(1000), z.number().finite(), z.array(z.string().max(100)).min(1).max(SEGMENT_LIMITS.values)]).optional()
      .describe('text: a string; number: a number; date: YYYY-MM-DD, or days for within_last_days; choice: one of its choices, a list of them for in; none for is_set/is_not_set'),
  }),
  z.strictObject({
    field: z.literal('product'), op: z.enum(['owns', 'not_owns']),
    model: z.string().min(1).max(80).optional(), category: z.string().min(1).max(80).optional(),
    purchasedWithinDays: SegmentDays.optional(), purchasedAfter: SegmentDay.optional(), purchasedBefore: SegmentDay.optional(),
    warrantyActive: z.boolean().optional().describe('true: a warranty that has not ended; false: ended or none'),
  }),
  z.strictObject({
    field: z.literal('orders'), measure: z.enum(['count', 'total']), op: Compare, value: z.number().finite().min(0).max(1e12),
    withinDays: SegmentDays.optional(), currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY').optional().describe('Required for total'),
  }),
  z.strictObject({ field: z.literal('consent'), purpose: SegmentKey, op: z.enum(['granted', 'not_granted']) }),
  z.strictObject({
    field: z.literal('lastContact'), op: z.enum(['within_days', 'not_within_days', 'never']), days: SegmentDays.optional().describe('Required except for never'),
  }),
  z.strictObject({ field: z.literal('createdAt'), op: z.enum(['within_days', 'more_than_days']), days: SegmentDays }),
]);
export type SegmentCondition = z.infer<typeof SegmentCondition>;
export type SegmentField = SegmentCondition['field'];
export const SEGMENT_FIELDS = SegmentCondition.options.map((o) => o.shape.field.value) as SegmentField[];

/** A group: all (and) or any (or) of its conditions and groups. */
export interface SegmentGroup { match: 'all' | 'any'; conditions: (SegmentCondition | SegmentGroup)[] }
/** The rule of a segment is its top group. */
export type SegmentRule = SegmentGroup;

/** The rule as the API answers with it (checked when written; nested as given). */
export const SegmentRuleView = z.object({ match: z.enum(['all', 'any']), conditions: z.array(z.unknown()) });
export const SegmentView = z.object({
  id: z.string(), name: z.string(), description: z.string(), rule: SegmentRuleView,
  createdAt: z.date(), updatedAt: z.date(),
});
export const SegmentCountView = z.object({ count: z.number().int(), countedAt: z.date() });
export const SegmentPreviewView = z.object({
  count: z.number().int().describe('Customers who match: exact, or when `estimated` from a sample, rounded to 3 significant figures'),
  estimated: z.boolean().describe('The count is estimated from a sample (a large workspace); a saved segment\'s count is always exact'),
  customers: z.array(CustomerView).describe('The first page of those who match, newest first; when `estimated`, the newest of the sampled ones who match'),
  nextCursor: z.string().nullable().describe('The next page, when the count is exact; null when estimated (save the segment to page through its members)'),
});
/** Where a rule is wrong: the path to the bad part (e.g. conditions.1.value) and why. */
/** Why a rule's part is refused, as a code the console translates (with `params` for its placeholders); `message` says it in English. */
export const SEGMENT_PROBLEM_CODES = [
  'rule_shape', 'group_keys', 'group_match', 'group_too_deep', 'group_empty', 'too_many_conditions', 'field_unknown', 'condition_shape',
  'attribute_unknown', 'attribute_op', 'attribute_no_value', 'value_text', 'value_number', 'value_days', 'value_date', 'value_choice', 'value_choices',
  'model_unknown', 'category_unknown', 'purchased_range', 'purpose_unknown', 'company_unknown', 'time_zone', 'currency_required', 'count_whole',
  'days_required', 'days_not_taken',
] as const;
export type SegmentProblemCode = (typeof SEGMENT_PROBLEM_CODES)[number];
export const SegmentRuleProblem = z.object({
  path: z.string(), code: z.enum(SEGMENT_PROBLEM_CODES), params: z.record(z.string(), z.union([z.string(), z.number()])).optional(), message: z.string(),
});

export type SegmentWire = Wire<z.infer<typeof SegmentView>> & { rule: SegmentRule };
export type SegmentPreviewWire = Wire<z.infer<typeof SegmentPreviewView>>;
export type SegmentRuleProblemWire = z.infer<typeof SegmentRuleProblem>;
