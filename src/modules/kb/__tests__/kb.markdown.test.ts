import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../kb.markdown.js';
import { renderNodeMarkdown } from '../../troubleshooting/troubleshooting.markdown.js';

/** Help-centre articles and troubleshooting nodes, as Chinese authors write them. */
describe('Markdown next to Chinese punctuation', () => {
  it.each([
    ['**保修期：**自发票日期起一年。', '<strong>保修期：</strong>自发票日期起一年。'],
    ['请先*关机*，再拔下电源。', '请先<em>关机</em>，再拔下电源。'],
    ['型号（**YM-720**）支持双面打印。', '型号（<strong>YM-720</strong>）支持双面打印。'],
    ['English **still works:** as before.', 'English <strong>still works:</strong> as before.'],
  ])('renders %s with its emphasis', (markdown, html) => {
    expect(renderMarkdown(markdown, new Set())).toContain(html);
    expect(renderNodeMarkdown(markdown)).toContain(html);
  });

  it('leaves a lone asterisk as text', () => {
    expect(renderMarkdown('价格 5 * 3 元', new Set())).toContain('价格 5 * 3 元');
  });
});
