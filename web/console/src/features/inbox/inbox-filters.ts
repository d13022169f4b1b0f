/**
 * The inbox's filters as data: the built-in views in the left column, the address bar form
 * (`/agent/inbox?view=mine&status=open`, so a list can be reloaded or shared), and comparisons.
 */
import {
  DEFAULT_FILTERS, SORTS, STATUSES, UNSOLVED, URGENCIES, VIEWS,
  type InboxFilters, type InboxSort, type InboxView, type TicketStatus, type Urgency,
} from './tickets-api.js';

export type PresetKey = 'mine' | 'unassigned' | 'team' | 'all' | 'breaching' | 'spam';

export interface Preset {
  key: PresetKey;
  filters: InboxFilters;
}

const base = (view: InboxView, status: readonly TicketStatus[] = UNSOLVED): InboxFilters => ({
  ...DEFAULT_FILTERS, view, status: [...status],
});

/** The left column's fixed views. "All" means every status; the rest are about open work. */
export const PRESETS: readonly Preset[] = [
  { key: 'mine', filters: base('mine') },
  { key: 'unassigned', filters: base('unassigned') },
  { key: 'team', filters: base('team') },
  { key: 'all', filters: base('all', []) },
  { key: 'breaching', filters: { ...base('breaching', []), sort: 'due' } },
  // Triage parks spam closed with the tag `spam`; "Not spam" on the ticket takes it out.
  { key: 'spam', filters: { ...base('all', []), tag: 'spam' } },
];

/** "By urgency": unsolved tickets of one level, most urgent first in the column. */
export function urgencyPreset(urgency: Urgency): InboxFilters {
  return { ...base('all'), urgency: [urgency] };
}

export function sameFilters(a: InboxFilters, b: InboxFilters): boolean {
  const set = <T>(list: readonly T[]) => [...list].map(String).sort().join(',');
  return (
    a.view === b.view &&
    a.sort === b.sort &&
    set(a.status) === set(b.status) &&
    set(a.urgency) === set(b.urgency) &&
    set(a.departmentId) === set(b.departmentId) &&
    a.tag.trim().toLowerCase() === b.tag.trim().toLowerCase() &&
    a.q.trim() === b.q.trim()
  );
}

/** `?view=mine&status=new,open…`; the default filters give an empty string. */
export function filtersToSearch(filters: InboxFilters): string {
  if (sameFilters(filters, DEFAULT_FILTERS)) return '';
  const params = new URLSearchParams({ view: filters.view });
  // "status=" (empty) means "any status", which differs from leaving it out (the default: unsolved).
  params.set('status', filters.status.join(','));
  if (filters.urgency.length) params.set('urgency', filters.urgency.join(','));
  if (filters.departmentId.length) params.set('department', filters.departmentId.join(','));
  if (filters.tag.trim()) params.set('tag', filters.tag.trim());
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.sort !== 'updated') params.set('sort', filters.sort);
  return `?${params.toString()}`;
}

/** Reads the address bar; anything unknown is dropped rather than sent to the server. */
export function filtersFromSearch(search: string): InboxFilters {
  const params = new URLSearchParams(search);
  if (!params.has('view')) return { ...DEFAULT_FILTERS, status: [...DEFAULT_FILTERS.status] };
  const list = (key: string) => (params.get(key) ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  const view = params.get('view');
  const sort = params.get('sort');
  const status = params.has('status') ? list('status').filter((s): s is TicketStatus => (STATUSES as readonly string[]).includes(s)) : [...UNSOLVED];
  return {
    view: (VIEWS as readonly (string | null)[]).includes(view) ? (view as InboxView) : 'mine',
    status,
    urgency: list('urgency').map(Number).filter((u): u is Urgency => (URGENCIES as readonly number[]).includes(u)),
    departmentId: list('department').filter((id) => /^[0-9a-f-]{36}$/i.test(id)),
    tag: (params.get('tag') ?? '').slice(0, 40),
    q: (params.get('q') ?? '').slice(0, 200),
    sort: (SORTS as readonly (string | null)[]).includes(sort) ? (sort as InboxSort) : 'updated',
  };
}

/** `/inbox` → null (the list); `/inbox/42` → 42 (ticket #42); anything else below /inbox → 'invalid'. */
export function ticketNumberOf(path: string): number | null | 'invalid' {
  if (path === '/inbox') return null;
  const match = /^\/inbox\/(\d{1,10})$/.exec(path);
  const number = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(number) && number > 0 ? number : 'invalid';
}

/** The status filter as the filter bar's single choice: any, unsolved, one status, or a custom set. */
export type StatusChoice = 'any' | 'unsolved' | TicketStatus | 'custom';

export function statusChoice(status: readonly TicketStatus[]): StatusChoice {
  if (status.length === 0) return 'any';
  if (status.length === 1) return status[0]!;
  const sorted = (list: readonly string[]) => [...list].sort().join(',');
  return sorted(status) === sorted(UNSOLVED) ? 'unsolved' : 'custom';
}

export function statusesFor(choice: StatusChoice, current: readonly TicketStatus[]): TicketStatus[] {
  if (choice === 'any') return [];
  if (choice === 'unsolved') return [...UNSOLVED];
  if (choice === 'custom') return [...current];
  return [choice];
}
