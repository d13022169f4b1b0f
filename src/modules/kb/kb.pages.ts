import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { translator, type Locale, type Translate } from '../../core/i18n/index.js';
import { layout } from '../../core/html/layout.js';
import { html, SafeHtml, escapeHtml } from '../../core/html/html.js';
import type { AccountsService } from '../accounts/index.js';
import { clickUrl } from '../search/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { CategoryRow, LocalisedText, SubscriptionTarget } from './kb.schema.js';
import { articleUrl, type KbService } from './kb.service.js';
import { LocalPath } from '../../core/http/redirects.js';

export interface KbPagesOptions {
  kb: KbService;
  store: AttachmentStore;
  publicUrl: string;
  /** "Was this helpful?" posts per address and 15 minutes. */
  votesPer15Min: number;
}

const VISITOR_COOKIE = 'kefu_visitor';
const RESULTS_PER_PAGE = 10;
const MAX_RESULT_PAGES = 50;
/** What the search module accepts; a longer query is cut, never an error page. */
const MAX_QUERY_CHARS = 500;

const SlugParam = z.object({ slug: z.string().max(200) });

export const categoryName = (names: LocalisedText, locale: Locale) => names[locale] ?? names.en ?? names['zh-CN'] ?? '';

const formatDate = (date: Date, locale: Locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(date);

/** The search box of the home and results pages; the small script adds as-you-type suggestions. */
export function searchBox(t: Translate, locale: Locale, q = ''): SafeHtml {
  return html`
    <form class="search" method="get" action="/search" role="search">
      <label for="q" class="sr-only">${t('home.searchLabel')}</label>
      <input id="q" name="q" type="search" value="${q}" maxlength="${MAX_QUERY_CHARS}" placeholder="${t('home.searchPlaceholder')}"
        autocomplete="off" data-suggest="/search/suggest" data-locale="${locale}" data-suggest-label="${t('kb.search.suggestions')}">
      <button>${t('home.searchButton')}</button>
    </form>`;
}

/** Head elements every help page shares: its description, canonical address and Open Graph tags. */
export function pageHead(options: { title: string; description: string; canonical: string; locale: Locale; type?: string; alternates?: { locale: Locale; url: string }[]; extra?: SafeHtml }): SafeHtml {
  return html`
  <meta name="description" content="${options.description}">
  <link rel="canonical" href="${options.canonical}">
  ${(options.alternates ?? []).map((a) => html`<link rel="alternate" hreflang="${a.locale}" href="${a.url}">`)}
  <meta property="og:title" content="${options.title}">
  <meta property="og:description" content="${options.description}">
  <meta property="og:url" content="${options.canonical}">
  <meta property="og:type" content="${options.type ?? 'website'}">
  <meta property="og:locale" content="${options.locale.replace('-', '_')}">
  <script src="/assets/help-search.js" defer></script>
  ${options.extra}`;
}

const crumbs = (t: Translate, locale: Locale, trail: CategoryRow[], last?: string) => html`
  <nav aria-label="${t('kb.breadcrumbs')}"><ol class="breadcrumbs">
    <li><a href="/">${t('kb.title')}</a></li>
    ${trail.map((c, i) => (i === trail.length - 1 && !last
      ? html`<li aria-current="page">${categoryName(c.names, locale)}</li>`
      : html`<li><a href="/help/categories/${c.slug}">${categoryName(c.names, locale)}</a></li>`))}
    ${last ? html`<li aria-current="page">${last}</li>` : ''}
  </ol></nav>`;

function visitorOf(request: FastifyRequest, reply: FastifyReply, create: boolean): string | undefined {
  if (request.customer) return `customer:${request.customer.id}`;
  const raw = request.cookies[VISITOR_COOKIE];
  const unsigned = raw ? request.unsignCookie(raw) : undefined;
  if (unsigned?.valid && unsigned.value) return `visitor:${unsigned.value}`;
  if (!create) return undefined;
  const id = randomBytes(16).toString('base64url');
  reply.setCookie(VISITOR_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 365 * 24 * 3600 });
  return `visitor:${id}`;
}

const send = (reply: FastifyReply, page: string) => reply.type('text/html; charset=utf-8').send(page);

/** The customer-facing help centre, under the portal's request context (workspace, language, CSRF). */
export const kbPages = (options: KbPagesOptions): FastifyPluginAsyncZod => async (app) => {
  const { kb, publicUrl } = options;
  const page = { config: { html: true }, schema: { hide: true } } as const;
  const absolute = (path: string) => `${publicUrl}${path}`;

  const notFoundPage = (request: FastifyRequest, reply: FastifyReply) => {
    const t = translator(request.locale);
    return send(reply.code(404), layout(request, {
      title: t('kb.article.notFound'),
      head: html`<meta name="robots" content="noindex"><script src="/assets/help-search.js" defer></script>`,
      body: html`<h1>${t('kb.article.notFound')}</h1><p>${t('kb.article.notFoundBody')}</p>${searchBox(t, request.locale)}`,
    }));
  };

  const followBox = async (request: FastifyRequest, target: { kind: SubscriptionTarget; id: string }, next: string, notice: string | undefined) => {
    const t = translator(request.locale);
    const message = notice && ['followed', 'unfollowed', 'consent'].includes(notice)
      ? html`<p class="${notice === 'consent' ? 'alert' : 'notice'}" role="status">${t(`kb.follow.${notice === 'consent' ? 'consentRequired' : notice}`)}</p>` : '';
    if (!request.customer) return html`<section class="follow" aria-label="${t(`kb.follow.${target.kind}`)}"><p><a href="/account/sign-in">${t('kb.follow.signIn')}</a></p></section>`;
    const hidden = html`<input type="hidden" name="_csrf" value="${request.csrfToken}"><input type="hidden" name="kind" value="${target.kind}"><input type="hidden" name="id" value="${target.id}"><input type="hidden" name="next" value="${next}">`;
    if (await kb.subscription(request.workspace.id, request.customer.id, target)) {
      return html`<section class="follow" aria-label="${t(`kb.follow.${target.kind}`)}">${message}<p>${t('kb.follow.following')}</p>
        <form method="post" action="/help/unfollow">${hidden}<button class="secondary">${t('kb.follow.stop')}</button></form></section>`;
    }
    return html`<section class="follow" aria-label="${t(`kb.follow.${target.kind}`)}">${message}
      <form method="post" action="/help/follow" class="stack">${hidden}
        <label class="check"><input type="checkbox" name="consent" value="yes" required> ${t(target.kind === 'article' ? 'kb.follow.consentArticle' : 'kb.follow.consentCategory')}</label>
        <button class="secondary">${t(`kb.follow.${target.kind}`)}</button>
      </form></section>`;
  };

  // ---- category ----
  app.get('/help/categories/:slug', { ...page, schema: { hide: true, params: SlugParam, querystring: z.object({ notice: z.string().max(20).optional() }).catch({}) } }, async (request, reply) => {
    const t = translator(request.locale);
    const found = await kb.categoryPage(request.workspace.id, request.params.slug, request.locale).catch(notFoundOr);
    if (!found) return notFoundPage(request, reply);
    const { category, trail, children, articles } = found;
    const name = categoryName(category.names, request.locale);
    const description = category.descriptions[request.locale] || t('kb.description', { workspace: request.workspace.name[request.locale] });
    const path = `/help/categories/${category.slug}`;
    const body = html`
      ${crumbs(t, request.locale, trail)}
      <h1>${name}</h1>
      ${category.descriptions[request.locale] ? html`<p class="lead">${category.descriptions[request.locale]}</p>` : ''}
      ${children.length ? html`<section aria-labelledby="sub"><h2 id="sub">${t('kb.category.subcategories')}</h2>
        <ul class="cards">${children.map((c) => html`<li class="card"><a href="/help/categories/${c.slug}">${categoryName(c.names, request.locale)}</a></li>`)}</ul></section>` : ''}
      <section aria-labelledby="articles"><h2 id="articles">${t('kb.category.articles')}</h2>
        ${articles.length
          ? html`<ul class="article-list">${articles.map((a) => html`<li><a href="${articleUrl(a.slug)}">${a.title}</a>${a.description ? html`<p class="muted">${a.description}</p>` : ''}</li>`)}</ul>`
          : html`<p class="empty">${t('kb.category.empty')}</p>`}
      </section>
      ${await followBox(request, { kind: 'category', id: category.id }, path, request.query.notice)}`;
    return send(reply, layout(request, { title: name, body, head: pageHead({ title: name, description, canonical: absolute(path), locale: request.locale }) }));
  });

  // ---- article ----
  app.get('/help/articles/:slug', {
    ...page,
    schema: { hide: true, params: SlugParam, querystring: z.object({ print: z.string().max(5).optional(), notice: z.string().max(20).optional() }).catch({}) },
  }, async (request, reply) => {
    const found = await kb.publishedArticle(request.workspace.id, request.params.slug).catch(notFoundOr);
    if (!found) return notFoundPage(request, reply);
    const { article, revision, trail, translations, backlinks, related } = found;
    const t = translator(request.locale);
    const path = articleUrl(article.slug);
    const content = new SafeHtml(found.html);
    const updated = formatDate(article.published_at ?? article.updated_at, request.locale);
    if (request.query.print !== undefined) return send(reply, printView(article.locale, revision.title, content, t('kb.article.updated', { date: updated }), absolute(path)));
    await kb.recordView(request.workspace.id, article.id);
    const visitor = visitorOf(request, reply, false);
    const voted = visitor ? await kb.votedBy(request.workspace.id, article.id, visitor) : undefined;
    const alternates = [{ locale: article.locale, url: absolute(path) }, ...translations.map((tr) => ({ locale: tr.locale, url: absolute(articleUrl(tr.slug)) }))];
    const description = revision.description || found.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160);
    const body = html`
      ${crumbs(t, request.locale, trail, revision.title)}
      <article class="article" lang="${article.locale}">
        <h1>${revision.title}</h1>
        <p class="meta"><span>${t('kb.article.updated', { date: updated })}</span> · <a href="${path}?print=1" rel="nofollow">${t('kb.article.print')}</a></p>
        ${translations.length ? html`<nav class="translations" aria-labelledby="other-languages"><span id="other-languages" class="muted">${t('kb.article.otherLanguages')}:</span>
          <ul>${translations.map((tr) => html`<li><a href="${articleUrl(tr.slug)}" hreflang="${tr.locale}" lang="${tr.locale}">${tr.title}</a></li>`)}</ul></nav>` : ''}
        <div class="article-body">${content}</div>
      </article>
      <section class="feedback panel" id="feedback" aria-labelledby="feedback-title">
        <h2 id="feedback-title">${t('kb.feedback.question')}</h2>
        ${voted !== undefined
          ? html`<p class="notice" role="status">${request.query.notice === 'voted' ? t('kb.feedback.thanks') : t('kb.feedback.already')}</p>`
          : html`<form method="post" action="${path}/vote" class="stack">
              <input type="hidden" name="_csrf" value="${request.csrfToken}">
              <label for="comment">${t('kb.feedback.comment')}</label>
              <textarea id="comment" name="comment" maxlength="2000" rows="3"></textarea>
              <div class="vote-buttons"><button name="helpful" value="yes">${t('kb.feedback.yes')}</button> <button name="helpful" value="no" class="secondary">${t('kb.feedback.no')}</button></div>
            </form>`}
      </section>
      ${nextSteps(t, voted === false)}
      ${related.length ? html`<section aria-labelledby="related"><h2 id="related">${t('kb.article.related')}</h2><ul class="article-list">${related.map((r) => html`<li><a href="${articleUrl(r.slug)}">${r.title}</a></li>`)}</ul></section>` : ''}
      ${backlinks.length ? html`<section aria-labelledby="backlinks"><h2 id="backlinks">${t('kb.article.backlinks')}</h2><ul class="article-list">${backlinks.map((r) => html`<li><a href="${articleUrl(r.slug)}">${r.title}</a></li>`)}</ul></section>` : ''}
      ${await followBox(request, { kind: 'article', id: article.id }, path, request.query.notice)}`;
    return send(reply, layout(request, {
      title: revision.title, body,
      head: pageHead({ title: revision.title, description, canonical: absolute(path), locale: article.locale, type: 'article', alternates: translations.length ? alternates : [] }),
    }));
  });

  app.post('/help/articles/:slug/vote', {
    config: { html: true, rateLimit: { max: options.votesPer15Min, timeWindow: '15 minutes' } },
    schema: {
      hide: true, params: SlugParam,
      body: z.strictObject({ _csrf: z.string().optional(), helpful: z.enum(['yes', 'no']), comment: z.string().trim().max(2000).optional() }),
    },
  }, async (request, reply) => {
    const found = await kb.publishedArticle(request.workspace.id, request.params.slug).catch(notFoundOr);
    if (!found) return notFoundPage(request, reply);
    const visitor = visitorOf(request, reply, true)!;
    await kb.vote(request.workspace.id, found.article.id, visitor, request.body.helpful === 'yes', request.body.comment || null);
    return reply.redirect(`${articleUrl(found.article.slug)}?notice=voted#feedback`, 303);
  });

  // ---- FAQ ----
  app.get('/help/faq', {
    ...page,
    schema: { hide: true, querystring: z.object({ sort: z.enum(['popular', 'alpha']).catch('popular').default('popular'), layout: z.enum(['single', 'pages']).catch('single').default('single') }) },
  }, async (request, reply) => {
    const t = translator(request.locale);
    const { sort, layout: shape } = request.query;
    const items = await kb.faq(request.workspace.id, request.locale, sort);
    const link = (s: string, l: string) => `/help/faq?sort=${s}&layout=${l}`;
    const option = (href: string, current: boolean, label: string) => (current ? html`<strong aria-current="true">${label}</strong>` : html`<a href="${href}">${label}</a>`);
    const body = html`
      ${crumbs(t, request.locale, [], t('kb.faq.title'))}
      <h1 id="top">${t('kb.faq.title')}</h1>
      <p class="switches">
        <span>${t('kb.faq.sort')}: ${option(link('popular', shape), sort === 'popular', t('kb.faq.sortPopular'))} · ${option(link('alpha', shape), sort === 'alpha', t('kb.faq.sortAlpha'))}</span>
        <span>${t('kb.faq.layout')}: ${option(link(sort, 'single'), shape === 'single', t('kb.faq.layoutSingle'))} · ${option(link(sort, 'pages'), shape === 'pages', t('kb.faq.layoutPages'))}</span>
      </p>
      ${!items.length ? html`<p class="empty">${t('kb.faq.empty')}</p>` : shape === 'pages'
        ? html`<ol class="article-list faq-list">${items.map((i) => html`<li><a href="${articleUrl(i.slug)}">${i.title}</a></li>`)}</ol>`
        : html`<nav aria-labelledby="faq-contents"><h2 id="faq-contents" class="sr-only">${t('kb.faq.contents')}</h2>
            <ol class="article-list faq-list">${items.map((i) => html`<li><a href="#${i.slug}">${i.title}</a></li>`)}</ol></nav>
          ${items.map((i) => html`<section class="faq-answer" id="${i.slug}" aria-labelledby="${i.slug}-q">
            <h2 id="${i.slug}-q"><a href="${articleUrl(i.slug)}">${i.title}</a></h2>
            <div class="article-body">${new SafeHtml(i.html)}</div>
            <p><a href="#top">${t('kb.faq.backToTop')}</a></p></section>`)}`}`;
    const canonical = absolute(`/help/faq?sort=${sort}&layout=${shape}`);
    return send(reply, layout(request, { title: t('kb.faq.title'), body, head: pageHead({ title: t('kb.faq.title'), description: t('kb.description', { workspace: request.workspace.name[request.locale] }), canonical, locale: request.locale }) }));
  });

  // ---- search results ----
  app.get('/search', {
    ...page,
    schema: {
      hide: true,
      querystring: z.object({
        q: z.string().catch('').default('').transform((q) => q.trim().slice(0, MAX_QUERY_CHARS)),
        category: z.string().max(80).optional().catch(undefined),
        page: z.coerce.number().int().min(1).max(MAX_RESULT_PAGES).catch(1).default(1),
      }),
    },
  }, async (request, reply) => {
    const t = translator(request.locale);
    const { q, page: pageNumber } = request.query;
    const categories = await kb.categories(request.workspace.id);
    const category = categories.find((c) => c.slug === request.query.category);
    const results = q
      ? await kb.portalSearch(request.workspace.id, { q, locale: request.locale, categoryId: category?.id, limit: RESULTS_PER_PAGE, offset: (pageNumber - 1) * RESULTS_PER_PAGE })
      : { searchId: null, total: 0, hits: [], locale: request.locale, otherLanguage: false };
    const pages = Math.min(MAX_RESULT_PAGES, Math.ceil(results.total / RESULTS_PER_PAGE));
    const pageLink = (n: number) => `/search?${new URLSearchParams({ q, ...(category ? { category: category.slug } : {}), page: String(n) }).toString()}`;
    const body = html`
      <h1>${t('kb.search.title')}</h1>
      ${searchBox(t, request.locale, q)}
      ${q ? html`
        <form method="get" action="/search" class="filters">
          <input type="hidden" name="q" value="${q}">
          <label for="category">${t('kb.search.category')}</label>
          <select id="category" name="category">
            <option value="">${t('kb.search.allCategories')}</option>
            ${categories.map((c) => html`<option value="${c.slug}" ${c.id === category?.id ? 'selected' : ''}>${categoryName(c.names, request.locale)}</option>`)}
          </select>
          <button class="secondary">${t('kb.search.apply')}</button>
        </form>
        <p class="meta" role="status">${results.total ? t('kb.search.resultsFor', { count: results.total, q }) : t('kb.search.none', { q })}</p>
        ${results.otherLanguage ? otherLanguageNotice(request.locale, results.locale) : ''}
        ${results.hits.length ? html`<ol class="results" lang="${results.locale}">${results.hits.map((hit) => html`<li>
            <a href="${clickUrl(results.searchId, hit)}">${hit.title}</a>
            <p class="snippet">${new SafeHtml(hit.snippetHtml)}</p></li>`)}</ol>`
          : html`<p class="empty">${t('kb.search.noneHint')}</p>
            <ul class="cards">${categories.filter((c) => !c.parent_id).map((c) => html`<li class="card"><a href="/help/categories/${c.slug}">${categoryName(c.names, request.locale)}</a></li>`)}</ul>`}
        ${pages > 1 ? html`<nav aria-label="${t('kb.search.pagination')}" class="pager">
            ${pageNumber > 1 ? html`<a href="${pageLink(pageNumber - 1)}" rel="prev">${t('kb.search.previous')}</a>` : ''}
            <span>${t('kb.search.pageOf', { page: pageNumber, pages })}</span>
            ${pageNumber < pages ? html`<a href="${pageLink(pageNumber + 1)}" rel="next">${t('kb.search.next')}</a>` : ''}
          </nav>` : ''}` : html`<p class="muted">${t('kb.search.enterQuery')}</p>`}`;
    return send(reply, layout(request, {
      title: q ? `${q} · ${t('kb.search.title')}` : t('kb.search.title'), body,
      head: html`<meta name="robots" content="noindex"><script src="/assets/help-search.js" defer></script>`,
    }));
  });

  // ---- files of published articles ----
  app.get('/help/attachments/:id/:filename', { ...page, schema: { hide: true, params: z.object({ id: z.string().uuid().catch(''), filename: z.string() }) } }, async (request, reply) => {
    if (!request.params.id) return notFoundPage(request, reply);
    const attachment = await kb.publicAttachment(request.workspace.id, request.params.id).catch(notFoundOr);
    if (!attachment) return notFoundPage(request, reply);
    return options.store.send(reply, { storage_key: attachment.storage_key, filename: attachment.filename, content_type: attachment.content_type, size_bytes: Number(attachment.size_bytes) });
  });

  // ---- sitemap ----
  app.get('/sitemap.xml', { schema: { hide: true } }, async (request, reply) => {
    const [articles, categories] = await kb.sitemap(request.workspace.id);
    const groups = new Map<string, typeof articles>();
    for (const a of articles) groups.set(a.translation_group_id, [...(groups.get(a.translation_group_id) ?? []), a]);
    const entry = (loc: string, lastmod?: Date, alternates: { locale: string; url: string }[] = []) =>
      `<url><loc>${escapeHtml(loc)}</loc>${lastmod ? `<lastmod>${lastmod.toISOString()}</lastmod>` : ''}${alternates.map((alt) => `<xhtml:link rel="alternate" hreflang="${alt.locale}" href="${escapeHtml(alt.url)}"/>`).join('')}</url>`;
    const urls = [
      entry(absolute('/')), entry(absolute('/help/faq')),
      ...categories.map((c) => entry(absolute(`/help/categories/${c.slug}`), c.updated_at)),
      ...articles.map((a) => {
        const siblings = groups.get(a.translation_group_id) ?? [];
        return entry(absolute(articleUrl(a.slug)), a.updated_at, siblings.length > 1 ? siblings.map((s) => ({ locale: s.locale, url: absolute(articleUrl(s.slug)) })) : []);
      }),
    ];
    return reply.type('application/xml; charset=utf-8').send(`<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${urls.join('\n')}\n</urlset>\n`);
  });

  // ---- following (signed-in customers, explicit consent) ----
  const FollowForm = z.strictObject({
    _csrf: z.string().optional(), kind: z.enum(['article', 'category']), id: z.string().uuid(), consent: z.literal('yes').optional(), next: LocalPath.default('/'),
  });
  const withNotice = (next: string, notice: string) => `${next}${next.includes('?') ? '&' : '?'}notice=${notice}`;

  app.post('/help/follow', { ...page, schema: { hide: true, body: FollowForm } }, async (request, reply) => {
    if (!request.customer) return reply.redirect('/account/sign-in', 303);
    const { kind, id, consent, next } = request.body;
    if (consent !== 'yes') return reply.redirect(withNotice(next, 'consent'), 303);
    await kb.subscribe(request.workspace.id, request.customer.id, { kind, id }, request.ip);
    return reply.redirect(withNotice(next, 'followed'), 303);
  });

  app.post('/help/unfollow', { ...page, schema: { hide: true, body: FollowForm } }, async (request, reply) => {
    if (!request.customer) return reply.redirect('/account/sign-in', 303);
    const { kind, id, next } = request.body;
    await kb.unsubscribe(request.workspace.id, request.customer.id, { kind, id });
    return reply.redirect(withNotice(next, 'unfollowed'), 303);
  });

  // ---- unsubscribe from a digest's link: GET asks, POST (with CSRF) does it ----
  const TokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/).catch('') });
  const unsubscribePage = (request: FastifyRequest, reply: FastifyReply, content: SafeHtml, status = 200) => {
    const t = translator(request.locale);
    return send(reply.code(status), layout(request, { title: t('kb.unsubscribe.title'), head: html`<meta name="robots" content="noindex">`, body: html`<div class="narrow"><h1>${t('kb.unsubscribe.title')}</h1>${content}</div>` }));
  };

  app.get('/help/unsubscribe/:token', { ...page, schema: { hide: true, params: TokenParam } }, async (request, reply) => {
    const t = translator(request.locale);
    const digest = request.params.token ? await kb.digestForToken(request.workspace.id, request.params.token) : undefined;
    if (!digest) return unsubscribePage(request, reply, html`<p class="alert">${t('kb.unsubscribe.invalid')}</p>`, 404);
    return unsubscribePage(request, reply, html`<p>${t('kb.unsubscribe.confirm')}</p>
      <form method="post" action="/help/unsubscribe/${request.params.token}"><input type="hidden" name="_csrf" value="${request.csrfToken}"><button>${t('kb.unsubscribe.button')}</button></form>`);
  });

  app.post('/help/unsubscribe/:token', { ...page, schema: { hide: true, params: TokenParam } }, async (request, reply) => {
    const t = translator(request.locale);
    const done = request.params.token ? await kb.unsubscribeByToken(request.workspace.id, request.params.token) : false;
    return done
      ? unsubscribePage(request, reply, html`<p class="notice" role="status">${t('kb.unsubscribe.done')}</p>`)
      : unsubscribePage(request, reply, html`<p class="alert">${t('kb.unsubscribe.invalid')}</p>`, 404);
  });
};

/**
 * RFC 8058 one-click unsubscribe: a mail client POSTs `List-Unsubscribe=One-Click` to this URL
 * with no cookies and no CSRF token (the unguessable token in the URL is the proof), so it is
 * registered outside the portal's request context.
 */
export const kbOneClickUnsubscribe = (kb: KbService, accounts: AccountsService) => async (app: FastifyInstance) => {
  app.post('/help/unsubscribe/:token/one-click', {
    schema: { hide: true },
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const token = (request.params as { token?: string }).token ?? '';
    const workspace = await accounts.workspaceForHost(request.hostname);
    const done = workspace && /^[A-Za-z0-9_-]{20,64}$/.test(token) ? await kb.unsubscribeByToken(workspace.id, token) : false;
    return reply.code(done ? 200 : 404).type('text/plain; charset=utf-8').send(done ? 'unsubscribed' : 'unknown link');
  });
};

/**
 * Nothing matched in the reader's language, so the hits are in another: said in both languages,
 * as the reader may read either ("没有中文结果，以下是英文文章 / No results in Chinese; showing English articles").
 */
function otherLanguageNotice(reader: Locale, shown: Locale): SafeHtml {
  const say = (locale: Locale) => {
    const t = translator(locale);
    return t('kb.search.otherLanguage', { missing: t(`kb.search.languages.${reader}`), shown: t(`kb.search.languages.${shown}`) });
  };
  return html`<p class="notice other-language" role="status"><span lang="${reader}">${say(reader)}</span> / <span lang="${shown}">${say(shown)}</span></p>`;
}

function nextSteps(t: Translate, emphasised: boolean): SafeHtml {
  return html`<section class="panel next-steps${emphasised ? ' emphasised' : ''}" aria-labelledby="next-steps">
    <h2 id="next-steps">${t('kb.nextSteps.title')}</h2>
    <p>${t('kb.nextSteps.body')}</p>
    <ul class="actions">
      <li><a href="/help/troubleshoot">${t('kb.nextSteps.troubleshoot')}</a></li>
      <li><a href="/contact" data-kefu-chat>${t('kb.nextSteps.chat')}</a></li>
      <li><a class="button" href="/contact">${t('kb.nextSteps.contact')}</a></li>
    </ul></section>`;
}

/** A page made for paper: the article alone, printed as soon as it opens in a browser with scripts. */
function printView(locale: Locale, title: string, content: SafeHtml, updated: string, canonical: string): string {
  return `<!doctype html>${html`<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><meta name="robots" content="noindex"><link rel="canonical" href="${canonical}"><link rel="stylesheet" href="/assets/portal.css"></head>
<body class="print"><main class="wrap"><article class="article"><h1>${title}</h1><p class="meta">${updated} · ${canonical}</p><div class="article-body">${content}</div></article></main></body></html>`}`;
}

/** A missing article or category is a page of its own, not an error. */
function notFoundOr(error: unknown): undefined {
  if (error instanceof AppError && error.status === 404) return undefined;
  throw error;
}

