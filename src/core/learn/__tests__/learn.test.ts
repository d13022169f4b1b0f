import { describe, expect, it } from 'vitest';
import {
  normaliseText, textFeatures, TfidfVectorizer, trainLinearSvm, TrainingError, type LabelledExample, type LinearModel, type SparseVector,
  type TextFeatureOptions,
} from '../index.js';
import { sharedJieba } from '../jieba.js';

const vector = (entries: [number, number][]): SparseVector => ({ indices: Uint32Array.from(entries, ([i]) => i), values: Float64Array.from(entries, ([, v]) => v) });

describe('textFeatures', () => {
  it('counts English words, word pairs and padded character n-grams', () => {
    const features = textFeatures('Card card', { charNgrams: { min: 2, max: 3 } });
    expect(features.get('w:card')).toBe(2);
    expect(features.get('w2:card card')).toBe(1);
    expect(features.get('c: c')).toBe(2);
    expect(features.get('c:rd ')).toBe(2);
    expect(features.get('c:car')).toBe(2);
    expect([...features.keys()].some((f) => f.startsWith('c:') && f.length > 5)).toBe(false);
  });

  it('cuts Chinese into words with the segmenter given, n-grams over the whole run', () => {
    const features = textFeatures('打印机卡纸', { segment: () => ['打印机', '卡纸'], wordBigrams: false, charNgrams: { min: 1, max: 2 } });
    expect([...features.keys()].filter((f) => f.startsWith('w:'))).toEqual(['w:打印机', 'w:卡纸']);
    expect(features.get('c:机卡')).toBe(1);
    expect(features.get('c:纸')).toBe(1);
  });

  it('puts words of letters through wordForm for the word features only', () => {
    const features = textFeatures('Refunds 退款 a4', { wordForm: (w) => w.replace(/s$/, ''), charNgrams: { min: 3, max: 3 } });
    expect(features.has('w:refund')).toBe(true);
    expect(features.has('w2:refund 退款')).toBe(true);
    expect(features.has('w:a4')).toBe(true);
    expect(features.has('c:ds ')).toBe(true);
  });

  it('uses jieba by default, folds full-width letters, and gives nothing for empty or punctuation-only text', () => {
    expect(textFeatures('我要退款').has('w:退款')).toBe(true);
    expect(textFeatures('ＣＡＲＤ').has('w:card')).toBe(true);
    expect(textFeatures('').size).toBe(0);
    expect(textFeatures(' ?!… 😀 ').size).toBe(0);
  });
});

describe('TfidfVectorizer', () => {
  const fitted = TfidfVectorizer.fit([new Map([['a', 1]]), new Map([['a', 1], ['b', 2]])]);

  it('weights sublinear tf by smoothed idf and scales to unit length', () => {
    const { indices, values } = fitted.transform(new Map([['a', 1], ['b', 2]]));
    const a = 1 * (Math.log(3 / 3) + 1);
    const b = (1 + Math.log(2)) * (Math.log(3 / 2) + 1);
    const norm = Math.hypot(a, b);
    expect([...indices]).toEqual([0, 1]);
    expect(values[0]).toBeCloseTo(a / norm, 12);
    expect(values[1]).toBeCloseTo(b / norm, 12);
  });

  it('drops features it has not seen and returns an empty vector for nothing known', () => {
    expect([...fitted.transform(new Map([['a', 3], ['zzz', 1]])).values]).toEqual([1]);
    expect(fitted.transform(new Map()).indices.length).toBe(0);
    expect(fitted.transform(new Map([['zzz', 1]])).indices.length).toBe(0);
  });

  it('keeps only features of at least minDocumentFrequency documents, and survives a round trip', () => {
    const strict = TfidfVectorizer.fit([new Map([['a', 1]]), new Map([['a', 1], ['b', 2]])], { minDocumentFrequency: 2 });
    expect(strict.size).toBe(1);
    const copy = TfidfVectorizer.fromState(fitted.toState());
    expect(copy.transform(new Map([['b', 1]]))).toEqual(fitted.transform(new Map([['b', 1]])));
  });

  it('scales each feature group to the same length when grouped, and keeps the groups through a round trip', () => {
    const docs = [new Map([['w:a', 1], ['c:x', 1], ['c:y', 1], ['c:z', 1]]), new Map([['w:b', 1], ['c:x', 1], ['other', 1]])];
    const grouped = TfidfVectorizer.fit(docs, { groups: [['w:'], ['c:']] });
    expect(grouped.has('other')).toBe(false);
    const { indices, values } = grouped.transform(docs[0]!);
    const { features } = grouped.toState();
    // One word against three n-grams: the word alone is half the vector's square length.
    expect(values[[...indices].findIndex((i) => features[i] === 'w:a')]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(Math.hypot(...values)).toBeCloseTo(1, 12);
    expect(TfidfVectorizer.fromState(grouped.toState()).transform(docs[0]!)).toEqual(grouped.transform(docs[0]!));
    expect(() => TfidfVectorizer.fit(docs, { groups: [] })).toThrow(/groups/);
  });
});

describe('trainLinearSvm', () => {
  // Three classes, each marked by its own feature; feature 3 is shared noise.
  const examples: LabelledExample[] = [
    { vector: vector([[0, 0.9], [3, 0.44]]), label: 'card' },
    { vector: vector([[0, 1]]), label: 'card' },
    { vector: vector([[1, 0.9], [3, 0.44]]), label: 'refund' },
    { vector: vector([[1, 1]]), label: 'refund' },
    { vector: vector([[2, 1]]), label: 'pin' },
  ];

  it('separates classes marked by their own features, one decision value per class', () => {
    const model = trainLinearSvm(examples, 4);
    expect(model.classes).toEqual(['card', 'pin', 'refund']);
    expect(model.predict(vector([[0, 1]])).label).toBe('card');
    expect(model.predict(vector([[1, 0.8], [3, 0.6]])).label).toBe('refund');
    expect(model.predict(vector([[2, 1]])).label).toBe('pin');
    const scores = model.scores(vector([[0, 1]]));
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[1]).toBeLessThan(0);
    expect(model.score(vector([[0, 1]]), 'card')).toBeCloseTo(scores[0]!, 6);
    expect(model.score(vector([[0, 1]]), 'unknown')).toBeUndefined();
  });

  it('is deterministic for a seed', () => {
    expect(trainLinearSvm(examples, 4, { seed: 7 }).state).toEqual(trainLinearSvm(examples, 4, { seed: 7 }).state);
  });

  it('trains only the classes asked for, and keeps only the largest weights when told', () => {
    const some = trainLinearSvm(examples, 4, { only: ['pin'] });
    expect(some.classes).toEqual(['pin']);
    expect(some.score(vector([[2, 1]]), 'pin')).toBeGreaterThan(0);
    const small = trainLinearSvm(examples, 4, { maxWeightsPerClass: 1 });
    expect(small.state.classStart[1]! - small.state.classStart[0]!).toBe(1);
    expect(small.state.indices[0]).toBe(0);
  });

  it('trains against the negatives given only', () => {
    const model = trainLinearSvm(examples, 4, { negativesOf: (label) => (label === 'card' ? [2, 3] : []) });
    // "pin" was never shown to "card" as a negative, so card's weights never touch feature 2.
    const { classStart, indices } = model.state;
    expect([...indices.slice(classStart[0]!, classStart[1]!)]).not.toContain(2);
  });

  it('refuses one class, no examples, bad options and out-of-range features with a clear code', () => {
    const code = (run: () => unknown) => { try { run(); return 'none'; } catch (error) { return error instanceof TrainingError ? error.code : String(error); } };
    expect(code(() => trainLinearSvm(examples.filter((e) => e.label === 'card'), 4))).toBe('ONE_CLASS');
    expect(code(() => trainLinearSvm([], 4))).toBe('NO_EXAMPLES');
    expect(code(() => trainLinearSvm(examples, 4, { C: 0 }))).toBe('BAD_OPTION');
    expect(code(() => trainLinearSvm(examples, 3))).toBe('BAD_OPTION');
    expect(code(() => trainLinearSvm(examples, 4, { only: ['nope'] }))).toBe('BAD_OPTION');
  });

  it('scores an empty vector by the bias alone', () => {
    const model = trainLinearSvm(examples, 4);
    expect([...model.scores(vector([]))]).toEqual([...model.state.bias]);
  });
});

/**
 * Straightforward versions of text → features → TF-IDF vector → decision values, as they were
 * before the hot path (a new ticket's triage) was made cheaper: the fast path must give the same
 * features in the same order and the same numbers to the last bit.
 */
describe('text → scores, against a straightforward implementation', () => {
  function plainFeatures(text: string, { wordBigrams = true, charNgrams = { min: 2, max: 4 }, wordForm }: TextFeatureOptions = {}): Map<string, number> {
    const counts = new Map<string, number>();
    const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
    const runs = [...normaliseText(text).matchAll(/(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu)];
    const written = runs.flatMap((run) => (run[1]
      ? sharedJieba().cut(run[1], false).filter((w) => /\p{Script=Han}/u.test(w) || /[\p{L}\p{N}]/u.test(w))
      : [run[0]]));
    const sequence = wordForm ? written.map((w) => (/[\p{N}\p{Script=Han}]/u.test(w) ? w : wordForm(w))) : written;
    sequence.forEach((word, i) => {
      add(`w:${word}`);
      if (wordBigrams && i > 0) add(`w2:${sequence[i - 1]} ${word}`);
    });
    for (const run of runs) {
      const padded = [...` ${run[0]} `];
      for (let n = Math.max(1, charNgrams.min); n <= charNgrams.max; n++) {
        for (let at = 0; at + n <= padded.length; at++) {
          const gram = padded.slice(at, at + n).join('');
          if (gram.trim()) add(`c:${gram}`);
        }
      }
    }
    return counts;
  }

  function plainTransform(vectorizer: TfidfVectorizer, counts: ReadonlyMap<string, number>): SparseVector {
    const { features, idf, groups } = vectorizer.toState();
    const index = new Map(features.map((f, i) => [f, i]));
    const groupOf = (at: number) => groups!.findIndex((prefixes) => prefixes.some((p) => features[at]!.startsWith(p)));
    const known = [...counts].flatMap(([feature, tf]) => {
      const at = index.get(feature);
      return at === undefined || !(tf > 0) ? [] : [{ at, weight: (1 + Math.log(tf)) * idf[at]! }];
    });
    const sorted = [...known].sort((a, b) => a.at - b.at);
    const indices = Uint32Array.from(sorted, (e) => e.at);
    if (!groups) {
      const norm = Math.sqrt(sorted.reduce((sum, e) => sum + e.weight * e.weight, 0)) || 1;
      return { indices, values: Float64Array.from(sorted, (e) => e.weight / norm) };
    }
    // Each group's squares summed in the order the features came.
    const squares = groups.map(() => 0);
    for (const e of known) squares[groupOf(e.at)]! += e.weight * e.weight;
    return { indices, values: Float64Array.from(sorted, (e) => e.weight / (Math.sqrt(squares[groupOf(e.at)]!) * Math.sqrt(groups.length))) };
  }

  /** Each class's bias plus its weights times the vector's values, in ascending feature order. */
  function plainScores(model: LinearModel, vector: SparseVector): Float64Array {
    const { bias, classStart, indices, weights } = model.state;
    return Float64Array.from(bias, (b, k) => {
      let sum = b;
      for (let i = 0; i < vector.indices.length; i++) {
        for (let j = classStart[k]!; j < classStart[k + 1]!; j++) if (indices[j] === vector.indices[i]) sum += vector.values[i]! * weights[j]!;
      }
      return sum;
    });
  }

  const training: [string, string][] = [
    ['My card has not arrived yet, it has been two weeks', 'card'],
    ['How do I activate the card I received?', 'card'],
    ['I want a refund for the failed top-up', 'refund'],
    ['Refunds are taking too long, where is my money?', 'refund'],
    ['打印机卡纸，无法打印，指示灯一直闪烁', 'printer'],
    ['喷墨打印机打印有条纹，清洗喷头也没用', 'printer'],
    ['发票开错了，请重新开具增值税发票。退款什么时候到账？', 'refund'],
    ['新卡还没有收到，怎么激活银行卡', 'card'],
  ];
  const texts = [
    'Hello,\nMy new card still has not arrived. I ordered it two weeks ago and the app says "shipped". Could you check? Thanks, Ann',
    '您好：打印机又卡纸了。我按说明书清洗喷头、校准，打印质量还是很差，有重影和偏色。序列号 SN-2024-0815，请安排维修点报修。',
    'Refund 退款 for my ＣＡＲＤ top-up: don\'t charge twice! a4纸 1２3 〇号 々 𠀀𠀁 ⺀ 𐌰𐌱𐌲 café naïve ß',
    '?!… 😀',
    '',
  ];
  const optionSets: TextFeatureOptions[] = [
    {},
    { charNgrams: { min: 2, max: 5 }, wordForm: (w) => w.replace(/s$/, '') },
    { charNgrams: { min: 1, max: 3 }, wordBigrams: false },
    { charNgrams: { min: 2, max: 0 } },
  ];

  it('gives the same features in the same order', () => {
    for (const options of optionSets) for (const text of texts) expect([...textFeatures(text, options)]).toEqual([...plainFeatures(text, options)]);
  });

  it.each([['one vector', undefined], ['word and n-gram groups', [['w:', 'w2:'], ['c:']]]])('gives the same vectors and decision values, to the bit (%s)', (_, groups) => {
    const options = optionSets[1]!;
    const counts = training.map(([text]) => textFeatures(text, options));
    const vectorizer = TfidfVectorizer.fit(counts, groups ? { groups } : {});
    const model = trainLinearSvm(counts.map((c, i) => ({ vector: vectorizer.transform(c), label: training[i]![1] })), vectorizer.size);
    for (const text of [...texts, ...training.map(([t]) => t)]) {
      const vector = vectorizer.transform(textFeatures(text, options));
      expect(vector).toEqual(plainTransform(vectorizer, plainFeatures(text, options)));
      expect(model.scores(vector)).toEqual(plainScores(model, vector));
    }
    // Something to compare: the texts share features with the training.
    expect(vectorizer.transform(textFeatures(texts[1]!, options)).indices.length).toBeGreaterThan(10);
  });
});
