import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The title's lexemes alone. GIN cannot check tsvector weights (a title-only match on the full
    -- vector rereads every candidate row), so suggestions and the title-first candidates of a
    -- common-word search use this column's own index, which answers exactly.
    alter table search_documents add column title_vector tsvector not null default ''::tsvector;
    update search_documents set title_vector = setweight(ts_filter(vector, '{a}'), 'D');
    create index search_documents_title_vector on search_documents using gin (title_vector);
    -- Typos in suggestions are corrected against search_terms (small) instead of fuzzy-matching every title.
    drop index search_documents_title_trgm;
    -- Every candidate's vector is read to rank it: keep it in the row (compressed) rather than in the
    -- TOAST table, one page read per candidate instead of three; the body, read only for the ten
    -- snippets shown, goes out of the row first when a row grows too big.
    alter table search_documents alter column vector set storage main;
    alter table search_documents alter column body set storage external;
    -- Later pages of a results list are logged too (their clicks count), but the listening reports
    -- count each search once: by its first page.
    alter table search_queries add column page_offset int not null default 0;
  `.execute(db);
}
