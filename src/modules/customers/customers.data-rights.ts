import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events/index.js';
import type { JobQueue } from '../../core/jobs/index.js';
import type { DB } from '../../core/db/database.js';
import type { AccountsService, Actor } from '../accounts/index.js';
import { customerDataArchive } from './customers.data-archive.js';
import { customerErrors as errors } from './customers.errors.js';
import type { CustomersRepo } from './customers.repo.js';
import type { ErasureRow } from './customers.schema.js';
import type { Auditor, CustomersService, CustomerTickets } from './customers.service.js';

/**
 * The customer's own data (PIPL / GDPR, HP's principles in seeds/002): everything held on them as
 * one JSON document or a zip (with CSVs and attachments), and erasure as a durable job.
 */

/** What stands in for erased text. */
export const ERASED = '[erased]';
export const ERASE_JOB = 'customers.erase';

/** Who the erasure is of, as other modules' erasers need it. */
export interface ErasureSubject {
  id: string;
  /** Their e-mail addresses (sign-in address and every e-mail identity). */
  emails: string[];
  /** Their name, addresses and numbers: blanked where others quoted them in the customer's own conversations. */
  quoted: string[];
}

/**
 * Rows of another module with the customer's personal data (tickets, chats, mail, subscriptions),
 * erased in the erasure's transaction; returns how many rows changed and stored files to remove
 * once it commits.
 */
export type CustomerDataEraser = (db: Kysely<DB>, customer: ErasureSubject, blank: string) => Promise<{ rows: number; files?: string[] }>;

/** The stored files (attachments): read into the customer's archive, removed by an erasure (one already gone is no error). */
export interface StoredFiles { open(storageKey: string): Readable; remove(storageKey: string): Promise<void> }

/** The tickets the customer can see and their public thread (replies, never internal notes). */
export interface CustomerThreads extends CustomerTickets {
  thread(workspaceId: string, ticketId: string, options: { includeNotes: false }): Promise<{
    kind: 'reply' | 'note'; author_type: string; channel: string; body_text: string; created_at: Date;
    attachments: { filename: string; content_type: string; size_bytes: number; storage_key: string }[];
  }[]>;
}

export interface ErasureRequester { type: ErasureRow['requested_by_type']; id: string | null }

const MIN_SWEPT = 6;

export class CustomerDataRights {
  constructor(
    private readonly repo: CustomersRepo,
    private readonly customers: CustomersService,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly auditor: Auditor,
    private readonly accounts: Pick<AccountsService, 'endCustomerAccess'>,
    private readonly tickets: CustomerThreads,
    private readonly erasers: Record<string, CustomerDataEraser>,
    private readonly files: StoredFiles,
  ) {}

  /**
   * Everything held on the customer that they may see: the record, identities, company, products,
   * orders, consents with their log, and their tickets with the replies (internal notes and agents'
   * notes on the record are the service's working papers, not part of it).
   */
  async export(workspaceId: string, customerId: string) {
    const data = await this.collect(workspaceId, customerId);
    return {
      ...data,
      tickets: data.tickets.map((t) => ({
        ...t, messages: t.messages.map((m) => ({ ...m, attachments: m.attachments.map(({ storageKey: _, ...attachment }) => attachment) })),
      })),
    };
  }

  /** The same as a zip: the JSON, one CSV per kind and the attachments' bytes (customers.data-archive.ts). */
  async archive(workspaceId: string, customerId: string): Promise<Readable> {
    return customerDataArchive(await this.collect(workspaceId, customerId), (storageKey) => this.files.open(storageKey));
  }

  /** The export with each attachment's storage key, which only the archive reads: keys never leave the server. */
  async collect(workspaceId: string, customerId: string) {
    const record = await this.customers.record(workspaceId, customerId);
    if (record.customer.erased_at) throw errors.customerErased();
    const [log, tickets] = await Promise.all([
      this.customers.consentLog(workspaceId, customerId),
      this.tickets.customerTickets(workspaceId, customerId, 1000),
    ]);
    const { customer } = record;
    return {
      format: 'kefu.customer-data/1',
      exportedAt: this.clock.now().toISOString(),
      customer: {
        id: customer.id, name: customer.name, email: customer.email, locale: customer.locale, timeZone: customer.time_zone,
        address: customer.address, tags: customer.tags, attributes: customer.attributes, createdAt: customer.created_at, updatedAt: customer.updated_at,
      },
      company: record.company && { name: record.company.name, domain: record.company.domain },
      identities: record.identities.map((i) => ({ kind: i.kind, value: i.value, primary: i.is_primary, verifiedAt: i.verified_at, createdAt: i.created_at })),
      products: record.products.map((p) => ({
        model: p.model, names: p.names, serial: p.serial, purchasedOn: p.purchased_on, warrantyUntil: p.warranty_until, boughtFrom: p.bought_from, registeredAt: p.created_at,
      })),
      purchases: record.orders.map((o) => ({
        reference: o.reference, orderedAt: o.ordered_at, amount: o.amount, currency: o.currency,
        lines: o.lines.map((l) => ({ description: l.description, quantity: l.quantity, amount: l.amount })),
      })),
      consents: record.consents.map((c) => ({ purpose: c.purpose.key, names: c.purpose.names, granted: c.granted, since: c.change?.changed_at ?? null, wordingVersion: c.change?.wording_version ?? null })),
      consentLog: log.map((c) => ({
        purpose: record.consents.find((s) => s.purpose.id === c.purpose_id)?.purpose.key ?? c.purpose_id,
        granted: c.granted, channel: c.channel, wordingVersion: c.wording_version, changedBy: c.changed_by_type, changedAt: c.changed_at,
      })),
      tickets: await Promise.all(tickets.map(async (t) => ({
        number: t.number, subject: t.subject, status: t.status, channel: t.channel, createdAt: t.created_at, updatedAt: t.updated_at,
        messages: (await this.tickets.thread(workspaceId, t.id, { includeNotes: false }))
          .filter((m) => m.kind === 'reply')
          .map((m) => ({
            from: m.author_type === 'customer' ? 'you' : 'support', channel: m.channel, at: m.created_at, text: m.body_text,
            attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.content_type, sizeBytes: a.size_bytes, storageKey: a.storage_key })),
          })),
      }))),
    };
  }

  erasure(workspaceId: string, customerId: string) {
    return this.repo.erasureOf(workspaceId, customerId);
  }

  /**
   * Records the request and its event (`customer.erasure_requested`) in one transaction; this
   * module's subscriber queues the job from it. Asking again answers the first request.
   */
  async requestErasure(workspaceId: string, customerId: string, requester: ErasureRequester, actor: Actor): Promise<ErasureRow> {
    const { row, created } = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      if (!(await repo.lockCustomer(workspaceId, customerId))) throw errors.notFound('customer');
      const inserted = await repo.insertErasure(workspaceId, { customer_id: customerId, requested_by_type: requester.type, requested_by_id: requester.id });
      if (inserted.created) events.publish('customer.erasure_requested', workspaceId, { customerId });
      return inserted;
    });
    // The audit entry names the customer by id only: it outlives the erasure.
    if (created) await this.auditor.audit(workspaceId, actor, 'customer.erasure_requested', 'customer', customerId, { erasureId: row.id, requestedBy: requester.type });
    return row;
  }

  /** Queues the erasure job of the customer's pending erasure, if any (the subscriber of the request's event). */
  async queue(jobs: JobQueue, workspaceId: string, customerId: string): Promise<void> {
    const erasure = await this.repo.erasureOf(workspaceId, customerId);
    if (erasure?.status === 'queued') await jobs.send(ERASE_JOB, { workspaceId, erasureId: erasure.id }, { idempotencyKey: `erase:${erasure.id}` });
  }

  /**
   * The job: one transaction erases the customer everywhere, marks the erasure done and writes its
   * audit entry, so a crash half-way leaves nothing erased (and nothing audited) and the retry starts
   * again; stored files are removed after it
   * commits, and a retry after that removes what is left (the erasure row keeps their keys until then).
   */
  async erase(workspaceId: string, erasureId: string): Promise<void> {
    const erasure = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      const row = await repo.lockErasure(workspaceId, erasureId);
      if (!row || row.status === 'done') return row;
      const customer = await repo.customer(workspaceId, row.customer_id);
      if (!customer) throw errors.notFound('customer');
      const identities = await repo.identities(workspaceId, customer.id);
      const emails = [...new Set([customer.email, ...identities.filter((i) => i.kind === 'email').map((i) => i.value)])];
      const others = identities.filter((i) => i.kind !== 'email').map((i) => i.value);
      const subject: ErasureSubject = { id: customer.id, emails, quoted: [...new Set([customer.name, ...emails, ...others])].filter((v) => v.length >= 2 && v !== ERASED) };
      const db = repo.connection(workspaceId) as unknown as Kysely<DB>;
      const counts: Record<string, number> = {};
      const files: string[] = [];
      for (const [name, eraser] of Object.entries(this.erasers)) {
        const result = await eraser(db, subject, ERASED);
        counts[name] = result.rows;
        files.push(...(result.files ?? []));
      }
      Object.assign(counts, await repo.eraseCustomerRows(workspaceId, customer.id, ERASED, this.clock.now()));
      // Addresses and numbers are unique to the customer, so they are swept from every table; each
      // gets its own placeholder, so a unique column holding two of them stays unique.
      const swept = [...emails, ...others].filter((v) => v.length >= MIN_SWEPT && !/["\\]/.test(v))
        .map((value, n) => ({ value, replacement: value.includes('@') ? `erased-${erasureId.slice(0, 8)}-${n}@erased.invalid` : `${ERASED}-${n}` }));
      counts.swept = await repo.sweep(workspaceId, swept);
      await repo.finishErasure(workspaceId, erasureId, { counts, files, now: this.clock.now() });
      // Audited in the erasure's transaction (row counts only): an erasure is never done without its entry, nor the entry without it.
      await this.auditor.audit(workspaceId, { type: 'system', id: null }, 'customer.erased', 'customer', customer.id, { erasureId, counts }, db);
      events.publish('customer.erased', workspaceId, { customerId: customer.id });
      return { ...row, status: 'done' as const, counts, files };
    });
    if (!erasure) return;
    if (erasure.files.length) {
      for (const key of erasure.files) await this.files.remove(key);
      await this.repo.clearErasureFiles(workspaceId, erasureId);
    }
    await this.accounts.endCustomerAccess(workspaceId, erasure.customer_id);
  }
}

/** Everything held on a customer, as `collect` gathers it (attachments with their storage keys). */
export type CustomerExport = Awaited<ReturnType<CustomerDataRights['collect']>>;
