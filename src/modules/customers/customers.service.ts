import type { Clock } from '../../core/clock.js';
import { AppError, cursorInvalid } from '../../core/errors.js';
import type { EventBus } from '../../core/events/index.js';
import type { AccountsService, Actor } from '../accounts/index.js';
import { isUniqueViolation } from '../../core/db/unique-violation.js';
import { customerErrors as errors } from './customers.errors.js';
import type { CustomerContactSource, CustomerFilter, CustomersRepo, ListCursor } from './customers.repo.js';
import type {
  AttributeDefinitionRow, AttributeValue, ConsentChangeRow, ConsentPurposeRow, CustomerRow, IdentityKind, IdentityRow, OrderLineRow, OrderRow,
} from './customers.schema.js';
import {
  attributeProblem, normaliseIdentity, phoneOnlyAddress, sumMoney,
  type AttributeDefinitionInput, type CompanyInput, type CompanyPatch, type ConsentInput, type CustomerInput, type CustomerPatch,
  type IdentityInput, type OrderInput, type ProductInput, type ProductPatch, type PurposeInput, type PurposePatch, type RegistrationInput, type RegistrationPatch,
} from './customers.validate.js';

export type Auditor = Pick<AccountsService, 'audit'>;

/** Who changed a consent: the customer themself (portal, mail link) or someone on their behalf. */
export interface ConsentChanger { type: 'customer' | 'agent' | 'api' | 'system'; id: string | null }

/** What this module reads from the tickets module: a customer's tickets, most recent first. */
export interface CustomerTickets {
  customerTickets(workspaceId: string, customerId: string, limit?: number): Promise<{ id: string; number: number; subject: string; status: string; channel: string; created_at: Date; updated_at: Date }[]>;
}

/** One thing that happened with a customer, newest first on the timeline. */
export type TimelineEntry = { at: Date } & (
  | { kind: 'created' }
  | { kind: 'ticket'; ticket: { id: string; number: number; subject: string; status: string; channel: string } }
  | { kind: 'note'; note: { id: string; body: string; authorId: string | null } }
  | { kind: 'product'; registration: { id: string; model: string; serial: string } }
  | { kind: 'order'; order: { id: string; reference: string | null; amount: string; currency: string } }
  | { kind: 'consent'; consent: { purposeId: string; granted: boolean; channel: string } }
  | { kind: 'merge'; merge: { mergedName: string; mergedEmail: string } }
);

export interface CustomerPage { customers: CustomerRow[]; nextCursor: string | null }
export interface OrderWithLines extends OrderRow { lines: OrderLineRow[] }
export interface ConsentState { purpose: ConsentPurposeRow; granted: boolean; change: ConsentChangeRow | null }

const PAGE_MAX = 100;
const RECENT = 20;
const MAX_ORDER_TOTAL = '999999999999.99';

/** E-mails and phones have one primary each; the other kinds are one identity per channel account. */
const hasPrimary = (kind: IdentityKind) => kind === 'email' || kind === 'phone';

/**
 * The customer database: the record (identities, company, tags, attributes, notes), products owned,
 * orders and consent. Each write runs in one transaction with the events it publishes (delivered after commit).
 */
export class CustomersService {
  constructor(
    private readonly repo: CustomersRepo,
    private readonly auditor: Auditor,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly tickets: CustomerTickets,
    private readonly ticketRows: CustomerContactSource,
  ) {}

  // ---- the record

  findCustomer(workspaceId: string, id: string) {
    return this.repo.customer(workspaceId, id);
  }

  /** The customers of these ids that exist, in no particular order (a batch of new tickets' senders). */
  findCustomers(workspaceId: string, ids: readonly string[]) {
    return this.repo.customers(workspaceId, ids);
  }

  async customer(workspaceId: string, id: string): Promise<CustomerRow> {
    const customer = await this.repo.customer(workspaceId, id);
    if (!customer) throw errors.notFound('customer');
    return customer;
  }

  /** Newest first; `cursor` is the `nextCursor` of the page before. */
  async list(workspaceId: string, filter: Omit<CustomerFilter, 'after' | 'limit'> & { cursor?: string; limit?: number }): Promise<CustomerPage> {
    const limit = Math.min(filter.limit ?? 50, PAGE_MAX);
    const rows = await this.repo.list(workspaceId, { ...filter, after: filter.cursor ? parseCursor(filter.cursor) : undefined, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { customers: page, nextCursor: rows.length > limit && last ? formatCursor({ createdAt: last.created_at, id: last.id }) : null };
  }

  /** The customer an identity (an e-mail, a WeChat openid …) belongs to, if any. */
  async findByIdentity(workspaceId: string, kind: IdentityKind, value: string): Promise<CustomerRow | undefined> {
    const normal = normaliseIdentity(kind, value);
    const identity = normal && await this.repo.identityByValue(workspaceId, kind, normal);
    return identity ? this.repo.customer(workspaceId, identity.customer_id) : undefined;
  }

  async create(workspaceId: string, input: CustomerInput, actor: Actor): Promise<CustomerRow> {
    const id = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      if (input.companyId && !(await repo.company(workspaceId, input.companyId))) throw errors.referenceNotFound('companyId');
      const attributes = checkAttributes(await repo.attributeDefinitions(workspaceId), {}, input.attributes);
      const email = input.email ?? firstPhoneAddress(input.identities);
      const taken = await repo.identityByValue(workspaceId, 'email', email);
      // A phone-only customer's address is their phone's: taken means the phone is.
      if (taken) throw input.email ? errors.identityTaken('email', email) : errors.identityTaken('phone', input.identities.find((i) => i.kind === 'phone')!.value);
      const row = await repo.insertCustomer(workspaceId, {
        email, name: input.name, locale: input.locale, company_id: input.companyId, time_zone: input.timeZone,
        address: input.address ? JSON.stringify(input.address) : null, tags: input.tags, attributes: JSON.stringify(attributes),
      });
      if (!row) throw errors.identityTaken('email', email);
      // The insert trigger made the primary e-mail identity; the rest are added as given.
      for (const identity of input.identities) await addIdentity(repo, workspaceId, row.id, identity, this.clock.now());
      events.publish('customer.created', workspaceId, { customerId: row.id });
      return row.id;
    });
    await this.auditor.audit(workspaceId, actor, 'customer.created', 'customer', id, {});
    return this.customer(workspaceId, id);
  }

  async update(workspaceId: string, id: string, patch: CustomerPatch, actor: Actor): Promise<CustomerRow> {
    const changed = Object.keys(patch).filter((key) => patch[key as keyof CustomerPatch] !== undefined);
    await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      const current = await repo.lockCustomer(workspaceId, id);
      if (!current) throw errors.notFound('customer');
      if (patch.companyId && !(await repo.company(workspaceId, patch.companyId))) throw errors.referenceNotFound('companyId');
      const attributes = patch.attributes && checkAttributes(await repo.attributeDefinitions(workspaceId), current.attributes, patch.attributes);
      await repo.updateCustomer(workspaceId, id, {
        name: patch.name, locale: patch.locale, time_zone: patch.timeZone, company_id: patch.companyId, tags: patch.tags,
        address: patch.address === undefined ? undefined : patch.address && JSON.stringify(patch.address),
        attributes: attributes && JSON.stringify(attributes),
      }, this.clock.now());
      events.publish('customer.updated', workspaceId, { customerId: id, changed });
    });
    await this.audit(workspaceId, id, changed, actor);
    return this.customer(workspaceId, id);
  }

  identities(workspaceId: string, customerId: string) {
    return this.repo.identities(workspaceId, customerId);
  }

  /** A primary e-mail becomes the customer's sign-in address (accounts' `customers.email`). */
  async addIdentity(workspaceId: string, customerId: string, input: IdentityInput, actor: Actor): Promise<IdentityRow> {
    const identity = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      if (!(await repo.lockCustomer(workspaceId, customerId))) throw errors.notFound('customer');
      const added = await addIdentity(repo, workspaceId, customerId, input, this.clock.now());
      events.publish('customer.updated', workspaceId, { customerId, changed: ['identities'] });
      return added;
    });
    await this.audit(workspaceId, customerId, ['identities'], actor);
    return identity;
  }

  async removeIdentity(workspaceId: string, customerId: string, identityId: string, actor: Actor): Promise<void> {
    await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      const removed = await repo.removeIdentity(workspaceId, customerId, identityId);
      if (!removed) throw errors.notFound('identity');
      if (removed.kind === 'email' && removed.is_primary) throw errors.identityIsPrimaryEmail(); // rolls the delete back
      events.publish('customer.updated', workspaceId, { customerId, changed: ['identities'] });
    });
    await this.audit(workspaceId, customerId, ['identities'], actor);
  }

  /**
   * A followed verification link: the address becomes a verified e-mail of the customer (added if
   * new), and their primary (sign-in) address when they asked for that. An address another customer
   * holds by then is refused (IDENTITY_TAKEN); confirming twice changes nothing more.
   */
  async confirmEmail(workspaceId: string, customerId: string, email: string, makePrimary: boolean): Promise<IdentityRow> {
    const identity = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      const customer = await repo.lockCustomer(workspaceId, customerId);
      if (!customer) throw errors.notFound('customer');
      const held = await repo.identityByValue(workspaceId, 'email', email);
      if (held && held.customer_id !== customerId) throw errors.identityTaken('email', email);
      const now = this.clock.now();
      let row: IdentityRow;
      if (held) {
        if (makePrimary && !held.is_primary) await repo.demotePrimary(workspaceId, customerId, 'email');
        row = await repo.confirmIdentity(workspaceId, held.id, now, makePrimary);
        if (makePrimary) await repo.updateCustomer(workspaceId, customerId, { email }, now);
      } else {
        row = await addIdentity(repo, workspaceId, customerId, { kind: 'email', value: email, primary: makePrimary, verified: true }, now);
      }
      events.publish('customer.updated', workspaceId, { customerId, changed: ['identities'] });
      return row;
    });
    await this.audit(workspaceId, customerId, ['identities'], { type: 'system', id: null });
    return identity;
  }

  notes(workspaceId: string, customerId: string) {
    return this.repo.notes(workspaceId, customerId, RECENT);
  }

  async addNote(workspaceId: string, customerId: string, body: string, actor: Actor) {
    await this.customer(workspaceId, customerId);
    return this.repo.insertNote(workspaceId, { customer_id: customerId, author_id: actor.type === 'system' ? null : actor.id, body });
  }

  attributeDefinitions(workspaceId: string) {
    return this.repo.attributeDefinitions(workspaceId);
  }

  async defineAttribute(workspaceId: string, input: AttributeDefinitionInput, actor: Actor): Promise<AttributeDefinitionRow> {
    const definition = await this.repo.insertAttributeDefinition(workspaceId, { key: input.key, labels: JSON.stringify(input.labels), type: input.type, choices: input.choices });
    if (!definition) throw errors.attributeTaken(input.key);
    await this.auditor.audit(workspaceId, actor, 'customer_attribute.created', 'customer_attribute', definition.id, { key: input.key, type: input.type });
    return definition;
  }

  // ---- companies

  companies(workspaceId: string) {
    return this.repo.companies(workspaceId);
  }

  /** The companies by name, each with its number of customers. */
  async companiesWithCounts(workspaceId: string) {
    const [companies, counts] = await Promise.all([this.repo.companies(workspaceId), this.repo.companyMemberCounts(workspaceId)]);
    return companies.map((company) => ({ company, memberCount: counts.get(company.id) ?? 0 }));
  }

  /** A company and its first 100 customers by name, each with their number of tickets. */
  async company(workspaceId: string, id: string) {
    const company = await this.repo.company(workspaceId, id);
    if (!company) throw errors.notFound('company');
    const members = await this.repo.companyMembers(workspaceId, id, PAGE_MAX, this.ticketRows);
    return { company, members: members.map((m) => ({ id: m.id, name: m.name, email: m.email, ticketCount: Number(m.ticket_count) })) };
  }

  async createCompany(workspaceId: string, input: CompanyInput, actor: Actor) {
    const company = await this.repo.insertCompany(workspaceId, input).catch(rethrowCompanyTaken(input));
    await this.auditor.audit(workspaceId, actor, 'customer_company.created', 'customer_company', company.id, { name: company.name });
    return company;
  }

  async updateCompany(workspaceId: string, id: string, patch: CompanyPatch, actor: Actor) {
    const company = await this.repo.updateCompany(workspaceId, id, patch, this.clock.now()).catch(rethrowCompanyTaken(patch));
    if (!company) throw errors.notFound('company');
    await this.auditor.audit(workspaceId, actor, 'customer_company.updated', 'customer_company', id, { changed: Object.keys(patch) });
    return company;
  }

  /** Deletes a company; its customers stay, without a company (each gets `customer.updated`, so segments on the company recount). */
  async deleteCompany(workspaceId: string, id: string, actor: Actor) {
    const members = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      const memberIds = await repo.companyMemberIds(workspaceId, id);
      if (!(await repo.deleteCompany(workspaceId, id))) throw errors.notFound('company');
      for (const customerId of memberIds) events.publish('customer.updated', workspaceId, { customerId, changed: ['companyId'] });
      return memberIds.length;
    });
    await this.auditor.audit(workspaceId, actor, 'customer_company.deleted', 'customer_company', id, { members });
  }

  // ---- products, registrations, orders

  products(workspaceId: string, category?: string) {
    return this.repo.products(workspaceId, category);
  }

  async createProduct(workspaceId: string, input: ProductInput) {
    const product = await this.repo.insertProduct(workspaceId, { model: input.model, names: JSON.stringify(input.names), category: input.category });
    if (!product) throw errors.productTaken(input.model);
    return product;
  }

  async updateProduct(workspaceId: string, id: string, patch: ProductPatch) {
    const product = await this.repo.updateProduct(workspaceId, id, { names: patch.names && JSON.stringify(patch.names), category: patch.category });
    if (!product) throw errors.notFound('product');
    return product;
  }

  registrations(workspaceId: string, customerId: string) {
    return this.repo.registrations(workspaceId, customerId);
  }

  async registerProduct(workspaceId: string, customerId: string, input: RegistrationInput, actor: Actor) {
    const registration = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      if (!(await repo.customer(workspaceId, customerId))) throw errors.notFound('customer');
      if (!(await repo.product(workspaceId, input.productId))) throw errors.referenceNotFound('productId');
      const row = await repo.insertRegistration(workspaceId, {
        customer_id: customerId, product_id: input.productId, serial: input.serial,
        purchased_on: input.purchasedOn, warranty_until: input.warrantyUntil, bought_from: input.boughtFrom,
      });
      if (!row) throw errors.serialTaken(input.serial);
      events.publish('customer.updated', workspaceId, { customerId, changed: ['products'] });
      return row;
    });
    await this.audit(workspaceId, customerId, ['products'], actor);
    return registration;
  }

  async orders(workspaceId: string, customerId: string, limit = RECENT): Promise<OrderWithLines[]> {
    const orders = await this.repo.orders(workspaceId, customerId, limit);
    const lines = await this.repo.orderLines(workspaceId, orders.map((o) => o.id));
    return orders.map((order) => ({ ...order, lines: lines.filter((l) => l.order_id === order.id) }));
  }

  /**
   * Corrects a registration of the customer's (serial, purchase and warranty dates, where bought);
   * the product stays. The warranty may not end before the purchase, as when registering.
   */
  async updateRegistration(workspaceId: string, customerId: string, registrationId: string, patch: RegistrationPatch, actor: Actor) {
    const registration = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      if (!(await repo.customer(workspaceId, customerId))) throw errors.notFound('customer');
      const current = await repo.lockRegistration(workspaceId, customerId, registrationId);
      if (!current) throw errors.notFound('registration');
      const purchasedOn = patch.purchasedOn === undefined ? current.purchased_on : patch.purchasedOn;
      const warrantyUntil = patch.warrantyUntil === undefined ? current.warranty_until : patch.warrantyUntil;
      if (purchasedOn && warrantyUntil && warrantyUntil < purchasedOn) throw errors.warrantyBeforePurchase();
      const row = await repo.updateRegistration(workspaceId, registrationId, {
        serial: patch.serial, purchased_on: patch.purchasedOn, warranty_until: patch.warrantyUntil, bought_from: patch.boughtFrom,
      }).catch(rethrowUnique(() => errors.serialTaken(patch.serial ?? '')));
      events.publish('customer.updated', workspaceId, { customerId, changed: ['products'] });
      return row;
    });
    await this.audit(workspaceId, customerId, ['products'], actor);
    return registration;
  }

  /** The order's amount is the sum of its lines. */
  async addOrder(workspaceId: string, customerId: string, input: OrderInput, actor: Actor): Promise<OrderWithLines> {
    const amount = sumMoney(input.lines.map((l) => l.amount));
    if (Number(amount) > Number(MAX_ORDER_TOTAL)) throw errors.orderTooLarge(MAX_ORDER_TOTAL);
    const order = await this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      if (!(await repo.customer(workspaceId, customerId))) throw errors.notFound('customer');
      const productIds = [...new Set(input.lines.flatMap((l) => (l.productId ? [l.productId] : [])))];
      if ((await repo.productIds(workspaceId, productIds)).length !== productIds.length) throw errors.referenceNotFound('lines[].productId');
      const row = await repo.insertOrder(workspaceId, { customer_id: customerId, reference: input.reference, ordered_at: input.orderedAt, amount, currency: input.currency })
        .catch(rethrowUnique(() => errors.orderReferenceTaken(input.reference ?? '')));
      const lines = await repo.insertOrderLines(workspaceId, input.lines.map((l) => ({
        order_id: row.id, product_id: l.productId, description: l.description, quantity: l.quantity, amount: l.amount,
      })));
      events.publish('customer.updated', workspaceId, { customerId, changed: ['orders'] });
      return { ...row, lines };
    });
    await this.audit(workspaceId, customerId, ['orders'], actor);
    return order;
  }

  // ---- consent

  purposes(workspaceId: string) {
    return this.repo.purposes(workspaceId);
  }

  async createPurpose(workspaceId: string, input: PurposeInput) {
    const purpose = await this.repo.insertPurpose(workspaceId, { key: input.key, names: JSON.stringify(input.names), wording_version: input.wordingVersion });
    if (!purpose) throw errors.purposeTaken(input.key);
    return purpose;
  }

  async updatePurpose(workspaceId: string, id: string, patch: PurposePatch) {
    const purpose = await this.repo.updatePurpose(workspaceId, id, { names: patch.names && JSON.stringify(patch.names), wording_version: patch.wordingVersion });
    if (!purpose) throw errors.notFound('consent purpose');
    return purpose;
  }

  /** Every purpose of the workspace with the customer's latest grant or withdrawal (none: not granted). */
  async consents(workspaceId: string, customerId: string): Promise<ConsentState[]> {
    await this.customer(workspaceId, customerId);
    const [purposes, current] = await Promise.all([this.repo.purposes(workspaceId), this.repo.currentConsents(workspaceId, customerId)]);
    return purposes.map((purpose) => {
      const change = current.find((c) => c.purpose_id === purpose.id) ?? null;
      return { purpose, granted: change?.granted ?? false, change };
    });
  }

  async consentLog(workspaceId: string, customerId: string) {
    await this.customer(workspaceId, customerId);
    return this.repo.consentLog(workspaceId, customerId, PAGE_MAX);
  }

  /**
   * Logs a grant or withdrawal. Repeating the current state under the same wording logs nothing;
   * a grant under a new wording is logged (the customer agreed to that text).
   */
  async setConsent(workspaceId: string, customerId: string, input: ConsentInput, changer: ConsentChanger): Promise<ConsentState> {
    return this.repo.transaction(workspaceId, this.bus, async (repo, events) => {
      if (!(await repo.lockCustomer(workspaceId, customerId))) throw errors.notFound('customer');
      const purpose = await repo.purpose(workspaceId, input.purposeId);
      if (!purpose) throw errors.referenceNotFound('purposeId');
      const wordingVersion = input.wordingVersion ?? purpose.wording_version;
      const before = (await repo.currentConsents(workspaceId, customerId)).find((c) => c.purpose_id === purpose.id);
      if (before && before.granted === input.granted && before.wording_version === wordingVersion) return { purpose, granted: before.granted, change: before };
      const change = await repo.insertConsentChange(workspaceId, {
        customer_id: customerId, purpose_id: purpose.id, granted: input.granted, channel: input.channel, wording_version: wordingVersion,
        changed_by_type: changer.type, changed_by_id: changer.id, changed_at: this.clock.now(),
      });
      if ((before?.granted ?? false) !== input.granted) {
        events.publish('consent.changed', workspaceId, { customerId, purposeId: purpose.id, purpose: purpose.key, granted: input.granted, channel: input.channel });
      }
      return { purpose, granted: change.granted, change };
    });
  }

  // ---- the 360° view

  async record(workspaceId: string, customerId: string) {
    const customer = await this.customer(workspaceId, customerId);
    const [identities, company, notes, products, orders, consents, tickets] = await Promise.all([
      this.repo.identities(workspaceId, customerId),
      customer.company_id ? this.repo.company(workspaceId, customer.company_id) : undefined,
      this.repo.notes(workspaceId, customerId, RECENT),
      this.repo.registrations(workspaceId, customerId),
      this.orders(workspaceId, customerId),
      this.consents(workspaceId, customerId),
      this.tickets.customerTickets(workspaceId, customerId, RECENT),
    ]);
    return { customer, identities, company: company ?? null, notes, products, orders, consents, tickets };
  }

  /**
   * Everything the customer did or had done across channels, newest first: tickets (chats are
   * tickets too), notes, products registered, orders, consent changes, merges and the record's start.
   */
  async timeline(workspaceId: string, customerId: string, limit = 50): Promise<TimelineEntry[]> {
    const customer = await this.customer(workspaceId, customerId);
    const [tickets, notes, products, orders, consents, merges] = await Promise.all([
      this.tickets.customerTickets(workspaceId, customerId, limit),
      this.repo.notes(workspaceId, customerId, limit),
      this.repo.registrations(workspaceId, customerId),
      this.repo.orders(workspaceId, customerId, limit),
      this.repo.consentLog(workspaceId, customerId, limit),
      this.repo.merges(workspaceId, customerId),
    ]);
    const entries: TimelineEntry[] = [
      { at: customer.created_at, kind: 'created' },
      ...tickets.map((t) => ({ at: t.created_at, kind: 'ticket' as const, ticket: { id: t.id, number: t.number, subject: t.subject, status: t.status, channel: t.channel } })),
      ...notes.map((n) => ({ at: n.created_at, kind: 'note' as const, note: { id: n.id, body: n.body, authorId: n.author_id } })),
      ...products.map((r) => ({ at: r.created_at, kind: 'product' as const, registration: { id: r.id, model: r.model, serial: r.serial } })),
      ...orders.map((o) => ({ at: o.ordered_at, kind: 'order' as const, order: { id: o.id, reference: o.reference, amount: o.amount, currency: o.currency } })),
      ...consents.map((c) => ({ at: c.changed_at, kind: 'consent' as const, consent: { purposeId: c.purpose_id, granted: c.granted, channel: c.channel } })),
      ...merges.map((m) => ({ at: m.created_at, kind: 'merge' as const, merge: { mergedName: m.merged_name, mergedEmail: m.merged_email } })),
    ];
    return entries.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
  }

  /** An export of the customer's data is audited (by id only: the log outlives an erasure). */
  auditExport(workspaceId: string, customerId: string, actor: Actor) {
    return this.auditor.audit(workspaceId, actor, 'customer.exported', 'customer', customerId, {});
  }

  private audit(workspaceId: string, customerId: string, changed: string[], actor: Actor) {
    return this.auditor.audit(workspaceId, actor, 'customer.updated', 'customer', customerId, { changed });
  }
}

async function addIdentity(repo: CustomersRepo, workspaceId: string, customerId: string, input: IdentityInput, now: Date): Promise<IdentityRow> {
  const value = normaliseIdentity(input.kind, input.value);
  if (!value) throw errors.identityInvalid(input.kind);
  const primary = input.primary && hasPrimary(input.kind);
  if (primary) await repo.demotePrimary(workspaceId, customerId, input.kind);
  const identity = await repo.insertIdentity(workspaceId, {
    customer_id: customerId, kind: input.kind, value, is_primary: primary, verified_at: input.verified ? now : null,
  });
  if (!identity) throw errors.identityTaken(input.kind, value);
  // The sign-in address follows the primary e-mail; the trigger leaves identities alone (it is taken).
  if (primary && input.kind === 'email') await repo.updateCustomer(workspaceId, customerId, { email: value }, now);
  return identity;
}

/** The attributes after `changes`, each checked against its definition; null removes one. */
function checkAttributes(definitions: AttributeDefinitionRow[], current: Record<string, AttributeValue>, changes: Record<string, AttributeValue | null>) {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    const definition = definitions.find((d) => d.key === key);
    if (!definition) throw errors.attributeUnknown(key);
    if (value === null) {
      delete next[key];
      continue;
    }
    const problem = attributeProblem(definition, value);
    if (problem) throw errors.attributeInvalid(key, definition.type, problem);
    next[key] = value;
  }
  return next;
}

/** The address of a customer created by phone alone: their first phone's (`phoneOnlyAddress`). */
function firstPhoneAddress(identities: CustomerInput['identities']): string {
  const phone = identities.find((i) => i.kind === 'phone')!;
  const normal = normaliseIdentity('phone', phone.value);
  if (!normal) throw errors.identityInvalid('phone');
  return phoneOnlyAddress(normal);
}

const rethrowUnique = (error: () => AppError) => (cause: unknown): never => {
  throw isUniqueViolation(cause) ? error() : cause;
};

/** A company's name and its domain are each unique per workspace: the 409 says which one is taken. */
const rethrowCompanyTaken = (given: { name?: string; domain?: string | null }) => (cause: unknown): never => {
  if (isUniqueViolation(cause, 'customer_companies_domain')) throw errors.companyDomainTaken(given.domain ?? '');
  throw isUniqueViolation(cause) ? errors.companyTaken(given.name ?? '') : cause;
};

function formatCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

function parseCursor(text: string): ListCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString()) as unknown[];
    const createdAt = new Date(String(at));
    if (typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(createdAt.getTime())) return { createdAt, id };
  } catch { /* answered below */ }
  throw cursorInvalid('This cursor was not given by the customer list');
}
