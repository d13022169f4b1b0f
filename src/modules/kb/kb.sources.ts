import { sql, type Kysely } from 'kysely';
import type { DB } from '../../core/db/database.js';

/**
 * Customers: a merge moves the duplicate's help-centre subscriptions (with the consent each records)
 * to the survivor; one the survivor already has stays the survivor's, and the twin goes with the duplicate.
 */
export const kbCustomerMover = async (db: Kysely<DB>, fromId: string, intoId: string): Promise<number> => {
  const moved = await db.updateTable('kb_subscriptions').set({ customer_id: intoId }).where('customer_id', '=', fromId)
    .where(sql<boolean>`not exists (select 1 from kb_subscriptions s where s.customer_id = ${intoId} and s.target_kind = kb_subscriptions.target_kind and s.target_id = kb_subscriptions.target_id)`)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
};

/** Customers: an erasure ends the customer's help-centre subscriptions and forgets their digests. */
export const kbCustomerEraser = async (db: Kysely<DB>, customer: { id: string }): Promise<{ rows: number }> => {
  const items = await db.deleteFrom('kb_digest_items').where('customer_id', '=', customer.id).executeTakeFirst();
  const digests = await db.deleteFrom('kb_digests').where('customer_id', '=', customer.id).executeTakeFirst();
  const subscriptions = await db.deleteFrom('kb_subscriptions').where('customer_id', '=', customer.id).executeTakeFirst();
  return { rows: Number(items.numDeletedRows) + Number(digests.numDeletedRows) + Number(subscriptions.numDeletedRows) };
};
