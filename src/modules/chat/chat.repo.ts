import { sql, type Expression, type Kysely, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import type { ConversationStatus } from '../../contracts/chat.js';
import {
  WAITING, type AuthorType, type ChatChannelsTable, type ChatSessionsTable, type ChatSettingsTable, type OfferOutcome, type StoredAttachment,
} from './chat.schema.js';

export type Db = Kysely<DB> | Transaction<DB>;

/** A period's contacts: counts, and summed milliseconds for the averages. */
export interface PeriodTotals {
  offline: number;
  offered: number;
  answered: number;
  abandoned: number;
  withinServiceLevel: number;
  answerMs: number;
  handled: number;
  handleMs: number;
  withAcw: number;
  acwMs: number;
  transferred: number;
  /** Answered contacts the visitor rated, and the sum of their scores. */
  rated: number;
  ratingSum: number;
}

/**
 * Chat tables, always through `tenancy.forWorkspace`. Two reads run unscoped on purpose: the
 * workspace named by a widget's slug, and the sweeper's list of workspaces with due work.
 */
export class ChatRepo {
  constructor(private readonly db: Kysely<DB>, private readonly tenancy: Tenancy<DB>) {}

  in(workspaceId: string): Kysely<DB> {
    return this.tenancy.forWorkspace(workspaceId);
  }

  workspaceBySlug(slug: string) {
    return this.db.selectFrom('workspaces').select(['id', 'slug', 'name', 'default_locale', 'time_zone']).where('slug', '=', slug).executeTakeFirst();
  }

  /** Workspaces with a chat waiting, an agent in ACW or a message without its ticket copy: the only ones the sweeper must look at. */
  async workspacesWithLiveWork(): Promise<string[]> {
    const { rows } = await sql<{ workspace_id: string }>`
      select distinct workspace_id from chat_sessions where status in ('queued', 'offered')
      union select distinct workspace_id from routing_agents where acw_until is not null
      union select distinct workspace_id from chat_messages where message_id is null and author_type <> 'system'`.execute(this.db);
    return rows.map((r) => r.workspace_id);
  }

  // ---- settings ---------------------------------------------------------------------------

  settings(db: Db) {
    return db.selectFrom('chat_settings').selectAll().executeTakeFirst();
  }

  upsertSettings(db: Db, values: Omit<Updateable<ChatSettingsTable>, 'workspace_id'> & { updated_at: Date }) {
    return db.insertInto('chat_settings').values(values)
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values)).returningAll().executeTakeFirstOrThrow();
  }

  // ---- sessions ---------------------------------------------------------------------------

  /** Idempotent on the ticket: a resent pre-chat form that reopened the same ticket finds its session. */
  async insertSession(db: Db, values: Parameters<ReturnType<Db['insertInto']>['values']>[0] & Record<string, unknown>) {
    const inserted = await db.insertInto('chat_sessions').values(values as never)
      .onConflict((oc) => oc.columns(['workspace_id', 'ticket_id']).doNothing()).returningAll().executeTakeFirst();
    return inserted ?? db.selectFrom('chat_sessions').selectAll().where('ticket_id', '=', values.ticket_id as string).executeTakeFirstOrThrow();
  }

  sessionOfTicket(db: Db, ticketId: string) {
    return db.selectFrom('chat_sessions').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
  }

  session(db: Db, id: string) {
    return db.selectFrom('chat_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Changes a session only if it is still in one of `from` (and matches `where`): the optimistic
   * check that makes each transition happen once, whichever node or request gets there first.
   */
  transition(db: Db, id: string, from: ConversationStatus[], patch: Updateable<ChatSessionsTable>, where: { offeredTo?: string; agentId?: string; offerLiveAt?: Date; offerDueAt?: Date } = {}) {
    let update = db.updateTable('chat_sessions').set(patch).where('id', '=', id).where('status', 'in', from);
    if (where.offeredTo) update = update.where('offered_to', '=', where.offeredTo);
    if (where.agentId) update = update.where('agent_id', '=', where.agentId);
    if (where.offerLiveAt) update = update.where('offer_expires_at', '>', where.offerLiveAt);
    if (where.offerDueAt) update = update.where('offer_expires_at', '<=', where.offerDueAt);
    return update.returningAll().executeTakeFirst();
  }

  /** Waiting chats, oldest first (the queue order): the department's, or the workspace's. */
  waiting(db: Db, options: { departmentId?: string; status?: ConversationStatus[]; limit?: number } = {}) {
    let query = db.selectFrom('chat_sessions').selectAll().where('status', 'in', options.status ?? WAITING);
    if (options.departmentId) query = query.where('department_id', '=', options.departmentId);
    // created_at (the database's own time) orders chats that arrived in the same instant of the product's clock.
    return query.orderBy('queued_at').orderBy('created_at').orderBy('id').limit(options.limit ?? 500).execute();
  }

  /** Marks (or clears) that no widget of the visitor is connected, for waiting chats only. */
  setVisitorLeft(db: Db, id: string, at: Date | null) {
    let update = db.updateTable('chat_sessions').set({ visitor_left_at: at }).where('id', '=', id).where('status', 'in', WAITING);
    update = at ? update.where('visitor_left_at', 'is', null) : update.where('visitor_left_at', 'is not', null);
    return update.execute();
  }

  leftBefore(db: Db, before: Date) {
    return db.selectFrom('chat_sessions').select(['id']).where('status', 'in', WAITING).where('visitor_left_at', '<=', before).execute();
  }

  offersDue(db: Db, now: Date) {
    return db.selectFrom('chat_sessions').selectAll().where('status', '=', 'offered').where('offer_expires_at', '<=', now).orderBy('offer_expires_at').execute();
  }

  activeOf(db: Db, agentId: string) {
    return db.selectFrom('chat_sessions').selectAll().where('status', '=', 'active').where('agent_id', '=', agentId).orderBy('answered_at').execute();
  }

  offerFor(db: Db, agentId: string) {
    return db.selectFrom('chat_sessions').selectAll().where('status', '=', 'offered').where('offered_to', '=', agentId).orderBy('queued_at').executeTakeFirst();
  }

  /** Chats this agent ended whose after-contact work has not been closed yet. */
  closeAcw(db: Db, agentId: string, at: Date) {
    return db.updateTable('chat_sessions').set({ acw_ended_at: at })
      .where('answered_by', 'is not', null).where('agent_id', '=', agentId).where('status', '=', 'ended')
      .where('ended_by', 'is not', null).where('acw_ended_at', 'is', null).execute();
  }

  /** Handle times of the department's most recent answered chats, for the estimated wait. */
  async recentHandleSeconds(db: Db, departmentId: string | null, limit = 20): Promise<number | null> {
    let query = db.selectFrom('chat_sessions')
      .select(sql<number>`extract(epoch from (ended_at - answered_at))`.as('seconds'))
      .where('status', '=', 'ended').where('answered_at', 'is not', null);
    if (departmentId) query = query.where('department_id', '=', departmentId);
    const rows = await query.orderBy('ended_at', 'desc').limit(limit).execute();
    if (!rows.length) return null;
    return rows.reduce((sum, r) => sum + Number(r.seconds), 0) / rows.length;
  }

  /**
   * The period's contact counts and summed times, in one aggregate over the sessions queued in
   * [from, to) (or, for one agent, also those rung at the agent then): see README.md, "Metrics".
   * For an agent a contact counts if it was rung at them or they answered it; one that went
   * offline counts as offered to them only if it was rung at them first.
   */
  async periodTotals(db: Db, q: { from: Date; to: Date; departmentId?: string; agentId?: string; serviceLevelSeconds: number }): Promise<PeriodTotals> {
    const sessions = db.selectFrom('chat_sessions').select(['status', 'queued_at', 'answered_at', 'answered_by', 'ended_at', 'acw_ended_at', 'transfers', 'rating'])
      .select((eb) => {
        const rung: Expression<SqlBool> = q.agentId
          ? eb.exists(eb.selectFrom('chat_offers').select('chat_offers.session_id').whereRef('chat_offers.session_id', '=', 'chat_sessions.id')
            .where('chat_offers.agent_id', '=', q.agentId).where('chat_offers.offered_at', '>=', q.from).where('chat_offers.offered_at', '<', q.to))
          : sql<SqlBool>`false`;
        return sql<boolean>`${rung}`.as('rung');
      })
      .$if(!!q.departmentId, (query) => query.where('department_id', '=', q.departmentId!));
    const inPeriod = q.agentId
      ? db.selectFrom(sessions.as('s')).selectAll()
        .where((eb) => eb.and([
          eb.or([eb.and([eb('queued_at', '>=', q.from), eb('queued_at', '<', q.to)]), eb('rung', '=', true)]),
          eb.or([eb('rung', '=', true), eb('answered_by', '=', q.agentId!)]),
        ]))
      : db.selectFrom(sessions.where('queued_at', '>=', q.from).where('queued_at', '<', q.to).as('s')).selectAll();
    const row = await db.selectFrom(inPeriod.as('p')).select(totalsColumns(q.serviceLevelSeconds, q.agentId)).executeTakeFirstOrThrow();
    return totalsOf(row);
  }

  /**
   * Per UTC day of `queued_at` and department, the totals of the sessions queued in [from, to)
   * (the days' roll-up): the whole workspace's, no agent filter.
   */
  async dayTotals(db: Db, from: Date, to: Date, serviceLevelSeconds: number) {
    const day = sql<string>`to_char(queued_at at time zone 'UTC', 'YYYY-MM-DD')`;
    const rows = await db.selectFrom('chat_sessions')
      .select(['status', 'queued_at', 'answered_at', 'answered_by', 'ended_at', 'acw_ended_at', 'transfers', 'rating', 'department_id', sql<boolean>`false`.as('rung'), day.as('day')])
      .where('queued_at', '>=', from).where('queued_at', '<', to)
      .as('p');
    const grouped = await db.selectFrom(rows).select(['day', 'department_id']).select(totalsColumns(serviceLevelSeconds))
      .groupBy(['day', 'department_id']).execute();
    return grouped.map((r) => ({ day: r.day, departmentId: r.department_id, totals: totalsOf(r) }));
  }

  /** Replaces the roll-ups of these days (every department) with `rows`, and records the days as rolled up. */
  async saveDays(db: Kysely<DB>, workspaceId: string, days: string[], serviceLevelSeconds: number, rows: { day: string; departmentId: string | null; totals: PeriodTotals }[]): Promise<void> {
    if (!days.length) return;
    await db.transaction().execute(async (trx) => {
      // Two requests rolling up overlapping days at once (a wallboard push and a report) delete each
      // other's rows in different orders and deadlock: one roll-up at a time per workspace.
      await sql`select pg_advisory_xact_lock(hashtext('chat_metric_days'), hashtext(${workspaceId}))`.execute(trx);
      await trx.deleteFrom('chat_metric_days').where(sql.ref('day'), 'in', days).execute();
      await trx.deleteFrom('chat_metric_days_done').where(sql.ref('day'), 'in', days).execute();
      if (rows.length) {
        await trx.insertInto('chat_metric_days').values(rows.map((r) => ({
          day: r.day, department_id: r.departmentId, offline: r.totals.offline, offered: r.totals.offered, answered: r.totals.answered,
          abandoned: r.totals.abandoned, within_service_level: r.totals.withinServiceLevel, answer_ms: r.totals.answerMs, handled: r.totals.handled,
          handle_ms: r.totals.handleMs, with_acw: r.totals.withAcw, acw_ms: r.totals.acwMs, transferred: r.totals.transferred,
          rated: r.totals.rated, rating_sum: r.totals.ratingSum,
        }))).onConflict((oc) => oc.doNothing()).execute();
      }
      // Another request rolling up the same days at once wrote the same figures: either one is right.
      await trx.insertInto('chat_metric_days_done').values(days.map((day) => ({ day, service_level_seconds: serviceLevelSeconds }))).onConflict((oc) => oc.doNothing()).execute();
    });
  }

  /** Days of [fromDay, toDay) rolled up with this service-level threshold. */
  async daysDone(db: Db, fromDay: string, toDay: string, serviceLevelSeconds: number): Promise<Set<string>> {
    const rows = await db.selectFrom('chat_metric_days_done').select(sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'))
      .where(sql.ref('day'), '>=', fromDay).where(sql.ref('day'), '<', toDay).where('service_level_seconds', '=', serviceLevelSeconds).execute();
    return new Set(rows.map((r) => r.day));
  }

  /** The summed roll-ups of [fromDay, toDay): the department's, or all. */
  async rolledUp(db: Db, fromDay: string, toDay: string, departmentId?: string): Promise<PeriodTotals> {
    const sum = (column: keyof TotalsRow) =>
      sql<string | null>`sum(${sql.ref(column)})`.as(column);
    const row = await db.selectFrom('chat_metric_days')
      .select([sum('offline'), sum('offered'), sum('answered'), sum('abandoned'), sum('within_service_level'), sum('answer_ms'), sum('handled'),
        sum('handle_ms'), sum('with_acw'), sum('acw_ms'), sum('transferred'), sum('rated'), sum('rating_sum')])
      .where(sql.ref('day'), '>=', fromDay).where(sql.ref('day'), '<', toDay)
      .$if(!!departmentId, (query) => query.where('department_id', '=', departmentId!))
      .executeTakeFirstOrThrow();
    return totalsOf(row);
  }

  /** Waiting chats per department: how many, and since when the oldest waits (the wallboard). */
  /** Chats queued since `from` that ended without an agent, newest first. */
  missedSince(db: Db, from: Date, limit: number) {
    return db.selectFrom('chat_sessions').select(['id', 'ticket_number', 'visitor_name', 'status', 'queued_at', 'ended_at'])
      .where('queued_at', '>=', from).where('status', 'in', ['abandoned', 'offline']).where('answered_at', 'is', null)
      .orderBy('queued_at', 'desc').limit(limit).execute();
  }

  waitingByDepartment(db: Db) {
    return db.selectFrom('chat_sessions').select(['department_id as departmentId'])
      .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('queued_at').as('oldest')])
      .where('status', 'in', WAITING).groupBy('department_id').orderBy(sql`min(queued_at)`).execute()
      .then((rows) => rows.map((r) => ({ departmentId: r.departmentId, waiting: Number(r.count), oldest: r.oldest as Date })));
  }

  /** Stores the visitor's rating of an ended chat, once, if it ended after `endedAfter`; undefined otherwise. */
  rate(db: Db, id: string, rating: { score: number; comment: string | null; at: Date }, endedAfter: Date) {
    return db.updateTable('chat_sessions').set({ rating: rating.score, rating_comment: rating.comment, rated_at: rating.at })
      .where('id', '=', id).where('status', '=', 'ended').where('answered_at', 'is not', null).where('rated_at', 'is', null)
      .where('ended_at', '>', endedAfter).returningAll().executeTakeFirst();
  }

  /** Sets a once-per-chat transcript step; undefined when it was already done. */
  markTranscript(db: Db, id: string, step: 'transcript_requested_at' | 'transcript_sent_at', at: Date) {
    return db.updateTable('chat_sessions').set({ [step]: at }).where('id', '=', id).where(step, 'is', null).returningAll().executeTakeFirst();
  }

  live(db: Db, status: ConversationStatus[]) {
    return db.selectFrom('chat_sessions').selectAll().where('status', 'in', status).orderBy('queued_at').limit(500).execute();
  }

  // ---- messages ---------------------------------------------------------------------------

  /** Locks the session row: messages of one conversation get their seq one at a time. */
  sessionForUpdate(db: Db, id: string) {
    return db.selectFrom('chat_sessions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  messageByClientId(db: Db, sessionId: string, authorType: AuthorType, clientMessageId: string) {
    return db.selectFrom('chat_messages').selectAll().where('session_id', '=', sessionId)
      .where('author_type', '=', authorType).where('client_message_id', '=', clientMessageId).executeTakeFirst();
  }

  async appendMessage(db: Db, values: { session_id: string; message_id: string | null; client_message_id: string | null; author_type: AuthorType; author_id: string | null; author_name: string; body_text: string; attachments: StoredAttachment[]; created_at: Date }) {
    const session = await db.updateTable('chat_sessions').set({ last_seq: sql`last_seq + 1` }).where('id', '=', values.session_id)
      .returning('last_seq').executeTakeFirstOrThrow();
    return db.insertInto('chat_messages').values({ ...values, seq: session.last_seq, attachments: JSON.stringify(values.attachments) })
      .returningAll().executeTakeFirstOrThrow();
  }

  linkTicketMessage(db: Db, sessionId: string, seq: number, messageId: string) {
    return db.updateTable('chat_messages').set({ message_id: messageId }).where('session_id', '=', sessionId).where('seq', '=', seq).execute();
  }

  /** Visitor and agent messages whose ticket copy was not written (the process stopped in between). */
  unmirrored(db: Db, before: Date, after: Date) {
    return db.selectFrom('chat_messages').selectAll().where('message_id', 'is', null).where('author_type', '!=', 'system')
      .where('created_at', '<', before).where('created_at', '>', after).orderBy('created_at').limit(100).execute();
  }

  messagesSince(db: Db, sessionId: string, sinceSeq: number, limit = 1000) {
    return db.selectFrom('chat_messages').selectAll().where('session_id', '=', sessionId).where('seq', '>', sinceSeq)
      .orderBy('seq').limit(limit).execute();
  }

  setReadSeq(db: Db, sessionId: string, side: 'visitor' | 'agent', seq: number) {
    const column = side === 'visitor' ? 'visitor_read_seq' : 'agent_read_seq';
    return db.updateTable('chat_sessions').set({ [column]: sql`greatest(${sql.ref(column)}, least(${seq}, last_seq))` } as Updateable<ChatSessionsTable>)
      .where('id', '=', sessionId).returning([column]).executeTakeFirst();
  }

  // ---- offers and presence ----------------------------------------------------------------

  insertOffer(db: Db, values: { session_id: string; agent_id: string; offered_at: Date }) {
    return db.insertInto('chat_offers').values(values).execute();
  }

  closeOffer(db: Db, sessionId: string, agentId: string, outcome: OfferOutcome, at: Date) {
    return db.updateTable('chat_offers').set({ outcome, ended_at: at })
      .where('session_id', '=', sessionId).where('agent_id', '=', agentId).where('outcome', 'is', null).execute();
  }

  /**
   * Closes the agent's open presence interval and opens one for the new presence. Idempotent: with
   * Redis every node hears the availability event, and only the first changes anything.
   */
  async recordPresence(db: Db, agentId: string, presence: string, at: Date): Promise<void> {
    const open = await db.selectFrom('chat_presence_log').select('presence').where('agent_id', '=', agentId).where('ended_at', 'is', null).executeTakeFirst();
    if (open?.presence === presence) return;
    await db.updateTable('chat_presence_log').set({ ended_at: at }).where('agent_id', '=', agentId).where('ended_at', 'is', null).execute();
    await db.insertInto('chat_presence_log').values({ agent_id: agentId, presence, started_at: at })
      .onConflict((oc) => oc.columns(['workspace_id', 'agent_id']).where('ended_at', 'is', null).doNothing()).execute();
  }

  /** Milliseconds of non-offline presence inside [from, to) (an open interval runs until `now`), of these agents or all. */
  async loggedInMs(db: Db, from: Date, to: Date, now: Date, agentIds?: string[]): Promise<number> {
    if (agentIds && !agentIds.length) return 0;
    let query = db.selectFrom('chat_presence_log')
      .select(sql<string | null>`sum(greatest(0, extract(epoch from least(coalesce(ended_at, ${now}), ${to}) - greatest(started_at, ${from})) * 1000))`.as('ms'))
      .where('presence', '!=', 'offline').where('started_at', '<', to)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]));
    if (agentIds) query = query.where('agent_id', 'in', agentIds);
    return Number((await query.executeTakeFirstOrThrow()).ms ?? 0);
  }

  // ---- channels ---------------------------------------------------------------------------

  channels(db: Db) {
    return db.selectFrom('chat_channels').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  channel(db: Db, id: string) {
    return db.selectFrom('chat_channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The channel a signed contact names; read before the workspace is known (the id is the key). */
  channelAnyWorkspace(id: string) {
    return this.db.selectFrom('chat_channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertChannel(db: Db, values: { name: string; kind: ChatChannelsTable['kind']; secret: string; outbound_url: string | null; department_id: string | null }) {
    return db.insertInto('chat_channels').values(values).returningAll().executeTakeFirstOrThrow();
  }

  updateChannel(db: Db, id: string, patch: Updateable<ChatChannelsTable>) {
    return db.updateTable('chat_channels').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  deleteChannel(db: Db, id: string) {
    return db.deleteFrom('chat_channels').where('id', '=', id).executeTakeFirst();
  }

  /** The open conversation of one sender on one channel: further texts continue it. */
  openSessionFrom(db: Db, channelId: string, from: string) {
    return db.selectFrom('chat_sessions').selectAll().where('channel_id', '=', channelId).where('external_from', '=', from)
      .where('status', 'in', ['queued', 'offered', 'active']).orderBy('queued_at', 'desc').executeTakeFirst();
  }
}

/**
 * The aggregate columns over sessions `p` (status, queued_at, answered_at, answered_by, ended_at,
 * acw_ended_at, transfers, rung): a contact is offered unless it went offline without ringing at
 * the agent asked about; answered ones (by that agent) give the speed, handle and ACW times.
 */
function totalsColumns(serviceLevelSeconds: number, agentId?: string) {
  const offered = sql`not (status = 'offline' and not rung)`;
  const answered = agentId ? sql`${offered} and answered_at is not null and answered_by = ${agentId}` : sql`${offered} and answered_at is not null`;
  const ms = (later: string, earlier: string) => sql`extract(epoch from ${sql.ref(later)} - ${sql.ref(earlier)}) * 1000`;
  return [
    sql<string>`count(*) filter (where status = 'offline' and answered_at is null and not rung)`.as('offline'),
    sql<string>`count(*) filter (where ${offered})`.as('offered'),
    sql<string>`count(*) filter (where ${answered})`.as('answered'),
    sql<string>`count(*) filter (where ${offered} and status = 'abandoned')`.as('abandoned'),
    sql<string>`count(*) filter (where ${answered} and ${ms('answered_at', 'queued_at')} <= ${serviceLevelSeconds * 1000})`.as('within_service_level'),
    sql<string | null>`sum(${ms('answered_at', 'queued_at')}) filter (where ${answered})`.as('answer_ms'),
    sql<string>`count(*) filter (where ${answered} and ended_at is not null)`.as('handled'),
    sql<string | null>`sum(${ms('ended_at', 'answered_at')}) filter (where ${answered} and ended_at is not null)`.as('handle_ms'),
    sql<string>`count(*) filter (where ${answered} and ended_at is not null and acw_ended_at is not null)`.as('with_acw'),
    sql<string | null>`sum(${ms('acw_ended_at', 'ended_at')}) filter (where ${answered} and ended_at is not null and acw_ended_at is not null)`.as('acw_ms'),
    sql<string>`count(*) filter (where ${answered} and transfers > 0)`.as('transferred'),
    sql<string>`count(*) filter (where ${answered} and rating is not null)`.as('rated'),
    sql<string | null>`sum(rating) filter (where ${answered} and rating is not null)`.as('rating_sum'),
  ] as const;
}

type TotalsRow = Record<'offline' | 'offered' | 'answered' | 'abandoned' | 'within_service_level' | 'answer_ms' | 'handled' | 'handle_ms' | 'with_acw' | 'acw_ms' | 'transferred' | 'rated' | 'rating_sum', string | number | null>;

function totalsOf(row: TotalsRow): PeriodTotals {
  const n = (value: string | number | null) => Number(value ?? 0);
  return {
    offline: n(row.offline), offered: n(row.offered), answered: n(row.answered), abandoned: n(row.abandoned),
    withinServiceLevel: n(row.within_service_level), answerMs: n(row.answer_ms), handled: n(row.handled), handleMs: n(row.handle_ms),
    withAcw: n(row.with_acw), acwMs: n(row.acw_ms), transferred: n(row.transferred), rated: n(row.rated), ratingSum: n(row.rating_sum),
  };
}
