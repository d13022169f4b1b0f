import { sql, type Kysely } from 'kysely';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import { queryTemplate } from '../../core/db/query-template.js';
import type { AgentRole, ApiTokenScope, EmailVerificationPurpose, PrincipalType } from './accounts.schema.js';
import type { Locale } from '../../core/i18n/index.js';
import type { AuditFilter } from '../../contracts/accounts.js';

const agentColumns = ['id', 'workspace_id', 'email', 'name', 'role', 'locale', 'disabled_at', 'created_at'] as const;
const workspaceColumns = [
  'w.slug as workspace_slug', 'w.name as workspace_name', 'w.default_locale as workspace_default_locale',
  'w.time_zone as workspace_time_zone', 'w.hostnames as workspace_hostnames', 'w.created_at as workspace_created_at',
] as const;
const apiTokenColumns = ['id', 'name', 'agent_id', 'scopes', 'expires_at', 'parent_id', 'created_at', 'last_used_at'] as const;
const invitationColumns = ['id', 'email', 'name', 'role', 'locale', 'invited_by', 'created_at', 'sent_at', 'expires_at', 'accepted_at', 'revoked_at', 'agent_id'] as const;
const customerColumns = ['id', 'workspace_id', 'email', 'name', 'locale', 'created_at'] as const;

/**
 * A new contact's customer, inserted or found (`created` says which), and read by id (every new
 * ticket's): built and compiled once (core/db/query-template.ts).
 */
const UPSERT_CUSTOMER = queryTemplate((db, values: { email: string; name: string; locale: Locale | null }) =>
  db.with('inserted', (qb) => qb.insertInto('customers').values({ ...values, password_hash: null })
    .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing()).returning(customerColumns))
    .selectFrom('inserted').select([...customerColumns, sql<boolean>`true`.as('created')])
    .unionAll((qb) => qb.selectFrom('customers').select([...customerColumns, sql<boolean>`false`.as('created')]).where('email', '=', values.email))
    .limit(1));
const CUSTOMER_BY_ID = queryTemplate((db, { id }: { id: string }) => db.selectFrom('customers').select(customerColumns).where('id', '=', id));

/** Every query on tenant tables goes through `tenancy.forWorkspace`; only lookups by secret hash start unscoped. */
export class AccountsRepo {
  constructor(private readonly db: Kysely<DB>, private readonly tenancy: Tenancy<DB>) {}

  /** For transactions that span the workspaces table (a new workspace and its event). */
  get database(): Kysely<DB> {
    return this.db;
  }

  in(workspaceId: string) {
    return this.tenancy.forWorkspace(workspaceId);
  }

  workspaceById(id: string) {
    return this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  }

  workspaceBySlug(slug: string) {
    return this.db.selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst();
  }

  /** The workspace that answers for a host name, else the oldest one (a single-company install). */
  workspaceForHost(host: string) {
    return this.db.selectFrom('workspaces').selectAll()
      .orderBy(sql`${host} = any(hostnames)`, 'desc').orderBy('created_at').orderBy('id')
      .limit(1).executeTakeFirst();
  }

  /** In `trx` when given: the caller's transaction carries the workspace.created event with the row. */
  insertWorkspace(values: { slug: string; name: Record<Locale, string>; default_locale?: Locale; time_zone?: string }, trx: Kysely<DB> = this.db) {
    return trx.insertInto('workspaces').values({ ...values, name: JSON.stringify(values.name) })
      .returningAll().executeTakeFirstOrThrow();
  }

  updateWorkspace(id: string, patch: { name?: Record<Locale, string>; default_locale?: Locale; time_zone?: string }) {
    const { name, ...rest } = patch;
    return this.db.updateTable('workspaces').set({ ...rest, ...(name ? { name: JSON.stringify(name) } : {}) })
      .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * Adds a host name unless another workspace answers on it: one writer at a time (an advisory
   * lock), so two workspaces adding the same name at once cannot both get it.
   */
  addHostname(workspaceId: string, hostname: string, max: number): Promise<{ taken: true } | { full: true } | { hostnames: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('workspaces.hostnames'))`.execute(trx);
      const owner = await trx.selectFrom('workspaces').select('id').where(sql<boolean>`${hostname} = any(hostnames)`).executeTakeFirst();
      if (owner && owner.id !== workspaceId) return { taken: true as const };
      const current = await trx.selectFrom('workspaces').select('hostnames').where('id', '=', workspaceId).forUpdate().executeTakeFirstOrThrow();
      if (owner) return { hostnames: current.hostnames };
      if (current.hostnames.length >= max) return { full: true as const };
      const updated = await trx.updateTable('workspaces').set({ hostnames: sql<string[]>`array_append(hostnames, ${hostname}::text)` })
        .where('id', '=', workspaceId).returning('hostnames').executeTakeFirstOrThrow();
      return { hostnames: updated.hostnames };
    });
  }

  /** Removes a host name of this workspace; undefined when it had none such. */
  async removeHostname(workspaceId: string, hostname: string): Promise<string[] | undefined> {
    const updated = await this.db.updateTable('workspaces').set({ hostnames: sql<string[]>`array_remove(hostnames, ${hostname}::text)` })
      .where('id', '=', workspaceId).where(sql<boolean>`${hostname} = any(hostnames)`).returning('hostnames').executeTakeFirst();
    return updated?.hostnames;
  }

  agentById(workspaceId: string, id: string) {
    return this.in(workspaceId).selectFrom('agents').select(agentColumns).where('id', '=', id).executeTakeFirst();
  }

  agentCredentials(workspaceId: string, email: string) {
    return this.in(workspaceId).selectFrom('agents').select([...agentColumns, 'password_hash'])
      .where('email', '=', email).executeTakeFirst();
  }

  listAgents(workspaceId: string) {
    return this.in(workspaceId).selectFrom('agents').select(agentColumns).orderBy('created_at').orderBy('id').execute();
  }

  /** In `db` when given: the caller's transaction, already scoped to the workspace (an accepted invitation). */
  insertAgent(workspaceId: string, values: { email: string; name: string; role: AgentRole; password_hash: string; locale: Locale | null }, db = this.in(workspaceId)) {
    return db.insertInto('agents').values(values).returning(agentColumns)
      .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing()).executeTakeFirst();
  }

  updateAgent(workspaceId: string, id: string, patch: { name?: string; role?: AgentRole; locale?: Locale | null; disabled_at?: Date | null; password_hash?: string }) {
    return this.in(workspaceId).updateTable('agents').set(patch).where('id', '=', id).returning(agentColumns).executeTakeFirst();
  }

  countActiveAdmins(workspaceId: string) {
    return this.in(workspaceId).selectFrom('agents').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin').where('disabled_at', 'is', null).executeTakeFirstOrThrow();
  }

  customerById(workspaceId: string, id: string) {
    return CUSTOMER_BY_ID.first(this.in(workspaceId), { id });
  }

  customerCredentials(workspaceId: string, email: string) {
    return this.in(workspaceId).selectFrom('customers').select([...customerColumns, 'password_hash'])
      .where('email', '=', email).executeTakeFirst();
  }

  insertCustomer(workspaceId: string, values: { email: string; name: string; password_hash: string | null; locale: Locale | null }) {
    return this.in(workspaceId).insertInto('customers').values(values).returning(customerColumns)
      .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing()).executeTakeFirst();
  }

  /**
   * The customer with this e-mail, inserted if there is none: one statement, so a ticket's
   * transaction pays one round trip for its customer, new or returning. `db` is already scoped to
   * the workspace (the caller's transaction). Undefined only when another transaction inserted the
   * same address after this statement began: a second call sees it.
   */
  upsertCustomer(db: Kysely<DB>, values: { email: string; name: string; locale: Locale | null }) {
    return UPSERT_CUSTOMER.first(db, values);
  }

  updateCustomer(workspaceId: string, id: string, patch: { locale?: Locale | null; password_hash?: string }) {
    return this.in(workspaceId).updateTable('customers').set(patch).where('id', '=', id).returning(customerColumns).executeTakeFirst();
  }

  insertSession(workspaceId: string, values: { token_hash: string; principal_type: PrincipalType; principal_id: string; expires_at: Date }) {
    return this.in(workspaceId).insertInto('sessions').values(values).execute();
  }

  /** Unscoped on purpose: the session is what tells us the workspace. */
  liveSession(tokenHash: string, type: 'customer') {
    return this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash)
      .where('principal_type', '=', type).where('expires_at', '>', new Date()).executeTakeFirst();
  }

  deleteSession(tokenHash: string) {
    return this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash)
      .returning(['workspace_id', 'principal_type', 'principal_id']).executeTakeFirst();
  }

  /** An erased customer's sessions, reset links and verification links. */
  async forgetCustomerAccess(workspaceId: string, customerId: string) {
    const db = this.in(workspaceId);
    await db.deleteFrom('sessions').where('principal_type', '=', 'customer').where('principal_id', '=', customerId).execute();
    await db.deleteFrom('password_resets').where('principal_type', '=', 'customer').where('principal_id', '=', customerId).execute();
    await db.deleteFrom('email_verifications').where('customer_id', '=', customerId).execute();
  }

  /** Every session of the principal, but the one hashed `keep` when given (the agent changing their password stays signed in there). */
  deleteSessionsOf(workspaceId: string, type: PrincipalType, principalId: string, keep?: string) {
    let query = this.in(workspaceId).deleteFrom('sessions').where('principal_type', '=', type).where('principal_id', '=', principalId);
    if (keep) query = query.where('token_hash', '<>', keep);
    return query.execute();
  }

  agentPasswordHash(workspaceId: string, id: string) {
    return this.in(workspaceId).selectFrom('agents').select('password_hash').where('id', '=', id).executeTakeFirst();
  }

  notificationPreferences(workspaceId: string, agentId: string) {
    return this.in(workspaceId).selectFrom('agent_notification_preferences').select(['assigned', 'customer_replied', 'sla_warning'])
      .where('agent_id', '=', agentId).executeTakeFirst();
  }

  saveNotificationPreferences(workspaceId: string, agentId: string, values: { assigned: boolean; customer_replied: boolean; sla_warning: boolean }) {
    return this.in(workspaceId).insertInto('agent_notification_preferences').values({ agent_id: agentId, ...values })
      .onConflict((oc) => oc.column('agent_id').doUpdateSet({ ...values, updated_at: new Date() })).execute();
  }

  // ---- agent invitations ----

  /** Runs `work` in one transaction scoped to the workspace. */
  transaction<T>(workspaceId: string, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.in(workspaceId).transaction().execute(work);
  }

  /** Undefined when the address already has an open invitation (one per address: the partial unique index). */
  insertInvitation(db: Kysely<DB>, values: { email: string; name: string; role: AgentRole; locale: Locale | null; token_hash: string; invited_by: string | null; expires_at: Date }) {
    return db.insertInto('agent_invitations').values(values).returning(invitationColumns)
      .onConflict((oc) => oc.columns(['workspace_id', 'email']).where('accepted_at', 'is', null).where('revoked_at', 'is', null).doNothing())
      .executeTakeFirst();
  }

  /** Open invitations (neither accepted nor revoked; expired ones too, so an admin sees them and resends), oldest first. */
  listOpenInvitations(workspaceId: string) {
    return this.in(workspaceId).selectFrom('agent_invitations').select(invitationColumns)
      .where('accepted_at', 'is', null).where('revoked_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  }

  /** A fresh link for an open invitation: the old hash is replaced, so the older mail's link is dead. */
  renewInvitation(db: Kysely<DB>, id: string, values: { token_hash: string; expires_at: Date; sent_at: Date }) {
    return db.updateTable('agent_invitations').set(values).where('id', '=', id)
      .where('accepted_at', 'is', null).where('revoked_at', 'is', null).returning(invitationColumns).executeTakeFirst();
  }

  revokeInvitation(workspaceId: string, id: string, now: Date) {
    return this.in(workspaceId).updateTable('agent_invitations').set({ revoked_at: now }).where('id', '=', id)
      .where('accepted_at', 'is', null).where('revoked_at', 'is', null).returning(invitationColumns).executeTakeFirst();
  }

  invitationByToken(workspaceId: string, tokenHash: string) {
    return this.in(workspaceId).selectFrom('agent_invitations').select(invitationColumns).where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** Marks the invitation accepted in the statement that checks it is still open: a link works once, even under a race. */
  consumeInvitation(db: Kysely<DB>, tokenHash: string, now: Date) {
    return db.updateTable('agent_invitations').set({ accepted_at: now }).where('token_hash', '=', tokenHash)
      .where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', now)
      .returning(invitationColumns).executeTakeFirst();
  }

  setInvitationAgent(db: Kysely<DB>, id: string, agentId: string) {
    return db.updateTable('agent_invitations').set({ agent_id: agentId }).where('id', '=', id).execute();
  }

  insertApiToken(workspaceId: string, values: { agent_id: string; name: string; token_hash: string; scopes: ApiTokenScope[]; expires_at: Date | null; parent_id: string | null }) {
    return this.in(workspaceId).insertInto('api_tokens').values(values).returning(apiTokenColumns).executeTakeFirstOrThrow();
  }

  /** Live tokens (not revoked; expired ones too, until revoked, so people see why a client stopped), of one agent or all. */
  listApiTokens(workspaceId: string, agentId?: string) {
    let query = this.in(workspaceId).selectFrom('api_tokens').select(apiTokenColumns).where('revoked_at', 'is', null);
    if (agentId) query = query.where('agent_id', '=', agentId);
    return query.orderBy('created_at').orderBy('id').execute();
  }

  apiTokenById(workspaceId: string, id: string) {
    return this.in(workspaceId).selectFrom('api_tokens').select(apiTokenColumns).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  }

  /**
   * Revokes the tokens `which` names and every token minted from them, down the chain; returns
   * every id revoked. A chain is a few links deep, so one update per generation is cheap.
   */
  async revokeApiTokens(workspaceId: string, which: { id: string } | { agentId: string }): Promise<string[]> {
    const now = new Date();
    const revoke = this.in(workspaceId).updateTable('api_tokens').set({ revoked_at: now }).where('revoked_at', 'is', null);
    let generation = (await ('id' in which ? revoke.where('id', '=', which.id) : revoke.where('agent_id', '=', which.agentId))
      .returning('id').execute()).map((r) => r.id);
    const revoked: string[] = [];
    while (generation.length) {
      revoked.push(...generation);
      generation = (await revoke.where('parent_id', 'in', generation).returning('id').execute()).map((r) => r.id);
    }
    return revoked;
  }

  /**
   * The agent and workspace behind a live API token, in one round trip: it runs on every API call.
   * Unscoped on purpose: the token is what tells us the workspace.
   */
  agentForApiToken(tokenHash: string) {
    return this.db.selectFrom('api_tokens as t')
      .innerJoin('agents as a', (join) => join.onRef('a.id', '=', 't.agent_id').onRef('a.workspace_id', '=', 't.workspace_id'))
      .innerJoin('workspaces as w', 'w.id', 't.workspace_id')
      .select(['t.id as token_id', 't.last_used_at', 't.scopes as token_scopes', 't.expires_at as token_expires_at', ...agentColumns.map((c) => `a.${c}` as const)])
      .select(workspaceColumns)
      .where('t.token_hash', '=', tokenHash).where('t.revoked_at', 'is', null).where('a.disabled_at', 'is', null)
      .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', new Date())]))
      .executeTakeFirst();
  }

  /** Same for a session cookie. */
  agentForSession(tokenHash: string) {
    return this.db.selectFrom('sessions as s')
      .innerJoin('agents as a', (join) => join.onRef('a.id', '=', 's.principal_id').onRef('a.workspace_id', '=', 's.workspace_id'))
      .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
      .select(['s.expires_at as session_expires_at', ...agentColumns.map((c) => `a.${c}` as const)])
      .select(workspaceColumns)
      .where('s.token_hash', '=', tokenHash).where('s.principal_type', '=', 'agent')
      .where('s.expires_at', '>', new Date()).where('a.disabled_at', 'is', null)
      .executeTakeFirst();
  }

  touchApiToken(id: string) {
    return this.db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
  }

  insertPasswordReset(workspaceId: string, values: { token_hash: string; principal_type: PrincipalType; principal_id: string; expires_at: Date }) {
    return this.in(workspaceId).insertInto('password_resets').values(values).execute();
  }

  insertEmailVerification(workspaceId: string, values: { token_hash: string; customer_id: string; email: string; purpose: EmailVerificationPurpose; make_primary: boolean; expires_at: Date }) {
    return this.in(workspaceId).insertInto('email_verifications').values(values).execute();
  }

  emailVerification(workspaceId: string, tokenHash: string) {
    return this.in(workspaceId).selectFrom('email_verifications').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** Marks the link used in the statement that checks it is still open: a link works once, even under a race. */
  consumeEmailVerification(workspaceId: string, tokenHash: string, purposes: readonly EmailVerificationPurpose[], now: Date) {
    return this.in(workspaceId).updateTable('email_verifications').set({ used_at: now })
      .where('token_hash', '=', tokenHash).where('purpose', 'in', purposes).where('used_at', 'is', null).where('expires_at', '>', now)
      .returning(['customer_id', 'email', 'purpose', 'make_primary']).executeTakeFirst();
  }

  /** Marks the reset used in the same statement that reads it, so a link works once even under a race. */
  consumePasswordReset(workspaceId: string, tokenHash: string, type: PrincipalType) {
    return this.in(workspaceId).updateTable('password_resets').set({ used_at: new Date() })
      .where('token_hash', '=', tokenHash).where('principal_type', '=', type)
      .where('used_at', 'is', null).where('expires_at', '>', new Date())
      .returning(['principal_id']).executeTakeFirst();
  }

  /** Every reset link of this account still open, spent at once: a password set by one link ends the others. */
  spendPasswordResetsOf(workspaceId: string, type: PrincipalType, principalId: string) {
    return this.in(workspaceId).updateTable('password_resets').set({ used_at: new Date() })
      .where('principal_type', '=', type).where('principal_id', '=', principalId).where('used_at', 'is', null).execute();
  }

  insertAudit(workspaceId: string, entry: { actor_type: 'agent' | 'system' | 'api'; actor_id: string | null; action: string; target_type: string | null; target_id: string | null; details: Record<string, unknown>; ip: string | null }, db = this.in(workspaceId)) {
    return db.insertInto('audit_log').values({ ...entry, details: JSON.stringify(entry.details) }).execute();
  }

  /** Keyset pagination: newest first, `before` is the last id of the previous page. */
  listAudit(workspaceId: string, filter: AuditFilter) {
    let query = this.in(workspaceId).selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.before !== undefined) query = query.where('id', '<', filter.before);
    if (filter.actorType) query = query.where('actor_type', '=', filter.actorType);
    if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.from) query = query.where('created_at', '>=', filter.from);
    if (filter.to) query = query.where('created_at', '<', filter.to);
    return query.execute();
  }
}
