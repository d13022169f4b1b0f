import type { Kysely } from 'kysely';
import type { DB } from '../../core/db/database.js';

/** Customers: a merge moves the duplicate's chats to the survivor. */
export const chatCustomerMover = async (db: Kysely<DB>, fromId: string, intoId: string): Promise<number> => {
  const moved = await db.updateTable('chat_sessions').set({ customer_id: intoId }).where('customer_id', '=', fromId).executeTakeFirst();
  return Number(moved.numUpdatedRows);
};

/** Customers: an erasure blanks the visitor's name, address, number and rating comment on their chats (the chats' timings and scores stay). */
export const chatCustomerEraser = async (db: Kysely<DB>, customer: { id: string }, blank: string): Promise<{ rows: number }> => {
  const erased = await db.updateTable('chat_sessions').set({ visitor_name: blank, visitor_email: blank, external_from: null, rating_comment: null })
    .where('customer_id', '=', customer.id).executeTakeFirst();
  return { rows: Number(erased.numUpdatedRows) };
};
