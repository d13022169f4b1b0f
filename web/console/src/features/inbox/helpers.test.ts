import { describe, expect, it } from 'vitest';
import { isValidTag, tagGroups } from './actions.js';
import { cannedForReply, fillPlaceholders, insertAt, replyLocale } from './canned.js';
import { fileSize, initials, nextDue, relativeTime, safeApiHref } from './format.js';
import { isTypingTarget, shortcutOf } from './shortcuts.js';
import { parseMessage, parseTicket } from './tickets-api.js';
import { eventTicket, eventTicketId } from './use-inbox-list.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');

describe('canned replies', () => {
  const values = { customer: { name: '李娜', email: 'li.na@example.com' }, agent: { name: 'Emma', email: 'emma@x.example' }, ticket: { number: 42, subject: 'Jam' } };

  it('fills the placeholders it knows and leaves the others for the agent to see', () => {
    expect(fillPlaceholders('Hi {{customer.name}}, {{ agent.name }} here about #{{ticket.number}}. {{order.id}}', values))
      .toBe('Hi 李娜, Emma here about #42. {{order.id}}');
  });

  const replies = [{ id: '1', title: 'B', body: '', locale: 'en' as const }, { id: '2', title: 'A', body: '', locale: null }, { id: '3', title: 'C', body: '', locale: 'zh-CN' as const }];

  it('offers the replies in the language the reply goes out in, and those for any language', () => {
    expect(cannedForReply(replies, 'en', 'zh-CN').map((r) => r.id)).toEqual(['1', '2']);
    expect(cannedForReply(replies, 'zh-CN', 'en').map((r) => r.id)).toEqual(['3', '2']);
  });

  it('offers every reply, the agent\'s language first, when the reply\'s language is unknown', () => {
    expect(cannedForReply(replies, null, 'zh-CN').map((r) => r.id)).toEqual(['3', '2', '1']);
  });

  it('answers in the customer\'s language, else the one of their last message, as the mail module does', () => {
    const thread = [
      { authorType: 'customer' as const, bodyText: 'Mein Drucker' }, { authorType: 'customer' as const, bodyText: '打印机卡纸了' }, { authorType: 'agent' as const, bodyText: 'Hello' },
    ];
    expect(replyLocale({ locale: 'en' }, '卡纸', thread)).toBe('en');
    expect(replyLocale({ locale: null }, '卡纸', thread)).toBe('zh-CN');
    expect(replyLocale(null, 'Paper jam', [{ authorType: 'customer', bodyText: 'It jams' }])).toBe('en');
    expect(replyLocale(null, '12345', [])).toBeNull();
  });

  it('inserts at the cursor on a line of its own', () => {
    expect(insertAt('Hello', 'snippet', 5, 5)).toEqual({ text: 'Hello\nsnippet', cursor: 13 });
    expect(insertAt('', 'snippet', 0, 0)).toEqual({ text: 'snippet', cursor: 7 });
  });
});

describe('formatting', () => {
  it('says how long ago in the UI language', () => {
    expect(relativeTime('2026-03-02T09:55:00Z', NOW, 'en')).toBe('5 min. ago');
    expect(relativeTime('2026-03-02T12:00:00Z', NOW, 'zh-CN')).toBe('2小时后');
  });

  it('finds the next running SLA deadline, none while waiting on the customer or solved', () => {
    const base = { status: 'open' as const, firstResponseAt: null, firstResponseDueAt: '2026-03-02T10:30:00Z', nextResponseDueAt: null, resolutionDueAt: '2026-03-03T10:00:00Z' };
    expect(nextDue(base, NOW)).toEqual({ kind: 'firstResponse', at: '2026-03-02T10:30:00Z', state: 'soon' });
    expect(nextDue({ ...base, firstResponseAt: '2026-03-02T09:00:00Z' }, NOW)?.kind).toBe('resolution');
    expect(nextDue({ ...base, firstResponseDueAt: '2026-03-02T09:00:00Z' }, NOW)?.state).toBe('overdue');
    expect(nextDue({ ...base, status: 'pending' }, NOW)).toBeNull();
    expect(nextDue({ ...base, status: 'solved' }, NOW)).toBeNull();
  });

  it('writes sizes, initials, and links only to the API', () => {
    expect(fileSize(2048, 'en')).toBe('2 kB');
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('王磊 Wang Lei')).toBe('王');
    expect(safeApiHref('/api/v1/attachments/6f1c')).toBe('/api/v1/attachments/6f1c');
    expect(safeApiHref('javascript:alert(1)')).toBeNull();
    expect(safeApiHref('https://evil.example/x')).toBeNull();
    expect(safeApiHref('/api/v1/../../etc')).toBeNull();
  });
});

describe('keyboard shortcuts', () => {
  const key = (k: string, target: object = { tagName: 'BODY' }, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; isComposing: boolean }> = {}) =>
    shortcutOf({ key: k, ctrlKey: false, metaKey: false, altKey: false, target, ...mods });

  it('reads single keys on the page', () => {
    expect(key('j')).toBe('j');
    expect(key('J')).toBe('j');
    expect(key('?')).toBe('?');
    expect(key('Enter', { tagName: 'TR' })).toBe('Enter');
    expect(key('q')).toBeNull();
  });

  it('never fires while typing, composing, or with a modifier', () => {
    expect(isTypingTarget({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTypingTarget({ tagName: 'SELECT' })).toBe(true);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(key('s', { tagName: 'TEXTAREA' })).toBeNull();
    expect(key('s', { tagName: 'INPUT', type: 'text' })).toBeNull();
    expect(key('s', { tagName: 'INPUT', type: 'checkbox' })).toBe('s');
    expect(key('r', { tagName: 'BODY' }, { ctrlKey: true })).toBeNull();
    expect(key('j', { tagName: 'BODY' }, { isComposing: true })).toBeNull();
    // Enter on a link or button keeps its own meaning.
    expect(key('Enter', { tagName: 'A' })).toBeNull();
  });
});

describe('bulk tags', () => {
  it('groups tickets by the tag list they end up with, skipping those already done', () => {
    const tickets = [{ id: 'a', tags: ['x'] }, { id: 'b', tags: ['x'] }, { id: 'c', tags: [] }, { id: 'd', tags: ['vip'] }];
    expect(tagGroups(tickets, 'VIP', 'add')).toEqual([{ tags: ['vip', 'x'], ids: ['a', 'b'] }, { tags: ['vip'], ids: ['c'] }]);
    expect(tagGroups(tickets, 'x', 'remove')).toEqual([{ tags: [], ids: ['a', 'b'] }]);
    expect(isValidTag('paper-jam')).toBe(true);
    expect(isValidTag('卡纸')).toBe(true);
    expect(isValidTag('two words')).toBe(false);
  });
});

describe('API bodies', () => {
  const ticket = { id: 't1', number: 7, subject: 'S', status: 'open', urgency: 2, customerId: 'c1', channel: 'email', tags: ['a'], departmentId: null, assigneeId: 'a1', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

  it('accepts a ticket and refuses a body that is not one', () => {
    expect(parseTicket(ticket)).toMatchObject({ id: 't1', status: 'open', urgency: 2, tags: ['a'], csat: null });
    expect(() => parseTicket({ ...ticket, status: 'archived' })).toThrow();
    expect(() => parseTicket(null)).toThrow();
  });

  it('keeps messages as plain text, whatever HTML they carry', () => {
    const message = parseMessage({ id: 'm1', ticketId: 't1', kind: 'note', authorType: 'agent', bodyText: 'hi', bodyHtml: '<b>hi</b>', createdAt: 'x', attachments: [] });
    expect(message).not.toHaveProperty('bodyHtml');
    expect(message.kind).toBe('note');
  });

  it('reads the ticket an event is about', () => {
    const created = { id: 'e', type: 'ticket.created', occurredAt: '', payload: { ticket, messageId: 'm' } };
    expect(eventTicketId(created)).toBe('t1');
    expect(eventTicket(created)).toMatchObject({ id: 't1', status: 'open' });
    expect(eventTicket(created)).not.toHaveProperty('tags');
    expect(eventTicketId({ id: 'e', type: 'message.created', occurredAt: '', payload: { ticketId: 't2' } })).toBe('t2');
    expect(eventTicket({ id: 'e', type: 'message.created', occurredAt: '', payload: { ticketId: 't2' } })).toBeNull();
  });
});
