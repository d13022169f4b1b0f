import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../../core/i18n/index.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface MailAddressesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  /** Lower-case. */
  address: string;
  display_name: string | null;
  department_id: string | null;
  locale: Locale | null;
  created_at: CreatedAt;
}

export type MailboxTls = 'implicit' | 'starttls' | 'none';

export interface MailMailboxesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  name: string;
  host: string;
  port: number;
  tls: MailboxTls;
  username: string;
  /** AES-256-GCM, see imap/imap.crypto.ts; never leaves the server. */
  password_encrypted: string;
  folder: string;
  after_import: 'flag' | 'move';
  move_to: string | null;
  address_id: string | null;
  enabled: boolean;
  /** IMAP UIDVALIDITY and UIDs are 32-bit unsigned: bigint columns, read as numbers. */
  uid_validity: number | null;
  last_uid: ColumnType<number, number | undefined, number>;
  last_polled_at: Date | null;
  last_error: string | null;
  created_at: CreatedAt;
}

export type InboundStatus = 'received' | 'processed' | 'parked';
export type InboundOutcome = 'ticket_created' | 'message_added' | 'bounce' | 'duplicate' | 'ignored';

export interface MailInboundTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  address_id: string | null;
  mailbox_id: string | null;
  source: 'smtp' | 'imap';
  envelope_from: string | null;
  envelope_to: ColumnType<string[], string[] | undefined, string[]>;
  remote_ip: string | null;
  message_id: string | null;
  /** The content's fingerprint (inbound.rules.ts, contentFingerprint); null on rows stored before it. */
  content_sha256: string | null;
  /** Another message had this Message-ID first: this one is its own message all the same. */
  message_id_reused: ColumnType<boolean, boolean | undefined, boolean>;
  raw: Buffer;
  size_bytes: number;
  status: ColumnType<InboundStatus, InboundStatus | undefined, InboundStatus>;
  outcome: InboundOutcome | null;
  reason: string | null;
  autoreply_suppressed: string | null;
  ticket_id: string | null;
  ticket_message_id: string | null;
  subject: string | null;
  from_address: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  received_at: CreatedAt;
  processed_at: Date | null;
}

export interface MailAddressHealthTable {
  workspace_id: WorkspaceId;
  address: string;
  status: 'failing' | 'ok';
  bounce_count: number;
  last_reason: string | null;
  last_bounced_message_id: string | null;
  last_bounce_at: Date | null;
}

export interface MailAutoresponsesTable {
  workspace_id: WorkspaceId;
  ticket_id: string;
  recipient: string;
  outcome: 'queued' | 'skipped';
  reason: string | null;
  created_at: CreatedAt;
}

export interface MailInboundTables {
  mail_addresses: MailAddressesTable;
  mail_mailboxes: MailMailboxesTable;
  mail_inbound: MailInboundTable;
  mail_address_health: MailAddressHealthTable;
  mail_autoresponses: MailAutoresponsesTable;
}

export type MailAddressRow = Selectable<MailAddressesTable>;
export type MailboxRow = Selectable<MailMailboxesTable>;
export type InboundRow = Selectable<MailInboundTable>;
export type AddressHealthRow = Selectable<MailAddressHealthTable>;
