import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { EventBus, EventWriter } from '../../core/events/index.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import { QueryTemplate } from '../../core/db/query-template.js';
import type { AttributeValue, CustomerRow, CustomersDB, ErasureRow, IdentityKind, ImportRow, RefusedRow, SegmentRow } from './customers.schema.js';

/** Where the next page of the customer list starts: after this (created_at, id). */
export interface ListCursor { createdAt: Date; id: string }

/** A condition on `customers` made by compiling a segment's rule (customers.segments.ts). */
export type CustomerWhere = (eb: ExpressionBuilder<CustomersDB, 'customers'>) => Expression<SqlBool>;

/**
 * Where customers' tickets are kept (chats are tickets too, in the tickets module): a subquery of
 * `customer_id`, one row per ticket active at or after `since` (every ticket when null). Segments'
 * last-contact conditions test membership in it; a company page counts its rows per member. It is
 * built with the query builder, so it is scoped to the workspace with the query it is put in.
 */
export type CustomerContactSource = (since: Date | null) => Expression<unknown>;

export interface CustomerFilter {
  /** Part of a name (any script), an e-mail, a phone or any other identity. */
  q?: string;
  tag?: string;
  companyId?: string;
  /** A segment's compiled rule: its members only (never an erased customer). */
  where?: CustomerWhere;
  after?: ListCursor;
  limit: number;
}

const CUSTOMER_COLUMNS = ['id', 'email', 'name', 'locale', 'company_id', 'time_zone', 'address', 'tags', 'attributes', 'created_at', 'updated_at', 'erased_at'] as const;
/** The record by id, which every new ticket's triage reads: built and compiled once (core/db/query-template.ts). */
const CUSTOMER = new QueryTemplate((db: Kysely<CustomersDB>, { id }: { id: string }) => db.selectFrom('customers').select(CUSTOMER_COLUMNS).where('id', '=', id));
const CUSTOMERS = new QueryTemplate((db: Kysely<CustomersDB>, { ids }: { ids: readonly string[] }) =>
  db.selectFrom('customers').select(CUSTOMER_COLUMNS).where('id', '=', (eb) => eb.fn.any(eb.val(ids))));

/** The expressions the look-alike search compares, each with its index in the migration. */
const PHONE_TAIL = sql`right(regexp_replace(i.value, '\\D', '', 'g'), 8)`;
const MAILBOX = sql`split_part(split_part(customers.email, '@', 1), '+', 1) || '@' || split_part(customers.email, '@', 2)`;

const likeEscaped = (text: string) => text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
const newestFirst = (a: CustomerRow, b: CustomerRow) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Chinese, Japanese and Korean characters: a query holding one is a part of a name. */
const HAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** What a phone number typed into a search box looks like: digits, maybe a +, spaces, dashes, brackets. */
const PHONE_QUERY = /^\+?[\d\s().-]+$/;
const PHONE_QUERY_MIN_DIGITS = 3;

/** How much work one kind of match of a search may do before it changes its way (CustomersRepo#list). */
export interface SearchBounds {
  /**
   * Matches looked up on the branch's own index: up to this many, they are fetched by id and
   * sorted (a few milliseconds); more, and the term is common (at least 1 customer in 200 at a
   * million), so walking the list newest first testing each customer fills a page sooner.
   */
  candidates: number;
  /** The most customers a walk tests before it gives up on the term being common (then: every match, sorted). */
  walk: number;
}
const SEARCH_BOUNDS: SearchBounds = { candidates: 5_000, walk: 50_000 };

/**
 * One kind of match a search query is tried as: `candidates` finds the matching customers on the
 * branch's own index, in no order (it may name a customer twice, or a customer the filters leave
 * out); `holds` tests one customer row, for a walk of the list newest first.
 */
type Candidates = Expression<{ id: string }> & {
  limit(limit: number): { execute(): Promise<{ id: string }[]> };
  explain(format: 'json'): Promise<Record<string, unknown>[]>;
};
interface SearchBranch {
  candidates: (db: Kysely<CustomersDB>) => Candidates;
  holds: CustomerWhere;
  /**
   * How the branch knows a term is common before fetching `candidates` rows by its index only to
   * find them too many (~30 ms for a surname at 1M), and walks at once:
   * - `grams` (a name's): the statistics bound how many customers can hold them all (the rarest
   *   gram's share of the table; the planner multiplies the grams' shares and expects far fewer);
   * - `planned` (an identity's): the planner's estimate of the candidates, close for a prefix of
   *   the value (c2: 121,000 for 111,000). It matters: told only to stop at a limit, the planner
   *   reads a common prefix by a scan of the whole table, 60–400 ms before it has enough at 1M.
   */
  grams?: string[];
  planned?: boolean;
}

/**
 * The conditions a search query is tried with, by what it looks like (migration
 * 202612090100_customer_search_keys.ts has their indexes):
 * - letters (any script): a part of the name, by its character pairs (`customer_name_grams`, GIN),
 *   checked with LIKE; a single non-ASCII character is its own gram;
 * - no Chinese, Japanese or Korean: the start of an identity (e-mails, WeChat ids …), any case;
 * - digits (3 or more, maybe with separators): the start of a phone number after its country code
 *   (`customer_phone_national`), so 139 0000 finds +86 139 0000 1234; with a leading + the start of
 *   the whole number (+86 139 finds it, +44 139 does not).
 * Digits alone do not search names: a name holding the digits is found by its letters.
 */
function searchBranches(text: string): SearchBranch[] {
  const branches: SearchBranch[] = [];
  if (/\p{L}/u.test(text)) {
    const grams = nameGrams(text);
    const contains = sql<SqlBool>`lower(customers.name) like ${`%${likeEscaped(text)}%`}`;
    branches.push({
      candidates: (db) => db.selectFrom('customers').select('customers.id')
        .where(grams.length ? sql<SqlBool>`customer_name_grams(customers.name) @> ${grams}::text[] and ${contains}` : contains),
      holds: () => contains,
      grams,
    });
  }
  // An identity branch: its customers' ids from `customer_identities`, or whether one customer has such an identity.
  const identities = (match: Expression<SqlBool>): SearchBranch => ({
    candidates: (db) => db.selectFrom('customer_identities as i').select('i.customer_id as id').where(match),
    planned: true,
    // `offset 0` keeps it a look-up per customer walked: made a join, the planner would gather every match first (seconds for 139).
    holds: (eb) => eb.exists(eb.selectFrom('customer_identities as i').select('i.id').whereRef('i.customer_id', '=', 'customers.id').where(match).offset(0)),
  });
  if (!HAN.test(text)) branches.push(identities(sql<SqlBool>`lower(i.value) like ${`${likeEscaped(text)}%`}`));
  const digits = text.replace(/[\s().-]/g, '');
  if (PHONE_QUERY.test(text) && digits.replace('+', '').length >= PHONE_QUERY_MIN_DIGITS) {
    // Typed with its country code: the stored number's start (phones are kept as + and digits).
    const phone = digits.startsWith('+') ? sql<string>`lower(i.value)` : sql<string>`customer_phone_national(i.value)`;
    branches.push(identities(sql<SqlBool>`i.kind = 'phone' and ${phone} like ${`${digits}%`}`));
  }
  return branches;
}

/** The rows the planner expects a query to give, from `explain (format json)`. */
function planRows(explained: Record<string, unknown>[]): number {
  const plan = (explained[0]?.['QUERY PLAN'] as { Plan?: { 'Plan Rows'?: number } }[] | undefined)?.[0]?.Plan;
  return plan?.['Plan Rows'] ?? 0;
}

/** The grams of `customer_name_grams` a name holding `text` must have: its pairs, or itself when one non-ASCII character. */
function nameGrams(text: string): string[] {
  const chars = [...text];
  if (chars.length === 1) return chars[0]!.codePointAt(0)! > 127 ? chars : [];
  return [...new Set(chars.slice(1).map((c, i) => chars[i]! + c))];
}
const dateText = (column: 'purchased_on' | 'warranty_until') => sql<string | null>`${sql.ref(column)}::text`.as(column);

/**
 * Every query goes through `tenancy.forWorkspace`: an id from another workspace finds nothing.
 * `transaction` hands a repo bound to one transaction of that workspace, so a write of several
 * rows (and its events) is whole or not at all.
 */
export class CustomersRepo {
  private constructor(private readonly db: (workspaceId: string) => Kysely<CustomersDB>, private readonly bounds: SearchBounds) {}

  /** `bounds`: the search's, for tests of each way a search goes at a small size. */
  static of(tenancy: Tenancy<DB>, bounds: SearchBounds = SEARCH_BOUNDS): CustomersRepo {
    // The platform's DB type lists accounts' customer columns only; this module's migration adds the rest.
    const scoped = tenancy as unknown as Tenancy<CustomersDB>;
    return new CustomersRepo((workspaceId) => scoped.forWorkspace(workspaceId), bounds);
  }

  /** The events published on `events` are committed with the rows, or not at all. */
  transaction<T>(workspaceId: string, bus: EventBus, work: (repo: CustomersRepo, events: EventWriter) => Promise<T>): Promise<T> {
    return bus.transaction(this.db(workspaceId), (trx, events) => work(new CustomersRepo(() => trx, this.bounds), events));
  }

  // ---- customers

  customer(workspaceId: string, id: string) {
    return CUSTOMER.first(this.db(workspaceId), { id });
  }

  /** These customers (those that exist), in one statement. */
  async customers(workspaceId: string, ids: readonly string[]) {
    if (!ids.length) return [];
    return CUSTOMERS.rows(this.db(workspaceId), { ids });
  }

  /**
   * A page of the list, newest first. A search runs each kind of match it can be (see
   * `searchBranches`) on its own and merges the pages here. Each branch's work is bounded
   * (`SearchBounds`): up to `candidates` matches are looked up on its index and sorted; past that
   * the term is common, and the list is walked newest first testing each customer until the page
   * is full (at most `walk` customers; a page still short then, as at the end of the list, takes
   * every match sorted). A name's branch asks the statistics first and walks at once when more than
   * `candidates` may match.
   */
  async list(workspaceId: string, filter: CustomerFilter): Promise<CustomerRow[]> {
    const db = this.db(workspaceId);
    const filtered = () => {
      let query = db.selectFrom('customers').select(CUSTOMER_COLUMNS);
      if (filter.tag) query = query.where('tags', '@>', sql<string[]>`array[${filter.tag}]::text[]`);
      if (filter.companyId) query = query.where('company_id', '=', filter.companyId);
      if (filter.where) query = query.where('erased_at', 'is', null).where(filter.where);
      if (filter.after) {
        const { createdAt, id } = filter.after;
        query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(createdAt, id)));
      }
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    };
    const q = filter.q?.trim().toLowerCase();
    if (!q) return filtered().limit(filter.limit).execute();
    // The window is a subquery named as the table, so `holds` reads its columns as the customer's.
    const walk = (holds: CustomerWhere, customers: number) => db.selectFrom(filtered().limit(customers).as('customers')).selectAll()
      .where((eb) => holds(eb as unknown as ExpressionBuilder<CustomersDB, 'customers'>))
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    const search = async ({ candidates, holds, grams, planned }: SearchBranch): Promise<CustomerRow[]> => {
      const matched = candidates(db);
      const expected = grams?.length ? await this.matchBound(workspaceId, grams) : planned ? planRows(await matched.explain('json')) : 0;
      const common = expected > this.bounds.candidates;
      if (!common) {
        const ids = (await matched.limit(this.bounds.candidates + 1).execute()).map((row) => row.id);
        if (ids.length <= this.bounds.candidates) {
          return ids.length ? filtered().where('customers.id', '=', sql<string>`any(${ids}::uuid[])`).limit(filter.limit).execute() : [];
        }
      }
      const walked = await walk(holds, this.bounds.walk);
      if (walked.length === filter.limit) return walked;
      return filtered().where('customers.id', '=', sql<string>`any(array(${matched}))`).limit(filter.limit).execute();
    };
    const pages = await Promise.all(searchBranches(q).map(search));
    if (pages.length === 1) return pages[0]!;
    const merged = new Map(pages.flat().map((row) => [row.id, row]));
    return [...merged.values()].sort(newestFirst).slice(0, filter.limit);
  }

  /**
   * At most how many customers hold all these grams, by the statistics of `customers_name_grams`:
   * the rarest gram's share (a gram not among the most common ones is rarer than the least of
   * them) times the table's rows, every workspace's. 0 before the first ANALYZE.
   */
  private async matchBound(workspaceId: string, grams: string[]): Promise<number> {
    const { rows: [row] } = await sql<{ bound: number | null }>`
      select (select greatest(reltuples, 0) from pg_class where oid = 'customers'::regclass) * min(coalesce(m.f, s.floor)) as bound
      from unnest(${grams}::text[]) as g(gram)
      cross join (select most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs,
          most_common_elem_freqs[array_length(most_common_elem_freqs, 1) - 2] as floor
        from pg_stats where schemaname = current_schema() and tablename = 'customers_name_grams') as s
      left join lateral (select f from unnest(s.elems, s.freqs) as m(e, f) where m.e = g.gram) as m on true`.execute(this.db(workspaceId));
    return Number(row?.bound ?? 0);
  }

  insertCustomer(workspaceId: string, values: { email: string; name: string; locale: 'en' | 'zh-CN' | null; company_id: string | null; time_zone: string | null; address: string | null; tags: string[]; attributes: string }) {
    return this.db(workspaceId).insertInto('customers').values({ ...values, password_hash: null })
      .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing())
      .returning('id').executeTakeFirst();
  }

  updateCustomer(workspaceId: string, id: string, patch: Partial<{ email: string; name: string; locale: 'en' | 'zh-CN' | null; company_id: string | null; time_zone: string | null; address: string | null; tags: string[]; attributes: string }>, now: Date) {
    return this.db(workspaceId).updateTable('customers').set({ ...patch, updated_at: now }).where('id', '=', id).returning('id').executeTakeFirst();
  }

  /** Many new customers in one statement; an e-mail already in use is left out of what it returns. */
  insertCustomers(workspaceId: string, rows: { email: string; name: string; locale: 'en' | 'zh-CN' | null; company_id: string | null; time_zone: string | null; address: string | null; tags: string[]; attributes: string }[]) {
    if (!rows.length) return Promise.resolve([]);
    return this.db(workspaceId).insertInto('customers').values(rows.map((row) => ({ ...row, password_hash: null })))
      .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing())
      .returning(['id', 'email']).execute();
  }

  /**
   * An import's rows for known customers, in one statement: given fields replace (an absent one,
   * null here, leaves the column), tags and attributes are added to.
   */
  mergeImportedFields(workspaceId: string, rows: { id: string; name?: string; locale?: 'en' | 'zh-CN'; time_zone?: string; company_id?: string; tags: string[]; attributes: Record<string, AttributeValue> }[], now: Date) {
    if (!rows.length) return Promise.resolve();
    const column = <T>(pick: (row: typeof rows[number]) => T) => rows.map(pick);
    const given = sql`(select * from unnest(
      ${column((r) => r.id)}::uuid[], ${column((r) => r.name ?? null)}::text[], ${column((r) => r.locale ?? null)}::text[],
      ${column((r) => r.time_zone ?? null)}::text[], ${column((r) => r.company_id ?? null)}::uuid[],
      ${column((r) => JSON.stringify(r.tags))}::jsonb[], ${column((r) => JSON.stringify(r.attributes))}::jsonb[]
    ) as given(id, name, locale, time_zone, company_id, tags, attributes))`;
    return this.db(workspaceId).updateTable('customers').from(given.as('given')).set({
      name: sql<string>`coalesce(given.name, customers.name)`,
      locale: sql<'en' | 'zh-CN' | null>`coalesce(given.locale, customers.locale)`,
      time_zone: sql<string | null>`coalesce(given.time_zone, customers.time_zone)`,
      company_id: sql<string | null>`coalesce(given.company_id, customers.company_id)`,
      tags: sql<string[]>`array(select distinct unnest(customers.tags || array(select jsonb_array_elements_text(given.tags))))`,
      attributes: sql<string>`customers.attributes || given.attributes`,
      updated_at: now,
    }).where(sql<SqlBool>`customers.id = given.id`).execute();
  }

  /** Locks the customer's row: concurrent changes of one record (attributes, primary identities) queue up. */
  lockCustomer(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('customers').select(['id', 'email', 'attributes']).where('id', '=', id).forUpdate().executeTakeFirst();
  }

  // ---- identities

  identities(workspaceId: string, customerId: string) {
    return this.db(workspaceId).selectFrom('customer_identities').selectAll()
      .where('customer_id', '=', customerId).orderBy('kind').orderBy('is_primary', 'desc').orderBy('created_at').execute();
  }

  identityByValue(workspaceId: string, kind: IdentityKind, value: string) {
    return this.db(workspaceId).selectFrom('customer_identities').selectAll().where('kind', '=', kind).where('value', '=', value).executeTakeFirst();
  }

  /** Undefined when the (kind, value) is taken in this workspace. */
  insertIdentity(workspaceId: string, values: { customer_id: string; kind: IdentityKind; value: string; is_primary: boolean; verified_at: Date | null }) {
    return this.db(workspaceId).insertInto('customer_identities').values(values)
      .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'value']).doNothing())
      .returningAll().executeTakeFirst();
  }

  /** Who holds each of these e-mails and phones, in one query: `kind` and `value` of each one held. */
  identityOwners(workspaceId: string, values: { email: readonly string[]; phone: readonly string[] }) {
    if (!values.email.length && !values.phone.length) return Promise.resolve([]);
    return this.db(workspaceId).selectFrom('customer_identities').select(['kind', 'value', 'customer_id'])
      .where((eb) => eb.or((['email', 'phone'] as const).filter((kind) => values[kind].length)
        .map((kind) => eb.and([eb('kind', '=', kind), eb('value', '=', sql<string>`any(${values[kind]}::text[])`)]))))
      .execute();
  }

  insertIdentities(workspaceId: string, rows: { customer_id: string; kind: IdentityKind; value: string; is_primary: boolean; verified_at: Date | null }[]) {
    if (!rows.length) return Promise.resolve([]);
    return this.db(workspaceId).insertInto('customer_identities').values(rows)
      .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'value']).doNothing()).returning('id').execute();
  }

  /** Verified now (kept if it already was), and the primary of its kind when `primary`. */
  confirmIdentity(workspaceId: string, id: string, now: Date, primary: boolean) {
    return this.db(workspaceId).updateTable('customer_identities')
      .set({ verified_at: sql<Date>`coalesce(verified_at, ${now})`, ...(primary ? { is_primary: true } : {}) })
      .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  demotePrimary(workspaceId: string, customerId: string, kind: IdentityKind) {
    return this.db(workspaceId).updateTable('customer_identities').set({ is_primary: false })
      .where('customer_id', '=', customerId).where('kind', '=', kind).where('is_primary', '=', true).execute();
  }

  removeIdentity(workspaceId: string, customerId: string, id: string) {
    return this.db(workspaceId).deleteFrom('customer_identities').where('customer_id', '=', customerId).where('id', '=', id)
      .returningAll().executeTakeFirst();
  }

  // ---- attributes, notes

  attributeDefinitions(workspaceId: string) {
    return this.db(workspaceId).selectFrom('customer_attribute_definitions').selectAll().orderBy('key').execute();
  }

  insertAttributeDefinition(workspaceId: string, values: { key: string; labels: string; type: 'text' | 'number' | 'date' | 'choice'; choices: string[] }) {
    return this.db(workspaceId).insertInto('customer_attribute_definitions').values(values)
      .onConflict((oc) => oc.columns(['workspace_id', 'key']).doNothing()).returningAll().executeTakeFirst();
  }

  notes(workspaceId: string, customerId: string, limit: number) {
    return this.db(workspaceId).selectFrom('customer_notes').selectAll().where('customer_id', '=', customerId)
      .orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  }

  insertNote(workspaceId: string, values: { customer_id: string; author_id: string | null; body: string }) {
    return this.db(workspaceId).insertInto('customer_notes').values(values).returningAll().executeTakeFirstOrThrow();
  }

  // ---- companies

  companies(workspaceId: string) {
    return this.db(workspaceId).selectFrom('customer_companies').selectAll().orderBy('name').orderBy('id').execute();
  }

  /** Each company with how many customers it has (one grouped pass over the company index). */
  async companyMemberCounts(workspaceId: string): Promise<Map<string, number>> {
    const rows = await this.db(workspaceId).selectFrom('customers').select((eb) => ['company_id', eb.fn.countAll<string>().as('members')])
      .where('company_id', 'is not', null).groupBy('company_id').execute();
    return new Map(rows.map((r) => [r.company_id!, Number(r.members)]));
  }

  deleteCompany(workspaceId: string, id: string) {
    return this.db(workspaceId).deleteFrom('customer_companies').where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Ids of the company's customers; a deleted company's members are left without one (the foreign key's on delete set null). */
  async companyMemberIds(workspaceId: string, companyId: string): Promise<string[]> {
    return (await this.db(workspaceId).selectFrom('customers').select('id').where('company_id', '=', companyId).execute()).map((r) => r.id);
  }

  company(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('customer_companies').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertCompany(workspaceId: string, values: { name: string; domain: string | null; notes: string }) {
    return this.db(workspaceId).insertInto('customer_companies').values(values).returningAll().executeTakeFirstOrThrow();
  }

  updateCompany(workspaceId: string, id: string, patch: Partial<{ name: string; domain: string | null; notes: string }>, now: Date) {
    return this.db(workspaceId).updateTable('customer_companies').set({ ...patch, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Companies by name (any case), made where missing: lower-cased name → id. */
  async companiesByName(workspaceId: string, names: readonly string[]): Promise<Map<string, string>> {
    if (!names.length) return new Map();
    await this.db(workspaceId).insertInto('customer_companies').values(names.map((name) => ({ name, domain: null })))
      .onConflict((oc) => oc.doNothing()).execute();
    const rows = await this.db(workspaceId).selectFrom('customer_companies').select(['id', 'name'])
      .where(sql<string>`lower(name)`, 'in', names.map((n) => n.toLowerCase())).execute();
    return new Map(rows.map((r) => [r.name.toLowerCase(), r.id]));
  }

  /** The company's customers by name, each with how many tickets (chats are tickets) they have, from the tickets module's source. */
  companyMembers(workspaceId: string, companyId: string, limit: number, tickets: CustomerContactSource) {
    return this.db(workspaceId).selectFrom('customers')
      .select(['id', 'name', 'email', sql<string>`(select count(*) from (${tickets(null)}) as ticket where ticket.customer_id = customers.id)`.as('ticket_count')])
      .where('company_id', '=', companyId).orderBy('name').orderBy('id').limit(limit).execute();
  }

  // ---- products, registrations, orders

  products(workspaceId: string, category?: string) {
    let query = this.db(workspaceId).selectFrom('products').selectAll().orderBy('model');
    if (category !== undefined) query = query.where('category', '=', category);
    return query.execute();
  }

  product(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  }

  productIds(workspaceId: string, ids: readonly string[]) {
    if (!ids.length) return Promise.resolve([]);
    return this.db(workspaceId).selectFrom('products').select('id').where('id', 'in', ids).execute();
  }

  insertProduct(workspaceId: string, values: { model: string; names: string; category: string }) {
    return this.db(workspaceId).insertInto('products').values(values)
      .onConflict((oc) => oc.columns(['workspace_id', 'model']).doNothing()).returningAll().executeTakeFirst();
  }

  updateProduct(workspaceId: string, id: string, patch: Partial<{ names: string; category: string }>) {
    return this.db(workspaceId).updateTable('products').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  registrations(workspaceId: string, customerId: string) {
    return this.db(workspaceId).selectFrom('product_registrations as r').innerJoin('products as p', 'p.id', 'r.product_id')
      .select(['r.id', 'r.product_id', 'r.serial', dateText('purchased_on'), dateText('warranty_until'), 'r.bought_from', 'r.created_at', 'p.model', 'p.names'])
      .where('r.customer_id', '=', customerId).orderBy('r.created_at', 'desc').orderBy('r.id').execute();
  }

  /** The customer's registration, locked for a change (undefined when it is not theirs). */
  lockRegistration(workspaceId: string, customerId: string, id: string) {
    return this.db(workspaceId).selectFrom('product_registrations').select(['id', dateText('purchased_on'), dateText('warranty_until')])
      .where('id', '=', id).where('customer_id', '=', customerId).forUpdate().executeTakeFirst();
  }

  /** Throws a unique violation when the new serial of this product is registered already. */
  updateRegistration(workspaceId: string, id: string, patch: Partial<{ serial: string; purchased_on: string | null; warranty_until: string | null; bought_from: string }>) {
    return this.db(workspaceId).updateTable('product_registrations').set(patch).where('id', '=', id)
      .returning(['id', 'product_id', 'serial', dateText('purchased_on'), dateText('warranty_until'), 'bought_from', 'created_at']).executeTakeFirstOrThrow();
  }

  /** Undefined when this product's serial is already registered in the workspace. */
  insertRegistration(workspaceId: string, values: { customer_id: string; product_id: string; serial: string; purchased_on: string | null; warranty_until: string | null; bought_from: string }) {
    return this.db(workspaceId).insertInto('product_registrations').values(values)
      .onConflict((oc) => oc.columns(['workspace_id', 'product_id', 'serial']).doNothing())
      .returning(['id', 'product_id', 'serial', dateText('purchased_on'), dateText('warranty_until'), 'bought_from', 'created_at']).executeTakeFirst();
  }

  orders(workspaceId: string, customerId: string, limit: number) {
    return this.db(workspaceId).selectFrom('customer_orders').selectAll().where('customer_id', '=', customerId)
      .orderBy('ordered_at', 'desc').orderBy('id').limit(limit).execute();
  }

  orderLines(workspaceId: string, orderIds: readonly string[]) {
    if (!orderIds.length) return Promise.resolve([]);
    return this.db(workspaceId).selectFrom('customer_order_lines').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();
  }

  insertOrder(workspaceId: string, values: { customer_id: string; reference: string | null; ordered_at: Date; amount: string; currency: string }) {
    return this.db(workspaceId).insertInto('customer_orders').values(values).returningAll().executeTakeFirstOrThrow();
  }

  insertOrderLines(workspaceId: string, lines: { order_id: string; product_id: string | null; description: string; quantity: number; amount: string }[]) {
    return this.db(workspaceId).insertInto('customer_order_lines').values(lines).returningAll().execute();
  }

  // ---- consent

  purposes(workspaceId: string) {
    return this.db(workspaceId).selectFrom('consent_purposes').selectAll().orderBy('key').execute();
  }

  purpose(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('consent_purposes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertPurpose(workspaceId: string, values: { key: string; names: string; wording_version: string }) {
    return this.db(workspaceId).insertInto('consent_purposes').values(values)
      .onConflict((oc) => oc.columns(['workspace_id', 'key']).doNothing()).returningAll().executeTakeFirst();
  }

  updatePurpose(workspaceId: string, id: string, patch: Partial<{ names: string; wording_version: string }>) {
    return this.db(workspaceId).updateTable('consent_purposes').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** The latest change per purpose: the customer's consents as they stand. */
  currentConsents(workspaceId: string, customerId: string) {
    return this.db(workspaceId).selectFrom('consent_changes').selectAll()
      .distinctOn('purpose_id').where('customer_id', '=', customerId).orderBy('purpose_id').orderBy('id', 'desc').execute();
  }

  consentLog(workspaceId: string, customerId: string, limit: number) {
    return this.db(workspaceId).selectFrom('consent_changes').selectAll().where('customer_id', '=', customerId).orderBy('id', 'desc').limit(limit).execute();
  }

  insertConsentChange(workspaceId: string, values: { customer_id: string; purpose_id: string; granted: boolean; channel: CustomersDB['consent_changes']['channel']; wording_version: string; changed_by_type: CustomersDB['consent_changes']['changed_by_type']; changed_by_id: string | null; changed_at: Date }) {
    return this.db(workspaceId).insertInto('consent_changes').values(values).returningAll().executeTakeFirstOrThrow();
  }

  // ---- the customer's own data: erasure

  erasureOf(workspaceId: string, customerId: string): Promise<ErasureRow | undefined> {
    return this.db(workspaceId).selectFrom('customer_erasures').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  }

  /** The customer's erasure, new or the one asked for before (one per customer). */
  async insertErasure(workspaceId: string, values: { customer_id: string; requested_by_type: ErasureRow['requested_by_type']; requested_by_id: string | null }) {
    const row = await this.db(workspaceId).insertInto('customer_erasures').values({ ...values, counts: '{}' })
      .onConflict((oc) => oc.columns(['workspace_id', 'customer_id']).doNothing()).returningAll().executeTakeFirst();
    return row ? { row, created: true } : { row: (await this.erasureOf(workspaceId, values.customer_id))!, created: false };
  }

  lockErasure(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('customer_erasures').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  finishErasure(workspaceId: string, id: string, done: { counts: Record<string, number>; files: string[]; now: Date }) {
    return this.db(workspaceId).updateTable('customer_erasures')
      .set({ status: 'done', counts: JSON.stringify(done.counts), files: done.files, finished_at: done.now }).where('id', '=', id).execute();
  }

  clearErasureFiles(workspaceId: string, id: string) {
    return this.db(workspaceId).updateTable('customer_erasures').set({ files: [] }).where('id', '=', id).execute();
  }

  /**
   * This module's personal data of the customer: identities, notes and registered products are
   * deleted; merges keep who merged but not the duplicate's name and address; the row keeps its id,
   * dates, orders and consent log (anonymous facts) and loses everything that says who it was.
   */
  async eraseCustomerRows(workspaceId: string, id: string, blank: string, now: Date): Promise<Record<string, number>> {
    const db = this.db(workspaceId);
    const deleted = async (table: 'customer_identities' | 'customer_notes' | 'product_registrations') =>
      Number((await db.deleteFrom(table).where('customer_id', '=', id).executeTakeFirst()).numDeletedRows);
    const counts = { identities: await deleted('customer_identities'), notes: await deleted('customer_notes'), products: await deleted('product_registrations') };
    await db.updateTable('customer_merges').set({ merged_name: blank, merged_email: blank }).where('survivor_id', '=', id).execute();
    // The e-mail column is unique and lower-case: the customer's id makes the placeholder unique.
    await db.updateTable('customers').set({
      name: blank, email: `erased-${id}@erased.invalid`, password_hash: null, locale: null, time_zone: null, company_id: null,
      address: null, tags: [], attributes: '{}', updated_at: now, erased_at: now,
    }).where('id', '=', id).execute();
    return counts;
  }

  /**
   * Every text, text[] and jsonb column of every workspace table, searched for `values` (e-mails and
   * numbers, unique to the customer) and each occurrence replaced: what no module knew it kept
   * (audit details, webhook payloads, import files, outbox addresses) loses them too. Names are not
   * swept: another customer may share one. Raw SQL over the catalogue, scoped by workspace_id; one
   * statement per table (each column rewritten only where it holds a value), so each table is read
   * once, not once per column and value. Returns the rows changed.
   */
  async sweep(workspaceId: string, values: { value: string; replacement: string }[]): Promise<number> {
    if (!values.length) return 0;
    const db = this.db(workspaceId);
    const { rows: columns } = await sql<{ table_name: string; column_name: string; kind: 'text' | 'array' | 'jsonb' }>`
      select c.table_name, c.column_name,
             case when c.data_type = 'jsonb' then 'jsonb' when c.data_type = 'ARRAY' then 'array' else 'text' end as kind
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = 'public' and c.column_name <> 'workspace_id'
        and (c.data_type in ('text', 'character varying', 'jsonb') or (c.data_type = 'ARRAY' and c.udt_name = '_text'))
        and exists (select 1 from information_schema.columns w where w.table_schema = 'public' and w.table_name = c.table_name and w.column_name = 'workspace_id')
      order by c.table_name, c.column_name`.execute(db);
    const tables = new Map<string, typeof columns>();
    for (const column of columns) tables.set(column.table_name, [...(tables.get(column.table_name) ?? []), column]);
    const replaced = (text: RawBuilder<unknown>) => values.reduce((inner, { value, replacement }) => sql`replace(${inner}, ${value}, ${replacement})`, text);
    let changed = 0;
    for (const [table, tableColumns] of tables) {
      const swept = tableColumns.map(({ column_name, kind }) => {
        const column = sql.ref(column_name);
        const asText = kind === 'jsonb' ? sql`${column}::text` : kind === 'array' ? sql`array_to_string(${column}, chr(1))` : sql`${column}`;
        const holds = sql.join(values.map(({ value }) => sql`strpos(${asText}, ${value}) > 0`), sql` or `);
        const value = kind === 'jsonb'
          ? sql`${replaced(sql`${column}::text`)}::jsonb`
          : kind === 'array'
            ? sql`array(select ${replaced(sql`x`)} from unnest(${column}) with ordinality u(x, n) order by n)`
            : replaced(sql`${column}`);
        return { set: sql`${column} = case when ${holds} then ${value} else ${column} end`, holds: sql`(${holds})` };
      });
      const result = await sql`update ${sql.table(table)} set ${sql.join(swept.map((s) => s.set))}
        where workspace_id = ${workspaceId} and (${sql.join(swept.map((s) => s.holds), sql` or `)})`.execute(db);
      changed += Number(result.numAffectedRows ?? 0);
    }
    return changed;
  }

  // ---- merges

  /** The connection this repo works on (inside `transaction`: that transaction), for other modules' movers. */
  connection(workspaceId: string): Kysely<CustomersDB> {
    return this.db(workspaceId);
  }

  /** Up to ten other customers with the same name, a phone ending in the same 8 digits, or the same mailbox. */
  async lookalikes(workspaceId: string, customerId: string, by: { name: string; phoneTails: string[]; mailbox: string }) {
    const sameName = sql<boolean>`(lower(customers.name) = ${by.name.trim().toLowerCase()})`;
    const sameMailbox = sql<boolean>`(${MAILBOX} = ${by.mailbox})`;
    const samePhone = by.phoneTails.length
      ? sql<boolean>`(customers.id in (select i.customer_id from customer_identities i where i.workspace_id = ${workspaceId} and i.kind = 'phone' and ${PHONE_TAIL} in (${sql.join(by.phoneTails)})))`
      : sql<boolean>`false`;
    const rows = await this.db(workspaceId).selectFrom('customers')
      .select([...CUSTOMER_COLUMNS, sameName.as('same_name'), samePhone.as('same_phone'), sameMailbox.as('same_mailbox')])
      .where('id', '<>', customerId)
      .where((eb) => eb.or([sameName, sameMailbox, samePhone]))
      .orderBy('created_at', 'desc').limit(10).execute();
    return rows.map(({ same_name, same_phone, same_mailbox, ...customer }) => ({
      ...(customer as CustomerRow),
      reasons: [...(same_name ? ['name' as const] : []), ...(same_phone ? ['phone' as const] : []), ...(same_mailbox ? ['email' as const] : [])],
    }));
  }

  /**
   * The customer's own rows in this module move to `intoId`. Identities keep their primary mark
   * only where the survivor has no primary of that kind (its primary e-mail always stays).
   */
  async moveCustomerRows(workspaceId: string, fromId: string, intoId: string): Promise<Record<string, number>> {
    const db = this.db(workspaceId);
    const identities = await db.updateTable('customer_identities').set({
      customer_id: intoId,
      is_primary: sql<boolean>`is_primary and not exists (select 1 from customer_identities s where s.customer_id = ${intoId} and s.kind = customer_identities.kind and s.is_primary)`,
    }).where('customer_id', '=', fromId).executeTakeFirst();
    const count = async (table: 'customer_notes' | 'product_registrations' | 'customer_orders' | 'consent_changes') =>
      Number((await db.updateTable(table).set({ customer_id: intoId }).where('customer_id', '=', fromId).executeTakeFirst()).numUpdatedRows);
    const earlier = await db.updateTable('customer_merges').set({ survivor_id: intoId }).where('survivor_id', '=', fromId).executeTakeFirst();
    return {
      identities: Number(identities.numUpdatedRows), notes: await count('customer_notes'), products: await count('product_registrations'),
      orders: await count('customer_orders'), consentChanges: await count('consent_changes'), earlierMerges: Number(earlier.numUpdatedRows),
    };
  }

  deleteCustomer(workspaceId: string, id: string) {
    return this.db(workspaceId).deleteFrom('customers').where('id', '=', id).execute();
  }

  insertMerge(workspaceId: string, values: { survivor_id: string; merged_id: string; merged_name: string; merged_email: string; fields_taken: string[]; moved: string; merged_by_type: string; merged_by_id: string | null }) {
    return this.db(workspaceId).insertInto('customer_merges').values(values).returningAll().executeTakeFirstOrThrow();
  }

  merges(workspaceId: string, customerId: string) {
    return this.db(workspaceId).selectFrom('customer_merges').selectAll().where('survivor_id', '=', customerId).orderBy('created_at', 'desc').limit(50).execute();
  }

  // ---- saved segments

  /** How many customers (not erased) meet a compiled rule: one count over the workspace's customers. */
  async countWhere(workspaceId: string, where: CustomerWhere): Promise<number> {
    const row = await this.db(workspaceId).selectFrom('customers').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('erased_at', 'is', null).where(where).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * How many customers the planner expects in the workspace (erased ones included) and in the whole
   * table, every workspace's: read from the statistics, no row is read. The workspace's share comes
   * from `workspace_id`'s most common values (a large workspace is always among them), the table's
   * rows from its current size, so both follow growth between ANALYZEs; before the first ANALYZE
   * the workspace's estimate is a small default.
   */
  async plannedCustomers(workspaceId: string): Promise<{ workspace: number; table: number }> {
    const db = this.db(workspaceId);
    const [workspace, table] = await Promise.all([
      db.selectFrom('customers').select('id').explain('json'),
      // Raw text is not scoped: this one is meant to see every workspace's rows.
      sql<Record<string, unknown>>`explain (format json) select from customers`.execute(db).then((r) => r.rows),
    ]);
    return { workspace: planRows(workspace), table: planRows(table) };
  }

  /**
   * A block sample of the workspace's customers (`tablesample system`: `percent` of the table's
   * pages, each taken whole): how many of the workspace's rows it read, and how many of those are
   * not erased and meet `where`.
   */
  async sampleWhere(workspaceId: string, where: CustomerWhere, percent: number): Promise<{ sampled: number; matched: number }> {
    const row = await this.db(workspaceId).selectFrom(customerSample(workspaceId, percent)).select((eb) => [
      eb.fn.countAll<string>().as('sampled'), sql<string>`count(*) filter (where ${liveAndMeeting(eb, where)})`.as('matched'),
    ]).executeTakeFirstOrThrow();
    return { sampled: Number(row.sampled), matched: Number(row.matched) };
  }

  /** The newest `limit` customers of a block sample (as `sampleWhere`'s) who are not erased and meet `where`. */
  sampledMembers(workspaceId: string, where: CustomerWhere, percent: number, limit: number): Promise<CustomerRow[]> {
    return this.db(workspaceId).selectFrom(customerSample(workspaceId, percent)).selectAll()
      .where((eb) => liveAndMeeting(eb, where))
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute() as Promise<CustomerRow[]>;
  }

  segments(workspaceId: string) {
    return this.db(workspaceId).selectFrom('customer_segments').selectAll().orderBy(sql`lower(name)`).orderBy('id').execute();
  }

  segment(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('customer_segments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertSegment(workspaceId: string, values: { name: string; description: string; rule: string; created_by: string | null }) {
    return this.db(workspaceId).insertInto('customer_segments').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /** A new rule clears the stored count: it was taken under the old one. */
  updateSegment(workspaceId: string, id: string, patch: Partial<{ name: string; description: string; rule: string }>, now: Date) {
    return this.db(workspaceId).updateTable('customer_segments')
      .set({ ...patch, updated_at: now, ...(patch.rule === undefined ? {} : { member_count: null, counted_at: null }) })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  /**
   * Stores a count taken at `countedAt` under `rule`: a rule changed meanwhile, or a newer count
   * already stored, keeps its own.
   */
  storeSegmentCount(workspaceId: string, id: string, count: { count: number; countedAt: Date; rule: SegmentRow['rule'] }) {
    return this.db(workspaceId).updateTable('customer_segments').set({ member_count: count.count, counted_at: count.countedAt })
      .where('id', '=', id).where(sql<SqlBool>`rule = ${JSON.stringify(count.rule)}::jsonb`)
      .where((eb) => eb.or([eb('counted_at', 'is', null), eb('counted_at', '<', count.countedAt)])).execute();
  }

  deleteSegment(workspaceId: string, id: string) {
    return this.db(workspaceId).deleteFrom('customer_segments').where('id', '=', id).returning('id').executeTakeFirst();
  }

  /** What a rule may name, looked up once before it is compiled: the workspace's own rows only. */
  async segmentReferences(workspaceId: string, named: { models: string[]; categories: string[]; companyIds: string[] }) {
    const db = this.db(workspaceId);
    const [attributes, purposes, products, categories, companies] = await Promise.all([
      db.selectFrom('customer_attribute_definitions').select(['key', 'type', 'choices']).execute(),
      db.selectFrom('consent_purposes').select(['id', 'key']).execute(),
      named.models.length ? db.selectFrom('products').select(['id', 'model']).where('model', 'in', named.models).execute() : [],
      named.categories.length ? db.selectFrom('products').select('category').distinct().where('category', 'in', named.categories).execute() : [],
      named.companyIds.length ? db.selectFrom('customer_companies').select('id').where('id', 'in', named.companyIds).execute() : [],
    ]);
    return { attributes, purposes, products, categories: categories.map((c) => c.category), companyIds: companies.map((c) => c.id) };
  }

  // ---- imports and exports

  /** A page of the export in the list's order: each customer with their primary phone and company name. */
  exportPage(workspaceId: string, after: ListCursor | undefined, limit: number) {
    let query = this.db(workspaceId).selectFrom('customers')
      .leftJoin('customer_companies as co', 'co.id', 'customers.company_id')
      .select(['customers.id', 'customers.email', 'customers.name', 'customers.locale', 'customers.time_zone', 'customers.tags', 'customers.attributes', 'customers.created_at', 'co.name as company'])
      .select((eb) => eb.selectFrom('customer_identities as i').select('i.value')
        .whereRef('i.customer_id', '=', 'customers.id').where('i.kind', '=', 'phone').where('i.is_primary', '=', true).as('phone'))
      .orderBy('customers.created_at', 'desc').orderBy('customers.id', 'desc').limit(limit);
    if (after) query = query.where((eb) => eb(eb.refTuple('customers.created_at', 'customers.id'), '<', eb.tuple(after.createdAt, after.id)));
    return query.execute();
  }


  insertImport(workspaceId: string, values: { file_name: string; rows: string; total: number; created_by: string | null }) {
    return this.db(workspaceId).insertInto('customer_imports').values(values).returning(IMPORT_COLUMNS).executeTakeFirstOrThrow();
  }

  findImport(workspaceId: string, id: string, { withRows = false } = {}) {
    return this.db(workspaceId).selectFrom('customer_imports').select(IMPORT_COLUMNS)
      .$if(withRows, (q) => q.select(['rows', 'source']))
      .where('id', '=', id).executeTakeFirst() as Promise<(ImportView & { rows?: string | null; source?: string | null }) | undefined>;
  }

  recentImports(workspaceId: string, limit: number) {
    return this.db(workspaceId).selectFrom('customer_imports').select(IMPORT_COLUMNS).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
  }

  /**
   * Locks the import for a batch. In the import job (replayable work, core/jobs/replayable.ts) the
   * batch's commit does not wait for the disk: a crash loses a suffix of batches with their
   * progress, and the job, run again, writes them again from the stored file.
   */
  async lockImport(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('customer_imports').select(['processed', 'refused']).where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Holds batch `index` of the import until this transaction ends: a second worker on the same batch waits for the first. */
  async claimImportBatch(workspaceId: string, id: string, index: number) {
    await sql`select pg_advisory_xact_lock(hashtext(${`customer_import:${id}`}), ${index}::int)`.execute(this.db(workspaceId));
  }

  /**
   * Waits until the transaction of batch `index` has ended, committed or not. A lock wait, so
   * Postgres sees two batches waiting for each other and ends one (deadlock).
   */
  async awaitImportBatch(workspaceId: string, id: string, index: number) {
    await sql`select pg_advisory_xact_lock_shared(hashtext(${`customer_import:${id}`}), ${index}::int)`.execute(this.db(workspaceId));
  }

  /** Counts add up batch by batch; the file's rows are dropped with the last batch. */
  advanceImport(workspaceId: string, id: string, step: { processed: number; created: number; updated: number; refused: RefusedRow[]; finishedAt: Date | null }) {
    return this.db(workspaceId).updateTable('customer_imports').set((eb) => ({
      processed: step.processed,
      created: eb('created', '+', step.created),
      updated: eb('updated', '+', step.updated),
      refused: sql<string>`refused || ${JSON.stringify(step.refused)}::jsonb`,
      status: step.finishedAt ? 'done' : 'running',
      ...(step.finishedAt ? { finished_at: step.finishedAt, rows: null, source: null } : {}),
    })).where('id', '=', id).execute();
  }
}

/** A sampled customer not erased who meets `where` (the sample is named as the table, so the rule reads it as customers). */
const liveAndMeeting = (eb: unknown, where: CustomerWhere) => {
  const customers = eb as ExpressionBuilder<CustomersDB, 'customers'>;
  return customers.and([customers('customers.erased_at', 'is', null), where(customers)]);
};

/**
 * A block sample of the workspace's customers (`tablesample system`: `percent` of the table's
 * pages, each taken whole), named as the table so a rule reads its columns as the customer's. The
 * query builder has no TABLESAMPLE, and raw text is not rewritten by the tenancy plugin, so the
 * workspace is scoped here; a rule's own subqueries are built, so they are scoped.
 */
const customerSample = (workspaceId: string, percent: number) =>
  sql<CustomerRow>`(select * from customers tablesample system (${percent}::real) where workspace_id = ${workspaceId})`.as('customers');

const IMPORT_COLUMNS = ['id', 'file_name', 'status', 'total', 'processed', 'created', 'updated', 'refused', 'created_by', 'created_at', 'finished_at'] as const;
export type ImportView = Omit<ImportRow, 'source' | 'rows' | 'workspace_id'>;
