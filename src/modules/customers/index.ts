/** The customers module's public face and manifest: the customer database (issue 13). See README.md. */
import { defineModule } from '../../core/module.js';
import type { AccountsService, Actor } from '../accounts/index.js';
import { seedCustomersDemo } from './customers.demo.js';
import { en, zhCN } from './customers.i18n.js';
import { customersRoutes } from './customers.routes.js';
import { IMPORT_JOB, type CustomerImports } from './customers.import.js';
import type { CustomerMerges } from './customers.merge.js';
import type { CustomersService } from './customers.service.js';
import { ERASE_JOB, type CustomerDataRights } from './customers.data-rights.js';
import { customerPages } from './customers.pages.js';
import type { CustomerSegments } from './customers.segments.js';
import { segmentRoutes } from './customers.segments.routes.js';
import { countScheduler, registerSegmentCountWorker } from './customers.segments.jobs.js';

export { CustomersService, type CustomerTickets, type ConsentChanger, type ConsentState } from './customers.service.js';
export { customerErrors } from './customers.errors.js';
export { CustomerImports } from './customers.import.js';
export { CustomerMerges, type CustomerReferenceMover } from './customers.merge.js';
export { CustomerSegments, type CustomerContactSource, type SegmentCount } from './customers.segments.js';
export { CustomerDataRights, ERASED, type CustomerDataEraser, type ErasureSubject } from './customers.data-rights.js';
export { IDENTITY_KINDS, ATTRIBUTE_TYPES, CONSENT_CHANNELS, type IdentityKind, type CustomerRow, type CustomersTables } from './customers.schema.js';

const SYSTEM: Actor = { type: 'system', id: null };

type CustomersNeeds = {
  customers: CustomersService; customerImports: CustomerImports; customerMerges: CustomerMerges; customerDataRights: CustomerDataRights; customerSegments: CustomerSegments; accounts: AccountsService;
};

export const customersModule = defineModule<CustomersNeeds>({
  name: 'customers',
  i18n: { namespace: 'customers', strings: { en, 'zh-CN': zhCN } },
  routes: ({ services }) => [customersRoutes(services), segmentRoutes(services.customerSegments)],
  pages: ({ services }) => [customerPages(services)],
  subscriptions: ({ customerImports, customerDataRights }, jobs) => {
    // Saved segments' stored counts follow what their rules read (orders and products arrive as customer.updated).
    const recountLater = countScheduler(jobs);
    const changed = (event: { workspaceId: string }) => recountLater(event.workspaceId);
    return {
      'customer_import.queued': (event) => customerImports.queue(jobs, event.workspaceId, event.payload.importId).then(() => undefined),
      'customer.erasure_requested': (event) => customerDataRights.queue(jobs, event.workspaceId, event.payload.customerId),
      'customer.created': changed, 'customer.updated': changed, 'customer.merged': changed, 'customer.erased': changed, 'consent.changed': changed,
    };
  },
  workers: async ({ customerImports, customerDataRights, customerSegments }, jobs) => {
    // Replayable (core/jobs/replayable.ts): each batch is rebuilt from the stored file, its progress in its own transaction.
    await jobs.work<{ workspaceId: string; importId: string }>(IMPORT_JOB, (job) => customerImports.run(job.data.workspaceId, job.data.importId), { replayable: true });
    await jobs.work<{ workspaceId: string; erasureId: string }>(ERASE_JOB, (job) => customerDataRights.erase(job.data.workspaceId, job.data.erasureId));
    await registerSegmentCountWorker(customerSegments, jobs);
  },
  demo: ({ customers, customerSegments }, world) => seedCustomersDemo(customers, customerSegments, world),
  tenancyFixture: async ({ customers, customerImports, customerDataRights, customerSegments }, ws) => {
    // Unique per workspace, so every text below is a value the other workspace must never see.
    const label = `ws${ws.id.slice(0, 8)}`;
    const company = await customers.createCompany(ws.id, { name: `${label} secret company`, domain: null, notes: `${label} secret company notes` }, SYSTEM);
    const attribute = await customers.defineAttribute(ws.id, { key: 'secret_level', labels: { en: `${label} secret attribute` }, type: 'text', choices: [] }, SYSTEM);
    const customer = await customers.create(ws.id, {
      name: `${label} secret crm customer`, email: `crm@${label}-customer.example`, locale: 'en', timeZone: null, companyId: company.id, address: null,
      tags: [], attributes: { secret_level: `${label} secret value` }, identities: [{ kind: 'phone', value: '+8613900000001', primary: true, verified: false }],
    }, SYSTEM);
    const phone = (await customers.identities(ws.id, customer.id)).find((i) => i.kind === 'phone')!;
    const product = await customers.createProduct(ws.id, { model: `${label}-SECRET-1`, names: { en: `${label} secret product` }, category: '' });
    const registration = await customers.registerProduct(ws.id, customer.id, { productId: product.id, serial: `${label}-secret-serial`, purchasedOn: null, warrantyUntil: null, boughtFrom: '' }, SYSTEM);
    const order = await customers.addOrder(ws.id, customer.id, {
      reference: `${label}-secret-order`, orderedAt: new Date('2026-01-01T00:00:00Z'), currency: 'CNY',
      lines: [{ productId: product.id, description: `${label} secret line`, quantity: 1, amount: '10.00' }],
    }, SYSTEM);
    const purpose = await customers.createPurpose(ws.id, { key: 'secret_purpose', names: { en: `${label} secret purpose` }, wordingVersion: 'v1' });
    await customers.setConsent(ws.id, customer.id, { purposeId: purpose.id, granted: true, channel: 'api' }, SYSTEM);
    const duplicate = await customers.create(ws.id, {
      name: `${label} secret crm customer`, email: `crm.twin@${label}-customer.example`, locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [],
    }, SYSTEM);
    // A customer whose erasure was asked for: its status is what GET /customers/:id/erasure answers.
    const leaving = await customers.create(ws.id, {
      name: `${label} secret leaving customer`, email: `leaving@${label}-customer.example`, locale: null, timeZone: null, companyId: null, address: null, tags: [], attributes: {}, identities: [],
    }, SYSTEM);
    await customerDataRights.requestErasure(ws.id, leaving.id, { type: 'system', id: null }, SYSTEM);
    const csv = await customerImports.start(ws.id, { name: `${label}-secret.csv`, bytes: Buffer.from(`email,name\r\nimported@${label}-customer.example,${label} secret imported\r\n`) }, SYSTEM);
    const segment = await customerSegments.create(ws.id, {
      name: `${label} secret segment`, description: `${label} secret segment description`,
      rule: { match: 'all', conditions: [{ field: 'company', op: 'is', companyId: company.id }, { field: 'product', op: 'owns', model: product.model }] },
    }, SYSTEM);
    return {
      crmSegment: segment.id,
      crmCustomer: customer.id, crmCustomerEmail: customer.email, crmCustomerName: customer.name, crmIdentity: phone.id,
      crmCompany: company.id, crmProduct: product.id, crmRegistration: registration.id, crmOrder: order.id,
      consentPurpose: purpose.id, customerAttribute: attribute.id, crmDuplicate: duplicate.id, crmImport: csv.id, crmErasedCustomer: leaving.id,
    };
  },
});
