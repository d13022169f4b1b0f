/**
 * The customer database's REST calls as the console uses them (`/api/v1/customers…`); the shapes
 * are the server's own response schemas (src/contracts/customers.ts), as JSON carries them.
 */
import { request } from '../../api/http.js';
import type {
  CustomerPageWire, CustomerWire, DuplicatesWire, ErasureWire, ImportStatusWire, MergeField, MergeWire, RecordWire, TimelineWire,
} from '../../../../../src/contracts/customers.js';

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

export const updateCustomer = (id: string, patch: { name?: string; locale?: 'en' | 'zh-CN' | null; timeZone?: string | null; tags?: string[] }) =>
  request('PATCH', `/api/v1/customers/${encodeURIComponent(id)}`, { body: patch }) as Promise<CustomerWire>;

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
