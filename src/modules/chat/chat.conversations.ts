import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.js';
import { translator, type Locale } from '../../core/i18n/index.js';
import type { Logger } from '../../core/logger.js';
import type { EventBus } from '../../core/events/index.js';
import type { MailOutbox } from '../../core/mail/outbox.js';
import type { AccountsService } from '../accounts/index.js';
import type { StoredFile, TicketsService } from '../tickets/index.js';
import { CHAT_LIMITS, CHAT_RATING, type AgentChatState, type ChatRating, type ChatMessage, type ConversationView, type PreChatForm, type SuggestedAnswer, type WidgetConfig } from '../../contracts/chat.js';
import { chatErrors } from './chat.errors.js';
import type { Author, ChatLog } from './chat.log.js';
import type { ChatPush } from './chat.push.js';
import type { ChatQueue } from './chat.queue.js';
import type { ChatRepo } from './chat.repo.js';
import type { SessionRow } from './chat.schema.js';
import type { ChatSettingsService } from './chat.settings.js';
import type { ChatTicketCopy } from './chat.ticket-copy.js';
import { conversationView, sessionLocale } from './chat.views.js';

/** Help-centre answers for a question (the search module's `bestAnswers`); absent: no deflection step. */
export type Suggest = (workspaceId: string, text: string, locale: Locale, limit: number) => Promise<SuggestedAnswer[]>;

/** Hands an agent's reply on a webhook channel's contact to the channel's system (a durable job). */
export type ChannelReply = (workspaceId: string, session: SessionRow, message: ChatMessage) => Promise<void>;

/** Who opens a contact: a widget connection (its socket id), or a webhook channel and the sender's address there. */
export type ContactOrigin =
  | { source: 'web'; ticketChannel: 'chat'; requester: string }
  | { source: 'webhook'; ticketChannel: 'chat' | 'sms'; channelId: string; externalFrom: string };

/** A waiting visitor with no widget connected this long has left: the chat is abandoned. */
const VISITOR_GONE_MS = 60_000;

/**
 * What visitors and agents do in a conversation: the widget's pre-chat form (a chat is a ticket,
 * channel `chat`), messages both ways (stored once per client id), read receipts, typing, files,
 * leaving and ending, help-centre suggestions while waiting, and the transcript by mail. Entering
 * and leaving the queue is the queue's (`ChatQueue`); the conversation's record is `ChatLog`.
 */
export class ChatConversations {
  constructor(
    private readonly repo: ChatRepo,
    private readonly chatLog: ChatLog,
    private readonly queue: ChatQueue,
    private readonly ticketCopy: ChatTicketCopy,
    private readonly settings: ChatSettingsService,
    private readonly push: ChatPush,
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly outbox: MailOutbox,
    /** Public: the transport signs visitor tokens' expiry with the same time. */
    readonly clock: Clock,
    private readonly log: Logger,
    private readonly bus: Pick<EventBus, 'transaction'>,
    private readonly options: { suggest?: Suggest; channelReply?: ChannelReply },
  ) {}

  useChannelReply(channelReply: ChannelReply): void {
    this.options.channelReply = channelReply;
  }

  // ---- visitors ---------------------------------------------------------------------------

  async workspaceBySlug(slug: string) {
    const workspace = await this.repo.workspaceBySlug(slug);
    if (!workspace) throw chatErrors.workspaceUnknown();
    return workspace;
  }

  async widgetConfig(slug: string): Promise<WidgetConfig> {
    const workspace = await this.workspaceBySlug(slug);
    const departments = await this.tickets.departments(workspace.id);
    const { available, closedReason, opensAt } = await this.queue.availability(workspace.id);
    return {
      workspace: { slug: workspace.slug, name: workspace.name[workspace.default_locale] ?? workspace.slug },
      departments: departments.map((d) => ({ id: d.id, name: d.name })),
      available, closedReason, opensAt,
      limits: CHAT_LIMITS,
    };
  }

  /**
   * The pre-chat form: opens the ticket and its session, then queues it (or turns it into an offline
   * ticket). `requester` names who asks (the widget's connection): a resent start is found again by
   * its client id within that requester only.
   */
  start(workspaceId: string, form: PreChatForm, locale: Locale, requester: string): Promise<{ conversation: ConversationView; messages: ChatMessage[] }> {
    return this.startContact(workspaceId, form, locale, { source: 'web', ticketChannel: 'chat', requester });
  }

  /**
   * A new contact from the widget or from a webhook channel (SMS, phone): the same queue, the same
   * model. The client id is an idempotency key in the requester's own key space (a widget
   * connection, or a channel), so nobody reaches a conversation by sending another requester's id.
   */
  async startContact(workspaceId: string, form: PreChatForm, locale: Locale, origin: ContactOrigin): Promise<{ conversation: ConversationView; messages: ChatMessage[] }> {
    const settings = await this.settings.get(workspaceId);
    const department = await this.settings.department(workspaceId, form.departmentId ?? settings.defaultDepartmentId ?? undefined);
    const t = translator(locale);
    const text = form.text?.trim() ? form.text : undefined;
    const requester = origin.source === 'web' ? `web:${origin.requester}` : `channel:${origin.channelId}`;
    const ticket = await this.tickets.open(workspaceId, {
      subject: text ? firstLine(text) : t('chat.subject', { name: form.name }),
      body: text ?? t('chat.started', { name: form.name }),
      channel: origin.ticketChannel, customer: { email: form.email, name: form.name, locale }, departmentKey: department.key,
      ...(form.clientMessageId ? { externalId: `chat:start:${requester}:${form.clientMessageId}` } : {}),
    }, { type: 'customer', id: null });
    const now = this.clock.now();
    const session = await this.repo.insertSession(this.repo.in(workspaceId), {
      ticket_id: ticket.id, ticket_number: ticket.number, customer_id: ticket.customer_id, visitor_name: form.name, visitor_email: form.email,
      locale, source: origin.source, channel_id: origin.source === 'webhook' ? origin.channelId : null, external_from: origin.source === 'webhook' ? origin.externalFrom : null,
      department_id: department.id, status: 'queued', queued_at: now, queue_entered_at: now,
    });
    if (text && session.last_seq === 0) {
      const [first] = await this.tickets.thread(workspaceId, ticket.id, { includeNotes: false });
      await this.chatLog.append(workspaceId, session.id, { type: 'visitor', id: ticket.customer_id, name: form.name }, form.clientMessageId ?? null, text, first!.id, []);
    }
    await this.queue.admit(workspaceId, session.id);
    return this.chatLog.conversation(workspaceId, session.id);
  }

  async visitorMessage(workspaceId: string, sessionId: string, input: { clientMessageId: string; text: string; files?: StoredFile[] }): Promise<ChatMessage> {
    const session = await this.chatLog.sessionOf(workspaceId, sessionId);
    if (!['queued', 'offered', 'active'].includes(session.status)) {
      // A resend of something stored before the end still answers the stored message.
      const stored = await this.chatLog.stored(workspaceId, sessionId, 'visitor', input.clientMessageId);
      if (stored) return stored;
      throw chatErrors.conversationEnded();
    }
    const message = await this.post(workspaceId, session, { type: 'visitor', id: session.customer_id, name: session.visitor_name }, input.clientMessageId, input.text, input.files ?? []);
    if (session.status === 'active' && session.agent_id) {
      this.push.toVisitor(workspaceId, sessionId, 'chat:receipt', { conversationId: sessionId, kind: 'delivered', upToSeq: message.seq });
    }
    return message;
  }

  async read(workspaceId: string, sessionId: string, side: 'visitor' | 'agent', seq: number, agentId?: string): Promise<void> {
    const session = await this.chatLog.sessionOf(workspaceId, sessionId);
    if (side === 'agent' && session.agent_id !== agentId) throw chatErrors.conversationNotFound();
    const updated = await this.repo.setReadSeq(this.repo.in(workspaceId), sessionId, side, seq);
    const upToSeq = updated ? Number(side === 'visitor' ? (updated as { visitor_read_seq: number }).visitor_read_seq : (updated as { agent_read_seq: number }).agent_read_seq) : 0;
    const receipt = { conversationId: sessionId, kind: 'read' as const, upToSeq };
    if (side === 'visitor' && session.agent_id) this.push.toAgent(workspaceId, session.agent_id, 'chat:receipt', receipt);
    if (side === 'agent') this.push.toVisitor(workspaceId, sessionId, 'chat:receipt', receipt);
  }

  async typing(workspaceId: string, sessionId: string, side: 'visitor' | 'agent', typing: boolean, agentId?: string): Promise<void> {
    const session = await this.chatLog.sessionOf(workspaceId, sessionId);
    if (side === 'visitor' && session.agent_id) {
      this.push.toAgent(workspaceId, session.agent_id, 'chat:typing', { conversationId: sessionId, typing, name: session.visitor_name });
    }
    if (side === 'agent' && session.agent_id === agentId && session.status === 'active') {
      this.push.toVisitor(workspaceId, sessionId, 'chat:typing', { conversationId: sessionId, typing, name: session.agent_name ?? '' });
    }
  }

  /** The visitor leaves: abandoned if nobody had answered, ended otherwise. */
  async visitorEnd(workspaceId: string, sessionId: string): Promise<ConversationView> {
    const session = await this.chatLog.sessionOf(workspaceId, sessionId);
    if (session.status === 'queued' || session.status === 'offered') {
      const ended = await this.queue.abandon(workspaceId, session);
      return ended ? conversationView(ended) : this.visitorEnd(workspaceId, sessionId);
    }
    if (session.status === 'active') {
      const ended = await this.repo.transition(this.repo.in(workspaceId), sessionId, ['active'], { status: 'ended', ended_at: this.clock.now(), ended_by: 'visitor' });
      if (ended) {
        await this.chatLog.appendSystem(workspaceId, ended, 'chat.endedByVisitor', {});
        await this.queue.finishAgentWork(workspaceId, ended);
        return conversationView(ended);
      }
      return this.visitorEnd(workspaceId, sessionId);
    }
    return conversationView(session);
  }

  /**
   * The visitor's last widget disconnected (or one came back): a waiting chat whose visitor stays
   * away `VISITOR_GONE_MS` is abandoned by the sweeper (`endGone`) — a closed tab is the usual way to give up.
   */
  async visitorPresence(workspaceId: string, sessionId: string, connected: boolean): Promise<void> {
    await this.repo.setVisitorLeft(this.repo.in(workspaceId), sessionId, connected ? null : this.clock.now());
  }

  /** The sweeper's part: waiting chats whose visitor has been away `VISITOR_GONE_MS` at `now` end as if the visitor left. */
  async endGone(workspaceId: string, now: Date): Promise<void> {
    for (const gone of await this.repo.leftBefore(this.repo.in(workspaceId), new Date(now.getTime() - VISITOR_GONE_MS))) await this.visitorEnd(workspaceId, gone.id);
  }

  async suggest(workspaceId: string, sessionId: string, text: string, locale: Locale): Promise<SuggestedAnswer[]> {
    if (!this.options.suggest) return [];
    try {
      const answers = await this.options.suggest(workspaceId, text, locale, 3);
      if (answers.length) this.push.toVisitor(workspaceId, sessionId, 'chat:suggestions', { conversationId: sessionId, answers });
      return answers;
    } catch (error) {
      // Deflection is a courtesy: a search failure never stops the chat.
      this.log.warn({ err: error, workspaceId }, 'chat: suggestions failed');
      return [];
    }
  }

  /**
   * The visitor asks for the transcript. Anyone may type any address into the pre-chat form, so the
   * transcript (the visitor's own text) is never mailed there directly: once per conversation, a
   * link to confirm the address goes to it, holding nothing the visitor wrote. Opening the link
   * sends the transcript (`sendTranscript`). `confirmUrl` is the link (the transport signs it).
   */
  async requestTranscript(workspaceId: string, sessionId: string, confirmUrl: string): Promise<void> {
    await this.chatLog.sessionOf(workspaceId, sessionId);
    const session = await this.repo.markTranscript(this.repo.in(workspaceId), sessionId, 'transcript_requested_at', this.clock.now());
    if (!session) return;
    const locale = sessionLocale(session);
    const workspace = await this.accounts.workspace(workspaceId);
    await this.outbox.queue(workspaceId, {
      to: session.visitor_email, template: 'chatTranscriptConfirm', locale, ticketId: session.ticket_id,
      vars: { number: String(session.ticket_number), link: confirmUrl, workspace: workspace.name[locale] ?? workspace.slug },
    });
  }

  /**
   * The visitor opened the mailed link: the address is theirs, and the transcript goes to it, once
   * per conversation (a second click sends nothing). Answers the conversation's language.
   */
  async sendTranscript(workspaceId: string, sessionId: string): Promise<Locale> {
    const found = await this.chatLog.sessionOf(workspaceId, sessionId);
    const session = found.transcript_requested_at ? await this.repo.markTranscript(this.repo.in(workspaceId), sessionId, 'transcript_sent_at', this.clock.now()) : undefined;
    const locale = sessionLocale(found);
    if (!session) return locale;
    const t = translator(locale);
    const workspace = await this.accounts.workspace(workspaceId);
    const messages = await this.repo.messagesSince(this.repo.in(workspaceId), sessionId, 0, 5000);
    const zone = workspace.time_zone;
    const transcript = messages.map((m) => t('chat.transcriptLine', {
      time: DateTime.fromJSDate(m.created_at).setZone(zone).toFormat('yyyy-LL-dd HH:mm'), name: m.author_name, text: m.body_text,
      interpolation: { escapeValue: false },
    })).join('\n');
    await this.outbox.queue(workspaceId, {
      to: session.visitor_email, template: 'chatTranscript', locale, ticketId: session.ticket_id,
      vars: { name: session.visitor_name, number: String(session.ticket_number), transcript, workspace: workspace.name[locale] ?? workspace.slug },
    });
    return locale;
  }

  /**
   * The visitor rates a chat an agent answered, once it has ended: once per conversation, within
   * `CHAT_RATING.windowHours` of the end. The conversation's agent sees it (`chat:state`), the
   * wallboard counts it, and `chat.rated` tells webhooks (the score, not the comment).
   */
  async rate(workspaceId: string, sessionId: string, input: { score: number; comment: string | null }): Promise<ChatRating> {
    const session = await this.chatLog.sessionOf(workspaceId, sessionId);
    if (session.rated_at) throw chatErrors.alreadyRated();
    if (['queued', 'offered', 'active'].includes(session.status)) throw chatErrors.conversationActive();
    const now = this.clock.now();
    const endedAfter = new Date(now.getTime() - CHAT_RATING.windowHours * 3_600_000);
    if (session.status !== 'ended' || !session.answered_at || !session.ended_at || session.ended_at <= endedAfter) throw chatErrors.ratingClosed();
    const comment = input.comment?.trim() ? input.comment.trim() : null;
    const rated = await this.bus.transaction(this.repo.in(workspaceId), async (trx, events) => {
      const row = await this.repo.rate(trx, sessionId, { score: input.score, comment, at: now }, endedAfter);
      if (row) {
        events.publish('chat.rated', workspaceId, {
          conversationId: row.id, ticketId: row.ticket_id, agentId: row.answered_by, rating: input.score, hasComment: comment !== null,
        }, { stream: row.ticket_id });
      }
      return row;
    });
    // Another request rated it between the read and the update.
    if (!rated) throw chatErrors.alreadyRated();
    this.chatLog.changed(workspaceId, rated);
    return conversationView(rated).rating!;
  }

  // ---- agents -----------------------------------------------------------------------------

  async agentMessage(workspaceId: string, agentId: string, input: { conversationId: string; clientMessageId: string; text: string; files?: StoredFile[] }): Promise<ChatMessage> {
    const session = await this.chatLog.heldBy(workspaceId, agentId, input.conversationId);
    const message = await this.post(workspaceId, session, { type: 'agent', id: agentId, name: session.agent_name ?? '' }, input.clientMessageId, input.text, input.files ?? []);
    if (session.source === 'webhook' && this.options.channelReply) await this.options.channelReply(workspaceId, session, message);
    return message;
  }

  async agentConversation(workspaceId: string, agentId: string, sessionId: string, sinceSeq: number) {
    const session = await this.chatLog.sessionOf(workspaceId, sessionId);
    // The holder, or the agent it rings at, may read it; the REST API serves any agent of the workspace.
    if (session.agent_id !== agentId && session.offered_to !== agentId) throw chatErrors.conversationNotFound();
    return this.chatLog.conversation(workspaceId, sessionId, sinceSeq);
  }

  /** The agent ends the chat and enters after-contact work. */
  async agentEnd(workspaceId: string, agentId: string, sessionId: string): Promise<{ conversation: ConversationView; state: AgentChatState }> {
    await this.chatLog.heldBy(workspaceId, agentId, sessionId);
    const ended = await this.repo.transition(this.repo.in(workspaceId), sessionId, ['active'], { status: 'ended', ended_at: this.clock.now(), ended_by: 'agent' }, { agentId });
    if (!ended) throw chatErrors.conversationEnded();
    await this.chatLog.appendSystem(workspaceId, ended, 'chat.endedByAgent', { name: ended.agent_name ?? '', number: ended.ticket_number });
    await this.queue.finishAgentWork(workspaceId, ended);
    return { conversation: conversationView(ended), state: await this.queue.agentState(workspaceId, agentId) };
  }

  /** Stores a message once per client id: the ticket message first (deduplicated by externalId), then its seq. */
  private async post(workspaceId: string, session: SessionRow, author: Author, clientMessageId: string | null, text: string, files: StoredFile[]): Promise<ChatMessage> {
    if (Buffer.byteLength(text, 'utf8') > CHAT_LIMITS.messageBytes) throw chatErrors.messageTooLarge();
    if (!text.trim() && !files.length) throw chatErrors.validation('A message needs text or a file');
    if (files.length) {
      const stored = clientMessageId ? await this.chatLog.stored(workspaceId, session.id, author.type, clientMessageId) : undefined;
      if (stored) return stored;
      // A file needs its ticket attachment (its id is the download's) before the chat can show it.
      const body = text.trim() ? text : translator(session.locale as Locale)('chat.file', { filename: files[0]!.filename, interpolation: { escapeValue: false } });
      const ticketMessage = await this.ticketCopy.write(workspaceId, session, author, clientMessageId ?? `file-${files[0]!.sha256}`, body, files);
      const attachments = ticketMessage.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.content_type, sizeBytes: Number(a.size_bytes) }));
      return this.chatLog.append(workspaceId, session.id, author, clientMessageId, body, ticketMessage.id, attachments);
    }
    // Text goes to the chat log first: once committed it is stored (the ack) and delivered at once;
    // its copy in the ticket thread follows, and the sweeper writes any copy a crash left out.
    const message = await this.chatLog.append(workspaceId, session.id, author, clientMessageId, text, null, []);
    return message.messageId ? message : this.ticketCopy.mirror(workspaceId, session, message);
  }
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
