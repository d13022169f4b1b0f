import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { toSimplified } from './search.analyzer.js';
import { LinearModel, textFeatures, TfidfVectorizer, trainLinearSvm, type LinearModelState, type SparseVector, type TfidfState } from '../../core/learn/index.js';

/**
 * The learned half of search: one class per document, a one-vs-rest linear SVM on word and
 * character n-gram TF-IDF features (core/learn), trained on the ways a document is asked about —
 * its title, its alternative questions, the sentences of its body, and the searches after which
 * people opened it. Scoring walks only the query's features.
 */

export interface TrainingDocument {
  /** `kind:id`, the class. */
  key: string;
  title: string;
  /** Alternative questions an editor wrote ("people also ask"). */
  questions: readonly string[];
  /** Plain text; each line and sentence is an example. */
  body: string;
  /** Searches whose searchers opened the document: how customers really ask. */
  asked: readonly string[];
}

export interface LearnedHit { key: string; score: number }

/** Bumped when the features or the stored form change: models of another format are retrained, never read. */
export const RANKER_FORMAT = 2;
/** A long body says what it is about in its first sentences; the rest only costs training time. */
const MAX_BODY_LINES = 40;
const MAX_LINE_CHARS = 300;
const MIN_LINE_CHARS = 2;
/**
 * Up to this many documents each class is trained against every example; above, against the
 * examples sharing its rarest features (`nearNegatives`), which keeps training linear in the size
 * of the help centre and still separates each document from the ones it could be confused with.
 */
const ALL_NEGATIVES_UP_TO = 1000;
/** Passes over a class's examples at most: most classes converge in about 11. */
const MAX_EPOCHS = 20;
/** Retraining after a change trains a changed document against this many of its nearest unchanged ones. */
const NEIGHBOUR_DOCUMENTS = 20;
/** When more than this share of the documents changed, the vocabulary has moved too: a full training. */
const MAX_CHANGED_SHARE = 0.1;
const NEAR_NEGATIVES = 200;
/** A feature in more examples than this tells documents apart too little to pick neighbours by. */
const NEIGHBOUR_FEATURE_MAX_EXAMPLES = 200;
/**
 * Bounded model size: a document keeps its largest weights, up to 3,000 (beyond, nothing changes
 * on the public sets), fewer in large help centres so the whole model stays within about 4 million
 * weights (some 50 MB in memory on each node that searches, with its by-feature index).
 */
const MAX_WEIGHTS_PER_CLASS = 3000;
const MAX_WEIGHTS = 4_000_000;
const MIN_WEIGHTS_PER_CLASS = 32;

/** Sentences of a body: lines, cut again at sentence ends (。！？!? and ". "). */
export function bodyLines(body: string): string[] {
  return body.split(/\n|(?<=[。！？!?])|(?<=\.)\s+/u)
    .map((line) => line.trim().slice(0, MAX_LINE_CHARS))
    .filter((line) => line.length >= MIN_LINE_CHARS)
    .slice(0, MAX_BODY_LINES);
}

export interface TrainingOptions {
  /**
   * The workspace's current model: only the documents whose text changed since it was trained
   * are trained again, against the unchanged documents it confuses them with; the others keep
   * their weights, and the vocabulary stays (see `retrain`). A full training when there is none.
   */
  previous?: LearnedRanker;
  /** Help centres up to this many documents are always trained in full (it takes a second or two). */
  fullUpTo?: number;
}

export class LearnedRanker {
  private constructor(
    private readonly vectorizer: TfidfVectorizer,
    private readonly model: LinearModel,
    /** Document key → digest of the text it was trained on: what changed since. */
    private readonly digests: ReadonlyMap<string, string>,
  ) {}

  /**
   * Undefined when there is nothing to learn from (fewer than two documents with text).
   * `retrained`: the documents trained in this call (all of them unless `previous` was used).
   */
  static train(documents: readonly TrainingDocument[], options: TrainingOptions = {}): { ranker: LearnedRanker; examples: number; retrained: number } | undefined {
    const digests = new Map(documents.map((d) => [d.key, digest(exampleTexts(d))]));
    const { previous, fullUpTo = ALL_NEGATIVES_UP_TO } = options;
    if (previous && documents.length > fullUpTo) {
      const changed = documents.filter((d) => previous.digests.get(d.key) !== digests.get(d.key));
      const removed = previous.model.classes.filter((key) => !digests.has(key));
      if (changed.length + removed.length <= documents.length * MAX_CHANGED_SHARE) return previous.retrain(documents, changed, removed, digests);
    }
    // Each text's features are made twice, for the vocabulary and then for its vector, instead of
    // being held for every example at once: held, they were most of training's memory (1.2 GB at
    // 10,000 documents, so some 12 GB at 100,000).
    const texts = documents.flatMap((d) => exampleTexts(d).map((text) => ({ text, label: d.key })));
    const vectorizer = TfidfVectorizer.fit(nonEmptyFeatures(texts));
    const labelled = texts.map((e) => ({ vector: vectorizer.transform(features(e.text)), label: e.label })).filter((e) => e.vector.indices.length);
    if (new Set(labelled.map((e) => e.label)).size < 2) return undefined;
    const model = trainLinearSvm(labelled, vectorizer.size, {
      maxWeightsPerClass: weightsPerClass(documents.length),
      negativesOf: documents.length > ALL_NEGATIVES_UP_TO ? nearNegatives(labelled, vectorizer.size) : undefined,
      maxEpochs: MAX_EPOCHS,
    });
    return { ranker: new LearnedRanker(vectorizer, model, digests), examples: labelled.length, retrained: model.classes.length };
  }

  static fromBytes(bytes: Uint8Array): LearnedRanker {
    const stored = deserialize(bytes) as { vectorizer: TfidfState; model: LinearModelState; digests: [string, string][] };
    return new LearnedRanker(TfidfVectorizer.fromState(stored.vectorizer), new LinearModel(stored.model), new Map(stored.digests));
  }

  /** node:v8's structured serialisation keeps the typed arrays as they are: compact and fast to load. */
  toBytes(): Buffer {
    return serialize({ vectorizer: this.vectorizer.toState(), model: this.model.state, digests: [...this.digests] });
  }

  get documents(): number {
    return this.model.classes.length;
  }

  /** The `limit` documents the model scores highest for a query, best first; none when it knows none of the query's features. */
  top(query: string, limit: number): LearnedHit[] {
    const vector = this.vectorizer.transform(features(query));
    if (!vector.indices.length) return [];
    const scores = this.model.scores(vector);
    return highest(scores, limit, () => true).map((k) => ({ key: this.model.classes[k]!, score: scores[k]! }));
  }

  /**
   * This model with the changed documents trained again and the removed ones left out. Each
   * changed document is trained against its own examples, the other changed ones' and those of
   * the NEIGHBOUR_DOCUMENTS unchanged documents this model scores highest for its examples (the
   * ones it could be confused with), so the cost is that of the change, not of the help centre.
   * The vocabulary and its IDF stay as they were: a word no document had at the last full training
   * counts only through its character n-grams (and the text score) until the next one, nightly.
   */
  private retrain(documents: readonly TrainingDocument[], changed: readonly TrainingDocument[], removed: readonly string[], digests: ReadonlyMap<string, string>) {
    const examplesOf = (d: TrainingDocument) => exampleTexts(d).map((text) => ({ vector: this.vectorizer.transform(features(text)), label: d.key })).filter((e) => e.vector.indices.length);
    const own = changed.flatMap(examplesOf);
    const trained = new Set(own.map((e) => e.label));
    const byKey = new Map(documents.map((d) => [d.key, d]));
    const classes = this.model.classes;
    const neighbours = new Set<string>();
    for (const key of trained) {
      const total = new Float64Array(classes.length);
      for (const e of own) if (e.label === key) this.model.scores(e.vector).forEach((score, k) => { total[k] = total[k]! + score; });
      for (const k of highest(total, NEIGHBOUR_DOCUMENTS, (k) => byKey.has(classes[k]!) && !trained.has(classes[k]!))) neighbours.add(classes[k]!);
    }
    const examples = [...own, ...[...neighbours].flatMap((key) => examplesOf(byKey.get(key)!))];
    const gone = [...removed, ...changed.map((d) => d.key).filter((key) => !trained.has(key))];
    const retrained = trained.size
      ? trainLinearSvm(examples, this.vectorizer.size, { only: trained, maxWeightsPerClass: weightsPerClass(documents.length), maxEpochs: MAX_EPOCHS })
      : undefined;
    return { ranker: new LearnedRanker(this.vectorizer, this.model.withClasses(retrained, gone), digests), examples: examples.length, retrained: trained.size };
  }
}

/** A training as a training thread is given it: the documents, and the stored model to retrain (its bytes). */
export interface RankerTraining { documents: TrainingDocument[]; previous?: Uint8Array }
export interface TrainedRanker { model: Uint8Array; documents: number; examples: number; retrained: number }

/** `LearnedRanker.train` from and to bytes: the work of `search.train-thread`. Undefined when there is nothing to learn. */
export function trainRanker({ documents, previous }: RankerTraining): TrainedRanker | undefined {
  const trained = LearnedRanker.train(documents, { previous: previous && LearnedRanker.fromBytes(previous) });
  return trained && { model: trained.ranker.toBytes(), documents: trained.ranker.documents, examples: trained.examples, retrained: trained.retrained };
}

/** What a document is learned from: its title, alternative questions, body sentences and clicked searches. */
function exampleTexts(d: TrainingDocument): string[] {
  return [d.title, ...d.questions, ...bodyLines(d.body), ...d.asked].map((text) => text.slice(0, MAX_LINE_CHARS));
}

function* nonEmptyFeatures(texts: readonly { text: string }[]): Generator<Map<string, number>> {
  for (const { text } of texts) {
    const counts = features(text);
    if (counts.size) yield counts;
  }
}

const digest = (texts: readonly string[]) => createHash('sha256').update(JSON.stringify(texts)).digest('base64url').slice(0, 22);

const weightsPerClass = (documents: number) => Math.max(MIN_WEIGHTS_PER_CLASS, Math.min(MAX_WEIGHTS_PER_CLASS, Math.floor(MAX_WEIGHTS / documents)));

/** Indices of the `limit` highest scores among the eligible, highest first. */
function highest(scores: Float64Array, limit: number, eligible: (k: number) => boolean): number[] {
  const best: number[] = [];
  for (let k = 0; k < scores.length; k++) {
    const score = scores[k]!;
    if (best.length === limit && score <= scores[best[limit - 1]!]!) continue;
    if (!eligible(k)) continue;
    let at = best.length;
    while (at > 0 && scores[best[at - 1]!]! < score) at--;
    best.splice(at, 0, k);
    if (best.length > limit) best.pop();
  }
  return best;
}

/** Traditional characters are read as simplified, as the lexical half reads them. */
const features = (text: string) => textFeatures(toSimplified(text));

/**
 * For each class, the examples that share its rarer features (an inverted index over features
 * found in few examples), nearest first by how many they share, at most NEAR_NEGATIVES. It runs
 * once per class, so at 10,000 documents it was a third of training with a Map per class and a sort
 * of every neighbour; typed arrays and a histogram of the shared counts find the same examples in
 * one pass over the neighbours.
 */
function nearNegatives(examples: readonly { vector: SparseVector; label: string }[], dimensions: number): (label: string, positives: readonly number[]) => Iterable<number> {
  const postings = rareFeaturePostings(examples, dimensions);
  const labelOf = labelNumbers(examples);
  const shared = new Uint32Array(examples.length);
  return (_label, positives) => {
    const own = labelOf[positives[0]!]!;
    const touched: number[] = [];
    let most = 0;
    for (const p of positives) {
      for (const feature of examples[p]!.vector.indices) {
        for (let at = postings.start[feature]!; at < postings.start[feature + 1]!; at++) {
          const i = postings.examples[at]!;
          if (labelOf[i] === own) continue;
          if (shared[i] === 0) touched.push(i);
          most = Math.max(most, ++shared[i]!);
        }
      }
    }
    const chosen = mostShared(touched, shared, most, NEAR_NEGATIVES);
    for (const i of touched) shared[i] = 0;
    return chosen;
  };
}

/** Feature → the examples holding it, for the features in at most NEIGHBOUR_FEATURE_MAX_EXAMPLES examples (others get none). */
function rareFeaturePostings(examples: readonly { vector: SparseVector }[], dimensions: number): { start: Uint32Array; examples: Uint32Array } {
  const count = new Uint32Array(dimensions);
  for (const e of examples) for (const feature of e.vector.indices) count[feature]!++;
  const start = new Uint32Array(dimensions + 1);
  for (let f = 0; f < dimensions; f++) start[f + 1] = start[f]! + (count[f]! <= NEIGHBOUR_FEATURE_MAX_EXAMPLES ? count[f]! : 0);
  const fill = start.slice(0, dimensions);
  const held = new Uint32Array(start[dimensions]!);
  examples.forEach((e, i) => {
    for (const feature of e.vector.indices) if (count[feature]! <= NEIGHBOUR_FEATURE_MAX_EXAMPLES) held[fill[feature]!++] = i;
  });
  return { start, examples: held };
}

function labelNumbers(examples: readonly { label: string }[]): Uint32Array {
  const numbers = new Map<string, number>();
  return Uint32Array.from(examples, (e) => numbers.get(e.label) ?? numbers.set(e.label, numbers.size).get(e.label)!);
}

/**
 * The `limit` entries of `candidates` with the highest `shared` count, highest first, ties in
 * `candidates` order (what a stable sort would give), found with a histogram of the counts.
 */
function mostShared(candidates: readonly number[], shared: Uint32Array, most: number, limit: number): number[] {
  if (candidates.length <= limit) return [...candidates].sort((a, b) => shared[b]! - shared[a]!);
  const histogram = new Uint32Array(most + 1);
  for (const i of candidates) histogram[shared[i]!]!++;
  let threshold = most;
  let above = histogram[most]!;
  while (threshold > 1 && above < limit) above += histogram[--threshold]!;
  let atThreshold = limit - (above - histogram[threshold]!);
  const chosen: number[] = [];
  for (const i of candidates) {
    if (shared[i]! > threshold) chosen.push(i);
    else if (shared[i] === threshold && atThreshold > 0) { chosen.push(i); atThreshold--; }
  }
  return chosen.sort((a, b) => shared[b]! - shared[a]!);
}
