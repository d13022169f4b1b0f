import { z } from 'zod';
import { CLOCK_KINDS, WEEKDAYS } from './enums.js';
import type { Wire } from './http.js';
import { Urgency } from './tickets.js';

/**
 * SLAs on the wire (`/api/v1/sla/…`, `/tickets/:id/sla`): the business-hours calendar, policies, a
 * ticket's clocks and SLA notifications — the bodies the sla module's routes take and the shapes
 * they answer with. The console reads them as `Wire<…>`: times travel as ISO strings.
 */

export { CLOCK_KINDS, WEEKDAYS };
export type Weekday = (typeof WEEKDAYS)[number];
export type ClockKind = (typeof CLOCK_KINDS)[number];

// Times and dates are checked by the calendar itself, so a bad one is SLA_CALENDAR_INVALID with
// every problem listed, not a bare schema error.
const Time = z.string().max(8).describe('HH:MM, 00:00–24:00');
const Interval = z.strictObject({ start: Time, end: Time });
const Day = z.array(Interval).max(12);
const DateText = z.string().max(10).describe('yyyy-mm-dd');

export const CalendarBody = z.strictObject({
  timeZone: z.string().min(1).max(64).describe('IANA time zone, e.g. Asia/Shanghai'),
  weeklyHours: z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, Day.default([])])) as Record<(typeof WEEKDAYS)[number], z.ZodDefault<typeof Day>>),
  holidays: z.array(z.strictObject({ date: DateText, name: z.string().trim().max(80).optional() })).max(500).default([]),
  workdays: z.array(z.strictObject({
    date: DateText, name: z.string().trim().max(80).optional(),
    hours: Day.optional().describe('default: the hours of the first weekday that has any'),
  })).max(200).default([]).describe('make-up working days (调休), e.g. a Saturday worked instead of a holiday'),
  pauseOnHold: z.boolean().optional().describe('also pause the clocks while a ticket is on hold; unchanged when absent (default false)'),
});

export const CalendarView = z.object({
  timeZone: z.string(),
  weeklyHours: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }))),
  holidays: z.array(z.object({ date: z.string(), name: z.string().optional() })),
  workdays: z.array(z.object({ date: z.string(), name: z.string().optional(), hours: z.array(z.object({ start: z.string(), end: z.string() })).optional() })),
  pauseOnHold: z.boolean(),
  updatedAt: z.date().nullable(),
});

const Minutes = z.number().int().min(1).max(525_600).nullable().describe('business minutes; null: no target');
const Targets = z.array(z.enum(CLOCK_KINDS)).min(1).max(3).optional().describe('which clocks; all when absent');
const Phase = z.enum(['warning', 'breach']);
const Escalation = z.discriminatedUnion('action', [
  z.strictObject({ on: Phase.default('breach'), targets: Targets, action: z.literal('notify'), notify: z.enum(['assignee', 'admins']).default('assignee') }),
  z.strictObject({ on: Phase.default('breach'), targets: Targets, action: z.literal('raise_urgency') }),
  z.strictObject({ on: Phase.default('breach'), targets: Targets, action: z.literal('reassign'), agentId: z.string().uuid() }),
]);

const policyFields = {
  name: z.string().trim().min(1).max(80),
  urgency: Urgency,
  departmentId: z.string().uuid().nullable(),
  customerTier: z.string().trim().min(1).max(40).nullable().describe('reserved for customer tiers; null: any'),
  firstResponseMinutes: Minutes,
  nextResponseMinutes: Minutes,
  resolutionMinutes: Minutes,
  warningMinutes: z.number().int().min(0).max(10_080).describe('warn this many business minutes before a deadline; 0: no warning'),
  escalations: z.array(Escalation).max(10),
};

export const NewPolicy = z.strictObject({
  ...policyFields,
  departmentId: policyFields.departmentId.default(null),
  customerTier: policyFields.customerTier.default(null),
  firstResponseMinutes: Minutes.default(null),
  nextResponseMinutes: Minutes.default(null),
  resolutionMinutes: Minutes.default(null),
  warningMinutes: policyFields.warningMinutes.default(0),
  escalations: policyFields.escalations.default([]),
});

export const PolicyPatch = z.strictObject(Object.fromEntries(Object.entries(policyFields).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof policyFields]: z.ZodOptional<(typeof policyFields)[K]>
}).refine((patch) => Object.keys(patch).length > 0, 'change at least one field');

export const PolicyView = z.object({
  id: z.string(), name: z.string(), urgency: z.number(), departmentId: z.string().nullable(), customerTier: z.string().nullable(),
  firstResponseMinutes: z.number().nullable(), nextResponseMinutes: z.number().nullable(), resolutionMinutes: z.number().nullable(),
  warningMinutes: z.number(),
  escalations: z.array(z.object({
    on: Phase, targets: z.array(z.enum(CLOCK_KINDS)).optional(), action: z.enum(['notify', 'raise_urgency', 'reassign']),
    notify: z.enum(['assignee', 'admins']).optional(), agentId: z.string().optional(),
  })),
  createdAt: z.date(), updatedAt: z.date(),
});

export const TicketSlaView = z.object({
  ticketId: z.string(),
  policy: z.object({ id: z.string(), name: z.string() }).nullable(),
  timeZone: z.string(),
  paused: z.boolean(),
  pausedSince: z.date().nullable(),
  clocks: z.array(z.object({
    id: z.string(), kind: z.enum(CLOCK_KINDS), cycle: z.number(), status: z.enum(['running', 'paused', 'met', 'cancelled']),
    startedAt: z.date(), targetMinutes: z.number().nullable(), dueAt: z.date().nullable(), warnAt: z.date().nullable(),
    stoppedAt: z.date().nullable(), businessMinutesUsed: z.number(), businessMinutesLeft: z.number().nullable(),
    warnedAt: z.date().nullable(), breachedAt: z.date().nullable(),
  })),
});

export const NotificationView = z.object({
  id: z.string(), ticketId: z.string(), phase: Phase, kind: z.enum(CLOCK_KINDS), subject: z.string(), body: z.string(), createdAt: z.date(),
});

export type CalendarWire = Wire<z.infer<typeof CalendarView>>;
/** The calendar as `PUT /sla/calendar` reads it: every weekday present, the lists filled in. */
export type CalendarDocumentBody = z.output<typeof CalendarBody>;
export type PolicyWire = Wire<z.infer<typeof PolicyView>>;
export type NewPolicyBody = z.input<typeof NewPolicy>;
