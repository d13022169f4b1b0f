import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import type { Channel, SenderVerification, TicketStatus, Urgency } from '../../contracts/tickets.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Json<T> = ColumnType<T, string, string>;

/** Statuses, channels, urgencies and sender checks are stored as the wire carries them (src/contracts/tickets.ts). */
export type { Channel, SenderVerification, TicketStatus, Urgency };
/** Statuses in which somebody still owes the customer something. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];
export type UrgencyNames = Record<Locale, [string, string, string, string, string]>;

export interface DepartmentsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  key: string;
  name: Json<Record<Locale, string>>;
  position: ColumnType<number, number | undefined, number>;
  archived_at: Date | null;
}

export interface TicketSettingsTable {
  workspace_id: WorkspaceId;
  urgency_names: Json<UrgencyNames>;
  last_ticket_number: ColumnType<number, number | undefined, number>;
}

export interface TicketsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  number: number;
  subject: string;
  status: ColumnType<TicketStatus, TicketStatus | undefined, TicketStatus>;
  urgency: ColumnType<Urgency, Urgency | undefined, Urgency>;
  department_id: string | null;
  assignee_id: string | null;
  customer_id: string;
  channel: Channel;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  custom_fields: ColumnType<Record<string, string | number | boolean | null>, string | undefined, string>;
  merged_into_id: string | null;
  first_response_at: Date | null;
  first_response_due_at: Date | null;
  next_response_due_at: Date | null;
  resolution_due_at: Date | null;
  last_customer_message_at: Date | null;
  last_agent_message_at: Date | null;
  solved_at: Date | null;
  csat_rating: number | null;
  csat_comment: string | null;
  csat_at: Date | null;
  /** migrations/202612051110_ticket_sender_verification.ts */
  sender_verification: ColumnType<SenderVerification, SenderVerification | undefined, SenderVerification>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TicketMessagesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  ticket_id: string;
  kind: 'reply' | 'note';
  author_type: 'customer' | 'agent' | 'system';
  author_id: string | null;
  channel: Channel;
  body_text: string;
  body_html: string | null;
  external_id: string | null;
  created_at: CreatedAt;
}

/** A message's distinct lexemes for the inbox's full-text search (tsvector, written as a literal). */
export interface TicketMessageTermsTable {
  message_id: string;
  workspace_id: WorkspaceId;
  terms: string;
}

export interface TicketAttachmentsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  message_id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: CreatedAt;
}

export interface TicketLinksTable {
  workspace_id: WorkspaceId;
  ticket_id: string;
  related_id: string;
  created_at: CreatedAt;
}

export interface TicketActivityTable {
  id: Generated<number>;
  workspace_id: WorkspaceId;
  ticket_id: string;
  actor_type: 'agent' | 'customer' | 'system' | 'api';
  actor_id: string | null;
  action: string;
  details: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface SavedViewsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  agent_id: string | null;
  name: string;
  filters: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface CannedRepliesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  title: string;
  body: string;
  locale: Locale | null;
  created_at: CreatedAt;
}

export interface TicketsTables {
  departments: DepartmentsTable;
  ticket_settings: TicketSettingsTable;
  tickets: TicketsTable;
  ticket_messages: TicketMessagesTable;
  ticket_message_terms: TicketMessageTermsTable;
  ticket_attachments: TicketAttachmentsTable;
  ticket_links: TicketLinksTable;
  ticket_activity: TicketActivityTable;
  saved_views: SavedViewsTable;
  canned_replies: CannedRepliesTable;
}

export type TicketRow = Selectable<TicketsTable>;
export type MessageRow = Selectable<TicketMessagesTable>;
export type AttachmentRow = Selectable<TicketAttachmentsTable>;
export type DepartmentRow = Selectable<DepartmentsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends TicketsTables {}
}
