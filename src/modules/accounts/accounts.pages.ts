import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { Translate } from '../../core/i18n/index.js';
import { formError, layout, pageTranslator } from '../../core/html/layout.js';
import { html, type SafeHtml } from '../../core/html/html.js';
import { COOKIE, issueCsrfToken, sessionCookieOptions } from './accounts.http.js';
import { emailOfBody, signInLimits, type SignInLimits } from './accounts.limits.js';
import type { AccountsService } from './accounts.service.js';

const FormFields = {
  _csrf: z.string(),
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(200),
  newPassword: z.string().min(10).max(200),
  name: z.string().trim().min(1).max(120),
  token: z.string().min(10).max(200),
};

/**
 * Portal pages post ordinary forms. Their bodies are parsed here (not by the route schema) so
 * a bad field re-renders the form with a message instead of returning JSON.
 */
function parseForm<T extends z.ZodRawShape>(shape: T, body: unknown): z.infer<z.ZodObject<T>> {
  const parsed = z.object(shape).safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 400, 'Some fields are not valid', parsed.error.issues);
  return parsed.data;
}

function errorCode(error: unknown): string {
  if (error instanceof AppError && error.status < 500) return error.code;
  throw error;
}

/** The fields a refused form names (its validation issues' first path segment). */
function invalidFields(error: unknown): string[] {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED' || !Array.isArray(error.details)) return [];
  return [...new Set((error.details as { path?: unknown[] }[]).map((issue) => String(issue.path?.[0] ?? '')).filter(Boolean))];
}

const input = (t: Translate, name: string, type: string, label: string, autocomplete: string, value = '') =>
  html`<label for="${name}">${t(label)}</label><input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" value="${value}" required>`;

/** An input with its own error line under it, tied to it for screen readers, when the last post refused it. */
const checkedInput = (t: Translate, name: string, type: string, label: string, autocomplete: string, value: string, invalid: boolean) => html`
  <label for="${name}">${t(label)}</label>
  <input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" value="${value}" required${invalid ? html` aria-invalid="true" aria-describedby="${name}-error"` : ''}>
  ${invalid ? html`<p class="field-error" id="${name}-error">${t(`fields.${name}`)}</p>` : ''}`;

/** What a refused registration keeps: never the password. */
interface Typed { name: string; email: string }

export const accountsPages = (accounts: AccountsService, options: { secureCookies: boolean; signIn: SignInLimits }): FastifyPluginAsyncZod =>
  async (app) => {
    const page = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
      reply.code(status).type('text/html; charset=utf-8').send(layout(request, { title, body }));

    const csrf = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken}">`;

    const signInForm = (request: FastifyRequest, t: Translate, error?: string, email = '') => html`
      <section class="narrow">
        <h1>${t('account.signInTitle')}</h1>
        ${formError(t, error)}
        <form method="post" action="/account/sign-in" class="stack">
          ${csrf(request)}
          ${input(t, 'email', 'email', 'account.email', 'email', email)}
          ${input(t, 'password', 'password', 'account.password', 'current-password')}
          <button>${t('nav.signIn')}</button>
        </form>
        <p><a href="/account/forgot-password">${t('account.forgotPassword')}</a> · <a href="/account/register">${t('nav.register')}</a></p>
      </section>`;

    const pageConfig = { config: { html: true }, schema: { hide: true } } as const;
    const signInLimit = { config: { html: true, rateLimit: { max: 10, timeWindow: '15 minutes' } }, schema: { hide: true } } as const;

    app.get('/account/sign-in', pageConfig, async (request, reply) => {
      const t = pageTranslator(request);
      return page(request, reply, t('nav.signIn'), signInForm(request, t));
    });

    const accountSignIn = signInLimits(app, options.signIn, emailOfBody);
    app.post('/account/sign-in', { ...accountSignIn, ...pageConfig }, async (request, reply) => {
      const t = pageTranslator(request);
      try {
        const form = parseForm({ email: FormFields.email, password: FormFields.password }, request.body);
        const { sessionToken } = await accounts.signInCustomer(request.workspace.id, form.email, form.password);
        reply.setCookie(COOKIE.customer, sessionToken, sessionCookieOptions(options.secureCookies));
        issueCsrfToken(request, reply, options.secureCookies);
        return reply.redirect('/requests', 303);
      } catch (error) {
        const email = String((request.body as { email?: unknown })?.email ?? '');
        return page(request, reply, t('nav.signIn'), signInForm(request, t, errorCode(error), email), 400);
      }
    });

    const registerForm = (request: FastifyRequest, t: Translate, refused?: { error: string; invalid: string[]; typed: Typed }) => html`
      <section class="narrow">
        <h1>${t('account.registerTitle')}</h1>
        ${formError(t, refused?.error)}
        <form method="post" action="/account/register" class="stack">
          ${csrf(request)}
          ${checkedInput(t, 'name', 'text', 'account.name', 'name', refused?.typed.name ?? '', Boolean(refused?.invalid.includes('name')))}
          ${checkedInput(t, 'email', 'email', 'account.email', 'email', refused?.typed.email ?? '', Boolean(refused?.invalid.includes('email')))}
          ${checkedInput(t, 'password', 'password', 'account.password', 'new-password', '', Boolean(refused?.invalid.includes('password')))}
          <button>${t('nav.register')}</button>
        </form>
      </section>`;

    app.get('/account/register', pageConfig, async (request, reply) => {
      const t = pageTranslator(request);
      return page(request, reply, t('nav.register'), registerForm(request, t));
    });

    app.post('/account/register', signInLimit, async (request, reply) => {
      const t = pageTranslator(request);
      try {
        const form = parseForm({ name: FormFields.name, email: FormFields.email, password: FormFields.newPassword }, request.body);
        // The same page whether the address was new or not (issue 12 #9): the mail tells the rest.
        await accounts.signUpCustomer(request.workspace.id, { ...form, locale: request.locale }, request.locale);
        return page(request, reply, t('nav.register'), html`<section class="narrow"><h1>${t('account.registerTitle')}</h1><p class="notice" role="status">${t('account.registerRequested')}</p><p><a href="/account/sign-in">${t('nav.signIn')}</a></p></section>`);
      } catch (error) {
        const body = request.body as { name?: unknown; email?: unknown } | undefined;
        const typed = { name: String(body?.name ?? '').slice(0, 200), email: String(body?.email ?? '').slice(0, 254) };
        return page(request, reply, t('nav.register'), registerForm(request, t, { error: errorCode(error), invalid: invalidFields(error), typed }), 400);
      }
    });

    app.post('/account/sign-out', pageConfig, async (request, reply) => {
      const raw = request.cookies[COOKIE.customer];
      const token = raw ? request.unsignCookie(raw) : undefined;
      if (token?.valid && token.value) await accounts.closeSession(token.value);
      reply.clearCookie(COOKIE.customer, { path: '/' });
      return reply.redirect('/', 303);
    });

    app.get('/account/forgot-password', pageConfig, async (request, reply) => {
      const t = pageTranslator(request);
      return page(request, reply, t('account.resetTitle'), html`
        <section class="narrow">
          <h1>${t('account.resetTitle')}</h1>
          <form method="post" action="/account/forgot-password" class="stack">
            ${csrf(request)}
            ${input(t, 'email', 'email', 'account.email', 'email')}
            <button>${t('account.sendResetLink')}</button>
          </form>
        </section>`);
    });

    app.post('/account/forgot-password', signInLimit, async (request, reply) => {
      const t = pageTranslator(request);
      const parsed = z.object({ email: FormFields.email }).safeParse(request.body);
      if (parsed.success) await accounts.requestPasswordReset(request.workspace.id, 'customer', parsed.data.email, request.locale);
      return page(request, reply, t('account.resetTitle'), html`<section class="narrow"><h1>${t('account.resetTitle')}</h1><p class="notice" role="status">${t('account.resetRequested')}</p></section>`);
    });

    const resetForm = (request: FastifyRequest, t: Translate, token: string, error?: string) => html`
      <section class="narrow">
        <h1>${t('account.resetTitle')}</h1>
        ${formError(t, error)}
        <form method="post" action="/account/reset-password" class="stack">
          ${csrf(request)}
          <input type="hidden" name="token" value="${token}">
          ${input(t, 'password', 'password', 'account.newPassword', 'new-password')}
          <button>${t('account.setPassword')}</button>
        </form>
      </section>`;

    app.get('/account/reset-password', { config: { html: true }, schema: { hide: true, querystring: z.object({ token: z.string().max(200).catch('') }) } },
      async (request, reply) => {
        const t = pageTranslator(request);
        return page(request, reply, t('account.resetTitle'), resetForm(request, t, request.query.token));
      });

    app.post('/account/reset-password', signInLimit, async (request, reply) => {
      const t = pageTranslator(request);
      const token = String((request.body as { token?: unknown })?.token ?? '');
      try {
        const form = parseForm({ token: FormFields.token, password: FormFields.newPassword }, request.body);
        await accounts.resetPassword(request.workspace.id, 'customer', form.token, form.password, { ip: request.ip });
        return page(request, reply, t('account.resetTitle'), html`<section class="narrow"><p class="notice" role="status">${t('account.resetDone')}</p><p><a href="/account/sign-in">${t('nav.signIn')}</a></p></section>`);
      } catch (error) {
        return page(request, reply, t('account.resetTitle'), resetForm(request, t, token, errorCode(error)), 400);
      }
    });
  };
