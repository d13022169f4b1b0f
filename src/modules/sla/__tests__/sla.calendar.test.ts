import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes, businessMinutesBetween, calendarProblems, compileCalendar, defaultCalendarDocument, type CalendarDocument, type Weekday,
} from '../sla.calendar.js';

const nineToSix = [{ start: '09:00', end: '18:00' }];
const weekdays = (hours: { start: string; end: string }[]): Record<Weekday, { start: string; end: string }[]> =>
  ({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] });
const everyDay = (hours: { start: string; end: string }[]): Record<Weekday, { start: string; end: string }[]> =>
  ({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours });

function calendar(overrides: Partial<CalendarDocument> = {}) {
  return compileCalendar({ timeZone: 'Asia/Shanghai', weeklyHours: weekdays(nineToSix), holidays: [], workdays: [], ...overrides });
}

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;

describe('adding business minutes (Asia/Shanghai, Mon–Fri 09:00–18:00)', () => {
  const cal = calendar();

  it('carries what is left of Friday evening over the weekend to Monday morning', () => {
    // Friday 27 Nov 2026 17:30 in Shanghai is 09:30 UTC; Monday 09:30 is 01:30 UTC.
    expect(iso(addBusinessMinutes(cal, at('2026-11-27T17:30:00+08:00'), 60))).toBe('2026-11-30T01:30:00.000Z');
  });

  it('carries over a night to the next working morning', () => {
    expect(iso(addBusinessMinutes(cal, at('2026-11-24T17:00:00+08:00'), 120))).toBe(iso(at('2026-11-25T10:00:00+08:00')));
  });

  it('starts counting at opening time when created before it, or at the weekend', () => {
    expect(iso(addBusinessMinutes(cal, at('2026-11-23T07:00:00+08:00'), 30))).toBe(iso(at('2026-11-23T09:30:00+08:00')));
    expect(iso(addBusinessMinutes(cal, at('2026-11-28T12:00:00+08:00'), 30))).toBe(iso(at('2026-11-30T09:30:00+08:00')));
  });

  it('ends at closing time when the last minute of the day is used, not the next morning', () => {
    expect(iso(addBusinessMinutes(cal, at('2026-11-23T17:00:00+08:00'), 60))).toBe(iso(at('2026-11-23T18:00:00+08:00')));
  });

  it('spans several days for long targets', () => {
    // 2 days and 1 hour of 9-hour days from Monday 09:00: Wednesday 10:00.
    expect(iso(addBusinessMinutes(cal, at('2026-11-23T09:00:00+08:00'), 2 * 540 + 60))).toBe(iso(at('2026-11-25T10:00:00+08:00')));
  });
});

describe('holidays and make-up working days', () => {
  it('skips a holiday: Friday 17:30 + 60 min is Tuesday 09:30 when Monday is off', () => {
    const cal = calendar({ holidays: [{ date: '2026-11-30', name: 'Company day' }] });
    expect(iso(addBusinessMinutes(cal, at('2026-11-27T17:30:00+08:00'), 60))).toBe(iso(at('2026-12-01T09:30:00+08:00')));
  });

  it('skips a whole holiday week (National Day) and works the make-up Saturday after it', () => {
    const cal = calendar({
      holidays: ['01', '02', '05', '06', '07'].map((d) => ({ date: `2026-10-${d}`, name: '国庆节' })),
      workdays: [{ date: '2026-10-10', name: '调休' }],
    });
    // Wednesday 30 Sep 17:00 + 2 h: one hour that evening, then nothing until Thursday 8 Oct 09:00.
    expect(iso(addBusinessMinutes(cal, at('2026-09-30T17:00:00+08:00'), 120))).toBe(iso(at('2026-10-08T10:00:00+08:00')));
    // Friday 9 Oct 17:30 + 60: Saturday 10 Oct is a working day with the usual hours.
    expect(iso(addBusinessMinutes(cal, at('2026-10-09T17:30:00+08:00'), 60))).toBe(iso(at('2026-10-10T09:30:00+08:00')));
  });

  it('works a make-up day with its own hours when given', () => {
    const cal = calendar({ workdays: [{ date: '2026-11-28', hours: [{ start: '10:00', end: '12:00' }] }] });
    expect(iso(addBusinessMinutes(cal, at('2026-11-27T17:30:00+08:00'), 60))).toBe(iso(at('2026-11-28T10:30:00+08:00')));
    expect(iso(addBusinessMinutes(cal, at('2026-11-27T17:30:00+08:00'), 180))).toBe(iso(at('2026-11-30T09:30:00+08:00')));
  });
});

describe('time zones', () => {
  it('reads the same instant in the calendar\'s own zone: Shanghai vs UTC', () => {
    const friday = at('2026-11-27T09:30:00Z'); // 17:30 in Shanghai, 09:30 in London
    expect(iso(addBusinessMinutes(calendar({ timeZone: 'Asia/Shanghai' }), friday, 60))).toBe('2026-11-30T01:30:00.000Z');
    expect(iso(addBusinessMinutes(calendar({ timeZone: 'UTC' }), friday, 60))).toBe('2026-11-27T10:30:00.000Z');
  });

  it('keeps opening hours on the wall clock across the spring DST change (Europe/Berlin)', () => {
    const cal = calendar({ timeZone: 'Europe/Berlin' });
    // Friday 27 March 2026 17:00 CET (UTC+1) + 2 h: 1 h on Friday, then Monday 30 March 09:00 CEST (UTC+2) + 1 h.
    expect(iso(addBusinessMinutes(cal, at('2026-03-27T16:00:00Z'), 120))).toBe('2026-03-30T08:00:00.000Z');
  });

  it('counts the hours that really pass on DST days', () => {
    const nights = calendar({ timeZone: 'Europe/Berlin', weeklyHours: everyDay([{ start: '00:00', end: '06:00' }]) });
    // Sunday 29 March 2026 00:00–06:00 lasts 5 hours (02:00 → 03:00); Sunday 25 October lasts 7.
    expect(businessMinutesBetween(nights, at('2026-03-28T23:00:00Z'), at('2026-03-29T06:00:00Z'))).toBe(300);
    expect(businessMinutesBetween(nights, at('2026-10-24T22:00:00Z'), at('2026-10-25T06:00:00Z'))).toBe(420);
    const allDay = calendar({ timeZone: 'Europe/Berlin', weeklyHours: everyDay([{ start: '00:00', end: '24:00' }]) });
    // Around the clock, business time is real time: 3 h after Saturday 23:00 CET is 03:00 UTC.
    expect(iso(addBusinessMinutes(allDay, at('2026-03-28T22:00:00Z'), 180))).toBe('2026-03-29T01:00:00.000Z');
  });
});

describe('days remembered between lookups', () => {
  // Each compiled calendar keeps the local days it walked; answers must not depend on what was
  // asked before. Two calendars with the same hours (one has a holiday far away, so it is another
  // compiled calendar) are asked the same questions in opposite orders, across DST changes:
  // Santiago skips midnight, Lord Howe moves by 30 minutes.
  for (const timeZone of ['America/Santiago', 'Australia/Lord_Howe', 'Europe/Berlin']) {
    it(`answers the same whatever was asked before (${timeZone})`, () => {
      const hours = everyDay([{ start: '00:00', end: '03:00' }, { start: '09:00', end: '18:00' }, { start: '23:30', end: '24:00' }]);
      const forwards = calendar({ timeZone, weeklyHours: hours });
      const backwards = calendar({ timeZone, weeklyHours: hours, holidays: [{ date: '2099-01-01', name: 'far away' }] });
      const instants = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 22 * 3_600_000 + (i % 7) * 900_000));
      const ask = (cal: ReturnType<typeof calendar>, from: Date) => [iso(addBusinessMinutes(cal, from, 600)), businessMinutesBetween(cal, from, new Date(from.getTime() + 3 * 86_400_000))];
      const first = instants.map((from) => ask(forwards, from));
      const second = [...instants].reverse().map((from) => ask(backwards, from)).reverse();
      expect(second).toEqual(first);
      // And each deadline is exactly the minutes asked for away from its start.
      instants.forEach((from, i) => expect(businessMinutesBetween(forwards, from, new Date(first[i]![0] as string))).toBe(600));
    });
  }
});

describe('several intervals a day', () => {
  const cal = calendar({ weeklyHours: weekdays([{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }]) });

  it('skips the lunch break', () => {
    expect(iso(addBusinessMinutes(cal, at('2026-11-23T11:30:00+08:00'), 60))).toBe(iso(at('2026-11-23T14:00:00+08:00')));
    expect(iso(addBusinessMinutes(cal, at('2026-11-23T12:15:00+08:00'), 30))).toBe(iso(at('2026-11-23T14:00:00+08:00')));
  });

  it('counts only working time between two instants', () => {
    expect(businessMinutesBetween(cal, at('2026-11-23T11:00:00+08:00'), at('2026-11-23T14:00:00+08:00'))).toBe(90);
  });
});

describe('business minutes between two instants', () => {
  const cal = calendar({ holidays: [{ date: '2026-11-30' }] });

  it('counts Friday evening and Tuesday morning, not the weekend or the holiday', () => {
    expect(businessMinutesBetween(cal, at('2026-11-27T17:00:00+08:00'), at('2026-12-01T10:00:00+08:00'))).toBe(120);
  });

  it('is zero backwards and within closed hours', () => {
    expect(businessMinutesBetween(cal, at('2026-12-01T10:00:00+08:00'), at('2026-11-27T17:00:00+08:00'))).toBe(0);
    expect(businessMinutesBetween(cal, at('2026-11-28T10:00:00+08:00'), at('2026-11-29T20:00:00+08:00'))).toBe(0);
  });

  it('is the inverse of adding', () => {
    const start = at('2026-11-26T16:20:00+08:00');
    for (const minutes of [1, 59, 100, 540, 1234]) {
      expect(businessMinutesBetween(cal, start, addBusinessMinutes(cal, start, minutes)!)).toBe(minutes);
    }
  });
});

describe('pauses (excluded spans)', () => {
  const cal = calendar();

  it('does not count paused business time', () => {
    const pause = [Date.parse('2026-11-27T17:15:00+08:00'), Date.parse('2026-11-27T17:45:00+08:00')] as const;
    // 15 min before the pause and 15 after it on Friday; the other 30 on Monday.
    expect(iso(addBusinessMinutes(cal, at('2026-11-27T17:00:00+08:00'), 60, [pause]))).toBe(iso(at('2026-11-30T09:30:00+08:00')));
    expect(businessMinutesBetween(cal, at('2026-11-27T17:00:00+08:00'), at('2026-11-27T18:00:00+08:00'), [pause])).toBe(30);
  });

  it('has no deadline inside an open-ended pause', () => {
    const open = [Date.parse('2026-11-27T17:15:00+08:00'), Infinity] as const;
    expect(addBusinessMinutes(cal, at('2026-11-27T17:00:00+08:00'), 60, [open])).toBeNull();
    expect(iso(addBusinessMinutes(cal, at('2026-11-27T17:00:00+08:00'), 10, [open]))).toBe(iso(at('2026-11-27T17:10:00+08:00')));
  });
});

describe('calendar validation', () => {
  const base = defaultCalendarDocument('Asia/Shanghai');

  it('accepts the default calendar', () => {
    expect(calendarProblems(base)).toEqual([]);
  });

  it('refuses overlapping intervals, bad times, backwards intervals and unknown zones, listing each', () => {
    const problems = calendarProblems({
      ...base,
      timeZone: 'Mars/Olympus',
      weeklyHours: { ...base.weeklyHours, mon: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '18:00' }], tue: [{ start: '25:00', end: '26:00' }], wed: [{ start: '18:00', end: '09:00' }] },
    });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/timeZone[\s\S]*overlap[\s\S]*tue[\s\S]*wed/);
  });

  it('refuses a calendar without any working hours, repeated dates and a date both holiday and workday', () => {
    const none = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    expect(calendarProblems({ ...base, weeklyHours: none })).toHaveLength(1);
    expect(calendarProblems({ ...base, holidays: [{ date: '2026-10-01' }, { date: '2026-10-01' }], workdays: [{ date: '2026-10-01' }, { date: '2026-02-30' }] }))
      .toHaveLength(3);
  });

  it('throws SLA_CALENDAR_INVALID with the problems as details', () => {
    expect(() => compileCalendar({ ...base, weeklyHours: { ...base.weeklyHours, mon: [{ start: '9am', end: '18:00' }] } }))
      .toThrow(expect.objectContaining({ code: 'SLA_CALENDAR_INVALID', details: { problems: [expect.stringContaining('9am')] } }));
  });
});
