import type { AppRoute } from '../../src/app.js';

export type Ids = Record<string, string>;

/** One request of the cross-workspace checker. */
export interface Probe {
  url: string;
  query?: Record<string, string | string[] | undefined>;
  payload?: object;
  headers?: Record<string, string>;
  /** Statuses that count as refusing a foreign path; 401/403/404 unless said. */
  refusedWith?: number[];
  /** False where the intruder's own ids cannot make a working request to compare with. */
  control?: false;
  /** Fixture keys of ids a public route shows by design (the chat widget lists the departments a visitor may pick). */
  mayShow?: string[];
}

/** Not the workspace's data: documentation, static files, health checks and the console's shell. */
export const NOT_TENANT_ROUTES = [/^\/docs\b/, /^\/assets\//, /^\/agent\b/, /^\/openapi\.json$/, /^\/healthz$/, /^\/readyz$/];

/**
 * How to call a route: `path` fills the ids in the URL (the victim's, or the intruder's own for the
 * control request), `own` is the intruder's, for everything else. Each body or query must pass the
 * route's schema and carry a fixture id in every field that holds one: the checker swaps those for
 * the victim's one at a time. Routes without ids in their path need an entry only when they take
 * ids in their query or body. A route with `:params` and no entry fails the check.
 */
export type ProbeMaker = (path: Ids, own: Ids) => Probe;

const PROBES: Record<string, ProbeMaker> = {
  // ---- accounts
  'GET /api/v1/agents/:id': (p) => ({ url: `/api/v1/agents/${p.agent}` }),
  'PATCH /api/v1/agents/:id': (p) => ({ url: `/api/v1/agents/${p.agent}`, payload: { name: 'hijacked', disabled: true } }),
  'GET /api/v1/api-tokens': (_, o) => ({ url: '/api/v1/api-tokens', query: { agentId: o.agent } }),
  'DELETE /api/v1/api-tokens/:id': (p) => ({ url: `/api/v1/api-tokens/${p.apiToken}` }),
  'POST /api/v1/agent-invitations/:id/resend': (p) => ({ url: `/api/v1/agent-invitations/${p.agentInvitation}/resend` }),
  'DELETE /api/v1/agent-invitations/:id': (p) => ({ url: `/api/v1/agent-invitations/${p.agentInvitation}` }),
  'DELETE /api/v1/workspace/hostnames/:hostname': (p) => ({ url: `/api/v1/workspace/hostnames/${p.hostname}` }),
  'GET /api/v1/audit-log': (_, o) => ({ url: '/api/v1/audit-log', query: { actorId: o.agent } }),

  // ---- tickets
  'GET /api/v1/tickets': (_, o) => ({ url: '/api/v1/tickets', query: { customerId: o.customer, departmentId: o.department } }),
  'POST /api/v1/tickets': (_, o) => ({ url: '/api/v1/tickets', payload: { subject: 'probe', body: 'probe', channel: 'web', customer: { id: o.customer } } }),
  'POST /api/v1/tickets/bulk': (_, o) => ({ url: '/api/v1/tickets/bulk', payload: { ids: [o.ticket], changes: { status: 'solved', tags: ['probed'], departmentId: o.department, assigneeId: o.agent } } }),
  'GET /api/v1/tickets/:id': (p) => ({ url: `/api/v1/tickets/${p.ticket}` }),
  // A number the intruder's workspace does not have (the victim opened more tickets), so only a lookup without the workspace finds it.
  'GET /api/v1/tickets/by-number/:number': (p) => ({ url: `/api/v1/tickets/by-number/${p.ticketNumber}` }),
  'PATCH /api/v1/tickets/:id': (p, o) => ({ url: `/api/v1/tickets/${p.ticket}`, payload: { status: 'solved', tags: ['probed'], departmentId: o.department, assigneeId: o.agent } }),
  'GET /api/v1/tickets/:id/messages': (p) => ({ url: `/api/v1/tickets/${p.ticket}/messages` }),
  'POST /api/v1/tickets/:id/messages': (p) => ({ url: `/api/v1/tickets/${p.ticket}/messages`, payload: { kind: 'note', body: 'hijacked' } }),
  'POST /api/v1/tickets/:id/messages/multipart': (p) => ({ url: `/api/v1/tickets/${p.ticket}/messages/multipart`, payload: { kind: 'note', body: 'hijacked' } }),
  'GET /api/v1/tickets/:id/activity': (p) => ({ url: `/api/v1/tickets/${p.ticket}/activity` }),
  'POST /api/v1/tickets/:id/merge': (p, o) => ({ url: `/api/v1/tickets/${p.ticket}/merge`, payload: { intoId: o.relatedTicket } }),
  'POST /api/v1/messages/:id/split': (p) => ({ url: `/api/v1/messages/${p.message}/split`, payload: {} }),
  'GET /api/v1/tickets/:id/links': (p) => ({ url: `/api/v1/tickets/${p.ticket}/links` }),
  'POST /api/v1/tickets/:id/links': (p, o) => ({ url: `/api/v1/tickets/${p.ticket}/links`, payload: { relatedId: o.relatedTicket } }),
  'DELETE /api/v1/tickets/:id/links/:relatedId': (p) => ({ url: `/api/v1/tickets/${p.ticket}/links/${p.relatedTicket}` }),
  'GET /api/v1/customers/:id': (p) => ({ url: `/api/v1/customers/${p.customer}` }),
  'GET /api/v1/customers/:id/tickets': (p) => ({ url: `/api/v1/customers/${p.customer}/tickets` }),
  'GET /api/v1/attachments/:id': (p) => ({ url: `/api/v1/attachments/${p.ticketAttachment}` }),
  'POST /api/v1/views': (_, o) => ({ url: '/api/v1/views', payload: { name: 'probe view', filters: { departmentId: [o.department] } } }),
  'DELETE /api/v1/views/:id': (p) => ({ url: `/api/v1/views/${p.view}` }),
  'PATCH /api/v1/canned-replies/:id': (p) => ({ url: `/api/v1/canned-replies/${p.canned}`, payload: { title: 'hijacked' } }),
  'DELETE /api/v1/canned-replies/:id': (p) => ({ url: `/api/v1/canned-replies/${p.canned}` }),

  // ---- sla
  'POST /api/v1/sla/policies': (_, o) => ({ url: '/api/v1/sla/policies', payload: {
    name: 'probe policy', urgency: 3, departmentId: o.department, firstResponseMinutes: 30, escalations: [{ on: 'breach', action: 'reassign', agentId: o.agent }],
  } }),
  'PATCH /api/v1/sla/policies/:id': (p, o) => ({ url: `/api/v1/sla/policies/${p.slaPolicy}`, payload: {
    name: 'hijacked', departmentId: o.otherDepartment, escalations: [{ on: 'breach', action: 'reassign', agentId: o.agent }],
  } }),
  'DELETE /api/v1/sla/policies/:id': (p) => ({ url: `/api/v1/sla/policies/${p.slaPolicy}` }),
  'GET /api/v1/tickets/:id/sla': (p) => ({ url: `/api/v1/tickets/${p.ticket}/sla` }),

  // ---- routing
  'PUT /api/v1/routing/agents/:id': (p) => ({ url: `/api/v1/routing/agents/${p.agent}`, payload: { availability: 'online', ticketCapacity: 0 } }),
  'GET /api/v1/routing/departments/:id': (p) => ({ url: `/api/v1/routing/departments/${p.department}` }),
  'PATCH /api/v1/routing/departments/:id': (p) => ({ url: `/api/v1/routing/departments/${p.department}`, payload: { name: { en: 'hijacked', 'zh-CN': 'hijacked' }, customerSelectable: false } }),
  'PUT /api/v1/routing/departments/:id': (p, o) => ({ url: `/api/v1/routing/departments/${p.department}`, payload: { strategy: 'least_loaded', autoAssign: false, memberIds: [o.agent] } }),
  'PUT /api/v1/routing/departments/:id/chat-queue': (p, o) => ({ url: `/api/v1/routing/departments/${p.department}/chat-queue`, payload: { chatStrategy: 'longest_idle', overflowDepartmentId: o.otherDepartment, overflowAfterSeconds: 60 } }),

  // ---- chat
  'GET /api/v1/chat/conversations/:id': (p) => ({ url: `/api/v1/chat/conversations/${p.chatConversation}` }),
  'GET /api/v1/chat/metrics': (_, o) => ({ url: '/api/v1/chat/metrics', query: { from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z', departmentId: o.department, agentId: o.agent } }),
  'PUT /api/v1/chat/settings': (_, o) => ({ url: '/api/v1/chat/settings', payload: { defaultDepartmentId: o.department } }),
  'POST /api/v1/channels/webhook': (_, o) => ({ url: '/api/v1/channels/webhook', payload: { name: 'probe channel', kind: 'sms', outboundUrl: null, departmentId: o.department } }),
  'GET /api/v1/channels/webhook/:id': (p) => ({ url: `/api/v1/channels/webhook/${p.chatChannel}` }),
  'PATCH /api/v1/channels/webhook/:id': (p, o) => ({ url: `/api/v1/channels/webhook/${p.chatChannel}`, payload: { name: 'hijacked', departmentId: o.department } }),
  'DELETE /api/v1/channels/webhook/:id': (p) => ({ url: `/api/v1/channels/webhook/${p.chatChannel}` }),
  // Visitors and webhook channels prove themselves (visitor token, HMAC): the intruder's API token is no proof.
  'POST /api/v1/chat/conversations/:id/files': (p) => ({ url: `/api/v1/chat/conversations/${p.chatConversation}/files`, payload: { file: 'x' } }),
  'POST /api/v1/chat/conversations/:id/rating': (p) => ({ url: `/api/v1/chat/conversations/${p.chatConversation}/rating`, payload: { score: 5, comment: 'hijacked' } }),
  'POST /api/v1/chat/conversations/:id/agent-files': (p) => ({ url: `/api/v1/chat/conversations/${p.chatConversation}/agent-files`, payload: { file: 'x' } }),
  'GET /api/v1/chat/conversations/:id/files/:attachmentId': (p) => ({ url: `/api/v1/chat/conversations/${p.chatConversation}/files/${p.ticketAttachment}`, control: false }),
  'POST /api/v1/channels/webhook/:channelId/contacts': (p) => ({ url: `/api/v1/channels/webhook/${p.chatChannel}/contacts`, payload: { from: '+1', text: 'hijacked', externalId: 'x' } }),
  // The widget's configuration is public by the workspace's slug (any website embeds it); an unknown slug is a 404.
  'GET /api/v1/chat/widget/:workspace': (p) => ({ url: `/api/v1/chat/widget/${p.workspaceSlug}`, refusedWith: [200], mayShow: ['department', 'otherDepartment'] }),

  // ---- webhooks
  'GET /api/v1/webhooks/:id': (p) => ({ url: `/api/v1/webhooks/${p.webhook}` }),
  'PATCH /api/v1/webhooks/:id': (p) => ({ url: `/api/v1/webhooks/${p.webhook}`, payload: { url: 'https://evil.example/hook', active: false } }),
  'DELETE /api/v1/webhooks/:id': (p) => ({ url: `/api/v1/webhooks/${p.webhook}` }),
  'POST /api/v1/webhooks/:id/rotate-secret': (p) => ({ url: `/api/v1/webhooks/${p.webhook}/rotate-secret`, payload: {} }),
  'GET /api/v1/webhooks/:id/deliveries': (p) => ({ url: `/api/v1/webhooks/${p.webhook}/deliveries` }),
  'GET /api/v1/webhooks/:id/deliveries/:deliveryId': (p) => ({ url: `/api/v1/webhooks/${p.webhook}/deliveries/${p.webhookDelivery}` }),
  'POST /api/v1/webhooks/:id/deliveries/:deliveryId/redeliver': (p) => ({ url: `/api/v1/webhooks/${p.webhook}/deliveries/${p.webhookDelivery}/redeliver` }),

  // ---- mail
  'GET /api/v1/mail/outbox/:id': (p) => ({ url: `/api/v1/mail/outbox/${p.outboxMail}` }),
  'POST /api/v1/mail/outbox/:id/retry': (p) => ({ url: `/api/v1/mail/outbox/${p.outboxMail}/retry` }),
  'POST /api/v1/mail/addresses': (_, o) => ({ url: '/api/v1/mail/addresses', payload: { address: 'probe@probe.example', departmentId: o.department } }),
  'GET /api/v1/mail/addresses/:id': (p) => ({ url: `/api/v1/mail/addresses/${p.mailAddress}` }),
  'PATCH /api/v1/mail/addresses/:id': (p, o) => ({ url: `/api/v1/mail/addresses/${p.mailAddress}`, payload: { displayName: 'hijacked', departmentId: o.department } }),
  'DELETE /api/v1/mail/addresses/:id': (p) => ({ url: `/api/v1/mail/addresses/${p.mailAddress}` }),
  'POST /api/v1/mail/mailboxes': (_, o) => ({ url: '/api/v1/mail/mailboxes', payload: {
    name: 'probe mailbox', host: 'imap.probe.example', port: 993, tls: 'implicit', username: 'probe', password: 'probe-password', folder: 'INBOX', afterImport: 'flag', moveTo: null, addressId: o.mailAddress, enabled: false,
  } }),
  'GET /api/v1/mail/mailboxes/:id': (p) => ({ url: `/api/v1/mail/mailboxes/${p.mailbox}` }),
  'PATCH /api/v1/mail/mailboxes/:id': (p, o) => ({ url: `/api/v1/mail/mailboxes/${p.mailbox}`, payload: { host: 'evil.example', addressId: o.mailAddress } }),
  'DELETE /api/v1/mail/mailboxes/:id': (p) => ({ url: `/api/v1/mail/mailboxes/${p.mailbox}` }),
  'GET /api/v1/mail/inbound/:id': (p) => ({ url: `/api/v1/mail/inbound/${p.inboundMail}` }),
  'GET /api/v1/mail/inbound/:id/raw': (p) => ({ url: `/api/v1/mail/inbound/${p.inboundMail}/raw` }),
  'POST /api/v1/mail/inbound/:id/retry': (p) => ({ url: `/api/v1/mail/inbound/${p.inboundMail}/retry` }),
  'GET /api/v1/mail/customers/:customerId/delivery': (p) => ({ url: `/api/v1/mail/customers/${p.customer}/delivery` }),

  // ---- search
  'GET /api/v1/search': (_, o) => ({ url: '/api/v1/search', query: { q: 'secret', categoryId: o.kbCategory } }),
  'PATCH /api/v1/search/synonyms/:id': (p) => ({ url: `/api/v1/search/synonyms/${p.synonym}`, payload: { terms: ['hijacked', 'stolen'] } }),
  'DELETE /api/v1/search/synonyms/:id': (p) => ({ url: `/api/v1/search/synonyms/${p.synonym}` }),
  'GET /search/go': (_, o) => ({ url: '/search/go', query: { sid: o.searchLog, kind: 'article', id: o.kbArticle } }),

  // ---- troubleshooting
  'POST /api/v1/troubleshooting/trees': (_, o) => ({ url: '/api/v1/troubleshooting/trees', payload: {
    slug: 'probe-tree', locale: 'en', product: 'probe', title: 'probe tree', nodes: [{ id: 'r', kind: 'solution', title: 'probe', articleId: o.kbArticle }],
  } }),
  'GET /api/v1/troubleshooting/trees/:id': (p) => ({ url: `/api/v1/troubleshooting/trees/${p.tree}` }),
  'PUT /api/v1/troubleshooting/trees/:id': (p, o) => ({ url: `/api/v1/troubleshooting/trees/${p.tree}`, payload: {
    slug: 'hijacked', locale: 'en', product: 'x', title: 'hijacked', nodes: [{ id: 'r', kind: 'solution', title: 'x', articleId: o.kbArticle }],
  } }),
  'DELETE /api/v1/troubleshooting/trees/:id': (p) => ({ url: `/api/v1/troubleshooting/trees/${p.tree}` }),
  'POST /api/v1/troubleshooting/trees/:id/publish': (p) => ({ url: `/api/v1/troubleshooting/trees/${p.tree}/publish` }),
  'POST /api/v1/troubleshooting/trees/:id/unpublish': (p) => ({ url: `/api/v1/troubleshooting/trees/${p.tree}/unpublish` }),
  'GET /api/v1/troubleshooting/trees/:id/stats': (p) => ({ url: `/api/v1/troubleshooting/trees/${p.tree}/stats` }),
  'GET /help/troubleshoot/:slug': (p) => ({ url: `/help/troubleshoot/${p.treeSlug}` }),
  'GET /help/troubleshoot/:slug/repair': (p) => ({ url: `/help/troubleshoot/${p.treeSlug}/repair`, query: { path: 'q:a' } }),

  // ---- kb
  'POST /api/v1/kb/categories': (_, o) => ({ url: '/api/v1/kb/categories', payload: { slug: 'probe-category', names: { en: 'probe' }, parentId: o.kbCategory } }),
  'GET /api/v1/kb/categories/:id': (p) => ({ url: `/api/v1/kb/categories/${p.kbCategory}` }),
  'PATCH /api/v1/kb/categories/:id': (p, o) => ({ url: `/api/v1/kb/categories/${p.kbCategory}`, payload: { names: { en: 'hijacked' }, parentId: o.otherKbCategory } }),
  'DELETE /api/v1/kb/categories/:id': (p) => ({ url: `/api/v1/kb/categories/${p.kbCategory}` }),
  'GET /api/v1/kb/articles': (_, o) => ({ url: '/api/v1/kb/articles', query: { categoryId: o.kbCategory } }),
  'POST /api/v1/kb/articles': (_, o) => ({ url: '/api/v1/kb/articles', payload: {
    title: 'probe article', markdown: 'probe', locale: 'zh-CN', categoryId: o.kbCategory, translationOf: o.kbArticle, relatedIds: [o.kbArticle],
  } }),
  'GET /api/v1/kb/articles/:id': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}` }),
  'PATCH /api/v1/kb/articles/:id': (p, o) => ({ url: `/api/v1/kb/articles/${p.kbArticle}`, payload: { title: 'hijacked', categoryId: o.otherKbCategory, relatedIds: [o.otherKbArticle] } }),
  'DELETE /api/v1/kb/articles/:id': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}` }),
  'POST /api/v1/kb/articles/:id/publish': (p, o) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/publish`, payload: { revisionId: o.kbRevision } }),
  'POST /api/v1/kb/articles/:id/unpublish': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/unpublish` }),
  'POST /api/v1/kb/articles/:id/reviewed': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/reviewed` }),
  'GET /api/v1/kb/articles/:id/revisions': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/revisions` }),
  'GET /api/v1/kb/articles/:id/revisions/:revisionId': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/revisions/${p.kbRevision}` }),
  'GET /api/v1/kb/articles/:id/attachments': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/attachments` }),
  'POST /api/v1/kb/articles/:id/attachments': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/attachments`, query: { filename: 'hijack.txt' }, payload: { hijacked: true } }),
  'POST /api/v1/kb/articles/:id/images': (p) => ({ url: `/api/v1/kb/articles/${p.kbArticle}/images`, query: { filename: 'hijack.png' }, payload: { hijacked: true } }),
  'GET /api/v1/kb/attachments/:id/:filename': (p) => ({ url: `/api/v1/kb/attachments/${p.kbAttachment}/${p.kbAttachmentName}` }),
  'POST /api/v1/kb/articles/from-message/:messageId': (p, o) => ({ url: `/api/v1/kb/articles/from-message/${p.message}`, payload: { categoryId: o.kbCategory } }),
  'GET /api/v1/kb/feedback': (_, o) => ({ url: '/api/v1/kb/feedback', query: { articleId: o.kbArticle } }),
  'GET /api/v1/kb/subscriptions/digests': (_, o) => ({ url: '/api/v1/kb/subscriptions/digests', query: { customerId: o.customer } }),
  'GET /help/categories/:slug': (p) => ({ url: `/help/categories/${p.kbCategorySlug}` }),
  'GET /help/articles/:slug': (p) => ({ url: `/help/articles/${p.kbArticleSlug}` }),
  'POST /help/articles/:slug/vote': (p) => ({ url: `/help/articles/${p.kbArticleSlug}/vote`, payload: { helpful: 'yes' } }),
  'GET /help/attachments/:id/:filename': (p) => ({ url: `/help/attachments/${p.kbAttachment}/${p.kbAttachmentName}` }),
  'POST /help/follow': (_, o) => ({ url: '/help/follow', payload: { kind: 'article', id: o.kbArticle, consent: 'yes' } }),
  'POST /help/unfollow': (_, o) => ({ url: '/help/unfollow', payload: { kind: 'article', id: o.kbArticle } }),
  // Unsubscribe tokens are their own proof (no session, no workspace id): a made-up one finds nothing.
  'GET /help/unsubscribe/:token': () => ({ url: '/help/unsubscribe/made-up-token', control: false }),
  'POST /help/unsubscribe/:token': () => ({ url: '/help/unsubscribe/made-up-token' }),
  'POST /help/unsubscribe/:token/one-click': () => ({ url: '/help/unsubscribe/made-up-token/one-click' }),

  // ---- customers (the customer database)
  'GET /api/v1/customers': (_, o) => ({ url: '/api/v1/customers', query: { companyId: o.crmCompany, segmentId: o.crmSegment } }),
  'POST /api/v1/customers': (_, o) => ({ url: '/api/v1/customers', payload: { name: 'probe customer', email: 'probe@probe.example', companyId: o.crmCompany } }),
  'GET /api/v1/customer-identities/resolve': (_, o) => ({ url: '/api/v1/customer-identities/resolve', query: { kind: 'email', value: o.crmCustomerEmail } }),
  'GET /api/v1/customers/:id/record': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/record` }),
  'PATCH /api/v1/customers/:id': (p, o) => ({ url: `/api/v1/customers/${p.crmCustomer}`, payload: { name: 'hijacked', companyId: o.crmCompany, tags: ['probed'] } }),
  'POST /api/v1/customers/:id/identities': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/identities`, payload: { kind: 'wechat_openid', value: 'probe-openid' } }),
  'DELETE /api/v1/customers/:id/identities/:identityId': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/identities/${p.crmIdentity}` }),
  'POST /api/v1/customers/:id/notes': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/notes`, payload: { body: 'hijacked' } }),
  'POST /api/v1/customers/:id/products': (p, o) => ({ url: `/api/v1/customers/${p.crmCustomer}/products`, payload: { productId: o.crmProduct, serial: 'probe-serial' } }),
  'PATCH /api/v1/customers/:id/products/:registrationId': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/products/${p.crmRegistration}`, payload: { serial: 'hijacked-serial' } }),
  'POST /api/v1/customers/:id/orders': (p, o) => ({ url: `/api/v1/customers/${p.crmCustomer}/orders`, payload: {
    orderedAt: '2026-01-01T00:00:00Z', currency: 'CNY', lines: [{ productId: o.crmProduct, description: 'probe', quantity: 1, amount: '1.00' }],
  } }),
  'GET /api/v1/customers/:id/timeline': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/timeline` }),
  'GET /api/v1/customers/:id/duplicates': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/duplicates` }),
  'POST /api/v1/customers/:id/merge': (p, o) => ({ url: `/api/v1/customers/${p.crmCustomer}/merge`, payload: { duplicateId: o.crmDuplicate, take: ['name'] } }),
  'GET /api/v1/customers/imports/:id': (p) => ({ url: `/api/v1/customers/imports/${p.crmImport}` }),
  'GET /api/v1/customers/:id/consents': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/consents` }),
  'POST /api/v1/customers/:id/consents': (p, o) => ({ url: `/api/v1/customers/${p.crmCustomer}/consents`, payload: { purposeId: o.consentPurpose, granted: false, channel: 'api' } }),
  'PATCH /api/v1/consent-purposes/:id': (p) => ({ url: `/api/v1/consent-purposes/${p.consentPurpose}`, payload: { wordingVersion: 'hijacked' } }),
  'GET /api/v1/customers/:id/data-export': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/data-export` }),
  'GET /api/v1/customers/:id/data-archive': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/data-archive` }),
  'GET /api/v1/customers/:id/erasure': (p) => ({ url: `/api/v1/customers/${p.crmErasedCustomer}/erasure` }),
  'POST /api/v1/customers/:id/erasure': (p) => ({ url: `/api/v1/customers/${p.crmCustomer}/erasure`, payload: { confirm: true } }),
  'GET /api/v1/customer-companies/:id': (p) => ({ url: `/api/v1/customer-companies/${p.crmCompany}` }),
  'PATCH /api/v1/customer-companies/:id': (p) => ({ url: `/api/v1/customer-companies/${p.crmCompany}`, payload: { notes: 'hijacked' } }),
  'DELETE /api/v1/customer-companies/:id': (p) => ({ url: `/api/v1/customer-companies/${p.crmCompany}` }),
  'PATCH /api/v1/products/:id': (p) => ({ url: `/api/v1/products/${p.crmProduct}`, payload: { category: 'hijacked' } }),
  'GET /api/v1/customer-segments/:id': (p) => ({ url: `/api/v1/customer-segments/${p.crmSegment}` }),
  'PATCH /api/v1/customer-segments/:id': (p) => ({ url: `/api/v1/customer-segments/${p.crmSegment}`, payload: { name: 'hijacked', rule: { match: 'any', conditions: [{ field: 'tag', op: 'has', value: 'hijacked' }] } } }),
  'DELETE /api/v1/customer-segments/:id': (p) => ({ url: `/api/v1/customer-segments/${p.crmSegment}` }),
  'GET /api/v1/customer-segments/:id/count': (p) => ({ url: `/api/v1/customer-segments/${p.crmSegment}/count` }),
  'GET /api/v1/customer-segments/:id/customers': (p) => ({ url: `/api/v1/customer-segments/${p.crmSegment}/customers` }),

  // ---- triage
  'POST /api/v1/triage/rules': (_, o) => ({ url: '/api/v1/triage/rules', payload: {
    name: 'probe rule', conditions: [{ type: 'words', field: 'any', words: ['probe'] }], actions: [{ type: 'setDepartment', departmentId: o.department }],
  } }),
  'POST /api/v1/triage/rules/try': (_, o) => ({ url: '/api/v1/triage/rules/try', payload: {
    name: 'probe trial', conditions: [{ type: 'words', field: 'any', words: ['secret'] }], actions: [{ type: 'setDepartment', departmentId: o.department }],
  } }),
  'PUT /api/v1/triage/rules/:id': (p, o) => ({ url: `/api/v1/triage/rules/${p.triageRule}`, payload: {
    name: 'hijacked', conditions: [{ type: 'words', field: 'any', words: ['hijacked'] }], actions: [{ type: 'setDepartment', departmentId: o.department }],
  } }),
  'DELETE /api/v1/triage/rules/:id': (p) => ({ url: `/api/v1/triage/rules/${p.triageRule}` }),
  'GET /api/v1/triage/tickets/:id': (p) => ({ url: `/api/v1/triage/tickets/${p.ticket}` }),
  'POST /api/v1/triage/templates': (_, o) => ({ url: '/api/v1/triage/templates', payload: { departmentId: o.department, urgency: 4, locale: 'zh-CN', subject: 'probe', body: 'probe' } }),
  'PUT /api/v1/triage/templates/:id': (p, o) => ({ url: `/api/v1/triage/templates/${p.triageTemplate}`, payload: { departmentId: o.department, urgency: 3, locale: 'en', subject: 'hijacked', body: 'hijacked' } }),
  'DELETE /api/v1/triage/templates/:id': (p) => ({ url: `/api/v1/triage/templates/${p.triageTemplate}` }),
  'POST /api/v1/triage/tickets/:id/not-spam': (p) => ({ url: `/api/v1/triage/tickets/${p.ticket}/not-spam` }),
  'PUT /api/v1/triage/automations': (_, o) => ({ url: '/api/v1/triage/automations', payload: {
    remind: { enabled: true, afterHours: 4 }, escalate: { enabled: true, afterHours: 24, onSlaWarning: true, raiseUrgencyTo: 3, departmentId: o.department, notify: true },
    autoClose: { enabled: false, afterDays: 7 }, duplicates: { enabled: true, windowMinutes: 10 }, spam: { enabled: true, threshold: 5, blocklist: ['spam.example'] },
  } }),

  // ---- the customer's portal
  'POST /account/products/:id': (p) => ({ url: `/account/products/${p.crmRegistration}`, payload: { serial: 'hijacked-serial', purchasedOn: '' } }),
  'POST /account/identities/:id/remove': (p) => ({ url: `/account/identities/${p.crmIdentity}/remove`, payload: {} }),
  'GET /requests/:number': (p) => ({ url: `/requests/${p.ticketNumber}` }),
  'POST /requests/:number/reply': (p) => ({ url: `/requests/${p.ticketNumber}/reply`, payload: { message: 'hijacked' } }),
  'GET /requests/:number/attachments/:id': (p) => ({ url: `/requests/${p.ticketNumber}/attachments/${p.ticketAttachment}` }),
  'GET /requests/:number/rate': (p) => ({ url: `/requests/${p.ticketNumber}/rate` }),
  'POST /requests/:number/rate': (p) => ({ url: `/requests/${p.ticketNumber}/rate`, payload: { rating: '1', comment: 'hijacked' } }),
  'POST /requests/:number/solve': (p) => ({ url: `/requests/${p.ticketNumber}/solve`, payload: {} }),
  'POST /requests/:number/sender': (p) => ({ url: `/requests/${p.ticketNumber}/sender`, payload: { mine: 'yes' } }),
};

/** The request for a route, or undefined for a route with `:params` that has no probe. */
export function probeFor(route: AppRoute, path: Ids, own: Ids, extra: Record<string, ProbeMaker> = {}): Probe | undefined {
  const make = extra[`${route.method} ${route.url}`] ?? PROBES[`${route.method} ${route.url}`];
  if (make) return make(path, own);
  if (route.url.includes(':') || route.url.includes('*')) return undefined;
  return { url: route.url, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} };
}
