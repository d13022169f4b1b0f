import type { ColumnType, Generated, Selectable } from 'kysely';
import type { ConversationStatus } from '../../contracts/chat.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

export const CHANNEL_KINDS = ['sms', 'phone', 'api'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export type AuthorType = 'visitor' | 'agent' | 'system';
export type OfferOutcome = 'accepted' | 'timeout' | 'declined' | 'withdrawn';
/** Chats still waiting for an agent. */
export const WAITING: ConversationStatus[] = ['queued', 'offered'];

export interface ChatChannelsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  name: string;
  kind: ChannelKind;
  secret: string;
  outbound_url: string | null;
  department_id: string | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ChatSessionsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  ticket_id: string;
  ticket_number: number;
  customer_id: string;
  visitor_name: string;
  visitor_email: string;
  locale: string;
  source: 'web' | 'webhook';
  channel_id: string | null;
  external_from: string | null;
  department_id: string | null;
  status: ConversationStatus;
  queued_at: Date;
  queue_entered_at: Date;
  offered_to: string | null;
  offer_expires_at: Date | null;
  declined_by: ColumnType<string[], string[] | undefined, string[]>;
  agent_id: string | null;
  agent_name: string | null;
  answered_by: string | null;
  answered_at: Date | null;
  ended_at: Date | null;
  ended_by: 'agent' | 'visitor' | 'system' | null;
  acw_ended_at: Date | null;
  transfers: ColumnType<number, number | undefined, number>;
  overflowed_at: Date | null;
  visitor_left_at: Date | null;
  transcript_requested_at: Date | null;
  transcript_sent_at: Date | null;
  /** The visitor's rating (1–5) once the chat has ended; set once (`rated_at`). */
  rating: number | null;
  rating_comment: string | null;
  rated_at: Date | null;
  last_seq: ColumnType<number, number | undefined, number>;
  visitor_read_seq: ColumnType<number, number | undefined, number>;
  agent_read_seq: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

export interface ChatMessagesTable {
  workspace_id: WorkspaceId;
  session_id: string;
  seq: number;
  message_id: string | null;
  client_message_id: string | null;
  author_type: AuthorType;
  author_id: string | null;
  author_name: string;
  body_text: string;
  attachments: ColumnType<StoredAttachment[], string | undefined, string>;
  created_at: Date;
}

export interface ChatOffersTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  session_id: string;
  agent_id: string;
  offered_at: Date;
  outcome: OfferOutcome | null;
  ended_at: Date | null;
}

export interface ChatPresenceLogTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  agent_id: string;
  presence: string;
  started_at: Date;
  ended_at: Date | null;
}

export interface ChatSettingsTable {
  workspace_id: ColumnType<string, string | undefined, never>;
  offer_timeout_seconds: ColumnType<number, number | undefined, number>;
  acw_seconds: ColumnType<number, number | undefined, number>;
  service_level_seconds: ColumnType<number, number | undefined, number>;
  /** numeric comes back from node-postgres as a string. */
  cost_per_agent_hour: ColumnType<string, string | number | undefined, string | number>;
  respect_business_hours: ColumnType<boolean, boolean | undefined, boolean>;
  default_department_id: string | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ChatMetricDaysTable {
  workspace_id: WorkspaceId;
  /** The UTC day of `queued_at`: written and compared as 'YYYY-MM-DD' (read back through to_char only). */
  day: ColumnType<Date, string, string>;
  department_id: string | null;
  offline: number;
  offered: number;
  answered: number;
  abandoned: number;
  within_service_level: number;
  answer_ms: number;
  handled: number;
  handle_ms: number;
  with_acw: number;
  acw_ms: number;
  transferred: number;
  rated: ColumnType<number, number | undefined, number>;
  rating_sum: ColumnType<number, number | undefined, number>;
}

export interface ChatMetricDaysDoneTable {
  workspace_id: WorkspaceId;
  day: ColumnType<Date, string, string>;
  service_level_seconds: number;
}

export interface ChatTables {
  chat_channels: ChatChannelsTable;
  chat_sessions: ChatSessionsTable;
  chat_messages: ChatMessagesTable;
  chat_offers: ChatOffersTable;
  chat_presence_log: ChatPresenceLogTable;
  chat_settings: ChatSettingsTable;
  chat_metric_days: ChatMetricDaysTable;
  chat_metric_days_done: ChatMetricDaysDoneTable;
}

export type SessionRow = Selectable<ChatSessionsTable>;
export type ChatMessageRow = Selectable<ChatMessagesTable>;
export type ChannelRow = Selectable<ChatChannelsTable>;
export type SettingsRow = Selectable<ChatSettingsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends ChatTables {}
}
