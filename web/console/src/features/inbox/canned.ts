import type { CannedReply } from './tickets-api.js';

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

/** Replies in the agent's language first, then those for any language, then the rest. */
export function cannedForLocale(replies: readonly CannedReply[], locale: string): CannedReply[] {
  const rank = (reply: CannedReply) => (reply.locale === locale ? 0 : reply.locale === null ? 1 : 2);
  return [...replies].sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title, locale));
}

/** Puts a snippet where the cursor is (or at the end), with a blank line around it when needed. */
export function insertAt(text: string, snippet: string, start: number, end: number): { text: string; cursor: number } {
  const before = text.slice(0, start);
  const after = text.slice(end);
  const lead = before && !before.endsWith('\n') ? '\n' : '';
  const next = `${before}${lead}${snippet}${after}`;
  return { text: next, cursor: before.length + lead.length + snippet.length };
}
