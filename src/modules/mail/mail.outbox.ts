import type { Kysely } from 'kysely';
import { translator, type Locale } from '../../core/i18n/index.js';
import type { en as mailCatalogue } from '../../core/i18n/catalogues/mail.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../schema.js';

/**
 * Templates are catalogue entries `mail.<template>.subject` / `.body` (src/core/i18n/catalogues/mail.ts),
 * rendered in the recipient's language; a module adds a template by adding its entry there.
 */
export type MailTemplate = keyof typeof mailCatalogue;

export interface OutboundMail {
  to: string;
  template: MailTemplate;
  locale: Locale;
  vars: Record<string, string>;
}

/**
 * Mail is written to the outbox in the caller's transaction, so it exists exactly when what caused
 * it was committed. Delivery (SMTP) arrives with the mail module's issue and reads the queued rows.
 */
export class MailOutbox {
  constructor(private readonly tenancy: Tenancy<DB>) {}

  async queue(workspaceId: string, mail: OutboundMail, trx?: Kysely<DB>): Promise<void> {
    const t = translator(mail.locale);
    const db = trx ?? this.tenancy.forWorkspace(workspaceId);
    await db.insertInto('mail_outbox').values({
      workspace_id: workspaceId,
      to_address: mail.to,
      subject: t(`mail.${mail.template}.subject`, mail.vars),
      text_body: t(`mail.${mail.template}.body`, mail.vars),
      html_body: null,
      template: mail.template,
      locale: mail.locale,
    }).execute();
  }
}
