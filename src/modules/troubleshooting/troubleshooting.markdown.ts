import { sanitizeUserHtml } from '../../core/html/sanitize.js';
import { createMarkdown } from '../../core/html/markdown.js';

// Raw HTML in Markdown is off: whatever an editor types in a node is text or Markdown, never markup.
const md = createMarkdown({ html: false, linkify: true, breaks: true });

/** A node's Markdown as HTML safe to put in a page: rendered without raw HTML, then sanitised. */
export function renderNodeMarkdown(markdown: string): string {
  return sanitizeUserHtml(md.render(markdown));
}
