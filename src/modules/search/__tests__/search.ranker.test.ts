import { describe, expect, it } from 'vitest';
import { LearnedRanker, type TrainingDocument } from '../search.ranker.js';

const WORDS = ('printer paper jam tray toner cartridge ink drum fuser duplex wireless network driver firmware scanner fax error ' +
  'light offline queue cable power reset colour streaks alignment nozzle warranty repair label envelope photo margin mobile cloud ' +
  'email password router wizard panel display button sleep noise grinding feeder glass calibration account invoice shipping').split(' ');

const word = (i: number) => WORDS[i % WORDS.length]!;
const doc = (i: number, body = `Check the ${word(i * 3)} and the ${word(i * 5 + 1)}. Then restart the ${word(i * 7 + 2)}.`): TrainingDocument => ({
  key: `article:${i}`, title: `${word(i)} ${word(i * 11 + 4)} problem`, questions: [`why does the ${word(i)} fail`], body, asked: [],
});
const DOCS = Array.from({ length: 40 }, (_, i) => doc(i));
const trainAll = (documents: readonly TrainingDocument[]) => LearnedRanker.train(documents)!.ranker;

describe('retraining after a change', () => {
  it('trains only the changed and new documents, keeps the others as they were, and drops the removed', () => {
    const before = trainAll(DOCS);
    const changed = doc(3, 'The display shows a grinding noise warning after the firmware update.');
    const added = doc(40);
    const documents = [...DOCS.slice(0, 3), changed, ...DOCS.slice(4, 39), added];
    const after = LearnedRanker.train(documents, { previous: before, fullUpTo: 0 })!;

    expect(after.retrained).toBe(2);
    expect(after.ranker.documents).toBe(40);
    // An unchanged document scores a query exactly as before: its weights were carried over.
    for (const d of DOCS.slice(10, 20)) {
      const scoreOf = (ranker: LearnedRanker) => ranker.top(d.title, 40).find((h) => h.key === d.key)?.score;
      expect(scoreOf(after.ranker)).toBe(scoreOf(before));
    }
    expect(after.ranker.top('grinding noise warning after the firmware update', 3)[0]!.key).toBe(changed.key);
    expect(after.ranker.top(added.title, 3)[0]!.key).toBe(added.key);
    expect(after.ranker.top(DOCS[39]!.title, 40).map((h) => h.key)).not.toContain(DOCS[39]!.key);
  });

  it('survives storage: the stored model knows what it was trained on', () => {
    const stored = LearnedRanker.fromBytes(trainAll(DOCS).toBytes());
    expect(LearnedRanker.train(DOCS, { previous: stored, fullUpTo: 0 })!.retrained).toBe(0);
  });

  it('trains everything again when much changed, or when the help centre is small', () => {
    const before = trainAll(DOCS);
    const rewritten = DOCS.map((d, i) => (i < 8 ? doc(i, `Replace the ${word(i + 9)} first.`) : d));
    expect(LearnedRanker.train(rewritten, { previous: before, fullUpTo: 0 })!.retrained).toBe(40);
    expect(LearnedRanker.train([doc(0, 'Replace the drum first.'), ...DOCS.slice(1)], { previous: before })!.retrained).toBe(40);
  });
});
