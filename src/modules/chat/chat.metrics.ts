import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.js';
import type { ChatMetrics, Presence, Wallboard } from '../../contracts/chat.js';
import type { AccountsService } from '../accounts/index.js';
import type { RoutingService } from '../routing/index.js';
import { chatErrors } from './chat.errors.js';
import type { ChatRepo, PeriodTotals } from './chat.repo.js';
import type { ChatSettingsService } from './chat.settings.js';

export interface MetricsQuery {
  from: Date;
  to: Date;
  departmentId?: string;
  agentId?: string;
}

/** What the figures need from the rest of the chat and from other modules. */
export interface MetricsSources {
  settings(workspaceId: string): Promise<{ serviceLevelSeconds: number; costPerAgentHour: number }>;
  /** Throws the right error (DEPARTMENT_UNKNOWN, AGENT_NOT_FOUND) when the filter names nothing of the workspace. */
  checkFilter(workspaceId: string, query: MetricsQuery): Promise<void>;
  /** The department's members (their logged-in time is the department's cost). */
  members(workspaceId: string, departmentId: string): Promise<string[]>;
  timeZone(workspaceId: string): Promise<string>;
  agents(workspaceId: string): Promise<{ availability: Presence; acwUntil: Date | null; disabled: boolean }[]>;
}

/** The sources of the platform: the chat's settings and teams, accounts' agents and workspaces, routing's members and presence. */
export function metricsSources(
  settings: ChatSettingsService,
  accounts: Pick<AccountsService, 'findAgent' | 'workspace'>,
  routing: Pick<RoutingService, 'department' | 'agents'>,
): MetricsSources {
  return {
    settings: (workspaceId) => settings.get(workspaceId),
    checkFilter: async (workspaceId, query) => {
      if (query.departmentId) await settings.department(workspaceId, query.departmentId);
      if (query.agentId && !(await accounts.findAgent(workspaceId, query.agentId))) throw chatErrors.agentNotFound();
    },
    members: async (workspaceId, departmentId) => (await routing.department(workspaceId, departmentId)).memberIds,
    timeZone: async (workspaceId) => (await accounts.workspace(workspaceId)).time_zone,
    agents: (workspaceId) => routing.agents(workspaceId),
  };
}

/**
 * Contact-centre figures (see README.md, "Metrics"): the period's counts and summed times are
 * computed by Postgres (aggregate queries, and daily roll-ups of settled days), never by loading
 * the sessions; logged-in time sums the presence intervals overlapping the period.
 * The wallboard is the live queue plus today's figures.
 */
export class ChatMetricsService {
  constructor(private readonly repo: ChatRepo, private readonly clock: Clock, private readonly sources: MetricsSources) {}

  async metrics(workspaceId: string, query: MetricsQuery): Promise<ChatMetrics> {
    await this.sources.checkFilter(workspaceId, query);
    const db = this.repo.in(workspaceId);
    const { serviceLevelSeconds, costPerAgentHour } = await this.sources.settings(workspaceId);
    const totals = await this.totals(workspaceId, query, serviceLevelSeconds);
    const agentIds = query.agentId ? [query.agentId] : query.departmentId ? await this.sources.members(workspaceId, query.departmentId) : undefined;
    const loggedInHours = (await this.repo.loggedInMs(db, query.from, query.to, this.clock.now(), agentIds)) / 3_600_000;
    const seconds = (sumMs: number, count: number) => (count ? sumMs / 1000 / count : null);
    return {
      from: query.from.toISOString(), to: query.to.toISOString(), departmentId: query.departmentId ?? null, agentId: query.agentId ?? null,
      serviceLevelSeconds,
      offered: totals.offered, answered: totals.answered, abandoned: totals.abandoned, offline: totals.offline,
      abandonRate: ratio(totals.abandoned, totals.offered),
      serviceLevel: ratio(totals.withinServiceLevel, totals.offered),
      averageSpeedOfAnswerSeconds: seconds(totals.answerMs, totals.answered),
      averageHandleSeconds: seconds(totals.handleMs, totals.handled),
      averageAcwSeconds: seconds(totals.acwMs, totals.withAcw),
      transfers: totals.transferred,
      transferRate: ratio(totals.transferred, totals.answered),
      loggedInHours: round(loggedInHours, 6),
      costPerContact: totals.answered ? round((costPerAgentHour * loggedInHours) / totals.answered, 4) : null,
      rated: totals.rated,
      averageRating: totals.rated ? round(totals.ratingSum / totals.rated, 2) : null,
    };
  }

  /**
   * An agent's figures are aggregated over the period's sessions each time. The workspace's (or a
   * department's) read the roll-ups of the whole settled UTC days in the period, rolling up those
   * not done yet, and aggregate only the rest: a month costs about the same at any volume.
   */
  private async totals(workspaceId: string, query: MetricsQuery, serviceLevelSeconds: number): Promise<PeriodTotals> {
    const db = this.repo.in(workspaceId);
    const live = (from: Date, to: Date) => this.repo.periodTotals(db, { ...query, from, to, serviceLevelSeconds });
    const firstDay = ceilDay(query.from);
    const endDay = new Date(Math.min(floorDay(query.to).getTime(), floorDay(new Date(this.clock.now().getTime() - SETTLED_AFTER_MS)).getTime()));
    if (query.agentId || firstDay >= endDay) return live(query.from, query.to);
    await this.rollUp(workspaceId, firstDay, endDay, serviceLevelSeconds);
    const parts = await Promise.all([
      this.repo.rolledUp(db, isoDay(firstDay), isoDay(endDay), query.departmentId),
      ...(query.from < firstDay ? [live(query.from, firstDay)] : []),
      ...(endDay < query.to ? [live(endDay, query.to)] : []),
    ]);
    return parts.reduce(addTotals);
  }

  /** Rolls up the days of [from, to) not rolled up with this threshold yet. */
  private async rollUp(workspaceId: string, from: Date, to: Date, serviceLevelSeconds: number): Promise<void> {
    const db = this.repo.in(workspaceId);
    const done = await this.repo.daysDone(db, isoDay(from), isoDay(to), serviceLevelSeconds);
    const missing: string[] = [];
    for (let day = from; day < to; day = new Date(day.getTime() + DAY_MS)) if (!done.has(isoDay(day))) missing.push(isoDay(day));
    if (!missing.length) return;
    const start = new Date(`${missing[0]}T00:00:00Z`);
    const end = new Date(new Date(`${missing.at(-1)}T00:00:00Z`).getTime() + DAY_MS);
    const wanted = new Set(missing);
    const rows = (await this.repo.dayTotals(db, start, end, serviceLevelSeconds)).filter((r) => wanted.has(r.day));
    await this.repo.saveDays(db, workspaceId, missing, serviceLevelSeconds, rows);
  }

  async wallboard(workspaceId: string): Promise<Wallboard> {
    const now = this.clock.now();
    const startOfDay = DateTime.fromJSDate(now).setZone(await this.sources.timeZone(workspaceId)).startOf('day').toJSDate();
    const db = this.repo.in(workspaceId);
    const [queues, agents, today, missed] = await Promise.all([
      this.repo.waitingByDepartment(db), this.sources.agents(workspaceId),
      this.metrics(workspaceId, { from: startOfDay, to: new Date(now.getTime() + 1) }),
      this.repo.missedSince(db, startOfDay, MISSED_SHOWN),
    ]);
    const wait = (since: Date) => Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
    const counts: Wallboard['agents'] = { online: 0, away: 0, on_break: 0, offline: 0, acw: 0 };
    for (const a of agents.filter((x) => !x.disabled)) {
      if (a.acwUntil && a.availability === 'online') counts.acw++;
      else counts[a.availability]++;
    }
    const waiting = queues.reduce((sum, q) => sum + q.waiting, 0);
    return {
      at: now.toISOString(), waiting, longestWaitSeconds: queues.length ? Math.max(...queues.map((q) => wait(q.oldest))) : 0,
      agents: counts, serviceLevelToday: today.serviceLevel, offeredToday: today.offered, answeredToday: today.answered,
      abandonedToday: today.abandoned, offlineToday: today.offline, ratedToday: today.rated, averageRatingToday: today.averageRating,
      missedToday: missed.map((m) => ({
        conversationId: m.id, ticketNumber: m.ticket_number, visitorName: m.visitor_name, reason: m.status === 'offline' ? 'offline' : 'abandoned',
        queuedAt: m.queued_at.toISOString(), waitedSeconds: Math.max(0, Math.round(((m.ended_at ?? now).getTime() - m.queued_at.getTime()) / 1000)),
      })),
      queues: queues.map((q) => ({ departmentId: q.departmentId ?? '', waiting: q.waiting, longestWaitSeconds: wait(q.oldest) })),
    };
  }
}

const DAY_MS = 86_400_000;
/** Missed chats the wallboard lists; the rest are in the inbox (each is a ticket). */
const MISSED_SHOWN = 10;
/**
 * A UTC day this long past its end is settled: its chats have long ended (and their after-contact
 * work with them), so its figures no longer change and may be rolled up.
 */
const SETTLED_AFTER_MS = 2 * DAY_MS;
const floorDay = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (at: Date) => new Date(Math.ceil(at.getTime() / DAY_MS) * DAY_MS);
const isoDay = (day: Date) => day.toISOString().slice(0, 10);

function addTotals(a: PeriodTotals, b: PeriodTotals): PeriodTotals {
  return {
    offline: a.offline + b.offline, offered: a.offered + b.offered, answered: a.answered + b.answered, abandoned: a.abandoned + b.abandoned,
    withinServiceLevel: a.withinServiceLevel + b.withinServiceLevel, answerMs: a.answerMs + b.answerMs, handled: a.handled + b.handled,
    handleMs: a.handleMs + b.handleMs, withAcw: a.withAcw + b.withAcw, acwMs: a.acwMs + b.acwMs, transferred: a.transferred + b.transferred,
    rated: a.rated + b.rated, ratingSum: a.ratingSum + b.ratingSum,
  };
}

const ratio = (part: number, whole: number) => (whole ? part / whole : null);
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
