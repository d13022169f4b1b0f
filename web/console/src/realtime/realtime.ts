/**
 * The console's one realtime connection (Socket.IO at /realtime, see src/transport/ws/README.md):
 * ticket and message events of this workspace, and who else has a ticket open. Pages take it
 * with `useRealtime…` hooks; it connects while any of them is mounted and follows the signed-in agent.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import { request } from '../api/http.js';

export interface PushedEvent {
  id: string;
  type: string;
  occurredAt: string;
  payload: unknown;
}

export interface Viewer {
  agentId: string;
  name: string;
  composing: boolean;
}

/** connecting: first attempt or retrying; live: connected; offline: refused (signed out) or gave up. */
export type RealtimeStatus = 'connecting' | 'live' | 'offline';

type EventListener = (event: PushedEvent) => void;

const RELEASE_GRACE_MS = 5_000;

class Connection {
  readonly socket: Socket;
  status: RealtimeStatus = 'connecting';
  private readonly statusListeners = new Set<() => void>();
  private readonly eventListeners = new Set<EventListener>();
  private readonly reconnectListeners = new Set<() => void>();
  private everConnected = false;

  constructor(readonly agentId: string) {
    this.socket = io({
      path: '/realtime',
      transports: ['websocket'],
      withCredentials: true,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
    });
    this.socket.on('connect', () => {
      this.setStatus('live');
      // Events may have passed while we were away: whoever shows data fetches it again.
      if (this.everConnected) for (const listener of this.reconnectListeners) listener();
      this.everConnected = true;
    });
    this.socket.on('disconnect', (reason) => {
      // The server ended it (signed out elsewhere, session expired): no automatic retry.
      if (reason === 'io server disconnect') this.refused();
      else this.setStatus('connecting');
    });
    this.socket.on('connect_error', () => {
      // A refused handshake (UNAUTHENTICATED) is not retried by Socket.IO; a network error is.
      if (this.socket.active) this.setStatus('connecting');
      else this.refused();
    });
    this.socket.onAny((type: string, event: unknown) => {
      if (!type.includes('.') || !isPushedEvent(event)) return;
      for (const listener of this.eventListeners) listener(event);
    });
  }

  /**
   * Refused or cut off by the server, most likely because the session ended: asking who is signed
   * in lets the session's 401 handling show the sign-in page, as any other call would.
   */
  private refused(): void {
    this.setStatus('offline');
    request('GET', '/api/v1/auth/me').catch(() => undefined);
  }

  private setStatus(status: RealtimeStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener();
  }

  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.offAny();
    this.socket.disconnect();
  }
}

let current: Connection | null = null;
let users = 0;
let releaseTimer: ReturnType<typeof setTimeout> | null = null;
const connectionListeners = new Set<() => void>();

function acquire(agentId: string): Connection {
  if (releaseTimer) {
    clearTimeout(releaseTimer);
    releaseTimer = null;
  }
  // Another agent signed in in this tab: the old socket carries the old session.
  if (current && current.agentId !== agentId) {
    current.close();
    current = null;
  }
  if (!current) {
    current = new Connection(agentId);
    for (const listener of connectionListeners) listener();
  }
  users += 1;
  return current;
}

function release(): void {
  users = Math.max(0, users - 1);
  if (users > 0 || releaseTimer) return;
  // Moving between console areas shouldn't drop and re-open the socket.
  releaseTimer = setTimeout(() => {
    releaseTimer = null;
    if (users === 0 && current) {
      current.close();
      current = null;
      for (const listener of connectionListeners) listener();
    }
  }, RELEASE_GRACE_MS);
}

/** Keeps the connection open for `agentId` while mounted; returns it (null on the first render). */
export function useRealtimeConnection(agentId: string): Connection | null {
  const [connection, setConnection] = useState<Connection | null>(null);
  useEffect(() => {
    const taken = acquire(agentId);
    setConnection(taken);
    return () => {
      setConnection(null);
      release();
    };
  }, [agentId]);
  return connection;
}

export function useRealtimeStatus(connection: Connection | null): RealtimeStatus {
  return useSyncExternalStore(
    (listener) => connection?.onStatus(listener) ?? (() => undefined),
    () => connection?.status ?? 'connecting',
  );
}

/** Calls `handler` for every pushed ticket/message event, and `onReconnect` after the socket comes back. */
export function useRealtimeEvents(connection: Connection | null, handler: EventListener, onReconnect?: () => void): void {
  const latest = useRef({ handler, onReconnect });
  useEffect(() => {
    latest.current = { handler, onReconnect };
  });
  useEffect(() => {
    if (!connection) return;
    const offEvent = connection.onEvent((event) => latest.current.handler(event));
    const offReconnect = connection.onReconnect(() => latest.current.onReconnect?.());
    return () => {
      offEvent();
      offReconnect();
    };
  }, [connection]);
}

/**
 * Announces that this tab has `ticketId` open and returns the other agents who have it open too
 * (yourself excluded). `composing` tells them you are writing a reply.
 */
export function useTicketViewers(connection: Connection | null, ticketId: string | null, selfId: string, composing: boolean): Viewer[] {
  const [viewers, setViewers] = useState<Viewer[]>([]);

  useEffect(() => {
    if (!connection || !ticketId) return;
    const { socket } = connection;
    let active = true;
    const accept = (list: unknown) => {
      if (active && Array.isArray(list)) setViewers(list.filter(isViewer).filter((v) => v.agentId !== selfId));
    };
    const announce = () => {
      socket.emit('ticket:viewing', { ticketId }, (answer: unknown) => {
        if (answer && typeof answer === 'object' && 'viewers' in answer) accept(answer.viewers);
      });
    };
    const onViewers = (body: unknown) => {
      if (body && typeof body === 'object' && 'ticketId' in body && body.ticketId === ticketId && 'viewers' in body) accept(body.viewers);
    };
    socket.on('ticket:viewers', onViewers);
    socket.on('connect', announce);
    if (socket.connected) announce();
    return () => {
      active = false;
      socket.off('ticket:viewers', onViewers);
      socket.off('connect', announce);
      socket.emit('ticket:left', { ticketId });
      setViewers([]);
    };
  }, [connection, ticketId, selfId]);

  useEffect(() => {
    if (!connection || !ticketId) return;
    const { socket } = connection;
    const send = () => socket.emit('ticket:composing', { ticketId, composing });
    if (socket.connected) send();
    socket.on('connect', send);
    return () => {
      socket.off('connect', send);
    };
  }, [connection, ticketId, composing]);

  return viewers;
}

function isPushedEvent(value: unknown): value is PushedEvent {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string' && 'payload' in value;
}

function isViewer(value: unknown): value is Viewer {
  return (
    typeof value === 'object' &&
    value !== null &&
    'agentId' in value &&
    typeof value.agentId === 'string' &&
    'name' in value &&
    typeof value.name === 'string' &&
    'composing' in value &&
    typeof value.composing === 'boolean'
  );
}
