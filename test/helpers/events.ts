import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload, TicketSummary } from '../../src/contracts/events.js';
import type { DomainEvent } from '../../src/core/events/index.js';

/** A ticket as events carry it, for tests that publish events of tickets that need not exist. */
export function sampleTicket(overrides: Partial<TicketSummary> = {}): TicketSummary {
  const now = new Date().toISOString();
  return {
    id: randomUUID(), number: 1, subject: 'Printer jams', status: 'open', urgency: 1, departmentId: null, assigneeId: null,
    customerId: randomUUID(), channel: 'web', createdAt: now, updatedAt: now, ...overrides,
  };
}

const samples: { [K in EventName]: () => EventPayload<K> } = {
  'workspace.created': () => ({ slug: 'acme' }),
  'ticket.created': () => ({ ticket: sampleTicket({ status: 'new' }), messageId: randomUUID() }),
  'ticket.updated': () => ({ ticket: sampleTicket(), changes: { urgency: [1, 2] } }),
  'ticket.solved': () => ({ ticket: sampleTicket({ status: 'solved' }) }),
  'ticket.merged': () => ({ ticketId: randomUUID(), intoId: randomUUID() }),
  'ticket.rated': () => ({ ticketId: randomUUID(), rating: 5, comment: null }),
  'chat.rated': () => ({ conversationId: randomUUID(), ticketId: randomUUID(), agentId: randomUUID(), rating: 4, hasComment: false }),
  'message.created': () => ({ ticketId: randomUUID(), messageId: randomUUID(), kind: 'reply', authorType: 'customer', channel: 'web' }),
  'access.changed': () => ({ principal: 'agent', id: randomUUID() }),
  'agent.availability_changed': () => ({ agentId: randomUUID(), availability: 'online', previous: 'offline' }),
  'sla.warned': () => slaSample(),
  'sla.breached': () => slaSample(),
  'sla.settings_changed': () => ({}),
  'webhook.changed': () => ({ webhookId: randomUUID() }),
  'routing.settings_changed': () => ({ departmentId: randomUUID() }),
  'department.changed': () => ({ departmentId: randomUUID() }),
  'triage.settings_changed': () => ({}),
  'troubleshooting_tree.published': () => ({ treeId: randomUUID(), slug: 'printer', locale: 'en' }),
  'kb_article.published': () => ({ articleId: randomUUID(), locale: 'en' }),
  'customer.created': () => ({ customerId: randomUUID() }),
  'customer.updated': () => ({ customerId: randomUUID(), changed: ['tags'] }),
  'customer.merged': () => ({ customerId: randomUUID(), mergedId: randomUUID() }),
  'customer.erasure_requested': () => ({ customerId: randomUUID() }),
  'customer.erased': () => ({ customerId: randomUUID() }),
  'customer_import.queued': () => ({ importId: randomUUID() }),
  'consent.changed': () => ({ customerId: randomUUID(), purposeId: randomUUID(), purpose: 'newsletter', granted: true, channel: 'portal' }),
};

function slaSample(): EventPayload<'sla.warned'> {
  return {
    ticketId: randomUUID(), ticketNumber: 1, clockId: randomUUID(), kind: 'first_response', cycle: 1,
    dueAt: new Date().toISOString(), at: new Date().toISOString(), urgency: 1, assigneeId: null, escalations: [],
  };
}

/** A valid payload of the event, with the given fields replaced. */
export function samplePayload<K extends EventName>(type: K, overrides: Partial<EventPayload<K>> = {}): EventPayload<K> {
  return { ...samples[type](), ...overrides };
}

/** A whole event as a subscriber receives it. */
export function sampleEvent<K extends EventName>(type: K, workspaceId: string, overrides: Partial<EventPayload<K>> = {}): DomainEvent<K> {
  return { id: randomUUID(), type, workspaceId, payload: samplePayload(type, overrides), occurredAt: new Date().toISOString() } as DomainEvent<K>;
}
