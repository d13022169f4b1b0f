/**
 * The visitor's copy of the conversation: what the server confirmed (ordered by its `seq`) plus
 * what is still on its way (by client message id). Reconnecting re-sends what was never
 * acknowledged and fetches what was missed; both may overlap with what is already here, so every
 * message is merged by its seq or client id and none shows twice.
 */

export type Author = 'visitor' | 'agent' | 'system';
/** sending: not acknowledged yet (re-sent after a reconnect); sent: stored; delivered/read: by the agent. */
export type DeliveryState = 'sending' | 'sent' | 'delivered' | 'read';

export interface Attachment {
  name: string;
  size: number;
  url: string;
}

export interface LoggedMessage {
  /** Server id; null until acknowledged. */
  id: string | null;
  /** Set on the visitor's own messages: the idempotency key the server de-duplicates by. */
  clientId: string | null;
  /** The server's order in this conversation; null until acknowledged. */
  seq: number | null;
  author: Author;
  authorName: string | null;
  body: string;
  attachment: Attachment | null;
  at: string;
  state: DeliveryState;
}

export interface ServerMessage {
  /** Null for system notices (they live only in the chat, not in the ticket thread). */
  id: string | null;
  clientId?: string | null;
  seq: number;
  author: Author;
  authorName?: string | null;
  body: string;
  attachment?: Attachment | null;
  at: string;
}

const RANK: Record<DeliveryState, number> = { sending: 0, sent: 1, delivered: 2, read: 3 };

export class MessageLog {
  private messages: LoggedMessage[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly newId: () => string = () => crypto.randomUUID()) {}

  list(): readonly LoggedMessage[] {
    return this.messages;
  }

  /** The highest seq seen, to ask the server only for what came after it. */
  lastSeq(): number {
    return this.messages.reduce((max, m) => (m.seq !== null && m.seq > max ? m.seq : max), 0);
  }

  /** The visitor's messages the server has not acknowledged, oldest first: re-sent after a reconnect. */
  unacknowledged(): readonly LoggedMessage[] {
    return this.messages.filter((m) => m.state === 'sending');
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A message the visitor just wrote: shown at once, in state `sending`. */
  addOwn(body: string, at: string, attachment: Attachment | null = null): LoggedMessage {
    const message: LoggedMessage = { id: null, clientId: this.newId(), seq: null, author: 'visitor', authorName: null, body, attachment, at, state: 'sending' };
    this.messages.push(message);
    this.changed();
    return message;
  }

  /** Messages from the server (pushed live or fetched after a reconnect), merged without duplicates. */
  receive(incoming: readonly ServerMessage[]): void {
    if (incoming.length === 0) return;
    for (const message of incoming) {
      const known = this.messages.find((m) => m.seq === message.seq || (message.clientId && m.clientId === message.clientId));
      if (known) {
        known.id = message.id;
        known.seq = message.seq;
        if (known.state === 'sending') known.state = 'sent';
        continue;
      }
      this.messages.push({
        id: message.id,
        clientId: message.clientId ?? null,
        seq: message.seq,
        author: message.author,
        authorName: message.authorName ?? null,
        body: message.body,
        attachment: message.attachment ?? null,
        at: message.at,
        state: 'sent',
      });
    }
    this.sort();
    this.changed();
  }

  /** A message of the visitor's the server refused for good (too large, chat ended): not shown as pending forever. */
  discard(message: LoggedMessage): void {
    this.messages = this.messages.filter((m) => m !== message);
    this.changed();
  }

  /** The agent's side got (or read) everything up to `seq`: the visitor's ticks move forward, never back. */
  advance(state: 'delivered' | 'read', upToSeq: number): void {
    let moved = false;
    for (const m of this.messages) {
      if (m.author === 'visitor' && m.seq !== null && m.seq <= upToSeq && RANK[m.state] < RANK[state]) {
        m.state = state;
        moved = true;
      }
    }
    if (moved) this.changed();
  }

  clear(): void {
    this.messages = [];
    this.changed();
  }

  // Acknowledged messages go by seq; pending ones stay last in the order they were written.
  private sort(): void {
    const pending = this.messages.filter((m) => m.seq === null);
    const stored = this.messages.filter((m) => m.seq !== null).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    this.messages = [...stored, ...pending];
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
