import { sql, type Kysely } from 'kysely';
import type { EventBus, EventWriter } from '../../core/events/index.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../schema.js';
import type { CustomersDB, IdentityKind } from './customers.schema.js';

/** Where the next page of the customer list starts: after this (created_at, id). */
export interface ListCursor { createdAt: Date; id: string }

export interface CustomerFilter {
  /** Part of a name (any script), an e-mail, a phone or any other identity. */
  q?: string;
  tag?: string;
  companyId?: string;
  after?: ListCursor;
  limit: number;
}

const CUSTOMER_COLUMNS = ['id', 'email', 'name', 'locale', 'company_id', 'time_zone', 'address', 'tags', 'attributes', 'created_at', 'updated_at'] as const;

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const dateText = (column: 'purchased_on' | 'warranty_until') => sql<string | null>`${sql.ref(column)}::text`.as(column);

/**
 * Every query goes through `tenancy.forWorkspace`: an id from another workspace finds nothing.
 * `transaction` hands a repo bound to one transaction of that workspace, so a write of several
 * rows (and its events) is whole or not at all.
 */
export class CustomersRepo {
  private constructor(private readonly db: (workspaceId: string) => Kysely<CustomersDB>) {}

  static of(tenancy: Tenancy<DB>): CustomersRepo {
    // The platform's DB type lists accounts' customer columns only; this module's migration adds the rest.
    const scoped = tenancy as unknown as Tenancy<CustomersDB>;
    return new CustomersRepo((workspaceId) => scoped.forWorkspace(workspaceId));
  }

  /** The events published on `events` are committed with the rows, or not at all. */
  transaction<T>(workspaceId: string, bus: EventBus, work: (repo: CustomersRepo, events: EventWriter) => Promise<T>): Promise<T> {
    return bus.transaction(this.db(workspaceId), (trx, events) => work(new CustomersRepo(() => trx), events));
  }

  // ---- customers

  customer(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('customers')
      .select(CUSTOMER_COLUMNS)
      .where('id', '=', id).executeTakeFirst();
  }

  list(workspaceId: string, filter: CustomerFilter) {
    let query = this.db(workspaceId).selectFrom('customers')
      .select(CUSTOMER_COLUMNS)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
    if (filter.q) {
      const pattern = likePattern(filter.q);
      query = query.where((eb) => eb.or([
        eb(sql`lower(customers.name) || ' ' || customers.email`, 'like', pattern),
        eb.exists(eb.selectFrom('customer_identities as i').select('i.id')
          .whereRef('i.customer_id', '=', 'customers.id').where(sql`lower(i.value)`, 'like', pattern)),
      ]));
    }
    if (filter.tag) query = query.where('tags', '@>', sql<string[]>`array[${filter.tag}]::text[]`);
    if (filter.companyId) query = query.where('company_id', '=', filter.companyId);
    if (filter.after) {
      const { createdAt, id } = filter.after;
      query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(createdAt, id)));
    }
    return query.execute();
  }

  insertCustomer(workspaceId: string, values: { email: string; name: string; locale: 'en' | 'zh-CN' | null; company_id: string | null; time_zone: string | null; address: string | null; tags: string[]; attributes: string }) {
    return this.db(workspaceId).insertInto('customers').values({ ...values, password_hash: null })
      .onConflict((oc) => oc.columns(['workspace_id', 'email']).doNothing())
      .returning('id').executeTakeFirst();
  }

  updateCustomer(workspaceId: string, id: string, patch: Partial<{ email: string; name: string; locale: 'en' | 'zh-CN' | null; company_id: string | null; time_zone: string | null; address: string | null; tags: string[]; attributes: string }>, now: Date) {
    return this.db(workspaceId).updateTable('customers').set({ ...patch, updated_at: now }).where('id', '=', id).returning('id').executeTakeFirst();
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

  company(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('customer_companies').selectAll().where('id', '=', id).executeTakeFirst();
  }

  insertCompany(workspaceId: string, values: { name: string; domain: string | null; notes: string }) {
    return this.db(workspaceId).insertInto('customer_companies').values(values).returningAll().executeTakeFirstOrThrow();
  }

  updateCompany(workspaceId: string, id: string, patch: Partial<{ name: string; domain: string | null; notes: string }>, now: Date) {
    return this.db(workspaceId).updateTable('customer_companies').set({ ...patch, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  companyMembers(workspaceId: string, companyId: string, limit: number) {
    return this.db(workspaceId).selectFrom('customers').select(['id', 'name', 'email']).where('company_id', '=', companyId)
      .orderBy('name').orderBy('id').limit(limit).execute();
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
}
