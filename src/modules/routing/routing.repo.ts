import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import { queryTemplate } from '../../core/db/query-template.js';
import type {
  AssignmentReason, Availability, ChatStrategy, RoutingAgentsTable, RoutingAssignmentsTable, RoutingHoldingsTable, Strategy, WorkKind,
} from './routing.schema.js';

export type Db = Kysely<DB> | Transaction<DB>;
/** Where a select can start: a scoped `db`, or the expression builder of a statement it scopes as a whole. */
type QueryFrom = Db | ExpressionBuilder<DB, never>;

/** The columns of `routing_agents` that belong to one kind of work. */
const COLUMNS = {
  ticket: { load: 'ticket_load', capacity: 'ticket_capacity', seq: 'last_ticket_seq', at: 'last_ticket_at' },
  chat: { load: 'chat_load', capacity: 'chat_capacity', seq: 'last_chat_seq', at: 'last_chat_at' },
} as const;

export interface CandidateQuery {
  departmentId: string;
  kind: WorkKind;
  strategy: Exclude<Strategy, 'manual'> | ChatStrategy;
  exclude: string[];
}

/** A candidate query's arguments: `excluding` says whether `exclude` names anyone. */
interface CandidateArgs { departmentId: string; excluding: boolean; exclude: readonly string[] }

function candidateArgs(query: CandidateQuery): CandidateArgs {
  return { departmentId: query.departmentId, excluding: query.exclude.length > 0, exclude: query.exclude };
}

/**
 * Agents who could take an item of `kind` now (online, enabled, below capacity) in a team, or in
 * one of several teams, but for those excluded.
 */
function eligible(db: QueryFrom, kind: WorkKind, team: { id: string } | { anyOf: readonly string[] }, excluded?: Omit<CandidateArgs, 'departmentId'>) {
  const c = COLUMNS[kind];
  let select = db.selectFrom('routing_agents as a')
    .innerJoin('department_members as m', 'm.agent_id', 'a.agent_id')
    .innerJoin('agents as g', 'g.id', 'a.agent_id')
    .where((eb) => ('id' in team ? eb('m.department_id', '=', team.id) : eb('m.department_id', 'in', team.anyOf)))
    .where('a.availability', '=', 'online')
    .where('g.disabled_at', 'is', null)
    .where(sql<boolean>`${sql.ref(`a.${c.load}`)} < ${sql.ref(`a.${c.capacity}`)}`);
  // An agent in after-contact work gets no chat until the chat sweeper ends it.
  if (kind === 'chat') select = select.where('a.acw_until', 'is', null);
  // `<> all`, not `not in (…)`: one statement for any number of agents excluded.
  if (excluded?.excluding) select = select.where('a.agent_id', '<>', (eb) => eb.fn<string>('all', [eb.val(excluded.exclude)]));
  return select;
}

/** The next agent of `eligible` by `strategy`, its row locked (`RoutingRepo.candidate` says how). */
function pick(db: QueryFrom, kind: WorkKind, strategy: CandidateQuery['strategy'], { departmentId, ...excluded }: CandidateArgs) {
  const c = COLUMNS[kind];
  let select = eligible(db, kind, { id: departmentId }, excluded).select('a.agent_id');
  if (strategy === 'least_loaded') select = select.orderBy(sql.ref(`a.${c.load}`), 'asc');
  // Longest idle: whoever has been free longest since their last chat and its ACW ended (never: first).
  if (strategy === 'longest_idle') select = select.orderBy(sql.ref(`a.${c.load}`), 'asc').orderBy('a.chat_idle_since', (ob) => ob.asc().nullsFirst());
  return select.orderBy(sql.ref(`a.${c.seq}`), (ob) => ob.asc().nullsFirst()).orderBy('a.agent_id').limit(1).forUpdate('a');
}

/** One of `make` for each kind of work and strategy (they name the columns and the order), made when first asked for. */
function perStrategy<T>(make: (kind: WorkKind, strategy: CandidateQuery['strategy']) => T): (kind: WorkKind, strategy: CandidateQuery['strategy']) => T {
  const made = new Map<string, T>();
  return (kind, strategy) => {
    const key = `${kind}:${strategy}`;
    if (!made.has(key)) made.set(key, make(kind, strategy));
    return made.get(key)!;
  };
}

/** An agent's load changed by `delta` (never below 0); an assignment also moves the agent to the back of the round-robin. */
function addLoadTemplate(kind: WorkKind) {
  const c = COLUMNS[kind];
  return queryTemplate((db, { agentId, delta, assigned, assignedAt }: { agentId: string; delta: number; assigned: boolean; assignedAt: Date | undefined }) => db
    .updateTable('routing_agents')
    .set({
      [c.load]: sql`greatest(${sql.ref(c.load)} + ${delta}, 0)`,
      ...(assigned && { [c.seq]: sql`nextval('routing_assignment_seq')`, [c.at]: assignedAt }),
    } as Updateable<RoutingAgentsTable>)
    .where('agent_id', '=', agentId));
}

/** Statements of every claim and every ticket's holding, built and compiled once (core/db/query-template.ts). */
const LOCK_ITEM = queryTemplate((db, { key }: { key: string }) => db.selectNoFrom(sql<void>`pg_advisory_xact_lock(hashtextextended(${key}, 0))`.as('locked')));
const HOLDING = queryTemplate((db, { kind, itemId }: { kind: WorkKind; itemId: string }) => db.selectFrom('routing_holdings').selectAll()
  .where('kind', '=', kind).where('item_id', '=', itemId));
const INSERT_HOLDING = queryTemplate((db, values: Insertable<RoutingHoldingsTable>) => db.insertInto('routing_holdings').values(values));
const DELETE_HOLDING = queryTemplate((db, { kind, itemId }: { kind: WorkKind; itemId: string }) => db.deleteFrom('routing_holdings')
  .where('kind', '=', kind).where('item_id', '=', itemId));
const CONFIRM_HOLDING = queryTemplate((db, { kind, itemId }: { kind: WorkKind; itemId: string }) => db.updateTable('routing_holdings').set({ confirmed: true })
  .where('kind', '=', kind).where('item_id', '=', itemId));
const LOG_ASSIGNMENT = queryTemplate((db, values: Insertable<RoutingAssignmentsTable>) => db.insertInto('routing_assignments').values(values));
const ADD_LOAD = { ticket: addLoadTemplate('ticket'), chat: addLoadTemplate('chat') } satisfies Record<WorkKind, unknown>;
// Both subqueries from the expression builder: the scoped `db` scopes them once, as part of the
// whole statement (built from `db` itself, each would carry its workspace predicates twice).
const FREE_CANDIDATE = perStrategy((kind, strategy) => queryTemplate((db, args: CandidateArgs) => db.selectNoFrom((eb) => [
  pick(eb, kind, strategy, args).skipLocked().as('agent_id'),
  eb.exists(eligible(eb, kind, { id: args.departmentId }, args).select('a.agent_id')).as('anyone'),
])));
const CANDIDATE = perStrategy((kind, strategy) => queryTemplate((db, args: CandidateArgs) => pick(db, kind, strategy, args)));

/** Every query on routing tables goes through `tenancy.forWorkspace`: callers pass a scoped `db`. */
export class RoutingRepo {
  constructor(private readonly tenancy: Tenancy<DB>) {}

  in(workspaceId: string): Kysely<DB> {
    return this.tenancy.forWorkspace(workspaceId);
  }

  transaction<T>(workspaceId: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.in(workspaceId).transaction().execute(work);
  }

  // ---- agents -----------------------------------------------------------------------------

  agents(db: Db) {
    return db.selectFrom('routing_agents').selectAll().execute();
  }

  agent(db: Db, agentId: string) {
    return db.selectFrom('routing_agents').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
  }

  /** Gives agents their row (offline, default capacities) if they have none yet. */
  async ensureAgents(db: Db, agentIds: string[]): Promise<void> {
    if (!agentIds.length) return;
    await db.insertInto('routing_agents').values(agentIds.map((agent_id) => ({ agent_id })))
      .onConflict((oc) => oc.columns(['workspace_id', 'agent_id']).doNothing()).execute();
  }

  updateAgent(db: Db, agentId: string, patch: { availability?: Availability; availability_changed_at?: Date; ticket_capacity?: number; chat_capacity?: number; acw_until?: Date | null; chat_idle_since?: Date }) {
    return db.updateTable('routing_agents').set(patch).where('agent_id', '=', agentId).returningAll().executeTakeFirstOrThrow();
  }

  agentForUpdate(db: Db, agentId: string) {
    return db.selectFrom('routing_agents').selectAll().where('agent_id', '=', agentId).forUpdate().executeTakeFirst();
  }

  /**
   * The next agent for a department: online, enabled, a member, below capacity for `kind`, not
   * excluded; round-robin takes whoever was assigned longest ago (never first), least-loaded the
   * emptiest (then longest ago). The chosen row is locked (FOR UPDATE OF a): Postgres re-checks
   * `load < capacity` on the row's newest version, so a concurrent pick that just filled the agent
   * makes this one move on. This one waits for rows other picks hold locked.
   */
  async candidate(db: Db, query: CandidateQuery): Promise<string | undefined> {
    return (await CANDIDATE(query.kind, query.strategy).first(db, candidateArgs(query)))?.agent_id;
  }

  /**
   * The fast pick: the next agent no other pick holds locked right now (SKIP LOCKED, spreading a
   * burst over the team), and whether anyone is eligible at all, locked or not. One statement: when
   * nobody is online and free (a team off shift) there is nothing to wait for and no second look.
   */
  async freeCandidate(db: Db, query: CandidateQuery): Promise<{ agentId: string | undefined; anyone: boolean }> {
    const row = await FREE_CANDIDATE(query.kind, query.strategy).firstOrThrow(db, candidateArgs(query));
    return { agentId: row.agent_id ?? undefined, anyone: Boolean(row.anyone) };
  }

  /** Of these teams, those with an agent who could take an item of `kind` now (online, enabled, below capacity). */
  async teamsWithRoom(db: Db, kind: WorkKind, departmentIds: readonly string[]): Promise<Set<string>> {
    const rows = await eligible(db, kind, { anyOf: departmentIds }).select('m.department_id').distinct().execute();
    return new Set(rows.map((row) => row.department_id));
  }

  /** Which of these items someone holds. */
  async heldItems(db: Db, kind: WorkKind, itemIds: readonly string[]): Promise<Set<string>> {
    const rows = await db.selectFrom('routing_holdings').select('item_id').where('kind', '=', kind).where('item_id', 'in', itemIds).execute();
    return new Set(rows.map((row) => row.item_id));
  }

  /** Changes an agent's load by `delta` (never below 0); an assignment also moves the agent to the back of the round-robin. */
  async addLoad(db: Db, agentId: string, kind: WorkKind, delta: number, assignedAt?: Date): Promise<void> {
    await ADD_LOAD[kind].run(db, { agentId, delta, assigned: assignedAt !== undefined, assignedAt });
  }

  // ---- departments ------------------------------------------------------------------------

  /**
   * A new department (the tickets module's table; routing owns setting teams up). Answers
   * undefined when the workspace already has the key.
   */
  async insertDepartment(db: Db, values: { key: string; name: Record<string, string> }) {
    const last = await db.selectFrom('departments').select((eb) => eb.fn.max('position').as('position')).executeTakeFirst();
    return db.insertInto('departments')
      .values({ key: values.key, name: JSON.stringify(values.name), position: Number(last?.position ?? 0) + 1 })
      .onConflict((oc) => oc.columns(['workspace_id', 'key']).doNothing())
      .returning('id').executeTakeFirst();
  }

  async renameDepartment(db: Db, departmentId: string, name: Record<string, string>): Promise<void> {
    await db.updateTable('departments').set({ name: JSON.stringify(name) }).where('id', '=', departmentId).where('archived_at', 'is', null).execute();
  }

  /** Whether customers may pick the team on the portal; a team with no row yet keeps manual routing. */
  upsertCustomerSelectable(db: Db, values: { department_id: string; customer_selectable: boolean; updated_at: Date }) {
    return db.insertInto('routing_departments').values({ ...values, strategy: 'manual', auto_assign: false })
      .onConflict((oc) => oc.columns(['workspace_id', 'department_id']).doUpdateSet({
        customer_selectable: values.customer_selectable, updated_at: values.updated_at,
      }))
      .execute();
  }

  departmentSettings(db: Db) {
    return db.selectFrom('routing_departments').selectAll().execute();
  }

  /** Sets a team's chat queue settings; a team with no row yet keeps manual ticket routing. */
  upsertChatQueue(db: Db, values: { department_id: string; chat_strategy: ChatStrategy; overflow_department_id: string | null; overflow_after_seconds: number | null; updated_at: Date }) {
    return db.insertInto('routing_departments').values({ ...values, strategy: 'manual', auto_assign: false })
      .onConflict((oc) => oc.columns(['workspace_id', 'department_id']).doUpdateSet({
        chat_strategy: values.chat_strategy, overflow_department_id: values.overflow_department_id,
        overflow_after_seconds: values.overflow_after_seconds, updated_at: values.updated_at,
      }))
      .execute();
  }

  /** Agents of a team who take chats now or soon: online, enabled; with their chat capacity. */
  onlineMembers(db: Db, departmentId: string) {
    return db.selectFrom('routing_agents as a')
      .innerJoin('department_members as m', 'm.agent_id', 'a.agent_id')
      .innerJoin('agents as g', 'g.id', 'a.agent_id')
      .select(['a.agent_id', 'a.chat_capacity'])
      .where('m.department_id', '=', departmentId).where('a.availability', '=', 'online').where('g.disabled_at', 'is', null)
      .execute();
  }

  /** Agents whose after-contact work is due to end. */
  acwDue(db: Db, now: Date) {
    return db.selectFrom('routing_agents').select(['agent_id', 'acw_until']).where('acw_until', '<=', now).orderBy('acw_until').execute();
  }

  /** Ends an agent's ACW if it is still the one that was due (another node may have ended it). */
  async endAcw(db: Db, agentId: string, expected: Date | null, idleSince: Date): Promise<boolean> {
    let update = db.updateTable('routing_agents').set({ acw_until: null, chat_idle_since: idleSince }).where('agent_id', '=', agentId);
    update = expected ? update.where('acw_until', '=', expected) : update.where('acw_until', 'is not', null);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  upsertDepartmentSetting(db: Db, values: { department_id: string; strategy: Strategy; auto_assign: boolean; updated_at: Date }) {
    return db.insertInto('routing_departments').values(values)
      .onConflict((oc) => oc.columns(['workspace_id', 'department_id']).doUpdateSet({
        strategy: values.strategy, auto_assign: values.auto_assign, updated_at: values.updated_at,
      }))
      .execute();
  }

  members(db: Db, departmentId?: string) {
    let query = db.selectFrom('department_members').select(['department_id', 'agent_id']);
    if (departmentId) query = query.where('department_id', '=', departmentId);
    return query.orderBy('department_id').orderBy('agent_id').execute();
  }

  departmentsOf(db: Db, agentId: string) {
    return db.selectFrom('department_members').select('department_id').where('agent_id', '=', agentId).orderBy('department_id').execute();
  }

  async replaceMembers(db: Db, departmentId: string, agentIds: string[]): Promise<void> {
    let remove = db.deleteFrom('department_members').where('department_id', '=', departmentId);
    if (agentIds.length) remove = remove.where('agent_id', 'not in', agentIds);
    await remove.execute();
    if (!agentIds.length) return;
    await db.insertInto('department_members').values(agentIds.map((agent_id) => ({ department_id: departmentId, agent_id })))
      .onConflict((oc) => oc.columns(['workspace_id', 'department_id', 'agent_id']).doNothing()).execute();
  }

  // ---- holdings ---------------------------------------------------------------------------

  /**
   * Serialises everything that changes who holds one item, for the rest of the transaction. An
   * advisory lock needs no row, so an item nobody holds can be locked too.
   */
  async lockItem(db: Db, workspaceId: string, kind: WorkKind, itemId: string): Promise<void> {
    await LOCK_ITEM.run(db, { key: `routing:${workspaceId}:${kind}:${itemId}` });
  }

  holding(db: Db, kind: WorkKind, itemId: string) {
    return HOLDING.first(db, { kind, itemId });
  }

  insertHolding(db: Db, values: { kind: WorkKind; item_id: string; agent_id: string; department_id: string | null; confirmed: boolean; held_since: Date }) {
    return INSERT_HOLDING.run(db, values);
  }

  deleteHolding(db: Db, kind: WorkKind, itemId: string) {
    return DELETE_HOLDING.run(db, { kind, itemId });
  }

  confirmHolding(db: Db, kind: WorkKind, itemId: string) {
    return CONFIRM_HOLDING.run(db, { kind, itemId });
  }

  /** Ticket claims whose assignment never showed up on the ticket (the assigner died, or failed). */
  unconfirmedBefore(db: Db, before: Date, limit: number) {
    return db.selectFrom('routing_holdings').select(['kind', 'item_id'])
      .where('confirmed', '=', false).where('held_since', '<', before).orderBy('held_since').limit(limit).execute();
  }

  holdingsOf(db: Db, agentId: string, kind: WorkKind) {
    return db.selectFrom('routing_holdings').selectAll().where('agent_id', '=', agentId).where('kind', '=', kind).orderBy('held_since').execute();
  }

  logAssignment(db: Db, values: { kind: WorkKind; item_id: string; agent_id: string | null; previous_agent_id: string | null; department_id: string | null; reason: AssignmentReason; created_at: Date }) {
    return LOG_ASSIGNMENT.run(db, values);
  }

  assignments(db: Db, kind: WorkKind, itemId: string) {
    return db.selectFrom('routing_assignments').selectAll().where('kind', '=', kind).where('item_id', '=', itemId).orderBy('id').execute();
  }
}
