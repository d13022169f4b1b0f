import { Readable } from 'node:stream';
import { platformModules, type Services } from '../../src/services.js';
import { freePort } from '../helpers/cli.js';
import { sampleEvent } from '../helpers/events.js';

/** A workspace as the fixtures see it; `label` starts every text they write, so a leak is recognisable. */
export interface FixtureWorkspace { id: string; adminId: string; label: string }

/**
 * What one module creates in a workspace so the cross-workspace checker can try every route with
 * those ids: a record from fixture key (the kind of id, `ticket`, `kbCategory` …) to value. Every
 * value longer than a ticket number is also a secret the other workspace must never see.
 */
export type ModuleTenancyFixture = (services: Services, workspace: FixtureWorkspace) => Promise<Record<string, string>>;

const system = { type: 'system' as const, id: null };
const text = (stream: string) => Readable.from([Buffer.from(stream)]);

const accountsFixture: ModuleTenancyFixture = async (s, ws) => {
  const agent = await s.accounts.createAgent(ws.id, { email: `quiet@${ws.label}.example`, name: `${ws.label} quiet agent`, role: 'agent', password: `${ws.label}-password-1` }, system);
  const token = await s.accounts.createApiToken(ws.id, ws.adminId, `${ws.label}-token`, system);
  // The portal's signed-in customer, who owns the tickets below (they are opened with this e-mail).
  const customer = await s.accounts.registerCustomer(ws.id, { email: `customer@${ws.label}-customer.example`, name: `${ws.label} portal customer`, password: `${ws.label}-customer-pw`, locale: 'en' });
  const workspace = await s.accounts.workspace(ws.id);
  const invitation = await s.accounts.inviteAgent(ws.id, { email: `invited@${ws.label}.example`, name: `${ws.label} invited agent`, role: 'agent' }, system);
  const [hostname] = await s.accounts.addHostname(ws.id, `help.${ws.label}-${ws.id.slice(0, 8)}.tenancy.example`, system);
  return { hostname: hostname!, workspaceSlug: workspace.slug, agentInvitation: invitation.id, agentInvitationEmail: invitation.email, agent: agent.id, agentEmail: agent.email, agentName: agent.name, apiToken: token.id, apiTokenSecret: token.token, customer: customer.id, customerEmail: customer.email };
};

const ticketsFixture: ModuleTenancyFixture = async (s, ws) => {
  const customer = { email: `customer@${ws.label}-customer.example`, name: `${ws.label} portal customer` };
  const ticket = await s.tickets.open(ws.id, { subject: `${ws.label} secret subject`, body: `${ws.label} secret body`, channel: 'web', customer }, system);
  const related = await s.tickets.open(ws.id, { subject: `${ws.label} related subject`, body: `${ws.label} related body`, channel: 'web', customer: { id: ticket.customer_id } }, system);
  const file = await s.attachments.save({ filename: `${ws.label}-invoice.txt`, stream: text(`${ws.label} attachment content`) });
  const reply = await s.tickets.addMessage(ws.id, ticket.id, { kind: 'reply', body: `${ws.label} secret reply`, attachments: [file] }, { type: 'agent', id: ws.adminId });
  await s.tickets.addMessage(ws.id, ticket.id, { kind: 'note', body: `${ws.label} secret note` }, system);
  await s.tickets.link(ws.id, ticket.id, related.id);
  const view = await s.tickets.saveView(ws.id, ws.adminId, `${ws.label} secret view`, { view: 'all' }, true);
  const canned = await s.tickets.addCannedReply(ws.id, { title: `${ws.label} secret canned`, body: `${ws.label} canned body`, locale: null });
  return {
    ticket: ticket.id, ticketNumber: String(ticket.number), relatedTicket: related.id, message: reply.id, ticketAttachment: reply.attachments[0]!.id,
    view: view.id, canned: canned.id, subject: ticket.subject, body: `${ws.label} secret body`, note: `${ws.label} secret note`,
  };
};

const chatFixture: ModuleTenancyFixture = async (s, ws) => {
  const chat = await s.chat.conversations.start(ws.id, { name: `${ws.label} chat visitor`, email: `chat@${ws.label}-customer.example`, text: `${ws.label} secret chat text` }, 'en', 'tenancy-fixture');
  const channel = await s.chatChannels.create(ws.id, { name: `${ws.label} secret SMS`, kind: 'sms', outboundUrl: null, departmentId: null });
  return { chatConversation: chat.conversation.id, chatText: `${ws.label} secret chat text`, chatChannel: channel.id, chatChannelSecret: channel.secret };
};

const routingFixture: ModuleTenancyFixture = async (s, ws) => {
  const departments = await s.tickets.departments(ws.id);
  const department = departments[0]!;
  const agent = (await s.accounts.listAgents(ws.id)).find((a) => a.role === 'agent')!;
  await s.routing.configureDepartment(ws.id, department.id, { strategy: 'round_robin', autoAssign: true, memberIds: [agent.id] }, system);
  await s.routing.updateAgent(ws.id, agent.id, { availability: 'away', ticketCapacity: 7 });
  return { department: department.id, otherDepartment: departments[1]!.id };
};

const slaFixture: ModuleTenancyFixture = async (s, ws) => {
  const sales = (await s.tickets.departments(ws.id)).find((d) => d.key === 'sales')!;
  const policy = await s.sla.createPolicy(ws.id, { name: `${ws.label} secret policy`, urgency: 2, departmentId: sales.id, firstResponseMinutes: 15, nextResponseMinutes: null, resolutionMinutes: null });
  return { slaPolicy: policy.id };
};

const webhooksFixture: ModuleTenancyFixture = async (s, ws) => {
  // Its deliveries fail: a port bound and closed again has nobody listening.
  const hook = await s.webhooks.create(ws.id, { url: `http://127.0.0.1:${await freePort()}/${ws.label}-secret-hook`, events: ['ticket.*'], description: `${ws.label} secret hook` }, system);
  await s.webhooks.enqueue(sampleEvent('ticket.solved', ws.id));
  const delivery = (await s.webhooks.deliveries(ws.id, hook.webhook.id, { limit: 1 })).deliveries[0]!;
  return { webhook: hook.webhook.id, webhookSecret: hook.secret, webhookDelivery: delivery.id };
};

const mailOutboundFixture: ModuleTenancyFixture = async (s, ws) => {
  // Held in the outbox: the test app has no SMTP settings.
  const mail = await s.outbox.queue(ws.id, {
    to: `mail@${ws.label}-customer.example`, template: 'passwordReset', locale: 'en', vars: { name: `${ws.label} mail secret`, workspace: ws.label, link: 'http://x' },
  });
  return { outboxMail: mail.id };
};

const troubleshootingFixture: ModuleTenancyFixture = async (s, ws) => {
  const tree = await s.troubleshooting.create(ws.id, {
    slug: `${ws.label}-secret-tree`, locale: 'en', product: `${ws.label} product`, title: `${ws.label} secret tree`,
    nodes: [{ id: 'q', kind: 'question', title: `${ws.label} question?`, answers: [{ id: 'a', label: 'Yes', next: 'r' }] }, { id: 'r', kind: 'repair', title: `${ws.label} repair` }],
  }, system);
  await s.troubleshooting.publish(ws.id, tree.id, system);
  return { tree: tree.id, treeSlug: tree.slug, treeTitle: `${ws.label} secret tree` };
};

const kbFixture: ModuleTenancyFixture = async (s, ws) => {
  const category = await s.kb.createCategory(ws.id, { slug: `${ws.label}-secret-category`, names: { en: `${ws.label} secret category` } });
  const draft = await s.kb.createArticle(ws.id, { title: `${ws.label} secret kb article`, markdown: `${ws.label} secret kb body`, locale: 'en', categoryId: category.id, slug: `${ws.label}-secret-article` }, null);
  const article = await s.kb.publish(ws.id, draft.id, undefined);
  const file = await s.kb.addAttachment(ws.id, article.id, { filename: `${ws.label}-kb.txt`, stream: text(`${ws.label} kb file`) });
  await s.kb.vote(ws.id, article.id, `visitor:${ws.label}-reader`, false, `${ws.label} secret kb feedback`);
  // A second category and draft, for requests that move or relate to another one of the workspace's own.
  const otherCategory = await s.kb.createCategory(ws.id, { slug: `${ws.label}-other-category`, names: { en: `${ws.label} other category` } });
  const otherArticle = await s.kb.createArticle(ws.id, { title: `${ws.label} other kb article`, markdown: `${ws.label} other kb body`, locale: 'en', categoryId: otherCategory.id, slug: `${ws.label}-other-article` }, null);
  return {
    otherKbCategory: otherCategory.id, otherKbArticle: otherArticle.id,
    kbCategory: category.id, kbCategorySlug: category.slug, kbArticle: article.id, kbArticleSlug: article.slug, kbRevision: article.published_revision_id!,
    kbAttachment: file.id, kbAttachmentName: file.filename, kbTitle: `${ws.label} secret kb article`, kbFeedback: `${ws.label} secret kb feedback`,
  };
};

const searchFixture: ModuleTenancyFixture = async (s, ws) => {
  await s.search.index(ws.id, {
    kind: 'article', id: `${ws.label}-indexed-article`, locale: 'en', title: `${ws.label} secret indexed article`, body: `${ws.label} secret searchable body`,
    categoryId: null, product: null, tags: [], url: `/kb/${ws.label}-indexed-article`, publishedAt: new Date(),
  });
  const logged = await s.search.search(ws.id, { q: `${ws.label} secret query`, source: 'portal' });
  const synonym = await s.search.addSynonym(ws.id, { locale: 'en', terms: [`${ws.label}secretword`, `${ws.label}secretother`] });
  return { searchLog: logged.searchId!, synonym: synonym.id, synonymTerm: `${ws.label}secretword`, indexedTitle: `${ws.label} secret indexed article` };
};

const mailInboundFixture: ModuleTenancyFixture = async (s, ws) => {
  const address = await s.mailInbound.addresses.create(ws.id, { address: `${ws.label}-secret-support@${ws.label}.example` });
  const mailbox = await s.mailInbound.mailboxes.create(ws.id, {
    name: `${ws.label} secret mailbox`, host: `imap.${ws.label}.example`, port: 993, tls: 'implicit', username: `${ws.label}-imap-user`, password: `${ws.label}-imap-secret-password`,
    folder: 'INBOX', afterImport: 'flag', moveTo: null, addressId: address.id, enabled: false,
  });
  // Without any sender it is parked when processed: no ticket comes of it.
  await s.mailInbound.inbound.accept(Buffer.from(`Message-ID: <${ws.label}-secret@${ws.label}.example>\r\nSubject: ${ws.label} secret inbound\r\n\r\n${ws.label} secret inbound body\r\n`),
    { from: null, recipients: [address], remoteIp: null, source: 'smtp' });
  const inbound = (await s.mailInbound.inbound.list(ws.id, { limit: 1 })).messages[0]!;
  return { mailAddress: address.id, mailAddressText: address.address, mailbox: mailbox.id, mailboxPassword: `${ws.label}-imap-secret-password`, inboundMail: inbound.id };
};

/** In dependency order: routing needs the agent of accounts; tickets need the customer. */
export const tenancyFixtures: readonly { module: string; fixture: ModuleTenancyFixture }[] = [
  { module: 'accounts', fixture: accountsFixture },
  { module: 'tickets', fixture: ticketsFixture },
  { module: 'chat', fixture: chatFixture },
  { module: 'routing', fixture: routingFixture },
  { module: 'sla', fixture: slaFixture },
  { module: 'webhooks', fixture: webhooksFixture },
  { module: 'mail-outbound', fixture: mailOutboundFixture },
  { module: 'troubleshooting', fixture: troubleshootingFixture },
  { module: 'kb', fixture: kbFixture },
  { module: 'search', fixture: searchFixture },
  { module: 'mail-inbound', fixture: mailInboundFixture },
];

/** The fixtures listed above, then those modules declare in their manifests (`tenancyFixture`). */
const allFixtures = (): { module: string; fixture: ModuleTenancyFixture }[] => [
  ...tenancyFixtures,
  ...platformModules.flatMap((m) => (m.tenancyFixture ? [{ module: m.name, fixture: m.tenancyFixture }] : [])),
];

/** Every module's fixture in one workspace; a key two modules both return is a mistake in the fixtures. */
export async function seedWorkspace(services: Services, workspace: FixtureWorkspace): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const { module, fixture } of allFixtures()) {
    for (const [key, value] of Object.entries(await fixture(services, workspace))) {
      if (key in ids) throw new Error(`tenancy fixture key ${key} of ${module} is already taken`);
      ids[key] = value;
    }
  }
  return ids;
}
