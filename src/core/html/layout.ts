import type { FastifyRequest } from 'fastify';
import { translator, type Translate } from '../i18n/index.js';
import { html, type SafeHtml } from './html.js';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Extra head elements: description, canonical and hreflang links, Open Graph tags, scripts. */
  head?: SafeHtml;
}

/** Every portal page shares this shell: works without JavaScript, one small stylesheet, mobile first. */
export function layout(request: FastifyRequest, page: PageOptions): string {
  const t = translator(request.locale);
  const workspaceName = request.workspace.name[request.locale];
  const here = request.url;
  const otherLocale = request.locale === 'en' ? 'zh-CN' : 'en';
  return `<!doctype html>${html`
<html lang="${request.locale}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${page.title} · ${workspaceName}</title>
  <link rel="stylesheet" href="/assets/portal.css">
  ${page.head}
</head>
<body>
  <a class="skip" href="#main">${t('nav.skipToContent')}</a>
  <header class="site-header">
    <div class="wrap bar">
      <a class="brand" href="/">${workspaceName}</a>
      <nav aria-label="${t('nav.helpCentre')}">
        <ul class="nav">
          <li><a href="/">${t('nav.helpCentre')}</a></li>
          <li><a href="/contact">${t('nav.contact')}</a></li>
          <li><a href="/requests">${t('nav.myRequests')}</a></li>
          ${request.customer ? html`<li><a href="/account">${t('nav.myAccount')}</a></li>` : ''}
          ${request.customer
            ? html`<li><form method="post" action="/account/sign-out"><input type="hidden" name="_csrf" value="${request.csrfToken}"><button class="link">${t('nav.signOut')}</button></form></li>`
            : html`<li><a href="/account/sign-in">${t('nav.signIn')}</a></li>`}
          <li><a href="/language?set=${otherLocale}&amp;next=${encodeURIComponent(here)}" lang="${otherLocale}" hreflang="${otherLocale}">${otherLocale === 'en' ? 'English' : '中文'}</a></li>
        </ul>
      </nav>
    </div>
  </header>
  <main id="main" class="wrap">${page.body}</main>
  ${request.customer
    // A signed-in customer is not asked again who they are: the widget's form starts filled in.
    ? html`<script src="/widget.js" data-workspace="${request.workspace.slug}" data-locale="${request.locale}" data-name="${request.customer.name}" data-email="${request.customer.email}" async></script>`
    : html`<script src="/widget.js" data-workspace="${request.workspace.slug}" data-locale="${request.locale}" async></script>`}
  <footer class="site-footer"><div class="wrap">${t('footer.poweredBy')} · <a href="/agent">${t('nav.agentConsole')}</a> · <a href="/docs">API</a></div></footer>
</body>
</html>`}`;
}

export function pageTranslator(request: FastifyRequest): Translate {
  return translator(request.locale);
}

/** A form's error line, in the page's language, from a stable error code. */
export function formError(t: Translate, code: string | undefined): SafeHtml {
  return code ? html`<p class="alert" role="alert">${t(`errors.${code}`, { defaultValue: t('errors.INTERNAL') })}</p>` : html``;
}
