import { describe, expect, it } from 'vitest';
import { textFeatures, TfidfVectorizer, trainLinearSvm, TrainingError, type LabelledExample, type SparseVector } from '../index.js';

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
