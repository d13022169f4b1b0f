import type { TicketRow, TicketStatus, Urgency } from '../tickets/index.js';
import { addBusinessTime, businessTimeBetween, type BusinessCalendar, type Span } from './sla.calendar.js';
import type { ClockKind, ClockRow, Phase, PolicyRow, TicketStateRow } from './sla.schema.js';

/**
 * The clock rules, pure: from what the module knew about a ticket, the ticket as it is now and
 * what just happened, work out the pauses, which clocks run, stop or restart, and their deadlines.
 *
 * - first response: from creation to the first public agent reply;
 * - next response: from a customer reply (after the first response) to the next agent reply;
 * - resolution: from creation until solved or closed; reopening resumes it.
 * All pause while the ticket waits on the customer (pending; on hold too if the workspace says so)
 * and while it is solved; they resume with the business time they had left.
 */

const MINUTE = 60_000;

export type ClockStatus = 'running' | 'paused' | 'met' | 'cancelled';

export interface PolicyScope {
  urgency: Urgency;
  departmentId?: string | null;
  customerTier?: string | null;
}

/** The most specific policy for this urgency: matching tier beats matching department beats "any". */
export function choosePolicy(policies: readonly PolicyRow[], scope: PolicyScope): PolicyRow | undefined {
  const department = scope.departmentId ?? null;
  const tier = scope.customerTier ?? null;
  let best: { policy: PolicyRow; score: number } | undefined;
  for (const policy of policies) {
    if (policy.urgency !== scope.urgency) continue;
    if (policy.department_id !== null && policy.department_id !== department) continue;
    if (policy.customer_tier !== null && policy.customer_tier !== tier) continue;
    const score = (policy.customer_tier !== null ? 2 : 0) + (policy.department_id !== null ? 1 : 0);
    if (!best || score > best.score) best = { policy, score };
  }
  return best?.policy;
}

export function targetOf(policy: PolicyRow | undefined, kind: ClockKind): number | null {
  if (!policy) return null;
  return kind === 'first_response' ? policy.first_response_minutes : kind === 'next_response' ? policy.next_response_minutes : policy.resolution_minutes;
}

export type TicketFacts = Pick<TicketRow,
  'status' | 'urgency' | 'department_id' | 'merged_into_id' | 'created_at' | 'updated_at' | 'first_response_at' | 'last_agent_message_at' | 'last_customer_message_at'>;

export interface Hints {
  /** A public reply by an agent (not a note, not an automatic system message). */
  agentReplied?: boolean;
  /** A public reply by the customer. */
  customerReplied?: boolean;
}

export type WorkingState = Pick<TicketStateRow, 'policy_id' | 'status' | 'paused_since' | 'first_responded_at'> & { pauses: [string, string][] };

/** What the checks read of a clock. */
export type CheckedClock = Pick<ClockRow, 'stopped_at' | 'due_at' | 'warn_at' | 'warned_at' | 'breached_at'>;

/**
 * What is due of a clock by `dueBy`: its breach, which overtakes a warning never given, else its
 * warning; null when it is stopped, breached already or nothing is due yet.
 */
export function duePhase(clock: CheckedClock, dueBy: Date): Phase | null {
  return isDue(clock, 'breach', dueBy) ? 'breach' : isDue(clock, 'warning', dueBy) ? 'warning' : null;
}

/** Whether the clock runs, is not breached, and its deadline (its warning, not given yet) falls by `dueBy`. */
export function isDue(clock: CheckedClock, phase: Phase, dueBy: Date): boolean {
  if (clock.stopped_at || clock.breached_at) return false;
  const at = phase === 'breach' ? clock.due_at : clock.warned_at ? null : clock.warn_at;
  return !!at && at.getTime() <= dueBy.getTime();
}

/** The ticket's next warning or deadline over all its running clocks: when its one check job is due. */
export function nextCheckAt(clocks: readonly CheckedClock[]): Date | null {
  let next: Date | null = null;
  for (const clock of clocks) {
    if (clock.stopped_at || clock.breached_at) continue;
    for (const at of [clock.warned_at ? null : clock.warn_at, clock.due_at]) {
      if (at && (!next || at.getTime() < next.getTime())) next = at;
    }
  }
  return next;
}

export type WorkingClock = Omit<ClockRow, 'id' | 'workspace_id' | 'ticket_id'> & { id: string | undefined; dirty: boolean };

export interface Deadlines {
  firstResponse: Date | null;
  nextResponse: Date | null;
  resolution: Date | null;
}

export interface ReconcileInput {
  state: WorkingState | undefined;
  clocks: readonly ClockRow[];
  ticket: TicketFacts;
  hints: Hints;
  policy: PolicyRow | undefined;
  calendar: BusinessCalendar;
  pauseOnHold: boolean;
  now: Date;
}

export interface Reconciled {
  state: WorkingState;
  clocks: WorkingClock[];
  deadlines: Deadlines;
}

type Category = 'run' | 'pause' | 'stop';

function category(status: TicketStatus, pauseOnHold: boolean): Category {
  if (status === 'solved' || status === 'closed') return 'stop';
  if (status === 'pending' || (status === 'on_hold' && pauseOnHold)) return 'pause';
  return 'run';
}

const earlier = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);
const later = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);
const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

function newClock(kind: ClockKind, cycle: number, startedAt: Date): WorkingClock {
  return {
    id: undefined, dirty: true, kind, cycle, started_at: startedAt, target_minutes: null, due_at: null, warn_at: null,
    stopped_at: null, outcome: null, business_minutes: null, warned_at: null, breached_at: null,
  };
}

/** Pauses as instant spans; an open pause runs to infinity. */
export function exclusionsOf(state: Pick<WorkingState, 'pauses' | 'paused_since'>): Span[] {
  const spans: Span[] = state.pauses.map(([from, to]) => [Date.parse(from), Date.parse(to)] as const);
  if (state.paused_since) spans.push([state.paused_since.getTime(), Infinity]);
  return spans;
}

export function clockStatus(clock: Pick<ClockRow, 'stopped_at' | 'outcome'>, paused: boolean): ClockStatus {
  if (clock.stopped_at) return clock.outcome === 'met' ? 'met' : 'cancelled';
  return paused ? 'paused' : 'running';
}

export function reconcile(input: ReconcileInput): Reconciled {
  const { ticket, hints, policy, calendar, now } = input;
  const clocks: WorkingClock[] = input.clocks.map((c) => ({ ...c, dirty: false }));
  const state: WorkingState = input.state
    ? { ...input.state, pauses: [...input.state.pauses] }
    : { policy_id: null, status: 'new', paused_since: null, pauses: [], first_responded_at: null };
  const stop = (clock: WorkingClock, at: Date, outcome: 'met' | 'cancelled') => {
    Object.assign(clock, { stopped_at: later(at, clock.started_at), outcome, business_minutes: null, dirty: true });
  };
  const running = (kind?: ClockKind) => clocks.filter((c) => !c.stopped_at && (!kind || c.kind === kind));

  if (!input.state) {
    if (!clocks.some((c) => c.kind === 'first_response')) clocks.push(newClock('first_response', 1, ticket.created_at));
    if (!clocks.some((c) => c.kind === 'resolution')) clocks.push(newClock('resolution', 1, ticket.created_at));
    // Seen for the first time after it was answered (an event was missed): the ticket's own record counts.
    if (ticket.first_response_at && !hints.agentReplied) {
      state.first_responded_at = ticket.first_response_at;
      for (const clock of running('first_response')) stop(clock, ticket.first_response_at, 'met');
    }
  }

  // Replies. Times come from the ticket, not from when the event arrived.
  if (hints.agentReplied) {
    const at = earlier(ticket.last_agent_message_at ?? now, now);
    for (const clock of clocks) {
      if (clock.kind !== 'resolution' && !clock.stopped_at && clock.started_at.getTime() <= at.getTime()) stop(clock, at, 'met');
    }
    state.first_responded_at ??= at;
  }
  if (hints.customerReplied && state.first_responded_at) {
    const at = earlier(ticket.last_customer_message_at ?? now, now);
    const nextResponses = clocks.filter((c) => c.kind === 'next_response');
    const lastAnswer = nextResponses.reduce((latest, c) => (c.outcome === 'met' && c.stopped_at ? later(latest, c.stopped_at) : latest), state.first_responded_at);
    const open = nextResponses.some((c) => !c.stopped_at || c.started_at.getTime() >= at.getTime());
    if (!open && at.getTime() > lastAnswer.getTime()) {
      const cycle = nextResponses.reduce((max, c) => Math.max(max, c.cycle), 0) + 1;
      clocks.push(newClock('next_response', cycle, at));
    }
  }

  // Status: run, pause (waiting on the customer), stop (solved, closed, merged away).
  const previous: Category = category(state.status, input.pauseOnHold) === 'stop' ? 'stop' : state.paused_since ? 'pause' : 'run';
  const next = category(ticket.status, input.pauseOnHold);
  if (previous !== next) {
    // A status change happened when the ticket was last updated; a changed setting (on hold) applies from now.
    const at = earlier(ticket.status !== state.status ? ticket.updated_at : now, now);
    if (previous === 'run') {
      state.paused_since = at;
    } else if (next === 'run' && state.paused_since) {
      const from = state.paused_since;
      state.pauses.push([from.toISOString(), later(at, from).toISOString()]);
      state.paused_since = null;
    }
    if (next === 'stop') {
      for (const clock of running()) stop(clock, at, clock.kind === 'resolution' && !ticket.merged_into_id ? 'met' : 'cancelled');
    } else if (previous === 'stop') {
      // Reopened: resolution resumes with what it had left; a first response never given is owed again.
      const resolution = clocks.filter((c) => c.kind === 'resolution').at(-1);
      const reopen = (clock: WorkingClock | undefined) => {
        if (clock?.stopped_at) Object.assign(clock, { stopped_at: null, outcome: null, business_minutes: null, dirty: true });
      };
      reopen(resolution);
      if (!state.first_responded_at) reopen(clocks.find((c) => c.kind === 'first_response' && c.outcome === 'cancelled'));
    }
  }
  state.status = ticket.status;
  state.policy_id = policy?.id ?? null;

  // Targets and deadlines.
  const exclusions = exclusionsOf(state);
  const deadline = (clock: WorkingClock, businessMs: number) => addBusinessTime(calendar, clock.started_at, businessMs, exclusions);
  for (const clock of clocks) {
    if (clock.stopped_at) {
      if (clock.business_minutes === null) {
        clock.business_minutes = Math.round(businessTimeBetween(calendar, clock.started_at, clock.stopped_at, exclusions) / MINUTE);
        clock.dirty = true;
      }
      continue;
    }
    const target = targetOf(policy, clock.kind);
    const lead = policy?.warning_minutes ?? 0;
    const due = target === null ? null : deadline(clock, target * MINUTE);
    const warn = target === null || lead <= 0 || lead >= target ? null : deadline(clock, (target - lead) * MINUTE);
    if (target !== clock.target_minutes || !sameTime(due, clock.due_at) || !sameTime(warn, clock.warn_at)) {
      Object.assign(clock, { target_minutes: target, due_at: due, warn_at: warn, dirty: true });
    }
  }

  const dueOf = (kind: ClockKind) => running(kind).at(-1)?.due_at ?? null;
  return {
    state,
    clocks,
    deadlines: { firstResponse: dueOf('first_response'), nextResponse: dueOf('next_response'), resolution: dueOf('resolution') },
  };
}

/** Business minutes a clock has run by `now` (or until it stopped), not counting pauses. */
export function usedMinutes(calendar: BusinessCalendar, clock: Pick<ClockRow, 'started_at' | 'stopped_at'>, state: Pick<WorkingState, 'pauses' | 'paused_since'>, now: Date): number {
  const end = clock.stopped_at ?? now;
  return Math.floor(businessTimeBetween(calendar, clock.started_at, end, exclusionsOf(state)) / MINUTE);
}
