import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type LocalizedText = Record<Locale, string>;
export type AgentRole = 'admin' | 'agent' | 'editor';
export type PrincipalType = 'agent' | 'customer';
/** What an API token may do: `read` (GET), `write` (every other method), `admin` (admin-only routes). */
export const API_TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

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

export interface AuditLogTable {
  id: Generated<number>;
  workspace_id: ColumnType<string, string | undefined, never>;
  actor_type: 'agent' | 'system' | 'api';
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
  audit_log: AuditLogTable;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type AgentRow = Selectable<AgentsTable>;
export type CustomerRow = Selectable<CustomersTable>;
export type NewAgent = Insertable<AgentsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends AccountsTables {}
}
