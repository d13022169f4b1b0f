import { notFound } from '../../../core/errors.js';
import type { Locale } from '../../../core/i18n/index.js';
import type { TicketsService } from '../../tickets/index.js';
import type { Db, InboundRepo } from '../inbound/inbound.repo.js';
import type { MailAddressRow } from '../inbound/inbound.schema.js';
import { mailErrors } from '../mail.errors.js';

export interface AddressInput {
  address: string;
  displayName?: string | null;
  departmentId?: string | null;
  locale?: Locale | null;
}

const CACHE_MS = 5_000;

/**
 * Support addresses: each routes the mail it receives to one workspace and a default department.
 * The SMTP listener asks `route()` at RCPT time; answers are cached for a few seconds, since a busy
 * listener asks for the same few addresses thousands of times a minute.
 */
export class SupportAddresses {
  private readonly cache = new Map<string, { row: MailAddressRow | null; at: number }>();
  private readonly byWorkspace = new Map<string, { rows: MailAddressRow[]; at: number }>();

  constructor(private readonly repo: InboundRepo, private readonly tickets: TicketsService) {}

  list(workspaceId: string): Promise<MailAddressRow[]> {
    return this.repo.addresses(workspaceId);
  }

  async get(workspaceId: string, id: string): Promise<MailAddressRow> {
    const row = await this.repo.address(workspaceId, id);
    if (!row) throw notFound('mail_address');
    return row;
  }

  async create(workspaceId: string, input: AddressInput): Promise<MailAddressRow> {
    if (input.departmentId) await this.assertDepartment(workspaceId, input.departmentId);
    const row = await this.repo.insertAddress(workspaceId, {
      address: input.address.toLowerCase(), display_name: input.displayName ?? null, department_id: input.departmentId ?? null, locale: input.locale ?? null,
    });
    if (!row) throw mailErrors.mailAddressTaken('This address already receives mail for a workspace');
    this.forget(workspaceId, row.address);
    return row;
  }

  async update(workspaceId: string, id: string, patch: Omit<AddressInput, 'address'>): Promise<MailAddressRow> {
    if (patch.departmentId) await this.assertDepartment(workspaceId, patch.departmentId);
    const row = await this.repo.updateAddress(workspaceId, id, {
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      ...(patch.departmentId !== undefined ? { department_id: patch.departmentId } : {}),
      ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
    });
    if (!row) throw notFound('mail_address');
    this.forget(workspaceId, row.address);
    return row;
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    const row = await this.get(workspaceId, id);
    await this.repo.deleteAddress(workspaceId, id);
    this.forget(workspaceId, row.address);
  }

  /** The support address a recipient names, across all workspaces, or null when it is none of ours. */
  async route(address: string): Promise<MailAddressRow | null> {
    const key = address.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.row;
    const [row] = await this.repo.addressesByName([key]);
    this.cache.set(key, { row: row ?? null, at: Date.now() });
    if (this.cache.size > 10_000) this.cache.clear();
    return row ?? null;
  }

  /**
   * A workspace's addresses, cached for a few seconds like `route()`: the pipeline needs them for
   * every message (mail from our own addresses is never answered or made a ticket: loops), and every
   * queued mail its sender. A caller holding a transaction passes it: a read on a connection of its
   * own would wait for the pool while holding one of its connections, and callers that all do so
   * (acknowledgements serialised on one recipient's lock) wait for ever.
   */
  async ofWorkspace(workspaceId: string, db?: Db): Promise<MailAddressRow[]> {
    const cached = this.byWorkspace.get(workspaceId);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.rows;
    const rows = await this.repo.addresses(workspaceId, db);
    this.byWorkspace.set(workspaceId, { rows, at: Date.now() });
    if (this.byWorkspace.size > 10_000) this.byWorkspace.clear();
    return rows;
  }

  /** This node's caches; other nodes see a change within CACHE_MS. */
  private forget(workspaceId: string, address: string): void {
    this.cache.delete(address);
    this.byWorkspace.delete(workspaceId);
  }

  private async assertDepartment(workspaceId: string, id: string): Promise<void> {
    if (!(await this.tickets.departments(workspaceId)).some((d) => d.id === id)) {
      throw mailErrors.departmentUnknown('There is no such department');
    }
  }
}
