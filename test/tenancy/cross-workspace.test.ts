import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../helpers/app.js';

/**
 * Every route of the app, called with a second workspace's credentials and the first workspace's
 * ids, must answer 401/403/404 (or 400 for a body it refuses) and leak nothing. A new route with
 * an `:id` fails this test until it is listed in `requestsFor` below.
 */
let t: TestApp;
let beta: TestWorkspace;
let betaToken: string;
const acme = { agentId: '', tokenId: '', ticketId: '', ticketNumber: 0, messageId: '', relatedId: '', customerId: '', attachmentId: '', viewId: '', cannedId: '', secrets: [] as string[] };
const acmeHook = { id: '', deliveryId: '' };
const acmeRouting = { departmentId: '' };

const acmeSla = { policyId: '' };
const acmeKb = { categoryId: '', articleId: '', revisionId: '' };
const acmeMail = { id: '' };
const acmeSearch = { synonymId: '' };
const acmeTree = { id: '' };
const acmeMailIn = { addressId: '', mailboxId: '', inboundId: '' };
const acmeChat = { conversationId: '', attachmentId: '', channelId: '' };
const NOT_API = /^\/(docs|assets|agent|openapi\.json|healthz|readyz)\b/;

beforeAll(async () => {
  t = await createTestApp();
  beta = await t.addWorkspace('beta');
  const acmeAgent = await t.services.accounts.createAgent(t.workspace.id,
    { email: 'quiet@acme.example', name: 'Quiet Acme Agent', role: 'agent', password: 'acme-password-1' }, { type: 'system', id: null });
  const acmeToken = await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'acme-token', { type: 'system', id: null });
  acme.agentId = acmeAgent.id;
  acme.tokenId = acmeToken.id;
  const system = { type: 'system' as const, id: null };
  const ticket = await t.services.tickets.open(t.workspace.id, {
    subject: 'Acme secret subject', body: 'Acme secret body', channel: 'web', customer: { email: 'hidden@acme-customer.example', name: 'Hidden Customer' },
  }, system);
  const related = await t.services.tickets.open(t.workspace.id, { subject: 'Acme related', body: 'x', channel: 'web', customer: { id: ticket.customer_id } }, system);
  const file = await t.services.attachments.save({ filename: 'acme-invoice.txt', stream: Readable.from([Buffer.from('acme attachment content')]) });
  const withFile = await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'note', body: 'Acme secret note', attachments: [file] }, system);
  await t.services.tickets.link(t.workspace.id, ticket.id, related.id);
  Object.assign(acme, {
    ticketId: ticket.id, ticketNumber: ticket.number, messageId: withFile.id, relatedId: related.id, customerId: ticket.customer_id,
    attachmentId: withFile.attachments[0]!.id,
    viewId: (await t.services.tickets.saveView(t.workspace.id, t.workspace.admin.id, 'Acme view', { view: 'all' }, true)).id,
    cannedId: (await t.services.tickets.addCannedReply(t.workspace.id, { title: 'Acme canned', body: 'Acme canned body', locale: null })).id,
  });
  acme.secrets = [t.workspace.admin.email, acmeAgent.email, acmeAgent.name, acmeAgent.id, acmeToken.id, acmeToken.token, 'acme Ltd', t.workspace.id,
    'Acme secret subject', 'Acme secret body', 'Acme secret note', 'hidden@acme-customer.example', 'acme attachment content', 'Acme view', 'Acme canned', ticket.id];
  // A chat of acme's (a ticket with its live session) and a webhook channel with its secret (before the webhook, whose log must hold one delivery).
  const chat = await t.services.chat.start(t.workspace.id, { name: 'Acme chat visitor', email: 'acme-chat-secret@acme-customer.example', text: 'Acme secret chat text' }, 'en', 'cross-workspace-test');
  const chatChannel = await t.services.chatChannels.create(t.workspace.id, { name: 'Acme secret SMS', kind: 'sms', outboundUrl: null, departmentId: null });
  Object.assign(acmeChat, { conversationId: chat.conversation.id, attachmentId: acme.attachmentId, channelId: chatChannel.id });
  acme.secrets.push(chat.conversation.id, 'acme-chat-secret@acme-customer.example', 'Acme secret chat text', chatChannel.id, chatChannel.secret, 'Acme secret SMS');
  // A webhook with one (failed: nothing listens on port 9) delivery in its log.
  const hook = await t.services.webhooks.create(t.workspace.id, { url: 'http://127.0.0.1:9/acme-secret-hook', events: ['ticket.*'], description: 'Acme hook' }, system);
  await t.services.webhooks.enqueue({ id: crypto.randomUUID(), type: 'ticket.solved', workspaceId: t.workspace.id, payload: { ticketId: ticket.id }, occurredAt: new Date().toISOString() });
  await t.jobs.drain();
  acmeHook.id = hook.webhook.id;
  acmeHook.deliveryId = (await t.services.webhooks.deliveries(t.workspace.id, hook.webhook.id, { limit: 1 })).deliveries[0]!.id;
  acme.secrets.push(hook.webhook.id, hook.secret, 'acme-secret-hook', 'Acme hook', acmeHook.deliveryId);
  // A team routed round-robin with the quiet agent in it, and the agent's own capacity.
  acmeRouting.departmentId = (await t.services.tickets.departments(t.workspace.id))[0]!.id;
  await t.services.routing.configureDepartment(t.workspace.id, acmeRouting.departmentId, { strategy: 'round_robin', autoAssign: true, memberIds: [acmeAgent.id] }, system);
  await t.services.routing.updateAgent(t.workspace.id, acmeAgent.id, { availability: 'away', ticketCapacity: 7 });
  acme.secrets.push(acmeRouting.departmentId);
  // An SLA policy of acme's own, for the sales department.
  const sales = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'sales')!;
  acmeSla.policyId = (await t.services.sla.createPolicy(t.workspace.id, { name: 'Acme secret policy', urgency: 2, departmentId: sales.id, firstResponseMinutes: 15, nextResponseMinutes: null, resolutionMinutes: null })).id;
  acme.secrets.push(acmeSla.policyId, 'Acme secret policy');
  // A mail in acme's outbox (held: no SMTP settings here).
  acmeMail.id = (await t.services.outbox.queue(t.workspace.id, {
    to: 'acme-mail-secret@acme-customer.example', template: 'passwordReset', locale: 'en', vars: { name: 'Acme mail secret', workspace: 'Acme', link: 'http://x' },
  })).id;
  acme.secrets.push(acmeMail.id, 'acme-mail-secret@acme-customer.example', 'Acme mail secret');
  // A published troubleshooting tree of acme's own.
  const tree = await t.services.troubleshooting.create(t.workspace.id, {
    slug: 'acme-secret-tree', locale: 'en', product: 'Acme product', title: 'Acme secret tree',
    nodes: [{ id: 'q', kind: 'question', title: 'Acme question?', answers: [{ id: 'a', label: 'Yes', next: 'r' }] }, { id: 'r', kind: 'repair', title: 'Acme repair' }],
  }, system);
  await t.services.troubleshooting.publish(t.workspace.id, tree.id, system);
  acmeTree.id = tree.id;
  acme.secrets.push(tree.id, 'Acme secret tree', 'Acme question?');
  // A searchable article, a logged search and a synonym group of acme's own.
  await t.services.search.index(t.workspace.id, {
    kind: 'article', id: 'acme-secret-article', locale: 'en', title: 'Acme secret article', body: 'Acme secret searchable body', categoryId: null, product: null, tags: [], url: '/kb/acme-secret-article', publishedAt: new Date(),
  });
  await t.services.search.search(t.workspace.id, { q: 'acme secret query', source: 'portal' });
  acmeSearch.synonymId = (await t.services.search.addSynonym(t.workspace.id, { locale: 'en', terms: ['acmesecretword', 'acmesecretother'] })).id;
  acme.secrets.push('Acme secret article', 'Acme secret searchable body', 'acme secret query', 'acmesecretword', acmeSearch.synonymId);
  // A published help article with a category, two revisions and a file.
  const kbCategory = await t.services.kb.createCategory(t.workspace.id, { slug: 'acme-secret-category', names: { en: 'Acme secret category' } });
  const kbArticle = await t.services.kb.publish(t.workspace.id, (await t.services.kb.createArticle(t.workspace.id, { title: 'Acme secret kb article', markdown: 'Acme secret kb body', locale: 'en', categoryId: kbCategory.id }, null)).id, undefined);
  const kbFile = await t.services.kb.addAttachment(t.workspace.id, kbArticle.id, { filename: 'acme-kb.txt', stream: Readable.from([Buffer.from('acme kb file')]) });
  Object.assign(acmeKb, { categoryId: kbCategory.id, articleId: kbArticle.id, revisionId: kbArticle.published_revision_id });
  acme.secrets.push('Acme secret kb article', 'Acme secret kb body', 'Acme secret category', kbArticle.id, kbCategory.id, kbFile.id);
  // Inbound mail: a support address, an IMAP mailbox and a received message of acme's own.
  const acmeAddress = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'acme-secret-support@acme.example' });
  acmeMailIn.addressId = acmeAddress.id;
  acmeMailIn.mailboxId = (await t.services.mailInbound.mailboxes.create(t.workspace.id, {
    name: 'Acme secret mailbox', host: 'imap.acme.example', port: 993, tls: 'implicit', username: 'acme-imap-user', password: 'acme-imap-secret-password',
    folder: 'INBOX', afterImport: 'flag', moveTo: null, addressId: acmeAddress.id, enabled: false,
  })).id;
  // Without any sender it is parked (no ticket, so no webhook delivery beside the one above).
  await t.services.mailInbound.inbound.accept(Buffer.from('Subject: Acme secret inbound\r\n\r\nAcme secret inbound body\r\n'),
    { from: null, recipients: [acmeAddress], remoteIp: null, source: 'smtp' });
  await t.jobs.drain();
  acmeMailIn.inboundId = (await t.services.mailInbound.inbound.list(t.workspace.id, { limit: 1 })).messages[0]!.id;
  acme.secrets.push('acme-secret-support@acme.example', 'Acme secret mailbox', 'acme-imap-user', 'acme-imap-secret-password', 'Acme secret inbound', acmeMailIn.inboundId);
  betaToken = (await t.services.accounts.createApiToken(beta.id, beta.admin.id, 'beta-token', { type: 'system', id: null })).token;
});
afterAll(async () => { await t.close(); });

/** For routes with ids: which of acme's ids to put in, and a body that would pass validation. */
function requestsFor(method: string, url: string): { url: string; payload?: object } | undefined {
  const table: Record<string, { url: string; payload?: object }> = {
    'GET /api/v1/agents/:id': { url: `/api/v1/agents/${acme.agentId}` },
    'PATCH /api/v1/agents/:id': { url: `/api/v1/agents/${acme.agentId}`, payload: { name: 'hijacked', disabled: true } },
    'DELETE /api/v1/api-tokens/:id': { url: `/api/v1/api-tokens/${acme.tokenId}` },
    'GET /api/v1/tickets/:id': { url: `/api/v1/tickets/${acme.ticketId}` },
    'GET /api/v1/tickets/by-number/:number': { url: `/api/v1/tickets/by-number/${acme.ticketNumber + 100}` },
    'PATCH /api/v1/tickets/:id': { url: `/api/v1/tickets/${acme.ticketId}`, payload: { status: 'solved', subject: 'hijacked' } },
    'GET /api/v1/tickets/:id/messages': { url: `/api/v1/tickets/${acme.ticketId}/messages` },
    'POST /api/v1/tickets/:id/messages': { url: `/api/v1/tickets/${acme.ticketId}/messages`, payload: { kind: 'reply', body: 'hijacked' } },
    'POST /api/v1/tickets/:id/messages/multipart': { url: `/api/v1/tickets/${acme.ticketId}/messages/multipart`, payload: { kind: 'reply', body: 'hijacked' } },
    'GET /api/v1/tickets/:id/activity': { url: `/api/v1/tickets/${acme.ticketId}/activity` },
    'POST /api/v1/tickets/:id/merge': { url: `/api/v1/tickets/${acme.ticketId}/merge`, payload: { intoId: acme.relatedId } },
    'POST /api/v1/messages/:id/split': { url: `/api/v1/messages/${acme.messageId}/split`, payload: {} },
    'GET /api/v1/tickets/:id/links': { url: `/api/v1/tickets/${acme.ticketId}/links` },
    'POST /api/v1/tickets/:id/links': { url: `/api/v1/tickets/${acme.ticketId}/links`, payload: { relatedId: acme.relatedId } },
    'DELETE /api/v1/tickets/:id/links/:relatedId': { url: `/api/v1/tickets/${acme.ticketId}/links/${acme.relatedId}` },
    'GET /api/v1/customers/:id': { url: `/api/v1/customers/${acme.customerId}` },
    'GET /api/v1/customers/:id/tickets': { url: `/api/v1/customers/${acme.customerId}/tickets` },
    'GET /api/v1/attachments/:id': { url: `/api/v1/attachments/${acme.attachmentId}` },
    'DELETE /api/v1/views/:id': { url: `/api/v1/views/${acme.viewId}` },
    'DELETE /api/v1/canned-replies/:id': { url: `/api/v1/canned-replies/${acme.cannedId}` },
    'PATCH /api/v1/sla/policies/:id': { url: `/api/v1/sla/policies/${acmeSla.policyId}`, payload: { firstResponseMinutes: 1, name: 'hijacked' } },
    'DELETE /api/v1/sla/policies/:id': { url: `/api/v1/sla/policies/${acmeSla.policyId}` },
    'GET /api/v1/mail/outbox/:id': { url: `/api/v1/mail/outbox/${acmeMail.id}` },
    'POST /api/v1/mail/outbox/:id/retry': { url: `/api/v1/mail/outbox/${acmeMail.id}/retry` },
    'PATCH /api/v1/search/synonyms/:id': { url: `/api/v1/search/synonyms/${acmeSearch.synonymId}`, payload: { terms: ['hijacked', 'stolen'] } },
    'DELETE /api/v1/search/synonyms/:id': { url: `/api/v1/search/synonyms/${acmeSearch.synonymId}` },
    'GET /api/v1/tickets/:id/sla': { url: `/api/v1/tickets/${acme.ticketId}/sla` },
    'PUT /api/v1/routing/agents/:id': { url: `/api/v1/routing/agents/${acme.agentId}`, payload: { availability: 'online', ticketCapacity: 0 } },
    'GET /api/v1/routing/departments/:id': { url: `/api/v1/routing/departments/${acmeRouting.departmentId}` },
    'PUT /api/v1/routing/departments/:id': { url: `/api/v1/routing/departments/${acmeRouting.departmentId}`, payload: { strategy: 'least_loaded', autoAssign: false, memberIds: [] } },
    'GET /api/v1/webhooks/:id': { url: `/api/v1/webhooks/${acmeHook.id}` },
    'PATCH /api/v1/webhooks/:id': { url: `/api/v1/webhooks/${acmeHook.id}`, payload: { url: 'https://evil.example/hook', active: false } },
    'DELETE /api/v1/webhooks/:id': { url: `/api/v1/webhooks/${acmeHook.id}` },
    'POST /api/v1/webhooks/:id/rotate-secret': { url: `/api/v1/webhooks/${acmeHook.id}/rotate-secret`, payload: {} },
    'GET /api/v1/webhooks/:id/deliveries': { url: `/api/v1/webhooks/${acmeHook.id}/deliveries` },
    'GET /api/v1/webhooks/:id/deliveries/:deliveryId': { url: `/api/v1/webhooks/${acmeHook.id}/deliveries/${acmeHook.deliveryId}` },
    'GET /api/v1/troubleshooting/trees/:id': { url: `/api/v1/troubleshooting/trees/${acmeTree.id}` },
    'PUT /api/v1/troubleshooting/trees/:id': { url: `/api/v1/troubleshooting/trees/${acmeTree.id}`, payload: { slug: 'hijacked', locale: 'en', product: 'x', title: 'hijacked', nodes: [{ id: 'r', kind: 'repair', title: 'x' }] } },
    'DELETE /api/v1/troubleshooting/trees/:id': { url: `/api/v1/troubleshooting/trees/${acmeTree.id}` },
    'POST /api/v1/troubleshooting/trees/:id/publish': { url: `/api/v1/troubleshooting/trees/${acmeTree.id}/publish` },
    'POST /api/v1/troubleshooting/trees/:id/unpublish': { url: `/api/v1/troubleshooting/trees/${acmeTree.id}/unpublish` },
    'GET /api/v1/troubleshooting/trees/:id/stats': { url: `/api/v1/troubleshooting/trees/${acmeTree.id}/stats` },
    'POST /api/v1/webhooks/:id/deliveries/:deliveryId/redeliver': { url: `/api/v1/webhooks/${acmeHook.id}/deliveries/${acmeHook.deliveryId}/redeliver` },
    'GET /api/v1/kb/categories/:id': { url: `/api/v1/kb/categories/${acmeKb.categoryId}` },
    'PATCH /api/v1/kb/categories/:id': { url: `/api/v1/kb/categories/${acmeKb.categoryId}`, payload: { names: { en: 'hijacked' } } },
    'DELETE /api/v1/kb/categories/:id': { url: `/api/v1/kb/categories/${acmeKb.categoryId}` },
    'GET /api/v1/kb/articles/:id': { url: `/api/v1/kb/articles/${acmeKb.articleId}` },
    'PATCH /api/v1/kb/articles/:id': { url: `/api/v1/kb/articles/${acmeKb.articleId}`, payload: { title: 'hijacked', markdown: 'hijacked' } },
    'DELETE /api/v1/kb/articles/:id': { url: `/api/v1/kb/articles/${acmeKb.articleId}` },
    'POST /api/v1/kb/articles/:id/publish': { url: `/api/v1/kb/articles/${acmeKb.articleId}/publish`, payload: { revisionId: acmeKb.revisionId } },
    'POST /api/v1/kb/articles/:id/unpublish': { url: `/api/v1/kb/articles/${acmeKb.articleId}/unpublish` },
    'POST /api/v1/kb/articles/:id/reviewed': { url: `/api/v1/kb/articles/${acmeKb.articleId}/reviewed` },
    'GET /api/v1/kb/articles/:id/revisions': { url: `/api/v1/kb/articles/${acmeKb.articleId}/revisions` },
    'GET /api/v1/kb/articles/:id/revisions/:revisionId': { url: `/api/v1/kb/articles/${acmeKb.articleId}/revisions/${acmeKb.revisionId}` },
    'GET /api/v1/kb/articles/:id/attachments': { url: `/api/v1/kb/articles/${acmeKb.articleId}/attachments` },
    'POST /api/v1/kb/articles/:id/attachments': { url: `/api/v1/kb/articles/${acmeKb.articleId}/attachments?filename=hijack.txt`, payload: { hijacked: true } },
    'POST /api/v1/kb/articles/from-message/:messageId': { url: `/api/v1/kb/articles/from-message/${acme.messageId}`, payload: {} },
    'GET /api/v1/chat/conversations/:id': { url: `/api/v1/chat/conversations/${acmeChat.conversationId}` },
    'POST /api/v1/chat/conversations/:id/files': { url: `/api/v1/chat/conversations/${acmeChat.conversationId}/files`, payload: { file: 'x' } },
    'GET /api/v1/chat/conversations/:id/files/:attachmentId': { url: `/api/v1/chat/conversations/${acmeChat.conversationId}/files/${acmeChat.attachmentId}` },
    // The widget's configuration is public by the workspace's slug (any website embeds it); an unknown slug is a 404.
    'GET /api/v1/chat/widget/:workspace': { url: '/api/v1/chat/widget/no-such-workspace' },
    'GET /api/v1/channels/webhook/:id': { url: `/api/v1/channels/webhook/${acmeChat.channelId}` },
    'PATCH /api/v1/channels/webhook/:id': { url: `/api/v1/channels/webhook/${acmeChat.channelId}`, payload: { name: 'hijacked', enabled: false } },
    'DELETE /api/v1/channels/webhook/:id': { url: `/api/v1/channels/webhook/${acmeChat.channelId}` },
    'POST /api/v1/channels/webhook/:channelId/contacts': { url: `/api/v1/channels/webhook/${acmeChat.channelId}/contacts`, payload: { from: '+1', text: 'hijacked', externalId: 'x' } },
    'GET /api/v1/mail/addresses/:id': { url: `/api/v1/mail/addresses/${acmeMailIn.addressId}` },
    'PATCH /api/v1/mail/addresses/:id': { url: `/api/v1/mail/addresses/${acmeMailIn.addressId}`, payload: { displayName: 'hijacked' } },
    'DELETE /api/v1/mail/addresses/:id': { url: `/api/v1/mail/addresses/${acmeMailIn.addressId}` },
    'GET /api/v1/mail/mailboxes/:id': { url: `/api/v1/mail/mailboxes/${acmeMailIn.mailboxId}` },
    'PATCH /api/v1/mail/mailboxes/:id': { url: `/api/v1/mail/mailboxes/${acmeMailIn.mailboxId}`, payload: { host: 'evil.example', enabled: true } },
    'DELETE /api/v1/mail/mailboxes/:id': { url: `/api/v1/mail/mailboxes/${acmeMailIn.mailboxId}` },
    'GET /api/v1/mail/inbound/:id': { url: `/api/v1/mail/inbound/${acmeMailIn.inboundId}` },
    'GET /api/v1/mail/inbound/:id/raw': { url: `/api/v1/mail/inbound/${acmeMailIn.inboundId}/raw` },
    'POST /api/v1/mail/inbound/:id/retry': { url: `/api/v1/mail/inbound/${acmeMailIn.inboundId}/retry` },
    'GET /api/v1/mail/customers/:customerId/delivery': { url: `/api/v1/mail/customers/${acme.customerId}/delivery` },
    'PUT /api/v1/routing/departments/:id/chat-queue': { url: `/api/v1/routing/departments/${acmeRouting.departmentId}/chat-queue`, payload: { chatStrategy: 'longest_idle', overflowDepartmentId: null, overflowAfterSeconds: null } },
  };
  return table[`${method} ${url}`];
}

describe('cross-workspace isolation', () => {
  it('lets no route read or change another workspace', async () => {
    const apiRoutes = t.app.routes.filter((r) => !NOT_API.test(r.url) && r.url.startsWith('/api/'));
    expect(apiRoutes.length).toBeGreaterThan(10);
    const unlisted: string[] = [];
    for (const route of apiRoutes) {
      const hasParams = route.url.includes(':');
      const request = hasParams ? requestsFor(route.method, route.url) : { url: route.url, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} };
      if (!request) {
        unlisted.push(`${route.method} ${route.url}`);
        continue;
      }
      const res = await t.app.http.inject({
        method: route.method as 'GET', url: request.url, payload: request.payload,
        headers: { authorization: `Bearer ${betaToken}` },
      });
      const where = `${route.method} ${route.url} → ${res.statusCode}`;
      if (hasParams) expect([401, 403, 404], where).toContain(res.statusCode);
      else expect(res.statusCode, where).toBeLessThan(500);
      for (const secret of acme.secrets) expect(res.body, `${where} leaked ${secret}`).not.toContain(secret);
    }
    expect(unlisted, 'routes with ids missing from requestsFor').toEqual([]);
  });

  it('left the first workspace untouched', async () => {
    const ticket = await t.services.tickets.ticket(t.workspace.id, acme.ticketId);
    expect(ticket).toMatchObject({ subject: 'Acme secret subject', status: 'open', merged_into_id: null });
    const thread = await t.services.tickets.thread(t.workspace.id, acme.ticketId, { includeNotes: true });
    expect(thread.map((m) => m.body_text)).toEqual(['Acme secret body', 'Acme secret note']);
    expect(await t.services.tickets.linked(t.workspace.id, acme.ticketId)).toHaveLength(1);
    expect(await t.services.tickets.savedViews(t.workspace.id, t.workspace.admin.id)).toHaveLength(1);
    expect(await t.services.tickets.cannedReplies(t.workspace.id)).toHaveLength(1);
    const agent = await t.services.accounts.agent(t.workspace.id, acme.agentId);
    expect(agent).toMatchObject({ name: 'Quiet Acme Agent', disabled_at: null });
    expect(await t.services.routing.department(t.workspace.id, acmeRouting.departmentId)).toMatchObject({ strategy: 'round_robin', autoAssign: true, memberIds: [acme.agentId] });
    expect(await t.services.routing.agentRouting(t.workspace.id, acme.agentId)).toMatchObject({ availability: 'away', capacity: { ticket: 7, chat: 3 } });
    expect(await t.services.sla.policy(t.workspace.id, acmeSla.policyId)).toMatchObject({ name: 'Acme secret policy', first_response_minutes: 15 });
    expect(await t.services.mailOutbound.mail(t.workspace.id, acmeMail.id)).toMatchObject({ status: 'held', history: [] });
    expect((await t.services.search.synonyms(t.workspace.id)).map((g) => g.terms)).toEqual([['acmesecretword', 'acmesecretother']]);
    const tokens = await t.services.accounts.listApiTokens(t.workspace.id, t.workspace.admin.id);
    expect(tokens.map((x) => x.id)).toContain(acme.tokenId);
    const hook = await t.services.webhooks.get(t.workspace.id, acmeHook.id);
    expect(hook).toMatchObject({ url: 'http://127.0.0.1:9/acme-secret-hook', active: true, previous_secret: null });
    expect((await t.services.webhooks.deliveries(t.workspace.id, acmeHook.id, { limit: 10 })).deliveries.map((d) => d.id)).toEqual([acmeHook.deliveryId]);
    expect((await t.services.kb.article(t.workspace.id, acmeKb.articleId))).toMatchObject({
      article: { title: 'Acme secret kb article', status: 'published' }, revisions: [{ number: 1 }],
    });
    expect(await t.services.kb.category(t.workspace.id, acmeKb.categoryId)).toMatchObject({ names: { en: 'Acme secret category' } });
    expect((await t.services.chat.conversation(t.workspace.id, acmeChat.conversationId)).messages.map((m) => m.text)).toContain('Acme secret chat text');
    expect(await t.services.chatChannels.get(t.workspace.id, acmeChat.channelId)).toMatchObject({ name: 'Acme secret SMS', enabled: true });
    expect((await t.services.routing.department(t.workspace.id, acmeRouting.departmentId)).chatStrategy).toBe('round_robin');
    expect(await t.services.troubleshooting.get(t.workspace.id, acmeTree.id)).toMatchObject({ title: 'Acme secret tree', version: 1, published: { title: 'Acme secret tree' } });
  });

  it('does not accept a session cookie from one workspace as a customer of another', async () => {
    const customer = await t.services.accounts.registerCustomer(beta.id, { email: 'c@beta.example', name: 'Beta Customer', password: 'beta-customer-pw', locale: 'en' });
    const token = await t.services.accounts.openSession(beta.id, 'customer', customer.id);
    const signed = t.app.http.signCookie(token);
    // No hostname maps to beta, so the portal answers as acme (the oldest workspace).
    const res = await t.app.http.inject({ url: '/requests', headers: { cookie: `kefu_customer=${signed}` } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/sign-in');
  });
});
