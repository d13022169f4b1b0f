/** Rows to the JSON shapes of the tickets API (src/contracts/tickets.ts). */
import type { z } from 'zod';
import type { MessageView, TicketView } from '../../contracts/tickets.js';
import type { MessageWithAttachments } from './tickets.service.js';
import type { TicketRow } from './tickets.schema.js';

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
