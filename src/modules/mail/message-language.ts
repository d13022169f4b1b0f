import type { Locale } from '../../core/i18n/index.js';

/**
 * The language a customer wrote in, for answering in it when they have chosen none: Han characters
 * without kana read as Simplified Chinese, Latin words without Han as English; anything else
 * (Japanese, a bare number) is not guessed and the caller's default applies.
 */
export function guessLocale(text: string): Locale | null {
  if (/[\u4e00-\u9fff]/.test(text)) return /[\u3040-\u30ff]/.test(text) ? null : 'zh-CN';
  return /[A-Za-z]{2,}/.test(text) ? 'en' : null;
}
