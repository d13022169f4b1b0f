import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import { API_TOKEN_SCOPES, type AgentRole, type ApiTokenScope, type AuditActorType } from '../../contracts/accounts.js';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type LocalizedText = Record<Locale, string>;
export type PrincipalType = 'agent' | 'customer';
/** Roles and token scopes are stored as the wire names them (src/contracts/accounts.ts). */
export { API_TOKEN_SCOPES, type AgentRole, type ApiTokenScope };

export interface WorkspacesTable {
  id: Generated<string>;
  slug: string;
  name: ColumnType<LocalizedText, string, string>;
  default_locale: ColumnType<Locale, Locale | undefined, Locale>;
  time_zone: ColumnType<string, string | undefined, string>;
  hostnames: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
}

export interface AgentsTable {
  id: Generated<string>;
  workspace_id: ColumnType<string, string | undefined, never>;
  email: string;
  name: string;
  role: AgentRole;
  password_hash: string;
  locale: Locale | null;
  disabled_at: Date | null;
  created_at: CreatedAt;
}

export interface CustomersTable {
  id: Generated<string>;
  workspace_id: ColumnType<string, string | undefined, never>;
  email: string;
  name: string;
  password_hash: string | null;
  locale: Locale | null;
  created_at: CreatedAt;
}

export interface SessionsTable {
  token_hash: string;
  workspace_id: ColumnType<string, string | undefined, never>;
  principal_type: PrincipalType;
  principal_id: string;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface ApiTokensTable {
  id: Generated<string>;
  workspace_id: ColumnType<string, string | undefined, never>;
  agent_id: string;
  name: string;
  token_hash: string;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
  scopes: ApiTokenScope[];
  expires_at: Date | null;
  /** The token that minted this one through the API; revoking it revokes this one too. */
  parent_id: string | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  workspace_id: ColumnType<string, string | undefined, never>;
  principal_type: PrincipalType;
  principal_id: string;
  expires_at: Date;
  used_at: Date | null;
}

/** A one-time link proving a customer reads an address (migration 202612060100_email_verifications). */
export interface EmailVerificationsTable {
  token_hash: string;
  workspace_id: ColumnType<string, string | undefined, never>;
  customer_id: string;
  email: string;
  purpose: EmailVerificationPurpose;
  make_primary: ColumnType<boolean, boolean | undefined, never>;
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

/** `add`: an address added in My account; `register`: a new portal account's sign-in address; `erase`: confirms an erasure request. */
export type EmailVerificationPurpose = 'add' | 'register' | 'erase';

/** An invitation to become an agent (migration 202612090100_agent_invitations); the agent exists once it is accepted. */
export interface AgentInvitationsTable {
  id: Generated<string>;
  workspace_id: ColumnType<string, string | undefined, never>;
  email: string;
  name: string;
  role: AgentRole;
  locale: Locale | null;
  token_hash: string;
  invited_by: string | null;
  created_at: CreatedAt;
  sent_at: ColumnType<Date, Date | undefined, Date>;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  agent_id: string | null;
}

/** Which notification mails an agent wants (migration 202612090200); no row: all of them. */
export interface AgentNotificationPreferencesTable {
  agent_id: string;
  workspace_id: ColumnType<string, string | undefined, never>;
  assigned: boolean;
  customer_replied: boolean;
  sla_warning: boolean;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** The kinds of notification mail, as the wire and the preferences name them. */
export interface NotificationPreferences { assigned: boolean; customerReplied: boolean; slaWarning: boolean }

export interface AuditLogTable {
  id: Generated<number>;
  workspace_id: ColumnType<string, string | undefined, never>;
  actor_type: AuditActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
  ip: string | null;
  created_at: CreatedAt;
}

export interface AccountsTables {
  workspaces: WorkspacesTable;
  agents: AgentsTable;
  customers: CustomersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  password_resets: PasswordResetsTable;
  email_verifications: EmailVerificationsTable;
  agent_invitations: AgentInvitationsTable;
  agent_notification_preferences: AgentNotificationPreferencesTable;
  audit_log: AuditLogTable;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type AgentRow = Selectable<AgentsTable>;
export type CustomerRow = Selectable<CustomersTable>;
export type NewAgent = Insertable<AgentsTable>;
export type AgentInvitationRow = Selectable<AgentInvitationsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends AccountsTables {}
}
