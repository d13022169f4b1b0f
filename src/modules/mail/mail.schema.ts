import type { ColumnType, Generated } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';

export interface MailOutboxTable {
  id: Generated<string>;
  workspace_id: ColumnType<string, string | undefined, never>;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  template: string;
  locale: Locale;
  status: ColumnType<'queued' | 'sent' | 'failed', 'queued' | undefined, 'sent' | 'failed'>;
  created_at: ColumnType<Date, undefined, never>;
}

export interface MailTables {
  mail_outbox: MailOutboxTable;
}
