import { once } from 'node:events';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod';
import iconv from 'iconv-lite';
import { z } from 'zod';
import {
  AttributeView, CompanyListView, CompanyPageView, CompanyView, ConsentChangeView, ErasureView, ConsentView, CustomerPageView, CustomerView, DuplicatesView, IDENTITY_KINDS, IdentityView, ImportStatusView,
  MERGE_FIELDS, MergeView, OrderView, ProductView, PurposeView, RecordView, RegistrationView, TimelineView,
} from '../../contracts/customers.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import { customerErrors } from './customers.errors.js';
import type { CompanyRow, ConsentChangeRow, CustomerRow, ErasureRow, IdentityRow, ProductRow } from './customers.schema.js';
import type { CustomerDataRights } from './customers.data-rights.js';
import { safeCell } from './customers.data-archive.js';
import { IMPORT_MAX_BYTES, type CustomerImports } from './customers.import.js';
import type { CustomerMerges } from './customers.merge.js';
import type { CustomerSegments } from './customers.segments.js';
import type { ImportView } from './customers.repo.js';
import type { ConsentState, CustomersService, OrderWithLines } from './customers.service.js';
import {
  AttributeDefinitionInput, CompanyInput, CompanyPatch, ConsentInput, CustomerInput, CustomerPatch, IdentityInput, NoteInput,
  OrderInput, ProductInput, ProductPatch, PurposeInput, PurposePatch, RegistrationInput, RegistrationPatch,
} from './customers.validate.js';
import { ErrorView, IdParams } from '../../contracts/http.js';

export interface CustomersRouteServices { customers: CustomersService; customerImports: CustomerImports; customerMerges: CustomerMerges; customerDataRights: CustomerDataRights; customerSegments: CustomerSegments }

const errorsOf = (...statuses: (400 | 404 | 409 | 422)[]) => Object.fromEntries(statuses.map((s) => [s, ErrorView]));

export const customerView = (c: CustomerRow) => ({
  id: c.id, name: c.name, email: c.email, locale: c.locale, timeZone: c.time_zone, companyId: c.company_id, address: c.address,
  tags: c.tags, attributes: c.attributes, createdAt: c.created_at, updatedAt: c.updated_at, erasedAt: c.erased_at,
});
const erasureView = (e: ErasureRow) => ({
  id: e.id, customerId: e.customer_id, status: e.status, requestedBy: { type: e.requested_by_type, id: e.requested_by_id },
  counts: e.counts, createdAt: e.created_at, finishedAt: e.finished_at,
});
const identityView = (i: IdentityRow) => ({ id: i.id, kind: i.kind, value: i.value, primary: i.is_primary, verified: i.verified_at !== null, createdAt: i.created_at });
const companyView = (c: CompanyRow) => ({ id: c.id, name: c.name, domain: c.domain, notes: c.notes, createdAt: c.created_at, updatedAt: c.updated_at });
const productView = (p: ProductRow) => ({ id: p.id, model: p.model, names: p.names, category: p.category, createdAt: p.created_at });
const registrationView = (r: { id: string; product_id: string; serial: string; purchased_on: string | null; warranty_until: string | null; bought_from: string; created_at: Date }) => ({
  id: r.id, productId: r.product_id, serial: r.serial, purchasedOn: r.purchased_on, warrantyUntil: r.warranty_until, boughtFrom: r.bought_from, createdAt: r.created_at,
});
const orderView = (o: OrderWithLines) => ({
  id: o.id, reference: o.reference, orderedAt: o.ordered_at, amount: o.amount, currency: o.currency,
  lines: o.lines.map((l) => ({ productId: l.product_id, description: l.description, quantity: l.quantity, amount: l.amount })),
});
const purposeView = (p: ConsentState['purpose']) => ({ id: p.id, key: p.key, names: p.names, wordingVersion: p.wording_version });
const consentView = (s: ConsentState) => ({ purpose: purposeView(s.purpose), granted: s.granted, since: s.change?.changed_at ?? null, wordingVersion: s.change?.wording_version ?? null });
const changeView = (c: ConsentChangeRow) => ({
  purposeId: c.purpose_id, granted: c.granted, channel: c.channel, wordingVersion: c.wording_version,
  changedBy: { type: c.changed_by_type, id: c.changed_by_id }, changedAt: c.changed_at,
});

const importView = (i: ImportView) => ({
  id: i.id, fileName: i.file_name, status: i.status, total: i.total, processed: i.processed, created: i.created, updated: i.updated,
  refused: i.refused, createdAt: i.created_at, finishedAt: i.finished_at,
});
const mergeView = (m: Awaited<ReturnType<CustomerMerges['merge']>>) => ({
  id: m.id, survivorId: m.survivor_id, mergedId: m.merged_id, mergedName: m.merged_name, mergedEmail: m.merged_email,
  fieldsTaken: m.fields_taken, moved: m.moved, mergedBy: { type: m.merged_by_type, id: m.merged_by_id }, createdAt: m.created_at,
});
/** Params and query checked by zod; the body is the file's bytes, which only the CSV content-type parsers give. */
const fileBody: FastifySchemaCompiler<z.ZodType> = (route) => (route.httpPart === 'body'
  ? (data: unknown) => (Buffer.isBuffer(data) ? { value: data } : { error: new Error('Send the file as the body, with Content-Type: text/csv') })
  : validatorCompiler(route));
/**
 * Any agent reads the customer database and keeps the record (identities, notes, products owned,
 * consents told on the phone); admins define its shape (attributes, purposes, the catalogue) and
 * enter companies and orders. `GET /customers/:id` (the screen-pop) stays with the tickets module.
 */
export const customersRoutes = ({ customers, customerImports, customerMerges, customerDataRights, customerSegments }: CustomersRouteServices): FastifyPluginAsyncZod => async (app) => {
  const anyAgent = { preHandler: requireAgent() };
  const admins = { preHandler: requireAgent('admin') };
  const tags = ['customers'];

  app.get('/customers', {
    ...anyAgent,
    schema: {
      tags, summary: 'Customers, newest first, a page at a time; q finds names (Chinese too), e-mails, phones and other identities; segmentId keeps a saved segment\'s members',
      querystring: z.strictObject({
        q: z.string().trim().min(1).max(100).optional(), tag: z.string().max(40).optional(), companyId: z.string().uuid().optional(),
        segmentId: z.string().uuid().optional().describe('Only the customers of this saved segment'),
        cursor: z.string().max(200).optional().describe('nextCursor of the page before'), limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
      response: { 200: CustomerPageView, ...errorsOf(400) },
    },
  }, async (request) => {
    const { segmentId, ...filter } = request.query;
    const where = segmentId ? await customerSegments.where(request.workspace.id, segmentId) : undefined;
    const page = await customers.list(request.workspace.id, { ...filter, where });
    return { customers: page.customers.map(customerView), nextCursor: page.nextCursor };
  });

  app.post('/customers', {
    ...anyAgent,
    schema: { tags, summary: 'Create a customer with their identities; an identity another customer has is refused whole (409 IDENTITY_TAKEN)', body: CustomerInput, response: { 201: CustomerView, ...errorsOf(400, 409, 422) } },
  }, async (request, reply) => reply.code(201).send(customerView(await customers.create(request.workspace.id, request.body, actorOf(request)))));

  app.get('/customer-identities/resolve', {
    ...anyAgent,
    schema: {
      tags, summary: 'The customer an identity belongs to (an e-mail, a phone, a WeChat openid …)',
      querystring: z.strictObject({ kind: z.enum(IDENTITY_KINDS), value: z.string().min(1).max(320) }),
      response: { 200: CustomerView, ...errorsOf(404) },
    },
  }, async (request) => {
    const customer = await customers.findByIdentity(request.workspace.id, request.query.kind, request.query.value);
    if (!customer) throw customerErrors.notFound('customer');
    return customerView(customer);
  });

  app.get('/customers/:id/record', {
    ...anyAgent,
    schema: {
      tags, summary: 'The 360° record: the customer, identities, company, notes, products owned, orders, consents and recent tickets', params: IdParams,
      response: { 200: RecordView, ...errorsOf(404) },
    },
  }, async (request) => {
    const r = await customers.record(request.workspace.id, request.params.id);
    return {
      customer: customerView(r.customer), identities: r.identities.map(identityView), company: r.company && companyView(r.company),
      notes: r.notes.map((n) => ({ id: n.id, body: n.body, authorId: n.author_id, createdAt: n.created_at })),
      products: r.products.map((p) => ({ ...registrationView(p), model: p.model, names: p.names })),
      orders: r.orders.map(orderView), consents: r.consents.map(consentView),
      tickets: r.tickets.map((t) => ({ id: t.id, number: t.number, subject: t.subject, status: t.status, createdAt: t.created_at, updatedAt: t.updated_at })),
    };
  });

  app.patch('/customers/:id', {
    ...anyAgent,
    schema: { tags, summary: 'Change a customer\'s record; attributes are merged (null removes one)', params: IdParams, body: CustomerPatch, response: { 200: CustomerView, ...errorsOf(400, 404, 422) } },
  }, async (request) => customerView(await customers.update(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.post('/customers/:id/identities', {
    ...anyAgent,
    schema: { tags, summary: 'Add an e-mail, phone or channel identity; a primary e-mail becomes the sign-in address', params: IdParams, body: IdentityInput, response: { 201: IdentityView, ...errorsOf(400, 404, 409) } },
  }, async (request, reply) => reply.code(201).send(identityView(await customers.addIdentity(request.workspace.id, request.params.id, request.body, actorOf(request)))));

  app.delete('/customers/:id/identities/:identityId', {
    ...anyAgent,
    schema: { tags, summary: 'Remove an identity (not the primary e-mail)', params: z.strictObject({ id: z.string().uuid(), identityId: z.string().uuid() }), response: { 204: z.null(), ...errorsOf(404, 409) } },
  }, async (request, reply) => {
    await customers.removeIdentity(request.workspace.id, request.params.id, request.params.identityId, actorOf(request));
    return reply.code(204).send(null);
  });

  app.post('/customers/:id/notes', {
    ...anyAgent,
    schema: { tags, summary: 'Add a note to a customer', params: IdParams, body: NoteInput, response: { 201: z.object({ id: z.string(), body: z.string(), createdAt: z.date() }), ...errorsOf(404) } },
  }, async (request, reply) => {
    const note = await customers.addNote(request.workspace.id, request.params.id, request.body.body, actorOf(request));
    return reply.code(201).send({ id: note.id, body: note.body, createdAt: note.created_at });
  });

  app.post('/customers/:id/products', {
    ...anyAgent,
    schema: { tags, summary: 'Register a product the customer owns (serial, purchase, warranty)', params: IdParams, body: RegistrationInput, response: { 201: RegistrationView, ...errorsOf(400, 404, 409, 422) } },
  }, async (request, reply) => reply.code(201).send(registrationView(await customers.registerProduct(request.workspace.id, request.params.id, request.body, actorOf(request)))));

  app.patch('/customers/:id/products/:registrationId', {
    ...anyAgent,
    schema: {
      tags, summary: 'Correct a registered product: serial, purchase date, warranty end, where bought (the product stays)',
      params: z.strictObject({ id: z.string().uuid(), registrationId: z.string().uuid() }), body: RegistrationPatch,
      response: { 200: RegistrationView, ...errorsOf(400, 404, 409) },
    },
  }, async (request) => registrationView(await customers.updateRegistration(request.workspace.id, request.params.id, request.params.registrationId, request.body, actorOf(request))));

  app.post('/customers/:id/orders', {
    ...admins,
    schema: { tags, summary: 'Record an order (admin); its amount is the sum of its lines', params: IdParams, body: OrderInput, response: { 201: OrderView, ...errorsOf(400, 404, 409, 422) } },
  }, async (request, reply) => reply.code(201).send(orderView(await customers.addOrder(request.workspace.id, request.params.id, request.body, actorOf(request)))));

  app.get('/customers/:id/consents', {
    ...anyAgent,
    schema: { tags, summary: 'The customer\'s consent per purpose as it stands, and the log of every change', params: IdParams, response: { 200: z.object({ consents: z.array(ConsentView), log: z.array(ConsentChangeView) }), ...errorsOf(404) } },
  }, async (request) => {
    const [consents, log] = await Promise.all([customers.consents(request.workspace.id, request.params.id), customers.consentLog(request.workspace.id, request.params.id)]);
    return { consents: consents.map(consentView), log: log.map(changeView) };
  });

  app.post('/customers/:id/consents', {
    ...anyAgent,
    schema: { tags, summary: 'Log a grant or withdrawal the customer made (on the phone, in a chat …)', params: IdParams, body: ConsentInput, response: { 200: ConsentView, ...errorsOf(400, 404, 422) } },
  }, async (request) => {
    const actor = actorOf(request);
    return consentView(await customers.setConsent(request.workspace.id, request.params.id, request.body, { type: actor.type, id: actor.id }));
  });

  app.get('/customers/:id/timeline', {
    ...anyAgent,
    schema: {
      tags, summary: 'Everything that happened with the customer across channels, newest first (tickets and chats, notes, products, orders, consents, merges)',
      params: IdParams, querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: z.object({ entries: z.array(TimelineView) }), ...errorsOf(404) },
    },
  }, async (request) => ({ entries: await customers.timeline(request.workspace.id, request.params.id, request.query.limit) }));

  // ---- the customer's own data (PIPL / GDPR): admins export it and erase it on request

  app.get('/customers/:id/data-export', {
    ...admins,
    schema: {
      tags, summary: 'Everything held on the customer that they may see, as one JSON document (admin): record, identities, products, purchases, consents, tickets and replies (no internal notes)',
      params: IdParams, response: { 200: z.record(z.string(), z.unknown()), ...errorsOf(404), 410: ErrorView },
    },
  }, async (request, reply) => {
    const data = await customerDataRights.export(request.workspace.id, request.params.id);
    await customers.auditExport(request.workspace.id, request.params.id, actorOf(request));
    return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="customer-${request.params.id}.json"`).send(data);
  });

  app.get('/customers/:id/data-archive', {
    ...admins,
    schema: {
      tags, summary: 'The same as a zip (admin): data.json, one CSV per kind (tickets, messages, products, orders, consents) and the attachments of their tickets',
      params: IdParams, produces: ['application/zip'], response: { 200: z.unknown().describe('The zip file'), ...errorsOf(404), 410: ErrorView },
    },
  }, async (request, reply) => {
    const archive = await customerDataRights.archive(request.workspace.id, request.params.id);
    await customers.auditExport(request.workspace.id, request.params.id, actorOf(request));
    return reply.type('application/zip').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="customer-${request.params.id}.zip"`).send(archive);
  });

  app.get('/customers/:id/erasure', {
    ...admins,
    schema: { tags, summary: 'The customer\'s erasure, if one was asked for (admin)', params: IdParams, response: { 200: ErasureView, ...errorsOf(404) } },
  }, async (request) => {
    await customers.customer(request.workspace.id, request.params.id);
    const erasure = await customerDataRights.erasure(request.workspace.id, request.params.id);
    if (!erasure) throw customerErrors.notFound('erasure');
    return erasureView(erasure);
  });

  app.post('/customers/:id/erasure', {
    ...admins,
    schema: {
      tags, summary: 'Erase the customer\'s personal data (admin): a durable job removes or anonymises it everywhere and keeps anonymous facts (ticket counts, timings); asking again answers the first request',
      params: IdParams, body: z.strictObject({ confirm: z.literal(true).describe('Erasure cannot be undone: say so') }),
      response: { 202: ErasureView, ...errorsOf(400, 404) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.code(202).send(erasureView(await customerDataRights.requestErasure(request.workspace.id, request.params.id, { type: actor.type, id: actor.id }, actor)));
  });

  // ---- duplicates

  app.get('/customers/:id/duplicates', {
    ...anyAgent,
    schema: {
      tags, summary: 'Customers that look like duplicates of this one (same name, the same phone in another spelling, the same mailbox), and earlier merges',
      params: IdParams,
      response: { 200: DuplicatesView, ...errorsOf(404) },
    },
  }, async (request) => {
    const [suggestions, merges] = await Promise.all([
      customerMerges.suggestions(request.workspace.id, request.params.id), customerMerges.history(request.workspace.id, request.params.id),
    ]);
    return { suggestions: suggestions.map((s) => ({ customer: customerView(s.customer), reasons: s.reasons })), merges: merges.map(mergeView) };
  });

  app.post('/customers/:id/merge', {
    ...anyAgent,
    schema: {
      tags, summary: 'Merge a duplicate into this customer: its identities, notes, products, orders, consents, tickets and chats move here, then it is deleted',
      params: IdParams,
      body: z.strictObject({
        duplicateId: z.string().uuid(),
        take: z.array(z.enum(MERGE_FIELDS)).max(MERGE_FIELDS.length).default([]).describe('Fields to take from the duplicate; the rest keep this customer\'s values'),
      }),
      response: { 200: MergeView, ...errorsOf(400, 404) },
    },
  }, async (request) => mergeView(await customerMerges.merge(request.workspace.id, request.params.id, request.body, actorOf(request))));

  // ---- CSV import and export (admins)

  app.register(async (plain) => {
    // The file comes as the request body itself (text/csv), read whole up to the import's limit;
    // the body schema below documents it, the parser is what checks it.
    plain.addContentTypeParser(['text/csv', 'application/octet-stream', 'application/vnd.ms-excel'], { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (_request, body, done) => done(null, body));
    plain.setValidatorCompiler(fileBody);
    const csv = plain.withTypeProvider<ZodTypeProvider>();
    csv.post('/customers/imports', {
      ...admins,
      schema: {
        tags, summary: 'Import customers from a CSV file (admin): UTF-8, UTF-16 or GBK/GB18030 as Excel saves it; known e-mails are updated, bad rows reported by line',
        querystring: z.strictObject({ fileName: z.string().trim().min(1).max(200).default('customers.csv') }),
        body: z.string().describe('The CSV file (Content-Type: text/csv). Columns: email (required), name, phone, locale, time_zone, company, tags (separated by ;) and attribute keys; Chinese headings (邮箱, 姓名, 电话 …) work too'),
        response: { 202: ImportStatusView, ...errorsOf(400) },
      },
    }, async (request, reply) => reply.code(202).send(importView(await customerImports.start(request.workspace.id, { name: request.query.fileName, bytes: request.body as unknown as Buffer }, actorOf(request)))));
  });

  app.get('/customers/imports', {
    ...admins,
    schema: { tags, summary: 'Recent imports with their progress (admin)', response: { 200: z.object({ imports: z.array(ImportStatusView) }) } },
  }, async (request) => ({ imports: (await customerImports.list(request.workspace.id)).map(importView) }));

  app.get('/customers/imports/:id', {
    ...admins,
    schema: { tags, summary: 'An import\'s progress and the rows it refused (admin)', params: IdParams, response: { 200: ImportStatusView, ...errorsOf(404) } },
  }, async (request) => importView(await customerImports.find(request.workspace.id, request.params.id)));

  app.get('/customers/export', {
    ...admins,
    schema: {
      tags, summary: 'Every customer as CSV (admin): UTF-8 with a BOM for Excel, or GB18030; the columns the import reads',
      querystring: z.strictObject({ encoding: z.enum(['utf-8', 'gb18030']).default('utf-8') }),
      produces: ['text/csv'],
    },
  }, async (request, reply) => {
    const { encoding } = request.query;
    const rows = customerImports.export(request.workspace.id);
    const lines = stringify({ record_delimiter: 'windows' });
    void (async () => {
      try {
        for await (const row of rows) if (!lines.write(row.map(safeCell))) await once(lines, 'drain');
        lines.end();
      } catch (error) {
        lines.destroy(error as Error);
      }
    })();
    return reply.header('content-type', `text/csv; charset=${encoding}`)
      .header('content-disposition', 'attachment; filename="customers.csv"').send(Readable.from(encoded(lines, encoding)));
  });

  // ---- the record's shape: attributes and consent purposes (admins)

  app.get('/customer-attributes', {
    ...anyAgent,
    schema: { tags, summary: 'The custom attributes of this workspace\'s customers', response: { 200: z.object({ attributes: z.array(AttributeView) }) } },
  }, async (request) => ({ attributes: (await customers.attributeDefinitions(request.workspace.id)).map((a) => ({ id: a.id, key: a.key, labels: a.labels, type: a.type, choices: a.choices })) }));

  app.post('/customer-attributes', {
    ...admins,
    schema: { tags, summary: 'Define a custom attribute (admin): text, number, date or choice', body: AttributeDefinitionInput, response: { 201: AttributeView, ...errorsOf(400, 409) } },
  }, async (request, reply) => {
    const a = await customers.defineAttribute(request.workspace.id, request.body, actorOf(request));
    return reply.code(201).send({ id: a.id, key: a.key, labels: a.labels, type: a.type, choices: a.choices });
  });

  app.get('/consent-purposes', {
    ...anyAgent,
    schema: { tags, summary: 'What customers may consent to in this workspace', response: { 200: z.object({ purposes: z.array(PurposeView) }) } },
  }, async (request) => ({ purposes: (await customers.purposes(request.workspace.id)).map(purposeView) }));

  app.post('/consent-purposes', {
    ...admins,
    schema: { tags, summary: 'Add a consent purpose (admin)', body: PurposeInput, response: { 201: PurposeView, ...errorsOf(400, 409) } },
  }, async (request, reply) => reply.code(201).send(purposeView(await customers.createPurpose(request.workspace.id, request.body))));

  app.patch('/consent-purposes/:id', {
    ...admins,
    schema: { tags, summary: 'Rename a purpose or publish a new wording version (admin)', params: IdParams, body: PurposePatch, response: { 200: PurposeView, ...errorsOf(400, 404) } },
  }, async (request) => purposeView(await customers.updatePurpose(request.workspace.id, request.params.id, request.body)));

  // ---- companies and the product catalogue

  app.get('/customer-companies', {
    ...anyAgent,
    schema: { tags, summary: 'Companies (B2B customers) by name, each with its number of customers', response: { 200: z.object({ companies: z.array(CompanyListView) }) } },
  }, async (request) => ({ companies: (await customers.companiesWithCounts(request.workspace.id)).map((c) => ({ ...companyView(c.company), memberCount: c.memberCount })) }));

  app.post('/customer-companies', {
    ...admins,
    schema: { tags, summary: 'Add a company (admin); its name and its domain are each unique in the workspace (409 COMPANY_TAKEN, COMPANY_DOMAIN_TAKEN)', body: CompanyInput, response: { 201: CompanyView, ...errorsOf(400, 409) } },
  }, async (request, reply) => reply.code(201).send(companyView(await customers.createCompany(request.workspace.id, request.body, actorOf(request)))));

  app.get('/customer-companies/:id', {
    ...anyAgent,
    schema: {
      tags, summary: 'A company and its first 100 members by name, with each member\'s number of tickets (chats included)', params: IdParams,
      response: { 200: CompanyPageView, ...errorsOf(404) },
    },
  }, async (request) => {
    const { company, members } = await customers.company(request.workspace.id, request.params.id);
    return { ...companyView(company), members };
  });

  app.patch('/customer-companies/:id', {
    ...admins,
    schema: { tags, summary: 'Change a company\'s name, domain or notes (admin)', params: IdParams, body: CompanyPatch, response: { 200: CompanyView, ...errorsOf(400, 404, 409) } },
  }, async (request) => companyView(await customers.updateCompany(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.delete('/customer-companies/:id', {
    ...admins,
    schema: { tags, summary: 'Delete a company (admin); its customers stay, without a company', params: IdParams, response: { 204: z.null(), ...errorsOf(404) } },
  }, async (request, reply) => {
    await customers.deleteCompany(request.workspace.id, request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.get('/products', {
    ...anyAgent,
    schema: { tags, summary: 'The product catalogue', querystring: z.strictObject({ category: z.string().max(80).optional() }), response: { 200: z.object({ products: z.array(ProductView) }) } },
  }, async (request) => ({ products: (await customers.products(request.workspace.id, request.query.category)).map(productView) }));

  app.post('/products', {
    ...admins,
    schema: { tags, summary: 'Add a product model to the catalogue (admin)', body: ProductInput, response: { 201: ProductView, ...errorsOf(400, 409) } },
  }, async (request, reply) => reply.code(201).send(productView(await customers.createProduct(request.workspace.id, request.body))));

  app.patch('/products/:id', {
    ...admins,
    schema: { tags, summary: 'Rename or recategorise a product (admin)', params: IdParams, body: ProductPatch, response: { 200: ProductView, ...errorsOf(400, 404) } },
  }, async (request) => productView(await customers.updateProduct(request.workspace.id, request.params.id, request.body)));
};

/** Excel reads a CSV as UTF-8 only when it starts with a BOM; GB18030 is what it reads without one on Chinese Windows. */
async function* encoded(lines: AsyncIterable<string | Buffer>, encoding: 'utf-8' | 'gb18030'): AsyncGenerator<Buffer> {
  if (encoding === 'utf-8') yield Buffer.from('\uFEFF');
  for await (const chunk of lines) yield encoding === 'utf-8' ? Buffer.from(chunk) : iconv.encode(chunk.toString(), 'gb18030');
}
