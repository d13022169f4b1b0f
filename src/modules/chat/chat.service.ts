import { DateTime } from 'luxon';
import { isUuid } from '../../contracts/http.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events/index.js';
import { translator, type Locale } from '../../core/i18n/index.js';
import type { Logger } from '../../core/logger.js';
import { SYSTEM_ACTOR, type AccountsService, type Actor } from '../accounts/index.js';
import type { MailOutbox } from '../../core/mail/outbox.js';
import type { RoutingService } from '../routing/index.js';
import { businessMinutesBetween, compileCalendar, type SlaService } from '../sla/index.js';
import type { StoredFile, TicketActor, TicketsService } from '../tickets/index.js';
import { chatErrors } from './chat.errors.js';
import { ChatMetricsService, type MetricsQuery } from './chat.metrics.js';
import type {
  AgentChatState, ChatMessage, ChatMetrics, ChatOffer, ConversationView, PreChatForm, Presence, ScreenPop, ServerToAgent, ServerToVisitor,
  SuggestedAnswer, TransferTarget, Wallboard, WidgetConfig,
  ConversationStatus,
} from '../../contracts/chat.js';
import { CHAT_LIMITS } from '../../contracts/chat.js';
import type { ChatRepo } from './chat.repo.js';
import type { AuthorType, ChatMessageRow, SessionRow, SettingsRow } from './chat.schema.js';

/**
 * Where the service's pushes go: the socket layer implements it (rooms per conversation, per agent,
 * per workspace; with Redis they span every node). Tests without sockets leave the silent default.
 */
export interface ChatNotifier {
  toVisitor<E extends keyof ServerToVisitor>(workspaceId: string, conversationId: string, event: E, ...args: Parameters<ServerToVisitor[E]>): void;
  toAgent<E extends keyof ServerToAgent>(workspaceId: string, agentId: string, event: E, ...args: Parameters<ServerToAgent[E]>): void;
  toAgents<E extends keyof ServerToAgent>(workspaceId: string, event: E, ...args: Parameters<ServerToAgent[E]>): void;
}
const silent: ChatNotifier = { toVisitor: () => {}, toAgent: () => {}, toAgents: () => {} };

/** Help-centre answers for a question (the search module's `bestAnswers`); absent: no deflection step. */
export type Suggest = (workspaceId: string, text: string, locale: Locale, limit: number) => Promise<SuggestedAnswer[]>;

/** Hands an agent's reply on a webhook channel's contact to the channel's system (a durable job). */
export type ChannelReply = (workspaceId: string, session: SessionRow, message: ChatMessage) => Promise<void>;

/** Who opens a contact: a widget connection (its socket id), or a webhook channel and the sender's address there. */
export type ContactOrigin =
  | { source: 'web'; ticketChannel: 'chat'; requester: string }
  | { source: 'webhook'; ticketChannel: 'chat' | 'sms'; channelId: string; externalFrom: string };

export interface ChatSettings {
  offerTimeoutSeconds: number;
  acwSeconds: number;
  serviceLevelSeconds: number;
  costPerAgentHour: number;
  respectBusinessHours: boolean;
  defaultDepartmentId: string | null;
}

interface Author { type: AuthorType; id: string | null; name: string }

const AGENT_ACTIVE_STATUSES = ['active'] as const;
/** A message's ticket copy missing this long is written by the sweeper; after a day it is given up (logged each time). */
const MIRROR_RETRY_AFTER_MS = 10_000;
/** A waiting visitor with no widget connected this long has left: the chat is abandoned. */
const VISITOR_GONE_MS = 60_000;
const MIRROR_GIVE_UP_MS = 86_400_000;
const SCREEN_POP_TICKETS = 10;

/**
 * Live chat and the contact-centre queue (ACD). A chat is a ticket (channel `chat`); this service
 * keeps its live state in `chat_sessions` and moves it through queued → offered → active → ended,
 * with `abandoned` and `offline` as the other ends. Every transition is one conditional UPDATE
 * (`status in (...)` plus the offer's agent and deadline), so when two nodes race — an accept and
 * the timeout sweep, two dispatches — exactly one wins and the other changes nothing. Agents'
 * slots are routing's (`claim`/`release`/`handOver`), shared with ticket assignment.
 *
 * Time comes from the clock; deadlines (offer timeout, ACW end, overflow) are acted on by `sweep()`,
 * which a timer calls every second in production and tests call after moving a TestClock.
 */
/** A conversation in one of these is served in the chat; afterwards it continues by e-mail. */
const LIVE_STATUSES: ReadonlySet<ConversationStatus> = new Set(['queued', 'offered', 'active']);

export class ChatService {
  private notifier: ChatNotifier = silent;
  private readonly wallboardTimers = new Map<string, NodeJS.Timeout>();
  private readonly figures: ChatMetricsService;

  constructor(
    private readonly repo: ChatRepo,
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly routing: RoutingService,
    private readonly sla: SlaService,
    private readonly outbox: MailOutbox,
    /** Public: the transport signs visitor tokens' expiry with the same time. */
    readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: { publicUrl: string; suggest?: Suggest; channelReply?: ChannelReply },
  ) {
    this.figures = new ChatMetricsService(repo, clock, {
      settings: (workspaceId) => this.settings(workspaceId),
      checkFilter: async (workspaceId, query) => {
        if (query.departmentId) await this.department(workspaceId, query.departmentId);
        if (query.agentId && !(await this.accounts.findAgent(workspaceId, query.agentId))) throw chatErrors.agentNotFound();
      },
      members: async (workspaceId, departmentId) => (await routing.department(workspaceId, departmentId)).memberIds,
      timeZone: async (workspaceId) => (await accounts.workspace(workspaceId)).time_zone,
      agents: (workspaceId) => routing.agents(workspaceId),
    });
  }

  /** The socket layer registers itself once it is attached. */
  useNotifier(notifier: ChatNotifier): void {
    this.notifier = notifier;
  }

  useChannelReply(channelReply: ChannelReply): void {
    this.options.channelReply = channelReply;
  }

  // ---- settings ---------------------------------------------------------------------------

  async settings(workspaceId: string): Promise<ChatSettings> {
    return settingsView(await this.repo.settings(this.repo.in(workspaceId)));
  }

  async updateSettings(workspaceId: string, patch: Partial<ChatSettings>, actor: Actor = SYSTEM_ACTOR): Promise<ChatSettings> {
    if (patch.defaultDepartmentId) await this.department(workspaceId, patch.defaultDepartmentId);
    const current = await this.settings(workspaceId);
    const next = { ...current, ...patch };
    const row = await this.repo.upsertSettings(this.repo.in(workspaceId), {
      offer_timeout_seconds: next.offerTimeoutSeconds, acw_seconds: next.acwSeconds, service_level_seconds: next.serviceLevelSeconds,
      cost_per_agent_hour: next.costPerAgentHour, respect_business_hours: next.respectBusinessHours,
      default_department_id: next.defaultDepartmentId, updated_at: this.clock.now(),
    });
    await this.accounts.audit(workspaceId, actor, 'chat.settings_updated', 'chat_settings', null, patch);
    return settingsView(row);
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
    const settings = await this.settings(workspace.id);
    const open = await this.withinBusinessHours(workspace.id, settings);
    const anyoneOnline = (await this.routing.agents(workspace.id)).some((a) => a.availability === 'online' && !a.disabled);
    return {
      workspace: { slug: workspace.slug, name: workspace.name[workspace.default_locale] ?? workspace.slug },
      departments: departments.map((d) => ({ id: d.id, name: d.name })),
      available: open && anyoneOnline,
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
    const settings = await this.settings(workspaceId);
    const department = await this.department(workspaceId, form.departmentId ?? settings.defaultDepartmentId ?? undefined);
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
      await this.appendOnce(workspaceId, session.id, { type: 'visitor', id: ticket.customer_id, name: form.name }, form.clientMessageId ?? null, text, first!.id, []);
    }
    await this.admit(workspaceId, session.id);
    return this.conversation(workspaceId, session.id);
  }

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

  /** True while a chat ticket's conversation is waiting or being answered (its replies go through the chat). */
  async isLive(workspaceId: string, ticketId: string): Promise<boolean> {
    const session = await this.repo.sessionOfTicket(this.repo.in(workspaceId), ticketId);
    return session !== undefined && LIVE_STATUSES.has(session.status);
  }

  async conversation(workspaceId: string, sessionId: string, sinceSeq = 0): Promise<{ conversation: ConversationView; messages: ChatMessage[] }> {
    const session = await this.sessionOf(workspaceId, sessionId);
    const messages = await this.repo.messagesSince(this.repo.in(workspaceId), sessionId, sinceSeq);
    return { conversation: conversationView(session), messages: messages.map((m) => this.messageView(m)) };
  }

  async visitorMessage(workspaceId: string, sessionId: string, input: { clientMessageId: string; text: string; files?: StoredFile[] }): Promise<ChatMessage> {
    const session = await this.sessionOf(workspaceId, sessionId);
    if (!['queued', 'offered', 'active'].includes(session.status)) {
      // A resend of something stored before the end still answers the stored message.
      const stored = await this.repo.messageByClientId(this.repo.in(workspaceId), sessionId, 'visitor', input.clientMessageId);
      if (stored) return this.messageView(stored);
      throw chatErrors.conversationEnded();
    }
    const message = await this.post(workspaceId, session, { type: 'visitor', id: session.customer_id, name: session.visitor_name }, input.clientMessageId, input.text, input.files ?? []);
    if (session.status === 'active' && session.agent_id) {
      this.notifier.toVisitor(workspaceId, sessionId, 'chat:receipt', { conversationId: sessionId, kind: 'delivered', upToSeq: message.seq });
    }
    return message;
  }

  async read(workspaceId: string, sessionId: string, side: 'visitor' | 'agent', seq: number, agentId?: string): Promise<void> {
    const session = await this.sessionOf(workspaceId, sessionId);
    if (side === 'agent' && session.agent_id !== agentId) throw chatErrors.conversationNotFound();
    const updated = await this.repo.setReadSeq(this.repo.in(workspaceId), sessionId, side, seq);
    const upToSeq = updated ? Number(side === 'visitor' ? (updated as { visitor_read_seq: number }).visitor_read_seq : (updated as { agent_read_seq: number }).agent_read_seq) : 0;
    const receipt = { conversationId: sessionId, kind: 'read' as const, upToSeq };
    if (side === 'visitor' && session.agent_id) this.notifier.toAgent(workspaceId, session.agent_id, 'chat:receipt', receipt);
    if (side === 'agent') this.notifier.toVisitor(workspaceId, sessionId, 'chat:receipt', receipt);
  }

  async typing(workspaceId: string, sessionId: string, side: 'visitor' | 'agent', typing: boolean, agentId?: string): Promise<void> {
    const session = await this.sessionOf(workspaceId, sessionId);
    if (side === 'visitor' && session.agent_id) {
      this.notifier.toAgent(workspaceId, session.agent_id, 'chat:typing', { conversationId: sessionId, typing, name: session.visitor_name });
    }
    if (side === 'agent' && session.agent_id === agentId && session.status === 'active') {
      this.notifier.toVisitor(workspaceId, sessionId, 'chat:typing', { conversationId: sessionId, typing, name: session.agent_name ?? '' });
    }
  }

  /** The visitor leaves: abandoned if nobody had answered, ended otherwise. */
  async visitorEnd(workspaceId: string, sessionId: string): Promise<ConversationView> {
    const session = await this.sessionOf(workspaceId, sessionId);
    const now = this.clock.now();
    const db = this.repo.in(workspaceId);
    if (session.status === 'queued' || session.status === 'offered') {
      const ended = await this.repo.transition(db, sessionId, ['queued', 'offered'], { status: 'abandoned', ended_at: now, ended_by: 'visitor', offered_to: null, offer_expires_at: null });
      if (ended) {
        if (session.offered_to) {
          await this.repo.closeOffer(db, sessionId, session.offered_to, 'withdrawn', now);
          await this.routing.release(workspaceId, { kind: 'chat', itemId: sessionId });
          this.notifier.toAgent(workspaceId, session.offered_to, 'chat:offer_withdrawn', { conversationId: sessionId, reason: 'abandoned' });
        }
        await this.afterChange(workspaceId, ended);
        await this.dispatch(workspaceId);
        return conversationView(ended);
      }
      return this.visitorEnd(workspaceId, sessionId);
    }
    if (session.status === 'active') {
      const ended = await this.repo.transition(db, sessionId, ['active'], { status: 'ended', ended_at: now, ended_by: 'visitor' });
      if (ended) {
        await this.appendSystem(workspaceId, ended, 'chat.endedByVisitor', {});
        await this.finishAgentWork(workspaceId, ended);
        return conversationView(ended);
      }
      return this.visitorEnd(workspaceId, sessionId);
    }
    return conversationView(session);
  }

  /**
   * The visitor's last widget disconnected (or one came back): a waiting chat whose visitor stays
   * away `VISITOR_GONE_MS` is abandoned by the sweeper — a closed tab is the usual way to give up.
   */
  async visitorPresence(workspaceId: string, sessionId: string, connected: boolean): Promise<void> {
    await this.repo.setVisitorLeft(this.repo.in(workspaceId), sessionId, connected ? null : this.clock.now());
  }

  async suggest(workspaceId: string, sessionId: string, text: string, locale: Locale): Promise<SuggestedAnswer[]> {
    if (!this.options.suggest) return [];
    try {
      const answers = await this.options.suggest(workspaceId, text, locale, 3);
      if (answers.length) this.notifier.toVisitor(workspaceId, sessionId, 'chat:suggestions', { conversationId: sessionId, answers });
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
    await this.sessionOf(workspaceId, sessionId);
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
    const found = await this.sessionOf(workspaceId, sessionId);
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

  // ---- agents -----------------------------------------------------------------------------

  async agentState(workspaceId: string, agentId: string): Promise<AgentChatState> {
    const db = this.repo.in(workspaceId);
    const [routing, active, offered] = await Promise.all([
      this.routing.agentRouting(workspaceId, agentId), this.repo.activeOf(db, agentId), this.repo.offerFor(db, agentId),
    ]);
    return {
      agentId, presence: routing.availability, acwUntil: routing.acwUntil?.toISOString() ?? null,
      chatLoad: routing.load.chat, chatCapacity: routing.capacity.chat,
      conversations: active.map(conversationView),
      offer: offered ? await this.offerView(workspaceId, offered) : null,
    };
  }

  /** Presence goes through routing (its event records the interval); going online may bring an offer at once. */
  async setPresence(workspaceId: string, agentId: string, presence: Presence): Promise<AgentChatState> {
    await this.routing.setAvailability(workspaceId, agentId, presence);
    await this.dispatch(workspaceId);
    return this.pushAgentState(workspaceId, agentId);
  }

  /** `agent.availability_changed` handler: logged-in time for the cost per contact. */
  onAvailabilityChanged = async (event: DomainEvent<'agent.availability_changed'>): Promise<void> => {
    const { agentId, availability } = event.payload;
    const db = this.repo.in(event.workspaceId);
    // The interval starts when the agent changed it, not when this subscriber runs (the relay may be behind).
    const changedAt = event.payload.changedAt ?? event.occurredAt;
    await this.repo.recordPresence(db, agentId, availability, new Date(changedAt));
    if (availability === 'online') return this.scheduleWallboard(event.workspaceId);
    // An offer ringing at an agent who left goes to the next one at once, as if declined.
    const ringing = await this.repo.offerFor(db, agentId);
    if (ringing) await this.requeueOffer(event.workspaceId, ringing.id, agentId, 'declined', {});
    // Nobody left online in a team: its waiting chats become tickets (dispatch decides).
    await this.dispatch(event.workspaceId);
    this.scheduleWallboard(event.workspaceId);
  };

  async accept(workspaceId: string, agentId: string, sessionId: string): Promise<{ conversation: ConversationView; messages: ChatMessage[]; screenPop: ScreenPop }> {
    const now = this.clock.now();
    const agent = await this.accounts.agent(workspaceId, agentId);
    const db = this.repo.in(workspaceId);
    const accepted = isUuid(sessionId)
      ? await this.repo.transition(db, sessionId, ['offered'], { status: 'active', agent_id: agentId, agent_name: agent.name, answered_by: agentId, answered_at: now, offered_to: null, offer_expires_at: null }, { offeredTo: agentId, offerLiveAt: now })
      : undefined;
    if (!accepted) throw chatErrors.offerNotFound();
    await this.repo.closeOffer(db, sessionId, agentId, 'accepted', now);
    await this.tickets.update(workspaceId, accepted.ticket_id, { assigneeId: agentId }, { type: 'system', id: null }).catch((error: unknown) => {
      this.log.warn({ err: error, sessionId }, 'chat: could not assign the ticket of an accepted chat');
    });
    await this.appendSystem(workspaceId, accepted, 'chat.joined', { name: agent.name });
    await this.afterChange(workspaceId, accepted);
    await this.pushAgentState(workspaceId, agentId);
    await this.pushQueuePositions(workspaceId);
    const { conversation, messages } = await this.conversation(workspaceId, sessionId);
    return { conversation, messages, screenPop: await this.screenPop(workspaceId, accepted) };
  }

  async decline(workspaceId: string, agentId: string, sessionId: string): Promise<void> {
    const done = isUuid(sessionId) && await this.requeueOffer(workspaceId, sessionId, agentId, 'declined', {});
    if (!done) throw chatErrors.offerNotFound();
    await this.dispatch(workspaceId);
    await this.pushAgentState(workspaceId, agentId);
  }

  async agentMessage(workspaceId: string, agentId: string, input: { conversationId: string; clientMessageId: string; text: string; files?: StoredFile[] }): Promise<ChatMessage> {
    const session = await this.heldBy(workspaceId, agentId, input.conversationId);
    const message = await this.post(workspaceId, session, { type: 'agent', id: agentId, name: session.agent_name ?? '' }, input.clientMessageId, input.text, input.files ?? []);
    if (session.source === 'webhook' && this.options.channelReply) await this.options.channelReply(workspaceId, session, message);
    return message;
  }

  async agentConversation(workspaceId: string, agentId: string, sessionId: string, sinceSeq: number) {
    const session = await this.sessionOf(workspaceId, sessionId);
    // The holder, or the agent it rings at, may read it; the REST API serves any agent of the workspace.
    if (session.agent_id !== agentId && session.offered_to !== agentId) throw chatErrors.conversationNotFound();
    return this.conversation(workspaceId, sessionId, sinceSeq);
  }

  /**
   * Moves an active chat to another agent (who must be able to take it) or back into a team's
   * queue. The conversation and its history stay; the move counts as a transfer.
   */
  async transfer(workspaceId: string, agentId: string, sessionId: string, to: TransferTarget): Promise<ConversationView> {
    const session = await this.heldBy(workspaceId, agentId, sessionId);
    const db = this.repo.in(workspaceId);
    const now = this.clock.now();
    if ('agentId' in to) {
      if (to.agentId === agentId) throw chatErrors.validation('Transfer to another agent');
      const target = await this.accounts.findAgent(workspaceId, to.agentId);
      if (!target) throw chatErrors.agentUnavailable();
      await this.routing.handOver(workspaceId, { kind: 'chat', itemId: sessionId, toAgentId: to.agentId, departmentId: session.department_id });
      const moved = await this.repo.transition(db, sessionId, ['active'], { agent_id: to.agentId, agent_name: target.name, transfers: session.transfers + 1 }, { agentId });
      if (!moved) {
        // The chat ended meanwhile: give the slot back.
        await this.routing.release(workspaceId, { kind: 'chat', itemId: sessionId });
        throw chatErrors.conversationEnded();
      }
      await this.tickets.update(workspaceId, moved.ticket_id, { assigneeId: to.agentId }, { type: 'agent', id: agentId }).catch((error: unknown) => {
        // The chat has moved; the ticket's assignee is a copy of that and must not undo it.
        this.log.warn({ err: error, sessionId }, 'chat: could not assign the ticket of a transferred chat');
      });
      await this.appendSystem(workspaceId, moved, 'chat.joined', { name: target.name });
      await this.afterChange(workspaceId, moved);
      await this.pushAgentState(workspaceId, agentId);
      await this.pushAgentState(workspaceId, to.agentId);
      return conversationView(moved);
    }
    const department = await this.department(workspaceId, to.departmentId);
    const moved = await this.repo.transition(db, sessionId, ['active'], {
      status: 'queued', agent_id: null, agent_name: null, department_id: department.id, queue_entered_at: now, transfers: session.transfers + 1, declined_by: [agentId],
    }, { agentId });
    if (!moved) throw chatErrors.conversationEnded();
    await this.routing.release(workspaceId, { kind: 'chat', itemId: sessionId });
    await this.appendSystem(workspaceId, moved, 'chat.transferred', {});
    await this.afterChange(workspaceId, moved);
    await this.pushAgentState(workspaceId, agentId);
    await this.dispatch(workspaceId);
    return conversationView((await this.repo.session(db, sessionId))!);
  }

  /** The agent ends the chat and enters after-contact work. */
  async agentEnd(workspaceId: string, agentId: string, sessionId: string): Promise<{ conversation: ConversationView; state: AgentChatState }> {
    await this.heldBy(workspaceId, agentId, sessionId);
    const ended = await this.repo.transition(this.repo.in(workspaceId), sessionId, ['active'], { status: 'ended', ended_at: this.clock.now(), ended_by: 'agent' }, { agentId });
    if (!ended) throw chatErrors.conversationEnded();
    await this.appendSystem(workspaceId, ended, 'chat.endedByAgent', { name: ended.agent_name ?? '', number: ended.ticket_number });
    await this.finishAgentWork(workspaceId, ended);
    return { conversation: conversationView(ended), state: await this.agentState(workspaceId, agentId) };
  }

  /** Ends after-contact work early. */
  async ready(workspaceId: string, agentId: string): Promise<AgentChatState> {
    const now = this.clock.now();
    if (await this.routing.endAfterContactWork(workspaceId, agentId, now)) {
      await this.repo.closeAcw(this.repo.in(workspaceId), agentId, now);
      await this.dispatch(workspaceId);
    }
    return this.pushAgentState(workspaceId, agentId);
  }

  async liveConversations(workspaceId: string, status: ('queued' | 'offered' | 'active')[]): Promise<ConversationView[]> {
    return (await this.repo.live(this.repo.in(workspaceId), status)).map(conversationView);
  }

  // ---- the queue (ACD) --------------------------------------------------------------------

  /**
   * Offers waiting chats, oldest first, to the agents routing picks; chats of a team with nobody
   * online become offline tickets. Safe to run anywhere, any time, concurrently: routing holds
   * each chat's slot once, and each session moves on with a conditional update.
   */
  async dispatch(workspaceId: string): Promise<void> {
    const db = this.repo.in(workspaceId);
    const waiting = await this.repo.waiting(db, { status: ['queued'] });
    if (!waiting.length) return this.pushQueuePositions(workspaceId);
    const settings = await this.settings(workspaceId);
    const full = new Set<string>();
    const online = new Map<string, boolean>();
    for (const session of waiting) {
      const departmentId = session.department_id;
      if (!departmentId) continue;
      if (!online.has(departmentId)) online.set(departmentId, (await this.routing.onlineMembers(workspaceId, departmentId)).length > 0);
      if (!online.get(departmentId)) {
        await this.goOffline(workspaceId, session);
        continue;
      }
      // Oldest first: once a team has no agent for a chat nobody declined, younger chats there wait too.
      if (full.has(departmentId)) continue;
      const { agentId, claimed } = await this.routing.claim(workspaceId, { departmentId, kind: 'chat', itemId: session.id, exclude: session.declined_by });
      if (!agentId) {
        if (!session.declined_by.length) full.add(departmentId);
        continue;
      }
      if (!claimed) continue; // already held (an offer a racing dispatch just made)
      await this.offer(workspaceId, session, agentId, settings);
    }
    this.scheduleWallboard(workspaceId);
    await this.pushQueuePositions(workspaceId);
  }

  /**
   * Acts on what is due: offers not answered in time go to the next agent (not this one again),
   * ACW that ran out frees the agent, chats waiting past their team's overflow move on. Every
   * workspace with live work, or only `workspaceId`.
   */
  async sweep(workspaceId?: string): Promise<void> {
    const workspaces = workspaceId ? [workspaceId] : await this.repo.workspacesWithLiveWork();
    for (const ws of workspaces) {
      try {
        await this.sweepWorkspace(ws);
      } catch (error) {
        // One workspace's failure never stops the others' timers.
        this.log.error({ err: error, workspaceId: ws }, 'chat: sweep failed');
      }
    }
  }

  private async sweepWorkspace(workspaceId: string): Promise<void> {
    const now = this.clock.now();
    const db = this.repo.in(workspaceId);
    let changed = false;
    for (const session of await this.repo.offersDue(db, now)) {
      changed = (await this.requeueOffer(workspaceId, session.id, session.offered_to!, 'timeout', { offerDueAt: now })) || changed;
    }
    for (const agent of await this.routing.afterContactWorkDue(workspaceId, now)) {
      if (await this.routing.endAfterContactWork(workspaceId, agent.agent_id, agent.acw_until!, agent.acw_until)) {
        await this.repo.closeAcw(db, agent.agent_id, agent.acw_until!);
        await this.pushAgentState(workspaceId, agent.agent_id);
        changed = true;
      }
    }
    const departments = await this.routing.departments(workspaceId);
    for (const session of await this.repo.waiting(db, { status: ['queued'] })) {
      const team = departments.find((d) => d.departmentId === session.department_id);
      if (!team?.overflowDepartmentId || !team.overflowAfterSeconds || session.overflowed_at) continue;
      if (now.getTime() - session.queue_entered_at.getTime() < team.overflowAfterSeconds * 1000) continue;
      const moved = await this.repo.transition(db, session.id, ['queued'], { department_id: team.overflowDepartmentId, overflowed_at: now, queue_entered_at: now });
      changed = changed || !!moved;
    }
    for (const gone of await this.repo.leftBefore(db, new Date(now.getTime() - VISITOR_GONE_MS))) await this.visitorEnd(workspaceId, gone.id);
    for (const row of await this.repo.unmirrored(db, new Date(now.getTime() - MIRROR_RETRY_AFTER_MS), new Date(now.getTime() - MIRROR_GIVE_UP_MS))) {
      const session = await this.repo.session(db, row.session_id);
      if (session) await this.mirror(workspaceId, session, this.messageView(row));
    }
    if (changed) await this.dispatch(workspaceId);
  }

  private async offer(workspaceId: string, session: SessionRow, agentId: string, settings: ChatSettings): Promise<void> {
    const now = this.clock.now();
    const db = this.repo.in(workspaceId);
    const expires = new Date(now.getTime() + settings.offerTimeoutSeconds * 1000);
    const offered = await this.repo.transition(db, session.id, ['queued'], { status: 'offered', offered_to: agentId, offer_expires_at: expires });
    if (!offered) {
      // Abandoned or moved meanwhile: the slot goes back.
      await this.routing.release(workspaceId, { kind: 'chat', itemId: session.id });
      return;
    }
    await this.repo.insertOffer(db, { session_id: session.id, agent_id: agentId, offered_at: now });
    this.notifier.toAgent(workspaceId, agentId, 'chat:offer', await this.offerView(workspaceId, offered));
    this.notifier.toVisitor(workspaceId, session.id, 'chat:state', conversationView(offered));
  }

  /** An offer that timed out or was declined: back in the queue, never offered to that agent again. */
  private async requeueOffer(workspaceId: string, sessionId: string, agentId: string, outcome: 'timeout' | 'declined', where: { offerDueAt?: Date }): Promise<boolean> {
    const db = this.repo.in(workspaceId);
    const now = this.clock.now();
    const session = await this.repo.session(db, sessionId);
    if (!session) return false;
    const requeued = await this.repo.transition(db, sessionId, ['offered'], {
      status: 'queued', offered_to: null, offer_expires_at: null, declined_by: [...new Set([...session.declined_by, agentId])],
    }, { offeredTo: agentId, ...where });
    if (!requeued) return false;
    await this.repo.closeOffer(db, sessionId, agentId, outcome, now);
    await this.routing.release(workspaceId, { kind: 'chat', itemId: sessionId });
    this.notifier.toAgent(workspaceId, agentId, 'chat:offer_withdrawn', { conversationId: sessionId, reason: outcome });
    this.notifier.toVisitor(workspaceId, sessionId, 'chat:state', conversationView(requeued));
    return true;
  }

  /** Nobody can answer: the chat stays a ticket, answered by e-mail, and the visitor is told so. */
  private async goOffline(workspaceId: string, session: SessionRow): Promise<void> {
    const offline = await this.repo.transition(this.repo.in(workspaceId), session.id, ['queued'], { status: 'offline', ended_at: this.clock.now(), ended_by: 'system' });
    if (!offline) return;
    await this.appendSystem(workspaceId, offline, 'chat.offline', { number: offline.ticket_number, email: offline.visitor_email });
    this.notifier.toVisitor(workspaceId, session.id, 'chat:state', conversationView(offline));
    // From now on it is an ordinary ticket: the team's ticket auto-assignment (if on) applies.
    const ticket = await this.tickets.ticket(workspaceId, offline.ticket_id);
    await this.routing.autoAssignTicket(workspaceId, { id: ticket.id, departmentId: ticket.department_id, assigneeId: ticket.assignee_id, status: ticket.status });
  }

  /** Outside business hours (when the workspace says so) or with nobody online: offline at once. */
  private async admit(workspaceId: string, sessionId: string): Promise<void> {
    const settings = await this.settings(workspaceId);
    if (!(await this.withinBusinessHours(workspaceId, settings))) {
      const session = await this.sessionOf(workspaceId, sessionId);
      await this.goOffline(workspaceId, session);
      return;
    }
    await this.dispatch(workspaceId);
  }

  private async withinBusinessHours(workspaceId: string, settings: ChatSettings): Promise<boolean> {
    if (!settings.respectBusinessHours) return true;
    const { calendar } = await this.sla.calendarSettings(workspaceId);
    const now = this.clock.now();
    return businessMinutesBetween(compileCalendar(calendar), now, new Date(now.getTime() + 60_000)) > 0;
  }

  /** Position and estimated wait to every waiting visitor, per team, oldest first. */
  async pushQueuePositions(workspaceId: string): Promise<void> {
    const db = this.repo.in(workspaceId);
    const waiting = await this.repo.waiting(db);
    const byTeam = new Map<string, SessionRow[]>();
    for (const s of waiting) byTeam.set(s.department_id ?? '', [...(byTeam.get(s.department_id ?? '') ?? []), s]);
    for (const [departmentId, sessions] of byTeam) {
      const handle = await this.repo.recentHandleSeconds(db, departmentId || null);
      const slots = departmentId ? (await this.routing.onlineMembers(workspaceId, departmentId)).reduce((n, m) => n + m.chat_capacity, 0) : 0;
      sessions.forEach((s, index) => {
        const position = index + 1;
        const estimatedWaitSeconds = handle !== null && slots > 0 ? Math.round(Math.ceil(position / slots) * handle) : null;
        this.notifier.toVisitor(workspaceId, s.id, 'chat:queue', { conversationId: s.id, position, estimatedWaitSeconds });
      });
    }
  }

  // ---- metrics ----------------------------------------------------------------------------

  metrics(workspaceId: string, query: MetricsQuery): Promise<ChatMetrics> {
    return this.figures.metrics(workspaceId, query);
  }

  wallboard(workspaceId: string): Promise<Wallboard> {
    return this.figures.wallboard(workspaceId);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Stores a message once per client id: the ticket message first (deduplicated by externalId), then its seq. */
  private async post(workspaceId: string, session: SessionRow, author: Author, clientMessageId: string | null, text: string, files: StoredFile[]): Promise<ChatMessage> {
    if (Buffer.byteLength(text, 'utf8') > CHAT_LIMITS.messageBytes) throw chatErrors.messageTooLarge();
    if (!text.trim() && !files.length) throw chatErrors.validation('A message needs text or a file');
    if (files.length) {
      const stored = clientMessageId ? await this.repo.messageByClientId(this.repo.in(workspaceId), session.id, author.type, clientMessageId) : undefined;
      if (stored) return this.messageView(stored);
      // A file needs its ticket attachment (its id is the download's) before the chat can show it.
      const body = text.trim() ? text : translator(session.locale as Locale)('chat.file', { filename: files[0]!.filename, interpolation: { escapeValue: false } });
      const ticketMessage = await this.ticketCopy(workspaceId, session, author, clientMessageId ?? `file-${files[0]!.sha256}`, body, files);
      const attachments = ticketMessage.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.content_type, sizeBytes: Number(a.size_bytes) }));
      return this.appendOnce(workspaceId, session.id, author, clientMessageId, body, ticketMessage.id, attachments);
    }
    // Text goes to the chat log first: once committed it is stored (the ack) and delivered at once;
    // its copy in the ticket thread follows, and the sweeper writes any copy a crash left out.
    const message = await this.appendOnce(workspaceId, session.id, author, clientMessageId, text, null, []);
    return message.messageId ? message : this.mirror(workspaceId, session, message);
  }

  /** Writes a chat message's copy into the ticket thread (idempotent by externalId) and links it. */
  private async mirror(workspaceId: string, session: SessionRow, message: ChatMessage): Promise<ChatMessage> {
    const author: Author = { type: message.author.type, id: message.author.id, name: message.author.name };
    try {
      const copy = await this.ticketCopy(workspaceId, session, author, message.clientMessageId ?? `seq-${message.seq}`, message.text, []);
      await this.repo.linkTicketMessage(this.repo.in(workspaceId), session.id, message.seq, copy.id);
      return { ...message, messageId: copy.id };
    } catch (error) {
      // The chat has it (and the visitor and agent have seen it); the sweeper retries the copy.
      this.log.warn({ err: error, workspaceId, conversationId: session.id, seq: message.seq }, 'chat: ticket copy of a message failed; will retry');
      return message;
    }
  }

  private ticketCopy(workspaceId: string, session: SessionRow, author: Author, clientMessageId: string, body: string, files: StoredFile[]) {
    const actor: TicketActor = author.type === 'visitor' ? { type: 'customer', id: session.customer_id } : { type: 'agent', id: author.id };
    const input = { kind: 'reply' as const, body, externalId: `chat:${session.id}:${author.type}:${clientMessageId}`, attachments: files };
    return this.tickets.addMessage(workspaceId, session.ticket_id, input, actor).catch(async (error: unknown) => {
      // Two sends of one client id at once: the unique index refused the second; it is the same message.
      if (error instanceof AppError && error.code === 'MESSAGE_DUPLICATE') return this.tickets.addMessage(workspaceId, session.ticket_id, input, actor);
      throw error;
    });
  }

  /** Gives the message the conversation's next seq (under the session's row lock) unless it has one, then delivers it. */
  private async appendOnce(workspaceId: string, sessionId: string, author: Author, clientMessageId: string | null, text: string, messageId: string | null, attachments: ChatMessageRow['attachments']): Promise<ChatMessage> {
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
    const message = this.messageView(row);
    if (created) this.deliver(workspaceId, session, message);
    return message;
  }

  private deliver(workspaceId: string, session: SessionRow, message: ChatMessage): void {
    this.notifier.toVisitor(workspaceId, session.id, 'chat:message', message);
    const agentId = session.agent_id ?? session.offered_to;
    if (agentId) this.notifier.toAgent(workspaceId, agentId, 'chat:message', message);
  }

  private async appendSystem(workspaceId: string, session: SessionRow, key: string, vars: Record<string, unknown>): Promise<void> {
    const text = translator(session.locale as Locale)(key, { ...vars, interpolation: { escapeValue: false } });
    await this.appendOnce(workspaceId, session.id, { type: 'system', id: null, name: '' }, null, text, null, []);
  }

  /** After a chat ends: the slot is freed and the agent does after-contact work (or is idle at once). */
  private async finishAgentWork(workspaceId: string, ended: SessionRow): Promise<void> {
    const settings = await this.settings(workspaceId);
    const now = this.clock.now();
    await this.routing.release(workspaceId, { kind: 'chat', itemId: ended.id });
    if (ended.agent_id) {
      if (settings.acwSeconds > 0) await this.routing.startAfterContactWork(workspaceId, ended.agent_id, new Date(now.getTime() + settings.acwSeconds * 1000));
      else {
        await this.routing.startAfterContactWork(workspaceId, ended.agent_id, null);
        await this.repo.closeAcw(this.repo.in(workspaceId), ended.agent_id, now);
      }
    }
    await this.afterChange(workspaceId, ended);
    if (ended.agent_id) await this.pushAgentState(workspaceId, ended.agent_id);
    await this.dispatch(workspaceId);
  }

  private async afterChange(workspaceId: string, session: SessionRow): Promise<void> {
    const view = conversationView(session);
    this.notifier.toVisitor(workspaceId, session.id, 'chat:state', view);
    if (session.agent_id) this.notifier.toAgent(workspaceId, session.agent_id, 'chat:state', view);
    this.scheduleWallboard(workspaceId);
  }

  private async heldBy(workspaceId: string, agentId: string, sessionId: string): Promise<SessionRow> {
    const session = await this.sessionOf(workspaceId, sessionId);
    if (session.agent_id !== agentId) throw chatErrors.conversationNotFound();
    if (!(AGENT_ACTIVE_STATUSES as readonly string[]).includes(session.status)) throw chatErrors.conversationEnded();
    return session;
  }


  private async department(workspaceId: string, departmentId?: string) {
    const departments = await this.tickets.departments(workspaceId);
    const found = departmentId ? departments.find((d) => d.id === departmentId) : departments.find((d) => d.key === 'service') ?? departments[0];
    if (!found) throw chatErrors.departmentUnknown();
    return found;
  }

  private async offerView(workspaceId: string, session: SessionRow): Promise<ChatOffer> {
    const settings = await this.settings(workspaceId);
    const messages = await this.repo.messagesSince(this.repo.in(workspaceId), session.id, 0);
    return {
      conversation: conversationView(session), expiresAt: session.offer_expires_at!.toISOString(), timeoutSeconds: settings.offerTimeoutSeconds,
      screenPop: await this.screenPop(workspaceId, session), messages: messages.map((m) => this.messageView(m)),
    };
  }

  private async screenPop(workspaceId: string, session: SessionRow): Promise<ScreenPop> {
    const customer = await this.accounts.customer(workspaceId, session.customer_id);
    const tickets = await this.tickets.customerTickets(workspaceId, session.customer_id, SCREEN_POP_TICKETS + 1);
    return {
      customer: { id: customer.id, name: customer.name, email: customer.email, locale: customer.locale, createdAt: customer.created_at.toISOString() },
      recentTickets: tickets.filter((t) => t.id !== session.ticket_id).slice(0, SCREEN_POP_TICKETS).map((t) => ({
        id: t.id, number: t.number, subject: t.subject, status: t.status, channel: t.channel, updatedAt: t.updated_at.toISOString(),
      })),
    };
  }

  private async pushAgentState(workspaceId: string, agentId: string): Promise<AgentChatState> {
    const state = await this.agentState(workspaceId, agentId);
    this.notifier.toAgent(workspaceId, agentId, 'agent:state', state);
    this.scheduleWallboard(workspaceId);
    return state;
  }

  /** Wallboard pushes are coalesced: a burst of changes sends one board a moment later. */
  private scheduleWallboard(workspaceId: string): void {
    if (this.notifier === silent || this.wallboardTimers.has(workspaceId)) return;
    const timer = setTimeout(() => {
      this.wallboardTimers.delete(workspaceId);
      this.wallboard(workspaceId).then((board) => this.notifier.toAgents(workspaceId, 'wallboard', board),
        (error: unknown) => this.log.warn({ err: error, workspaceId }, 'chat: wallboard failed'));
    }, 250);
    timer.unref();
    this.wallboardTimers.set(workspaceId, timer);
  }

  messageView(row: ChatMessageRow): ChatMessage {
    return {
      conversationId: row.session_id, seq: row.seq, messageId: row.message_id, clientMessageId: row.client_message_id,
      author: { type: row.author_type, id: row.author_id, name: row.author_name }, text: row.body_text,
      attachments: row.attachments.map((a) => ({ ...a, url: `/api/v1/chat/conversations/${row.session_id}/files/${a.id}` })),
      createdAt: row.created_at.toISOString(),
    };
  }

  /** Stops pending wallboard pushes (on close). */
  close(): void {
    for (const timer of this.wallboardTimers.values()) clearTimeout(timer);
    this.wallboardTimers.clear();
  }
}


export function conversationView(s: SessionRow): ConversationView {
  return {
    id: s.id, ticketId: s.ticket_id, ticketNumber: s.ticket_number, status: s.status, departmentId: s.department_id,
    agent: s.agent_id && s.status === 'active' ? { id: s.agent_id, name: s.agent_name ?? '' } : null,
    visitor: { name: s.visitor_name, email: s.visitor_email }, lastSeq: s.last_seq,
    queuedAt: s.queued_at.toISOString(), answeredAt: s.answered_at?.toISOString() ?? null, endedAt: s.ended_at?.toISOString() ?? null,
    transfers: s.transfers, source: s.source,
  };
}

function settingsView(row: SettingsRow | undefined): ChatSettings {
  return {
    offerTimeoutSeconds: row?.offer_timeout_seconds ?? 20,
    acwSeconds: row?.acw_seconds ?? 30,
    serviceLevelSeconds: row?.service_level_seconds ?? 20,
    costPerAgentHour: Number(row?.cost_per_agent_hour ?? 0),
    respectBusinessHours: row?.respect_business_hours ?? true,
    defaultDepartmentId: row?.default_department_id ?? null,
  };
}

function sessionLocale(session: SessionRow): Locale {
  return session.locale === 'zh-CN' ? 'zh-CN' : 'en';
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

