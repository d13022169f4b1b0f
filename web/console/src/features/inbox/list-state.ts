/**
 * The inbox list as a reducer: pages loaded with keyset cursors, live refreshes merged in without
 * losing the agent's place (the focused row, the selection), and tickets patched from events.
 */
import type { ErrorKey } from '../../api/error-key.js';
import type { InboxFilters, Ticket } from './tickets-api.js';

export interface ListState {
  filters: InboxFilters;
  tickets: Ticket[];
  nextCursor: string | null;
  phase: 'loading' | 'ready' | 'error';
  loadingMore: boolean;
  error: ErrorKey | null;
  /** Arrived with a live refresh since the list was loaded: highlighted until the next load. */
  fresh: string[];
  selected: string[];
  /** The keyboard's row (j/k), also the one the conversation's "next ticket" moves from. */
  activeId: string | null;
}

export type ListAction =
  | { type: 'filters'; filters: InboxFilters }
  | { type: 'loaded'; tickets: Ticket[]; nextCursor: string | null }
  | { type: 'failed'; error: ErrorKey }
  | { type: 'loadingMore' }
  | { type: 'moreLoaded'; tickets: Ticket[]; nextCursor: string | null }
  | { type: 'moreFailed'; error: ErrorKey }
  | { type: 'refreshed'; tickets: Ticket[]; nextCursor: string | null }
  | { type: 'patch'; ticket: Partial<Ticket> & { id: string } }
  | { type: 'select'; id: string; selected: boolean }
  | { type: 'selectAll'; selected: boolean }
  | { type: 'clearSelection' }
  | { type: 'activate'; id: string | null }
  | { type: 'move'; by: 1 | -1 };

export function initialListState(filters: InboxFilters): ListState {
  return { filters, tickets: [], nextCursor: null, phase: 'loading', loadingMore: false, error: null, fresh: [], selected: [], activeId: null };
}

export function listReducer(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case 'filters':
      return { ...initialListState(action.filters) };
    case 'loaded':
      return {
        ...state,
        tickets: action.tickets,
        nextCursor: action.nextCursor,
        phase: 'ready',
        error: null,
        fresh: [],
        selected: state.selected.filter((id) => action.tickets.some((t) => t.id === id)),
        activeId: keepActive(state.activeId, state.tickets, action.tickets),
      };
    case 'failed':
      return { ...state, phase: 'error', error: action.error, loadingMore: false };
    case 'loadingMore':
      return { ...state, loadingMore: true, error: null };
    case 'moreLoaded': {
      const known = new Set(state.tickets.map((t) => t.id));
      return {
        ...state,
        tickets: [...state.tickets, ...action.tickets.filter((t) => !known.has(t.id))],
        nextCursor: action.nextCursor,
        loadingMore: false,
      };
    }
    case 'moreFailed':
      return { ...state, loadingMore: false, error: action.error };
    case 'refreshed': {
      if (state.phase !== 'ready') return state;
      const before = new Set(state.tickets.map((t) => t.id));
      const arrived = action.tickets.filter((t) => !before.has(t.id)).map((t) => t.id);
      // A refresh re-reads the window the agent had loaded; pages beyond it come back with "load more".
      return {
        ...state,
        tickets: action.tickets,
        nextCursor: action.nextCursor,
        fresh: [...new Set([...state.fresh.filter((id) => action.tickets.some((t) => t.id === id)), ...arrived])],
        selected: state.selected.filter((id) => action.tickets.some((t) => t.id === id)),
        activeId: keepActive(state.activeId, state.tickets, action.tickets),
      };
    }
    case 'patch':
      return {
        ...state,
        tickets: state.tickets.map((t) => (t.id === action.ticket.id ? { ...t, ...action.ticket } : t)),
      };
    case 'select': {
      const rest = state.selected.filter((id) => id !== action.id);
      return { ...state, selected: action.selected ? [...rest, action.id] : rest };
    }
    case 'selectAll':
      return { ...state, selected: action.selected ? state.tickets.map((t) => t.id) : [] };
    case 'clearSelection':
      return { ...state, selected: [] };
    case 'activate':
      return { ...state, activeId: action.id };
    case 'move': {
      if (!state.tickets.length) return state;
      const index = state.tickets.findIndex((t) => t.id === state.activeId);
      const next = index === -1 ? (action.by === 1 ? 0 : state.tickets.length - 1) : Math.min(state.tickets.length - 1, Math.max(0, index + action.by));
      return { ...state, activeId: state.tickets[next]!.id };
    }
  }
}

/** The focused row survives a reload; if its ticket left the list, focus stays at the same position. */
function keepActive(activeId: string | null, before: Ticket[], after: Ticket[]): string | null {
  if (!activeId) return null;
  if (after.some((t) => t.id === activeId)) return activeId;
  const index = before.findIndex((t) => t.id === activeId);
  if (index === -1 || !after.length) return null;
  return after[Math.min(index, after.length - 1)]!.id;
}

/** The ticket after or before `id` in the list (the conversation's j/k). */
export function neighbour(tickets: readonly Ticket[], id: string, by: 1 | -1): Ticket | null {
  const index = tickets.findIndex((t) => t.id === id);
  if (index === -1) return null;
  return tickets[index + by] ?? null;
}
