import { hashPassword, unusablePasswordHash, verifyPassword } from '../../core/auth/passwords.js';
import { hashToken, newSecretToken } from '../../core/auth/tokens.js';
import { AppError, notFound } from '../../core/errors.js';
import type { Locale } from '../../core/i18n/index.js';
import type { EventBus } from '../../core/events/index.js';
import type { MailSecrets } from '../../core/auth/mail-secrets.js';
import type { MailOutbox } from '../mail/index.js';
import type { AccountsRepo } from './accounts.repo.js';
import type { AgentRole, AgentRow, LocalizedText, PrincipalType, WorkspaceRow } from './accounts.schema.js';

const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
const RESET_TTL_MS = 3600 * 1000;

export interface Actor {
  type: 'agent' | 'system' | 'api';
  id: string | null;
  ip?: string | null;
}

type AgentWithWorkspaceRow = AgentRow & {
  workspace_slug: string; workspace_name: LocalizedText; workspace_default_locale: Locale;
  workspace_time_zone: string; workspace_hostnames: string[]; workspace_created_at: Date;
};

export interface SignedInAgentWithWorkspace {
  agent: AgentRow;
  workspace: WorkspaceRow;
}

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

export class AccountsService {
  constructor(
    private readonly repo: AccountsRepo,
    private readonly outbox: MailOutbox,
    private readonly bus: EventBus,
    private readonly publicUrl: string,
    private readonly mailSecrets: MailSecrets,
  ) {}

  // ---- workspaces -------------------------------------------------------------------------

  async workspace(id: string): Promise<WorkspaceRow> {
    const workspace = await this.repo.workspaceById(id);
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
    const workspace = await this.repo.insertWorkspace({ slug: input.slug, name: input.name, default_locale: input.defaultLocale, time_zone: input.timeZone });
    // Modules give a new workspace its defaults (departments, SLA calendar …) from this event.
    await this.bus.publish('workspace.created', workspace.id, { slug: workspace.slug });
    return workspace;
  }

  async updateWorkspace(workspaceId: string, patch: { name?: LocalizedText; defaultLocale?: Locale; timeZone?: string }, actor: Actor) {
    if (Object.values(patch).every((v) => v === undefined)) return this.workspace(workspaceId);
    const updated = await this.repo.updateWorkspace(workspaceId, { name: patch.name, default_locale: patch.defaultLocale, time_zone: patch.timeZone });
    await this.audit(workspaceId, actor, 'workspace.updated', 'workspace', workspaceId, patch);
    return updated;
  }

  // ---- agents -----------------------------------------------------------------------------

  listAgents(workspaceId: string) {
    return this.repo.listAgents(workspaceId);
  }

  async agent(workspaceId: string, id: string) {
    const agent = await this.repo.agentById(workspaceId, id);
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
    if (patch.disabled) await this.repo.deleteSessionsOf(workspaceId, 'agent', id);
    await this.audit(workspaceId, actor, 'agent.updated', 'agent', id, patch);
    return agent;
  }

  async setAgentLocale(workspaceId: string, id: string, locale: Locale) {
    const agent = await this.repo.updateAgent(workspaceId, id, { locale });
    if (!agent) throw notFound('agent');
    return agent;
  }

  // ---- customers --------------------------------------------------------------------------

  async customer(workspaceId: string, id: string) {
    const customer = await this.repo.customerById(workspaceId, id);
    if (!customer) throw notFound('customer');
    return customer;
  }

  async registerCustomer(workspaceId: string, input: { email: string; name: string; password: string | null; locale: Locale | null }) {
    const customer = await this.repo.insertCustomer(workspaceId, {
      email: input.email.toLowerCase(), name: input.name, locale: input.locale,
      password_hash: input.password ? await hashPassword(input.password) : null,
    });
    if (!customer) throw new AppError('EMAIL_TAKEN', 409, 'An account with this e-mail already exists');
    return customer;
  }

  /** The customer with this e-mail, created on first contact (no password: they can set one later). */
  async findOrCreateCustomer(workspaceId: string, input: { email: string; name: string; locale?: Locale | null }) {
    const email = input.email.toLowerCase();
    const existing = await this.repo.customerCredentials(workspaceId, email);
    if (existing) {
      const { password_hash: _, ...customer } = existing;
      return customer;
    }
    const created = await this.repo.insertCustomer(workspaceId, { email, name: input.name, locale: input.locale ?? null, password_hash: null });
    // Lost a race with another first contact from the same address: theirs is the customer.
    return created ?? (await this.repo.customerCredentials(workspaceId, email))!;
  }

  async setCustomerLocale(workspaceId: string, id: string, locale: Locale) {
    const customer = await this.repo.updateCustomer(workspaceId, id, { locale });
    if (!customer) throw notFound('customer');
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

  /** The signed-in agent and their workspace for a session cookie; nothing when unknown, expired or disabled. */
  async agentForSession(token: string): Promise<SignedInAgentWithWorkspace | undefined> {
    const row = await this.repo.agentForSession(hashToken(token));
    return row && splitAgentRow(row);
  }

  async customerForSession(token: string) {
    const session = await this.repo.liveSession(hashToken(token), 'customer');
    return session ? this.repo.customerById(session.workspace_id, session.principal_id) : undefined;
  }

  async closeSession(token: string): Promise<void> {
    await this.repo.deleteSession(hashToken(token));
  }

  // ---- API tokens -------------------------------------------------------------------------

  async createApiToken(workspaceId: string, agentId: string, name: string, actor: Actor) {
    const token = newSecretToken('kefu_');
    const row = await this.repo.insertApiToken(workspaceId, { agent_id: agentId, name, token_hash: hashToken(token) });
    await this.audit(workspaceId, actor, 'api_token.created', 'api_token', row.id, { name });
    return { ...row, token };
  }

  listApiTokens(workspaceId: string, agentId: string) {
    return this.repo.listApiTokens(workspaceId, agentId);
  }

  async revokeApiToken(workspaceId: string, agentId: string, id: string, actor: Actor) {
    if (!(await this.repo.revokeApiToken(workspaceId, agentId, id))) throw notFound('api_token');
    await this.audit(workspaceId, actor, 'api_token.revoked', 'api_token', id, {});
  }

  async agentForApiToken(token: string): Promise<SignedInAgentWithWorkspace | undefined> {
    const row = await this.repo.agentForApiToken(hashToken(token));
    if (!row) return undefined;
    // Last use is for people reviewing tokens; minute precision spares a write on every request.
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) await this.repo.touchApiToken(row.token_id);
    return splitAgentRow(row);
  }

  // ---- password reset ---------------------------------------------------------------------

  /** Always succeeds from the caller's view, so it can't be used to find out which e-mails have accounts. */
  async requestPasswordReset(workspaceId: string, type: PrincipalType, email: string, fallbackLocale: Locale): Promise<void> {
    const normalized = email.toLowerCase();
    const principal = type === 'agent'
      ? await this.repo.agentCredentials(workspaceId, normalized)
      : await this.repo.customerCredentials(workspaceId, normalized);
    if (!principal || ('disabled_at' in principal && principal.disabled_at)) return;
    // The mail stores a reference to the token, rendered only when it is sent (core/auth/mail-secrets.ts).
    const { reference, secret } = await this.mailSecrets.issue('password-reset');
    await this.repo.insertPasswordReset(workspaceId, {
      token_hash: hashToken(secret), principal_type: type, principal_id: principal.id,
      expires_at: new Date(Date.now() + RESET_TTL_MS),
    });
    const workspace = await this.workspace(workspaceId);
    const locale = principal.locale ?? fallbackLocale;
    const path = type === 'agent' ? '/agent/reset-password' : '/account/reset-password';
    await this.outbox.queue(workspaceId, {
      to: principal.email, template: 'passwordReset', locale,
      vars: { name: principal.name, workspace: workspace.name[locale], link: `${this.publicUrl}${path}?token=${reference}` },
    });
  }

  async resetPassword(workspaceId: string, type: PrincipalType, token: string, newPassword: string): Promise<void> {
    const reset = await this.repo.consumePasswordReset(workspaceId, hashToken(token), type);
    if (!reset) throw new AppError('RESET_TOKEN_INVALID', 400, 'This reset link is invalid or has expired');
    const password_hash = await hashPassword(newPassword);
    if (type === 'agent') await this.repo.updateAgent(workspaceId, reset.principal_id, { password_hash });
    else await this.repo.updateCustomer(workspaceId, reset.principal_id, { password_hash });
    // Whoever knew the old password is signed out everywhere, and an older link mailed earlier is dead too.
    await this.repo.deleteSessionsOf(workspaceId, type, reset.principal_id);
    await this.repo.spendPasswordResetsOf(workspaceId, type, reset.principal_id);
  }

  // ---- audit ------------------------------------------------------------------------------

  audit(workspaceId: string, actor: Actor, action: string, targetType: string | null, targetId: string | null, details: object) {
    return this.repo.insertAudit(workspaceId, {
      actor_type: actor.type, actor_id: actor.id, action, target_type: targetType, target_id: targetId,
      details: details as Record<string, unknown>, ip: actor.ip ?? null,
    });
  }

  listAudit(workspaceId: string, limit: number, before?: number) {
    return this.repo.listAudit(workspaceId, limit, before);
  }
}
