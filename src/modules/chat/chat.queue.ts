import { isUuid } from '../../contracts/http.js';
import type { Clock } from '../../core/clock.js';
import type { DomainEvent } from '../../core/events/index.js';
import type { Logger } from '../../core/logger.js';
import type { AccountsService } from '../accounts/index.js';
import type { RoutingService } from '../routing/index.js';
import { addBusinessTime, businessMinutesBetween, compileCalendar, type SlaService } from '../sla/index.js';
import type { TicketsService } from '../tickets/index.js';
import type { AgentChatState, ChatClosedReason, ChatHours, ChatMessage, DeclinedChatNext, ChatOffer, ConversationView, Presence, ScreenPop, TransferTarget } from '../../contracts/chat.js';
import { chatErrors } from './chat.errors.js';
import type { ChatLog } from './chat.log.js';
import type { ChatPush } from './chat.push.js';
import type { ChatRepo } from './chat.repo.js';
import type { SessionRow } from './chat.schema.js';
import type { ChatSettings, ChatSettingsService } from './chat.settings.js';
import { conversationView, messageView } from './chat.views.js';

const SCREEN_POP_TICKETS = 10;

/**
 * The contact-centre queue (ACD): waiting chats are offered, oldest first, to the agents routing
 * picks; offers are accepted, declined or time out; agents transfer chats, end them into after-contact
 * work and set their presence; teams overflow; a team with nobody online turns its chats into
 * tickets. Sessions move through queued → offered → active → ended (`abandoned` and `offline` are the
 * other ends), each transition one conditional UPDATE (`status in (...)` plus the offer's agent and
 * deadline), so when two nodes race — an accept and the timeout sweep, two dispatches — exactly one
 * wins and the other changes nothing. Agents' slots are routing's (`claim`/`release`/`handOver`),
 * shared with ticket assignment.
 */
export class ChatQueue {
  constructor(
    private readonly repo: ChatRepo,
    private readonly chatLog: ChatLog,
    private readonly push: ChatPush,
    private readonly settings: ChatSettingsService,
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly routing: RoutingService,
    private readonly sla: Pick<SlaService, 'calendarSettings'>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  // ---- agents: presence and state ----------------------------------------------------------

  async agentState(workspaceId: string, agentId: string): Promise<AgentChatState> {
    const db = this.repo.in(workspaceId);
    const [routing, active, offered, hours] = await Promise.all([
      this.routing.agentRouting(workspaceId, agentId), this.repo.activeOf(db, agentId), this.repo.offerFor(db, agentId), this.hours(workspaceId),
    ]);
    return {
      agentId, presence: routing.availability, acwUntil: routing.acwUntil?.toISOString() ?? null,
      chatLoad: routing.load.chat, chatCapacity: routing.capacity.chat, hours,
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
    if (availability === 'online') return this.push.wallboardChanged(event.workspaceId);
    // An offer ringing at an agent who left goes to the next one at once, as if declined.
    const ringing = await this.repo.offerFor(db, agentId);
    if (ringing) await this.requeueOffer(event.workspaceId, ringing.id, agentId, 'declined', {});
    // Nobody left online in a team: its waiting chats become tickets (dispatch decides).
    await this.dispatch(event.workspaceId);
    this.push.wallboardChanged(event.workspaceId);
  };

  /** Ends after-contact work early. */
  async ready(workspaceId: string, agentId: string): Promise<AgentChatState> {
    const now = this.clock.now();
    if (await this.routing.endAfterContactWork(workspaceId, agentId, now)) {
      await this.repo.closeAcw(this.repo.in(workspaceId), agentId, now);
      await this.dispatch(workspaceId);
    }
    return this.pushAgentState(workspaceId, agentId);
  }

  // ---- offers -------------------------------------------------------------------------------

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
    await this.chatLog.appendSystem(workspaceId, accepted, 'chat.joined', { name: agent.name });
    this.chatLog.changed(workspaceId, accepted);
    await this.pushAgentState(workspaceId, agentId);
    await this.pushQueuePositions(workspaceId);
    const { conversation, messages } = await this.chatLog.conversation(workspaceId, sessionId);
    return { conversation, messages, screenPop: await this.screenPop(workspaceId, accepted) };
  }

  async decline(workspaceId: string, agentId: string, sessionId: string): Promise<DeclinedChatNext> {
    const done = isUuid(sessionId) && await this.requeueOffer(workspaceId, sessionId, agentId, 'declined', {});
    if (!done) throw chatErrors.offerNotFound();
    await this.dispatch(workspaceId);
    await this.pushAgentState(workspaceId, agentId);
    const after = await this.chatLog.sessionOf(workspaceId, sessionId);
    return after.status === 'queued' ? 'queue' : 'colleague';
  }

  /**
   * Moves an active chat to another agent (who must be able to take it) or back into a team's
   * queue. The conversation and its history stay; the move counts as a transfer.
   */
  async transfer(workspaceId: string, agentId: string, sessionId: string, to: TransferTarget): Promise<ConversationView> {
    const session = await this.chatLog.heldBy(workspaceId, agentId, sessionId);
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
      await this.chatLog.appendSystem(workspaceId, moved, 'chat.joined', { name: target.name });
      this.chatLog.changed(workspaceId, moved);
      await this.pushAgentState(workspaceId, agentId);
      await this.pushAgentState(workspaceId, to.agentId);
      return conversationView(moved);
    }
    const department = await this.settings.department(workspaceId, to.departmentId);
    const moved = await this.repo.transition(db, sessionId, ['active'], {
      status: 'queued', agent_id: null, agent_name: null, department_id: department.id, queue_entered_at: now, transfers: session.transfers + 1, declined_by: [agentId],
    }, { agentId });
    if (!moved) throw chatErrors.conversationEnded();
    await this.routing.release(workspaceId, { kind: 'chat', itemId: sessionId });
    await this.chatLog.appendSystem(workspaceId, moved, 'chat.transferred', {});
    this.chatLog.changed(workspaceId, moved);
    await this.pushAgentState(workspaceId, agentId);
    await this.dispatch(workspaceId);
    return conversationView((await this.repo.session(db, sessionId))!);
  }

  // ---- entering and leaving the queue --------------------------------------------------------

  /** Whether a new chat can be answered now: within business hours (when the workspace says so) and someone online. */
  /** Whether a chat started now reaches an agent, and if not, why (the widget and the desk say which). */
  async availability(workspaceId: string): Promise<{ available: boolean; closedReason: ChatClosedReason | null; opensAt: string | null }> {
    const hours = await this.hours(workspaceId);
    if (!hours.open) return { available: false, closedReason: 'hours', opensAt: hours.opensAt };
    const anyoneOnline = (await this.routing.agents(workspaceId)).some((a) => a.availability === 'online' && !a.disabled);
    return { available: anyoneOnline, closedReason: anyoneOnline ? null : 'nobody', opensAt: null };
  }

  /** A new chat: outside business hours (when the workspace says so) or with nobody online, offline at once. */
  async admit(workspaceId: string, sessionId: string): Promise<void> {
    const settings = await this.settings.get(workspaceId);
    if (!(await this.withinBusinessHours(workspaceId, settings))) {
      const session = await this.chatLog.sessionOf(workspaceId, sessionId);
      await this.goOffline(workspaceId, session);
      return;
    }
    await this.dispatch(workspaceId);
  }

  /**
   * The visitor left a waiting chat: abandoned, and an offer ringing for it is withdrawn. Undefined
   * when the chat was no longer waiting (answered, ended) by the time of the update.
   */
  async abandon(workspaceId: string, session: SessionRow): Promise<SessionRow | undefined> {
    const db = this.repo.in(workspaceId);
    const now = this.clock.now();
    const ended = await this.repo.transition(db, session.id, ['queued', 'offered'], { status: 'abandoned', ended_at: now, ended_by: 'visitor', offered_to: null, offer_expires_at: null });
    if (!ended) return undefined;
    if (session.offered_to) {
      await this.repo.closeOffer(db, session.id, session.offered_to, 'withdrawn', now);
      await this.routing.release(workspaceId, { kind: 'chat', itemId: session.id });
      this.push.toAgent(workspaceId, session.offered_to, 'chat:offer_withdrawn', { conversationId: session.id, reason: 'abandoned' });
    }
    this.chatLog.changed(workspaceId, ended);
    await this.dispatch(workspaceId);
    return ended;
  }

  /** After a chat ends: the slot is freed and the agent does after-contact work (or is idle at once). */
  async finishAgentWork(workspaceId: string, ended: SessionRow): Promise<void> {
    const settings = await this.settings.get(workspaceId);
    const now = this.clock.now();
    await this.routing.release(workspaceId, { kind: 'chat', itemId: ended.id });
    if (ended.agent_id) {
      if (settings.acwSeconds > 0) await this.routing.startAfterContactWork(workspaceId, ended.agent_id, new Date(now.getTime() + settings.acwSeconds * 1000));
      else {
        await this.routing.startAfterContactWork(workspaceId, ended.agent_id, null);
        await this.repo.closeAcw(this.repo.in(workspaceId), ended.agent_id, now);
      }
    }
    this.chatLog.changed(workspaceId, ended);
    if (ended.agent_id) await this.pushAgentState(workspaceId, ended.agent_id);
    await this.dispatch(workspaceId);
  }

  // ---- dispatch and deadlines ----------------------------------------------------------------

  /**
   * Offers waiting chats, oldest first, to the agents routing picks; chats of a team with nobody
   * online become offline tickets. Safe to run anywhere, any time, concurrently: routing holds
   * each chat's slot once, and each session moves on with a conditional update.
   */
  async dispatch(workspaceId: string): Promise<void> {
    const db = this.repo.in(workspaceId);
    const waiting = await this.repo.waiting(db, { status: ['queued'] });
    if (!waiting.length) return this.pushQueuePositions(workspaceId);
    const settings = await this.settings.get(workspaceId);
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
    this.push.wallboardChanged(workspaceId);
    await this.pushQueuePositions(workspaceId);
  }

  /**
   * The queue's deadlines at `now`: offers not answered in time go to the next agent (not this one
   * again), ACW that ran out frees the agent, chats waiting past their team's overflow move on.
   * True when the queue changed (the caller dispatches).
   */
  async actOnDeadlines(workspaceId: string, now: Date): Promise<boolean> {
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
    return changed;
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
        this.push.toVisitor(workspaceId, s.id, 'chat:queue', { conversationId: s.id, position, estimatedWaitSeconds });
      });
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

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
    this.push.toAgent(workspaceId, agentId, 'chat:offer', await this.offerView(workspaceId, offered));
    this.push.toVisitor(workspaceId, session.id, 'chat:state', conversationView(offered));
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
    this.push.toAgent(workspaceId, agentId, 'chat:offer_withdrawn', { conversationId: sessionId, reason: outcome });
    this.push.toVisitor(workspaceId, sessionId, 'chat:state', conversationView(requeued));
    return true;
  }

  /** Nobody can answer: the chat stays a ticket, answered by e-mail, and the visitor is told so. */
  private async goOffline(workspaceId: string, session: SessionRow): Promise<void> {
    const offline = await this.repo.transition(this.repo.in(workspaceId), session.id, ['queued'], { status: 'offline', ended_at: this.clock.now(), ended_by: 'system' });
    if (!offline) return;
    await this.chatLog.appendSystem(workspaceId, offline, 'chat.offline', { number: offline.ticket_number, email: offline.visitor_email });
    this.push.toVisitor(workspaceId, session.id, 'chat:state', conversationView(offline));
    // From now on it is an ordinary ticket: the team's ticket auto-assignment (if on) applies.
    const ticket = await this.tickets.ticket(workspaceId, offline.ticket_id);
    await this.routing.autoAssignTicket(workspaceId, { id: ticket.id, departmentId: ticket.department_id, assigneeId: ticket.assignee_id, status: ticket.status });
  }

  private async withinBusinessHours(workspaceId: string, settings: ChatSettings): Promise<boolean> {
    return (await this.hours(workspaceId, settings)).open;
  }

  private async hours(workspaceId: string, settings?: ChatSettings): Promise<ChatHours> {
    if (!(settings ?? await this.settings.get(workspaceId)).respectBusinessHours) return { open: true, opensAt: null };
    const calendar = compileCalendar((await this.sla.calendarSettings(workspaceId)).calendar);
    const now = this.clock.now();
    if (businessMinutesBetween(calendar, now, new Date(now.getTime() + 60_000)) > 0) return { open: true, opensAt: null };
    // The first millisecond of business time from now lies just inside the next opening.
    const next = addBusinessTime(calendar, now, 1);
    return { open: false, opensAt: next ? new Date(next.getTime() - 1).toISOString() : null };
  }

  private async offerView(workspaceId: string, session: SessionRow): Promise<ChatOffer> {
    const settings = await this.settings.get(workspaceId);
    const messages = await this.repo.messagesSince(this.repo.in(workspaceId), session.id, 0);
    return {
      conversation: conversationView(session), expiresAt: session.offer_expires_at!.toISOString(), timeoutSeconds: settings.offerTimeoutSeconds,
      screenPop: await this.screenPop(workspaceId, session), messages: messages.map(messageView),
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
    this.push.toAgent(workspaceId, agentId, 'agent:state', state);
    this.push.wallboardChanged(workspaceId);
    return state;
  }
}
