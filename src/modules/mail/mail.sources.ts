import { sql, type Kysely } from 'kysely';
import type { DB } from '../../core/db/database.js';
import type { Tenancy } from '../../core/tenancy.js';
import { queryTemplate } from '../../core/db/query-template.js';

/** The key of a received mail as a ticket message keeps it: its Message-ID, and for a reused one its content's fingerprint. */
interface ReceivedMailKey { messageId: string; fingerprint?: string }

/** The earliest mail received with the key. */
const firstReceived = (db: Kysely<DB>, { messageId, fingerprint }: ReceivedMailKey) => db.selectFrom('mail_inbound').where('message_id', '=', messageId)
  .$if(fingerprint !== undefined, (q) => q.where('content_sha256', '=', fingerprint!)).orderBy('received_at').limit(1);

/** Statements of triage's rules on every mail-born ticket, built and compiled once (core/db/query-template.ts). */
const RECEIVED_MAIL_RECIPIENT = queryTemplate((db, key: ReceivedMailKey) => firstReceived(db, key).select(['address_id', 'mailbox_id']));
/** How much of a raw mail its header fields are read from. */
const RECEIVED_HEAD_BYTES = 65536;
const RECEIVED_MAIL_HEAD = queryTemplate((db, key: ReceivedMailKey) => firstReceived(db, key).select(sql<Buffer>`substring(raw from 1 for ${sql.lit(RECEIVED_HEAD_BYTES)})`.as('head')));

/** A ticket message's external id as the key of the mail it came from ("<Message-ID>#<fingerprint>" for a reused id). */
function receivedMailKey(externalId: string): ReceivedMailKey {
  const [messageId, fingerprint] = externalId.split('#');
  return { messageId: messageId!, fingerprint: fingerprint || undefined };
}

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

/**
 * Triage's rules on the address a mail was sent to: the support address and the IMAP mailbox (ids)
 * of the received mail a ticket message came from, by its Message-ID ("#<fingerprint>" as above).
 */
export const mailRecipientSource = (tenancy: Tenancy<DB>) => async (workspaceId: string, externalId: string): Promise<string[]> => {
  const row = await RECEIVED_MAIL_RECIPIENT.first(tenancy.forWorkspace(workspaceId), receivedMailKey(externalId));
  return row ? [row.address_id, row.mailbox_id].filter((id): id is string => id !== null) : [];
};

/**
 * Triage's spam scoring: the header fields of the received mail a ticket message came from (by its
 * Message-ID, the message's external id; a reused id carries "#<fingerprint>" after it), names in
 * lower case, folded lines unfolded. Undefined when no such mail was received (web, chat, API).
 */
export const mailHeaderSource = (tenancy: Tenancy<DB>) => async (workspaceId: string, externalId: string): Promise<Map<string, string> | undefined> => {
  const row = await RECEIVED_MAIL_HEAD.first(tenancy.forWorkspace(workspaceId), receivedMailKey(externalId));
  return row && headerFields(row.head);
};

/** The header fields of a raw mail (of its first RECEIVED_HEAD_BYTES), by lower-case name. */
export function headerFields(raw: Buffer): Map<string, string> {
  const head = raw.subarray(0, RECEIVED_HEAD_BYTES).toString('utf8');
  const end = head.search(/\r?\n\r?\n/);
  const fields = new Map<string, string>();
  for (const line of (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    // The first of a repeated field wins: the topmost, added last on the way.
    if (colon > 0 && !fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}
