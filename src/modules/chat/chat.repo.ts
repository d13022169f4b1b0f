import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../schema.js';
import type { ConversationStatus } from './chat.protocol.js';
import {
  WAITING, type AuthorType, type ChatChannelsTable, type ChatSessionsTable, type ChatSettingsTable, type OfferOutcome, type StoredAttachment,
} from './chat.schema.js';

export type Db = Kysely<DB> | Transaction<DB>;

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

  sessionsQueuedBetween(db: Db, from: Date, to: Date, departmentId?: string) {
    let query = db.selectFrom('chat_sessions').selectAll().where('queued_at', '>=', from).where('queued_at', '<', to);
    if (departmentId) query = query.where('department_id', '=', departmentId);
    return query.execute();
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

  offersBetween(db: Db, from: Date, to: Date, agentId: string) {
    return db.selectFrom('chat_offers').select(['session_id']).distinct()
      .where('agent_id', '=', agentId).where('offered_at', '>=', from).where('offered_at', '<', to).execute();
  }

  sessionsByIds(db: Db, ids: string[]) {
    if (!ids.length) return Promise.resolve([]);
    return db.selectFrom('chat_sessions').selectAll().where('id', 'in', ids).execute();
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

  presenceOverlapping(db: Db, from: Date, to: Date, agentIds?: string[]) {
    let query = db.selectFrom('chat_presence_log').selectAll().where('presence', '!=', 'offline').where('started_at', '<', to)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]));
    if (agentIds) {
      if (!agentIds.length) return Promise.resolve([]);
      query = query.where('agent_id', 'in', agentIds);
    }
    return query.execute();
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
