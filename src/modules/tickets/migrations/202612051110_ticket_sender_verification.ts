import { sql, type Kysely } from 'kysely';

/**
 * Whether the ticket's sender is known to be the customer it is filed under (issue 12 #6). A web
 * form posted without signing in names an e-mail anybody can type: such a ticket stays
 * `unverified` — out of that customer's "My requests" and marked in the console — until the
 * account holder, signed in, says it was theirs (`verified`) or not (`disputed`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table tickets add column sender_verification text not null default 'verified'
      check (sender_verification in ('verified', 'unverified', 'disputed'));
  `.execute(db);
}
