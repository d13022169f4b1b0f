import { sharedJieba } from './jieba.js';

/**
 * Text → feature counts, for Chinese and English alike, with no knowledge of any domain:
 * - words: Chinese runs cut into words by a segmenter (jieba by default), other letters and digits
 *   split into lower-cased words; optionally neighbouring word pairs (`w2:`), which keep some order;
 * - character n-grams inside each run, the run padded with a space at both ends (`c:`), so a word
 *   segmented differently, a typo, or an inflection still shares most of its features.
 * Features are strings; a vocabulary (tfidf.ts) turns them into indices.
 */

export interface TextFeatureOptions {
  /** Neighbouring word pairs as features too. Default true. */
  wordBigrams?: boolean;
  /** Character n-gram lengths inside a run (inclusive). Default 2–4; 0 for max turns them off. */
  charNgrams?: { min: number; max: number };
  /** Cuts a run of Chinese characters into words. Default: jieba (jieba.ts). */
  segment?: (han: string) => string[];
  /**
   * Maps each word of letters (not Chinese, no digits) to the form its word features use, e.g. a
   * stemmer, so "refunds" and "refunded" share `w:refund`. Character n-grams keep the text as written.
   */
  wordForm?: (word: string) => string;
}

const HAN = /\p{Script=Han}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** Words kept as written when `wordForm` is given: numbers and Chinese. */
const KEPT_AS_WRITTEN = /[\p{N}\p{Script=Han}]/u;
/** Han runs, or runs of other letters and digits. */
const RUNS = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu;
/** Long inputs say what they are about in their start; the rest only costs time. */
const MAX_CHARS = 20_000;

interface Run { text: string; han: boolean }

/** NFKC folds full-width forms into plain ones; apostrophes join words (don't → dont). */
export function normaliseText(text: string): string {
  return text.slice(0, MAX_CHARS).normalize('NFKC').replace(/['’]/g, '').toLowerCase();
}

/** The words of a text in order: jieba words for Chinese runs, letter-and-digit runs otherwise. */
export function words(text: string, segment?: (han: string) => string[]): string[] {
  return wordsOfRuns(runsOf(normaliseText(text)), segment);
}

function runsOf(normalised: string): Run[] {
  return Array.from(normalised.matchAll(RUNS), (match) => ({ text: match[0], han: match[1] !== undefined }));
}

function wordsOfRuns(runs: readonly Run[], segment?: (han: string) => string[]): string[] {
  const hanRuns = runs.filter((run) => run.han).map((run) => run.text);
  const cut = segment ? hanRuns.map(segment) : jiebaWordsOfRuns(hanRuns);
  const out: string[] = [];
  let next = 0;
  for (const run of runs) {
    if (!run.han) out.push(run.text);
    else for (const word of cut[next++]!) if (HAN.test(word) || LETTER_OR_DIGIT.test(word)) out.push(word);
  }
  return out;
}

/**
 * jieba's words (its dictionary: see jieba.ts, loaded on first use) of each Han run, from one call
 * for them all: a Chinese text has a run per clause, and a call per run cost twice the time. jieba
 * segments each stretch of Chinese apart from what surrounds it and gives whitespace back as words
 * of its own, so runs joined by line breaks come back cut as each alone, parted by "\n" (the
 * tests compare the two).
 */
function jiebaWordsOfRuns(runs: readonly string[]): string[][] {
  if (!runs.length) return [];
  const out: string[][] = [[]];
  for (const word of sharedJieba().cut(runs.join('\n'), false)) {
    if (word === '\n') out.push([]);
    else out[out.length - 1]!.push(word);
  }
  return out;
}

/** Feature → count for one text. Empty text gives an empty map. */
export function textFeatures(text: string, options: TextFeatureOptions = {}): Map<string, number> {
  const { wordBigrams = true, charNgrams = { min: 2, max: 4 }, segment } = options;
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  const runs = runsOf(normaliseText(text));
  const written = wordsOfRuns(runs, segment);
  const { wordForm } = options;
  const sequence = wordForm ? written.map((w) => (KEPT_AS_WRITTEN.test(w) ? w : wordForm(w))) : written;
  sequence.forEach((word, i) => {
    add(`w:${word}`);
    if (wordBigrams && i > 0) add(`w2:${sequence[i - 1]} ${word}`);
  });
  if (charNgrams.max > 0) for (const run of runs) addCharNgrams(` ${run.text} `, charNgrams, add);
  return counts;
}

/**
 * Each n-gram of characters (code points) of a padded run, sliced from the string at the
 * characters' offsets: the n-grams are most of a text's features, and an array of characters
 * sliced and joined for each was most of their cost.
 */
function addCharNgrams(padded: string, { min, max }: { min: number; max: number }, add: (feature: string) => void): void {
  // Where each character starts, and where the last ends: beyond the BMP a character takes two code units.
  const starts: number[] = [];
  for (let unit = 0; unit < padded.length; unit++) {
    starts.push(unit);
    if (padded.codePointAt(unit)! > 0xffff) unit++;
  }
  starts.push(padded.length);
  const characters = starts.length - 1;
  for (let n = Math.max(1, min); n <= max; n++) {
    for (let at = 0; at + n <= characters; at++) {
      const gram = padded.slice(starts[at]!, starts[at + n]!);
      if (gram.trim()) add(`c:${gram}`);
    }
  }
}
