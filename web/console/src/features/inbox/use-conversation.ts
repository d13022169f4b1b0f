import { useCallback, useEffect, useRef, useState } from 'react';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import type { PushedEvent } from '../../realtime/realtime.js';
import { ticketById, ticketByNumber, ticketMessages, type Message, type Ticket } from './tickets-api.js';
import { eventTicketId } from './use-inbox-list.js';

export interface Conversation {
  phase: 'loading' | 'ready' | 'error';
  error: ErrorKey | null;
  ticket: Ticket | null;
  messages: Message[];
  /** Bumped whenever something about the ticket changed, so side panels re-read too. */
  revision: number;
  setTicket(ticket: Ticket): void;
  addMessage(message: Message): void;
  reload(): void;
  onEvent(event: PushedEvent): void;
}

const EVENT_DEBOUNCE_MS = 150;

/** One ticket by its number with its thread, kept current by realtime events. */
export function useConversation(number: number): Conversation {
  const [phase, setPhase] = useState<Conversation['phase']>('loading');
  const [error, setError] = useState<ErrorKey | null>(null);
  const [ticket, setTicketState] = useState<Ticket | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [revision, setRevision] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const ticketRef = useRef<Ticket | null>(null);
  const pending = useRef<{ ticket: boolean; messages: boolean; timer: ReturnType<typeof setTimeout> | null }>({ ticket: false, messages: false, timer: null });

  useEffect(() => {
    let cancelled = false;
    ticketByNumber(number)
      .then(async (found) => {
        const thread = await ticketMessages(found.id);
        if (cancelled) return;
        ticketRef.current = found;
        setTicketState(found);
        setMessages(thread);
        setPhase('ready');
        setError(null);
      })
      .catch((failure: unknown) => {
        if (cancelled) return;
        setError(errorKey(failure));
        setPhase('error');
      });
    return () => {
      cancelled = true;
    };
  }, [number, attempt]);

  useEffect(() => () => {
    if (pending.current.timer) clearTimeout(pending.current.timer);
  }, []);

  const setTicket = useCallback((next: Ticket) => {
    ticketRef.current = next;
    setTicketState(next);
    setRevision((r) => r + 1);
  }, []);

  const addMessage = useCallback((message: Message) => {
    setMessages((list) => (list.some((m) => m.id === message.id) ? list : [...list, message]));
  }, []);

  // Several events often arrive together (a reply and its status change): one re-read for the burst.
  const flush = useCallback(() => {
    const current = ticketRef.current;
    const wanted = pending.current;
    pending.current = { ticket: false, messages: false, timer: null };
    if (!current) return;
    if (wanted.ticket) {
      ticketById(current.id).then((fresh) => {
        if (ticketRef.current?.id === fresh.id) setTicket(fresh);
      }, () => undefined);
    }
    if (wanted.messages) {
      ticketMessages(current.id).then((thread) => {
        if (ticketRef.current?.id === current.id) setMessages(thread);
      }, () => undefined);
    }
  }, [setTicket]);

  const schedule = useCallback((what: { ticket?: boolean; messages?: boolean }) => {
    pending.current.ticket ||= Boolean(what.ticket);
    pending.current.messages ||= Boolean(what.messages);
    if (!pending.current.timer) pending.current.timer = setTimeout(flush, EVENT_DEBOUNCE_MS);
  }, [flush]);

  const onEvent = useCallback((event: PushedEvent) => {
    const current = ticketRef.current;
    if (!current) return;
    const payload = event.payload as { intoId?: unknown } | null;
    const about = eventTicketId(event);
    // A ticket merged into this one brings its messages along.
    if (event.type === 'ticket.merged' && payload?.intoId === current.id) return schedule({ ticket: true, messages: true });
    if (about !== current.id) return;
    schedule({ ticket: true, messages: event.type.startsWith('message.') });
  }, [schedule]);

  const reload = useCallback(() => {
    if (ticketRef.current) schedule({ ticket: true, messages: true });
    else setAttempt((n) => n + 1);
  }, [schedule]);

  return { phase, error, ticket, messages, revision, setTicket, addMessage, reload, onEvent };
}
