import { DateTime, IANAZone } from 'luxon';
import { slaErrors } from './sla.errors.js';
import { WEEKDAYS, type Weekday } from '../../contracts/sla.js';

/**
 * Business-time math, pure: no database, no clock. A calendar says, for each local date in its time
 * zone, which wall-clock intervals are working time; business time is real elapsed time inside
 * those intervals. So an interval that spans a DST change counts the hours that really pass
 * (00:00–06:00 on Berlin's spring-forward Sunday is 5 hours), and "09:00" is always 09:00 on the
 * wall, whatever the UTC offset that day.
 */

export type { Weekday };

/** Minutes after local midnight, [start, end); end may be 1440 (24:00). */
export interface DayInterval {
  start: number;
  end: number;
}

export interface BusinessCalendar {
  timeZone: string;
  weekly: Readonly<Record<Weekday, readonly DayInterval[]>>;
  /** Local dates (yyyy-mm-dd) with no working time at all. */
  holidays: ReadonlySet<string>;
  /** Make-up working days (调休): local dates worked with these hours whatever their weekday. */
  workdays: ReadonlyMap<string, readonly DayInterval[]>;
}

/** The calendar as admins write it (API and database): times as "HH:MM", dates as "yyyy-mm-dd". */
export interface CalendarDocument {
  timeZone: string;
  weeklyHours: Record<Weekday, { start: string; end: string }[]>;
  holidays: { date: string; name?: string }[];
  workdays: { date: string; name?: string; hours?: { start: string; end: string }[] }[];
}

/** An instant span [start, end) in epoch milliseconds; end may be Infinity (an open pause). */
export type Span = readonly [number, number];

const MINUTE = 60_000;
/** How far ahead a deadline is looked for before giving up (a calendar with almost no working time). */
const HORIZON_DAYS = 3 * 366;
const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function parseTime(value: string): number | undefined {
  const m = TIME.exec(value);
  if (!m) return undefined;
  return m[3] ? 1440 : Number(m[1]) * 60 + Number(m[2]);
}

function isDate(value: string): boolean {
  return DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** Checks one day's intervals: well-formed, start before end, no overlaps. Returns them sorted. */
function parseDay(intervals: { start: string; end: string }[], where: string, problems: string[]): DayInterval[] {
  const parsed: DayInterval[] = [];
  intervals.forEach((interval, i) => {
    const start = parseTime(interval.start);
    const end = parseTime(interval.end);
    if (start === undefined || start === 1440) problems.push(`${where}[${i}].start: "${interval.start}" is not a time from 00:00 to 23:59`);
    if (end === undefined) problems.push(`${where}[${i}].end: "${interval.end}" is not a time from 00:00 to 24:00`);
    if (start === undefined || end === undefined || start === 1440) return;
    if (end <= start) problems.push(`${where}[${i}]: ${interval.start}–${interval.end} ends before it starts (split a night shift over two days)`);
    else parsed.push({ start, end });
  });
  parsed.sort((a, b) => a.start - b.start);
  for (let i = 1; i < parsed.length; i++) {
    if (parsed[i]!.start < parsed[i - 1]!.end) problems.push(`${where}: intervals overlap`);
  }
  return parsed;
}

/** Every problem with a calendar document, as readable strings; empty when it is usable. */
export function calendarProblems(doc: CalendarDocument): string[] {
  return compile(doc).problems;
}

/** The calendar the math runs on; SLA_CALENDAR_INVALID (with every problem listed) when it is not usable. */
/**
 * Compiled calendars by their document: every ticket change recomputes its deadlines, and time-zone
 * arithmetic is most of that work, so a workspace's calendar (and its days' spans) is compiled once.
 */
const compiled = new Map<string, BusinessCalendar>();
const COMPILED_KEPT = 100;
/**
 * A local date of a compiled calendar: its working spans and where it and the next date start.
 * Kept per calendar (they never change: a calendar is immutable), so walking from one day to the
 * next costs no time-zone arithmetic once a day has been seen: the zone's offset lookups were the
 * largest item of a new ticket's CPU (issue 15).
 */
interface LocalDay {
  start: number;
  next: number;
  spans: readonly Span[];
  date: DateTime;
}
interface KnownDays {
  byStart: Map<number, LocalDay>;
  /** The day last looked up by an instant: most lookups are of "now", again and again. */
  last?: LocalDay;
}
const daysByCalendar = new WeakMap<BusinessCalendar, KnownDays>();
const DAYS_KEPT = 400;

export function compileCalendar(doc: CalendarDocument): BusinessCalendar {
  const key = JSON.stringify(doc);
  const known = compiled.get(key);
  if (known) return known;
  const { calendar, problems } = compile(doc);
  if (problems.length) throw slaErrors.slaCalendarInvalid('The business-hours calendar is not valid', { problems });
  if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, calendar);
  return calendar;
}

function compile(doc: CalendarDocument): { calendar: BusinessCalendar; problems: string[] } {
  const problems: string[] = [];
  if (!isTimeZone(doc.timeZone)) problems.push(`timeZone: "${doc.timeZone}" is not an IANA time zone such as Asia/Shanghai`);
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, parseDay(doc.weeklyHours[d] ?? [], `weeklyHours.${d}`, problems)])) as Record<Weekday, DayInterval[]>;
  if (WEEKDAYS.every((d) => weekly[d].length === 0)) problems.push('weeklyHours: a calendar needs working hours on at least one weekday');
  const standardDay = WEEKDAYS.map((d) => weekly[d]).find((hours) => hours.length > 0) ?? [];

  const holidays = new Set<string>();
  doc.holidays.forEach((h, i) => {
    if (!isDate(h.date)) problems.push(`holidays[${i}].date: "${h.date}" is not a date (yyyy-mm-dd)`);
    else if (holidays.has(h.date)) problems.push(`holidays[${i}].date: ${h.date} is listed twice`);
    holidays.add(h.date);
  });
  const workdays = new Map<string, DayInterval[]>();
  doc.workdays.forEach((w, i) => {
    if (!isDate(w.date)) problems.push(`workdays[${i}].date: "${w.date}" is not a date (yyyy-mm-dd)`);
    else if (workdays.has(w.date)) problems.push(`workdays[${i}].date: ${w.date} is listed twice`);
    else if (holidays.has(w.date)) problems.push(`workdays[${i}].date: ${w.date} is also a holiday`);
    const hours = w.hours ? parseDay(w.hours, `workdays[${i}].hours`, problems) : standardDay;
    if (w.hours && hours.length === 0) problems.push(`workdays[${i}].hours: a make-up working day needs hours`);
    workdays.set(w.date, hours);
  });
  return { calendar: { timeZone: doc.timeZone, weekly, holidays, workdays }, problems };
}

/** The instant of a wall-clock time on a local date; a time skipped by DST moves forward past the gap. */
function wallTime(day: DateTime, minutes: number): number {
  if (minutes === 1440) return day.plus({ days: 1 }).startOf('day').toMillis();
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, { zone: day.zone }).toMillis();
}

function knownDays(calendar: BusinessCalendar): KnownDays {
  let days = daysByCalendar.get(calendar);
  if (!days) daysByCalendar.set(calendar, days = { byStart: new Map() });
  return days;
}

/** The local date that starts at `date` (a start of day in the calendar's zone). */
function localDay(calendar: BusinessCalendar, date: DateTime): LocalDay {
  const days = knownDays(calendar);
  const start = date.toMillis();
  let day = days.byStart.get(start);
  if (!day) {
    if (days.byStart.size >= DAYS_KEPT) days.byStart.delete(days.byStart.keys().next().value!);
    day = { start, next: date.plus({ days: 1 }).startOf('day').toMillis(), spans: spansOf(calendar, date), date };
    days.byStart.set(start, day);
  }
  return day;
}

/** The local date that contains the instant `ms`. */
function dayContaining(calendar: BusinessCalendar, ms: number): LocalDay {
  const days = knownDays(calendar);
  if (days.last && ms >= days.last.start && ms < days.last.next) return days.last;
  return days.last = localDay(calendar, DateTime.fromMillis(ms, { zone: calendar.timeZone }).startOf('day'));
}

function dayAfter(calendar: BusinessCalendar, day: LocalDay): LocalDay {
  return knownDays(calendar).byStart.get(day.next) ?? localDay(calendar, day.date.plus({ days: 1 }).startOf('day'));
}

/** The working intervals of one local date, as instants. */
function spansOf(calendar: BusinessCalendar, date: DateTime): Span[] {
  const key = date.toISODate()!;
  const intervals = calendar.holidays.has(key) ? [] : calendar.workdays.get(key) ?? calendar.weekly[WEEKDAYS[date.weekday - 1]!];
  const spans: Span[] = [];
  for (const interval of intervals) {
    const start = wallTime(date, interval.start);
    const end = wallTime(date, interval.end);
    if (end > start) spans.push([start, end]);
  }
  return spans;
}

/** Working spans in time order, from the local day that contains `fromMs`, for at most `days` days. */
function* workingSpans(calendar: BusinessCalendar, fromMs: number, days = HORIZON_DAYS): Generator<Span> {
  let day = dayContaining(calendar, fromMs);
  for (let i = 0; i < days; i++) {
    yield* day.spans;
    day = dayAfter(calendar, day);
  }
}

/** Sorted, merged, non-empty spans. */
export function normalizeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** The parts of `span` not covered by `exclusions` (normalised). */
function subtract(span: Span, exclusions: readonly Span[]): Span[] {
  let parts: Span[] = [span];
  for (const [xs, xe] of exclusions) {
    if (xe <= span[0]) continue;
    if (xs >= span[1]) break;
    parts = parts.flatMap(([s, e]): Span[] => {
      if (xe <= s || xs >= e) return [[s, e]];
      const left: Span[] = xs > s ? [[s, xs]] : [];
      const right: Span[] = xe < e ? [[xe, e]] : [];
      return [...left, ...right];
    });
  }
  return parts;
}

/**
 * The instant when `ms` of business time has passed since `from`, not counting `exclusions`
 * (pauses). Null when that never happens within the horizon, e.g. inside an open-ended pause.
 * Using up the last minute of a day ends the day: 60 minutes from 17:00 with hours to 18:00 is 18:00.
 */
export function addBusinessTime(calendar: BusinessCalendar, from: Date, ms: number, exclusions: readonly Span[] = []): Date | null {
  const fromMs = from.getTime();
  if (ms <= 0) return new Date(fromMs);
  const excluded = normalizeSpans(exclusions);
  const openFrom = excluded.find(([, e]) => e === Infinity)?.[0] ?? Infinity;
  let remaining = ms;
  for (const span of workingSpans(calendar, fromMs)) {
    if (span[0] >= openFrom) return null;
    for (const [partStart, end] of subtract(span, excluded)) {
      const start = Math.max(partStart, fromMs);
      if (end <= start) continue;
      if (remaining <= end - start) return new Date(start + remaining);
      remaining -= end - start;
    }
  }
  return null;
}

/** Business time (ms) between two instants, not counting `exclusions`; 0 when `to` is not after `from`. */
export function businessTimeBetween(calendar: BusinessCalendar, from: Date, to: Date, exclusions: readonly Span[] = []): number {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  if (toMs <= fromMs) return 0;
  const excluded = normalizeSpans(exclusions);
  const days = Math.ceil((toMs - fromMs) / 86_400_000) + 2;
  let total = 0;
  for (const span of workingSpans(calendar, fromMs, days)) {
    if (span[0] >= toMs) break;
    for (const [partStart, partEnd] of subtract(span, excluded)) {
      const start = Math.max(partStart, fromMs);
      const end = Math.min(partEnd, toMs);
      if (end > start) total += end - start;
    }
  }
  return total;
}

export const addBusinessMinutes = (calendar: BusinessCalendar, from: Date, minutes: number, exclusions: readonly Span[] = []) =>
  addBusinessTime(calendar, from, minutes * MINUTE, exclusions);

export const businessMinutesBetween = (calendar: BusinessCalendar, from: Date, to: Date, exclusions: readonly Span[] = []) =>
  businessTimeBetween(calendar, from, to, exclusions) / MINUTE;

/** Mon–Fri 09:00–18:00 in the given zone, no holidays: what every new workspace starts with. */
export function defaultCalendarDocument(timeZone: string): CalendarDocument {
  const day = [{ start: '09:00', end: '18:00' }];
  return {
    timeZone: isTimeZone(timeZone) ? timeZone : 'Asia/Shanghai',
    weeklyHours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
    holidays: [],
    workdays: [],
  };
}
