import type { ColumnType, Generated } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import type { AutoSubmitted } from '../../core/mail/outbox.js';
import type { MailInboundTables } from './inbound/inbound.schema.js';
import type { ATTEMPT_OUTCOMES, OutboxStatus } from '../../contracts/mail.js';

export { OUTBOX_STATUSES, type OutboxStatus } from '../../contracts/mail.js';
export type { AutoSubmitted };

/** Outbound mail (mail/outbound): one row per message, rendered at queue time; see mail/README.md, "Outbound mail". */
export interface MailOutboxTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  workspace_id: ColumnType<string, string | undefined, never>;
  /** Without angle brackets, like mail_message_ids. */
  message_id: ColumnType<string, string, never>;
  from_address: string;
  reply_to: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  template: string;
  locale: Locale;
  in_reply_to: string | null;
  reference_ids: ColumnType<string[], string[] | undefined, string[]>;
  auto_submitted: AutoSubmitted | null;
  ticket_id: string | null;
  ticket_message_id: string | null;
  attachment_ids: ColumnType<string[], string[] | undefined, string[]>;
  idempotency_key: string | null;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, never, number>;
  attempt_limit: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  claimed_at: Date | null;
  sent_at: Date | null;
  last_error: string | null;
  created_at: ColumnType<Date, undefined, never>;
}

export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One row per SMTP attempt of an outbox row: what the server said, or why nothing was said. */
export interface MailOutboxAttemptsTable {
  id: Generated<number>;
  workspace_id: ColumnType<string, string | undefined, never>;
  outbox_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  outcome: AttemptOutcome;
  smtp_code: number | null;
  response: string | null;
}

/**
 * Every Message-ID Kefu has seen or sent, with the ticket (and message) it belongs to: inbound mail
 * is threaded by looking up its In-Reply-To / References here. Ids are stored without the angle
 * brackets. Inbound rows are written by mail/inbound, outbound rows by mail/outbound.
 */
export interface MailMessageIdsTable {
  workspace_id: ColumnType<string, string | undefined, never>;
  message_id: string;
  ticket_id: string;
  ticket_message_id: string | null;
  direction: 'inbound' | 'outbound';
  created_at: ColumnType<Date, undefined, never>;
}

export interface MailTables extends MailInboundTables {
  mail_outbox: MailOutboxTable;
  mail_outbox_attempts: MailOutboxAttemptsTable;
  mail_message_ids: MailMessageIdsTable;
}

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends MailTables {}
}
