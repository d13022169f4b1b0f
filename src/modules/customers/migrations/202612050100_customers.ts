import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- B2B: a company has its own page and its customers as members.
    create table customer_companies (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      name text not null check (length(name) between 1 and 200),
      domain text check (length(domain) <= 200),
      notes text not null default '' check (length(notes) <= 5000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index customer_companies_name on customer_companies (workspace_id, lower(name));

    -- The accounts module's customers row (e-mail, name, password, locale) gains the record's fields;
    -- accounts keeps reading and writing its own columns unchanged.
    alter table customers
      add column company_id uuid references customer_companies(id) on delete set null,
      add column time_zone text check (length(time_zone) <= 64),
      add column address jsonb,
      add column tags text[] not null default '{}',
      add column attributes jsonb not null default '{}',
      add column updated_at timestamptz not null default now();
    create index customers_company on customers (company_id) where company_id is not null;
    create index customers_tags on customers using gin (tags);
    -- The list's keyset order and its search (names in any script, e-mails).
    create index customers_recent on customers (workspace_id, created_at desc, id desc);
    create index customers_search on customers using gin ((lower(name) || ' ' || email) gin_trgm_ops);

    -- Every way a customer reaches us (e-mails and phones among them) resolves to one customer.
    create table customer_identities (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      kind text not null check (kind in ('email', 'phone', 'chat_visitor', 'portal_account', 'wechat_openid', 'wechat_unionid', 'wecom_external')),
      value text not null check (length(value) between 1 and 320),
      is_primary boolean not null default false,
      verified_at timestamptz,
      created_at timestamptz not null default now(),
      unique (workspace_id, kind, value)
    );
    create index customer_identities_customer on customer_identities (customer_id);
    create unique index customer_identities_one_primary on customer_identities (customer_id, kind) where is_primary;
    create index customer_identities_search on customer_identities using gin (value gin_trgm_ops);

    -- Customers made by the accounts module (portal sign-up, first contact by mail or chat) get
    -- their e-mail as the primary e-mail identity, and keep it when accounts changes the address.
    -- A conflict leaves the address resolving to whoever held it first: sign-up never fails here.
    create function customer_primary_email() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        update customer_identities set value = new.email
          where customer_id = new.id and kind = 'email' and is_primary and value = old.email
            and not exists (select 1 from customer_identities i where i.workspace_id = new.workspace_id and i.kind = 'email' and i.value = new.email);
        return new;
      end if;
      insert into customer_identities (workspace_id, customer_id, kind, value, is_primary)
        values (new.workspace_id, new.id, 'email', new.email, true)
        on conflict do nothing;
      return new;
    end $$;
    create trigger customers_primary_email after insert or update of email on customers
      for each row execute function customer_primary_email();
    insert into customer_identities (workspace_id, customer_id, kind, value, is_primary)
      select workspace_id, id, 'email', email, true from customers on conflict do nothing;

    -- Custom fields, defined per workspace; values live in customers.attributes under the key.
    create table customer_attribute_definitions (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      key text not null check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
      labels jsonb not null,
      type text not null check (type in ('text', 'number', 'date', 'choice')),
      choices text[] not null default '{}',
      created_at timestamptz not null default now(),
      unique (workspace_id, key)
    );

    create table customer_notes (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      author_id uuid references agents(id) on delete set null,
      body text not null check (length(body) between 1 and 10000),
      created_at timestamptz not null default now()
    );
    create index customer_notes_customer on customer_notes (customer_id, created_at desc);

    create table products (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      model text not null check (length(model) between 1 and 80),
      names jsonb not null,
      category text not null default '' check (length(category) <= 80),
      created_at timestamptz not null default now(),
      unique (workspace_id, model)
    );

    -- A product a customer owns (registered in the portal or imported).
    create table product_registrations (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      product_id uuid not null references products(id) on delete restrict,
      serial text not null check (length(serial) between 1 and 80),
      purchased_on date,
      warranty_until date,
      bought_from text not null default '' check (length(bought_from) <= 200),
      created_at timestamptz not null default now(),
      unique (workspace_id, product_id, serial)
    );
    create index product_registrations_customer on product_registrations (customer_id);
    create index product_registrations_product on product_registrations (product_id);

    create table customer_orders (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      reference text check (length(reference) <= 80),
      ordered_at timestamptz not null,
      amount numeric(14, 2) not null check (amount >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      created_at timestamptz not null default now(),
      unique (workspace_id, reference)
    );
    create index customer_orders_customer on customer_orders (customer_id, ordered_at desc);

    create table customer_order_lines (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      order_id uuid not null references customer_orders(id) on delete cascade,
      product_id uuid references products(id) on delete set null,
      description text not null check (length(description) between 1 and 200),
      quantity int not null check (quantity between 1 and 100000),
      amount numeric(14, 2) not null check (amount >= 0)
    );
    create index customer_order_lines_order on customer_order_lines (order_id);
    create index customer_order_lines_product on customer_order_lines (product_id) where product_id is not null;

    create table consent_purposes (
      id uuid primary key default gen_random_uuid(),
      workspace_id uuid not null references workspaces(id) on delete cascade,
      key text not null check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
      names jsonb not null,
      -- The wording customers are shown now; each grant or withdrawal records the one they saw.
      wording_version text not null check (length(wording_version) between 1 and 40),
      created_at timestamptz not null default now(),
      unique (workspace_id, key)
    );

    -- Append-only: the current consent is the latest row per (customer, purpose).
    create table consent_changes (
      id bigint generated always as identity primary key,
      workspace_id uuid not null references workspaces(id) on delete cascade,
      customer_id uuid not null references customers(id) on delete cascade,
      purpose_id uuid not null references consent_purposes(id) on delete cascade,
      granted boolean not null,
      channel text not null check (channel in ('portal', 'email', 'chat', 'phone', 'console', 'api', 'import')),
      wording_version text not null check (length(wording_version) between 1 and 40),
      changed_by_type text not null check (changed_by_type in ('customer', 'agent', 'api', 'system')),
      changed_by_id uuid,
      changed_at timestamptz not null default now()
    );
    create index consent_changes_current on consent_changes (customer_id, purpose_id, id desc);
  `.execute(db);
}
