import { sql, type Kysely, type Transaction } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Locale } from '../../core/i18n/index.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import { queryTemplate } from '../../core/db/query-template.js';
import type { TicketStatus, Urgency } from '../tickets/index.js';
import type { CalendarDocument } from './sla.calendar.js';
import type { WorkingClock, WorkingState } from './sla.clocks.js';
import type { ClockKind, ClockRow, EscalationAction, EscalationRule, Phase, TicketStateRow } from './sla.schema.js';

export type Db = Kysely<DB> | Transaction<DB>;

const STATE_INSTANTS = ['paused_since', 'first_responded_at', 'updated_at'] as const satisfies readonly (keyof TicketStateRow)[];
const CLOCK_INSTANTS = ['started_at', 'due_at', 'warn_at', 'stopped_at', 'warned_at', 'breached_at'] as const satisfies readonly (keyof ClockRow)[];

/** A row read as JSON, its instants (ISO strings there) as dates: the row a plain read gives. */
function withDates<Row>(row: object, instants: readonly string[]): Row {
  const out: Record<string, unknown> = { ...row };
  for (const key of instants) if (typeof out[key] === 'string') out[key] = new Date(out[key]);
  return out as Row;
}

export interface PolicyValues {
  name: string;
  urgency: Urgency;
  department_id: string | null;
  customer_tier: string | null;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  warning_minutes: number;
  escalations: EscalationRule[];
}

/** A ticket's state as saved. */
function stateValues(state: WorkingState, now: Date) {
  return {
    policy_id: state.policy_id, status: state.status, paused_since: state.paused_since, pauses: JSON.stringify(state.pauses),
    first_responded_at: state.first_responded_at, updated_at: now,
  };
}

/** Only the fields of a clock the clock rules own: warned_at / breached_at belong to the checks. */
function ownedValues(clock: WorkingClock) {
  return {
    target_minutes: clock.target_minutes, due_at: clock.due_at, warn_at: clock.warn_at, stopped_at: clock.stopped_at,
    outcome: clock.outcome, business_minutes: clock.business_minutes,
  };
}

/** Statements of every ticket's clock syncs and checks, built and compiled once (core/db/query-template.ts). */
const STATE = queryTemplate((db, { ticketId }: { ticketId: string }) => db.selectFrom('sla_ticket_states').selectAll().where('ticket_id', '=', ticketId));
const CLOCKS = queryTemplate((db, { ticketId }: { ticketId: string }) => db.selectFrom('sla_clocks').selectAll().where('ticket_id', '=', ticketId)
  .orderBy('started_at').orderBy('kind').orderBy('cycle'));
const STATE_WITH_CLOCKS = queryTemplate((db, { ticketId }: { ticketId: string }) => db.selectNoFrom((eb) => [
  jsonObjectFrom(eb.selectFrom('sla_ticket_states').selectAll().where('ticket_id', '=', ticketId)).as('state'),
  jsonArrayFrom(eb.selectFrom('sla_clocks').selectAll().where('ticket_id', '=', ticketId)
    .orderBy('started_at').orderBy('kind').orderBy('cycle')).as('clocks'),
]));
/** The states and clocks of many tickets in one statement; a ticket without a state has no row. */
const STATES_WITH_CLOCKS = queryTemplate((db, { ticketIds }: { ticketIds: readonly string[] }) => db.selectFrom('sla_ticket_states').selectAll('sla_ticket_states')
  .select((eb) => jsonArrayFrom(eb.selectFrom('sla_clocks').selectAll().whereRef('sla_clocks.ticket_id', '=', 'sla_ticket_states.ticket_id')
    .orderBy('started_at').orderBy('kind').orderBy('cycle')).as('clocks'))
  .where('ticket_id', '=', (eb) => eb.fn.any(eb.val(ticketIds))));
/**
 * Many tickets' states, each only if nobody saved it since its `version` was read: the columns as
 * arrays unnested side by side (one statement of one shape); returns the tickets saved.
 */
const UPDATE_STATES = queryTemplate((db, rows: {
  ticketIds: string[]; versions: number[]; policyIds: (string | null)[]; statuses: TicketStatus[]; pausedSince: (Date | null)[];
  pauses: string[]; firstRespondedAt: (Date | null)[]; now: Date;
}) => db.updateTable('sla_ticket_states')
  .from(sql<{ ticket_id: string; version: number; policy_id: string | null; status: TicketStatus; paused_since: Date | null; pauses: string; first_responded_at: Date | null }>`unnest(
    ${rows.ticketIds}::uuid[], ${rows.versions}::int[], ${rows.policyIds}::uuid[], ${rows.statuses}::text[], ${rows.pausedSince}::timestamptz[],
    ${rows.pauses}::text[], ${rows.firstRespondedAt}::timestamptz[])`
    .as<'saved'>(sql`saved(ticket_id, version, policy_id, status, paused_since, pauses, first_responded_at)`))
  .set((eb) => ({
    policy_id: eb.ref('saved.policy_id'), status: eb.ref('saved.status'), paused_since: eb.ref('saved.paused_since'),
    pauses: sql`saved.pauses::jsonb`, first_responded_at: eb.ref('saved.first_responded_at'), updated_at: rows.now,
    version: sql`sla_ticket_states.version + 1`,
  }))
  .whereRef('sla_ticket_states.ticket_id', '=', 'saved.ticket_id')
  .whereRef('sla_ticket_states.version', '=', 'saved.version')
  .returning('sla_ticket_states.ticket_id'));
/** The fields the clock rules own (`ownedValues`) of many clocks, in one statement of one shape. */
const UPDATE_CLOCKS = queryTemplate((db, rows: {
  ids: string[]; targetMinutes: (number | null)[]; dueAt: (Date | null)[]; warnAt: (Date | null)[]; stoppedAt: (Date | null)[];
  outcomes: (string | null)[]; businessMinutes: (number | null)[];
}) => db.updateTable('sla_clocks')
  .from(sql<{ id: string; target_minutes: number | null; due_at: Date | null; warn_at: Date | null; stopped_at: Date | null; outcome: string | null; business_minutes: number | null }>`unnest(
    ${rows.ids}::uuid[], ${rows.targetMinutes}::int[], ${rows.dueAt}::timestamptz[], ${rows.warnAt}::timestamptz[], ${rows.stoppedAt}::timestamptz[],
    ${rows.outcomes}::text[], ${rows.businessMinutes}::int[])`
    .as<'owned'>(sql`owned(id, target_minutes, due_at, warn_at, stopped_at, outcome, business_minutes)`))
  .set((eb) => ({
    target_minutes: eb.ref('owned.target_minutes'), due_at: eb.ref('owned.due_at'), warn_at: eb.ref('owned.warn_at'),
    stopped_at: eb.ref('owned.stopped_at'), outcome: sql`owned.outcome`, business_minutes: eb.ref('owned.business_minutes'),
  }))
  .whereRef('sla_clocks.id', '=', 'owned.id'));
const CLOCK = queryTemplate((db, { id }: { id: string }) => db.selectFrom('sla_clocks').selectAll().where('id', '=', id));
const POLICY = queryTemplate((db, { id }: { id: string }) => db.selectFrom('sla_policies').selectAll().where('id', '=', id));
const UPDATE_STATE = queryTemplate((db, { ticketId, version, values }: { ticketId: string; version: number; values: ReturnType<typeof stateValues> & { version: number } }) =>
  db.updateTable('sla_ticket_states').set(values).where('ticket_id', '=', ticketId).where('version', '=', version).returning('version'));
const UPDATE_CLOCK = queryTemplate((db, { id, values }: { id: string; values: ReturnType<typeof ownedValues> }) => db.updateTable('sla_clocks').set(values).where('id', '=', id));
const MARK = {
  breach: queryTemplate((db, { clockId, now, dueBy }: { clockId: string; now: Date; dueBy: Date }) => db.updateTable('sla_clocks').set({ breached_at: now })
    .where('id', '=', clockId).where('stopped_at', 'is', null).where('breached_at', 'is', null).where('due_at', '<=', dueBy).returningAll()),
  warning: queryTemplate((db, { clockId, now, dueBy }: { clockId: string; now: Date; dueBy: Date }) => db.updateTable('sla_clocks').set({ warned_at: now })
    .where('id', '=', clockId).where('stopped_at', 'is', null).where('breached_at', 'is', null).where('warned_at', 'is', null).where('warn_at', '<=', dueBy).returningAll()),
} satisfies Record<Phase, unknown>;

/** Every query starts from `in(workspaceId)`: the tenancy plugin scopes it to that workspace. */
export class SlaRepo {
  constructor(private readonly db: Kysely<DB>, private readonly tenancy: Tenancy<DB>) {}

  in(workspaceId: string): Kysely<DB> {
    return this.tenancy.forWorkspace(workspaceId);
  }

  /**
   * Workspaces that have SLA settings, for the periodic sweep's fan-out. The one query here not
   * scoped to a workspace, on purpose: it reads only ids, and each id becomes its own scoped job.
   */
  async workspaceIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('sla_calendars').select('workspace_id').execute();
    return rows.map((r) => r.workspace_id);
  }

  // ---- calendar ------------------------------------------------------------------------------

  calendar(db: Db) {
    return db.selectFrom('sla_calendars').selectAll().executeTakeFirst();
  }

  insertCalendar(db: Db, doc: CalendarDocument, pauseOnHold: boolean) {
    return db.insertInto('sla_calendars').values({
      time_zone: doc.timeZone, weekly_hours: JSON.stringify(doc.weeklyHours), holidays: JSON.stringify(doc.holidays),
      workdays: JSON.stringify(doc.workdays), pause_on_hold: pauseOnHold,
    }).onConflict((oc) => oc.column('workspace_id').doNothing()).execute();
  }

  upsertCalendar(db: Db, doc: CalendarDocument, pauseOnHold: boolean, now: Date) {
    const values = {
      time_zone: doc.timeZone, weekly_hours: JSON.stringify(doc.weeklyHours), holidays: JSON.stringify(doc.holidays),
      workdays: JSON.stringify(doc.workdays), pause_on_hold: pauseOnHold, updated_at: now,
    };
    return db.insertInto('sla_calendars').values(values)
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values)).returningAll().executeTakeFirstOrThrow();
  }

  // ---- policies ------------------------------------------------------------------------------

  policies(db: Db) {
    return db.selectFrom('sla_policies').selectAll().orderBy('urgency', 'desc').orderBy('department_id', 'asc').orderBy('customer_tier', 'asc').orderBy('name').execute();
  }

  policy(db: Db, id: string) {
    return POLICY.first(db, { id });
  }

  /** Undefined when a policy for the same urgency, department and tier exists. */
  insertPolicy(db: Db, values: PolicyValues) {
    return db.insertInto('sla_policies').values({ ...values, escalations: JSON.stringify(values.escalations) })
      .onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
  }

  updatePolicy(db: Db, id: string, values: Partial<PolicyValues>, now: Date) {
    const { escalations, ...rest } = values;
    return db.updateTable('sla_policies')
      .set({ ...rest, ...(escalations ? { escalations: JSON.stringify(escalations) } : {}), updated_at: now })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  deletePolicy(db: Db, id: string) {
    return db.deleteFrom('sla_policies').where('id', '=', id).executeTakeFirst();
  }

  // ---- ticket state and clocks ---------------------------------------------------------------

  state(db: Db, ticketId: string) {
    return STATE.first(db, { ticketId });
  }

  clocks(db: Db, ticketId: string) {
    return CLOCKS.rows(db, { ticketId });
  }

  /**
   * The ticket's state and clocks in one statement (every sync reads both; issue 15). They come
   * as JSON, so their instants are turned back into dates here.
   */
  async stateWithClocks(db: Db, ticketId: string): Promise<{ state: TicketStateRow | undefined; clocks: ClockRow[] }> {
    const row = await STATE_WITH_CLOCKS.firstOrThrow(db, { ticketId });
    return {
      state: row.state ? withDates<TicketStateRow>(row.state, STATE_INSTANTS) : undefined,
      clocks: row.clocks.map((clock) => withDates<ClockRow>(clock, CLOCK_INSTANTS)),
    };
  }

  /** `stateWithClocks` of many tickets in one statement, by ticket; a ticket without a state is not in it. */
  async statesWithClocks(db: Db, ticketIds: readonly string[]): Promise<Map<string, { state: TicketStateRow; clocks: ClockRow[] }>> {
    if (!ticketIds.length) return new Map();
    const rows = await STATES_WITH_CLOCKS.rows(db, { ticketIds });
    return new Map(rows.map(({ clocks, ...state }) => [state.ticket_id, {
      state, clocks: clocks.map((clock) => withDates<ClockRow>(clock, CLOCK_INSTANTS)),
    }]));
  }

  clock(db: Db, id: string) {
    return CLOCK.first(db, { id });
  }

  /**
   * Saves a reconciled state if nobody saved since `version` was read (undefined: no state yet).
   * Returns the new version, or undefined when another save won the race (re-read and retry).
   */
  async saveState(
    workspaceId: string, ticketId: string, version: number | undefined, state: WorkingState, clocks: WorkingClock[], now: Date,
    alongside?: (trx: Transaction<DB>) => Promise<void>,
  ): Promise<number | undefined> {
    // Inside replayable work (inbound mail, an event's handler) the commit does not wait for the
    // disk (core/db/database.ts): the clocks are replayed with the ticket.
    return this.in(workspaceId).transaction().execute(async (trx) => {
      const saved = version === undefined
        ? ((await this.insertFirstStates(trx, [{ ticketId, state }], now)).size ? { version: 1 } : undefined)
        : await UPDATE_STATE.first(trx, { ticketId, version, values: { ...stateValues(state, now), version: version + 1 } });
      if (!saved) return undefined;
      for (const clock of clocks) {
        if (clock.dirty && clock.id) await UPDATE_CLOCK.run(trx, { id: clock.id, values: ownedValues(clock) });
      }
      await this.insertStartedClocks(trx, [{ ticketId, clocks }]);
      await alongside?.(trx);
      return saved.version;
    });
  }

  /**
   * `saveState` for many tickets that have a state, in a statement each for their states, their
   * changed clocks and their started clocks, however many tickets. A ticket is saved only if nobody
   * saved it since its `version` was read; its clocks only then. Returns the tickets saved;
   * `alongside` gets them, in the same transaction.
   */
  async saveStates(
    workspaceId: string, tickets: readonly { ticketId: string; version: number; state: WorkingState; clocks: WorkingClock[] }[], now: Date,
    alongside?: (trx: Transaction<DB>, saved: ReadonlySet<string>) => Promise<void>,
  ): Promise<ReadonlySet<string>> {
    if (!tickets.length) return new Set();
    return this.in(workspaceId).transaction().execute(async (trx) => {
      const updated = await UPDATE_STATES.rows(trx, {
        ticketIds: tickets.map((t) => t.ticketId), versions: tickets.map((t) => t.version), policyIds: tickets.map((t) => t.state.policy_id),
        statuses: tickets.map((t) => t.state.status), pausedSince: tickets.map((t) => t.state.paused_since),
        pauses: tickets.map((t) => JSON.stringify(t.state.pauses)), firstRespondedAt: tickets.map((t) => t.state.first_responded_at), now,
      });
      const saved = new Set(updated.map((row) => row.ticket_id));
      const savedTickets = tickets.filter((t) => saved.has(t.ticketId));
      const changed = savedTickets.flatMap((t) => t.clocks.filter((clock) => clock.dirty && clock.id));
      if (changed.length) {
        const owned = changed.map(ownedValues);
        await UPDATE_CLOCKS.run(trx, {
          ids: changed.map((clock) => clock.id!), targetMinutes: owned.map((o) => o.target_minutes), dueAt: owned.map((o) => o.due_at),
          warnAt: owned.map((o) => o.warn_at), stoppedAt: owned.map((o) => o.stopped_at), outcomes: owned.map((o) => o.outcome),
          businessMinutes: owned.map((o) => o.business_minutes),
        });
      }
      await this.insertStartedClocks(trx, savedTickets);
      await alongside?.(trx, saved);
      return saved;
    });
  }

  /**
   * New tickets' first states and clocks: what `saveState` with no version saves, for many tickets
   * in a statement each (issue 15: a subscriber's batch of new tickets). A ticket that has a state
   * already keeps it, and its clocks are not inserted. Returns the tickets saved; `alongside` gets
   * them, in the same transaction.
   */
  async saveFirstStates(
    workspaceId: string, tickets: readonly { ticketId: string; state: WorkingState; clocks: WorkingClock[] }[], now: Date,
    alongside?: (trx: Transaction<DB>, saved: ReadonlySet<string>) => Promise<void>,
  ): Promise<ReadonlySet<string>> {
    if (!tickets.length) return new Set();
    return this.in(workspaceId).transaction().execute(async (trx) => {
      const saved = await this.insertFirstStates(trx, tickets, now);
      await this.insertStartedClocks(trx, tickets.filter((ticket) => saved.has(ticket.ticketId)));
      await alongside?.(trx, saved);
      return saved;
    });
  }

  /** First states (version 1) in one statement; the tickets whose state this inserted: one that had a state keeps it. */
  private async insertFirstStates(trx: Transaction<DB>, tickets: readonly { ticketId: string; state: WorkingState }[], now: Date): Promise<Set<string>> {
    const inserted = await trx.insertInto('sla_ticket_states')
      .values(tickets.map(({ ticketId, state }) => ({ ...stateValues(state, now), ticket_id: ticketId, version: 1 })))
      .onConflict((oc) => oc.column('ticket_id').doNothing()).returning('ticket_id').execute();
    return new Set(inserted.map((row) => row.ticket_id));
  }

  /** Clocks that started (dirty, no id yet) of any number of tickets, in one statement; each gets its id. */
  private async insertStartedClocks(trx: Transaction<DB>, tickets: readonly { ticketId: string; clocks: WorkingClock[] }[]): Promise<void> {
    const started = tickets.flatMap(({ ticketId, clocks }) => clocks.filter((clock) => clock.dirty && !clock.id).map((clock) => ({ ticketId, clock })));
    if (!started.length) return;
    const inserted = await trx.insertInto('sla_clocks')
      .values(started.map(({ ticketId, clock }) => ({ ...ownedValues(clock), ticket_id: ticketId, kind: clock.kind, cycle: clock.cycle, started_at: clock.started_at })))
      .returning(['id', 'ticket_id', 'kind', 'cycle']).execute();
    const idOf = new Map(inserted.map((row) => [`${row.ticket_id}:${row.kind}:${row.cycle}`, row.id]));
    for (const { ticketId, clock } of started) clock.id = idOf.get(`${ticketId}:${clock.kind}:${clock.cycle}`)!;
  }

  activeTicketIds(db: Db, after: string | undefined, limit: number) {
    let query = db.selectFrom('sla_ticket_states').select('ticket_id').where('status', 'not in', ['solved', 'closed']);
    if (after) query = query.where('ticket_id', '>', after);
    return query.orderBy('ticket_id').limit(limit).execute().then((rows) => rows.map((r) => r.ticket_id));
  }

  /** Clocks whose warning or deadline has passed and that are not marked yet (the sweep's safety net). */
  overdue(db: Db, now: Date, limit: number) {
    return db.selectFrom('sla_clocks').select(['id', 'ticket_id', 'due_at', 'warn_at', 'warned_at', 'breached_at'])
      .where('stopped_at', 'is', null).where('breached_at', 'is', null)
      .where((eb) => eb.or([
        eb('due_at', '<=', now),
        eb.and([eb('warned_at', 'is', null), eb('warn_at', '<=', now)]),
      ]))
      .orderBy('due_at').limit(limit).execute();
  }

  // ---- warnings, breaches and their escalations ----------------------------------------------

  /**
   * Marks the clock warned or breached and records its escalation steps, in one transaction. The
   * UPDATE is conditional (not yet marked, still running, due by `dueBy`), so of any number of
   * runs, retries and sweeps exactly one gets the row back and plans the escalation.
   */
  async mark(workspaceId: string, clockId: string, phase: Phase, now: Date, dueBy: Date, plan: (clock: ClockRow) => EscalationAction[]) {
    return this.in(workspaceId).transaction().execute(async (trx) => {
      const clock = await MARK[phase].first(trx, { clockId, now, dueBy });
      if (!clock) return undefined;
      const actions = plan(clock);
      if (actions.length) {
        await trx.insertInto('sla_escalations').values(actions.map((action, position) => ({
          ticket_id: clock.ticket_id, clock_id: clock.id, phase, position, action: JSON.stringify(action),
        }))).execute();
      }
      return clock;
    });
  }

  pendingEscalations(db: Db, filter: { clockId?: string; ticketId?: string; olderThan?: Date }, limit = 100) {
    let query = db.selectFrom('sla_escalations').selectAll().where('done_at', 'is', null);
    if (filter.clockId) query = query.where('clock_id', '=', filter.clockId);
    if (filter.ticketId) query = query.where('ticket_id', '=', filter.ticketId);
    if (filter.olderThan) query = query.where('created_at', '<', filter.olderThan);
    return query.orderBy('created_at').orderBy('position').limit(limit).execute();
  }

  /** Takes one step for `leaseMs`; undefined when it is done or another runner holds it. */
  claimEscalation(db: Db, id: string, now: Date, leaseMs: number) {
    return db.updateTable('sla_escalations').set({ claimed_until: new Date(now.getTime() + leaseMs) })
      .where('id', '=', id).where('done_at', 'is', null)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .returningAll().executeTakeFirst();
  }

  /** Lets go of a step after a failure that another attempt may fix, so the retry can take it at once. */
  releaseEscalation(db: Db, id: string) {
    return db.updateTable('sla_escalations').set({ claimed_until: null }).where('id', '=', id).where('done_at', 'is', null).execute();
  }

  finishEscalation(db: Db, id: string, now: Date, outcome: 'done' | 'skipped' | 'failed', errorCode: string | null = null) {
    return db.updateTable('sla_escalations').set({ done_at: now, outcome, error_code: errorCode }).where('id', '=', id).where('done_at', 'is', null).execute();
  }

  escalationsOf(db: Db, ticketId: string) {
    return db.selectFrom('sla_escalations').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('position').execute();
  }

  insertNotifications(db: Db, rows: { escalation_id: string; ticket_id: string; agent_id: string; phase: Phase; kind: ClockKind; locale: Locale; subject: string; body: string }[]) {
    if (!rows.length) return Promise.resolve();
    return db.insertInto('sla_notifications').values(rows)
      .onConflict((oc) => oc.columns(['escalation_id', 'agent_id']).doNothing()).execute().then(() => undefined);
  }

  notificationsFor(db: Db, agentId: string, limit: number) {
    return db.selectFrom('sla_notifications').selectAll().where('agent_id', '=', agentId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  }
}
