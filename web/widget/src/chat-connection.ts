/**
 * The widget's side of the chat protocol (src/contracts/chat.ts): one Socket.IO
 * connection to the visitor namespace, opened only once the visitor starts (or has) a chat.
 *
 * Nothing is lost or doubled across reconnects: every message carries a client message id the
 * server de-duplicates by; after each (re)connect the widget re-sends what was never acknowledged
 * and asks for everything after the last seq it has (`chat:sync`). The visitor token is kept in
 * localStorage per site and workspace, so a reload or the next page of the site resumes the chat.
 */
import { io, type Socket } from 'socket.io-client';
import {
  CHAT_SOCKET_PATH,
  VISITOR_NAMESPACE,
  type Ack,
  type ChatMessage,
  type ConversationView,
  type ServerToVisitor,
  type VisitorAuth,
  type VisitorToServer,
  type WidgetConfig,
} from '@contracts/chat.js';
import type { ChatEvent, PreChat, Suggestion, WidgetSettings } from './connection-types.js';
import type { WidgetLocale } from './i18n.js';
import { MessageLog, type ServerMessage } from './message-log.js';

type VisitorSocket = Socket<ServerToVisitor, VisitorToServer>;

const ACK_TIMEOUT_MS = 15_000;
/** After RATE_LIMITED: wait before sending again. */
const RETRY_AFTER_MS = 2_000;

/** A refusal from the server: `message` is the protocol's error code, which the screens translate. */
export class ChatRequestError extends Error {}

export interface Started {
  offline: boolean;
  ticketNumber: number | null;
}

export class ChatConnection {
  /** The conversation as the visitor sees it; this connection keeps it complete and free of doubles. */
  readonly log = new MessageLog();
  private socket: VisitorSocket | null = null;
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private conversation: ConversationView | null = null;
  private lastSeq = 0;
  /** The token when localStorage is blocked (privacy settings): the chat then lasts for this page. */
  private memoryToken: string | null = null;
  /** The visitor message on its way (a counter, so a late ack of an abandoned send is ignored). */
  private inFlight: number | null = null;
  private flights = 0;
  private readonly storageKey: string;
  /** An answered chat that has ended, with its token (kept after the token is forgotten): the visitor may rate it once. */
  private rateable: { id: string; token: string } | null = null;

  constructor(
    private readonly origin: string,
    private readonly workspace: string,
    readonly locale: WidgetLocale,
  ) {
    this.storageKey = `kefu-chat:${workspace}`;
  }

  onEvent(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when this browser has a chat of this workspace that may still be open. */
  hasToken(): boolean {
    return this.token() !== null;
  }

  async settings(): Promise<WidgetSettings> {
    const response = await fetch(`${this.origin}/api/v1/chat/widget/${encodeURIComponent(this.workspace)}`, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new ChatRequestError(await errorCode(response));
    const config = (await response.json()) as WidgetConfig;
    return {
      online: config.available,
      ...(config.closedReason === 'hours' ? { opensAt: config.opensAt ? new Date(config.opensAt) : null } : {}),
      departments: config.departments.map((d) => ({ id: d.id, name: d.name[this.locale] ?? d.name.en ?? Object.values(d.name)[0] ?? d.id })),
      maxMessageBytes: config.limits.messageBytes,
      maxUploadBytes: config.limits.uploadBytes,
    };
  }

  /** Opens the socket (resuming the stored chat, if any) and resolves once connected. */
  connect(): Promise<void> {
    if (this.socket?.connected) return Promise.resolve();
    if (!this.socket) this.socket = this.openSocket();
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      const done = () => {
        socket.off('connect', done);
        socket.off('connect_error', failed);
        resolve();
      };
      const failed = (error: Error) => {
        if (error.message === 'TOKEN_INVALID') return; // openSocket forgets the token and retries
        if (socket.active) return; // a network error: Socket.IO keeps trying
        socket.off('connect', done);
        socket.off('connect_error', failed);
        reject(new ChatRequestError(error.message));
      };
      socket.on('connect', done);
      socket.on('connect_error', failed);
    });
  }

  async suggestions(text: string): Promise<Suggestion[]> {
    await this.connect();
    const answer = await this.call('chat:suggest', { text });
    return answer.answers.map((a) => ({ title: a.title, url: new URL(a.url, this.origin).href }));
  }

  async start(form: PreChat, clientMessageId = crypto.randomUUID()): Promise<Started> {
    await this.connect();
    const answer = await this.call('chat:start', {
      name: form.name,
      email: form.email,
      ...(form.departmentId ? { departmentId: form.departmentId } : {}),
      ...(form.message ? { text: form.message, clientMessageId } : {}),
    });
    this.storeToken(answer.token);
    this.conversation = answer.conversation;
    this.lastSeq = 0;
    this.log.clear();
    this.take(answer.messages);
    if (answer.conversation.status === 'offline') this.forget();
    return { offline: answer.conversation.status === 'offline', ticketNumber: answer.conversation.ticketNumber };
  }

  /** The visitor writes: shown at once as "sending", delivered now or after the next reconnect. */
  send(text: string): void {
    this.log.addOwn(text, new Date().toISOString());
    this.pump();
  }

  /**
   * Delivers the unacknowledged messages one at a time, oldest first: sent together, the server
   * could store them in either order. The server keeps one copy per client id, so a message whose
   * ack was lost is simply sent again. Stops while disconnected; the next connect resumes it.
   */
  private pump(): void {
    const socket = this.socket;
    const next = this.log.unacknowledged()[0];
    if (this.inFlight !== null || !socket?.connected || !next?.clientId) return;
    const flight = ++this.flights;
    this.inFlight = flight;
    socket.timeout(ACK_TIMEOUT_MS).emit('chat:message', { clientMessageId: next.clientId, text: next.body }, (error: Error | null, answer?: Ack<{ message: ChatMessage }>) => {
      if (this.inFlight !== flight) return; // the connection dropped meanwhile: a newer flight took over
      this.inFlight = null;
      if (error || !answer) return this.pump(); // no answer in time: again (the server keeps one copy)
      if (answer.ok) {
        this.take([answer.message]);
        return this.pump();
      }
      if (answer.error.code === 'RATE_LIMITED' || answer.error.code === 'UNAVAILABLE') {
        setTimeout(() => this.pump(), RETRY_AFTER_MS);
        return;
      }
      // Refused for good (too large, the chat ended): say so instead of retrying forever.
      this.log.discard(next);
      this.emit({ type: 'refused', code: answer.error.code });
      this.pump();
    });
  }

  typing(typing: boolean): void {
    this.socket?.emit('chat:typing', { typing });
  }

  read(seq: number): void {
    this.socket?.emit('chat:read', { seq });
  }

  /** Uploads a file into the conversation; the message comes back as a normal chat message. */
  async upload(file: File): Promise<void> {
    const token = this.token();
    if (!this.conversation || !token) throw new ChatRequestError('CONVERSATION_NOT_FOUND');
    const form = new FormData();
    form.append('clientMessageId', crypto.randomUUID());
    form.append('file', file, file.name);
    // The token goes in the query, not an Authorization header: a multipart POST without custom
    // headers is a "simple" cross-origin request, so no CORS preflight is needed from the host site.
    const url = `${this.origin}/api/v1/chat/conversations/${encodeURIComponent(this.conversation.id)}/files?token=${encodeURIComponent(token)}`;
    const response = await fetch(url, { method: 'POST', body: form });
    if (!response.ok) throw new ChatRequestError(await errorCode(response));
    const body = (await response.json()) as { message: ChatMessage };
    this.take([body.message]);
  }

  /** Asks for the transcript: a link to confirm the visitor's address is mailed there; answers that address. */
  async transcript(): Promise<string> {
    await this.call('chat:transcript', {});
    return this.conversation?.visitor.email ?? '';
  }

  async end(): Promise<void> {
    const { conversation } = await this.call('chat:end', {});
    this.keepRateable(conversation);
    this.forget();
  }

  /** True while the ended chat may be rated here. */
  canRate(): boolean {
    return this.rateable !== null;
  }

  /**
   * Rates the ended chat (score 1–5, optional comment). A form with the token in the query: a
   * "simple" cross-origin request, so the host site needs no CORS preflight.
   */
  async rate(score: number, comment: string): Promise<void> {
    const target = this.rateable;
    if (!target) throw new ChatRequestError('RATING_CLOSED');
    const url = `${this.origin}/api/v1/chat/conversations/${encodeURIComponent(target.id)}/rating?token=${encodeURIComponent(target.token)}`;
    const body = new URLSearchParams({ score: String(score), ...(comment ? { comment } : {}) });
    const response = await fetch(url, { method: 'POST', body });
    if (!response.ok) {
      const code = await errorCode(response);
      if (code === 'ALREADY_RATED' || code === 'RATING_CLOSED') this.rateable = null;
      throw new ChatRequestError(code);
    }
    this.rateable = null;
  }

  private keepRateable(conversation: ConversationView): void {
    const token = this.token();
    if (conversation.status === 'ended' && conversation.answeredAt && !conversation.rating && token) this.rateable = { id: conversation.id, token };
  }

  private openSocket(): VisitorSocket {
    const socket: VisitorSocket = io(`${this.origin}${VISITOR_NAMESPACE}`, {
      path: CHAT_SOCKET_PATH,
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      // A function: each reconnect sends the token as it is then (it may have been issued since).
      auth: (send) => {
        const token = this.token();
        send({ workspace: this.workspace, locale: this.locale, ...(token ? { token } : {}) } satisfies VisitorAuth);
      },
    });
    socket.on('connect', () => {
      this.emit({ type: 'connection', connected: true });
      void this.catchUp();
    });
    socket.on('disconnect', () => {
      this.inFlight = null; // its ack will never come: the message goes again after the next connect
      this.emit({ type: 'connection', connected: false });
    });
    socket.on('connect_error', (error) => {
      // An expired or foreign token: start over as a new visitor instead of failing for good.
      if (error.message === 'TOKEN_INVALID') {
        this.forget();
        socket.connect();
      }
    });
    socket.on('chat:message', (message) => this.take([message]));
    socket.on('chat:queue', (update) => this.emit({ type: 'queue', position: update.position, estimatedWaitSeconds: update.estimatedWaitSeconds }));
    socket.on('chat:state', (conversation) => this.follow(conversation));
    socket.on('chat:typing', (body) => this.emit({ type: 'typing', typing: body.typing, name: body.name }));
    socket.on('chat:receipt', (body) => this.log.advance(body.kind, body.upToSeq));
    socket.on('chat:suggestions', (body) =>
      this.emit({ type: 'suggestions', suggestions: body.answers.map((a) => ({ title: a.title, url: new URL(a.url, this.origin).href })) }));
    return socket;
  }

  /**
   * After a (re)connect: first everything after the last seq we have (a message whose ack was
   * lost comes back here, matched by its client id), then whatever is still unacknowledged.
   */
  private async catchUp(): Promise<void> {
    if (!this.token()) return;
    try {
      const answer = await this.call('chat:sync', { sinceSeq: this.lastSeq });
      this.take(answer.messages);
      this.follow(answer.conversation);
    } catch (error) {
      // The stored chat is gone (ended long ago, or another workspace's): start fresh next time.
      if (error instanceof ChatRequestError && error.message === 'CONVERSATION_NOT_FOUND') this.forget();
      return;
    }
    this.pump();
  }

  private follow(conversation: ConversationView): void {
    const before = this.conversation;
    this.conversation = conversation;
    switch (conversation.status) {
      case 'active':
        if (conversation.agent && conversation.agent.id !== before?.agent?.id) {
          if (before?.agent) this.emit({ type: 'transferred' });
          this.emit({ type: 'joined', agentName: conversation.agent.name });
        }
        return;
      case 'queued':
      case 'offered':
        if (before?.status === 'active') this.emit({ type: 'transferred' });
        return;
      case 'ended':
      case 'abandoned':
        this.keepRateable(conversation);
        this.forget();
        this.emit({ type: 'ended' });
        return;
      case 'offline':
        this.forget();
        this.emit({ type: 'offline', ticketNumber: conversation.ticketNumber });
        return;
    }
  }

  private take(messages: readonly ChatMessage[]): void {
    for (const m of messages) if (m.seq > this.lastSeq) this.lastSeq = m.seq;
    const token = this.token();
    this.log.receive(messages.map((m) => fromWire(m, this.origin, token)));
  }

  private async call<E extends 'chat:start' | 'chat:sync' | 'chat:suggest' | 'chat:transcript' | 'chat:end'>(
    event: E,
    body: Parameters<VisitorToServer[E]>[0],
  ): Promise<Extract<Parameters<Parameters<VisitorToServer[E]>[1]>[0], { ok: true }>> {
    if (!this.socket) throw new ChatRequestError('UNAVAILABLE');
    // Socket.IO's typed emitWithAck can't follow a generic event name; the protocol types both ends.
    const emit = this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck as unknown as (event: string, body: unknown) => Promise<Ack<object>>;
    let answer: Ack<object>;
    try {
      answer = await emit.call(this.socket.timeout(ACK_TIMEOUT_MS), event, body);
    } catch {
      throw new ChatRequestError('UNAVAILABLE'); // no answer in time
    }
    if (!answer.ok) throw new ChatRequestError(answer.error.code);
    return answer as Extract<Parameters<Parameters<VisitorToServer[E]>[1]>[0], { ok: true }>;
  }

  private emit(event: ChatEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private token(): string | null {
    try {
      return window.localStorage.getItem(this.storageKey);
    } catch {
      return this.memoryToken;
    }
  }

  private storeToken(token: string): void {
    this.memoryToken = token;
    try {
      window.localStorage.setItem(this.storageKey, token);
    } catch {
      // kept in memory only
    }
  }

  private forget(): void {
    this.memoryToken = null;
    try {
      window.localStorage.removeItem(this.storageKey);
    } catch {
      // nothing stored
    }
  }
}

/** The protocol's message as the log keeps it; a file's link carries the visitor's token (no cookie on a foreign site). */
export function fromWire(message: ChatMessage, origin: string, token: string | null): ServerMessage {
  const file = message.attachments[0];
  const url = file ? new URL(file.url, origin) : null;
  if (url && token) url.searchParams.set('token', token);
  return {
    id: message.messageId,
    clientId: message.clientMessageId,
    seq: message.seq,
    author: message.author.type,
    authorName: message.author.name,
    body: message.text,
    attachment: file && url ? { name: file.filename, size: file.sizeBytes, url: url.href } : null,
    at: message.createdAt,
  };
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: unknown } } | null;
  return typeof body?.error?.code === 'string' ? body.error.code : 'UNAVAILABLE';
}
