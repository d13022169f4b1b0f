import { htmlToText, sanitizeUserHtml } from '../../core/html/sanitize.js';
import { createMarkdown } from '../../core/html/markdown.js';

/** `/help/articles/<slug>` (optionally with a query or #anchor): a link to another article. */
const ARTICLE_LINK = /^\/help\/articles\/([a-z0-9][a-z0-9-]{0,119})(?:[?#].*)?$/;

// Raw HTML in Markdown is off: authors write Markdown, and whatever they type is text.
const md = createMarkdown({ html: false, linkify: true, breaks: false });

interface RenderEnv {
  /** Slugs that may be linked (published articles); links to any other article render as text. */
  liveSlugs: ReadonlySet<string>;
  /** Which link_open tokens were dropped, so their link_close is dropped too. */
  dropped: boolean[];
}

const renderToken = md.renderer.renderToken.bind(md.renderer);
md.renderer.rules.link_open = (tokens, idx, options, env) => {
  const { liveSlugs, dropped } = env as unknown as RenderEnv;
  const slug = ARTICLE_LINK.exec(String(tokens[idx]!.attrGet('href') ?? ''))?.[1];
  const drop = slug !== undefined && !liveSlugs.has(slug);
  dropped.push(drop);
  return drop ? '' : renderToken(tokens, idx, options);
};
md.renderer.rules.link_close = (tokens, idx, options, env) =>
  ((env as unknown as RenderEnv).dropped.pop() ? '' : renderToken(tokens, idx, options));

/** The article slugs a Markdown text links to, in order of first appearance. */
export function articleLinks(markdown: string): string[] {
  const slugs = new Set<string>();
  const visit = (tokens: ReturnType<typeof md.parse>) => {
    for (const token of tokens) {
      if (token.type === 'link_open') {
        const slug = ARTICLE_LINK.exec(String(token.attrGet('href') ?? ''))?.[1];
        if (slug) slugs.add(slug);
      }
      if (token.children) visit(token.children);
    }
  };
  visit(md.parse(markdown, {}));
  return [...slugs];
}

/**
 * Markdown → HTML that is safe to put in a page: rendered with raw HTML off, links to articles
 * that are not live turned into plain text, then passed through the one sanitiser every user HTML
 * goes through (so a `javascript:` link or an `onerror` can never survive).
 */
export function renderMarkdown(markdown: string, liveSlugs: ReadonlySet<string>): string {
  const env: RenderEnv = { liveSlugs, dropped: [] };
  return sanitizeUserHtml(md.render(markdown, env as unknown as Record<string, unknown>));
}

/** Plain text of an article body, for search and descriptions. */
export function markdownToText(markdown: string): string {
  return htmlToText(sanitizeUserHtml(md.render(markdown, { liveSlugs: new Set<string>(), dropped: [] })));
}
