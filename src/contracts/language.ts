import type { LOCALES } from './enums.js';

type Locale = (typeof LOCALES)[number];

/**
 * The language a customer wrote in, for answering in it when they have chosen none: Han characters
 * without kana read as Simplified Chinese, Latin words without Han as English; anything else
 * (Japanese, a bare number) is not guessed and the caller's default applies. Shared, and free of
 * zod, because the mail module answers in it and the console offers the canned replies in it.
 */
function guessLocale(text: string): Locale | null {
  if (/[\u4e00-\u9fff]/.test(text)) return /[\u3040-\u30ff]/.test(text) ? null : 'zh-CN';
  return /[A-Za-z]{2,}/.test(text) ? 'en' : null;
}

/** The language of a customer's message: its subject and the start of its text, where the language shows. */
export const messageLocale = (subject: string, text: string): Locale | null => guessLocale(`${subject} ${text.slice(0, 500)}`);
