import { analyse, quoteLexeme } from './search.analyzer.js';

/**
 * Plain matching for other modules' own full-text columns (the inbox over message bodies): the help
 * centre's analysis — jieba words for Chinese, stemmed words otherwise — without its ranking.
 */

/** Texts are matched on their first 100,000 characters (a tsvector holds at most 1 MB). */
const MAX_MATCHED_CHARS = 100_000;

/** A tsvector literal of the text's distinct lexemes, no positions: enough to match, small to store. */
export function matchVector(text: string): string {
  return [...new Set(analyse(text.slice(0, MAX_MATCHED_CHARS)))].map(quoteLexeme).join(' ');
}

/** A tsquery literal every one of whose lexemes must match; undefined when the typed text has none. */
export function matchQuery(typed: string): string | undefined {
  const lexemes = [...new Set(analyse(typed))];
  return lexemes.length ? lexemes.map(quoteLexeme).join(' & ') : undefined;
}
