import { useCallback, useEffect, useReducer, useRef } from 'react';
import { actionErrorKey as errorKey } from '../../api/error-key.js';
import { isRecord } from '../../api/http.js';
import type { PushedEvent } from '../../realtime/realtime.js';
import { initialListState, listReducer, type ListAction, type ListState } from './list-state.js';
import { listTickets, parseTicket, type InboxFilters, type Ticket } from './tickets-api.js';

/** How long a burst of events is collected before the list is read again. */
const REFRESH_DEBOUNCE_MS = 400;
const PAGE = 50;
/** The most a live refresh re-reads at once (the API's page limit). */
const MAX_WINDOW = 200;

export interface InboxList {
  state: ListState;
  dispatch(action: ListAction): void;
  setFilters(filters: InboxFilters): void;
  loadMore(): void;
  /** Re-reads the loaded window now (after the agent's own changes) or soon (after events). */
  refresh(options?: { soon?: boolean }): void;
  /** Feeds a realtime event: patches a listed ticket at once and schedules a refresh. */
  onEvent(event: PushedEvent): void;
}

export function useInboxList(initialFilters: InboxFilters): InboxList {
  const [state, dispatch] = useReducer(listReducer, initialFilters, initialListState);
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  });
  // Each load gets a number; an answer to an older one (filters changed meanwhile) is dropped.
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const mine = ++generation.current;
    listTickets(state.filters, { limit: PAGE }).then(
      (page) => {
        if (generation.current === mine) dispatch({ type: 'loaded', ...page });
      },
      (error: unknown) => {
        if (generation.current === mine) dispatch({ type: 'failed', error: errorKey(error) });
      },
    );
  }, [state.filters]);

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const refreshNow = useCallback(() => {
    const current = latest.current;
    if (current.phase !== 'ready') return;
    const mine = generation.current;
    const limit = Math.min(MAX_WINDOW, Math.max(PAGE, current.tickets.length));
    listTickets(current.filters, { limit }).then(
      (page) => {
        if (generation.current === mine) dispatch({ type: 'refreshed', ...page });
      },
      // A failed background refresh changes nothing; the next event or reconnect tries again.
      () => undefined,
    );
  }, []);

  const refresh = useCallback((options: { soon?: boolean } = {}) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      refreshNow();
    }, options.soon ? REFRESH_DEBOUNCE_MS : 0);
  }, [refreshNow]);

  const setFilters = useCallback((filters: InboxFilters) => dispatch({ type: 'filters', filters }), []);

  const loadMore = useCallback(() => {
    const current = latest.current;
    if (!current.nextCursor || current.loadingMore) return;
    const mine = generation.current;
    dispatch({ type: 'loadingMore' });
    listTickets(current.filters, { cursor: current.nextCursor, limit: PAGE }).then(
      (page) => {
        if (generation.current === mine) dispatch({ type: 'moreLoaded', ...page });
      },
      (error: unknown) => {
        if (generation.current === mine) dispatch({ type: 'moreFailed', error: errorKey(error) });
      },
    );
  }, []);

  const onEvent = useCallback((event: PushedEvent) => {
    const ticket = eventTicket(event);
    if (ticket && latest.current.tickets.some((t) => t.id === ticket.id)) dispatch({ type: 'patch', ticket });
    refresh({ soon: true });
  }, [refresh]);

  return { state, dispatch, setFilters, loadMore, refresh, onEvent };
}

/** The ticket fields an event carries (ticket.created / ticket.updated), for an instant patch. */
export function eventTicket(event: PushedEvent): (Partial<Ticket> & { id: string }) | null {
  const payload = isRecord(event.payload) ? event.payload : undefined;
  const ticket = payload && isRecord(payload.ticket) ? payload.ticket : undefined;
  if (!ticket || typeof ticket.id !== 'string') return null;
  try {
    // Events carry the list's fields minus tags and deadlines; keep those from the list.
    const { tags: _tags, firstResponseDueAt: _a, nextResponseDueAt: _b, resolutionDueAt: _c, firstResponseAt: _d, solvedAt: _e, csat: _f, mergedIntoId: _g, ...fields } = parseTicket(ticket);
    return fields;
  } catch {
    return null;
  }
}

/** The ticket an event is about, whatever its shape. */
export function eventTicketId(event: PushedEvent): string | null {
  const payload = isRecord(event.payload) ? event.payload : undefined;
  if (!payload) return null;
  if (isRecord(payload.ticket) && typeof payload.ticket.id === 'string') return payload.ticket.id;
  return typeof payload.ticketId === 'string' ? payload.ticketId : null;
}
