import { translator, type Locale } from '../../../core/i18n/index.js';
import { escapeHtml } from '../../../core/html/html.js';
import type { MailTemplate } from '../../../core/mail/outbox.js';

/**
 * The HTML alternative of a template's body: the catalogue text escaped, its line breaks kept,
 * plain variables escaped and links made clickable, and `trusted` variables inserted as they are
 * (already sanitised HTML, such as an agent's reply).
 */
export function renderTemplateHtml(locale: Locale, template: MailTemplate, vars: Record<string, string>, trusted: Record<string, string>): string {
  // Private-use characters mark where a variable goes: the catalogue text never holds them.
  const slot = (name: string) => `\uE000${name}\uE001`;
  const slots = Object.fromEntries(Object.keys({ ...vars, ...trusted }).map((name) => [name, slot(name)]));
  const text = translator(locale)(`mail.${template}.body`, slots);
  const body = escapeHtml(text).replace(/\r?\n/g, '<br>\n').replace(/\uE000([A-Za-z0-9_]+)\uE001/g, (_, name: string) => {
    if (name in trusted) return trusted[name]!;
    const value = vars[name] ?? '';
    return /^https?:\/\/\S+$/.test(value) ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : escapeHtml(value).replace(/\r?\n/g, '<br>\n');
  });
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"></head><body>${body}</body></html>`;
}
