/**
 * The customer database's REST calls as the console uses them (`/api/v1/customers…`); the shapes
 * are the server's own response schemas (src/contracts/customers.ts), as JSON carries them.
 */
import { request } from '../../api/http.js';
import type {
  ATTRIBUTE_OPERATORS, SEGMENT_LIMITS, SegmentPreviewWire, SegmentRule, SegmentWire,
  CustomerPageWire, CustomerWire, DuplicatesWire, ErasureWire, ImportStatusWire, MergeField, MergeWire, RecordWire, TimelineWire,
  CompanyListWire, CompanyPageWire, CompanyWire, PurposeWire, SegmentRuleProblemWire,
} from '@contracts/customers.js';

export type { ErasureWire as Erasure, CustomerWire as Customer, RecordWire as CustomerRecord, TimelineWire as TimelineEntry, ImportStatusWire as ImportStatus, DuplicatesWire as Duplicates, MergeField };

export interface CustomerFilter { q?: string; tag?: string; companyId?: string }

const query = (params: Record<string, string | undefined>) => {
  const search = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => !!entry[1]));
  return search.size ? `?${search}` : '';
};

export const listCustomers = (filter: CustomerFilter, cursor?: string) =>
  request('GET', `/api/v1/customers${query({ ...filter, cursor })}`) as Promise<CustomerPageWire>;

export const customerRecord = (id: string) => request('GET', `/api/v1/customers/${encodeURIComponent(id)}/record`) as Promise<RecordWire>;

export const customerTimeline = async (id: string) =>
  ((await request('GET', `/api/v1/customers/${encodeURIComponent(id)}/timeline?limit=100`)) as { entries: TimelineWire[] }).entries;

export const updateCustomer = (id: string, patch: { name?: string; locale?: 'en' | 'zh-CN' | null; timeZone?: string | null; tags?: string[]; companyId?: string | null }) =>
  request('PATCH', `/api/v1/customers/${encodeURIComponent(id)}`, { body: patch }) as Promise<CustomerWire>;

export const updateRegistration = (customerId: string, registrationId: string, patch: { serial: string; purchasedOn: string | null; warrantyUntil: string | null; boughtFrom: string }) =>
  request('PATCH', `/api/v1/customers/${encodeURIComponent(customerId)}/products/${encodeURIComponent(registrationId)}`, { body: patch });

export const addNote = (id: string, body: string) => request('POST', `/api/v1/customers/${encodeURIComponent(id)}/notes`, { body: { body } });

export const setConsent = (id: string, purposeId: string, granted: boolean) =>
  request('POST', `/api/v1/customers/${encodeURIComponent(id)}/consents`, { body: { purposeId, granted, channel: 'console' } });

export const duplicates = (id: string) => request('GET', `/api/v1/customers/${encodeURIComponent(id)}/duplicates`) as Promise<DuplicatesWire>;

export const mergeCustomers = (survivorId: string, duplicateId: string, take: MergeField[]) =>
  request('POST', `/api/v1/customers/${encodeURIComponent(survivorId)}/merge`, { body: { duplicateId, take } }) as Promise<MergeWire>;

export const startImport = (file: File) =>
  request('POST', `/api/v1/customers/imports${query({ fileName: file.name })}`, { body: new Blob([file], { type: 'text/csv' }) }) as Promise<ImportStatusWire>;

export const importStatus = (id: string) => request('GET', `/api/v1/customers/imports/${encodeURIComponent(id)}`) as Promise<ImportStatusWire>;

export const recentImports = async () => ((await request('GET', '/api/v1/customers/imports')) as { imports: ImportStatusWire[] }).imports;

export const exportUrl = (encoding: 'utf-8' | 'gb18030') => `/api/v1/customers/export?encoding=${encoding}`;

/** The customer's own data (admins): everything held on them as JSON, and its erasure. */
export const dataExportUrl = (id: string) => `/api/v1/customers/${encodeURIComponent(id)}/data-export`;
/** The same as a zip: data.json, a CSV per kind (tickets, messages, products, orders, consents) and their attachments. */
export const dataArchiveUrl = (id: string) => `/api/v1/customers/${encodeURIComponent(id)}/data-archive`;

export const erasureStatus = async (id: string): Promise<ErasureWire | null> => {
  try {
    return (await request('GET', `/api/v1/customers/${encodeURIComponent(id)}/erasure`)) as ErasureWire;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERASURE_NOT_FOUND') return null;
    throw error;
  }
};

export const eraseCustomer = (id: string) =>
  request('POST', `/api/v1/customers/${encodeURIComponent(id)}/erasure`, { body: { confirm: true } }) as Promise<ErasureWire>;

// ---- saved segments

export type { SegmentWire as Segment, SegmentRule, SegmentGroup, SegmentCondition } from '@contracts/customers.js';
/** A problem the API named in a rule (with its code, shown in the console's language), or one the console met itself (no code). */
export type RuleProblem = Omit<SegmentRuleProblemWire, 'code'> & Partial<Pick<SegmentRuleProblemWire, 'code'>>;
/** The server's tables (kept out of the bundle with zod): the type checker holds them equal. */
export const OPERATORS_BY_TYPE = {
  text: ['equals', 'not_equals', 'contains', 'is_set', 'is_not_set'],
  number: ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte', 'is_set', 'is_not_set'],
  date: ['equals', 'before', 'after', 'within_last_days', 'is_set', 'is_not_set'],
  choice: ['equals', 'not_equals', 'in', 'is_set', 'is_not_set'],
} as const satisfies typeof ATTRIBUTE_OPERATORS;
export const RULE_DEPTH: (typeof SEGMENT_LIMITS)['depth'] = 3;

export const listSegments = async () => ((await request('GET', '/api/v1/customer-segments')) as { segments: SegmentWire[] }).segments;
export const segment = (id: string) => request('GET', `/api/v1/customer-segments/${encodeURIComponent(id)}`) as Promise<SegmentWire>;
/** The stored count and when it was taken (it may be some minutes old: the server recounts after changes and every 10 minutes). */
export const segmentCount = async (id: string) => {
  const { count, countedAt } = (await request('GET', `/api/v1/customer-segments/${encodeURIComponent(id)}/count`)) as { count: number; countedAt: string };
  return { count, countedAt: new Date(countedAt) };
};
export const segmentCustomers = (id: string, cursor?: string) =>
  request('GET', `/api/v1/customer-segments/${encodeURIComponent(id)}/customers${query({ cursor })}`) as Promise<CustomerPageWire>;
export const previewSegment = (rule: SegmentRule) => request('POST', '/api/v1/customer-segments/preview', { body: { rule, limit: 10 } }) as Promise<SegmentPreviewWire>;
export const saveSegment = (id: string | null, body: { name: string; description: string; rule: SegmentRule }) =>
  (id ? request('PATCH', `/api/v1/customer-segments/${encodeURIComponent(id)}`, { body }) : request('POST', '/api/v1/customer-segments', { body })) as Promise<SegmentWire>;
export const deleteSegment = (id: string) => request('DELETE', `/api/v1/customer-segments/${encodeURIComponent(id)}`);

/** What a rule may name: the workspace's attributes, companies, products and consent purposes. */
export interface RuleVocabulary {
  attributes: { key: string; labels: { en: string; 'zh-CN'?: string }; type: keyof typeof OPERATORS_BY_TYPE; choices: string[] }[];
  companies: { id: string; name: string }[];
  products: { id: string; model: string; category: string }[];
  purposes: { key: string; names: { en: string; 'zh-CN'?: string } }[];
}
export const ruleVocabulary = async (): Promise<RuleVocabulary> => {
  const [attributes, companies, products, purposes] = await Promise.all([
    request('GET', '/api/v1/customer-attributes'), request('GET', '/api/v1/customer-companies'), request('GET', '/api/v1/products'), request('GET', '/api/v1/consent-purposes'),
  ]) as [{ attributes: RuleVocabulary['attributes'] }, { companies: RuleVocabulary['companies'] }, { products: RuleVocabulary['products'] }, { purposes: RuleVocabulary['purposes'] }];
  return { attributes: attributes.attributes, companies: companies.companies, products: products.products, purposes: purposes.purposes };
};

// ---- companies (B2B): any agent reads; admins create, edit and delete

export type { CompanyListWire as CompanyListed, CompanyPageWire as CompanyPage, PurposeWire as Purpose };
export interface CompanyFields { name: string; domain: string | null; notes: string }

export const listCompanies = async () => ((await request('GET', '/api/v1/customer-companies')) as { companies: CompanyListWire[] }).companies;
export const companyPage = (id: string) => request('GET', `/api/v1/customer-companies/${encodeURIComponent(id)}`) as Promise<CompanyPageWire>;
export const saveCompany = (id: string | null, body: CompanyFields) =>
  (id ? request('PATCH', `/api/v1/customer-companies/${encodeURIComponent(id)}`, { body }) : request('POST', '/api/v1/customer-companies', { body })) as Promise<CompanyWire>;
export const deleteCompany = (id: string) => request('DELETE', `/api/v1/customer-companies/${encodeURIComponent(id)}`);

// ---- consent purposes: what customers may agree to (admins define them)

export interface PurposeFields { names: { en: string; 'zh-CN'?: string }; wordingVersion: string }
export const listPurposes = async () => ((await request('GET', '/api/v1/consent-purposes')) as { purposes: PurposeWire[] }).purposes;
export const createPurpose = (body: PurposeFields & { key: string }) => request('POST', '/api/v1/consent-purposes', { body }) as Promise<PurposeWire>;
export const updatePurpose = (id: string, body: PurposeFields) => request('PATCH', `/api/v1/consent-purposes/${encodeURIComponent(id)}`, { body }) as Promise<PurposeWire>;
