import { messageLocale } from '@contracts/language.js';
import type { CannedReply, Customer, Message } from './tickets-api.js';

export interface PlaceholderValues {
  customer: { name: string; email: string };
  agent: { name: string; email: string };
  ticket: { number: number; subject: string };
}

/**
 * Fills `{{customer.name}}`, `{{agent.name}}`, `{{ticket.number}}` (and the other fields above) in a
 * canned reply. Unknown placeholders stay as written, so the agent sees what still needs filling.
 */
export function fillPlaceholders(template: string, values: PlaceholderValues): string {
  return template.replace(/\{\{\s*([a-z]+)\.([a-z]+)\s*\}\}/gi, (whole, group: string, field: string) => {
    const source = (values as unknown as Record<string, Record<string, unknown> | undefined>)[group.toLowerCase()];
    const value = source?.[field];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
}

/**
 * The language a reply goes out in, as the mail module picks it (outbound.service.ts): the
 * customer's own choice, else the language of their last message; null when neither tells (the
 * workspace's default applies there, which the console does not know).
 */
export function replyLocale(customer: Pick<Customer, 'locale'> | null, subject: string, messages: readonly Pick<Message, 'authorType' | 'bodyText'>[]): CannedReply['locale'] {
  const theirs = messages.filter((m) => m.authorType === 'customer').at(-1);
  return customer?.locale ?? (theirs ? messageLocale(subject, theirs.bodyText) : null);
}

/**
 * The canned replies to offer for a reply in `language`: those written in it, then those for any
 * language. When the reply's language is unknown, every reply, the agent's language first.
 */
export function cannedForReply(replies: readonly CannedReply[], language: CannedReply['locale'], agentLocale: string): CannedReply[] {
  const first = language ?? agentLocale;
  const rank = (reply: CannedReply) => (reply.locale === first ? 0 : reply.locale === null ? 1 : 2);
  return replies.filter((reply) => !language || rank(reply) < 2).sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title, agentLocale));
}

/** Puts a snippet where the cursor is (or at the end), with a blank line around it when needed. */
export function insertAt(text: string, snippet: string, start: number, end: number): { text: string; cursor: number } {
  const before = text.slice(0, start);
  const after = text.slice(end);
  const lead = before && !before.endsWith('\n') ? '\n' : '';
  const next = `${before}${lead}${snippet}${after}`;
  return { text: next, cursor: before.length + lead.length + snippet.length };
}
