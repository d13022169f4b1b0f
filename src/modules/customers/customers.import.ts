import { parse } from 'csv-parse/sync';
import { isPlaceholderAddress } from '../../contracts/addresses.js';
import iconv from 'iconv-lite';
import { locales, type Locale } from '../../core/i18n/index.js';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events/index.js';
import type { JobQueue } from '../../core/jobs/index.js';
import type { Actor } from '../accounts/index.js';
import { customerErrors as errors } from './customers.errors.js';
import type { CustomersRepo, ImportView } from './customers.repo.js';
import type { AttributeDefinitionRow, AttributeValue, ImportRefusalCode, RefusedRow } from './customers.schema.js';
import { TimeZone, attributeProblem, isCalendarDay, normaliseIdentity, phoneOnlyAddress } from './customers.validate.js';

export const IMPORT_JOB = 'customers.import';
export const IMPORT_MAX_ROWS = 50_000;
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
const BATCH = 500;
/** The refused rows kept per import: enough to fix a file, not a second copy of a broken one. */
const REFUSED_KEPT = 1_000;

/** The built-in columns, with the headings Chinese spreadsheets use for them. */
const COLUMN_NAMES: Record<string, BuiltInColumn> = {
  email: 'email', 'e-mail': 'email', 邮箱: 'email', 电子邮件: 'email', 电子邮箱: 'email',
  name: 'name', 姓名: 'name', 名称: 'name',
  phone: 'phone', mobile: 'phone', 电话: 'phone', 手机: 'phone', 手机号: 'phone',
  locale: 'locale', language: 'locale', 语言: 'locale',
  time_zone: 'time_zone', timezone: 'time_zone', 时区: 'time_zone',
  company: 'company', 公司: 'company',
  tags: 'tags', 标签: 'tags',
};
type BuiltInColumn = 'email' | 'name' | 'phone' | 'locale' | 'time_zone' | 'company' | 'tags';
type Column = { kind: 'builtin'; name: BuiltInColumn } | { kind: 'attribute'; definition: AttributeDefinitionRow };

/** One good row of the file, ready to write. */
export interface ImportRecord {
  line: number;
  /** The row's e-mail; for a row with a phone and no e-mail, the phone's placeholder address (`phoneOnly`). */
  email: string;
  /** No e-mail, a phone: the customer is known by the phone (`phoneOnlyAddress`), as the API allows. */
  phoneOnly: boolean;
  name?: string;
  phone?: string;
  locale?: Locale;
  timeZone?: string;
  company?: string;
  tags: string[];
  attributes: Record<string, AttributeValue>;
}

/**
 * Excel saves a CSV in the system's code page unless told otherwise: on Chinese Windows that is
 * GBK (read here as its superset GB18030), with no BOM. A BOM names UTF-8 or UTF-16; without one a
 * file that is valid UTF-8 is UTF-8, and anything else is taken as GB18030.
 */
export function decodeCsv(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf16be');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gb18030');
  }
}

/**
 * The file as read on upload: the header's cells and each row's line (where its record ends) and
 * cells. Stored with the import as JSON, so the worker reads it without parsing the CSV again.
 */
interface StoredFile { header: string[]; rows: { line: number; cells: string[] }[] }

/** The CSV's records, each row with its line; refused when unreadable, empty, or longer than IMPORT_MAX_ROWS. */
function readCsv(source: string): StoredFile {
  let records: (string[] & { line: number })[];
  try {
    // The line a record ends on, read from the parser's state as each record is made (its `info`
    // option copies that state for every record: half the time of parsing a file).
    records = parse(source, {
      relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 64 * 1024,
      on_record: (record: string[], context: { lines: number }) => Object.assign(record, { line: context.lines }),
    }) as typeof records;
  } catch (cause) {
    throw errors.csvUnreadable(`This file is not a readable CSV: ${(cause as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw errors.csvEmpty('The file is empty: the first line must name the columns (email, name, phone …)');
  // The line a record ends on: its line, for every record without a line break in a quoted cell.
  return { header, rows: body.map((cells) => ({ line: cells.line, cells })) };
}

/** The header checked against the built-in columns and the workspace's attributes. */
function columnsOf(header: readonly string[], definitions: readonly AttributeDefinitionRow[]): Column[] {
  const columns: Column[] = [];
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (const heading of header) {
    const key = heading.trim().toLowerCase();
    const builtIn = COLUMN_NAMES[key];
    const definition = builtIn ? undefined : definitions.find((d) => d.key === key);
    const name = builtIn ?? definition?.key;
    if (!name) unknown.push(heading);
    else if (seen.has(name)) throw errors.csvColumnsInvalid(`The column ${heading} appears twice`, { duplicate: [heading] });
    else {
      seen.add(name);
      columns.push(builtIn ? { kind: 'builtin', name: builtIn } : { kind: 'attribute', definition: definition! });
    }
  }
  // Each row needs an e-mail or a phone: a file needs a column of one of them.
  const contact = seen.has('email') || seen.has('phone');
  if (unknown.length || !contact) {
    throw errors.csvColumnsInvalid(`${unknown.length ? `Unknown columns: ${unknown.join(', ')}. ` : ''}${contact ? '' : 'An email or phone column is required. '}Columns are email, name, phone, locale, time_zone, company, tags and the workspace's attribute keys`,
      { unknown, missing: contact ? [] : ['email', 'phone'] });
  }
  return columns;
}

/** The file read and its header checked (as on upload): refused whole, with the reason's code, or ready to store. */
function checkCustomerCsv(source: string, definitions: readonly AttributeDefinitionRow[]): StoredFile {
  const file = readCsv(source);
  columnsOf(file.header, definitions);
  if (file.rows.length > IMPORT_MAX_ROWS) {
    throw errors.csvTooManyRows(`A file holds at most ${IMPORT_MAX_ROWS} customers; this one has ${file.rows.length}: split it`, { rows: file.rows.length, max: IMPORT_MAX_ROWS });
  }
  return file;
}

/** The row refused: with its line, and its e-mail when it has one (a placeholder address is not shown). */
const refusal = (record: Pick<ImportRecord, 'line' | 'email' | 'phoneOnly'>, code: ImportRefusalCode, reason: string, params?: RefusedRow['params']): RefusedRow =>
  ({ line: record.line, email: (!record.phoneOnly && record.email) || null, reason, code, ...(params ? { params } : {}) });

/**
 * The row as a record to write, or why it is refused. Empty cells leave a field as it is. A row
 * with a phone and no e-mail is a customer known by phone (as `POST /customers` allows).
 */
export function readRow(columns: readonly Column[], row: { line: number; cells: string[] }): ImportRecord | RefusedRow {
  const record: ImportRecord = { line: row.line, email: '', phoneOnly: false, tags: [], attributes: {} };
  const refuse = (code: ImportRefusalCode, reason: string, params?: RefusedRow['params']) => refusal(record, code, reason, params);
  const emailCell = (row.cells[columns.findIndex((c) => c.kind === 'builtin' && c.name === 'email')] ?? '').trim();
  if (emailCell) {
    const email = normaliseIdentity('email', emailCell);
    if (!email) return { line: row.line, email: emailCell, reason: 'not a valid e-mail address', code: 'email_invalid' };
    record.email = email;
  }
  for (const [index, column] of columns.entries()) {
    const cell = (row.cells[index] ?? '').trim();
    if (!cell || (column.kind === 'builtin' && column.name === 'email')) continue;
    if (column.kind === 'attribute') {
      const value = attributeCell(column.definition, cell);
      const problem = attributeProblem(column.definition, value);
      if (problem) return refuse('attribute_invalid', `${column.definition.key} must be ${problem}`, { key: column.definition.key, type: column.definition.type, choices: column.definition.choices.join(', ') });
      record.attributes[column.definition.key] = value;
      continue;
    }
    switch (column.name) {
      case 'name':
        if (cell.length > 200) return refuse('name_too_long', 'the name is longer than 200 characters');
        record.name = cell;
        break;
      case 'phone': {
        const phone = normaliseIdentity('phone', cell);
        if (!phone) return refuse('phone_invalid', 'not a valid phone number');
        record.phone = phone;
        break;
      }
      case 'locale': {
        const locale = locales.find((l) => l.toLowerCase() === cell.toLowerCase());
        if (!locale) return refuse('locale_invalid', `the locale must be one of ${locales.join(', ')}`, { locales: locales.join(', ') });
        record.locale = locale;
        break;
      }
      case 'time_zone':
        if (!TimeZone.safeParse(cell).success) return refuse('time_zone_invalid', 'not an IANA time zone such as Asia/Shanghai');
        record.timeZone = cell;
        break;
      case 'company':
        if (cell.length > 200) return refuse('company_too_long', 'the company name is longer than 200 characters');
        record.company = cell;
        break;
      case 'tags': {
        const tags = [...new Set(cell.split(/[;,，；|]/).map((t) => t.trim().toLowerCase()).filter(Boolean))];
        if (tags.length > 50 || tags.some((t) => t.length > 40)) return refuse('tags_invalid', 'at most 50 tags of up to 40 characters');
        record.tags = tags;
        break;
      }
    }
  }
  if (!record.email) {
    if (!record.phone) return refuse('contact_missing', 'neither an e-mail nor a phone: a customer needs one of them');
    record.email = phoneOnlyAddress(record.phone);
    record.phoneOnly = true;
  }
  return record;
}

/** Spreadsheets write numbers with thousands separators and dates with slashes. */
function attributeCell(definition: AttributeDefinitionRow, cell: string): AttributeValue {
  if (definition.type === 'number') {
    const number = Number(cell.replace(/[,\s]/g, ''));
    return Number.isFinite(number) && cell.trim() !== '' ? number : cell;
  }
  if (definition.type === 'date') {
    const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(cell);
    const day = match ? `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}` : cell;
    return isCalendarDay(day) ? day : cell;
  }
  return cell;
}

const isRefused = (row: ImportRecord | RefusedRow): row is RefusedRow => 'reason' in row;

/**
 * CSV import of customers: the file is checked and stored with the import (one transaction with
 * its `customer_import.queued` event), and a durable job writes it in batches of 500 rows, each
 * batch one transaction that also advances the progress, so a crash resumes after the last batch
 * written. A row whose e-mail is known updates that customer (empty cells change nothing); a new
 * e-mail makes a customer. Bad rows are refused with their line and reason; the rest go in.
 */
export class CustomerImports {
  constructor(
    private readonly repo: CustomersRepo,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  async start(workspaceId: string, file: { name: string; bytes: Buffer }, actor: Actor): Promise<ImportView> {
    if (file.bytes.length > IMPORT_MAX_BYTES) throw errors.csvTooLarge(`A file is at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB`);
    const stored = checkCustomerCsv(decodeCsv(file.bytes), await this.repo.attributeDefinitions(workspaceId));
    return this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      const row = await repo.insertImport(workspaceId, {
        file_name: file.name, rows: JSON.stringify(stored), total: stored.rows.length, created_by: actor.type === 'system' ? null : actor.id,
      });
      events.publish('customer_import.queued', workspaceId, { importId: row.id });
      return row;
    });
  }

  /** Hands the import to the worker; the job key makes a redelivered event harmless. */
  queue(jobs: JobQueue, workspaceId: string, importId: string) {
    return jobs.send(IMPORT_JOB, { workspaceId, importId }, { idempotencyKey: `customers.import:${importId}` });
  }

  async find(workspaceId: string, id: string): Promise<ImportView> {
    const row = await this.repo.findImport(workspaceId, id);
    if (!row) throw errors.notFound('import');
    return row;
  }

  list(workspaceId: string) {
    return this.repo.recentImports(workspaceId, 20);
  }

  export(workspaceId: string) {
    return exportRows(this.repo, workspaceId);
  }

  /**
   * Writes the rows not yet written, a batch per transaction, `BATCHES_IN_FLIGHT` at a time: most
   * of a batch's cost is Postgres keeping up its indexes, and two batches in flight keep two
   * backends (two cores) at it. Their commits stay in order (each waits for the one before it to
   * end), so the progress always counts a prefix of the file and a crash resumes after it.
   */
  async run(workspaceId: string, importId: string): Promise<void> {
    const state = await this.repo.findImport(workspaceId, importId, { withRows: true });
    if (!state || state.status === 'done' || (state.rows == null && state.source == null)) return;
    const { header, rows } = state.rows != null ? JSON.parse(state.rows) as StoredFile : readCsv(state.source!);
    const columns = columnsOf(header, await this.repo.attributeDefinitions(workspaceId));
    // The first line that gave each e-mail and phone: a later row with the same one is refused, however the batches fall.
    const emailLines = new Map<string, number>();
    const phoneLines = new Map<string, number>();
    const records = rows.map((row) => {
      const record = readRow(columns, row);
      if (isRefused(record)) return record;
      // A phone-only row's address is made from its phone's digits: the same address is the same phone.
      const sameEmail = emailLines.get(record.email);
      const samePhone = record.phone === undefined ? undefined : phoneLines.get(record.phone);
      if (sameEmail !== undefined && !record.phoneOnly) return refusal(record, 'email_repeated', `the same e-mail as line ${sameEmail}`, { line: sameEmail });
      const earlier = samePhone ?? sameEmail;
      if (earlier !== undefined) return refusal(record, 'phone_repeated', `the same phone as line ${earlier}`, { line: earlier });
      emailLines.set(record.email, record.line);
      if (record.phone !== undefined) phoneLines.set(record.phone, record.line);
      return record;
    });
    const companies = await this.companies(workspaceId, records.slice(state.processed));
    let inFlight = BATCHES_IN_FLIGHT;
    let start = state.processed;
    while (start < records.length) {
      const outcome = await this.writeBatches(workspaceId, importId, records, companies, start, inFlight);
      if (outcome.stop) return;
      if (outcome.deadlocked) inFlight = 1; // the rest one batch at a time, from where the log stands
      start = outcome.next;
    }
    if (records.length === 0) await this.repo.advanceImport(workspaceId, importId, { processed: 0, created: 0, updated: 0, refused: [], finishedAt: this.clock.now() });
  }

  /** The file's companies found or made by name before its batches, so two batches side by side never make the same one. */
  private async companies(workspaceId: string, records: (ImportRecord | RefusedRow)[]): Promise<Map<string, string>> {
    const names = [...new Set(records.flatMap((r) => (!isRefused(r) && r.company ? [r.company] : [])))];
    const found = new Map<string, string>();
    for (let i = 0; i < names.length; i += BATCH) {
      for (const [name, id] of await this.repo.companiesByName(workspaceId, names.slice(i, i + BATCH))) found.set(name, id);
    }
    return found;
  }

  /**
   * Batches from `start` on, up to `inFlight` at a time, each begun once the one before it holds
   * its place. Ends at the end of the file; with `stop` when another worker has moved on; with
   * `deadlocked` when Postgres ended one of two batches that waited for each other (two rows of
   * the file for one known customer), `next` being where the committed progress stands.
   */
  private async writeBatches(
    workspaceId: string, importId: string, records: (ImportRecord | RefusedRow)[], companies: Map<string, string>, start: number, inFlight: number,
  ): Promise<{ next: number; stop?: boolean; deadlocked?: boolean }> {
    type Settled = { stop: boolean } | { error: unknown };
    const pending: Promise<Settled>[] = [];
    let stop = false;
    let error: unknown;
    const settleOldest = async () => {
      const settled = await pending.shift()!;
      if ('error' in settled) error ??= settled.error;
      else stop ||= settled.stop;
    };
    for (let at = start; at < records.length && !stop && error === undefined; at += BATCH) {
      const { placed, done } = this.writeBatchInOrder(workspaceId, importId, records, companies, at);
      pending.push(done.then((stopped) => ({ stop: stopped }), (err: unknown) => ({ error: err })));
      await Promise.race([placed, pending.at(-1)]);
      if (pending.length >= inFlight) await settleOldest();
    }
    while (pending.length) await settleOldest();
    if (error !== undefined) {
      if ((error as { code?: string }).code !== DEADLOCK) throw error;
      return { next: (await this.find(workspaceId, importId)).processed, deadlocked: true };
    }
    return { next: records.length, stop };
  }

  /**
   * One batch in its transaction: it takes its place (a second worker on the same batch waits),
   * writes, then waits for the batch before it to end and commits only if the progress stands
   * where it starts; otherwise (another worker moved on, or the batch before failed) it rolls back
   * and `done` says stop.
   */
  private writeBatchInOrder(workspaceId: string, importId: string, records: (ImportRecord | RefusedRow)[], companies: Map<string, string>, start: number) {
    let holdsPlace!: () => void;
    const placed = new Promise<void>((resolve) => { holdsPlace = resolve; });
    const index = start / BATCH;
    const done = this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      await repo.claimImportBatch(workspaceId, importId, index);
      holdsPlace();
      const batch = records.slice(start, start + BATCH);
      const written = await writeBatch(repo, workspaceId, batch.filter((r): r is ImportRecord => !isRefused(r)), companies, this.clock.now());
      for (const customerId of written.createdIds) events.publish('customer.created', workspaceId, { customerId });
      for (const customerId of written.updatedIds) events.publish('customer.updated', workspaceId, { customerId, changed: ['import'] });
      await repo.awaitImportBatch(workspaceId, importId, index - 1);
      const current = await repo.lockImport(workspaceId, importId);
      if (!current || current.processed !== start) throw new BatchSuperseded();
      const refused = [...batch.filter(isRefused), ...written.refused].sort((a, b) => a.line - b.line);
      const kept = current.refused.length >= REFUSED_KEPT ? [] : refused.slice(0, REFUSED_KEPT - current.refused.length);
      const end = Math.min(start + BATCH, records.length);
      await repo.advanceImport(workspaceId, importId, {
        processed: end, created: written.createdIds.length, updated: written.updatedIds.length, refused: kept,
        finishedAt: end >= records.length ? this.clock.now() : null,
      });
      return false;
    }).catch((err: unknown) => {
      if (err instanceof BatchSuperseded) return true;
      throw err;
    });
    return { placed, done };
  }
}

/** Batches of an import written side by side; see `CustomerImports.run`. */
const BATCHES_IN_FLIGHT = 2;
const DEADLOCK = '40P01';

/** Thrown to roll a batch back when the progress is not where it starts. */
class BatchSuperseded extends Error {}

/** The export's columns: the import's own, so an exported file imports back unchanged (a customer known by phone by their phone). */
const EXPORT_COLUMNS = ['email', 'name', 'phone', 'locale', 'time_zone', 'company', 'tags'] as const;
const EXPORT_PAGE = 1_000;

/** Every customer of the workspace as CSV rows (the header first), a page at a time. */
export async function* exportRows(repo: CustomersRepo, workspaceId: string): AsyncGenerator<string[]> {
  const keys = (await repo.attributeDefinitions(workspaceId)).map((d) => d.key);
  yield [...EXPORT_COLUMNS, ...keys];
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const page = await repo.exportPage(workspaceId, after, EXPORT_PAGE);
    for (const c of page) {
      // A placeholder address (a customer known only by phone) is no e-mail: the phone finds them on import.
      yield [isPlaceholderAddress(c.email) ? '' : c.email, c.name, c.phone ?? '', c.locale ?? '', c.time_zone ?? '', c.company ?? '', c.tags.join(';'), ...keys.map((k) => String(c.attributes[k] ?? ''))];
    }
    const last = page.at(-1);
    if (!last || page.length < EXPORT_PAGE) return;
    after = { createdAt: last.created_at, id: last.id };
  }
}

/**
 * One batch: known customers updated, new ones inserted in one
 * statement, phones added where free. A row's customer is the one with its e-mail, or for a
 * phone-only row the one with its phone; a phone that belongs to another customer refuses its row.
 */
async function writeBatch(repo: CustomersRepo, workspaceId: string, records: ImportRecord[], companies: Map<string, string>, now: Date) {
  const refused: RefusedRow[] = [];
  const held = await repo.identityOwners(workspaceId, { email: records.map((r) => r.email), phone: records.flatMap((r) => (r.phone ? [r.phone] : [])) });
  const ownersOf = (kind: 'email' | 'phone') => new Map(held.filter((i) => i.kind === kind).map((i) => [i.value, i.customer_id]));
  const [owners, phoneOwners] = [ownersOf('email'), ownersOf('phone')];
  const ownerOf = (record: ImportRecord) => owners.get(record.email) ?? (record.phoneOnly ? phoneOwners.get(record.phone!) : undefined);
  const accepted = records.filter((record) => {
    const phoneOwner = record.phone && phoneOwners.get(record.phone);
    if (phoneOwner && phoneOwner !== ownerOf(record)) {
      refused.push(refusal(record, 'phone_taken', 'this phone belongs to another customer'));
      return false;
    }
    return true;
  });
  const companyId = (name: string | undefined) => (name ? companies.get(name.toLowerCase()) ?? null : null);

  const fresh = accepted.filter((r) => !ownerOf(r));
  const created = await repo.insertCustomers(workspaceId, fresh.map((r) => ({
    email: r.email, name: r.name ?? (r.phoneOnly ? r.phone! : r.email.split('@')[0]!), locale: r.locale ?? null, time_zone: r.timeZone ?? null,
    company_id: companyId(r.company), address: null, tags: r.tags, attributes: JSON.stringify(r.attributes),
  })));
  const createdIds = new Map(created.map((c) => [c.email, c.id]));
  // The sign-in address of a customer whose e-mail identity another customer holds: not ours to take.
  for (const record of fresh) {
    if (!createdIds.has(record.email)) {
      refused.push(record.phoneOnly ? refusal(record, 'phone_taken', 'this phone belongs to another customer') : refusal(record, 'email_taken', 'this e-mail is already used by another customer'));
    }
  }
  const known = accepted.flatMap((record) => {
    const id = ownerOf(record);
    return id ? [{
      id, name: record.name, locale: record.locale, time_zone: record.timeZone, company_id: companyId(record.company) ?? undefined,
      tags: record.tags, attributes: record.attributes,
    }] : [];
  });
  await repo.mergeImportedFields(workspaceId, known, now);
  const updatedIds = known.map((k) => k.id);
  await repo.insertIdentities(workspaceId, accepted.flatMap((r) => {
    const customerId = ownerOf(r) ?? createdIds.get(r.email);
    return r.phone && customerId && phoneOwners.get(r.phone) !== customerId
      // A new customer's first phone is their primary one.
      ? [{ customer_id: customerId, kind: 'phone' as const, value: r.phone, is_primary: createdIds.has(r.email), verified_at: null }] : [];
  }));
  return { createdIds: [...createdIds.values()], updatedIds, refused };
}
