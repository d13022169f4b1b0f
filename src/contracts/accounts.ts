import { z } from 'zod';
import { AGENT_ROLES, API_TOKEN_SCOPES, AUDIT_ACTOR_TYPES } from './enums.js';
import { LocaleView, type Wire } from './http.js';

/**
 * Accounts on the wire (`/api/v1/auth/…`, `/workspace`, `/agents`, `/api-tokens`, `/audit-log`):
 * the session, agents, API tokens and the audit log — the bodies the accounts module's routes take
 * and the shapes they answer with. The console reads them as `Wire<…>`: times travel as ISO strings.
 */

export { AGENT_ROLES, API_TOKEN_SCOPES, AUDIT_ACTOR_TYPES };
export type AgentRole = (typeof AGENT_ROLES)[number];
/** What an API token may do: `read` (GET), `write` (every other method), `admin` (admin-only routes). */
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

export const Email = z.string().trim().toLowerCase().email().max(254);
export const Password = z.string().min(10, 'at least 10 characters').max(200);
const Role = z.enum(AGENT_ROLES);
const AgentName = z.string().trim().min(1).max(120);

// ---- session, workspace, agents ----

export const AgentView = z.object({
  id: z.string(), email: z.string(), name: z.string(), role: Role, locale: LocaleView.nullable(),
  disabled: z.boolean().optional(),
});
export const AgentListView = z.object({ agents: z.array(AgentView) });
export const WorkspaceView = z.object({ id: z.string(), slug: z.string(), name: z.string(), defaultLocale: LocaleView, timeZone: z.string() });
export const SessionView = z.object({ agent: AgentView, workspace: WorkspaceView, csrfToken: z.string() });

export const LoginBody = z.strictObject({ email: Email, password: z.string().min(1).max(200) });
export const LocaleBody = z.strictObject({ locale: LocaleView });
export const NewAgent = z.strictObject({ email: Email, name: AgentName, role: Role, password: Password, locale: LocaleView.optional() });
export const AgentPatch = z.strictObject({ name: AgentName.optional(), role: Role.optional(), disabled: z.boolean().optional() });

export const PasswordChangeBody = z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: Password });

/** Which notification mails the signed-in agent gets; every kind is on until they turn it off. */
export const NotificationPreferencesView = z.strictObject({
  assigned: z.boolean().describe('A ticket is assigned to me'),
  customerReplied: z.boolean().describe('The customer replied on a ticket assigned to me'),
  slaWarning: z.boolean().describe('An SLA target of a ticket assigned to me is about to be missed'),
});

// ---- agent invitations ----

export const NewInvitation = z.strictObject({ email: Email, name: AgentName, role: Role, locale: LocaleView.optional() });
export const InvitationView = z.object({
  id: z.string(), email: z.string(), name: z.string(), role: Role, locale: LocaleView.nullable(), invitedBy: z.string().nullable(),
  createdAt: z.date(), sentAt: z.date(), expiresAt: z.date(), expired: z.boolean(),
});
export const InvitationListView = z.object({ invitations: z.array(InvitationView) });
const LinkToken = z.string().min(10).max(200);
export const InvitationTokenBody = z.strictObject({ token: LinkToken });
export const AcceptInvitationBody = z.strictObject({ token: LinkToken, password: Password });
/** Who a link invites, shown on the page where they choose a password. */
export const InvitationPreviewView = z.object({ email: z.string(), name: z.string(), role: Role, locale: LocaleView.nullable(), workspace: z.string() });

// ---- API tokens ----

export const ApiTokenView = z.object({
  id: z.string(), name: z.string(), agentId: z.string(), scopes: z.array(z.enum(API_TOKEN_SCOPES)),
  expiresAt: z.date().nullable(), parentId: z.string().nullable(), createdAt: z.date(), lastUsedAt: z.date().nullable(),
});
export const ApiTokenListView = z.object({ tokens: z.array(ApiTokenView) });
export const NewApiTokenView = ApiTokenView.extend({ token: z.string() });
export const ApiTokensQuery = z.strictObject({ agentId: z.union([z.literal('all'), z.string().uuid()]).optional() });
export const NewApiToken = z.strictObject({
  name: z.string().trim().min(1).max(80),
  scopes: z.array(z.enum(API_TOKEN_SCOPES)).min(1).max(API_TOKEN_SCOPES.length).default(['read']),
  expiresAt: z.string().datetime({ offset: true }).transform((value) => new Date(value)).optional(),
});

// ---- audit log ----

const Instant = z.string().datetime({ offset: true }).transform((value) => new Date(value));
export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
  actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
  actorId: z.string().uuid().optional().describe('An agent of this workspace'),
  action: z.string().trim().min(1).max(100).optional().describe('Exactly, e.g. `webhook.created`'),
  from: Instant.optional().describe('Entries at or after this time'),
  to: Instant.optional().describe('Entries before this time'),
}).refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['to'] });
export const AuditEntryView = z.object({
  id: z.number(), actorType: z.string(), actorId: z.string().nullable(), action: z.string(),
  targetType: z.string().nullable(), targetId: z.string().nullable(), details: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(), createdAt: z.date(),
});
export const AuditPageView = z.object({ entries: z.array(AuditEntryView) });

export type AgentWire = z.infer<typeof AgentView>;
export type WorkspaceWire = z.infer<typeof WorkspaceView>;
export type SessionWire = z.infer<typeof SessionView>;
export type AgentPatchBody = z.input<typeof AgentPatch>;
export type PasswordChangeInput = z.input<typeof PasswordChangeBody>;
export type NotificationPreferencesWire = z.infer<typeof NotificationPreferencesView>;
export type NewInvitationBody = z.input<typeof NewInvitation>;
export type InvitationWire = Wire<z.infer<typeof InvitationView>>;
export type InvitationPreviewWire = z.infer<typeof InvitationPreviewView>;
export type ApiTokenWire = Wire<z.infer<typeof ApiTokenView>>;
export type NewApiTokenWire = Wire<z.infer<typeof NewApiTokenView>>;
export type NewApiTokenBody = z.input<typeof NewApiToken>;
/** The audit log's page and filters as the routes read them (times as Dates). */
export type AuditFilter = z.output<typeof AuditQuery>;
/** The audit log's filters as the console sends them (times as ISO strings). */
export type AuditFilterQuery = Pick<z.input<typeof AuditQuery>, 'actorType' | 'actorId' | 'action' | 'from' | 'to'>;
export type AuditEntryWire = Wire<z.infer<typeof AuditEntryView>>;
