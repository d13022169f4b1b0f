import sanitizeHtml from 'sanitize-html';
import { AppError } from '../errors.js';

/**
 * The only HTML from users that Kefu ever shows is what passes this: formatting, links and
 * images by URL; no scripts, styles, event handlers, frames or forms.
 */
const POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'b', 'strong', 'i', 'em', 'u', 's', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li',
    'h1', 'h2', 'h3', 'h4', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'span', 'div'],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto', 'cid'],
  allowProtocolRelative: false,
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
};

/**
 * The HTML parser's work grows with the square of the nesting depth: 60k nested `<div>`s held the
 * event loop for seconds (issue 12 #1). Real mail nests tables a few dozen levels deep; these caps
 * are checked in one linear pass before any parsing, for every caller (mail, tickets, KB).
 */
export const HTML_LIMITS = { maxChars: 2 * 1024 * 1024, maxDepth: 128 } as const;

// Elements that never hold others, and those whose end tag is optional (the parser closes them
// itself when a sibling opens): neither adds nesting depth.
const FLAT_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
  'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'thead', 'tbody', 'tfoot', 'colgroup', 'rp', 'rt']);

/** An upper bound of the element nesting depth, in one pass over the tags. */
export function htmlNestingDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  for (const tag of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(\/?)>/g)) {
    const name = tag[2]!.toLowerCase();
    if (FLAT_ELEMENTS.has(name) || tag[3]) continue;
    depth = tag[1] ? Math.max(0, depth - 1) : depth + 1;
    if (depth > deepest) deepest = depth;
  }
  return deepest;
}

/** Refuses HTML too large or too deeply nested to parse quickly; permanent (4xx), never retried. */
export function assertHtmlWithinLimits(html: string): void {
  if (html.length > HTML_LIMITS.maxChars) {
    throw new AppError('HTML_TOO_COMPLEX', 422, `The HTML is larger than ${HTML_LIMITS.maxChars} characters`, { chars: html.length, limit: HTML_LIMITS.maxChars });
  }
  const depth = htmlNestingDepth(html);
  if (depth > HTML_LIMITS.maxDepth) {
    throw new AppError('HTML_TOO_COMPLEX', 422, `The HTML nests elements ${depth} levels deep; at most ${HTML_LIMITS.maxDepth} are accepted`, { depth, limit: HTML_LIMITS.maxDepth });
  }
}

export function sanitizeUserHtml(dirty: string): string {
  assertHtmlWithinLimits(dirty);
  return sanitizeHtml(dirty, POLICY);
}

/** Plain text of some HTML, for previews, search and notifications. */
export function htmlToText(html: string): string {
  assertHtmlWithinLimits(html);
  return sanitizeHtml(html.replace(/<(br|\/p|\/div|\/li|\/h\d)\s*\/?>/gi, '\n$&'), { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, '\n\n').trim();
}
