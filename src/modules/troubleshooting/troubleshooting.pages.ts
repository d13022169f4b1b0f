import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { translator, type Translate } from '../../core/i18n/index.js';
import { layout } from '../../core/html/layout.js';
import { SafeHtml, html } from '../../core/html/html.js';
import { renderNodeMarkdown } from './troubleshooting.markdown.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, notFound } from '../../core/errors.js';
import { PATH_RULE, type TroubleshootingService, type Walk } from './troubleshooting.service.js';

/** The contact form takes the steps as text; longer walks keep their last steps (the most telling ones). */
export const MAX_CONTACT_PATH = 4000;

const Slug = z.object({ slug: z.string().max(200) });
const SLUG_RULE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
// A mangled or stale `?path=` is not an error: the walk stops at the last step that still exists.
const PathQuery = z.object({ path: z.string().max(2000).optional().catch(undefined) });

const walkUrl = (slug: string, path: string) => `/help/troubleshoot/${slug}${path ? `?path=${path}` : ''}`;

/** The steps as the contact form shows them and the ticket keeps them: one "question — answer" per line. */
export function stepsAsText(t: Translate, walk: Walk): string {
  const lines = walk.steps.map((s) => t('trees.step', { question: s.node.title, answer: s.answer.label }));
  lines.push(walk.current.title);
  let text = lines.join('\n');
  while (text.length > MAX_CONTACT_PATH && lines.length > 1) text = (lines.shift(), lines.join('\n'));
  return text.slice(0, MAX_CONTACT_PATH);
}

/**
 * The customer's side: a list of guides and one page per step. The path walked so far lives in the
 * URL, so every step is a plain link (back, start over, bookmarks) and the pages work without JavaScript.
 */
export const troubleshootingPages = (trees: TroubleshootingService): FastifyPluginAsyncZod => async (app) => {
  const page = { config: { html: true } } as const;
  // Every step a customer takes writes a counter: a generous cap per address keeps a script from
  // inflating the numbers (or the database's work) without getting in a person's way.
  const counted = { config: { html: true, rateLimit: { max: 300, timeWindow: '5 minutes' } } } as const;

  app.get('/help/troubleshoot', { ...page, schema: { hide: true } }, async (request, reply) => {
    const t = translator(request.locale);
    const list = await trees.publishedTrees(request.workspace.id, request.locale);
    const body = html`
      <h1>${t('trees.listTitle')}</h1>
      <p>${t('trees.listIntro')}</p>
      ${list.length
        ? html`<ul class="cards">${list.map((tree) => html`<li class="card">
            <h2><a href="${walkUrl(tree.slug, '')}">${tree.published?.title ?? tree.title}</a></h2>
            <p class="meta">${t('trees.product', { product: tree.published?.product ?? tree.product })}</p>
            ${tree.published?.description ? html`<p>${tree.published.description}</p>` : ''}
          </li>`)}</ul>`
        : html`<p class="empty">${t('trees.none')}</p>`}`;
    return reply.type('text/html; charset=utf-8').send(layout(request, { title: t('trees.listTitle'), body }));
  });

  app.get('/help/troubleshoot/:slug', { ...counted, schema: { hide: true, params: Slug, querystring: PathQuery } }, async (request, reply) => {
    const t = translator(request.locale);
    // HEAD requests (link checkers, previews) are not customers taking a step.
    const walk = await orNotFound(request, reply, request.params.slug, () => trees.walk(request.workspace.id, request.params.slug, request.locale, request.query.path, { count: request.method === 'GET' }));
    if (!walk) return reply;
    const { tree, current } = walk;
    const slug = tree.slug;
    const back = walk.steps.at(-1);
    const links = current.articleId ? await trees.articleLinks(request.workspace.id, [current.articleId], request.locale) : new Map();
    const article = current.articleId ? links.get(current.articleId) : undefined;

    const nodeBody = current.body ? new SafeHtml(renderNodeMarkdown(current.body)) : '';
    let step: SafeHtml;
    if (current.kind === 'question') {
      step = html`
        <h2 id="question">${current.title}</h2>
        ${nodeBody}
        <ul class="answers stack" aria-labelledby="question" style="list-style:none;padding:0">
          ${current.answers.map((a) => html`<li><a class="button" href="${walkUrl(slug, walk.path ? `${walk.path}.${a.id}` : a.id)}" rel="nofollow">${a.label}</a></li>`)}
        </ul>`;
    } else if (current.kind === 'solution') {
      step = html`
        <p class="meta">${t('trees.solutionLabel')}</p>
        <h2>${current.title}</h2>
        ${nodeBody}
        ${current.articleId
          ? article
            ? html`<p><a class="article-link" href="${article.url}">${t('trees.readArticle', { title: article.title })}</a></p>`
            : html`<p class="muted">${t('trees.articleGone')}</p>`
          : ''}
        <section class="panel">
          <h2>${t('trees.stillBroken')}</h2>
          <p><a href="${contactUrl(t, walk)}">${t('trees.contactUs')}</a></p>
        </section>`;
    } else {
      step = html`
        <p class="meta">${t('trees.repairLabel')}</p>
        <h2>${current.title}</h2>
        ${nodeBody}
        <p><a class="button" href="/help/troubleshoot/${slug}/repair?path=${walk.path}" rel="nofollow">${t('trees.repairButton')}</a></p>`;
    }

    const body = html`
      <p class="crumbs"><a href="/help/troubleshoot">${t('trees.listTitle')}</a></p>
      <h1>${tree.published.title}</h1>
      <p class="meta">${t('trees.product', { product: tree.published.product })}</p>
      ${walk.truncated ? html`<p class="notice" role="status">${t('trees.changed')}</p>` : ''}
      ${walk.steps.length
        ? html`<section aria-labelledby="steps-title">
            <h2 id="steps-title" class="sr-only">${t('trees.stepsTaken')}</h2>
            <ol class="steps meta">${walk.steps.map((s) => html`<li><a href="${walkUrl(slug, s.path)}">${s.node.title}</a> — ${s.answer.label}</li>`)}</ol>
          </section>`
        : ''}
      <section class="card step" data-node="${current.id}" data-kind="${current.kind}">${step}</section>
      ${back ? html`<p><a class="back" href="${walkUrl(slug, back.path)}">← ${t('trees.back')}</a> · <a href="${walkUrl(slug, '')}">${t('trees.startOver')}</a></p>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(layout(request, { title: `${current.title} · ${tree.published.title}`, body }));
  });

  app.get('/help/troubleshoot/:slug/repair', { ...counted, schema: { hide: true, params: Slug, querystring: PathQuery } }, async (request, reply) => {
    const t = translator(request.locale);
    const { slug } = request.params;
    const path = request.query.path && PATH_RULE.test(request.query.path) ? request.query.path : '';
    try {
      const walk = await orNotFound(request, reply, slug, () => trees.requestRepair(request.workspace.id, slug, request.locale, path));
      return walk ? reply.redirect(contactUrl(t, walk), 303) : reply;
    } catch (error) {
      // A hand-made or stale link to a step that is not a repair request: back to that step.
      if (error instanceof AppError && error.code === 'TREE_NOT_AT_REPAIR') return reply.redirect(walkUrl(slug, path), 303);
      throw error;
    }
  });
};

/** A guide that does not exist (or is not published): a 404 page in the reader's language, pointing to the list. */
async function orNotFound(request: FastifyRequest, reply: FastifyReply, slug: string, walk: () => Promise<Walk>): Promise<Walk | undefined> {
  try {
    if (!SLUG_RULE.test(slug)) throw notFound('tree');
    return await walk();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'TREE_NOT_FOUND') throw error;
    const t = translator(request.locale);
    const body = html`<h1>${t('trees.notFound')}</h1><p><a href="/help/troubleshoot">${t('trees.listTitle')}</a></p>`;
    await reply.code(404).type('text/html; charset=utf-8').send(layout(request, { title: t('trees.notFound'), body }));
    return undefined;
  }
}

/** The contact form, pre-filled: product, a subject, and the steps already taken. */
function contactUrl(t: Translate, walk: Walk): string {
  const query = new URLSearchParams({
    product: walk.tree.published.product,
    subject: t('trees.repairSubject', { title: walk.tree.published.title }).slice(0, 250),
    path: stepsAsText(t, walk),
  });
  return `/contact?${query.toString()}`;
}
