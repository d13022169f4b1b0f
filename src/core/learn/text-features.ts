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
/** Han runs, or runs of other letters and digits. */
const RUNS = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu;
/** Long inputs say what they are about in their start; the rest only costs time. */
const MAX_CHARS = 20_000;

/** jieba's words (its dictionary: see jieba.ts), loaded on first use. */
export function jiebaWords(han: string): string[] {
  return sharedJieba().cut(han, false);
}

/** NFKC folds full-width forms into plain ones; apostrophes join words (don't → dont). */
export function normaliseText(text: string): string {
  return text.slice(0, MAX_CHARS).normalize('NFKC').replace(/['’]/g, '').toLowerCase();
}

/** The words of a text in order: jieba words for Chinese runs, letter-and-digit runs otherwise. */
export function words(text: string, segment: (han: string) => string[] = jiebaWords): string[] {
  return wordsOfNormalised(normaliseText(text), segment);
}

function wordsOfNormalised(normalised: string, segment: (han: string) => string[]): string[] {
  const out: string[] = [];
  for (const match of normalised.matchAll(RUNS)) {
    if (match[1]) out.push(...segment(match[1]).filter((w) => HAN.test(w) || /[\p{L}\p{N}]/u.test(w)));
    else out.push(match[0]);
  }
  return out;
}

/** Feature → count for one text. Empty text gives an empty map. */
export function textFeatures(text: string, options: TextFeatureOptions = {}): Map<string, number> {
  const { wordBigrams = true, charNgrams = { min: 2, max: 4 }, segment = jiebaWords } = options;
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  const normalised = normaliseText(text);
  const written = wordsOfNormalised(normalised, segment);
  const { wordForm } = options;
  const sequence = wordForm ? written.map((w) => (/[\p{N}\p{Script=Han}]/u.test(w) ? w : wordForm(w))) : written;
  sequence.forEach((word, i) => {
    add(`w:${word}`);
    if (wordBigrams && i > 0) add(`w2:${sequence[i - 1]} ${word}`);
  });
  if (charNgrams.max > 0) {
    for (const match of normalised.matchAll(RUNS)) {
      const padded = [...` ${match[0]} `];
      for (let n = Math.max(1, charNgrams.min); n <= charNgrams.max; n++) {
        for (let at = 0; at + n <= padded.length; at++) {
          const gram = padded.slice(at, at + n).join('');
          if (gram.trim()) add(`c:${gram}`);
        }
      }
    }
  }
  return counts;
}
