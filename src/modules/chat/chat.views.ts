import type { Locale } from '../../core/i18n/index.js';
import type { ChatMessage, ConversationView } from '../../contracts/chat.js';
import type { ChatMessageRow, SessionRow } from './chat.schema.js';

/** A session as the widget and the console see it (`src/contracts/chat.ts`). */
export function conversationView(s: SessionRow): ConversationView {
  return {
    id: s.id, ticketId: s.ticket_id, ticketNumber: s.ticket_number, status: s.status, departmentId: s.department_id,
    agent: s.agent_id && s.status === 'active' ? { id: s.agent_id, name: s.agent_name ?? '' } : null,
    visitor: { name: s.visitor_name, email: s.visitor_email }, lastSeq: s.last_seq,
    queuedAt: s.queued_at.toISOString(), answeredAt: s.answered_at?.toISOString() ?? null, endedAt: s.ended_at?.toISOString() ?? null,
    transfers: s.transfers, source: s.source,
    rating: s.rating !== null && s.rated_at ? { score: s.rating, comment: s.rating_comment, ratedAt: s.rated_at.toISOString() } : null,
  };
}

export function messageView(row: ChatMessageRow): ChatMessage {
  return {
    conversationId: row.session_id, seq: row.seq, messageId: row.message_id, clientMessageId: row.client_message_id,
    author: { type: row.author_type, id: row.author_id, name: row.author_name }, text: row.body_text,
    attachments: row.attachments.map((a) => ({ ...a, url: `/api/v1/chat/conversations/${row.session_id}/files/${a.id}` })),
    createdAt: row.created_at.toISOString(),
  };
}

export function sessionLocale(session: SessionRow): Locale {
  return session.locale === 'zh-CN' ? 'zh-CN' : 'en';
}
