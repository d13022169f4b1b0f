import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A company's domain names it as surely as its name does (mail from @wenyin.example is theirs):
    -- two companies of one workspace never share one. Domains are stored lower-case.
    update customer_companies set domain = lower(domain) where domain <> lower(domain);
    create unique index customer_companies_domain on customer_companies (workspace_id, domain) where domain is not null;
  `.execute(db);
}
