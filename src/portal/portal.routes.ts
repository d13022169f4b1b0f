import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { locales } from '../core/i18n/index.js';
import { COOKIE } from '../modules/accounts/accounts.http.js';
import type { AccountsService } from '../modules/accounts/accounts.service.js';
import { html } from '../transport/http/html.js';
import { layout, pageTranslator } from './layout.js';

// Placeholders until the help centre module fills the portal with real categories.
const topics = [
  { en: 'Setting up your printer', 'zh-CN': '打印机安装与设置' },
  { en: 'Printer does not print', 'zh-CN': '打印机不打印' },
  { en: 'Ink, toner and paper', 'zh-CN': '墨盒、碳粉与纸张' },
  { en: 'Orders, delivery and warranty', 'zh-CN': '订单、配送与保修' },
] as const;

/** Only same-site paths: `next` must never send a visitor to another site. */
const LocalPath = z.string().regex(/^\/(?!\/)[^\s\\]*$/).max(500).catch('/');

export const portalRoutes = (accounts: AccountsService): FastifyPluginAsyncZod => async (app) => {
  app.get('/', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const t = pageTranslator(request);
    const body = html`
      <section class="hero">
        <h1>${t('home.title')}</h1>
        <form class="search" method="get" action="/search" role="search">
          <label for="q" class="sr-only">${t('home.searchLabel')}</label>
          <input id="q" name="q" type="search" placeholder="${t('home.searchPlaceholder')}">
          <button>${t('home.searchButton')}</button>
        </form>
      </section>
      <section aria-labelledby="topics">
        <h2 id="topics">${t('home.popularTopics')}</h2>
        <ul class="cards">${topics.map((topic) => html`<li class="card">${topic[request.locale]}</li>`)}</ul>
      </section>
      <section class="panel">
        <h2>${t('home.stillNeedHelp')}</h2>
        <p>${t('home.stillNeedHelpBody')}</p>
        <p><a class="button" href="/contact">${t('nav.contact')}</a></p>
      </section>`;
    return reply.type('text/html; charset=utf-8').send(layout(request, { title: t('nav.helpCentre'), body }));
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
