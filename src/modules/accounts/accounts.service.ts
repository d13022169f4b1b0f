import { hashPassword, unusablePasswordHash, verifyPassword } from '../../core/auth/passwords.js';
import { hashToken, newSecretToken } from '../../core/auth/tokens.js';
import { AppError, notFound } from '../../core/errors.js';
import type { Locale } from '../../core/i18n/index.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../core/db/database.js';
import type { EventBus } from '../../core/events/index.js';
import type { JobQueue } from '../../core/jobs/index.js';
import type { MailSecrets } from '../../core/auth/mail-secrets.js';
import type { MailOutbox } from '../../core/mail/outbox.js';
import type { AccountsRepo } from './accounts.repo.js';
import { API_TOKEN_SCOPES, type NotificationPreferences, type AgentRole, type EmailVerificationPurpose, type AgentRow, type ApiTokenScope, type CustomerRow, type LocalizedText, type PrincipalType, type WorkspaceRow } from './accounts.schema.js';
import { PrincipalCache, type PrincipalTags } from './principal-cache.js';
import { WorkspaceCache } from '../../core/workspace-cache.js';
import type { AuditActorType, AuditFilter } from '../../contracts/accounts.js';

const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
import { hostnameErrors, MAX_HOSTNAMES, parseHostname } from './workspace-hostnames.js';

const RESET_TTL_MS = 3600 * 1000;
const PASSWORD_RESET_JOB = 'accounts.password-reset';
interface PasswordResetJob { workspaceId: string; type: PrincipalType; email: string; locale: Locale }
const VERIFY_TTL_MS = 24 * 3600 * 1000;
const EMAIL_VERIFICATION_JOB = 'accounts.email-verification';
interface EmailVerificationJob { workspaceId: string; customerId: string; email: string; purpose: EmailVerificationPurpose; makePrimary: boolean; locale: Locale }

const VERIFICATION_TEMPLATES = { add: 'emailVerification', register: 'accountCreated', erase: 'erasureConfirm' } as const;
const VERIFICATION_PATHS = { add: '/account/verify-email', register: '/account/verify-email', erase: '/account/erase/confirm' } as const;

/** What a followed verification link proved: this customer reads this address. */
export interface VerifiedEmail { customerId: string; email: string; purpose: EmailVerificationPurpose; makePrimary: boolean }

/** The refusals of a mailed one-time link, each with its own code (`<PREFIX>_INVALID` …) so a page can say which. */
const oneTimeLinkErrors = (prefix: string, link: string) => ({
  invalid: () => new AppError(`${prefix}_INVALID`, 400, `This ${link} is not valid`),
  used: () => new AppError(`${prefix}_USED`, 409, `This ${link} has already been used`),
  expired: () => new AppError(`${prefix}_EXPIRED`, 410, `This ${link} has expired; ask for a new one`),
});

export const emailLinkErrors = oneTimeLinkErrors('EMAIL_LINK', 'verification link');
export const invitationLinkErrors = {
  ...oneTimeLinkErrors('INVITATION', 'invitation link'),
  // Used or expired, one code and one message, as reset links have (RESET_TOKEN_INVALID): whoever holds
  // an old link learns nothing about whether someone else already spent it.
  used: () => new AppError('INVITATION_EXPIRED', 410, 'This invitation link has expired or was already used'),
  expired: () => new AppError('INVITATION_EXPIRED', 410, 'This invitation link has expired or was already used'),
  revoked: () => new AppError('INVITATION_REVOKED', 410, 'This invitation was withdrawn; ask an admin for a new one'),
};

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
const INVITATION_PATH = '/agent/accept-invitation';

/** An invitation as its link shows it, before the password is chosen. */
export interface InvitationPreview { email: string; name: string; role: AgentRole; locale: Locale | null; workspace: string }

export interface Actor {
  type: AuditActorType;
  id: string | null;
  ip?: string | null;
}

/** The product itself (seeding, jobs): what changes made outside a request are audited as. */
export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

type AgentWithWorkspaceRow = AgentRow & {
  workspace_slug: string; workspace_name: LocalizedText; workspace_default_locale: Locale;
  workspace_time_zone: string; workspace_hostnames: string[]; workspace_created_at: Date;
};

export interface SignedInAgentWithWorkspace {
  agent: AgentRow;
  workspace: WorkspaceRow;
}

/** The API token a request came with: what it may do, and until when. */
export interface ApiTokenGrant {
  id: string;
  scopes: ApiTokenScope[];
  expiresAt: Date | null;
}

export type AgentForApiToken = SignedInAgentWithWorkspace & { token: ApiTokenGrant };

/** Whose access changed: an agent, a customer, or everyone in a workspace (its settings are cached with them). */
export type AccessChange = { principal: PrincipalType | 'workspace'; id: string };

function splitAgentRow(row: Omit<AgentWithWorkspaceRow, 'password_hash'>): SignedInAgentWithWorkspace {
  const { workspace_slug, workspace_name, workspace_default_locale, workspace_time_zone, workspace_hostnames, workspace_created_at, ...agent } = row;
  return {
    agent: agent as AgentRow,
    workspace: {
      id: agent.workspace_id, slug: workspace_slug, name: workspace_name, default_locale: workspace_default_locale,
      time_zone: workspace_time_zone, hostnames: workspace_hostnames, created_at: workspace_created_at,
    },
  };
}

export const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 401, 'The e-mail or password is not correct');

export const tokenScopeMissing = (scope: ApiTokenScope) =>
  new AppError('API_TOKEN_SCOPE_MISSING', 403, `This API token does not have the ${scope} scope`, { scope });

export class AccountsService {
  constructor(
    private readonly repo: AccountsRepo,
    private readonly outbox: MailOutbox,
    private readonly bus: EventBus,
    private readonly publicUrl: string,
    private readonly mailSecrets: MailSecrets,
    private readonly jobs: JobQueue,
    options: { authCacheMs: number },
  ) {
    this.agentPrincipals = new PrincipalCache(options.authCacheMs);
    this.customerPrincipals = new PrincipalCache(options.authCacheMs);
    this.workspaces = new WorkspaceCache(options.authCacheMs, (id) => this.repo.workspaceById(id));
  }

  private readonly agentPrincipals: PrincipalCache<SignedInAgentWithWorkspace | AgentForApiToken>;
  private readonly customerPrincipals: PrincipalCache<Omit<CustomerRow, 'password_hash'>>;
  /**
   * Workspace rows, kept as long as principals: every new ticket's acknowledgement, SLA and triage
   * read the workspace's locale, time zone and name (issue 15). Its changes are `access.changed`
   * for the whole workspace, so they drop it with the principals.
   */
  private readonly workspaces: WorkspaceCache<WorkspaceRow | undefined>;

  // ---- workspaces -------------------------------------------------------------------------

  async workspace(id: string): Promise<WorkspaceRow> {
    const workspace = await this.workspaces.get(id);
    if (!workspace) throw notFound('workspace');
    return workspace;
  }

  workspaceForHost(host: string) {
    return this.repo.workspaceForHost(host);
  }

  async createWorkspace(input: { slug: string; name: LocalizedText; defaultLocale?: Locale; timeZone?: string }) {
    if (await this.repo.workspaceBySlug(input.slug)) {
      throw new AppError('WORKSPACE_SLUG_TAKEN', 409, `A workspace named ${input.slug} already exists`);
    }
    // Modules give a new workspace its defaults (departments, SLA calendar …) from this event, so it
    // commits with the row: a crash right after the insert cannot leave a workspace without them.
    return this.bus.transaction(this.repo.database, async (trx, events) => {
      const workspace = await this.repo.insertWorkspace({ slug: input.slug, name: input.name, default_locale: input.defaultLocale, time_zone: input.timeZone }, trx);
      events.publish('workspace.created', workspace.id, { slug: workspace.slug });
      return workspace;
    });
  }

  async updateWorkspace(workspaceId: string, patch: { name?: LocalizedText; defaultLocale?: Locale; timeZone?: string }, actor: Actor) {
    if (Object.values(patch).every((v) => v === undefined)) return this.workspace(workspaceId);
    const updated = await this.repo.updateWorkspace(workspaceId, { name: patch.name, default_locale: patch.defaultLocale, time_zone: patch.timeZone });
    await this.audit(workspaceId, actor, 'workspace.updated', 'workspace', workspaceId, patch);
    await this.accessChanged(workspaceId, { principal: 'workspace', id: workspaceId });
    return updated;
  }

  /** The host names the portal answers on for this workspace (Settings → Host names). */
  async hostnames(workspaceId: string): Promise<string[]> {
    return (await this.workspace(workspaceId)).hostnames;
  }

  /** Adds a host name (validated and lower-cased); another workspace's is refused (HOSTNAME_TAKEN); adding one it has changes nothing. */
  async addHostname(workspaceId: string, input: string, actor: Actor): Promise<string[]> {
    const hostname = parseHostname(input);
    const result = await this.repo.addHostname(workspaceId, hostname, MAX_HOSTNAMES);
    if ('taken' in result) throw hostnameErrors.taken(hostname);
    if ('full' in result) throw hostnameErrors.tooMany();
    await this.audit(workspaceId, actor, 'workspace.hostname_added', 'workspace', workspaceId, { hostname });
    await this.accessChanged(workspaceId, { principal: 'workspace', id: workspaceId });
    return result.hostnames;
  }

  async removeHostname(workspaceId: string, input: string, actor: Actor): Promise<string[]> {
    const hostname = input.trim().toLowerCase().replace(/\.$/, '');
    const hostnames = await this.repo.removeHostname(workspaceId, hostname);
    if (!hostnames) throw hostnameErrors.notFound();
    await this.audit(workspaceId, actor, 'workspace.hostname_removed', 'workspace', workspaceId, { hostname });
    await this.accessChanged(workspaceId, { principal: 'workspace', id: workspaceId });
    return hostnames;
  }

  // ---- agents -----------------------------------------------------------------------------

  listAgents(workspaceId: string) {
    return this.repo.listAgents(workspaceId);
  }

  /** The workspace's agent, or undefined when it has none by that id. */
  findAgent(workspaceId: string, id: string) {
    return this.repo.agentById(workspaceId, id);
  }

  async agent(workspaceId: string, id: string) {
    const agent = await this.findAgent(workspaceId, id);
    if (!agent) throw notFound('agent');
    return agent;
  }

  async createAgent(workspaceId: string, input: { email: string; name: string; role: AgentRole; password: string; locale?: Locale | null }, actor: Actor) {
    const agent = await this.repo.insertAgent(workspaceId, {
      email: input.email.toLowerCase(), name: input.name, role: input.role,
      password_hash: await hashPassword(input.password), locale: input.locale ?? null,
    });
    if (!agent) throw new AppError('EMAIL_TAKEN', 409, 'An agent with this e-mail already exists');
    await this.audit(workspaceId, actor, 'agent.created', 'agent', agent.id, { email: agent.email, role: agent.role });
    return agent;
  }

  async updateAgent(workspaceId: string, id: string, patch: { name?: string; role?: AgentRole; disabled?: boolean }, actor: Actor) {
    const current = await this.agent(workspaceId, id);
    const losesAdmin = current.role === 'admin' && !current.disabled_at && ((patch.role && patch.role !== 'admin') || patch.disabled);
    if (losesAdmin && (await this.repo.countActiveAdmins(workspaceId)).n <= 1) {
      throw new AppError('LAST_ADMIN', 409, 'A workspace needs at least one active admin');
    }
    if (Object.values(patch).every((v) => v === undefined)) return current;
    const disabledAt = patch.disabled === undefined ? undefined : patch.disabled ? new Date() : null;
    const agent = await this.repo.updateAgent(workspaceId, id, { name: patch.name, role: patch.role, disabled_at: disabledAt });
    if (!agent) throw notFound('agent');
    // A disabled agent's sessions and tokens end for good: enabling them again does not revive either.
    if (patch.disabled) {
      await this.repo.deleteSessionsOf(workspaceId, 'agent', id);
      await this.repo.revokeApiTokens(workspaceId, { agentId: id });
    }
    await this.audit(workspaceId, actor, 'agent.updated', 'agent', id, patch);
    await this.accessChanged(workspaceId, { principal: 'agent', id });
    return agent;
  }

  /**
   * Changes the signed-in agent's password: the current one must be given (a session left open on
   * a shared computer is not enough). Every other session of theirs ends; the one they used stays.
   */
  async changeAgentPassword(workspaceId: string, agentId: string, input: { currentPassword: string; newPassword: string; keepSessionToken?: string }, actor: Actor) {
    const found = await this.repo.agentPasswordHash(workspaceId, agentId);
    if (!found || !(await verifyPassword(input.currentPassword, found.password_hash))) {
      throw new AppError('CURRENT_PASSWORD_WRONG', 400, 'The current password is not correct', [{ path: 'body.currentPassword', message: 'not the current password' }]);
    }
    await this.repo.updateAgent(workspaceId, agentId, { password_hash: await hashPassword(input.newPassword) });
    await this.repo.deleteSessionsOf(workspaceId, 'agent', agentId, input.keepSessionToken && hashToken(input.keepSessionToken));
    await this.repo.spendPasswordResetsOf(workspaceId, 'agent', agentId);
    await this.audit(workspaceId, actor, 'password.changed', 'agent', agentId, {});
    await this.accessChanged(workspaceId, { principal: 'agent', id: agentId });
  }

  /** Which notification mails the agent wants; every kind until they say otherwise. */
  async notificationPreferences(workspaceId: string, agentId: string): Promise<NotificationPreferences> {
    const saved = await this.repo.notificationPreferences(workspaceId, agentId);
    return saved ? { assigned: saved.assigned, customerReplied: saved.customer_replied, slaWarning: saved.sla_warning } : { assigned: true, customerReplied: true, slaWarning: true };
  }

  async setNotificationPreferences(workspaceId: string, agentId: string, preferences: NotificationPreferences): Promise<NotificationPreferences> {
    await this.repo.saveNotificationPreferences(workspaceId, agentId, { assigned: preferences.assigned, customer_replied: preferences.customerReplied, sla_warning: preferences.slaWarning });
    return preferences;
  }

  // ---- agent invitations ------------------------------------------------------------------

  /**
   * Invites someone to become an agent: a mail with a one-time link (seven days) to a console page
   * where they choose a password. The agent account is made only then, so an admin never knows
   * (or chooses) anyone's password. The invitation and its mail commit together.
   */
  async inviteAgent(workspaceId: string, input: { email: string; name: string; role: AgentRole; locale?: Locale | null }, actor: Actor) {
    const email = input.email.toLowerCase();
    if (await this.repo.agentCredentials(workspaceId, email)) throw new AppError('EMAIL_TAKEN', 409, 'An agent with this e-mail already exists');
    const workspace = await this.workspace(workspaceId);
    const inviter = actor.id ? await this.findAgent(workspaceId, actor.id) : undefined;
    const invitation = await this.repo.transaction(workspaceId, async (trx) => {
      const { reference, secret } = await this.mailSecrets.issue('agent-invitation');
      const created = await this.repo.insertInvitation(trx, {
        email, name: input.name, role: input.role, locale: input.locale ?? null, token_hash: hashToken(secret),
        invited_by: inviter?.id ?? null, expires_at: new Date(Date.now() + INVITATION_TTL_MS),
      });
      if (!created) throw new AppError('INVITATION_PENDING', 409, 'This address already has an open invitation; resend it instead');
      await this.mailInvitation(workspaceId, workspace, created, reference, inviter?.name, trx);
      return created;
    });
    await this.audit(workspaceId, actor, 'agent_invitation.created', 'agent_invitation', invitation.id, { email, role: input.role });
    return invitation;
  }

  listInvitations(workspaceId: string) {
    return this.repo.listOpenInvitations(workspaceId);
  }

  /** Mails an open invitation again with a new link and a new week; the link of the earlier mail stops working. */
  async resendInvitation(workspaceId: string, id: string, actor: Actor) {
    const workspace = await this.workspace(workspaceId);
    const inviter = actor.id ? await this.findAgent(workspaceId, actor.id) : undefined;
    const invitation = await this.repo.transaction(workspaceId, async (trx) => {
      const { reference, secret } = await this.mailSecrets.issue('agent-invitation');
      const now = new Date();
      const renewed = await this.repo.renewInvitation(trx, id, { token_hash: hashToken(secret), expires_at: new Date(now.getTime() + INVITATION_TTL_MS), sent_at: now });
      if (!renewed) throw notFound('agent_invitation');
      await this.mailInvitation(workspaceId, workspace, renewed, reference, inviter?.name, trx);
      return renewed;
    });
    await this.audit(workspaceId, actor, 'agent_invitation.resent', 'agent_invitation', id, { email: invitation.email });
    return invitation;
  }

  async revokeInvitation(workspaceId: string, id: string, actor: Actor) {
    const revoked = await this.repo.revokeInvitation(workspaceId, id, new Date());
    if (!revoked) throw notFound('agent_invitation');
    await this.audit(workspaceId, actor, 'agent_invitation.revoked', 'agent_invitation', id, { email: revoked.email });
  }

  /** Who a link invites, for the page that asks for a password; the link's refusals as `acceptInvitation` gives them. */
  async previewInvitation(workspaceId: string, token: string): Promise<InvitationPreview> {
    const invitation = await this.repo.invitationByToken(workspaceId, hashToken(token));
    if (!invitation) throw invitationLinkErrors.invalid();
    if (invitation.accepted_at) throw invitationLinkErrors.used();
    if (invitation.revoked_at) throw invitationLinkErrors.revoked();
    if (invitation.expires_at <= new Date()) throw invitationLinkErrors.expired();
    const workspace = await this.workspace(workspaceId);
    const locale = invitation.locale ?? workspace.default_locale;
    return { email: invitation.email, name: invitation.name, role: invitation.role, locale: invitation.locale, workspace: workspace.name[locale] };
  }

  /**
   * Spends the link: the agent is made with the chosen password and signed in. The link is marked
   * used in the statement that checks it is open, so two clicks cannot make two agents.
   */
  async acceptInvitation(workspaceId: string, token: string, password: string, options: { ip?: string } = {}) {
    const tokenHash = hashToken(token);
    const password_hash = await hashPassword(password);
    const accepted = await this.repo.transaction(workspaceId, async (trx) => {
      const invitation = await this.repo.consumeInvitation(trx, tokenHash, new Date());
      if (!invitation) return undefined;
      const agent = await this.repo.insertAgent(workspaceId, { email: invitation.email, name: invitation.name, role: invitation.role, locale: invitation.locale, password_hash }, trx);
      if (!agent) throw new AppError('EMAIL_TAKEN', 409, 'An agent with this e-mail already exists');
      await this.repo.setInvitationAgent(trx, invitation.id, agent.id);
      return { invitation, agent };
    });
    if (!accepted) {
      // Not spent: the preview says why (used, withdrawn, expired, unknown).
      await this.previewInvitation(workspaceId, token);
      throw invitationLinkErrors.invalid();
    }
    const { invitation, agent } = accepted;
    const actor: Actor = { type: 'agent', id: agent.id, ip: options.ip };
    await this.audit(workspaceId, actor, 'agent_invitation.accepted', 'agent_invitation', invitation.id, { email: agent.email });
    await this.audit(workspaceId, actor, 'agent.created', 'agent', agent.id, { email: agent.email, role: agent.role, invitationId: invitation.id });
    return { agent, sessionToken: await this.openSession(workspaceId, 'agent', agent.id) };
  }

  private async mailInvitation(workspaceId: string, workspace: WorkspaceRow, invitation: { email: string; name: string; locale: Locale | null }, reference: string,
    inviter: string | undefined, trx: Kysely<DB>) {
    const locale = invitation.locale ?? workspace.default_locale;
    await this.outbox.queue(workspaceId, {
      to: invitation.email, template: 'agentInvitation', locale, autoSubmitted: 'auto-generated',
      vars: { name: invitation.name, inviter: inviter ?? workspace.name[locale], workspace: workspace.name[locale], link: `${this.publicUrl}${INVITATION_PATH}?token=${reference}` },
    }, trx);
  }

  async setAgentLocale(workspaceId: string, id: string, locale: Locale) {
    const agent = await this.repo.updateAgent(workspaceId, id, { locale });
    if (!agent) throw notFound('agent');
    await this.accessChanged(workspaceId, { principal: 'agent', id });
    return agent;
  }

  // ---- customers --------------------------------------------------------------------------

  /** The workspace's customer account, or undefined when it has none by that id. */
  findCustomer(workspaceId: string, id: string) {
    return this.repo.customerById(workspaceId, id);
  }

  async customer(workspaceId: string, id: string) {
    const customer = await this.findCustomer(workspaceId, id);
    if (!customer) throw notFound('customer');
    return customer;
  }

  /** A customer made by the product itself (seeding, imports); the portal's sign-up form uses `signUpCustomer`. */
  async registerCustomer(workspaceId: string, input: { email: string; name: string; password: string | null; locale: Locale | null }) {
    const customer = await this.repo.insertCustomer(workspaceId, {
      email: input.email.toLowerCase(), name: input.name, locale: input.locale,
      password_hash: input.password ? await hashPassword(input.password) : null,
    });
    if (!customer) throw new AppError('EMAIL_TAKEN', 409, 'An account with this e-mail already exists');
    return customer;
  }

  /**
   * The portal's sign-up form answers the same whether or not the e-mail is known (issue 12 #9): either way the
   * password is hashed, an insert is tried and one mail goes to the address; the caller learns only
   * to look there. A new customer is told their account is ready; someone who already has one
   * (perhaps only by having written to support) gets a link to choose a password instead, so the
   * form can neither reveal nor take over their account.
   */
  async signUpCustomer(workspaceId: string, input: { email: string; name: string; password: string; locale: Locale | null }, fallbackLocale: Locale): Promise<void> {
    const email = input.email.toLowerCase();
    const password_hash = await hashPassword(input.password);
    const created = await this.repo.insertCustomer(workspaceId, { email, name: input.name, locale: input.locale, password_hash });
    if (created) {
      // The welcome mail carries the link that verifies the address (unverified until it is opened).
      await this.requestEmailVerification(workspaceId, {
        customerId: created.id, email: created.email, purpose: 'register', makePrimary: false, locale: created.locale ?? fallbackLocale,
      });
      return;
    }
    const existing = (await this.repo.customerCredentials(workspaceId, email))!;
    await this.mailResetLink(workspaceId, 'customer', existing, 'accountExists', existing.locale ?? fallbackLocale);
  }

  /**
   * The customer with this e-mail, created on first contact (no password: they can set one later).
   * `trx`: the caller's transaction, scoped to the workspace, so the customer commits with what
   * they wrote (a ticket) in one commit. `created`: this call inserted it.
   */
  async findOrCreateCustomer(workspaceId: string, input: { email: string; name: string; locale?: Locale | null }, trx?: Kysely<DB>) {
    const db = trx ?? this.repo.in(workspaceId);
    const values = { email: input.email.toLowerCase(), name: input.name, locale: input.locale ?? null };
    // Lost a race with another first contact from the same address: theirs is the customer.
    return (await this.repo.upsertCustomer(db, values)) ?? (await this.repo.upsertCustomer(db, values))!;
  }

  async setCustomerLocale(workspaceId: string, id: string, locale: Locale) {
    const customer = await this.repo.updateCustomer(workspaceId, id, { locale });
    if (!customer) throw notFound('customer');
    await this.accessChanged(workspaceId, { principal: 'customer', id });
    return customer;
  }

  // ---- sign-in and sessions ---------------------------------------------------------------

  async signInAgent(workspaceId: string, email: string, password: string) {
    const found = await this.repo.agentCredentials(workspaceId, email.toLowerCase());
    const matches = await verifyPassword(password, found?.password_hash ?? unusablePasswordHash);
    if (!found || !matches || found.disabled_at) throw invalidCredentials();
    const { password_hash: _, ...agent } = found;
    return { agent, sessionToken: await this.openSession(workspaceId, 'agent', agent.id) };
  }

  async signInCustomer(workspaceId: string, email: string, password: string) {
    const found = await this.repo.customerCredentials(workspaceId, email.toLowerCase());
    const matches = await verifyPassword(password, found?.password_hash ?? unusablePasswordHash);
    if (!found || !found.password_hash || !matches) throw invalidCredentials();
    const { password_hash: _, ...customer } = found;
    return { customer, sessionToken: await this.openSession(workspaceId, 'customer', customer.id) };
  }

  async openSession(workspaceId: string, type: PrincipalType, principalId: string): Promise<string> {
    const token = newSecretToken();
    await this.repo.insertSession(workspaceId, {
      token_hash: hashToken(token), principal_type: type, principal_id: principalId,
      expires_at: new Date(Date.now() + SESSION_TTL_MS),
    });
    return token;
  }

  /**
   * The signed-in agent and their workspace for a session cookie; nothing when unknown, expired or
   * disabled. Cached briefly (principal-cache.ts): it runs on every console request.
   */
  async agentForSession(token: string): Promise<SignedInAgentWithWorkspace | undefined> {
    const key = `session:${hashToken(token)}`;
    const cached = this.agentPrincipals.get(key);
    if (cached) return cached;
    const row = await this.repo.agentForSession(key.slice('session:'.length));
    if (!row) return undefined;
    const { session_expires_at, ...rest } = row;
    const found = splitAgentRow(rest);
    this.agentPrincipals.set(key, found, this.tags(found.agent), session_expires_at);
    return found;
  }

  async customerForSession(token: string) {
    const key = `session:${hashToken(token)}`;
    const cached = this.customerPrincipals.get(key);
    if (cached) return cached;
    const session = await this.repo.liveSession(key.slice('session:'.length), 'customer');
    const customer = session && await this.repo.customerById(session.workspace_id, session.principal_id);
    if (customer) this.customerPrincipals.set(key, customer, { workspaceId: customer.workspace_id, principal: 'customer', principalId: customer.id }, session!.expires_at);
    return customer;
  }

  async closeSession(token: string): Promise<void> {
    const closed = await this.repo.deleteSession(hashToken(token));
    if (closed) await this.accessChanged(closed.workspace_id, { principal: closed.principal_type, id: closed.principal_id });
  }

  // ---- API tokens -------------------------------------------------------------------------

  /**
   * A new API token of `agentId`. `scopes` default to everything the owner may do (callers inside
   * the product; the API asks for them); `read` is always granted. A token minted with another
   * token (`parent`) gets no scope and no lifetime its parent lacks, and dies with it.
   */
  async createApiToken(workspaceId: string, agentId: string, name: string, actor: Actor,
    options: { scopes?: readonly ApiTokenScope[]; expiresAt?: Date | null; parent?: ApiTokenGrant } = {}) {
    const owner = await this.agent(workspaceId, agentId);
    const { parent } = options;
    const wanted = options.scopes ?? parent?.scopes ?? (owner.role === 'admin' ? API_TOKEN_SCOPES : API_TOKEN_SCOPES.filter((s) => s !== 'admin'));
    const scopes = API_TOKEN_SCOPES.filter((scope) => scope === 'read' || wanted.includes(scope));
    if (scopes.includes('admin') && owner.role !== 'admin') {
      throw new AppError('API_TOKEN_SCOPE_NOT_ALLOWED', 403, 'Only an admin can hold a token with the admin scope', { scope: 'admin' });
    }
    const missing = parent && scopes.find((scope) => !parent.scopes.includes(scope));
    if (missing) throw tokenScopeMissing(missing);
    const expiresAt = options.expiresAt ?? parent?.expiresAt ?? null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new AppError('API_TOKEN_EXPIRY_INVALID', 400, 'A token\'s expiry must lie in the future');
    }
    if (parent?.expiresAt && (!expiresAt || expiresAt > parent.expiresAt)) {
      throw new AppError('API_TOKEN_OUTLIVES_PARENT', 400, 'A token made with another token cannot expire after it', { parentExpiresAt: parent.expiresAt });
    }
    const token = newSecretToken('kefu_');
    const row = await this.repo.insertApiToken(workspaceId, {
      agent_id: agentId, name, token_hash: hashToken(token), scopes, expires_at: expiresAt, parent_id: parent?.id ?? null,
    });
    await this.audit(workspaceId, actor, 'api_token.created', 'api_token', row.id, { name, agentId, scopes, expiresAt, parentId: row.parent_id });
    return { ...row, token };
  }

  /** Live tokens of one agent, or of every agent when `agentId` is left out (for admins). */
  listApiTokens(workspaceId: string, agentId?: string) {
    return this.repo.listApiTokens(workspaceId, agentId);
  }

  /**
   * Revokes a token and every token minted from it. `ownerId`: only if it is theirs (agents revoke
   * their own; admins pass none and may revoke anyone's).
   */
  async revokeApiToken(workspaceId: string, ownerId: string | null, id: string, actor: Actor) {
    const token = await this.repo.apiTokenById(workspaceId, id);
    if (!token || (ownerId && token.agent_id !== ownerId)) throw notFound('api_token');
    const revoked = await this.repo.revokeApiTokens(workspaceId, { id });
    await this.audit(workspaceId, actor, 'api_token.revoked', 'api_token', id, { agentId: token.agent_id, alsoRevoked: revoked.filter((r) => r !== id) });
    await this.accessChanged(workspaceId, { principal: 'agent', id: token.agent_id });
  }

  /** The agent, workspace and grant behind a live API token; cached briefly like sessions. */
  async agentForApiToken(token: string): Promise<AgentForApiToken | undefined> {
    const key = `token:${hashToken(token)}`;
    const cached = this.agentPrincipals.get(key);
    if (cached) return cached as AgentForApiToken;
    const row = await this.repo.agentForApiToken(key.slice('token:'.length));
    if (!row) return undefined;
    // Last use is for people reviewing tokens; minute precision (and the cache) spare a write on every request.
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) await this.repo.touchApiToken(row.token_id);
    const { token_id, last_used_at: _, token_scopes, token_expires_at, ...rest } = row;
    const found = { ...splitAgentRow(rest), token: { id: token_id, scopes: token_scopes, expiresAt: token_expires_at } };
    this.agentPrincipals.set(key, found, { ...this.tags(found.agent), tokenId: token_id }, token_expires_at);
    return found;
  }

  // ---- cached principals ------------------------------------------------------------------

  /** Drops what this node cached about whoever `change` names; other nodes call it on `access.changed`. */
  forget(workspaceId: string, change: AccessChange): void {
    const matches = change.principal === 'workspace'
      ? (tags: PrincipalTags) => tags.workspaceId === change.id
      : (tags: PrincipalTags) => tags.workspaceId === workspaceId && tags.principal === change.principal && tags.principalId === change.id;
    this.agentPrincipals.forget(matches);
    this.customerPrincipals.forget(matches);
    if (change.principal === 'workspace') this.workspaces.forget(change.id);
  }

  /** Here at once, then on every other node through the bus (principal-cache.ts). */
  private async accessChanged(workspaceId: string, change: AccessChange): Promise<void> {
    this.forget(workspaceId, change);
    await this.bus.publish('access.changed', workspaceId, change);
  }

  private tags(agent: AgentRow): PrincipalTags {
    return { workspaceId: agent.workspace_id, principal: 'agent', principalId: agent.id };
  }

  // ---- password reset ---------------------------------------------------------------------

  /**
   * Always succeeds from the caller's view, and does the same work whether or not the e-mail has an
   * account (issue 12 #9): it queues one job, which looks the account up and mails it if it exists.
   */
  async requestPasswordReset(workspaceId: string, type: PrincipalType, email: string, fallbackLocale: Locale): Promise<void> {
    await this.jobs.send<PasswordResetJob>(PASSWORD_RESET_JOB, { workspaceId, type, email: email.toLowerCase(), locale: fallbackLocale });
  }

  // ---- e-mail verification ---------------------------------------------------------------

  /**
   * Mails `email` a one-time link (24 hours) proving the customer reads it; a durable job writes the
   * link and the mail, so the request neither waits for it nor loses it in a crash.
   */
  async requestEmailVerification(workspaceId: string, input: Omit<EmailVerificationJob, 'workspaceId'>): Promise<void> {
    await this.jobs.send<EmailVerificationJob>(EMAIL_VERIFICATION_JOB, { workspaceId, ...input, email: input.email.toLowerCase() });
  }

  /**
   * Spends a verification link made for one of `purposes` (a link for another is unknown here):
   * unknown, used and expired links each have their own error.
   */
  async confirmEmailVerification(workspaceId: string, token: string, purposes: readonly EmailVerificationPurpose[]): Promise<VerifiedEmail> {
    const tokenHash = hashToken(token);
    const consumed = await this.repo.consumeEmailVerification(workspaceId, tokenHash, purposes, new Date());
    if (!consumed) {
      const row = await this.repo.emailVerification(workspaceId, tokenHash);
      if (!row || !purposes.includes(row.purpose)) throw emailLinkErrors.invalid();
      throw row.used_at ? emailLinkErrors.used() : emailLinkErrors.expired();
    }
    return { customerId: consumed.customer_id, email: consumed.email, purpose: consumed.purpose, makePrimary: consumed.make_primary };
  }

  /**
   * After an erasure: the customer's sessions, open reset and verification links end, and every
   * node forgets them. Idempotent.
   */
  async endCustomerAccess(workspaceId: string, customerId: string): Promise<void> {
    await this.repo.forgetCustomerAccess(workspaceId, customerId);
    await this.accessChanged(workspaceId, { principal: 'customer', id: customerId });
  }

  /** Registers the job handlers that decide, out of the request, what a reset or registration request mails. */
  async work(jobs: JobQueue): Promise<void> {
    await jobs.work<EmailVerificationJob>(EMAIL_VERIFICATION_JOB, async ({ data }) => {
      const customer = await this.repo.customerById(data.workspaceId, data.customerId);
      if (!customer) return;
      const { reference, secret } = await this.mailSecrets.issue('email-verification');
      await this.repo.insertEmailVerification(data.workspaceId, {
        token_hash: hashToken(secret), customer_id: customer.id, email: data.email, purpose: data.purpose, make_primary: data.makePrimary,
        expires_at: new Date(Date.now() + VERIFY_TTL_MS),
      });
      const workspace = await this.workspace(data.workspaceId);
      await this.outbox.queue(data.workspaceId, {
        to: data.email, template: VERIFICATION_TEMPLATES[data.purpose], locale: data.locale,
        vars: { name: customer.name, email: data.email, workspace: workspace.name[data.locale], link: `${this.publicUrl}${VERIFICATION_PATHS[data.purpose]}?token=${reference}` },
      });
    });
    await jobs.work<PasswordResetJob>(PASSWORD_RESET_JOB, async ({ data }) => {
      const principal = data.type === 'agent'
        ? await this.repo.agentCredentials(data.workspaceId, data.email)
        : await this.repo.customerCredentials(data.workspaceId, data.email);
      if (!principal || ('disabled_at' in principal && principal.disabled_at)) return;
      await this.mailResetLink(data.workspaceId, data.type, principal, 'passwordReset', principal.locale ?? data.locale);
    });
  }

  /** A reset link for `principal`, in a mail of `template` (the link's secret is rendered only when it is sent). */
  private async mailResetLink(workspaceId: string, type: PrincipalType, principal: { id: string; email: string; name: string },
    template: 'passwordReset' | 'accountExists', locale: Locale) {
    // The mail stores a reference to the token, rendered only when it is sent (core/auth/mail-secrets.ts).
    const { reference, secret } = await this.mailSecrets.issue('password-reset');
    await this.repo.insertPasswordReset(workspaceId, {
      token_hash: hashToken(secret), principal_type: type, principal_id: principal.id,
      expires_at: new Date(Date.now() + RESET_TTL_MS),
    });
    const workspace = await this.workspace(workspaceId);
    const path = type === 'agent' ? '/agent/reset-password' : '/account/reset-password';
    await this.outbox.queue(workspaceId, {
      to: principal.email, template, locale,
      vars: { name: principal.name, workspace: workspace.name[locale], link: `${this.publicUrl}${path}?token=${reference}` },
    });
  }

  async resetPassword(workspaceId: string, type: PrincipalType, token: string, newPassword: string, options: { ip?: string } = {}): Promise<void> {
    const reset = await this.repo.consumePasswordReset(workspaceId, hashToken(token), type);
    if (!reset) throw new AppError('RESET_TOKEN_INVALID', 400, 'This reset link is invalid or has expired');
    const password_hash = await hashPassword(newPassword);
    if (type === 'agent') await this.repo.updateAgent(workspaceId, reset.principal_id, { password_hash });
    else await this.repo.updateCustomer(workspaceId, reset.principal_id, { password_hash });
    // Whoever knew the old password is signed out everywhere, loses the API tokens they may have
    // made with it, and an older link mailed earlier is dead too.
    await this.repo.deleteSessionsOf(workspaceId, type, reset.principal_id);
    if (type === 'agent') await this.repo.revokeApiTokens(workspaceId, { agentId: reset.principal_id });
    await this.repo.spendPasswordResetsOf(workspaceId, type, reset.principal_id);
    // The link's holder acts: an agent is named as themselves; customers are not actors of the audit log.
    const actor: Actor = type === 'agent' ? { type: 'agent', id: reset.principal_id, ip: options.ip } : { type: 'system', id: null, ip: options.ip };
    await this.audit(workspaceId, actor, 'password.reset', type, reset.principal_id, {});
    await this.accessChanged(workspaceId, { principal: type, id: reset.principal_id });
  }

  // ---- audit ------------------------------------------------------------------------------

  /**
   * An entry of the audit log; given `db` (another module's open transaction, scoped to the
   * workspace), it is written in that transaction, so the change and its entry commit together.
   */
  audit(workspaceId: string, actor: Actor, action: string, targetType: string | null, targetId: string | null, details: object, db?: Kysely<DB>) {
    return this.repo.insertAudit(workspaceId, {
      actor_type: actor.type, actor_id: actor.id, action, target_type: targetType, target_id: targetId,
      details: details as Record<string, unknown>, ip: actor.ip ?? null,
    }, db);
  }

  /** A keyset page of the audit log, newest first, narrowed by who acted, the action and when. */
  listAudit(workspaceId: string, filter: AuditFilter) {
    return this.repo.listAudit(workspaceId, filter);
  }
}
