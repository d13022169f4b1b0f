import { AppError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ChatMessage } from '../../contracts/chat.js';
import type { StoredFile, TicketActor, TicketsService } from '../tickets/index.js';
import type { Author } from './chat.log.js';
import type { ChatRepo } from './chat.repo.js';
import type { SessionRow } from './chat.schema.js';
import { messageView } from './chat.views.js';

/** A message's ticket copy missing this long is written by the sweeper; after a day it is given up (logged each time). */
const MIRROR_RETRY_AFTER_MS = 10_000;
const MIRROR_GIVE_UP_MS = 86_400_000;

/**
 * A chat is a ticket: every chat message is also a message of its ticket's thread, so chats are
 * searchable and reportable like any ticket and answers continue there after the chat. The copy is
 * idempotent (the ticket message's externalId names the conversation, the author and the client
 * id); text is copied after the chat stored it, files before (the attachment is the ticket's).
 */
export class ChatTicketCopy {
  constructor(
    private readonly repo: ChatRepo,
    private readonly tickets: Pick<TicketsService, 'addMessage'>,
    private readonly log: Logger,
  ) {}

  /** Writes the ticket message for a chat message (once per client id) and returns it. */
  write(workspaceId: string, session: SessionRow, author: Author, clientMessageId: string, body: string, files: StoredFile[]) {
    const actor: TicketActor = author.type === 'visitor' ? { type: 'customer', id: session.customer_id } : { type: 'agent', id: author.id };
    const input = { kind: 'reply' as const, body, externalId: `chat:${session.id}:${author.type}:${clientMessageId}`, attachments: files };
    return this.tickets.addMessage(workspaceId, session.ticket_id, input, actor).catch(async (error: unknown) => {
      // Two sends of one client id at once: the unique index refused the second; it is the same message.
      if (error instanceof AppError && error.code === 'MESSAGE_DUPLICATE') return this.tickets.addMessage(workspaceId, session.ticket_id, input, actor);
      throw error;
    });
  }

  /** Writes a chat message's copy into the ticket thread (idempotent by externalId) and links it. */
  async mirror(workspaceId: string, session: SessionRow, message: ChatMessage): Promise<ChatMessage> {
    const author: Author = { type: message.author.type, id: message.author.id, name: message.author.name };
    try {
      const copy = await this.write(workspaceId, session, author, message.clientMessageId ?? `seq-${message.seq}`, message.text, []);
      await this.repo.linkTicketMessage(this.repo.in(workspaceId), session.id, message.seq, copy.id);
      return { ...message, messageId: copy.id };
    } catch (error) {
      // The chat has it (and the visitor and agent have seen it); the sweeper retries the copy.
      this.log.warn({ err: error, workspaceId, conversationId: session.id, seq: message.seq }, 'chat: ticket copy of a message failed; will retry');
      return message;
    }
  }

  /** The sweeper's part: copies a crash or a failure left out, from 10 s after the message to a day. */
  async writeMissing(workspaceId: string, now: Date): Promise<void> {
    const db = this.repo.in(workspaceId);
    for (const row of await this.repo.unmirrored(db, new Date(now.getTime() - MIRROR_RETRY_AFTER_MS), new Date(now.getTime() - MIRROR_GIVE_UP_MS))) {
      const session = await this.repo.session(db, row.session_id);
      if (session) await this.mirror(workspaceId, session, messageView(row));
    }
  }
}
