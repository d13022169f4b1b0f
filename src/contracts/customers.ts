import { z } from 'zod';

/**
 * The customer database on the wire: the shapes the customers module's routes answer with (their
 * response schemas) and the console reads (`Wire<…>` of them: times travel as ISO strings).
 */

export const IDENTITY_KINDS = ['email', 'phone', 'chat_visitor', 'portal_account', 'wechat_openid', 'wechat_unionid', 'wecom_external'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
/** The fields a merge may take from the duplicate instead of the survivor; the rest are combined. */
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
  refused: z.array(z.object({ line: z.number(), email: z.string().nullable(), reason: z.string() })).describe('Rows not imported: line in the file (header is line 1) and why'),
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

/** A value as JSON carries it: times become ISO strings. */
export type Wire<T> = T extends Date ? string : T extends readonly (infer E)[] ? Wire<E>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export type CustomerWire = Wire<z.infer<typeof CustomerView>>;
export type RecordWire = Wire<z.infer<typeof RecordView>>;
export type CustomerPageWire = Wire<z.infer<typeof CustomerPageView>>;
export type TimelineWire = Wire<z.infer<typeof TimelineView>>;
export type ImportStatusWire = Wire<z.infer<typeof ImportStatusView>>;
export type DuplicatesWire = Wire<z.infer<typeof DuplicatesView>>;
export type MergeWire = Wire<z.infer<typeof MergeView>>;
export type ErasureWire = Wire<z.infer<typeof ErasureView>>;
