import { sql, type Kysely } from 'kysely';
import type { DB } from '../../core/db/database.js';

/**
 * Customers: an erasure empties the raw mails the customer sent (bodies and headers) and the
 * bodies of the mails sent to them; the rows stay (delivery counts), addressed to nobody.
 */
export const mailCustomerEraser = async (db: Kysely<DB>, customer: { emails: string[] }, blank: string): Promise<{ rows: number }> => {
  if (!customer.emails.length) return { rows: 0 };
  const inbound = await db.updateTable('mail_inbound').set({ raw: sql<Buffer>`'\\x'::bytea`, subject: null, from_address: blank, envelope_from: null })
    .where((eb) => eb.or([eb('from_address', 'in', customer.emails), eb('envelope_from', 'in', customer.emails)])).executeTakeFirst();
  const outbound = await db.updateTable('mail_outbox').set({ subject: blank, text_body: blank, html_body: null })
    .where('to_address', 'in', customer.emails).executeTakeFirst();
  return { rows: Number(inbound.numUpdatedRows) + Number(outbound.numUpdatedRows) };
};
