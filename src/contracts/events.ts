import { z } from 'zod';
import { CLOCK_KINDS, TICKET_STATUSES } from './enums.js';

/**
 * The catalogue of domain events: every event name with the schema of its payload (camelCase,
 * JSON). Publishers and subscribers are typed by it (`EventPayload<'ticket.created'>`), the bus
 * checks payloads against it at run time under NODE_ENV=test, and webhooks and the console's
 * realtime feed carry these payloads as they are. Payloads hold ids and the few fields a listener
 * needs, never message bodies. Adding an event: add its schema here.
 */

const id = z.string().min(1);
const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO 8601 time');

/** What events carry about a ticket. */
export const ticketSummary = z.object({
  id,
  number: z.number().int(),
  subject: z.string(),
  status: z.enum(TICKET_STATUSES),
  urgency: z.number().int(),
  departmentId: id.nullable(),
  assigneeId: id.nullable(),
  customerId: id,
  channel: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type TicketSummary = z.infer<typeof ticketSummary>;

/** Who did it: an agent (console), an API token's agent, the customer, or the product itself. */
export const eventActor = z.object({ type: z.enum(['agent', 'api', 'customer', 'system']), id: id.nullable() });
export type EventActor = z.infer<typeof eventActor>;

/** A change as [before, after]. */
const change = <T extends z.ZodType>(value: T) => z.tuple([value, value]);

/** The ticket fields a `ticket.updated` may report, named as on the ticket itself. */
export const ticketChanges = z.object({
  status: change(ticketSummary.shape.status),
  urgency: change(z.number().int()),
  departmentId: change(id.nullable()),
  assigneeId: change(id.nullable()),
  tags: change(z.array(z.string())),
  customFields: change(z.record(z.string(), z.unknown())),
  subject: change(z.string()),
}).partial().strict();
export type TicketChanges = z.infer<typeof ticketChanges>;

const slaPhaseEvent = z.object({
  ticketId: id,
  ticketNumber: z.number().int(),
  clockId: id,
  kind: z.enum(CLOCK_KINDS),
  cycle: z.number().int(),
  dueAt: isoTime.nullable(),
  at: isoTime.nullable(),
  urgency: z.number().int(),
  assigneeId: id.nullable(),
  escalations: z.array(z.object({ action: z.string(), outcome: z.string().nullable() })),
});

export const EVENT_SCHEMAS = {
  'workspace.created': z.object({ slug: z.string() }),
  'ticket.created': z.object({ ticket: ticketSummary, messageId: id }),
  // actor: who made the change (an agent assigning a ticket to themself gets no "assigned to you" mail);
  // absent from events logged before it was added.
  'ticket.updated': z.object({ ticket: ticketSummary, changes: ticketChanges, actor: eventActor.optional() }),
  'ticket.solved': z.object({ ticket: ticketSummary }),
  'ticket.merged': z.object({ ticketId: id, intoId: id }),
  'ticket.rated': z.object({ ticketId: id, rating: z.number().int(), comment: z.string().nullable() }),
  // The visitor rated a chat after it ended (ids and the score; the comment stays on the conversation).
  'chat.rated': z.object({ conversationId: id, ticketId: id, agentId: id.nullable(), rating: z.number().int().min(1).max(5), hasComment: z.boolean() }),
  'message.created': z.object({
    ticketId: id,
    messageId: id,
    kind: z.enum(['reply', 'note']),
    authorType: z.enum(['customer', 'agent', 'system']),
    channel: z.string(),
    /** The message a ticket was opened with (its `ticket.created` came first). */
    opening: z.boolean().optional(),
  }),
  // Who may act changed (token revoked, role changed, disabled, password reset, signed out, workspace
  // settings): every node drops what it cached about them (accounts/principal-cache.ts).
  'access.changed': z.object({ principal: z.enum(['agent', 'customer', 'workspace']), id }),
  // changedAt: when it changed (subscribers may run later); absent from events logged before it was added.
  'agent.availability_changed': z.object({ agentId: id, availability: z.string(), previous: z.string(), changedAt: isoTime.optional() }),
  'sla.warned': slaPhaseEvent,
  'sla.breached': slaPhaseEvent,
  // The calendar or a policy changed: every node drops its copy (sla.service.ts, cachedSettings).
  'sla.settings_changed': z.object({}),
  // A webhook was added, changed or removed: every node drops its copy of the workspace's list (webhooks.service.ts).
  'webhook.changed': z.object({ webhookId: id }),
  // A team's routing settings changed (strategy, auto-assignment, chat queue, customer choice): every node drops its copy (routing.service.ts).
  'routing.settings_changed': z.object({ departmentId: id }),
  // A department was added or renamed (no departmentId: a new workspace's defaults were set up): every
  // node drops its copy of the workspace's list (tickets.service.ts).
  'department.changed': z.object({ departmentId: id.optional() }),
  // A workspace's triage settings, automations or rules changed: every node drops its copy (triage.config.ts).
  'triage.settings_changed': z.object({}),
  'troubleshooting_tree.published': z.object({ treeId: id, slug: z.string(), locale: z.string() }),
  // A knowledge-base article's revision went live: search retrains the workspace's learned ranker.
  'kb_article.published': z.object({ articleId: id, locale: z.string() }),
  // The customer database: ids and the names of what changed, never the personal data itself.
  'customer.created': z.object({ customerId: id }),
  'customer.updated': z.object({ customerId: id, changed: z.array(z.string()) }),
  'customer.merged': z.object({ customerId: id, mergedId: id }),
  // Erasure (PIPL/GDPR): asked for (the durable job follows), and done.
  'customer.erasure_requested': z.object({ customerId: id }),
  'customer.erased': z.object({ customerId: id }),
  'customer_import.queued': z.object({ importId: id }),
  'consent.changed': z.object({ customerId: id, purposeId: id, purpose: z.string(), granted: z.boolean(), channel: z.string() }),
} as const;

export type EventName = keyof typeof EVENT_SCHEMAS;
export type EventPayload<K extends EventName> = z.infer<(typeof EVENT_SCHEMAS)[K]>;
export const EVENT_NAMES = Object.keys(EVENT_SCHEMAS) as EventName[];

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(EVENT_SCHEMAS, value);
}

/** Checks a payload against its event's schema; returns the problems, or none. */
export function eventPayloadProblems(name: EventName, payload: unknown): string[] {
  const result = EVENT_SCHEMAS[name].safeParse(payload);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
}
