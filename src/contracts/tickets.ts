import { z } from 'zod';
import { CHANNELS, INBOX_SORTS, INBOX_VIEWS, SENDER_VERIFICATIONS, TICKET_STATUSES, URGENCY_LEVELS } from './enums.js';
import { LocaleView, type Wire } from './http.js';

/**
 * Tickets on the wire (`/api/v1/tickets…`, departments, urgency names, saved views, canned replies,
 * attachment limits): the bodies the tickets module's routes take and the shapes they answer with
 * (response schemas drop anything not declared here). The console reads them as `Wire<…>`: times
 * travel as ISO strings.
 */

export { CHANNELS, INBOX_SORTS, INBOX_VIEWS, SENDER_VERIFICATIONS, TICKET_STATUSES, URGENCY_LEVELS };
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Urgency = (typeof URGENCY_LEVELS)[number];
export type SenderVerification = (typeof SENDER_VERIFICATIONS)[number];
export type InboxView = (typeof INBOX_VIEWS)[number];
export type InboxSort = (typeof INBOX_SORTS)[number];

export const Urgency = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export const Status = z.enum(TICKET_STATUSES);
export const Channel = z.enum(CHANNELS);
export const CustomFields = z.record(z.string().min(1).max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((fields) => Object.keys(fields).length <= 50, 'at most 50 custom fields');
export const Tags = z.array(z.string().trim().min(1).max(40).regex(/^[\p{L}\p{N}_.:-]+$/u, 'letters, digits, _ . : - only')).max(20);

// ---- tickets and messages ----

export const TicketView = z.object({
  id: z.string(), number: z.number(), subject: z.string(), status: Status, urgency: Urgency,
  departmentId: z.string().nullable(), assigneeId: z.string().nullable(), customerId: z.string(), channel: Channel,
  tags: z.array(z.string()), customFields: z.record(z.string(), z.unknown()), mergedIntoId: z.string().nullable(),
  firstResponseAt: z.date().nullable(), firstResponseDueAt: z.date().nullable(), nextResponseDueAt: z.date().nullable(),
  resolutionDueAt: z.date().nullable(), lastCustomerMessageAt: z.date().nullable(), lastAgentMessageAt: z.date().nullable(),
  solvedAt: z.date().nullable(), csat: z.object({ rating: z.number(), comment: z.string().nullable(), at: z.date() }).nullable(),
  /** `unverified`: filed under the customer by an e-mail typed into the web form without signing in; `disputed`: the account holder said it was not them. */
  senderVerification: z.enum(SENDER_VERIFICATIONS),
  createdAt: z.date(), updatedAt: z.date(),
});
export const TicketPageView = z.object({ tickets: z.array(TicketView), nextCursor: z.string().nullable() });
export const TicketListView = z.object({ tickets: z.array(TicketView) });

export const AttachmentView = z.object({ id: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number(), url: z.string() });

export const MessageView = z.object({
  id: z.string(), ticketId: z.string(), kind: z.enum(['reply', 'note']), authorType: z.enum(['customer', 'agent', 'system']),
  authorId: z.string().nullable(), channel: Channel, bodyText: z.string(), bodyHtml: z.string().nullable(), createdAt: z.date(),
  attachments: z.array(AttachmentView),
});
export const MessageListView = z.object({ messages: z.array(MessageView) });

const Body = z.string().max(100_000);

/** A query parameter given once or repeated (`?status=open&status=pending`), read as a list. */
const list = <T extends z.ZodTypeAny>(item: T) => z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

export const InboxQuery = z.strictObject({
  view: z.enum(INBOX_VIEWS).default('all'),
  status: list(Status).optional(),
  urgency: list(z.coerce.number().pipe(Urgency)).optional(),
  departmentId: list(z.string().uuid()).optional(),
  tag: z.string().max(40).optional(),
  customerId: z.string().uuid().optional(),
  q: z.string().trim().max(200).optional(),
  sort: z.enum(INBOX_SORTS).optional(),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const NewTicket = z.strictObject({
  subject: z.string().trim().min(1).max(250),
  body: Body.min(1),
  bodyHtml: Body.optional(),
  channel: Channel.default('api'),
  customer: z.union([
    z.strictObject({ id: z.string().uuid() }),
    z.strictObject({ email: z.string().trim().toLowerCase().email().max(254), name: z.string().trim().min(1).max(120), locale: LocaleView.optional() }),
  ]),
  department: z.string().max(40).optional(),
  urgency: Urgency.optional(),
  tags: Tags.optional(),
  customFields: CustomFields.optional(),
  externalId: z.string().min(1).max(300).optional(),
});

export const TicketChanges = z.strictObject({
  subject: z.string().trim().min(1).max(250).optional(),
  status: Status.optional(),
  urgency: Urgency.optional(),
  departmentId: z.string().uuid().nullable().optional(),
  assigneeId: z.string().uuid().nullable().optional(),
  tags: Tags.optional(),
  customFields: CustomFields.optional(),
});
export const BulkChange = z.strictObject({ ids: z.array(z.string().uuid()).min(1).max(500), changes: TicketChanges });
export const BulkResultsView = z.object({ results: z.array(z.object({ id: z.string(), ok: z.boolean(), code: z.string().optional() })) });

export const NewMessage = z.strictObject({ kind: z.enum(['reply', 'note']), body: Body, bodyHtml: Body.optional(), status: Status.optional(), externalId: z.string().min(1).max(300).optional() })
  .refine((b) => b.body.trim() || b.bodyHtml?.trim(), 'a message needs a body');

export const MergeBody = z.strictObject({ intoId: z.string().uuid() });
export const SplitBody = z.strictObject({ subject: z.string().trim().min(1).max(250).optional() });
export const LinkBody = z.strictObject({ relatedId: z.string().uuid() });

export const ActivityListView = z.object({
  activity: z.array(z.object({ id: z.number(), action: z.string(), actorType: z.string(), actorId: z.string().nullable(), details: z.record(z.string(), z.unknown()), createdAt: z.date() })),
});
export const LinkListView = z.object({ links: z.array(z.object({ id: z.string(), number: z.number(), subject: z.string(), status: Status })) });

/** The screen-pop beside a conversation (`GET /customers/:id`). */
export const CustomerProfileView = z.object({
  id: z.string(), email: z.string(), name: z.string(), locale: LocaleView.nullable(), createdAt: z.date(),
  recentActivity: z.array(z.object({ action: z.string(), at: z.date(), ticketId: z.string(), ticketNumber: z.number(), ticketSubject: z.string() })),
});

export const AttachmentLimitsView = z.object({ maxBytes: z.number(), maxFiles: z.number(), extensions: z.array(z.string()) });

// ---- departments, urgency names ----

export const DepartmentListView = z.object({ departments: z.array(z.object({ id: z.string(), key: z.string(), name: z.record(z.string(), z.string()) })) });

const UrgencyName = z.string().trim().min(1).max(40);
export const UrgencyNamesView = z.object({
  urgencyNames: z.strictObject({ en: z.tuple([z.string(), z.string(), z.string(), z.string(), z.string()]), 'zh-CN': z.tuple([z.string(), z.string(), z.string(), z.string(), z.string()]) }),
});
export const UrgencyNamesBody = z.strictObject({
  urgencyNames: z.strictObject({
    en: z.tuple([UrgencyName, UrgencyName, UrgencyName, UrgencyName, UrgencyName]),
    'zh-CN': z.tuple([UrgencyName, UrgencyName, UrgencyName, UrgencyName, UrgencyName]),
  }),
});

// ---- saved views ----

export const ViewFilters = z.strictObject({
  view: z.enum(INBOX_VIEWS).optional(), status: z.array(Status).optional(),
  urgency: z.array(Urgency).optional(), departmentId: z.array(z.string().uuid()).optional(), tag: z.string().max(40).optional(),
  q: z.string().max(200).optional(), sort: z.enum(INBOX_SORTS).optional(),
});
export const SavedViewView = z.object({ id: z.string(), name: z.string(), shared: z.boolean(), filters: z.record(z.string(), z.unknown()) });
export const SavedViewListView = z.object({ views: z.array(SavedViewView) });
export const NewSavedView = z.strictObject({ name: z.string().trim().min(1).max(80), filters: ViewFilters, shared: z.boolean().default(false) });

// ---- canned replies ----

export const CannedReplyView = z.object({ id: z.string(), title: z.string(), body: z.string(), locale: LocaleView.nullable() });
export const CannedReplyListView = z.object({ cannedReplies: z.array(CannedReplyView) });
export const NewCannedReply = z.strictObject({
  title: z.string().trim().min(1).max(120), body: z.string().trim().min(1).max(20_000), locale: LocaleView.nullable().default(null),
});
export const CannedReplyPatch = z.strictObject({
  title: NewCannedReply.shape.title.optional(), body: NewCannedReply.shape.body.optional(), locale: LocaleView.nullable().optional(),
}).refine((b) => Object.values(b).some((v) => v !== undefined), 'change at least one of title, body, locale');

export type TicketWire = Wire<z.infer<typeof TicketView>>;
export type TicketPageWire = Wire<z.infer<typeof TicketPageView>>;
export type MessageWire = Wire<z.infer<typeof MessageView>>;
export type AttachmentWire = z.infer<typeof AttachmentView>;
export type TicketChangesBody = z.input<typeof TicketChanges>;
export type BulkResultWire = z.infer<typeof BulkResultsView>['results'][number];
export type NewMessageBody = z.input<typeof NewMessage>;
export type CustomerProfileWire = Wire<z.infer<typeof CustomerProfileView>>;
export type AttachmentLimitsWire = z.infer<typeof AttachmentLimitsView>;
export type DepartmentWire = z.infer<typeof DepartmentListView>['departments'][number];
export type UrgencyNamesWire = z.infer<typeof UrgencyNamesView>['urgencyNames'];
export type ViewFiltersBody = z.input<typeof ViewFilters>;
export type SavedViewWire = z.infer<typeof SavedViewView>;
export type NewSavedViewBody = z.input<typeof NewSavedView>;
export type CannedReplyWire = z.infer<typeof CannedReplyView>;
export type NewCannedReplyBody = z.input<typeof NewCannedReply>;
export type CannedReplyPatchBody = z.input<typeof CannedReplyPatch>;
