import type { Kysely } from 'kysely';
import type { DB } from '../../schema.js';

/** Customers: a merge moves the duplicate's chats to the survivor. */
export const chatCustomerMover = async (db: Kysely<DB>, fromId: string, intoId: string): Promise<number> => {
  const moved = await db.updateTable('chat_sessions').set({ customer_id: intoId }).where('customer_id', '=', fromId).executeTakeFirst();
  return Number(moved.numUpdatedRows);
};
