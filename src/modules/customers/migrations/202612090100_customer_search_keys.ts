import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Search by what people type, each kind on an index that answers in milliseconds at a million
    -- customers (customers.repo.ts, list): a part of a name in any script by its n-grams, the start
    -- of an e-mail or other identity, the start of a phone number with or without its country code.
    -- The trigram indexes they replace could not serve two Chinese characters (pg_trgm needs three)
    -- and were the dearest indexes to keep up on import.
    drop index customers_search;
    drop index customer_identities_search;

    -- A name's character pairs, and its single characters outside ASCII (a Chinese surname alone is
    -- a query): any part of two characters or more has all its pairs among them. PL/pgSQL: a loop of
    -- simple expressions costs ~11 µs a name, the same in SQL with generate_series ~90 µs (every
    -- insert and rename pays it). Repeated grams are left in: GIN keeps each key once.
    create function customer_name_grams(name text) returns text[] language plpgsql immutable strict parallel safe as $$
    declare
      lowered text := lower(name);
      chars int := char_length(lowered);
      grams text[] := '{}';
    begin
      for i in 1 .. chars loop
        if i < chars then grams := grams || substr(lowered, i, 2); end if;
        if ascii(substr(lowered, i, 1)) > 127 then grams := grams || substr(lowered, i, 1); end if;
      end loop;
      return grams;
    end $$;
    create index customers_name_grams on customers using gin (customer_name_grams(name));

    -- E-mails (every customer's primary one is an identity), WeChat ids and the rest by their start.
    create index customer_identities_prefix on customer_identities (workspace_id, lower(value) text_pattern_ops);

    -- A phone's digits after its country code: E.164 codes are prefix-free (1, 7, 20, 27, 30–34 …
    -- two digits where listed, three elsewhere), so +86 139 0000 1234 is found by 139000, as typed.
    create function customer_phone_national(value text) returns text language sql immutable strict parallel safe as $$
      select regexp_replace(regexp_replace(value, '[^0-9+]', '', 'g'),
        '^\\+(1|7|2[07]|2[1-689][0-9]|3[0-469]|3[578][0-9]|4[013-9]|42[0-9]|5[1-8]|5[09][0-9]|6[0-6]|6[7-9][0-9]|8[1246]|8[0357-9][0-9]|9[0-58]|9[679][0-9])', '')
    $$;
    create index customer_identities_phone_national on customer_identities (workspace_id, customer_phone_national(value) text_pattern_ops) where kind = 'phone';

    -- The primary e-mail identity of customers inserted many at a time (an import's batch) is written
    -- by one statement per insert, not one per row; a changed address still goes row by row
    -- (transition tables cannot name columns).
    drop trigger customers_primary_email on customers;
    create function customer_primary_emails() returns trigger language plpgsql as $$
    begin
      insert into customer_identities (workspace_id, customer_id, kind, value, is_primary)
        select workspace_id, id, 'email', email, true from inserted
        on conflict do nothing;
      return null;
    end $$;
    create trigger customers_primary_emails after insert on customers
      referencing new table as inserted for each statement execute function customer_primary_emails();
    create trigger customers_primary_email after update of email on customers
      for each row execute function customer_primary_email();
  `.execute(db);
}
