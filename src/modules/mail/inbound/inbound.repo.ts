import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { Tenancy } from '../../../core/tenancy.js';
import type { DB } from '../../../core/db/database.js';
import { relaxedStatement } from '../../../core/db/relaxed-statement.js';
import { queryTemplate } from '../../../core/db/query-template.js';
import type {
  InboundRow, InboundStatus, MailAddressesTable, MailAddressRow, MailInboundTable, MailMailboxesTable, MailboxRow,
} from './inbound.schema.js';

export type Db = Kysely<DB> | Transaction<DB>;

/** The workspace's other messages with the inserted message's Message-ID: in its `returning`, the table as it was before, so only earlier ones. */
const othersWithMessageId = (eb: ExpressionBuilder<DB, 'mail_inbound'>) => eb.selectFrom('mail_inbound as other').select('other.id')
  .whereRef('other.workspace_id', '=', 'mail_inbound.workspace_id').whereRef('other.message_id', '=', 'mail_inbound.message_id');

/** Statements every inbound message sends, built and compiled once (core/db/query-template.ts). */
const rawReturning = (eb: ExpressionBuilder<DB, 'mail_inbound'>) => [
  'id' as const, eb.exists(othersWithMessageId(eb)).as('reused'), eb.exists(othersWithMessageId(eb).where('other.content_sha256', 'is', null)).as('unfingerprinted'),
];
const INSERT_RAW = queryTemplate((db, values: Omit<Insertable<MailInboundTable>, 'workspace_id'>) => db.insertInto('mail_inbound').values(values)
  .onConflict((oc) => oc.columns(['workspace_id', 'message_id', 'content_sha256']).where('message_id', 'is not', null).doNothing())
  .returning(rawReturning));

/** The most raw bytes stored by one statement (a message may have 25 MB): more wait for the next. */
const INSERT_BYTES = 16 * 1024 * 1024;

/** A received message to store for a workspace. */
export interface RawMessage {
  workspaceId: string;
  values: Omit<Insertable<MailInboundTable>, 'workspace_id'>;
}

/** A stored message's row (see `insertRaws`). */
export interface StoredRaw {
  id: string;
  reused: boolean;
  unfingerprinted: boolean;
}
const START_ATTEMPTS = queryTemplate((db, { ids }: { ids: readonly string[] }) => relaxedStatement(db).updateTable('mail_inbound').from('relaxed')
  .set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', (eb) => eb.fn.any(eb.val(ids))).returningAll('mail_inbound'));
const FINISH = queryTemplate((db, { inboundId, ...patch }: Updateable<MailInboundTable> & { inboundId: string }) =>
  db.updateTable('mail_inbound').set(patch).where('id', '=', inboundId));
/** The outcome and the Message-ID's ticket, in one statement. */
const FINISH_THREADED = queryTemplate((db, { inboundId, thread, patch }: { inboundId: string; thread: { message_id: string; ticket_id: string; ticket_message_id: string | null }; patch: Updateable<MailInboundTable> }) => db
  .with('thread', (qb) => qb.insertInto('mail_message_ids').values({ ...thread, direction: 'inbound' }).onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing()))
  .updateTable('mail_inbound').set(patch).where('id', '=', inboundId));
const TICKETS_BY_MESSAGE_IDS = queryTemplate((db, { ids }: { ids: readonly string[] }) =>
  db.selectFrom('mail_message_ids').select(['message_id', 'ticket_id']).where('message_id', '=', (eb) => eb.fn.any(eb.val(ids))));

/** Every tenant query starts from `in(workspaceId)`; the few that route by address before a workspace is known say so. */
export class InboundRepo {
  constructor(private readonly db: Kysely<DB>, private readonly tenancy: Tenancy<DB>) {}

  in(workspaceId: string): Kysely<DB> {
    return this.tenancy.forWorkspace(workspaceId);
  }

  // ---- support addresses ----------------------------------------------------------------

  /** Unscoped on purpose: the SMTP listener learns the workspace from the recipient address. */
  async addressesByName(addresses: string[]): Promise<MailAddressRow[]> {
    if (!addresses.length) return [];
    return this.db.selectFrom('mail_addresses').selectAll().where('address', 'in', addresses).execute();
  }

  /** In `db` when the caller holds a transaction (it need not be workspace-scoped, so the query names the workspace). */
  addresses(workspaceId: string, db: Db = this.in(workspaceId)): Promise<MailAddressRow[]> {
    return db.selectFrom('mail_addresses').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
  }

  address(workspaceId: string, id: string): Promise<MailAddressRow | undefined> {
    return this.in(workspaceId).selectFrom('mail_addresses').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** undefined when the address is taken (by this or another workspace). */
  insertAddress(workspaceId: string, values: Omit<Insertable<MailAddressesTable>, 'workspace_id'>): Promise<MailAddressRow | undefined> {
    return this.in(workspaceId).insertInto('mail_addresses').values(values)
      .onConflict((oc) => oc.column('address').doNothing()).returningAll().executeTakeFirst();
  }

  updateAddress(workspaceId: string, id: string, patch: Updateable<MailAddressesTable>): Promise<MailAddressRow | undefined> {
    return this.in(workspaceId).updateTable('mail_addresses').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async deleteAddress(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.in(workspaceId).deleteFrom('mail_addresses').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  // ---- raw messages -----------------------------------------------------------------------

  /**
   * Messages for their workspaces, committed before their SMTP 250s: one insert per workspace (a
   * statement, a commit) for all of them. Each gets its row, or undefined when this message
   * (Message-ID and content) was already received there. `reused`: other messages with this
   * Message-ID were received before (`unfingerprinted` when one of them was stored before contents
   * were fingerprinted). That is read from the table as it was before the statement, so messages
   * of one Message-ID go in statements of their own, one after another; and a statement takes at
   * most INSERT_BYTES of messages (but always one).
   */
  async insertRaws(messages: readonly RawMessage[]): Promise<PromiseSettledResult<StoredRaw | undefined>[]> {
    const results: PromiseSettledResult<StoredRaw | undefined>[] = new Array(messages.length);
    const rounds: Map<string, { message: RawMessage; index: number }[]>[] = [];
    const sameMessageId = (a: RawMessage, b: RawMessage) => a.values.message_id != null && a.values.message_id === b.values.message_id;
    const fits = (others: { message: RawMessage }[], message: RawMessage) => !others.length
      || others.reduce((bytes, m) => bytes + m.message.values.raw.length, message.values.raw.length) <= INSERT_BYTES;
    messages.forEach((message, index) => {
      // The first round where its workspace's messages have none of its Message-ID, and room for it.
      let round = rounds.find((r) => {
        const others = r.get(message.workspaceId) ?? [];
        return !others.some((m) => sameMessageId(m.message, message)) && fits(others, message);
      });
      if (!round) rounds.push(round = new Map());
      round.set(message.workspaceId, [...(round.get(message.workspaceId) ?? []), { message, index }]);
    });
    for (const round of rounds) {
      for (const [workspaceId, batch] of round) {
        try {
          const rows = await this.insertRawRows(workspaceId, batch.map(({ message }) => message.values));
          batch.forEach(({ index }, i) => { results[index] = { status: 'fulfilled', value: rows[i] }; });
        } catch (error) {
          for (const { index } of batch) results[index] = { status: 'rejected', reason: error };
        }
      }
    }
    return results;
  }

  /** Rows in the order given; undefined for a redelivery. */
  private async insertRawRows(workspaceId: string, values: readonly RawMessage['values'][]): Promise<(StoredRaw | undefined)[]> {
    const stored = (row: { id: string; reused: unknown; unfingerprinted: unknown }) => ({ id: row.id, reused: row.reused === true, unfingerprinted: row.unfingerprinted === true });
    if (values.length === 1) {
      const row = await INSERT_RAW.first(this.in(workspaceId), values[0]!);
      return [row && stored(row)];
    }
    // The ids are chosen here, so the returned rows (redeliveries left out) can be told apart.
    const rows = values.map((row) => ({ ...row, id: randomUUID() }));
    const inserted = await this.in(workspaceId).insertInto('mail_inbound').values(rows)
      .onConflict((oc) => oc.columns(['workspace_id', 'message_id', 'content_sha256']).where('message_id', 'is not', null).doNothing())
      .returning(rawReturning).execute();
    const byId = new Map(inserted.map((row) => [row.id, stored(row)]));
    return rows.map((row) => byId.get(row.id));
  }

  /** Notes that a stored message's Message-ID had been used by a different message before. */
  async markMessageIdReused(workspaceId: string, id: string): Promise<void> {
    await this.in(workspaceId).updateTable('mail_inbound').set({ message_id_reused: true }).where('id', '=', id).execute();
  }

  raw(workspaceId: string, id: string): Promise<InboundRow | undefined> {
    return this.in(workspaceId).selectFrom('mail_inbound').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Counts a processing attempt of each message and reads them, in one statement per workspace
   * (a batch is nearly always of one); the rows in the order asked, undefined where there is none.
   * Bookkeeping only, so its commit does not wait for the disk (`synchronous_commit` off for the
   * statement's own transaction, set in it: one round trip): lost in a crash, an attempt is merely
   * not counted. The raw row itself (before the 250) is always a durable commit.
   */
  async startAttempts(messages: readonly { workspaceId: string; inboundId: string }[]): Promise<(InboundRow | undefined)[]> {
    const byWorkspace = new Map<string, string[]>();
    for (const { workspaceId, inboundId } of messages) byWorkspace.set(workspaceId, [...(byWorkspace.get(workspaceId) ?? []), inboundId]);
    const rows = new Map<string, InboundRow>();
    for (const [workspaceId, ids] of byWorkspace) {
      for (const row of await START_ATTEMPTS.rows(this.in(workspaceId), { ids })) rows.set(row.id, row);
    }
    return messages.map(({ workspaceId, inboundId }) => {
      const row = rows.get(inboundId);
      return row?.workspace_id === workspaceId ? row : undefined;
    });
  }

  /**
   * Records the outcome (and the Message-ID → ticket mapping) in one statement. Inside the
   * processing job (replayable work) its commit does not wait for the disk (core/db/database.ts):
   * if a crash loses it, the row is still `received`, the sweep runs the job again, and processing
   * is idempotent (the ticket is found by its Message-ID).
   */
  async finish(workspaceId: string, id: string, patch: Updateable<MailInboundTable>, thread?: { message_id: string; ticket_id: string; ticket_message_id: string | null }): Promise<void> {
    const done = { ...patch, processed_at: new Date() };
    if (thread) await FINISH_THREADED.run(this.in(workspaceId), { inboundId: id, thread, patch: done });
    else await FINISH.run(this.in(workspaceId), { ...done, inboundId: id });
  }

  /** Back to `received` for another try (an agent's retry of a parked message). */
  async requeue(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.in(workspaceId).updateTable('mail_inbound')
      .set({ status: 'received', reason: null, outcome: null }).where('id', '=', id).where('status', '=', 'parked').executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Newest first, keyset on (received_at, id); the raw bytes stay out of lists. */
  list(workspaceId: string, status: InboundStatus | undefined, limit: number, before?: { receivedAt: Date; id: string }) {
    let query = this.in(workspaceId).selectFrom('mail_inbound')
      .select(['id', 'source', 'status', 'outcome', 'reason', 'envelope_from', 'from_address', 'subject', 'message_id', 'size_bytes', 'ticket_id', 'ticket_message_id', 'autoreply_suppressed', 'attempts', 'received_at', 'processed_at', 'message_id_reused'])
      .orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (status) query = query.where('status', '=', status);
    if (before) query = query.where((eb) => eb.or([eb('received_at', '<', before.receivedAt), eb.and([eb('received_at', '=', before.receivedAt), eb('id', '<', before.id)])]));
    return query.execute();
  }

  /** Unscoped on purpose: the sweep finds messages whose job was never sent (a crash right after the 250); each becomes a scoped job. */
  stranded(olderThan: Date, limit: number): Promise<{ id: string; workspace_id: string }[]> {
    return this.db.selectFrom('mail_inbound').select(['id', 'workspace_id'])
      .where('status', '=', 'received').where('received_at', '<', olderThan).orderBy('received_at').limit(limit).execute();
  }

  // ---- threading --------------------------------------------------------------------------

  async ticketForMessageIds(workspaceId: string, ids: string[]): Promise<{ message_id: string; ticket_id: string } | undefined> {
    if (!ids.length) return undefined;
    const rows = await TICKETS_BY_MESSAGE_IDS.rows(this.in(workspaceId), { ids });
    // The first id in threading order wins (In-Reply-To before the oldest Reference).
    return ids.map((id) => rows.find((r) => r.message_id === id)).find((r) => r);
  }

  // ---- bounces -----------------------------------------------------------------------------

  async markFailing(workspaceId: string, address: string, reason: string | null, bouncedMessageId: string | null): Promise<void> {
    await this.in(workspaceId).insertInto('mail_address_health').values({
      address, status: 'failing', bounce_count: 1, last_reason: reason, last_bounced_message_id: bouncedMessageId, last_bounce_at: new Date(),
    }).onConflict((oc) => oc.columns(['workspace_id', 'address']).doUpdateSet((eb) => ({
      status: 'failing', bounce_count: eb('mail_address_health.bounce_count', '+', 1), last_reason: reason,
      last_bounced_message_id: bouncedMessageId, last_bounce_at: new Date(),
    }))).execute();
  }

  addressHealth(workspaceId: string, address: string) {
    return this.in(workspaceId).selectFrom('mail_address_health').selectAll().where('address', '=', address).executeTakeFirst();
  }

  /** The recipients of outbound mail with these Message-IDs (the mail a bounce reports on). */
  async outboundRecipients(workspaceId: string, messageIds: string[]): Promise<{ message_id: string; to_address: string }[]> {
    if (!messageIds.length) return [];
    const rows = await this.in(workspaceId).selectFrom('mail_outbox').select(['to_address', sql<string>`message_id`.as('message_id')])
      .where(sql<boolean>`message_id = any(${messageIds})`).execute();
    // to_address may be a display form ("Name <a@b>"): the bare address is what bounced.
    return rows.map((r) => ({ message_id: r.message_id, to_address: (/<([^<>]+)>/.exec(r.to_address)?.[1] ?? r.to_address).trim().toLowerCase() }));
  }

  // ---- mailboxes ----------------------------------------------------------------------------

  mailboxes(workspaceId: string): Promise<MailboxRow[]> {
    return this.in(workspaceId).selectFrom('mail_mailboxes').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /** Unscoped on purpose: the poller walks every workspace's enabled mailboxes; each poll then works in its workspace. */
  enabledMailboxes(): Promise<MailboxRow[]> {
    return this.db.selectFrom('mail_mailboxes').selectAll().where('enabled', '=', true).orderBy('created_at').execute();
  }

  mailbox(workspaceId: string, id: string): Promise<MailboxRow | undefined> {
    return this.in(workspaceId).selectFrom('mail_mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertMailbox(workspaceId: string, values: Omit<Insertable<MailMailboxesTable>, 'workspace_id'>): Promise<MailboxRow> {
    return this.in(workspaceId).insertInto('mail_mailboxes').values(values).returningAll().executeTakeFirstOrThrow();
  }

  updateMailbox(workspaceId: string, id: string, patch: Updateable<MailMailboxesTable>): Promise<MailboxRow | undefined> {
    return this.in(workspaceId).updateTable('mail_mailboxes').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async deleteMailbox(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.in(workspaceId).deleteFrom('mail_mailboxes').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
