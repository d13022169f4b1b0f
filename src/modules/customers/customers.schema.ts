import type { ColumnType, Generated, Selectable } from 'kysely';
import type { IdentityKind, SegmentRule } from '../../contracts/customers.js';
import type { DB } from '../../core/db/database.js';
import type { CustomersTable as AccountsCustomersTable } from '../accounts/index.js';
import type { ImportRefusalCode } from '../../contracts/customers.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Json<T> = ColumnType<T, string, string>;
/** numeric(14,2): pg returns it as a string, exact; so do the API and the events. */
type Money = ColumnType<string, string, string>;

export { IDENTITY_KINDS, type IdentityKind } from '../../contracts/customers.js';
export const ATTRIBUTE_TYPES = ['text', 'number', 'date', 'choice'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];
export const CONSENT_CHANNELS = ['portal', 'email', 'chat', 'phone', 'console', 'api', 'import'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** A text in each language the product speaks; `en` is required, `zh-CN` optional. */
export interface LocalisedText { en: string; 'zh-CN'?: string }

export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export type AttributeValue = string | number;

/** The columns this module's migration adds to accounts' `customers` table. */
export interface CustomerRecordColumns {
  company_id: string | null;
  time_zone: string | null;
  address: ColumnType<Address | null, string | null | undefined, string | null>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  attributes: ColumnType<Record<string, AttributeValue>, string | undefined, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** Set by an erasure: the row stays (tickets name it) with every personal field emptied. */
  erased_at: ColumnType<Date | null, never, Date>;
}

export interface CustomerErasuresTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  customer_id: string;
  status: ColumnType<'queued' | 'done', 'queued' | undefined, 'done'>;
  requested_by_type: 'customer' | 'agent' | 'api' | 'system';
  requested_by_id: string | null;
  counts: Json<Record<string, number>>;
  files: ColumnType<string[], never, string[]>;
  created_at: CreatedAt;
  finished_at: ColumnType<Date | null, never, Date>;
}

export interface CustomerCompaniesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  name: string;
  domain: string | null;
  notes: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CustomerIdentitiesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  customer_id: string;
  kind: IdentityKind;
  value: string;
  is_primary: ColumnType<boolean, boolean | undefined, boolean>;
  verified_at: Date | null;
  created_at: CreatedAt;
}

export interface CustomerAttributeDefinitionsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  key: string;
  labels: Json<LocalisedText>;
  type: AttributeType;
  choices: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
}

export interface CustomerNotesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  customer_id: string;
  author_id: string | null;
  body: string;
  created_at: CreatedAt;
}

export interface ProductsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  model: string;
  names: Json<LocalisedText>;
  category: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
}

export interface ProductRegistrationsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  customer_id: string;
  product_id: string;
  serial: string;
  /** `date` columns come back as YYYY-MM-DD strings (the pool's type parser), never shifted by a time zone. */
  purchased_on: string | null;
  warranty_until: string | null;
  bought_from: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
}

export interface CustomerOrdersTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  customer_id: string;
  reference: string | null;
  ordered_at: Date;
  amount: Money;
  currency: string;
  created_at: CreatedAt;
}

export interface CustomerOrderLinesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  order_id: string;
  product_id: string | null;
  description: string;
  quantity: number;
  amount: Money;
}

export interface ConsentPurposesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  key: string;
  names: Json<LocalisedText>;
  wording_version: string;
  created_at: CreatedAt;
}

export interface ConsentChangesTable {
  id: ColumnType<number, never, never>;
  workspace_id: WorkspaceId;
  customer_id: string;
  purpose_id: string;
  granted: boolean;
  channel: ConsentChannel;
  wording_version: string;
  changed_by_type: 'customer' | 'agent' | 'api' | 'system';
  changed_by_id: string | null;
  changed_at: ColumnType<Date, Date | undefined, never>;
}

/** One row the import refused: its line in the file (the header is line 1), the e-mail if any, and why. */
/** A row an import refused: its line, why (in English), and the reason's code and values, which the console shows in its language. */
export type { ImportRefusalCode };
export interface RefusedRow { line: number; email: string | null; reason: string; code: ImportRefusalCode; params?: Record<string, string | number> }

export interface CustomerImportsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  file_name: string;
  status: ColumnType<'queued' | 'running' | 'done', 'queued' | undefined, 'running' | 'done'>;
  /** The CSV of an import uploaded before `rows` existed (migration 202612110110), until it is done. */
  source: string | null;
  /** The file as read on upload (JSON, `StoredFile` in customers.import.ts), until the worker has written every row. */
  rows: string | null;
  total: number;
  processed: ColumnType<number, never, number>;
  created: ColumnType<number, never, number>;
  updated: ColumnType<number, never, number>;
  refused: ColumnType<RefusedRow[], never, string>;
  created_by: string | null;
  created_at: CreatedAt;
  finished_at: ColumnType<Date | null, never, Date>;
}

export interface CustomerMergesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  survivor_id: string;
  merged_id: string;
  merged_name: string;
  merged_email: string;
  fields_taken: string[];
  moved: Json<Record<string, number>>;
  merged_by_type: string;
  merged_by_id: string | null;
  created_at: CreatedAt;
}

/** A saved segment: its rule is the wire shape (contracts' SegmentRule), checked before it is stored. */
export interface CustomerSegmentsTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  rule: Json<SegmentRule>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** The last count of the segment's members, taken at `counted_at` under the current rule; null until counted. */
  member_count: ColumnType<number | null, never, number | null>;
  counted_at: ColumnType<Date | null, never, Date | null>;
}

export interface CustomersTables {
  customers: AccountsCustomersTable & CustomerRecordColumns;
  customer_companies: CustomerCompaniesTable;
  customer_identities: CustomerIdentitiesTable;
  customer_attribute_definitions: CustomerAttributeDefinitionsTable;
  customer_notes: CustomerNotesTable;
  products: ProductsTable;
  product_registrations: ProductRegistrationsTable;
  customer_orders: CustomerOrdersTable;
  customer_order_lines: CustomerOrderLinesTable;
  consent_purposes: ConsentPurposesTable;
  consent_changes: ConsentChangesTable;
  customer_imports: CustomerImportsTable;
  customer_merges: CustomerMergesTable;
  customer_erasures: CustomerErasuresTable;
  customer_segments: CustomerSegmentsTable;
}

/**
 * The database as this module sees it: the platform's, with accounts' `customers` row widened by
 * the columns this module's migration adds (accounts' own type stays as accounts uses it).
 */
export type CustomersDB = Omit<DB, 'customers'> & CustomersTables;

/** A customer as this module hands it out: never the password hash. */
export type CustomerRow = Omit<Selectable<CustomersTables['customers']>, 'workspace_id' | 'password_hash'>;
export type CompanyRow = Selectable<CustomerCompaniesTable>;
export type IdentityRow = Selectable<CustomerIdentitiesTable>;
export type AttributeDefinitionRow = Selectable<CustomerAttributeDefinitionsTable>;
export type NoteRow = Selectable<CustomerNotesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type RegistrationRow = Selectable<ProductRegistrationsTable>;
export type OrderRow = Selectable<CustomerOrdersTable>;
export type OrderLineRow = Selectable<CustomerOrderLinesTable>;
export type ConsentPurposeRow = Selectable<ConsentPurposesTable>;
export type ConsentChangeRow = Selectable<ConsentChangesTable>;
export type ImportRow = Selectable<CustomerImportsTable>;
export type MergeRow = Selectable<CustomerMergesTable>;
export type ErasureRow = Selectable<CustomerErasuresTable>;
export type SegmentRow = Selectable<CustomerSegmentsTable>;
