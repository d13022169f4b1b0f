import { htmlToText, sanitizeUserHtml } from '../../core/html/sanitize.js';
import { createMarkdown } from '../../core/html/markdown.js';

/** `/help/articles/<slug>` (optionally with a query or #anchor): a link to another article. */
const ARTICLE_LINK = /^\/help\/articles\/([a-z0-9][a-z0-9-]{0,119})(?:[?#].*)?$/;

// Raw HTML in Markdown is off: authors write Markdown, and whatever they type is text.
const md = createMarkdown({ html: false, linkify: true, breaks: false });

/** Where the portal serves an article's files: only once the article is published. */
const PORTAL_FILES = '/help/attachments/';
/** Where editors see them at any time (agents only): the editor's preview of a draft points here. */
export const EDITOR_FILES = '/api/v1/kb/attachments/';

interface RenderEnv {
  /** Slugs that may be linked (published articles); links to any other article render as text. */
  liveSlugs: ReadonlySet<string>;
  /** The editor's preview: the article's own images from the editors' address, as the draft is unpublished. */
  draft?: boolean;
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
const renderImage = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  if ((env as unknown as RenderEnv).draft && src.startsWith(PORTAL_FILES)) token.attrSet('src', `${EDITOR_FILES}${src.slice(PORTAL_FILES.length)}`);
  return renderImage(tokens, idx, options, env, self);
};

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
export function renderMarkdown(markdown: string, liveSlugs: ReadonlySet<string>, options: { draft?: boolean } = {}): string {
  const env: RenderEnv = { liveSlugs, dropped: [], draft: options.draft };
  return sanitizeUserHtml(md.render(markdown, env as unknown as Record<string, unknown>));
}

/** Plain text of an article body, for search and descriptions. */
export function markdownToText(markdown: string): string {
  return htmlToText(sanitizeUserHtml(md.render(markdown, { liveSlugs: new Set<string>(), dropped: [] })));
}
