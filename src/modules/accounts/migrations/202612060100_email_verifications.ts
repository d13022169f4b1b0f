import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A signed one-time link proving a customer reads an address: a new e-mail in "My account"
    -- (purpose 'add'), a new portal account ('register'), or their request to erase their data
    -- ('erase', mailed to the sign-in address). Only the token's hash is kept.
    create table email_verifications (
      token_hash text primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      email text not null check (email = lower(email)),
      purpose text not null check (purpose in ('add', 'register', 'erase')),
      make_primary boolean not null default false,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index email_verifications_customer on email_verifications (customer_id);
  `.execute(db);
}
