import { describe, expect, it } from 'vitest';
import { analyse, indexText, quoteLexeme } from '../search.analyzer.js';
import { snippet } from '../search.highlight.js';
import { clickUrl, prefixQuery } from '../search.service.js';

describe('analyser', () => {
  it('segments Chinese into jieba words plus character bigrams, with the printer dictionary', () => {
    const lexemes = analyse('打印机卡纸怎么办');
    expect(lexemes).toEqual(expect.arrayContaining(['打印机', '卡纸', '打印', '印机', '机卡', '纸怎', '怎么办']));
    // 卡纸 comes from the product dictionary: without it jieba cuts 打印机卡 / 纸.
    expect(analyse('硒鼓更换')).toEqual(expect.arrayContaining(['硒鼓', '更换']));
  });

  it('lower-cases, stems (Porter) and drops English stop-words', () => {
    expect(analyse('The Printers are PRINTING the pages')).toEqual(['printer', 'print', 'page']);
    expect(analyse("Why doesn't it connect?")).toEqual(['doesnt', 'connect']);
  });

  it('keeps model numbers as typed and folds full-width characters', () => {
    expect(analyse('LaserJet M404dn')).toEqual(['laserjet', 'm404dn']);
    expect(analyse('ＰＲＩＮＴＥＲ１２３')).toEqual(['printer123']);
  });

  it('splits mixed Chinese and English text into both kinds of lexemes', () => {
    expect(analyse('HP打印机driver')).toEqual(expect.arrayContaining(['hp', '打印机', 'driver']));
  });

  it('gives nothing for punctuation, tsquery syntax or stop-words only', () => {
    expect(analyse("& | ! : * ( ) ' \\ ; -- /* */")).toEqual([]);
    expect(analyse('the and of')).toEqual([]);
    expect(analyse('')).toEqual([]);
  });

  it('builds a tsvector literal with the title weighted A and quotes escaped', () => {
    const indexed = indexText('Paper jam', 'Open the paper tray');
    expect(indexed.vector).toContain("'paper':1A,4");
    expect(indexed.vector).toContain("'jam':2A");
    expect(indexed.length).toBe(5);
    expect(indexed.titleVector).toBe("'paper':1 'jam':2");
    expect(quoteLexeme("it's\\")).toBe("'it''s\\\\'");
  });
});

describe('highlighting', () => {
  it('escapes HTML and marks stemmed matches', () => {
    const html = snippet('<script>alert(1)</script> Printing stopped & the printer blinks', new Set(['printer']));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<mark>printer</mark>');
    expect(html).toContain('&amp;');
    expect(html).not.toContain('<mark>Printing</mark>');
  });

  it('marks Chinese words and bigrams inside unsegmented text', () => {
    expect(snippet('打开前盖，取出卡纸后重新打印。', new Set(['卡纸']))).toBe('打开前盖，取出<mark>卡纸</mark>后重新打印。');
  });

  it('shows the part of a long text around the matches', () => {
    const text = `${'filler words here. '.repeat(40)}The toner cartridge is empty. ${'more filler. '.repeat(40)}`;
    const html = snippet(text, new Set(['toner']));
    expect(html.startsWith('…')).toBe(true);
    expect(html).toContain('<mark>toner</mark>');
    expect(html.length).toBeLessThan(260);
  });
});

describe('as-you-type query', () => {
  it('takes the last word as a prefix of title lexemes and finished words exactly', () => {
    expect(prefixQuery('paper ja', 'as typed')).toBe("'paper' & 'ja':*");
    expect(prefixQuery('printing', 'as typed')).toBe("'printing':*");
    expect(prefixQuery('printing', 'loose')).toBe("('printing':* | 'print':* | 'printi':*)");
    expect(prefixQuery('printe', 'loose')).toBe("('printe':* | 'print':*)");
    expect(prefixQuery('printer s', 'as typed')).toBe("'printer'");
    expect(prefixQuery('s', 'as typed')).toBeUndefined();
    expect(prefixQuery('grindin', 'loose')).toBe("('grindin':* | 'grind':*)");
    expect(prefixQuery('卡', 'as typed')).toBe("'卡':*");
    expect(prefixQuery('打印机', 'as typed')).toBe("'打印' & '印机'");
    expect(prefixQuery("'):*&|!", 'loose')).toBeUndefined();
  });
});

describe('clickUrl', () => {
  it('routes logged searches through /search/go and leaves unlogged ones direct', () => {
    const hit = { kind: 'article' as const, id: 'a&b', url: '/kb/articles/1' };
    expect(clickUrl('5d3c1a9e-0000-4000-8000-000000000000', hit)).toBe('/search/go?sid=5d3c1a9e-0000-4000-8000-000000000000&kind=article&id=a%26b');
    expect(clickUrl(null, hit)).toBe('/kb/articles/1');
  });
});
