import { sharedJieba } from '../../core/learn/jieba.js';
import { tonelessPinyin } from '../../core/learn/pinyin.js';
import { Converter } from 'opencc-js/t2cn';
import { stemmer } from 'stemmer';

/**
 * Text → lexemes, the same way for documents and queries, in JS so the database needs no text
 * search configuration of its own (the same on embedded Postgres 18 and Postgres 15):
 * - Chinese runs: jieba's search-mode words (with a printer dictionary) plus overlapping character
 *   bigrams, so a word jieba splits differently in a query and in a document still matches;
 * - other letters and digits: lower-cased, stop-words dropped, Porter-stemmed.
 * The lexemes go into a tsvector / tsquery literal; nothing the user typed reaches SQL syntax.
 */

/** Function words too common to say anything about a document. */
const ENGLISH_STOP_WORDS = new Set((
  'a an and are as at be been being but by can could did do does doing for from had has have having he her hers him his how i if in ' +
  'into is it its itself me my myself no nor not of on or our ours she should so some such than that the their theirs them then there ' +
  'these they this those through to too very was we were what when where which while who whom why will with would you your yours ' +
  'am s t ll d m ve re just also any all each more most other own same only about after again against before below between both ' +
  'down during few further here once out over under until up off'
).split(' '));
const CHINESE_STOP_WORDS = new Set(['的', '了', '是', '在', '和', '与', '及', '或', '等', '吗', '呢', '吧', '啊', '也', '就', '都', '而', '着', '之', '我', '你', '他', '她', '它']);

/** Han runs, or runs of other letters and digits (one regex pass keeps their order). */
const RUNS = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu;
const MAX_LEXEME_CHARS = 60;

export type RunKind = 'han' | 'word';
export interface Run { kind: RunKind; text: string; start: number }

const HAN = /\p{Script=Han}/u;
let simplified: ((text: string) => string) | undefined;
/**
 * Traditional characters as simplified ones (OpenCC's character table, Taiwan variants), so a
 * query in 繁體 finds articles in 简体 and the other way round. Character for character: offsets
 * into the text stay valid for highlighting.
 */
export function toSimplified(text: string): string {
  if (!HAN.test(text)) return text;
  const convert = simplified ??= Converter({ from: 'tw', to: 'cn' });
  const converted = convert(text);
  return converted.length === text.length ? converted : text;
}

/** NFKC folds full-width letters and digits (ＰＲＩＮＴ，１２３) into plain ones; apostrophes join words (don't → dont). */
export function foldForms(text: string): string {
  return text.normalize('NFKC').replace(/['’]/g, '').toLowerCase();
}

/** Forms folded, traditional Chinese as simplified: what documents and queries are analysed as. */
export function normalise(text: string): string {
  return toSimplified(foldForms(text));
}

export function runsOf(normalised: string): Run[] {
  const runs: Run[] = [];
  for (const match of normalised.matchAll(RUNS)) runs.push({ kind: match[1] ? 'han' : 'word', text: match[0], start: match.index });
  return runs;
}

/** The lexeme a non-Chinese word stands for, or undefined for a stop-word. */
export function wordLexeme(word: string): string | undefined {
  if (ENGLISH_STOP_WORDS.has(word) || word.length > MAX_LEXEME_CHARS) return undefined;
  // Model numbers and other words with digits are kept as typed; stemming would mangle them.
  return /\d/.test(word) ? word : stemmer(word);
}

export function hanLexemes(run: string): string[] {
  if (run.length === 1) return CHINESE_STOP_WORDS.has(run) ? [] : [run];
  const words = sharedJieba().cutForSearch(run, true).filter((w) => w.length >= 2 && w.length <= MAX_LEXEME_CHARS);
  const bigrams: string[] = [];
  for (let i = 0; i + 2 <= run.length; i++) bigrams.push(run.slice(i, i + 2));
  return [...words, ...bigrams];
}

/** Every lexeme of a text, in order (repeats kept: they are term frequencies). */
export function analyse(text: string): string[] {
  const lexemes: string[] = [];
  for (const run of runsOf(normalise(text))) {
    if (run.kind === 'han') lexemes.push(...hanLexemes(run.text));
    else {
      const lexeme = wordLexeme(run.text);
      if (lexeme) lexemes.push(lexeme);
    }
  }
  return lexemes;
}

/**
 * What a Chinese text sounds like, for pinyin typed instead of characters (`dayinji ka zhi` finds
 * 打印机卡纸): each character's syllable, each jieba word's syllables run together, and a short
 * run's whole pinyin — toneless, as people type it, and as English-word lexemes so a query's words
 * meet them unchanged.
 */
export function pinyinLexemes(text: string): string[] {
  const lexemes: string[] = [];
  for (const run of runsOf(normalise(text))) {
    if (run.kind !== 'han') continue;
    const syllables = tonelessPinyin(run.text);
    if (syllables.length !== run.text.length) continue;
    const joined = (from: number, to: number) => syllables.slice(from, to).join('');
    const words: string[] = [...syllables];
    let at = 0;
    for (const word of sharedJieba().cut(run.text, true)) {
      if (word.length > 1) words.push(joined(at, at + word.length));
      at += word.length;
    }
    if (run.text.length > 2 && run.text.length <= MAX_PINYIN_RUN) words.push(joined(0, run.text.length));
    for (const word of words) {
      const lexeme = wordLexeme(word);
      if (lexeme) lexemes.push(lexeme);
    }
  }
  return lexemes;
}
/** Longer runs are sentences: nobody types their whole pinyin as one word. */
const MAX_PINYIN_RUN = 8;

/** A lexeme as a quoted tsvector/tsquery literal: quotes and backslashes doubled, so nothing in it is syntax. */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Postgres keeps at most 256 positions per lexeme and positions up to 16383. */
const MAX_POSITIONS_PER_LEXEME = 255;
const MAX_POSITION = 16_383;
/**
 * A tsvector holds at most 1 MB: very long bodies are indexed by their first 100,000 characters
 * and 20,000 distinct lexemes (a long manual's start says what it is about).
 */
const MAX_INDEXED_CHARS = 100_000;
const MAX_LEXEMES = 20_000;

export interface IndexedText {
  /** tsvector literal: title lexemes weighted A, body lexemes D. */
  vector: string;
  /** tsvector literal of the title alone: exact GIN matches for suggestions and title-first candidates. */
  titleVector: string;
  /** Lexemes counted, for length normalisation of the rank. */
  length: number;
  /** Distinct lexemes, for the document-frequency statistics. */
  lexemes: string[];
}

/**
 * Title lexemes weighted A (with the title's pinyin), alternative questions B, body D. Pinyin does
 * not count in the length: it repeats the title in another script.
 */
export function indexText(title: string, body: string, questions: readonly string[] = []): IndexedText {
  const positions = new Map<string, string[]>();
  let position = 0;
  const add = (lexemes: string[], weight: string) => {
    for (const lexeme of lexemes) {
      position = Math.min(position + 1, MAX_POSITION);
      if (!positions.has(lexeme) && positions.size >= MAX_LEXEMES) continue;
      const list = positions.get(lexeme) ?? [];
      if (list.length < MAX_POSITIONS_PER_LEXEME) list.push(`${position}${weight}`);
      positions.set(lexeme, list);
    }
  };
  const titleLexemes = analyse(title);
  const questionLexemes = analyse(questions.join('\n'));
  const bodyLexemes = analyse(body.slice(0, MAX_INDEXED_CHARS));
  add(titleLexemes, 'A');
  add(pinyinLexemes(title), 'A');
  add(questionLexemes, 'B');
  add(bodyLexemes, '');
  const literal = (entries: Iterable<[string, string[]]>) => [...entries].map(([lexeme, at]) => `${quoteLexeme(lexeme)}:${at.join(',')}`).join(' ');
  const titleVector = literal([...positions].flatMap(([lexeme, at]): [string, string[]][] => {
    const inTitle = at.filter((p) => p.endsWith('A')).map((p) => p.slice(0, -1));
    return inTitle.length ? [[lexeme, inTitle]] : [];
  }));
  return { vector: literal(positions), titleVector, length: titleLexemes.length + questionLexemes.length + bodyLexemes.length, lexemes: [...positions.keys()] };
}
