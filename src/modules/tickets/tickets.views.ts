import { z } from 'zod';
import type { MessageWithAttachments } from './tickets.service.js';
import { CHANNELS, SENDER_VERIFICATIONS, TICKET_STATUSES, type TicketRow } from './tickets.schema.js';

/** JSON shapes of the tickets API, shared by its routes and the OpenAPI document. */
export const Urgency = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export const Status = z.enum(TICKET_STATUSES);
export const Channel = z.enum(CHANNELS);
const CustomFields = z.record(z.string().min(1).max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((fields) => Object.keys(fields).length <= 50, 'at most 50 custom fields');
export const Tags = z.array(z.string().trim().min(1).max(40).regex(/^[\p{L}\p{N}_.:-]+$/u, 'letters, digits, _ . : - only')).max(20);
export { CustomFields };

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

export const AttachmentView = z.object({ id: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number(), url: z.string() });

export const MessageView = z.object({
  id: z.string(), ticketId: z.string(), kind: z.enum(['reply', 'note']), authorType: z.enum(['customer', 'agent', 'system']),
  authorId: z.string().nullable(), channel: Channel, bodyText: z.string(), bodyHtml: z.string().nullable(), createdAt: z.date(),
  attachments: z.array(AttachmentView),
});

export function ticketView(t: TicketRow): z.infer<typeof TicketView> {
  return {
    id: t.id, number: t.number, subject: t.subject, status: t.status, urgency: t.urgency, departmentId: t.department_id,
    assigneeId: t.assignee_id, customerId: t.customer_id, channel: t.channel, tags: t.tags, customFields: t.custom_fields,
    mergedIntoId: t.merged_into_id, firstResponseAt: t.first_response_at, firstResponseDueAt: t.first_response_due_at,
    nextResponseDueAt: t.next_response_due_at, resolutionDueAt: t.resolution_due_at, lastCustomerMessageAt: t.last_customer_message_at,
    lastAgentMessageAt: t.last_agent_message_at, solvedAt: t.solved_at,
    csat: t.csat_rating && t.csat_at ? { rating: t.csat_rating, comment: t.csat_comment, at: t.csat_at } : null,
    senderVerification: t.sender_verification, createdAt: t.created_at, updatedAt: t.updated_at,
  };
}

export function messageView(m: MessageWithAttachments, attachmentUrl: (id: string) => string): z.infer<typeof MessageView> {
  return {
    id: m.id, ticketId: m.ticket_id, kind: m.kind, authorType: m.author_type, authorId: m.author_id, channel: m.channel,
    bodyText: m.body_text, bodyHtml: m.body_html, createdAt: m.created_at,
    attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.content_type, sizeBytes: a.size_bytes, url: attachmentUrl(a.id) })),
  };
}
