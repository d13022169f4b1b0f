import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { AppError, notFound } from '../../core/errors.js';
import { eventsByWorkspace, type DomainEvent, type EventBus, type EventPayload } from '../../core/events/index.js';
import type { JobQueue, JobToSend } from '../../core/jobs/index.js';
import type { Subscriptions } from '../../core/module.js';
import { WorkspaceCache } from '../../core/workspace-cache.js';
import type { AccountsService } from '../accounts/index.js';
import type { TicketRow, TicketsService, Urgency } from '../tickets/index.js';
import {
  addBusinessMinutes, compileCalendar, defaultCalendarDocument, type BusinessCalendar, type CalendarDocument,
} from './sla.calendar.js';
import {
  choosePolicy, clockStatus, duePhase, isDue, nextCheckAt, reconcile, usedMinutes, type CheckedClock, type ClockStatus, type Hints,
  type Deadlines, type Reconciled, type WorkingClock, type WorkingState,
} from './sla.clocks.js';
import { DEFAULT_POLICIES } from './sla.defaults.js';
import { renderNotification } from './sla.notify.js';
import type { PolicyValues, SlaRepo } from './sla.repo.js';
import type {
  ClockKind, ClockRow, EscalationAction, EscalationRow, EscalationRule, NotificationRow, Phase, PolicyRow, TicketStateRow,
} from './sla.schema.js';
import { slaErrors } from './sla.errors.js';

export const SLA_JOBS = {
  /** One deadline or warning of one clock: `CheckJob`. */
  check: 'sla.check',
  /** Every minute: fans out one `sweepWorkspace` job per workspace. */
  sweep: 'sla.sweep',
  /** Marks whatever is overdue but unmarked, finishes interrupted escalations: `{ workspaceId }`. */
  sweepWorkspace: 'sla.sweep_workspace',
  /** After the calendar or the policies changed: re-applies them to open tickets, a page at a time. */
  recompute: 'sla.recompute',
} as const;

/**
 * A ticket's one check, due at its next warning or deadline over all its clocks (`nextCheckAt`);
 * each check sends the next. With `clockId` and `phase`: that one clock's (the sweep's, and jobs
 * queued before checks were per ticket).
 */
export interface CheckJob {
  workspaceId: string;
  ticketId: string;
  clockId?: string;
  phase?: Phase;
  /** The deadline (or warning time) the job was scheduled for, ISO 8601. */
  at: string;
}

export interface RecomputeJob {
  workspaceId: string;
  requestId: string;
  after?: string;
}

export interface PolicyInput {
  name: string;
  urgency: Urgency;
  departmentId?: string | null;
  customerTier?: string | null;
  firstResponseMinutes: number | null;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
  warningMinutes?: number;
  escalations?: EscalationRule[];
}

export interface CalendarSettings {
  calendar: CalendarDocument;
  pauseOnHold: boolean;
  updatedAt: Date | null;
}

export interface ClockView {
  id: string;
  kind: ClockKind;
  cycle: number;
  status: ClockStatus;
  startedAt: Date;
  targetMinutes: number | null;
  dueAt: Date | null;
  warnAt: Date | null;
  stoppedAt: Date | null;
  businessMinutesUsed: number;
  businessMinutesLeft: number | null;
  warnedAt: Date | null;
  breachedAt: Date | null;
}

export interface TicketSla {
  ticketId: string;
  policy: { id: string; name: string } | null;
  timeZone: string;
  paused: boolean;
  pausedSince: Date | null;
  clocks: ClockView[];
}

const SYSTEM = { type: 'system' as const, id: null };
/** Postgres starts a job by its own clock; this process may run a little behind it. */
const CLOCK_SKEW_MS = 2_000;
/** How long one runner holds an escalation step before another may take it over. */
const ESCALATION_LEASE_MS = 60_000;
const RECOMPUTE_PAGE = 200;
/** The longest a node syncs clocks with a calendar or policies changed elsewhere, should it miss `sla.settings_changed`. */
const SETTINGS_TTL_MS = 10_000;

interface SlaSettings {
  compiled: { calendar: BusinessCalendar; pauseOnHold: boolean };
  policies: PolicyRow[];
}
const SWEEP_LIMIT = 500;

/**
 * SLA clocks for tickets: business-hours deadlines from the workspace calendar and the policy for
 * the ticket's urgency and department, pauses while the ticket waits on the customer, warnings and
 * breaches as durable jobs, and escalations carried out exactly once.
 */
export class SlaService {
  private readonly settingsCache = new WorkspaceCache<SlaSettings>(SETTINGS_TTL_MS, (workspaceId) => this.loadSettings(workspaceId));

  constructor(
    private readonly repo: SlaRepo,
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly bus: EventBus,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
  ) {}

  /** Keeps the clocks in step with the tickets (subscribed by the module's manifest). Handlers are idempotent: a repeated event changes nothing. */
  subscriptions(): Subscriptions {
    return {
      'workspace.created': (event) => this.setUpWorkspace(event.workspaceId),
      'ticket.created': {
        each: (event) => this.sync(event.workspaceId, event.payload.ticket.id, {}, { firstSync: true }),
        batch: (events) => this.syncNewTickets(events),
      },
      'ticket.merged': (event) => this.sync(event.workspaceId, event.payload.ticketId),
      'ticket.updated': {
        each: async (event) => {
          if (await this.updateMovesClocks(event)) await this.sync(event.workspaceId, event.payload.ticket.id);
        },
        batch: (events) => this.syncBatch(events, async (event) => (await this.updateMovesClocks(event)) ? { ticketId: event.payload.ticket.id, hints: {} } : undefined),
      },
      'message.created': {
        each: async (event) => {
          const sync = syncOfMessage(event);
          if (sync) await this.sync(event.workspaceId, sync.ticketId, sync.hints);
        },
        batch: (events) => this.syncBatch(events, (event) => syncOfMessage(event)),
      },
    };
  }

  /** A status change, or a change that puts the ticket under another policy. */
  private async updateMovesClocks(event: DomainEvent<'ticket.updated'>): Promise<boolean> {
    return !!event.payload.changes.status || await this.movesPolicy(event.workspaceId, event.payload);
  }

  /**
   * A subscriber's batch of events, each of which may ask for a ticket's sync (`syncOf`): per
   * workspace, the syncs asked for, set-based (`syncMany`), in the events' order.
   */
  private async syncBatch<K extends 'ticket.updated' | 'message.created'>(
    events: readonly DomainEvent<K>[], syncOf: (event: DomainEvent<K>) => TicketSync | undefined | Promise<TicketSync | undefined>,
  ): Promise<void> {
    for (const [workspaceId, group] of eventsByWorkspace(events)) {
      const syncs: TicketSync[] = [];
      for (const event of group) {
        const sync = await syncOf(event);
        if (sync) syncs.push(sync);
      }
      await this.syncMany(workspaceId, syncs);
    }
  }

  /**
   * Whether a change of urgency or team puts the ticket under another policy. Only then do its
   * clocks change: triage setting the team of a new ticket whose policies are per urgency alone
   * costs no sync (issue 15: two to five statements per ticket).
   */
  private async movesPolicy(workspaceId: string, { ticket, changes }: EventPayload<'ticket.updated'>): Promise<boolean> {
    if (!changes.urgency && !changes.departmentId) return false;
    const policies = await this.policies(workspaceId);
    const before = choosePolicy(policies, {
      urgency: (changes.urgency ? changes.urgency[0] : ticket.urgency) as Urgency,
      departmentId: changes.departmentId ? changes.departmentId[0] : ticket.departmentId,
    });
    return before?.id !== choosePolicy(policies, { urgency: ticket.urgency as Urgency, departmentId: ticket.departmentId })?.id;
  }

  /** The calendar (the workspace's time zone, Mon–Fri 09:00–18:00) and a policy per urgency. */
  async setUpWorkspace(workspaceId: string): Promise<void> {
    const workspace = await this.accounts.workspace(workspaceId);
    const db = this.repo.in(workspaceId);
    await this.repo.insertCalendar(db, defaultCalendarDocument(workspace.time_zone), false);
    for (const policy of DEFAULT_POLICIES) await this.repo.insertPolicy(db, policy);
    this.forgetSettings(workspaceId);
  }

  // ---- calendar ------------------------------------------------------------------------------

  async calendarSettings(workspaceId: string): Promise<CalendarSettings> {
    const row = await this.repo.calendar(this.repo.in(workspaceId));
    if (!row) {
      const workspace = await this.accounts.workspace(workspaceId);
      return { calendar: defaultCalendarDocument(workspace.time_zone), pauseOnHold: false, updatedAt: null };
    }
    return {
      calendar: { timeZone: row.time_zone, weeklyHours: row.weekly_hours, holidays: row.holidays, workdays: row.workdays },
      pauseOnHold: row.pause_on_hold,
      updatedAt: row.updated_at,
    };
  }

  /** Replaces the calendar (SLA_CALENDAR_INVALID lists every problem) and re-applies it to open tickets. */
  async setCalendar(workspaceId: string, calendar: CalendarDocument, pauseOnHold: boolean): Promise<CalendarSettings> {
    compileCalendar(calendar);
    const now = this.clock.now();
    const row = await this.repo.upsertCalendar(this.repo.in(workspaceId), calendar, pauseOnHold, now);
    await this.requestRecompute(workspaceId);
    return {
      calendar: { timeZone: row.time_zone, weeklyHours: row.weekly_hours, holidays: row.holidays, workdays: row.workdays },
      pauseOnHold: row.pause_on_hold,
      updatedAt: row.updated_at,
    };
  }

  private async compiledSettings(workspaceId: string): Promise<{ calendar: BusinessCalendar; pauseOnHold: boolean }> {
    return (await this.cachedSettings(workspaceId)).compiled;
  }

  /**
   * The calendar, compiled, and the policies, kept briefly per workspace (core/workspace-cache.ts):
   * every ticket event syncs clocks, and these change rarely (issue 15: they were two of a ticket's
   * statements per sync). Other nodes forget them on `sla.settings_changed` (`forgetSettings`); the
   * recompute that follows a change reads them fresh.
   */
  private cachedSettings(workspaceId: string): Promise<SlaSettings> {
    return this.settingsCache.get(workspaceId);
  }

  private async loadSettings(workspaceId: string): Promise<SlaSettings> {
    const [calendar, policies] = await Promise.all([this.calendarSettings(workspaceId), this.repo.policies(this.repo.in(workspaceId))]);
    return { compiled: { calendar: compileCalendar(calendar.calendar), pauseOnHold: calendar.pauseOnHold }, policies };
  }

  /** Drops this node's copy of a workspace's calendar and policies (they changed). */
  forgetSettings(workspaceId: string): void {
    this.settingsCache.forget(workspaceId);
  }

  // ---- policies ------------------------------------------------------------------------------

  async policies(workspaceId: string): Promise<PolicyRow[]> {
    return (await this.cachedSettings(workspaceId)).policies;
  }

  async policy(workspaceId: string, id: string): Promise<PolicyRow> {
    const policy = await this.repo.policy(this.repo.in(workspaceId), id);
    if (!policy) throw notFound('sla_policy');
    return policy;
  }

  async createPolicy(workspaceId: string, input: PolicyInput): Promise<PolicyRow> {
    await this.assertReferences(workspaceId, input.departmentId ?? null, input.escalations ?? []);
    const created = await this.repo.insertPolicy(this.repo.in(workspaceId), {
      name: input.name, urgency: input.urgency, department_id: input.departmentId ?? null, customer_tier: input.customerTier ?? null,
      first_response_minutes: input.firstResponseMinutes, next_response_minutes: input.nextResponseMinutes,
      resolution_minutes: input.resolutionMinutes, warning_minutes: input.warningMinutes ?? 0, escalations: input.escalations ?? [],
    });
    if (!created) throw policyConflict();
    await this.requestRecompute(workspaceId);
    return created;
  }

  async updatePolicy(workspaceId: string, id: string, patch: Partial<PolicyInput>): Promise<PolicyRow> {
    await this.policy(workspaceId, id);
    await this.assertReferences(workspaceId, patch.departmentId ?? null, patch.escalations ?? []);
    const values: Partial<PolicyValues> = {
      name: patch.name, urgency: patch.urgency, department_id: patch.departmentId, customer_tier: patch.customerTier,
      first_response_minutes: patch.firstResponseMinutes, next_response_minutes: patch.nextResponseMinutes,
      resolution_minutes: patch.resolutionMinutes, warning_minutes: patch.warningMinutes, escalations: patch.escalations,
    };
    for (const key of Object.keys(values) as (keyof PolicyValues)[]) if (values[key] === undefined) delete values[key];
    let updated: PolicyRow | undefined;
    try {
      updated = await this.repo.updatePolicy(this.repo.in(workspaceId), id, values, this.clock.now());
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw policyConflict();
      throw error;
    }
    if (!updated) throw notFound('sla_policy');
    await this.requestRecompute(workspaceId);
    return updated;
  }

  async deletePolicy(workspaceId: string, id: string): Promise<void> {
    const result = await this.repo.deletePolicy(this.repo.in(workspaceId), id);
    if (!result.numDeletedRows) throw notFound('sla_policy');
    await this.requestRecompute(workspaceId);
  }

  private async assertReferences(workspaceId: string, departmentId: string | null, escalations: EscalationRule[]): Promise<void> {
    if (departmentId && !(await this.tickets.departments(workspaceId)).some((d) => d.id === departmentId)) {
      throw slaErrors.departmentUnknown('There is no such department', { departmentId });
    }
    for (const rule of escalations) {
      if (rule.action !== 'reassign') continue;
      const agent = await this.accounts.findAgent(workspaceId, rule.agentId);
      if (!agent || agent.disabled_at) {
        throw slaErrors.slaEscalationInvalid('Escalations can only reassign to active agents of this workspace', { agentId: rule.agentId });
      }
    }
  }

  // ---- what the portal shows before a customer writes -----------------------------------------

  /**
   * When a ticket written now would get its first answer at the latest, by the policy and the
   * business hours; null when that urgency has no first-response target.
   */
  async expectedFirstResponse(workspaceId: string, scope: { urgency: Urgency; departmentId?: string | null }, now: Date): Promise<{ dueAt: Date; businessMinutes: number } | null> {
    const policy = choosePolicy(await this.policies(workspaceId), scope);
    const minutes = policy?.first_response_minutes ?? null;
    if (minutes === null) return null;
    const { calendar } = await this.compiledSettings(workspaceId);
    const dueAt = addBusinessMinutes(calendar, now, minutes);
    return dueAt ? { dueAt, businessMinutes: minutes } : null;
  }

  // ---- the clocks of one ticket -------------------------------------------------------------

  /**
   * Brings the ticket's clocks up to date with the ticket as it is now, plus what just happened
   * (`hints`), writes its deadlines to the ticket and schedules the checks. Concurrent calls for one
   * ticket are safe: a save that lost the race re-reads and tries again.
   *
   * The deadlines are written in the transaction that saves the state they come from, so the
   * ticket always shows its latest saved state's deadlines: two syncs finishing in either order
   * cannot leave the older ones, and no read after the write is needed to make sure.
   *
   * `firstSync` (a new ticket's): the first try assumes the ticket has no state and no clocks yet,
   * without reading them. Should it have them (a redelivered event, another event's sync first),
   * saving the new state finds the existing one, and the next try reads them.
   */
  async sync(workspaceId: string, ticketId: string, hints: Hints = {}, options: { firstSync?: boolean } = {}): Promise<void> {
    const db = this.repo.in(workspaceId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const { state, clocks } = options.firstSync && attempt === 0 ? { state: undefined, clocks: [] } : await this.repo.stateWithClocks(db, ticketId);
      const ticket = await this.tickets.findTicket(workspaceId, ticketId);
      if (!ticket) return;
      const settings = await this.cachedSettings(workspaceId);
      const now = this.clock.now();
      const { result, deadlinesShown } = reconcileTicket({ ticket, state, clocks, hints, settings, now });
      if (!state || mustSave(state, result, deadlinesShown)) {
        const saved = await this.repo.saveState(workspaceId, ticketId, state?.version, result.state, result.clocks, now,
          deadlinesShown ? undefined : (trx) => this.tickets.setDeadlines(workspaceId, [{ ticketId, ...result.deadlines }], trx));
        if (saved === undefined) continue;
      }
      const check = checkToSend(result.clocks, clocks);
      if (check) await this.scheduleCheck(workspaceId, ticketId, check);
      return;
    }
    throw slaErrors.slaBusy('The ticket changed too often to update its SLA clocks; the next change or sweep will');
  }

  /**
   * `sync` of many tickets, one after another as far as each ticket can tell, in a statement each
   * for their states and clocks, their tickets, their saved states, their changed and started
   * clocks, their deadlines and their checks, however many tickets (issue 15: a subscriber's batch
   * of moved tickets or replies, a page of the recompute). A ticket with no state yet, one whose
   * state another save changed meanwhile, and a ticket named again go through `sync` after, as the
   * next try of `sync` would.
   */
  private async syncMany(workspaceId: string, syncs: readonly TicketSync[]): Promise<void> {
    const firstOfTicket = new Map<string, Hints>();
    const later: TicketSync[] = [];
    for (const sync of syncs) {
      if (firstOfTicket.has(sync.ticketId)) later.push(sync);
      else firstOfTicket.set(sync.ticketId, sync.hints);
    }
    const ids = [...firstOfTicket.keys()];
    if (!ids.length) return;
    const db = this.repo.in(workspaceId);
    const [current, tickets, settings] = await Promise.all([
      this.repo.statesWithClocks(db, ids), this.tickets.findTickets(workspaceId, ids), this.cachedSettings(workspaceId),
    ]);
    const found = new Map(tickets.map((ticket) => [ticket.id, ticket]));
    const now = this.clock.now();
    const oneByOne: TicketSync[] = [];
    const toSave: { ticketId: string; version: number; state: WorkingState; clocks: WorkingClock[]; deadlinesShown: boolean; deadlines: Deadlines }[] = [];
    const checks: { ticketId: string; clocks: readonly CheckedClock[]; before: readonly CheckedClock[] }[] = [];
    for (const [ticketId, hints] of firstOfTicket) {
      const ticket = found.get(ticketId);
      if (!ticket) continue; // deleted since, or of another workspace: no clocks, as in `sync`
      const stored = current.get(ticketId);
      if (!stored) {
        oneByOne.push({ ticketId, hints });
        continue;
      }
      const { result, deadlinesShown } = reconcileTicket({ ticket, state: stored.state, clocks: stored.clocks, hints, settings, now });
      if (mustSave(stored.state, result, deadlinesShown)) {
        toSave.push({ ticketId, version: stored.state.version, state: result.state, clocks: result.clocks, deadlinesShown, deadlines: result.deadlines });
      }
      checks.push({ ticketId, clocks: result.clocks, before: stored.clocks });
    }
    const saved = await this.repo.saveStates(workspaceId, toSave, now, (trx, savedIds) => this.tickets.setDeadlines(workspaceId, toSave
      .filter(({ ticketId, deadlinesShown }) => savedIds.has(ticketId) && !deadlinesShown)
      .map(({ ticketId, deadlines }) => ({ ticketId, ...deadlines })), trx));
    const lostRace = new Set(toSave.filter(({ ticketId }) => !saved.has(ticketId)).map(({ ticketId }) => ticketId));
    const jobs: JobToSend[] = [];
    for (const { ticketId, clocks, before } of checks) {
      const check = lostRace.has(ticketId) ? null : checkToSend(clocks, before);
      if (check) jobs.push(checkJob(workspaceId, ticketId, check));
    }
    await this.jobs.sendMany(jobs);
    for (const ticketId of lostRace) oneByOne.push({ ticketId, hints: firstOfTicket.get(ticketId)! });
    for (const { ticketId, hints } of [...oneByOne, ...later]) await this.sync(workspaceId, ticketId, hints);
  }

  /**
   * `sync` with `firstSync` for a subscriber's batch of new tickets (`BatchHandler`, core/events):
   * per workspace one read of the tickets, then one statement each for their states, their clocks,
   * their deadlines and their checks, however many tickets (issue 15: some five statements per
   * ticket). It leaves what `sync` would: the same rules (`reconcileTicket`), rows (`saveFirstStates`
   * saves what `saveState` does for a ticket without a state) and jobs (`checkJob`). A ticket that
   * had a state already (a redelivered event, another event's sync first) and a ticket named again
   * go through `sync`, which reads what is there, as it would after its first try.
   */
  private async syncNewTickets(events: readonly DomainEvent<'ticket.created'>[]): Promise<void> {
    for (const [workspaceId, group] of eventsByWorkspace(events)) await this.syncNewTicketsOf(workspaceId, group.map((e) => e.payload.ticket.id));
  }

  /** One workspace's new tickets, in the order of their events: every statement scoped to it (`repo.in`, the tickets service). */
  private async syncNewTicketsOf(workspaceId: string, ticketIds: readonly string[]): Promise<void> {
    const distinct = [...new Set(ticketIds)];
    const [tickets, settings] = await Promise.all([this.tickets.findTickets(workspaceId, distinct), this.cachedSettings(workspaceId)]);
    const now = this.clock.now();
    const found = new Map(tickets.map((ticket) => [ticket.id, ticket]));
    // In the events' order, the order `each` takes their rows' locks in. A ticket not found
    // (deleted since, or of another workspace) has no clocks, as in `sync`.
    const reconciled = distinct.flatMap((ticketId) => {
      const ticket = found.get(ticketId);
      return ticket ? [{ ticketId, ...reconcileTicket({ ticket, state: undefined, clocks: [], hints: {}, settings, now }) }] : [];
    });
    const saved = await this.repo.saveFirstStates(workspaceId, reconciled.map(({ ticketId, result }) => ({ ticketId, ...result })), now,
      (trx, inserted) => this.tickets.setDeadlines(workspaceId, reconciled
        .filter(({ ticketId, deadlinesShown }) => inserted.has(ticketId) && !deadlinesShown)
        .map(({ ticketId, result }) => ({ ticketId, ...result.deadlines })), trx));
    const checks: JobToSend[] = [];
    for (const { ticketId, result } of reconciled) {
      const check = saved.has(ticketId) ? checkToSend(result.clocks, []) : null;
      if (check) checks.push(checkJob(workspaceId, ticketId, check));
    }
    await this.jobs.sendMany(checks);
    // `sync`'s first try would have found their state and read it on the next: `sync` as it reads it.
    for (const { ticketId } of reconciled) if (!saved.has(ticketId)) await this.sync(workspaceId, ticketId);
    // A second event of a ticket would find the state the first one saved.
    const seen = new Set<string>();
    for (const ticketId of ticketIds) {
      if (seen.has(ticketId)) await this.sync(workspaceId, ticketId);
      seen.add(ticketId);
    }
  }

  /**
   * The ticket's check at `at`; the key makes re-sending the same one a no-op. `again`: the check
   * due at `at` ran early (Postgres' clock ahead of ours) and looks once more a little later.
   */
  private async scheduleCheck(workspaceId: string, ticketId: string, at: Date, again = false): Promise<void> {
    const job = checkJob(workspaceId, ticketId, at, again);
    await this.jobs.send(job.name, job.data, job.options);
  }

  /** The clocks of a ticket as the console shows them, counted up to now. */
  async ticketSla(workspaceId: string, ticketId: string): Promise<TicketSla> {
    await this.tickets.ticket(workspaceId, ticketId);
    const db = this.repo.in(workspaceId);
    // The calendar and policies the clocks were synced with, as cached for syncs: no reads of their own.
    const [{ state, clocks }, settings] = await Promise.all([this.repo.stateWithClocks(db, ticketId), this.cachedSettings(workspaceId)]);
    const { calendar } = settings.compiled;
    const policy = state?.policy_id ? settings.policies.find((p) => p.id === state.policy_id) : undefined;
    const now = this.clock.now();
    const working = state ? workingState(state) : { pauses: [], paused_since: null };
    const paused = !!state?.paused_since && state.status !== 'solved' && state.status !== 'closed';
    return {
      ticketId,
      policy: policy ? { id: policy.id, name: policy.name } : null,
      timeZone: calendar.timeZone,
      paused,
      pausedSince: paused ? state!.paused_since : null,
      clocks: clocks.map((clock) => {
        const used = usedMinutes(calendar, clock, working, now);
        return {
          id: clock.id, kind: clock.kind, cycle: clock.cycle, status: clockStatus(clock, paused), startedAt: clock.started_at,
          targetMinutes: clock.target_minutes, dueAt: clock.due_at, warnAt: clock.warn_at, stoppedAt: clock.stopped_at,
          businessMinutesUsed: used, businessMinutesLeft: clock.target_minutes === null || clock.stopped_at ? null : Math.max(0, clock.target_minutes - used),
          warnedAt: clock.warned_at, breachedAt: clock.breached_at,
        };
      }),
    };
  }

  // ---- warnings, breaches, escalations -------------------------------------------------------

  /**
   * The `sla.check` job: marks what is due of the ticket's clocks (of the one clock with `clockId`),
   * sends the ticket's next check, then carries out what is pending. Acts only on clocks still
   * running and due now (they may have been met, paused or moved since the job was sent); marking
   * is conditional, so however often this runs, one run marks a clock and plans its escalation.
   */
  async check(job: CheckJob): Promise<void> {
    const { workspaceId, ticketId } = job;
    const db = this.repo.in(workspaceId);
    const now = this.clock.now();
    const dueBy = new Date(now.getTime() + CLOCK_SKEW_MS);
    let clocks = await this.repo.clocks(db, ticketId);
    let marked = false;
    for (const clock of clocks) {
      // One clock's job marks its own phase only; the ticket's, whatever is due (a breach overtakes a warning).
      const phase = job.clockId && job.phase
        ? (clock.id === job.clockId && isDue(clock, job.phase, dueBy) ? job.phase : null)
        : duePhase(clock, dueBy);
      if (!phase) continue;
      const plan = await this.planEscalation(workspaceId, clock, phase);
      await this.repo.mark(workspaceId, clock.id, phase, now, dueBy, (row) => [
        ...plan, { type: 'event', dueAt: (phase === 'breach' ? row.due_at : row.warn_at)?.toISOString() ?? null },
      ]);
      marked = true;
    }
    if (marked) clocks = await this.repo.clocks(db, ticketId);
    await this.scheduleNextCheck(workspaceId, ticketId, clocks, job.at);
    await this.runEscalations(workspaceId, job.clockId ? { clockId: job.clockId } : { ticketId });
  }

  /** After a check: the ticket's next one (if that is this job's own time, it ran early: once more, a little later). */
  private async scheduleNextCheck(workspaceId: string, ticketId: string, clocks: readonly CheckedClock[], ranFor: string): Promise<void> {
    const next = nextCheckAt(clocks);
    if (next) await this.scheduleCheck(workspaceId, ticketId, next, next.toISOString() === ranFor);
  }

  /** The steps of an escalation, fixed when the clock is marked: the policy's rules (the event follows them). */
  private async planEscalation(workspaceId: string, clock: ClockRow, phase: Phase): Promise<EscalationAction[]> {
    const db = this.repo.in(workspaceId);
    const state = await this.repo.state(db, clock.ticket_id);
    const policy = state?.policy_id ? await this.repo.policy(db, state.policy_id) : undefined;
    const ticket = await this.tickets.ticket(workspaceId, clock.ticket_id);
    const actions: EscalationAction[] = [];
    for (const rule of policy?.escalations ?? []) {
      if (rule.on !== phase || (rule.targets && !rule.targets.includes(clock.kind))) continue;
      if (rule.action === 'notify') {
        const admins = async () => (await this.accounts.listAgents(workspaceId)).filter((a) => a.role === 'admin' && !a.disabled_at).map((a) => a.id);
        const agentIds = rule.notify === 'assignee' && ticket.assignee_id ? [ticket.assignee_id] : await admins();
        if (agentIds.length) actions.push({ type: 'notify', agentIds });
      } else if (rule.action === 'raise_urgency') {
        if (ticket.urgency < 4) actions.push({ type: 'raise_urgency', from: ticket.urgency, to: (ticket.urgency + 1) as Urgency });
      } else if (ticket.assignee_id !== rule.agentId) {
        actions.push({ type: 'reassign', agentId: rule.agentId });
      }
    }
    return actions;
  }

  /** Carries out pending escalation steps, each taken with a lease so two runners never do one twice. */
  async runEscalations(workspaceId: string, filter: { clockId?: string; ticketId?: string; olderThan?: Date }): Promise<void> {
    const db = this.repo.in(workspaceId);
    // Steps of one escalation run in order: one held by another runner holds up the ones after it.
    const held = new Set<string>();
    for (const pending of await this.repo.pendingEscalations(db, filter)) {
      const escalation = `${pending.clock_id}:${pending.phase}`;
      if (held.has(escalation)) continue;
      const step = await this.repo.claimEscalation(db, pending.id, this.clock.now(), ESCALATION_LEASE_MS);
      if (!step) {
        held.add(escalation);
        continue;
      }
      try {
        const outcome = await this.carryOut(workspaceId, step);
        if (outcome !== 'recorded') await this.repo.finishEscalation(db, step.id, this.clock.now(), outcome);
      } catch (error) {
        // A refusal (agent disabled, ticket gone) will not change on retry: record it and move on.
        if (error instanceof AppError) {
          await this.repo.finishEscalation(db, step.id, this.clock.now(), 'failed', error.code);
          continue;
        }
        // Anything else may pass (a lost connection): let go, and let the job retry from this step.
        await this.repo.releaseEscalation(db, step.id);
        throw error;
      }
    }
  }

  /** `recorded`: the step was finished in the transaction that carried it out. */
  private async carryOut(workspaceId: string, step: EscalationRow): Promise<'done' | 'skipped' | 'recorded'> {
    const action = step.action;
    const ticket = await this.tickets.ticket(workspaceId, step.ticket_id);
    switch (action.type) {
      case 'raise_urgency':
        if (ticket.urgency >= action.to) return 'skipped';
        await this.tickets.update(workspaceId, ticket.id, { urgency: action.to }, SYSTEM);
        return 'done';
      case 'reassign':
        if (ticket.assignee_id === action.agentId) return 'skipped';
        await this.tickets.update(workspaceId, ticket.id, { assigneeId: action.agentId }, SYSTEM);
        return 'done';
      case 'notify': {
        const clock = await this.repo.clock(this.repo.in(workspaceId), step.clock_id);
        const [workspace, settings] = await Promise.all([this.accounts.workspace(workspaceId), this.calendarSettings(workspaceId)]);
        const rows = [];
        for (const agentId of action.agentIds) {
          const agent = await this.accounts.findAgent(workspaceId, agentId);
          if (!agent || agent.disabled_at || !clock) continue;
          const locale = agent.locale ?? workspace.default_locale;
          const text = renderNotification(locale, {
            phase: step.phase, kind: clock.kind, ticketNumber: ticket.number, subject: ticket.subject,
            dueAt: clock.due_at, timeZone: settings.calendar.timeZone,
          });
          rows.push({ escalation_id: step.id, ticket_id: ticket.id, agent_id: agentId, phase: step.phase, kind: clock.kind, locale, ...text });
        }
        await this.repo.insertNotifications(this.repo.in(workspaceId), rows);
        return rows.length ? 'done' : 'skipped';
      }
      case 'event': {
        const clock = await this.repo.clock(this.repo.in(workspaceId), step.clock_id);
        if (!clock) return 'skipped';
        const others = (await this.repo.escalationsOf(this.repo.in(workspaceId), ticket.id))
          .filter((e) => e.clock_id === step.clock_id && e.phase === step.phase && e.action.type !== 'event');
        // The event commits with the step's end: a crash cannot raise it twice (the step re-run after
        // its lease) or not at all, and a runner that finds the step finished raises nothing.
        await this.bus.transaction(this.repo.in(workspaceId), async (trx, events) => {
          const [finished] = await this.repo.finishEscalation(trx, step.id, this.clock.now(), 'done');
          if (!finished?.numUpdatedRows) return;
          events.publish(step.phase === 'breach' ? 'sla.breached' : 'sla.warned', workspaceId, {
            ticketId: ticket.id, ticketNumber: ticket.number, clockId: clock.id, kind: clock.kind, cycle: clock.cycle,
            dueAt: action.dueAt, at: (step.phase === 'breach' ? clock.breached_at : clock.warned_at)?.toISOString() ?? null,
            urgency: ticket.urgency, assigneeId: ticket.assignee_id,
            escalations: others.map((e) => ({ action: e.action.type, outcome: e.outcome })),
          }, { stream: ticket.id });
        });
        return 'recorded';
      }
    }
  }

  /**
   * The safety net behind the scheduled checks (a lost job, a crash mid-escalation): marks every
   * clock of the workspace that is past its warning or deadline, and finishes escalation steps whose
   * runner let go. One clock failing does not stop the others; the first failure is re-thrown at the end.
   */
  async sweepWorkspace(workspaceId: string): Promise<void> {
    const now = this.clock.now();
    let failure: unknown;
    for (const clock of await this.repo.overdue(this.repo.in(workspaceId), now, SWEEP_LIMIT)) {
      const phase: Phase = clock.due_at && clock.due_at.getTime() <= now.getTime() ? 'breach' : 'warning';
      const at = (phase === 'breach' ? clock.due_at : clock.warn_at)!;
      await this.check({ workspaceId, ticketId: clock.ticket_id, clockId: clock.id, phase, at: at.toISOString() }).catch((error: unknown) => { failure ??= error; });
    }
    await this.runEscalations(workspaceId, { olderThan: new Date(now.getTime() - 30_000) }).catch((error: unknown) => { failure ??= error; });
    if (failure) throw failure;
  }

  /** The cron's fan-out: one sweep job per workspace, keyed by minute so overlapping crons send it once. */
  async sweepAll(): Promise<void> {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    for (const workspaceId of await this.repo.workspaceIds()) {
      await this.jobs.send(SLA_JOBS.sweepWorkspace, { workspaceId }, { idempotencyKey: `sla.sweep:${workspaceId}:${minute}`, retryLimit: 1 });
    }
  }

  /**
   * After a change of the calendar or a policy: every node drops its copy, and open tickets are
   * synced again, each change in its own run (a later change must not be swallowed by an earlier one's key).
   */
  private async requestRecompute(workspaceId: string): Promise<void> {
    this.forgetSettings(workspaceId);
    await this.bus.publish('sla.settings_changed', workspaceId, {});
    await this.jobs.send<RecomputeJob>(SLA_JOBS.recompute, { workspaceId, requestId: randomUUID() });
  }

  /** The `sla.recompute` job: one page of open tickets, then the next page as its own job. */
  async recompute(job: RecomputeJob): Promise<void> {
    // This node may not have heard of the change yet.
    this.forgetSettings(job.workspaceId);
    const ids = await this.repo.activeTicketIds(this.repo.in(job.workspaceId), job.after, RECOMPUTE_PAGE);
    await this.syncMany(job.workspaceId, ids.map((ticketId) => ({ ticketId, hints: {} })));
    const last = ids.at(-1);
    if (ids.length === RECOMPUTE_PAGE && last) {
      await this.jobs.send<RecomputeJob>(SLA_JOBS.recompute, { ...job, after: last }, { idempotencyKey: `sla.recompute:${job.workspaceId}:${job.requestId}:${last}` });
    }
  }

  notifications(workspaceId: string, agentId: string, limit = 50): Promise<NotificationRow[]> {
    return this.repo.notificationsFor(this.repo.in(workspaceId), agentId, limit);
  }

  escalations(workspaceId: string, ticketId: string): Promise<EscalationRow[]> {
    return this.repo.escalationsOf(this.repo.in(workspaceId), ticketId);
  }
}

/** A ticket's sync an event asks for, with what just happened. */
interface TicketSync {
  ticketId: string;
  hints: Hints;
}

/** A reply moves the ticket's clocks; the opening message changes nothing `ticket.created` did not sync already. */
function syncOfMessage({ payload: message }: DomainEvent<'message.created'>): TicketSync | undefined {
  if (message.kind !== 'reply' || message.authorType === 'system' || message.opening) return undefined;
  return { ticketId: message.ticketId, hints: message.authorType === 'agent' ? { agentReplied: true } : { customerReplied: true } };
}

/** The ticket's check at `at` (see `scheduleCheck`); the key makes re-sending the same one a no-op. */
function checkJob(workspaceId: string, ticketId: string, at: Date, again = false): JobToSend<CheckJob> {
  return {
    name: SLA_JOBS.check,
    data: { workspaceId, ticketId, at: at.toISOString() },
    options: { startAfter: again ? new Date(at.getTime() + CLOCK_SKEW_MS) : at, idempotencyKey: `sla.check:${ticketId}:${at.toISOString()}${again ? ':again' : ''}` },
  };
}

/**
 * When the ticket's check must be sent now, if at all. A ticket has one check job waiting, at its
 * next warning or deadline (or earlier: a moved deadline's job finds nothing and sends the next).
 * Only a check that falls before the one waiting (by the clocks as they were) needs a job now; a
 * send that failed is caught by the sweep.
 */
function checkToSend(clocks: readonly CheckedClock[], before: readonly CheckedClock[]): Date | null {
  const next = nextCheckAt(clocks);
  const waiting = nextCheckAt(before);
  return next && (!waiting || next.getTime() < waiting.getTime()) ? next : null;
}

/**
 * What the clock rules make of the ticket now, by the workspace's calendar and the ticket's policy:
 * its state, clocks and deadlines, and whether the ticket shows those deadlines already.
 */
function reconcileTicket(input: {
  ticket: TicketRow; state: TicketStateRow | undefined; clocks: readonly ClockRow[]; hints: Hints; settings: SlaSettings; now: Date;
}): { result: Reconciled; deadlinesShown: boolean } {
  const { ticket, state, clocks, hints, settings, now } = input;
  const { calendar, pauseOnHold } = settings.compiled;
  const policy = choosePolicy(settings.policies, { urgency: ticket.urgency, departmentId: ticket.department_id });
  const result = reconcile({ state: state && workingState(state), clocks, ticket, hints, policy, calendar, pauseOnHold, now });
  const deadlinesShown = sameDate(ticket.first_response_due_at, result.deadlines.firstResponse)
    && sameDate(ticket.next_response_due_at, result.deadlines.nextResponse) && sameDate(ticket.resolution_due_at, result.deadlines.resolution);
  return { result, deadlinesShown };
}

function workingState(row: TicketStateRow): WorkingState {
  return { policy_id: row.policy_id, status: row.status, paused_since: row.paused_since, pauses: row.pauses, first_responded_at: row.first_responded_at };
}

/** Whether a sync has anything to write: a clock changed or started, the state changed, or the ticket shows other deadlines. */
function mustSave(state: TicketStateRow, result: Reconciled, deadlinesShown: boolean): boolean {
  return result.clocks.some((c) => c.dirty) || stateChanged(state, result.state) || !deadlinesShown;
}

function stateChanged(row: TicketStateRow, next: WorkingState): boolean {
  return row.policy_id !== next.policy_id || row.status !== next.status || !sameDate(row.paused_since, next.paused_since)
    || !sameDate(row.first_responded_at, next.first_responded_at) || JSON.stringify(row.pauses) !== JSON.stringify(next.pauses);
}

function sameDate(a: Date | null, b: Date | null): boolean {
  return (a?.getTime() ?? null) === (b?.getTime() ?? null);
}

const policyConflict = () => slaErrors.slaPolicyConflict('A policy for this urgency, department and tier already exists');
