import { describe, expect, it } from 'vitest';
import { alignment, alignmentText, alignTopHits, ALIGNED_HITS } from '../search.alignment.js';

const aligned = (query: string, line: string) => alignment(alignmentText(query), alignmentText(line));

describe('alignment of a query with a way of asking', () => {
  it('compares simplified, lower-case characters without spaces, punctuation or symbols', () => {
    expect(alignmentText('打印機卡紙，怎麼辦？ ＰＲＩＮＴ it!')).toBe('打印机卡纸怎么办printit');
    expect(alignmentText('😀 & | ! :* ( )')).toBe('');
  });

  it('is twice the longest common subsequence over both lengths', () => {
    expect(aligned('abc', 'abc')).toBe(1);
    expect(aligned('abcd', 'abxd')).toBe(0.75);
    expect(aligned('abc', 'xyz')).toBe(0);
    expect(aligned('', 'abc')).toBe(0);
  });

  it('tells swapped entities apart: the same words in another order align less', () => {
    const query = '他在田纳西州出生，后来搬到阿肯色州';
    expect(aligned(query, '他出生于田纳西州，后来搬到阿肯色州')).toBe(0.8125);
    expect(aligned(query, '他出生于阿肯色州，后来搬到田纳西州')).toBe(0.5);
  });
});

describe('alignTopHits', () => {
  const hit = (id: string, score: number, lines: string[]) => ({ id, score, lines });
  const linesOf = (h: { lines: string[] }) => h.lines;

  it('re-orders equal scores by the closest line, adding 0.75 × the best score × its alignment', () => {
    const hits = [
      hit('swapped', 1, ['Fishman holds a BA from Brown and an MA from Columbia']),
      hit('asked', 1, ['Degrees of Fishman', 'Fishman has a BA from Columbia University and an MA from Brown']),
    ];
    const result = alignTopHits('Fishman holds a BA from Columbia and an MA from Brown', hits, linesOf);
    expect(result.map((h) => [h.id, h.score.toFixed(4)])).toEqual([['asked', (1 + 0.75 * 0.851063829787234).toFixed(4)], ['swapped', (1 + 0.75 * 0.7441860465116279).toFixed(4)]]);
  });

  it(`leaves hits after the first ${ALIGNED_HITS} as they were, below every aligned one`, () => {
    const hits = Array.from({ length: ALIGNED_HITS + 2 }, (_, i) => hit(`h${i}`, 1 - i / 100, [i === ALIGNED_HITS ? 'printer jam' : 'toner']));
    const result = alignTopHits('printer jam', hits, linesOf);
    expect(result.slice(ALIGNED_HITS).map((h) => [h.id, h.score])).toEqual([[`h${ALIGNED_HITS}`, 0.9], [`h${ALIGNED_HITS + 1}`, 0.89]]);
    expect(Math.min(...result.slice(0, ALIGNED_HITS).map((h) => h.score))).toBeGreaterThan(0.9);
  });

  it('changes nothing for a query with nothing to align (emoji, punctuation) or no hits', () => {
    const hits = [hit('a', 0.5, ['toner']), hit('b', 0.4, ['😀'])];
    expect(alignTopHits('😀 !!!', hits, linesOf)).toEqual(hits);
    expect(alignTopHits('toner', [], linesOf)).toEqual([]);
  });
});
