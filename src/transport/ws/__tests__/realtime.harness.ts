import { io as connect, type Socket } from 'socket.io-client';
import { REALTIME_PATH, type PushedEvent, type Viewer } from '../realtime.js';

/** Console sockets for the realtime tests: each opened one is kept in `sockets` for the test to close. */
export function realtimeSockets() {
  const sockets: Socket[] = [];
  return {
    sockets,
    open(base: string, headers: Record<string, string>): Socket {
      const socket = connect(base, { path: REALTIME_PATH, transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true });
      sockets.push(socket);
      return socket;
    },
  };
}

export function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

export function collect(socket: Socket, type: string): PushedEvent[] {
  const seen: PushedEvent[] = [];
  socket.on(type, (event: PushedEvent) => seen.push(event));
  return seen;
}

export function next<T>(socket: Socket, type: string, match: (body: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (body: T) => {
      if (!match(body)) return;
      socket.off(type, listener);
      resolve(body);
    };
    socket.on(type, listener);
  });
}

export function view(socket: Socket, ticketId: string): Promise<{ viewers: Viewer[] }> {
  return socket.emitWithAck('ticket:viewing', { ticketId });
}
