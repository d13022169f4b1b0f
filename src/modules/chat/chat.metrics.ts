import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.js';
import type { ChatMetrics, Presence, Wallboard } from './chat.protocol.js';
import type { ChatRepo } from './chat.repo.js';

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

/**
 * Contact-centre figures (see README.md, "Metrics"): the period's counts and averages are
 * computed by Postgres in one aggregate query over the period's sessions (an index range on
 * `queued_at`), never by loading them; logged-in time sums the presence intervals overlapping it.
 * The wallboard is the live queue plus today's figures.
 */
export class ChatMetricsService {
  constructor(private readonly repo: ChatRepo, private readonly clock: Clock, private readonly sources: MetricsSources) {}

  async metrics(workspaceId: string, query: MetricsQuery): Promise<ChatMetrics> {
    await this.sources.checkFilter(workspaceId, query);
    const db = this.repo.in(workspaceId);
    const { serviceLevelSeconds, costPerAgentHour } = await this.sources.settings(workspaceId);
    const totals = await this.repo.periodTotals(db, { ...query, serviceLevelSeconds });
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
    };
  }

  async wallboard(workspaceId: string): Promise<Wallboard> {
    const now = this.clock.now();
    const startOfDay = DateTime.fromJSDate(now).setZone(await this.sources.timeZone(workspaceId)).startOf('day').toJSDate();
    const db = this.repo.in(workspaceId);
    const [queues, agents, today] = await Promise.all([
      this.repo.waitingByDepartment(db), this.sources.agents(workspaceId),
      this.metrics(workspaceId, { from: startOfDay, to: new Date(now.getTime() + 1) }),
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
      abandonedToday: today.abandoned,
      queues: queues.map((q) => ({ departmentId: q.departmentId ?? '', waiting: q.waiting, longestWaitSeconds: wait(q.oldest) })),
    };
  }
}

const ratio = (part: number, whole: number) => (whole ? part / whole : null);
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
