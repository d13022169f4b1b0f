/**
 * The two reference rankers `npm run eval:search` prints beside Kefu (issue 16, 5), written from
 * their textbook definitions and sharing nothing with Kefu's search but core/learn's primitives:
 * - BM25 (Robertson/Spärck Jones, k1 1.2, b 0.75, Lucene's non-negative IDF) over title + body,
 *   lower-cased word tokens for English and character bigrams for Chinese;
 * - a per-article linear model: word + character n-gram TF-IDF, a one-vs-rest linear SVM with one
 *   class per article trained on its title and each line of its body, articles ranked by score.
 * Each takes the documents and returns a function from a query to the ids of its best ten.
 */
import { textFeatures, TfidfVectorizer, trainLinearSvm } from '../src/core/learn/index.js';

export interface ReferenceDoc { id: string; title: string; body: string }
export type Ranker = (query: string) => string[];

const TOP = 10;
const K1 = 1.2;
const B = 0.75;

/** English: lower-cased letter/digit runs. Chinese: each pair of neighbouring Han characters, other runs as words. */
export function bm25Tokens(text: string, lang: 'en' | 'zh'): string[] {
  const lower = text.normalize('NFKC').toLowerCase();
  if (lang === 'en') return lower.match(/[\p{L}\p{N}]+/gu) ?? [];
  const tokens: string[] = [];
  for (const [run] of lower.matchAll(/\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu)) {
    if (!/\p{Script=Han}/u.test(run)) tokens.push(run);
    else if (run.length === 1) tokens.push(run);
    else for (let at = 0; at + 2 <= run.length; at++) tokens.push(run.slice(at, at + 2));
  }
  return tokens;
}

export function bm25Ranker(docs: readonly ReferenceDoc[], lang: 'en' | 'zh'): Ranker {
  const termCounts = docs.map((d) => {
    const counts = new Map<string, number>();
    for (const token of bm25Tokens(`${d.title}\n${d.body}`, lang)) counts.set(token, (counts.get(token) ?? 0) + 1);
    return counts;
  });
  const lengths = termCounts.map((counts) => [...counts.values()].reduce((a, b) => a + b, 0));
  const averageLength = lengths.reduce((a, b) => a + b, 0) / Math.max(docs.length, 1);
  const postings = new Map<string, [number, number][]>();
  termCounts.forEach((counts, doc) => {
    for (const [term, tf] of counts) {
      const list = postings.get(term);
      if (list) list.push([doc, tf]);
      else postings.set(term, [[doc, tf]]);
    }
  });
  return (query) => {
    const scores = new Map<number, number>();
    for (const term of new Set(bm25Tokens(query, lang))) {
      const list = postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (docs.length - list.length + 0.5) / (list.length + 0.5));
      for (const [doc, tf] of list) {
        const norm = tf + K1 * (1 - B + (B * lengths[doc]!) / averageLength);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (K1 + 1)) / norm);
      }
    }
    return best(scores.entries(), docs);
  };
}

export function linearRanker(docs: readonly ReferenceDoc[]): Ranker {
  const lines = docs.flatMap((d) => [d.title, ...d.body.split('\n')].filter((text) => text.trim()).map((text) => ({ text, label: d.id })));
  const counts = lines.map((line) => textFeatures(line.text));
  const vectorizer = TfidfVectorizer.fit(counts);
  // A class's weights span every feature of every example it is trained against; past the largest
  // few thousand they change no ranking, and all of them would not fit in memory (1,890 classes).
  const model = trainLinearSvm(counts.map((c, i) => ({ vector: vectorizer.transform(c), label: lines[i]!.label })), vectorizer.size, { maxWeightsPerClass: 5000 });
  const classes = model.classes;
  return (query) => {
    const scores = model.scores(vectorizer.transform(textFeatures(query)));
    return [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || (classes[a]! < classes[b]! ? -1 : 1)).slice(0, TOP).map((k) => classes[k]!);
  };
}

/** The ten best by score, ties by id: the same order every run. */
function best(scored: Iterable<[number, number]>, docs: readonly ReferenceDoc[]): string[] {
  return [...scored].sort((a, b) => b[1] - a[1] || (docs[a[0]]!.id < docs[b[0]]!.id ? -1 : 1)).slice(0, TOP).map(([doc]) => docs[doc]!.id);
}
