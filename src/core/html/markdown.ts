import MarkdownIt, { type MarkdownItOptions } from 'markdown-it';
import cjkFriendly from 'markdown-it-cjk-friendly';

/**
 * Markdown as Kefu's authors write it, in Chinese and English: CommonMark's emphasis rules do not
 * see `**保修期：**自发票…` as bold (a closing `**` after full-width punctuation and before a Han
 * character is not "right-flanking"), so the CJK-friendly amendment is always on.
 */
export function createMarkdown(options: MarkdownItOptions) {
  return new MarkdownIt(options).use(cjkFriendly);
}
