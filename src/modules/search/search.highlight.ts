import { escapeHtml } from '../../core/html/html.js';
import { foldForms, runsOf, toSimplified, wordLexeme } from './search.analyzer.js';

const SNIPPET_CHARS = 180;

/**
 * The part of `text` with the most query matches, HTML-escaped, matches wrapped in `<mark>`.
 * A word matches when its lexeme is one of `lexemes` (so "printing" marks for "printers");
 * Chinese text matches on any query word or bigram found in it.
 */
export function snippet(fullText: string, lexemes: ReadonlySet<string>, maxChars = SNIPPET_CHARS): string {
  // The window is looked for in the first 20,000 characters: enough for any answer's gist.
  const text = fullText.slice(0, 20_000);
  const marked = markMatches(text, lexemes);
  const start = bestWindow(marked, maxChars);
  const end = Math.min(text.length, start + maxChars);
  let out = start > 0 ? '…' : '';
  for (let i = start; i < end;) {
    let j = i;
    while (j < end && marked[j] === marked[i]) j++;
    const piece = escapeHtml(text.slice(i, j));
    out += marked[i] ? `<mark>${piece}</mark>` : piece;
    i = j;
  }
  return end < fullText.length ? `${out}…` : out;
}

/** A character folded like the analyser folds it, where that keeps its length (offsets must stay aligned with `text`). */
function foldChar(ch: string): string {
  const folded = foldForms(ch);
  return folded.length === ch.length ? folded : ch;
}

/** One flag per UTF-16 unit of `text`: is it part of a match? */
function markMatches(text: string, lexemes: ReadonlySet<string>): boolean[] {
  const marked = new Array<boolean>(text.length).fill(false);
  const folded = toSimplified([...text].map(foldChar).join(''));
  const hanLexemes = [...lexemes].filter((l) => /\p{Script=Han}/u.test(l));
  for (const run of runsOf(folded)) {
    if (run.kind === 'word') {
      const lexeme = wordLexeme(run.text);
      if (lexeme && lexemes.has(lexeme)) marked.fill(true, run.start, run.start + run.text.length);
      continue;
    }
    for (const word of hanLexemes) {
      for (let at = run.text.indexOf(word); at >= 0; at = run.text.indexOf(word, at + 1)) {
        marked.fill(true, run.start + at, run.start + at + word.length);
      }
    }
  }
  return marked;
}

function bestWindow(marked: boolean[], width: number): number {
  if (marked.length <= width) return 0;
  let best = 0;
  let bestCount = -1;
  let count = 0;
  for (let i = 0; i < marked.length; i++) {
    if (marked[i]) count++;
    if (i >= width && marked[i - width]) count--;
    const start = Math.max(0, i - width + 1);
    if (count > bestCount) { bestCount = count; best = start; }
  }
  // Start a little before the first match of the best window, at a word boundary if one is near.
  const firstMatch = marked.indexOf(true, best);
  const from = Math.max(0, Math.min(best, firstMatch < 0 ? best : firstMatch - 20));
  return Math.min(from, marked.length - width);
}
