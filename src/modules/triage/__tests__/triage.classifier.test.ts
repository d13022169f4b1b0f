import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REFERENCE_SETTINGS, TriageClassifier, heldBack, type LabelledText } from '../triage.classifier.js';

const examples: LabelledText[] = [
  { text: '发票开错了，请重新开具增值税发票', label: 'finance' },
  { text: '退款什么时候到账？', label: 'finance' },
  { text: 'Please send me a corrected invoice', label: 'finance' },
  { text: 'When will my refund arrive?', label: 'finance' },
  { text: '打印机卡纸，无法打印', label: 'service' },
  { text: '打印机开机后指示灯一直闪烁', label: 'service' },
  { text: 'My printer shows a paper jam error', label: 'service' },
  { text: 'The printer does not turn on', label: 'service' },
  { text: '想批量采购二十台打印机，有折扣吗', label: 'sales' },
  { text: 'Do you offer a discount for 20 printers?', label: 'sales' },
];

const codeOf = (run: () => unknown) => { try { run(); return 'none'; } catch (error) { return (error as { code?: string }).code; } };

describe('TriageClassifier', () => {
  const classifier = TriageClassifier.train(examples);

  it('labels Chinese and English texts it has not seen, with a confidence between 0 and 1', () => {
    expect(classifier.labels).toEqual(['finance', 'sales', 'service']);
    expect(classifier.predict('打印机又卡纸了').label).toBe('service');
    expect(classifier.predict('我的退款还没到账').label).toBe('finance');
    expect(classifier.predict('paper jam again in my printer').label).toBe('service');
    const { confidence } = classifier.predict('发票');
    expect(confidence).toBeGreaterThan(0);
    expect(confidence).toBeLessThan(1);
  });

  it('is more confident about a text close to one label than about one between two', () => {
    expect(classifier.predict('发票开错了，请重新开具增值税发票').confidence).toBeGreaterThan(classifier.predict('打印机 发票').confidence);
  });

  it('predicts a text the same whatever another model with other settings predicted of it just before', () => {
    const reference = TriageClassifier.train(examples, REFERENCE_SETTINGS);
    const fewerNgrams = TriageClassifier.train(examples, { ...REFERENCE_SETTINGS, charNgrams: { min: 2, max: 2 } });
    const texts = ['refunds arrived late', 'printers jammed', '打印机卡纸'];
    const alone = texts.map((text) => [reference, fewerNgrams, classifier].map((model) => {
      model.predict('something else first');
      return model.predict(text);
    }));
    const inTurn = texts.map((text) => [reference, fewerNgrams, classifier].map((model) => model.predict(text)));
    expect(inTurn).toEqual(alone);
    // The settings differ in what they make of a text, so the comparison compares something.
    expect(new Set(inTurn[0]!.map((p) => p.confidence)).size).toBe(3);
  });

  it('predicts the same after its state is stored as JSON and read back', () => {
    const copy = TriageClassifier.fromState(JSON.parse(JSON.stringify(classifier.toState())));
    for (const text of ['打印机卡纸', 'invoice please', '二十台 discount']) expect(copy.predict(text)).toEqual(classifier.predict(text));
  });

  it('trains the reference settings too (one TF-IDF vector for words and n-grams)', () => {
    expect(TriageClassifier.train(examples, REFERENCE_SETTINGS).predict('打印机卡纸').label).toBe('service');
  });

  it('refuses one label, no text and empty text with clear codes', () => {
    expect(codeOf(() => TriageClassifier.train(examples.filter((e) => e.label === 'sales')))).toBe('TRIAGE_ONE_CLASS');
    expect(codeOf(() => TriageClassifier.train([{ text: '', label: 'a' }, { text: ' …!', label: 'b' }]))).toBe('TRIAGE_NO_EXAMPLES');
    expect(codeOf(() => TriageClassifier.train([]))).toBe('TRIAGE_NO_EXAMPLES');
    expect(codeOf(() => classifier.predict(''))).toBe('TRIAGE_EMPTY_TEXT');
    expect(codeOf(() => classifier.predict('  ?! '))).toBe('TRIAGE_EMPTY_TEXT');
  });
});

describe('the held-back fifth', () => {
  const ids = Array.from({ length: 50_000 }, () => randomUUID());
  const share = (some: readonly string[]) => some.filter(heldBack).length / some.length;

  it('holds back about a fifth of the tickets', () => {
    // 50,000 ids: the share's standard deviation is 0.0018, so ±0.01 is over five of them.
    expect(share(ids)).toBeGreaterThan(0.19);
    expect(share(ids)).toBeLessThan(0.21);
  });

  it('keeps each ticket on its side whatever the order or company it comes in', () => {
    const first = new Set(ids.filter(heldBack));
    const reversed = new Set([...ids].reverse().filter(heldBack));
    expect(reversed).toEqual(first);
    // On its own, among other tickets, or asked again: the same answer.
    for (const id of ids.slice(0, 100)) expect(heldBack(id)).toBe(first.has(id));
    expect(heldBack('00000000-0000-4000-8000-000000000000')).toBe(heldBack('00000000-0000-4000-8000-000000000000'));
  });

  it('does not follow arrival patterns: a kind that arrives every fifth ticket is held back a fifth of the time, not always', () => {
    // Tickets arriving in a pattern: every fifth one is a daily report mail. Taking every fifth by
    // position would hold back all of them and none of the rest.
    const reports = ids.filter((_, i) => i % 5 === 4).slice(0, 5_000);
    const others = ids.filter((_, i) => i % 5 !== 4).slice(0, 5_000);
    for (const kind of [reports, others]) {
      expect(share(kind)).toBeGreaterThan(0.16);
      expect(share(kind)).toBeLessThan(0.24);
    }
  });
});
