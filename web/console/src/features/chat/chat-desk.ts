/**
 * The agent's chat desk: one Socket.IO connection to the chat server's agent namespace
 * (src/contracts/chat.ts) and everything it tells this agent — presence and
 * after-contact work, the offer ringing now, the active chats with their messages, typing and
 * read receipts, and the live wallboard. Screens read it with `useChatDesk()`.
 *
 * Like the widget, nothing the agent writes is lost or doubled: each message has a client message
 * id, unacknowledged ones are re-sent after a reconnect, and every chat is re-synced from its last seq.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  AGENT_NAMESPACE,
  CHAT_SOCKET_PATH,
  type Ack,
  type AgentChatState,
  type AgentToServer,
  type ChatMessage,
  type ChatMetrics,
  type ChatOffer,
  type ConversationView,
  type DeclinedChatNext,
  type Presence,
  type ScreenPop,
  type ServerToAgent,
  type TransferTarget,
  type Wallboard,
} from '@contracts/chat.js';
import { ApiError, isRecord, request } from '../../api/http.js';

type AgentSocket = Socket<ServerToAgent, AgentToServer>;
/** The agent events that answer through an ack, and what a successful answer carries. */
type AckedEvent = { [K in keyof AgentToServer]: Parameters<AgentToServer[K]> extends [unknown, (answer: never) => void] ? K : never }[keyof AgentToServer];
type Answer<E extends AckedEvent> = Parameters<AgentToServer[E]> extends [unknown, (answer: infer A) => void] ? Extract<A, { ok: true }> : never;

export type DeskStatus = 'connecting' | 'live' | 'offline';

export interface PendingMessage {
  clientMessageId: string;
  text: string;
  at: string;
}

export interface ChatTab {
  conversation: ConversationView;
  messages: ChatMessage[];
  /** The agent's messages not yet stored, oldest first. */
  pending: PendingMessage[];
  visitorTyping: boolean;
  /** The visitor has seen the agent's messages up to this seq. */
  readUpTo: number;
  deliveredUpTo: number;
  screenPop: ScreenPop | null;
  /** Set when the chat left this agent (transferred away): the tab stays until closed. */
  movedAway: boolean;
}

export interface DeskSnapshot {
  status: DeskStatus;
  state: AgentChatState | null;
  offer: ChatOffer | null;
  /** Why the last offer left without being answered here. */
  /** Why the offer went: the decliner also hears where the chat went when no colleague took it. */
  offerWithdrawn: 'timeout' | 'abandoned' | 'declined' | 'declined_queue' | null;
  tabs: ChatTab[];
  wallboard: Wallboard | null;
  /** Waiting contacts over this session, one point per wallboard push (for the chart). */
  waitingHistory: { at: string; waiting: number }[];
  /**
   * Server clock minus this browser's, from the wallboard's timestamps: offer and ACW deadlines
   * are the server's, and a browser clock a minute off must not show a wrong countdown.
   */
  clockOffsetMs: number;
}

/** A refused request: `code` is the protocol's error code, translated by the screens. */
export class DeskError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const HISTORY_POINTS = 120;
/** After a busy server or RATE_LIMITED: wait before sending again. */
const RETRY_AFTER_MS = 2_000;

export class ChatDesk {
  private readonly socket: AgentSocket;
  private snapshot: DeskSnapshot = { status: 'connecting', state: null, offer: null, offerWithdrawn: null, tabs: [], wallboard: null, waitingHistory: [], clockOffsetMs: 0 };
  private readonly listeners = new Set<() => void>();
  /** Per chat, the agent message on its way (a counter, so a late answer of an abandoned send is ignored). */
  private readonly inFlight = new Map<string, number>();
  private flights = 0;

  constructor(readonly agentId: string) {
    this.socket = io(AGENT_NAMESPACE, { path: CHAT_SOCKET_PATH, transports: ['websocket'], withCredentials: true, reconnectionDelay: 500, reconnectionDelayMax: 5_000 });
    this.socket.on('connect', () => {
      this.update({ status: 'live' });
      void this.resync();
    });
    this.socket.on('disconnect', (reason) => {
      this.inFlight.clear(); // those answers will never come: resync() sends the pending messages again
      this.update({ status: reason === 'io server disconnect' ? 'offline' : 'connecting' });
    });
    this.socket.on('connect_error', () => this.update({ status: this.socket.active ? 'connecting' : 'offline' }));
    this.socket.on('agent:state', (state) => this.takeState(state));
    this.socket.on('chat:offer', (offer) => this.update({ offer, offerWithdrawn: null }));
    this.socket.on('chat:offer_withdrawn', ({ conversationId, reason }) => {
      if (this.snapshot.offer?.conversation.id === conversationId) this.update({ offer: null, offerWithdrawn: reason });
    });
    this.socket.on('chat:message', (message) => this.addMessages(message.conversationId, [message]));
    this.socket.on('chat:state', (conversation) => this.takeConversation(conversation));
    this.socket.on('chat:typing', ({ conversationId, typing }) => this.patchTab(conversationId, { visitorTyping: typing }));
    this.socket.on('chat:receipt', ({ conversationId, kind, upToSeq }) => {
      const tab = this.tab(conversationId);
      if (!tab) return;
      if (kind === 'read' && upToSeq > tab.readUpTo) this.patchTab(conversationId, { readUpTo: upToSeq, deliveredUpTo: Math.max(tab.deliveredUpTo, upToSeq) });
      if (kind === 'delivered' && upToSeq > tab.deliveredUpTo) this.patchTab(conversationId, { deliveredUpTo: upToSeq });
    });
    this.socket.on('wallboard', (board) => this.takeWallboard(board));
  }

  getSnapshot = (): DeskSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  async setPresence(presence: Presence): Promise<void> {
    const { state } = await this.call('agent:presence', { presence });
    this.takeState(state);
  }

  async ready(): Promise<void> {
    const { state } = await this.call('agent:ready', {});
    this.takeState(state);
  }

  async accept(conversationId: string): Promise<void> {
    try {
      const answer = await this.call('agent:accept', { conversationId });
      this.openTab(answer.conversation, answer.messages, answer.screenPop);
    } finally {
      if (this.snapshot.offer?.conversation.id === conversationId) this.update({ offer: null });
    }
  }

  async decline(conversationId: string): Promise<void> {
    let next: DeclinedChatNext = 'colleague';
    try {
      ({ next } = await this.call('agent:decline', { conversationId }));
    } finally {
      if (this.snapshot.offer?.conversation.id === conversationId) this.update({ offer: null, offerWithdrawn: next === 'queue' ? 'declined_queue' : 'declined' });
    }
  }

  /** Shows the message at once as pending; it turns into the stored one when acknowledged. */
  send(conversationId: string, text: string, clientMessageId = crypto.randomUUID()): void {
    const tab = this.tab(conversationId);
    if (!tab) return;
    this.patchTab(conversationId, { pending: [...tab.pending, { clientMessageId, text, at: new Date().toISOString() }] });
    this.pump(conversationId);
  }

  /** Sends a file into the chat (the server checks size and type as for ticket attachments); refusals are DeskErrors. */
  async sendFile(conversationId: string, file: File): Promise<void> {
    const form = new FormData();
    form.append('clientMessageId', crypto.randomUUID());
    form.append('file', file, file.name);
    let body: unknown;
    try {
      body = await request('POST', `/api/v1/chat/conversations/${encodeURIComponent(conversationId)}/agent-files`, { body: form });
    } catch (failure) {
      throw new DeskError(failure instanceof ApiError ? failure.code : 'UNAVAILABLE');
    }
    if (isRecord(body) && isRecord(body.message)) this.addMessages(conversationId, [body.message as unknown as ChatMessage]);
  }

  typing(conversationId: string, typing: boolean): void {
    this.socket.emit('agent:typing', { conversationId, typing });
  }

  read(conversationId: string, seq: number): void {
    this.socket.emit('agent:read', { conversationId, seq });
  }

  async transfer(conversationId: string, to: TransferTarget): Promise<void> {
    const { conversation } = await this.call('agent:transfer', { conversationId, to });
    this.takeConversation(conversation);
  }

  async end(conversationId: string): Promise<void> {
    const { conversation, state } = await this.call('agent:end', { conversationId });
    this.takeConversation(conversation);
    this.takeState(state);
  }

  closeTab(conversationId: string): void {
    this.update({ tabs: this.snapshot.tabs.filter((t) => t.conversation.id !== conversationId) });
  }

  /**
   * Delivers a chat's pending messages one at a time, oldest first (sent together, the server could
   * store them in either order); a lost ack just means sending again, the server keeps one copy.
   */
  private pump(conversationId: string): void {
    const next = this.tab(conversationId)?.pending[0];
    if (!next || this.inFlight.has(conversationId) || !this.socket.connected) return;
    const flight = ++this.flights;
    this.inFlight.set(conversationId, flight);
    const settle = () => {
      if (this.inFlight.get(conversationId) !== flight) return false; // reconnected meanwhile: a newer send took over
      this.inFlight.delete(conversationId);
      return true;
    };
    this.call('agent:message', { conversationId, clientMessageId: next.clientMessageId, text: next.text }).then(
      ({ message }) => {
        if (!settle()) return;
        this.addMessages(conversationId, [message]);
        this.pump(conversationId);
      },
      (error: unknown) => {
        if (!settle()) return;
        const code = error instanceof DeskError ? error.code : 'UNAVAILABLE';
        if (code === 'UNAVAILABLE' || code === 'RATE_LIMITED') {
          setTimeout(() => this.pump(conversationId), RETRY_AFTER_MS);
          return;
        }
        // Refused for good (ended chat, too large): drop it rather than retry forever.
        const tab = this.tab(conversationId);
        if (tab) this.patchTab(conversationId, { pending: tab.pending.filter((p) => p.clientMessageId !== next.clientMessageId) });
        this.pump(conversationId);
      },
    );
  }

  /** After each (re)connect: state, every open chat since its last seq, then whatever was left unsent. */
  private async resync(): Promise<void> {
    try {
      const { state } = await this.call('agent:state', {});
      this.takeState(state);
      for (const tab of this.snapshot.tabs) {
        if (tab.movedAway) continue;
        const sinceSeq = tab.messages.at(-1)?.seq ?? 0;
        const answer = await this.call('agent:sync', { conversationId: tab.conversation.id, sinceSeq });
        this.takeConversation(answer.conversation);
        this.addMessages(tab.conversation.id, answer.messages);
        this.pump(tab.conversation.id);
      }
    } catch {
      // The next push or reconnect brings the desk up to date.
    }
  }

  private takeState(state: AgentChatState): void {
    this.update({ state, offer: state.offer });
    // Chats the agent holds but has no tab for (accepted in another tab, transferred to them).
    for (const conversation of state.conversations) {
      if (!this.tab(conversation.id)) {
        this.openTab(conversation, [], null);
        void this.call('agent:sync', { conversationId: conversation.id, sinceSeq: 0 }).then(
          (answer) => this.addMessages(conversation.id, answer.messages),
          () => undefined,
        );
      }
    }
  }

  private takeConversation(conversation: ConversationView): void {
    const tab = this.tab(conversation.id);
    if (!tab) return;
    const movedAway = conversation.status !== 'ended' && conversation.agent?.id !== this.agentId;
    this.patchTab(conversation.id, { conversation, movedAway });
  }

  private takeWallboard(board: Wallboard): void {
    const history = [...this.snapshot.waitingHistory, { at: board.at, waiting: board.waiting }].slice(-HISTORY_POINTS);
    this.update({ wallboard: board, waitingHistory: history, clockOffsetMs: Date.parse(board.at) - Date.now() });
  }

  private openTab(conversation: ConversationView, messages: ChatMessage[], screenPop: ScreenPop | null): void {
    const existing = this.tab(conversation.id);
    if (existing) {
      this.patchTab(conversation.id, { conversation, screenPop: screenPop ?? existing.screenPop, movedAway: false });
      this.addMessages(conversation.id, messages);
      return;
    }
    const tab: ChatTab = { conversation, messages: [], pending: [], visitorTyping: false, readUpTo: 0, deliveredUpTo: 0, screenPop, movedAway: false };
    this.update({ tabs: [...this.snapshot.tabs, tab] });
    this.addMessages(conversation.id, messages);
  }

  /** Merges by seq (a push and a sync may bring the same message) and settles pending ones. */
  private addMessages(conversationId: string, incoming: readonly ChatMessage[]): void {
    const tab = this.tab(conversationId);
    if (!tab || incoming.length === 0) return;
    const bySeq = new Map(tab.messages.map((m) => [m.seq, m]));
    for (const message of incoming) bySeq.set(message.seq, message);
    const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const stored = new Set(messages.map((m) => m.clientMessageId).filter((id): id is string => id !== null));
    this.patchTab(conversationId, { messages, pending: tab.pending.filter((p) => !stored.has(p.clientMessageId)) });
  }

  private tab(conversationId: string): ChatTab | undefined {
    return this.snapshot.tabs.find((t) => t.conversation.id === conversationId);
  }

  private patchTab(conversationId: string, patch: Partial<ChatTab>): void {
    this.update({ tabs: this.snapshot.tabs.map((t) => (t.conversation.id === conversationId ? { ...t, ...patch } : t)) });
  }

  private update(patch: Partial<DeskSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }

  private async call<E extends AckedEvent>(event: E, body: Parameters<AgentToServer[E]>[0]): Promise<Answer<E>> {
    // Socket.IO's typed emitWithAck can't follow a generic event name; the protocol types both ends.
    const timed = this.socket.timeout(15_000);
    const emit = timed.emitWithAck as unknown as (event: string, body: unknown) => Promise<Ack<object>>;
    let answer: Ack<object>;
    try {
      answer = await emit.call(timed, event, body);
    } catch {
      throw new DeskError('UNAVAILABLE');
    }
    if (!answer.ok) throw new DeskError(answer.error.code);
    return answer as Answer<E>;
  }
}

/** The desk for the signed-in agent while the chat area is open. */
export function useChatDesk(agentId: string): { desk: ChatDesk | null; snapshot: DeskSnapshot | null } {
  const [desk, setDesk] = useState<ChatDesk | null>(null);
  useEffect(() => {
    const opened = new ChatDesk(agentId);
    setDesk(opened);
    return () => {
      opened.close();
      setDesk(null);
    };
  }, [agentId]);
  const snapshot = useSyncExternalStore(
    (listener) => desk?.subscribe(listener) ?? (() => undefined),
    () => desk?.getSnapshot() ?? null,
  );
  return { desk, snapshot };
}

/** The wallboard over REST (before the first push) and today's metrics for the numbers pushes don't carry. */
export async function fetchWallboard(): Promise<Wallboard> {
  return (await request('GET', '/api/v1/chat/wallboard')) as Wallboard;
}

export async function fetchMetrics(from: Date, to: Date): Promise<ChatMetrics> {
  const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
  return (await request('GET', `/api/v1/chat/metrics?${query}`)) as ChatMetrics;
}

export async function fetchQueue(): Promise<ConversationView[]> {
  const body = await request('GET', '/api/v1/chat/conversations?status=queued&status=offered');
  return isRecord(body) && Array.isArray(body.conversations) ? (body.conversations as ConversationView[]) : [];
}
