import { isUuid } from '../../contracts/http.js';
import type { Clock } from '../../core/clock.js';
import { translator, type Locale } from '../../core/i18n/index.js';
import type { ChatMessage, ConversationStatus, ConversationView } from '../../contracts/chat.js';
import { chatErrors } from './chat.errors.js';
import type { ChatPush } from './chat.push.js';
import type { ChatRepo } from './chat.repo.js';
import type { AuthorType, ChatMessageRow, SessionRow } from './chat.schema.js';
import { conversationView, messageView } from './chat.views.js';

export interface Author { type: AuthorType; id: string | null; name: string }

/** A conversation in one of these is served in the chat; afterwards it continues by e-mail. */
const LIVE_STATUSES: ReadonlySet<ConversationStatus> = new Set(['queued', 'offered', 'active']);
const AGENT_ACTIVE_STATUSES = ['active'] as const;

/**
 * The record of each conversation: its session (the live state) and its messages in order. Reads
 * are scoped to the workspace; a message gets the conversation's next seq once per client id (under
 * the session's row lock) and is delivered to the visitor and the agent; a state change is pushed
 * to both. What the visitors and agents do (chat.conversations.ts) and the queue (chat.queue.ts)
 * write through it.
 */
export class ChatLog {
  constructor(
    private readonly repo: ChatRepo,
    private readonly push: ChatPush,
    private readonly clock: Clock,
  ) {}

  /** A session of this workspace (never another workspace's: the query is scoped), or undefined. */
  async findSession(workspaceId: string, sessionId: string): Promise<SessionRow | undefined> {
    return isUuid(sessionId) ? this.repo.session(this.repo.in(workspaceId), sessionId) : undefined;
  }

  /** A session of this workspace, or CONVERSATION_NOT_FOUND. */
  async sessionOf(workspaceId: string, sessionId: string): Promise<SessionRow> {
    const session = await this.findSession(workspaceId, sessionId);
    if (!session) throw chatErrors.conversationNotFound();
    return session;
  }

  /** An active session this agent holds; CONVERSATION_NOT_FOUND or CONVERSATION_ENDED otherwise. */
  async heldBy(workspaceId: string, agentId: string, sessionId: string): Promise<SessionRow> {
    const session = await this.sessionOf(workspaceId, sessionId);
    if (session.agent_id !== agentId) throw chatErrors.conversationNotFound();
    if (!(AGENT_ACTIVE_STATUSES as readonly string[]).includes(session.status)) throw chatErrors.conversationEnded();
    return session;
  }

  /** True while a chat ticket's conversation is waiting or being answered (its replies go through the chat). */
  async isLive(workspaceId: string, ticketId: string): Promise<boolean> {
    const session = await this.repo.sessionOfTicket(this.repo.in(workspaceId), ticketId);
    return session !== undefined && LIVE_STATUSES.has(session.status);
  }

  async conversation(workspaceId: string, sessionId: string, sinceSeq = 0): Promise<{ conversation: ConversationView; messages: ChatMessage[] }> {
    const session = await this.sessionOf(workspaceId, sessionId);
    const messages = await this.repo.messagesSince(this.repo.in(workspaceId), sessionId, sinceSeq);
    return { conversation: conversationView(session), messages: messages.map(messageView) };
  }

  async liveConversations(workspaceId: string, status: ('queued' | 'offered' | 'active')[]): Promise<ConversationView[]> {
    return (await this.repo.live(this.repo.in(workspaceId), status)).map(conversationView);
  }

  /** A message already stored under this client id (a resend), if any. */
  async stored(workspaceId: string, sessionId: string, author: AuthorType, clientMessageId: string): Promise<ChatMessage | undefined> {
    const row = await this.repo.messageByClientId(this.repo.in(workspaceId), sessionId, author, clientMessageId);
    return row && messageView(row);
  }

  /** Gives the message the conversation's next seq (under the session's row lock) unless it has one, then delivers it. */
  async append(workspaceId: string, sessionId: string, author: Author, clientMessageId: string | null, text: string, messageId: string | null, attachments: ChatMessageRow['attachments']): Promise<ChatMessage> {
    const { row, created, session } = await this.repo.in(workspaceId).transaction().execute(async (trx) => {
      const session = (await this.repo.sessionForUpdate(trx, sessionId))!;
      const stored = clientMessageId ? await this.repo.messageByClientId(trx, sessionId, author.type, clientMessageId) : undefined;
      if (stored) return { row: stored, created: false, session };
      const row = await this.repo.appendMessage(trx, {
        session_id: sessionId, message_id: messageId, client_message_id: clientMessageId, author_type: author.type, author_id: author.id,
        author_name: author.name, body_text: text, attachments, created_at: this.clock.now(),
      });
      return { row, created: true, session };
    });
    const message = messageView(row);
    if (created) this.deliver(workspaceId, session, message);
    return message;
  }

  /** A line from the system (joined, ended, offline …) in the conversation's language. */
  async appendSystem(workspaceId: string, session: SessionRow, key: string, vars: Record<string, unknown>): Promise<void> {
    const text = translator(session.locale as Locale)(key, { ...vars, interpolation: { escapeValue: false } });
    await this.append(workspaceId, session.id, { type: 'system', id: null, name: '' }, null, text, null, []);
  }

  /** The session changed state: the visitor and its agent see the new state, the wallboard follows. */
  changed(workspaceId: string, session: SessionRow): void {
    const view = conversationView(session);
    this.push.toVisitor(workspaceId, session.id, 'chat:state', view);
    if (session.agent_id) this.push.toAgent(workspaceId, session.agent_id, 'chat:state', view);
    this.push.wallboardChanged(workspaceId);
  }

  private deliver(workspaceId: string, session: SessionRow, message: ChatMessage): void {
    this.push.toVisitor(workspaceId, session.id, 'chat:message', message);
    const agentId = session.agent_id ?? session.offered_to;
    if (agentId) this.push.toAgent(workspaceId, agentId, 'chat:message', message);
  }
}
