import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { DB } from '../../core/db/database.js';
import type { DomainEvent } from '../../core/events/index.js';
import { translator } from '../../core/i18n/index.js';
import type { JobQueue } from '../../core/jobs/index.js';
import type { OutboundMail } from '../../core/mail/outbox.js';
import type { AutomationSettings } from '../../contracts/triage.js';
import { triageErrors } from './triage.errors.js';
import type { TriageConfigCache } from './triage.config.js';
import type { TriageRepo } from './triage.repo.js';
import type { AutomationKind, AutomationPlan, AutomationRunRow } from './triage.schema.js';
import type { AutomationSelection, AutomationTicket, TriagePorts } from './triage.service.js';

export const AUTOMATION_JOBS = {
  /** Every five minutes: one sweep job per workspace with automations saved. */
  sweepAll: 'triage.automations_sweep_all',
  sweep: 'triage.automations_sweep',
  /** One automation on one ticket for one condition. */
  fire: 'triage.automation_fire',
} as const;

/**
 * What a workspace has before an admin saves anything: time-based automations off (they mail
 * people and close tickets: an admin turns them on), duplicate merging and spam parking off (they
 * merge and close tickets on their own; the demo workspace has them on), with the values.
 */
export const DEFAULT_AUTOMATIONS: AutomationSettings = {
  remind: { enabled: false, afterHours: 4 },
  escalate: { enabled: false, afterHours: 24, onSlaWarning: false, raiseUrgencyTo: 2, departmentId: null, notify: true },
  autoClose: { enabled: false, afterDays: 7 },
  duplicates: { enabled: false, windowMinutes: 10 },
  spam: { enabled: false, threshold: 5, blocklist: [] },
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Tickets read per page while sweeping one selection. */
const SWEEP_PAGE = 500;
const SYSTEM = { type: 'system' as const, id: null };
/** The condition key of "no first answer yet": a ticket has one first answer, so it escalates for it once. */
const NO_FIRST_REPLY = 'no-first-reply';
const WAITING_STATUSES = ['new', 'open'];

/** What the automations need beyond triage's own ports. */
export type AutomationPorts = Pick<TriagePorts, 'source' | 'tickets' | 'customers' | 'accounts' | 'outbox'>;

/** The stored document with the defaults filled in: sections saved before a field was added keep the default of that field. */
function automationSettingsOf(stored: Partial<AutomationSettings> | undefined): AutomationSettings {
  return Object.fromEntries(Object.entries(DEFAULT_AUTOMATIONS).map(([key, defaults]) => [key, { ...defaults, ...stored?.[key as keyof AutomationSettings] }])) as AutomationSettings;
}

export interface FireJob { workspaceId: string; ticketId: string; automation: AutomationKind; conditionKey: string }

/**
 * Time-based automations per workspace (issue 14, item 4): remind the assignee of a ticket waiting
 * on an agent, escalate a ticket without a first answer (or on an SLA warning), close a ticket left
 * pending, with a notice to the customer. Reopening on the customer's reply is the tickets' status
 * machine already (README, "Reopen on reply").
 *
 * Exactly once per ticket and condition: the sweep sends one `fire` job per ticket whose condition
 * holds, keyed by the ticket and the condition (the wait that began at the customer's last message,
 * the missing first answer, the pending spell that began at the last change); `fire` claims the
 * `triage_automation_runs` row of that key with its plan before it acts, carries the plan out with
 * changes that are idempotent (values set, not added), then queues its mails, writes its activity
 * line and marks the row done in one transaction. A retry after a crash carries out the same plan;
 * a later sweep finds the row and skips.
 */
export class TriageAutomations {
  constructor(
    private readonly repo: TriageRepo,
    private readonly ports: AutomationPorts,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    /** The workspace's settings as this node keeps them (a new ticket reads them); a save drops them everywhere. */
    private readonly config: TriageConfigCache,
  ) {}

  /** As stored; `fresh: false` (a new ticket's triage) takes this node's copy, which may lag a change on another node by the event's way. */
  async settings(workspaceId: string, { fresh = true }: { fresh?: boolean } = {}): Promise<AutomationSettings> {
    return automationSettingsOf(fresh ? await this.repo.automationSettings(workspaceId) : (await this.config.get(workspaceId)).automations);
  }

  /** Saves all the settings at once (admin), audited; refused with each problem's path (TRIAGE_AUTOMATIONS_INVALID). */
  async saveSettings(workspaceId: string, input: AutomationSettings, actor: Parameters<AutomationPorts['accounts']['audit']>[1]): Promise<AutomationSettings> {
    const problems: { path: string; code: string; message: string }[] = [];
    const { escalate } = input;
    if (escalate.enabled && escalate.raiseUrgencyTo === null && escalate.departmentId === null && !escalate.notify) {
      problems.push({ path: 'escalate', code: 'NOTHING_TO_DO', message: 'An escalation must raise the urgency, move the ticket to a team or tell someone' });
    }
    if (escalate.departmentId) {
      const live = (await this.ports.tickets.departments(workspaceId)).filter((d) => !d.archived_at).map((d) => d.id);
      if (!live.includes(escalate.departmentId)) problems.push({ path: 'escalate.departmentId', code: 'DEPARTMENT_UNKNOWN', message: 'There is no such department in this workspace' });
    }
    if (problems.length) throw triageErrors.automationsInvalid(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    const settings = { ...input, spam: { ...input.spam, blocklist: [...new Set(input.spam.blocklist)] } };
    await this.repo.saveAutomationSettings(workspaceId, settings, this.clock.now());
    await this.config.changed(workspaceId);
    await this.ports.accounts.audit(workspaceId, actor, 'triage.automations_updated', 'triage_automations', null, settings);
    return settings;
  }

  // ---- sweeping

  /** The cron's fan-out: one sweep per workspace and minute, so one failing workspace stops no other. */
  async sweepAll(): Promise<void> {
    const minute = this.clock.now().toISOString().slice(0, 16);
    for (const workspaceId of await this.repo.automationWorkspaceIds()) {
      await this.jobs.send(AUTOMATION_JOBS.sweep, { workspaceId }, { idempotencyKey: `${AUTOMATION_JOBS.sweep}:${workspaceId}:${minute}` });
    }
  }

  /** Sends a `fire` job for each ticket whose automation is due and not yet claimed; returns how many. */
  async sweep(workspaceId: string): Promise<number> {
    const settings = await this.settings(workspaceId);
    const now = this.clock.now().getTime();
    const due: [AutomationKind, AutomationSelection, Date, (t: AutomationTicket) => string][] = [];
    if (settings.remind.enabled) due.push(['remind', 'waitingOnAgent', new Date(now - settings.remind.afterHours * HOUR_MS), waitKey]);
    if (settings.escalate.enabled) due.push(['escalate', 'unanswered', new Date(now - settings.escalate.afterHours * HOUR_MS), () => NO_FIRST_REPLY]);
    if (settings.autoClose.enabled) due.push(['autoClose', 'pendingSince', new Date(now - settings.autoClose.afterDays * DAY_MS), pendingKey]);
    let sent = 0;
    for (const [automation, selection, before, keyOf] of due) {
      let after: { at: Date; id: string } | undefined;
      for (;;) {
        const page = await this.ports.source.automationCandidates(workspaceId, selection, before, SWEEP_PAGE, after);
        const claimed = await this.repo.claimedKeys(workspaceId, automation, page.map((t) => t.id));
        for (const ticket of page) {
          const conditionKey = keyOf(ticket);
          if (claimed.has(`${ticket.id}:${conditionKey}`)) continue;
          const job: FireJob = { workspaceId, ticketId: ticket.id, automation, conditionKey };
          if (await this.jobs.send(AUTOMATION_JOBS.fire, job, { idempotencyKey: `${automation}:${ticket.id}:${conditionKey}` })) sent++;
        }
        if (page.length < SWEEP_PAGE) break;
        const last = page.at(-1)!;
        after = { at: last.updatedAt, id: last.id };
      }
    }
    return sent;
  }

  /** `sla.warned`: the escalation, when the workspace escalates on SLA warnings; once per clock and cycle. */
  onSlaWarned = async (event: DomainEvent<'sla.warned'>): Promise<void> => {
    const settings = await this.settings(event.workspaceId);
    if (!settings.escalate.enabled || !settings.escalate.onSlaWarning) return;
    const { ticketId, clockId, cycle, kind } = event.payload;
    await this.fire({ workspaceId: event.workspaceId, ticketId, automation: 'escalate', conditionKey: `sla:${clockId}:${cycle}` }, kind);
  };

  // ---- firing

  /**
   * One automation on one ticket: claims its run with a plan made from the ticket as it is now
   * (nothing, when the condition no longer holds: the agent answered, the customer wrote), carries
   * the plan out and records it in the ticket's activity log. A run already done does nothing.
   */
  async fire(job: FireJob, slaKind?: string): Promise<AutomationRunRow | undefined> {
    const { workspaceId, ticketId, automation, conditionKey } = job;
    let run = await this.repo.findRun(workspaceId, ticketId, automation, conditionKey);
    if (run?.state === 'done') return run;
    if (!run) {
      const ticket = await this.ports.source.automationTicket(workspaceId, ticketId);
      if (!ticket) return undefined;
      const plan = await this.plan(workspaceId, automation, conditionKey, ticket, slaKind);
      if (!plan) return undefined;
      run = await this.repo.claimRun(workspaceId, { ticketId, automation, conditionKey, plan }, this.clock.now());
    }
    await this.carryOut(job, run.plan);
    return { ...run, state: 'done' };
  }

  /** What the automation does to the ticket now, or undefined when its condition no longer holds. */
  private async plan(workspaceId: string, automation: AutomationKind, conditionKey: string, ticket: AutomationTicket, slaKind?: string): Promise<AutomationPlan | undefined> {
    const settings = await this.settings(workspaceId);
    const now = this.clock.now().getTime();
    if (ticket.mergedIntoId) return undefined;
    switch (automation) {
      case 'remind': {
        const hours = settings.remind.afterHours;
        const waiting = WAITING_STATUSES.includes(ticket.status) && ticket.assigneeId && ticket.lastCustomerMessageAt
          && waitKey(ticket) === conditionKey && ticket.lastCustomerMessageAt.getTime() <= now - hours * HOUR_MS
          && !(ticket.lastAgentMessageAt && ticket.lastAgentMessageAt >= ticket.lastCustomerMessageAt);
        return waiting ? { notify: [ticket.assigneeId!], reason: { hours } } : undefined;
      }
      case 'escalate': {
        const { escalate } = settings;
        const holds = conditionKey === NO_FIRST_REPLY
          ? WAITING_STATUSES.includes(ticket.status) && !ticket.firstResponseAt && ticket.createdAt.getTime() <= now - escalate.afterHours * HOUR_MS
          : !['solved', 'closed'].includes(ticket.status);
        if (!holds) return undefined;
        const plan: AutomationPlan = { reason: conditionKey === NO_FIRST_REPLY ? { hours: escalate.afterHours } : { slaKind: slaKind ?? 'unknown' } };
        if (escalate.raiseUrgencyTo !== null && escalate.raiseUrgencyTo > ticket.urgency) plan.urgency = escalate.raiseUrgencyTo;
        if (escalate.departmentId && escalate.departmentId !== ticket.departmentId) plan.departmentId = escalate.departmentId;
        if (escalate.notify) plan.notify = ticket.assigneeId ? [ticket.assigneeId] : await this.admins(workspaceId);
        return plan;
      }
      case 'autoClose': {
        const days = settings.autoClose.afterDays;
        const pending = ticket.status === 'pending' && pendingKey(ticket) === conditionKey && ticket.updatedAt.getTime() <= now - days * DAY_MS;
        return pending ? { status: 'closed', noticeToCustomer: true, reason: { days } } : undefined;
      }
    }
  }

  private async admins(workspaceId: string): Promise<string[]> {
    return (await this.ports.accounts.listAgents(workspaceId)).filter((a) => a.role === 'admin' && !a.disabled_at).map((a) => a.id);
  }

  /**
   * Idempotent: the ticket's values are set (not raised again), each mail has its key. The mails,
   * the activity line and the run marked done commit together: a retry after a crash before the
   * commit writes them once, and one after it finds the run done.
   */
  private async carryOut(job: FireJob, plan: AutomationPlan): Promise<void> {
    const { workspaceId, ticketId, automation, conditionKey } = job;
    const changes = {
      ...(plan.urgency !== undefined && { urgency: plan.urgency as 0 | 1 | 2 | 3 | 4 }),
      ...(plan.departmentId && { departmentId: plan.departmentId }),
      ...(plan.status && { status: plan.status }),
    };
    if (Object.keys(changes).length) await this.ports.tickets.update(workspaceId, ticketId, changes, SYSTEM);
    const ticket = await this.ports.source.automationTicket(workspaceId, ticketId);
    const finish = (trx: Kysely<DB>) => this.repo.finishRun(trx, ticketId, automation, conditionKey, this.clock.now());
    if (!ticket) return finish(this.repo.in(workspaceId));
    const mails: OutboundMail[] = [];
    const workspace = await this.ports.accounts.workspace(workspaceId);
    const base = { number: String(ticket.number), subject: ticket.subject };
    for (const agentId of plan.notify ?? []) {
      const agent = await this.ports.accounts.findAgent(workspaceId, agentId);
      if (!agent || agent.disabled_at) continue;
      const locale = agent.locale ?? workspace.default_locale;
      const reason = plan.reason.hours !== undefined
        ? translator(locale)('mail.triageEscalated.noFirstReply', { hours: plan.reason.hours })
        : translator(locale)('mail.triageEscalated.slaWarning');
      mails.push({
        to: agent.email, locale, autoSubmitted: 'auto-generated',
        template: automation === 'remind' ? 'triageReminder' : 'triageEscalated',
        vars: { ...base, name: agent.name, workspace: workspace.name[locale], hours: String(plan.reason.hours ?? ''), reason },
        idempotencyKey: `triage.${automation}:${ticketId}:${conditionKey}:${agentId}`,
      });
    }
    const notified = mails.length;
    if (plan.noticeToCustomer) {
      const customer = await this.ports.customers.findCustomer(workspaceId, ticket.customerId);
      if (customer?.email) {
        const locale = customer.locale ?? workspace.default_locale;
        mails.push({
          to: customer.email, locale, ticketId, autoSubmitted: 'auto-generated', template: 'triageAutoClosed',
          vars: { ...base, name: customer.name, workspace: workspace.name[locale], days: String(plan.reason.days ?? '') },
          idempotencyKey: `triage.autoClose:${ticketId}:${conditionKey}`,
        });
      }
    }
    const noticeSent = mails.length > notified;
    // Read above, written here: the transaction holds one connection and waits for no other.
    await this.repo.in(workspaceId).transaction().execute(async (trx) => {
      for (const mail of mails) await this.ports.outbox.queue(workspaceId, mail, trx);
      await this.ports.tickets.recordActivity(workspaceId, ticketId, ACTIVITY[automation], {
        ...plan.reason, ...changes, ...(plan.notify && { notified }), ...(plan.noticeToCustomer && { noticeSent }),
      }, trx);
      await finish(trx);
    });
  }
}

/** The activity log's action per automation (the details say what it set and whom it told). */
const ACTIVITY: Record<AutomationKind, string> = { remind: 'triage.reminded', escalate: 'triage.escalated', autoClose: 'triage.auto_closed' };

/** A wait on an agent begins with the customer's last message: each wait reminds once. */
const waitKey = (ticket: AutomationTicket) => ticket.lastCustomerMessageAt?.toISOString() ?? 'never';
/** A pending spell is measured from the ticket's last change: a ticket reopened and pending again can close again. */
const pendingKey = (ticket: AutomationTicket) => ticket.updatedAt.toISOString();
