import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events/index.js';
import type { MergeField } from '../../contracts/customers.js';
import type { DB } from '../../core/db/database.js';
import type { Actor } from '../accounts/index.js';
import { customerErrors as errors } from './customers.errors.js';
import type { CustomersRepo } from './customers.repo.js';
import type { Auditor } from './customers.service.js';
import type { CustomerRow, MergeRow } from './customers.schema.js';

/**
 * Rows of another module that name a customer (tickets, chats, subscriptions). A merge calls each
 * with its own transaction, so they move with the merge or not at all; returns how many moved.
 */
export type CustomerReferenceMover = (db: Kysely<DB>, fromId: string, intoId: string) => Promise<number>;


export interface MergeInput {
  duplicateId: string;
  /** Taken from the duplicate; every other field keeps the survivor's value (or the duplicate's where the survivor has none). */
  take: MergeField[];
}

export interface DuplicateSuggestion { customer: CustomerRow; reasons: ('name' | 'phone' | 'email')[] }

/**
 * Merging duplicates: the survivor keeps its id and primary e-mail; the duplicate's identities
 * (its e-mail becomes a second one), notes, products, orders, consent history, tags and attributes
 * it lacks, and every other module's rows (through the movers) move to it in one transaction; then
 * the duplicate's row is deleted and the merge is written to `customer_merges` and the audit log.
 */
export class CustomerMerges {
  constructor(
    private readonly repo: CustomersRepo,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly auditor: Auditor,
    private readonly movers: Record<string, CustomerReferenceMover>,
  ) {}

  /** Customers that look like this one: the same name, the same phone number in another spelling, or the same mailbox. */
  async suggestions(workspaceId: string, customerId: string): Promise<DuplicateSuggestion[]> {
    const customer = await this.repo.customer(workspaceId, customerId);
    if (!customer) throw errors.notFound('customer');
    const phones = (await this.repo.identities(workspaceId, customerId)).filter((i) => i.kind === 'phone').map((i) => phoneTail(i.value));
    const found = await this.repo.lookalikes(workspaceId, customerId, { name: customer.name, phoneTails: phones, mailbox: mailbox(customer.email) });
    return found.map(({ reasons, ...row }) => ({ customer: row, reasons }));
  }

  history(workspaceId: string, customerId: string): Promise<MergeRow[]> {
    return this.repo.merges(workspaceId, customerId);
  }

  async merge(workspaceId: string, survivorId: string, input: MergeInput, actor: Actor): Promise<MergeRow> {
    if (survivorId === input.duplicateId) throw errors.mergeSame();
    const merge = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      // Both rows locked in one order, so two merges of the same pair queue instead of deadlocking.
      const [first, second] = [survivorId, input.duplicateId].sort();
      const locked = [await repo.lockCustomer(workspaceId, first!), await repo.lockCustomer(workspaceId, second!)];
      if (locked.some((row) => !row)) throw errors.notFound('customer');
      const survivor = (await repo.customer(workspaceId, survivorId))!;
      const duplicate = (await repo.customer(workspaceId, input.duplicateId))!;
      const take = new Set(input.take);
      const pick = <T>(field: MergeField, mine: T, theirs: T): T => (take.has(field) || mine === null ? theirs : mine);
      const address = pick('address', survivor.address, duplicate.address);
      await repo.updateCustomer(workspaceId, survivorId, {
        name: take.has('name') ? duplicate.name : survivor.name,
        locale: pick('locale', survivor.locale, duplicate.locale),
        time_zone: pick('timeZone', survivor.time_zone, duplicate.time_zone),
        company_id: pick('companyId', survivor.company_id, duplicate.company_id),
        address: address ? JSON.stringify(address) : null,
        tags: [...new Set([...survivor.tags, ...duplicate.tags])],
        attributes: JSON.stringify({ ...duplicate.attributes, ...survivor.attributes }),
      }, this.clock.now());

      const moved: Record<string, number> = await repo.moveCustomerRows(workspaceId, input.duplicateId, survivorId);
      const db = repo.connection(workspaceId) as unknown as Kysely<DB>;
      for (const [name, move] of Object.entries(this.movers)) moved[name] = await move(db, input.duplicateId, survivorId);
      await repo.deleteCustomer(workspaceId, input.duplicateId);
      const row = await repo.insertMerge(workspaceId, {
        survivor_id: survivorId, merged_id: duplicate.id, merged_name: duplicate.name, merged_email: duplicate.email,
        fields_taken: [...take], moved: JSON.stringify(moved), merged_by_type: actor.type, merged_by_id: actor.id,
      });
      events.publish('customer.merged', workspaceId, { customerId: survivorId, mergedId: duplicate.id });
      return row;
    });
    await this.auditor.audit(workspaceId, actor, 'customer.merged', 'customer', survivorId, { mergedId: input.duplicateId, taken: input.take, moved: merge.moved });
    return merge;
  }
}

/** The last 8 digits: +86 139 0000 0001 and 13900000001 are one number. */
export const phoneTail = (phone: string) => phone.replace(/\D/g, '').slice(-8);

/** The mailbox without sub-addressing: li.na+shop@example.com is li.na@example.com. */
export function mailbox(email: string): string {
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  return `${local.split('+')[0]}@${domain}`;
}
