/** Small, pure formatting helpers for the inbox: times, deadlines, sizes, names. */
import type { Ticket } from './tickets-api.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "5 min ago", "in 2 hr", "3 天前": the largest unit that fits, in the UI language. */
export function relativeTime(iso: string, now: number, locale: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const diff = at - now;
  const abs = Math.abs(diff);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (abs < MINUTE) return format.format(0, 'minute');
  if (abs < HOUR) return format.format(Math.round(diff / MINUTE), 'minute');
  if (abs < DAY) return format.format(Math.round(diff / HOUR), 'hour');
  if (abs < 30 * DAY) return format.format(Math.round(diff / DAY), 'day');
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(at);
}

/** Full date and time, for tooltips and the thread. */
export function dateTime(iso: string, locale: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

export function date(iso: string, locale: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(at);
}

export interface Due {
  kind: 'firstResponse' | 'nextResponse' | 'resolution';
  at: string;
  /** overdue: past; soon: within the hour (the "breaching soon" view's window); later otherwise. */
  state: 'overdue' | 'soon' | 'later';
}

const SOON_MS = HOUR;

/** The next SLA deadline still running on a ticket, if any: solved and waiting-on-customer tickets have none. */
export function nextDue(ticket: Pick<Ticket, 'status' | 'firstResponseAt' | 'firstResponseDueAt' | 'nextResponseDueAt' | 'resolutionDueAt'>, now: number): Due | null {
  if (ticket.status === 'solved' || ticket.status === 'closed' || ticket.status === 'pending') return null;
  const candidates: Due[] = [];
  const add = (kind: Due['kind'], at: string | null) => {
    if (at && !Number.isNaN(Date.parse(at))) candidates.push({ kind, at, state: 'later' });
  };
  if (!ticket.firstResponseAt) add('firstResponse', ticket.firstResponseDueAt);
  add('nextResponse', ticket.nextResponseDueAt);
  add('resolution', ticket.resolutionDueAt);
  if (!candidates.length) return null;
  const first = candidates.reduce((a, b) => (Date.parse(b.at) < Date.parse(a.at) ? b : a));
  const left = Date.parse(first.at) - now;
  return { ...first, state: left < 0 ? 'overdue' : left < SOON_MS ? 'soon' : 'later' };
}

export function fileSize(bytes: number, locale: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit ? 1 : 0 }).format(value);
}

/** "Ada Lovelace" → "AL"; "王小明" → "王". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  // "王磊 Wang Lei": the Chinese name comes first and stands on its own.
  const first = Array.from(words[0] ?? '');
  if (words.length === 1 || /\p{Script=Han}/u.test(first[0] ?? '')) return first[0]?.toUpperCase() ?? '?';
  return words.slice(0, 2).map((word) => Array.from(word)[0]?.toUpperCase() ?? '').join('');
}

/** The department's name in the UI language, else English, else its key. */
export function localName(names: Record<string, string>, locale: string, fallback: string): string {
  return names[locale] ?? names.en ?? Object.values(names)[0] ?? fallback;
}

/** Only same-origin API paths become links; anything else the server might send is not followed. */
export function safeApiHref(url: string): string | null {
  return /^\/api\/v1\/[\w./-]+$/.test(url) && !url.includes('..') ? url : null;
}
