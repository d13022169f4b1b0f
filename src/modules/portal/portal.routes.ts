import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { locales } from '../../core/i18n/index.js';
import { COOKIE } from '../accounts/index.js';
import type { AccountsService } from '../accounts/index.js';
import { articleUrl, type KbService, categoryName, pageHead, searchBox } from '../kb/index.js';
import { html } from '../../core/html/html.js';
import { layout, pageTranslator } from '../../core/html/layout.js';
import { LocalPath } from '../../core/http/redirects.js';


const TOP_QUESTIONS = 10;

export const portalRoutes = (accounts: AccountsService, kb: KbService, publicUrl: string): FastifyPluginAsyncZod => async (app) => {
  // The help centre's front door: search first, then what most people came for, then the topics.
  app.get('/', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const t = pageTranslator(request);
    const [top, categories] = await Promise.all([
      kb.popular(request.workspace.id, request.locale, { limit: TOP_QUESTIONS }),
      kb.categories(request.workspace.id),
    ]);
    const body = html`
      <section class="hero">
        <h1>${t('home.title')}</h1>
        ${searchBox(t, request.locale)}
      </section>
      <section aria-labelledby="top-questions">
        <h2 id="top-questions">${t('kb.home.topQuestions')}</h2>
        ${top.length
          ? html`<ol class="article-list top-questions">${top.map((a) => html`<li><a href="${articleUrl(a.slug)}">${a.title}</a></li>`)}</ol>
            <p><a href="/help/faq">${t('kb.home.faq')}</a></p>`
          : html`<p class="empty">${t('kb.home.noArticles')}</p>`}
      </section>
      ${categories.length ? html`<section aria-labelledby="topics">
        <h2 id="topics">${t('kb.home.categories')}</h2>
        <ul class="cards">${categories.filter((c) => !c.parent_id).map((c) => html`<li class="card">
          <a href="/help/categories/${c.slug}">${categoryName(c.names, request.locale)}</a>
          ${c.descriptions[request.locale] ? html`<p class="muted">${c.descriptions[request.locale]}</p>` : ''}</li>`)}</ul>
      </section>` : ''}
      <section class="panel">
        <h2>${t('home.stillNeedHelp')}</h2>
        <p>${t('home.stillNeedHelpBody')}</p>
        <p><a class="button" href="/contact">${t('nav.contact')}</a></p>
      </section>`;
    const workspace = request.workspace.name[request.locale];
    return reply.type('text/html; charset=utf-8').send(layout(request, {
      title: t('nav.helpCentre'), body,
      head: pageHead({ title: `${t('nav.helpCentre')} · ${workspace}`, description: t('kb.description', { workspace }), canonical: `${publicUrl}/`, locale: request.locale }),
    }));
  });

  app.get('/language', {
    config: { html: true },
    schema: { hide: true, querystring: z.object({ set: z.enum(locales), next: LocalPath.optional() }) },
  }, async (request, reply) => {
    reply.setCookie(COOKIE.language, request.query.set, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600 });
    if (request.customer) await accounts.setCustomerLocale(request.workspace.id, request.customer.id, request.query.set);
    return reply.redirect(request.query.next ?? '/', 303);
  });
};
