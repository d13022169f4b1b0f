import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isPlaceholderAddress } from '../../contracts/addresses.js';
import { AppError } from '../../core/errors.js';
import { html, type SafeHtml } from '../../core/html/html.js';
import { layout, pageTranslator } from '../../core/html/layout.js';
import { locales, type Translate } from '../../core/i18n/index.js';
import { COOKIE, type AccountsService, type Actor } from '../accounts/index.js';
import type { CustomerDataRights } from './customers.data-rights.js';
import { customerErrors } from './customers.errors.js';
import type { CustomerRow } from './customers.schema.js';
import type { CustomersService } from './customers.service.js';
import { isCalendarDay, TimeZone } from './customers.validate.js';

/**
 * "My account" (我的) in the help centre: the signed-in customer sees what is kept about them,
 * changes what they gave, registers products, gives or withdraws consent, downloads all of it and
 * asks for its erasure. Only ever their own record: every call takes the session's customer id.
 * Forms are parsed here (not by a route schema) so a bad field re-renders the page with its message;
 * the request context checks each POST's CSRF token.
 */
export interface CustomerPagesServices { customers: CustomersService; customerDataRights: CustomerDataRights; accounts: AccountsService }

const Text = (max: number) => z.string().trim().min(1).max(max);
const Email = z.string().trim().toLowerCase().email().max(320);
const Csrf = { _csrf: z.string().optional() };

const ProfileForm = z.object({ ...Csrf, name: Text(200), locale: z.enum(locales), timeZone: z.union([z.literal(''), TimeZone]) });
const EmailForm = z.object({ ...Csrf, email: Email, primary: z.literal('yes').optional() });
const PhoneForm = z.object({ ...Csrf, phone: z.string().trim().regex(/^\+?[\d\s().-]{5,30}$/) });
/** Serial, purchase date (empty: not known; never in the future) and where bought, as registered and as corrected. */
const ProductDetails = {
  serial: Text(80),
  purchasedOn: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(isCalendarDay).refine((d) => d <= new Date().toISOString().slice(0, 10))]),
  boughtFrom: z.string().trim().max(200).default(''),
};
const ProductForm = z.object({ ...Csrf, productId: z.string().uuid(), ...ProductDetails });
const ProductEditForm = z.object({ ...Csrf, ...ProductDetails });
const RegistrationParams = z.object({ id: z.string().uuid() });
const ConsentForm = z.object({ ...Csrf, purposeId: z.string().uuid(), granted: z.enum(['yes', 'no']) });
const EraseForm = z.object({ ...Csrf, confirm: z.string().trim().toLowerCase().min(1).max(320) });
/** A customer with no e-mail (known only by phone) confirms in the session, by their password: no link can reach them. */
const ErasePasswordForm = z.object({ ...Csrf, password: z.string().min(1).max(200) });
const TokenForm = z.object({ ...Csrf, token: z.string().min(10).max(200) });

/** The fields of a form that failed, by name, for their messages. */
class FieldErrors extends Error {
  constructor(readonly fields: string[]) { super('invalid fields'); }
}

function parse<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new FieldErrors([...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'form')))]);
  return parsed.data;
}

/** The customer's changes are audited as the product's (customers are not actors of the audit log), with their IP. */
const selfActor = (request: FastifyRequest): Actor => ({ type: 'system', id: null, ip: request.ip });

interface PageState {
  notice?: string;
  /** An error code (AppError) shown above the form it came from. */
  error?: { code: string; section: string };
  /** Invalid fields of the form posted to `section`. */
  invalid?: { section: string; fields: string[] };
}

const COMMON_ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'UTC'];

export const customerPages = ({ customers, customerDataRights, accounts }: CustomerPagesServices): FastifyPluginAsyncZod => async (app) => {
  const pageConfig = { config: { html: true }, schema: { hide: true } } as const;
  // Adding addresses mails a link, erasing is for good: both are limited like the sign-up form.
  const limited = { config: { html: true, rateLimit: { max: 10, timeWindow: '15 minutes' } }, schema: { hide: true } } as const;

  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(layout(request, { title, body }));
  const csrf = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken}">`;
  const errorText = (t: Translate, code: string) =>
    t(`customers.account.errors.${code}`, { defaultValue: t(`errors.${code}`, { defaultValue: t('errors.INTERNAL') }) });

  /** The messages of one section: an error code, invalid fields, or nothing. */
  const problems = (t: Translate, state: PageState, section: string) => html`
    ${state.error?.section === section ? html`<p class="alert" role="alert">${errorText(t, state.error.code)}</p>` : ''}
    ${state.invalid?.section === section ? html`<div class="alert" role="alert">${state.invalid.fields.map((f) => html`<p>${t(`customers.account.fields.${f}`, { defaultValue: t('errors.VALIDATION_FAILED') })}</p>`)}</div>` : ''}`;

  async function accountPage(request: FastifyRequest, reply: FastifyReply, customer: CustomerRow, state: PageState = {}, status = 200) {
    const t = pageTranslator(request);
    const ws = request.workspace.id;
    const [identities, products, catalogue, consents] = await Promise.all([
      customers.identities(ws, customer.id), customers.registrations(ws, customer.id), customers.products(ws), customers.consents(ws, customer.id),
    ]);
    const name = (names: { en: string; 'zh-CN'?: string }) => names[request.locale] ?? names.en;
    const day = (date: Date) => date.toISOString().slice(0, 10);
    const emails = identities.filter((i) => i.kind === 'email');
    const phones = identities.filter((i) => i.kind === 'phone');
    const mark = (i: { kind: string; is_primary: boolean; verified_at: Date | null }) => html`
      ${i.kind === 'email' && i.is_primary ? html` <span class="badge">${t('customers.account.primary')}</span>` : ''}
      <span class="muted">(${i.verified_at ? t('customers.account.verified') : t('customers.account.unverified')})</span>`;
    // A placeholder address (RFC 2606 `.invalid`: a customer known only by phone) is no e-mail: not shown as one.
    const shownAddress = (i: { value: string; kind: string; is_primary: boolean; verified_at: Date | null }) => (isPlaceholderAddress(i.value)
      ? html`<span class="muted">${t('customers.account.noEmail')}</span>`
      : html`<span class="value">${i.value}</span>${mark(i)}`);
    const removeButton = (id: string) => html`<form method="post" action="/account/identities/${id}/remove" class="inline">${csrf(request)}<button class="link">${t('customers.account.remove')}</button></form>`;
    const body = html`
      <h1>${t('customers.account.title')}</h1>
      <p class="muted">${t('customers.account.intro')}</p>
      ${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}

      <section class="panel" aria-labelledby="profile">
        <h2 id="profile">${t('customers.account.profile')}</h2>
        ${problems(t, state, 'profile')}
        <form method="post" action="/account/profile" class="stack">
          ${csrf(request)}
          <label for="name">${t('customers.account.name')}</label>
          <input id="name" name="name" value="${customer.name}" autocomplete="name" required maxlength="200">
          <label for="locale">${t('customers.account.language')}</label>
          <select id="locale" name="locale">${locales.map((l) => html`<option value="${l}" ${(customer.locale ?? request.locale) === l ? html`selected` : ''}>${l === 'en' ? 'English' : '中文'}</option>`)}</select>
          <label for="timeZone">${t('customers.account.timeZone')}</label>
          <input id="timeZone" name="timeZone" value="${customer.time_zone ?? ''}" list="zones" placeholder="${t('customers.account.noTimeZone')}">
          <datalist id="zones">${COMMON_ZONES.map((z) => html`<option value="${z}">`)}</datalist>
          <button>${t('customers.account.save')}</button>
        </form>
      </section>

      <section class="panel" aria-labelledby="emails">
        <h2 id="emails">${t('customers.account.emails')}</h2>
        ${problems(t, state, 'emails')}
        <ul class="identities">${emails.map((i) => html`<li>${shownAddress(i)} ${i.is_primary ? '' : removeButton(i.id)}</li>`)}</ul>
        <form method="post" action="/account/emails" class="stack">
          ${csrf(request)}
          <label for="email">${t('customers.account.addEmail')}</label>
          <input id="email" name="email" type="email" autocomplete="email" required>
          <label><input type="checkbox" name="primary" value="yes"> ${t('customers.account.makePrimary')}</label>
          <button>${t('customers.account.sendLink')}</button>
        </form>
      </section>

      <section class="panel" aria-labelledby="phones">
        <h2 id="phones">${t('customers.account.phones')}</h2>
        ${problems(t, state, 'phones')}
        ${phones.length ? html`<ul class="identities">${phones.map((i) => html`<li><span class="value">${i.value}</span>${mark(i)} ${removeButton(i.id)}</li>`)}</ul>` : html`<p class="muted">${t('customers.account.none')}</p>`}
        <form method="post" action="/account/phones" class="stack">
          ${csrf(request)}
          <label for="phone">${t('customers.account.addPhone')}</label>
          <input id="phone" name="phone" type="tel" autocomplete="tel" required>
          <button>${t('customers.account.add')}</button>
        </form>
      </section>

      <section class="panel" aria-labelledby="products">
        <h2 id="products">${t('customers.account.products')}</h2>
        ${problems(t, state, 'products')}
        ${products.length ? html`<ul class="products">${products.map((p) => html`<li>
          <strong>${name(p.names)}</strong> · ${t('customers.account.serial')} <span class="serial">${p.serial}</span>
          ${p.purchased_on ? html` · ${t('customers.account.purchasedOn')} ${p.purchased_on}` : ''}
          <br><span class="muted">${p.warranty_until
            ? t(p.warranty_until >= day(new Date()) ? 'customers.warranty.until' : 'customers.warranty.expired', { date: p.warranty_until })
            : t('customers.warranty.unknown')}</span>
          <details class="edit-product"><summary>${t('customers.account.editProduct')}</summary>
            <form method="post" action="/account/products/${p.id}" class="stack">
              ${csrf(request)}
              <label for="serial-${p.id}">${t('customers.account.serial')}</label>
              <input id="serial-${p.id}" name="serial" required maxlength="80" value="${p.serial}">
              <label for="purchasedOn-${p.id}">${t('customers.account.purchasedOn')}</label>
              <input id="purchasedOn-${p.id}" name="purchasedOn" type="date" max="${day(new Date())}" value="${p.purchased_on ?? ''}">
              <label for="boughtFrom-${p.id}">${t('customers.account.boughtFrom')}</label>
              <input id="boughtFrom-${p.id}" name="boughtFrom" maxlength="200" value="${p.bought_from}">
              <button>${t('customers.account.saveProduct')}</button>
            </form>
          </details></li>`)}</ul>` : html`<p class="muted">${t('customers.account.none')}</p>`}
        <h3>${t('customers.account.registerProduct')}</h3>
        <form method="post" action="/account/products" class="stack">
          ${csrf(request)}
          <label for="productId">${t('customers.account.model')}</label>
          <select id="productId" name="productId" required><option value="">${t('customers.account.chooseModel')}</option>
            ${catalogue.map((p) => html`<option value="${p.id}">${p.model} · ${name(p.names)}</option>`)}</select>
          <label for="serial">${t('customers.account.serial')}</label>
          <input id="serial" name="serial" required maxlength="80">
          <label for="purchasedOn">${t('customers.account.purchasedOn')}</label>
          <input id="purchasedOn" name="purchasedOn" type="date" max="${day(new Date())}">
          <label for="boughtFrom">${t('customers.account.boughtFrom')}</label>
          <input id="boughtFrom" name="boughtFrom" maxlength="200">
          <button>${t('customers.account.register')}</button>
        </form>
      </section>

      ${consents.length ? html`<section class="panel" aria-labelledby="consents">
        <h2 id="consents">${t('customers.account.consents')}</h2>
        <p class="muted">${t('customers.account.consentsIntro')}</p>
        ${problems(t, state, 'consents')}
        <ul class="consents">${consents.map((c) => html`<li data-purpose="${c.purpose.key}">
          <strong>${name(c.purpose.names)}</strong>:
          <span class="consent-state">${t(c.change ? (c.granted ? 'customers.consent.granted' : 'customers.consent.withdrawn') : 'customers.consent.never')}</span>
          ${c.change ? html`<span class="muted">${t('customers.account.since', { date: day(c.change.changed_at) })}</span>` : ''}
          <form method="post" action="/account/consents" class="inline">${csrf(request)}
            <input type="hidden" name="purposeId" value="${c.purpose.id}"><input type="hidden" name="granted" value="${c.granted ? 'no' : 'yes'}">
            <button class="link">${c.granted ? t('customers.account.withdraw') : t('customers.account.agree')}</button></form></li>`)}</ul>
      </section>` : ''}

      <section class="panel" aria-labelledby="data">
        <h2 id="data">${t('customers.account.data')}</h2>
        <p>${t('customers.account.exportIntro')}</p>
        <p><a class="button" href="/account/export" download>${t('customers.account.export')}</a>
          <a class="button" href="/account/export/archive" download>${t('customers.account.exportArchive')}</a></p>
        <h3>${t('customers.account.erase')}</h3>
        ${isPlaceholderAddress(customer.email) ? html`<p>${t('customers.account.eraseIntroNoEmail')}</p>` : html`<p>${t('customers.account.eraseIntro')}</p>`}
        ${problems(t, state, 'erase')}
        <form method="post" action="/account/erase" class="stack">
          ${csrf(request)}
          ${isPlaceholderAddress(customer.email)
            ? html`<label for="password">${t('customers.account.erasePassword')}</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>`
            : html`<label for="confirm">${t('customers.account.eraseConfirm')}</label>
              <input id="confirm" name="confirm" type="email" autocomplete="off" required>`}
          <button class="danger">${t('customers.account.eraseButton')}</button>
        </form>
      </section>`;
    return send(request, reply, t('customers.account.title'), body, status);
  }

  /** The signed-in customer's record, or a redirect to sign in. */
  const signedIn = async (request: FastifyRequest, reply: FastifyReply): Promise<CustomerRow | undefined> => {
    if (!request.customer) {
      void reply.redirect('/account/sign-in', 303);
      return undefined;
    }
    const customer = await customers.findCustomer(request.workspace.id, request.customer.id);
    if (!customer || customer.erased_at) {
      void reply.redirect('/account/sign-in', 303);
      return undefined;
    }
    return customer;
  };

  /**
   * A form of the account page: parses it, runs `act`, and shows the page again with the outcome.
   * Invalid fields and declared errors re-render the form (400, or the error's own 4xx status).
   */
  const form = <T extends z.ZodTypeAny>(path: string, section: string, schema: T, act: (request: FastifyRequest, customer: CustomerRow, input: z.infer<T>, t: Translate) => Promise<string>,
    options: { config: { html: true }; schema: { hide: true; params?: typeof RegistrationParams } } = pageConfig) =>
    app.post(path, options, async (request, reply) => {
      const customer = await signedIn(request, reply);
      if (!customer) return reply;
      const t = pageTranslator(request);
      try {
        const notice = await act(request, customer, parse(schema, request.body), t);
        return accountPage(request, reply, (await customers.findCustomer(request.workspace.id, customer.id)) ?? customer, { notice });
      } catch (error) {
        if (error instanceof FieldErrors) return accountPage(request, reply, customer, { invalid: { section, fields: error.fields } }, 400);
        if (error instanceof AppError && error.status < 500) return accountPage(request, reply, customer, { error: { code: error.code, section } }, error.status);
        throw error;
      }
    });

  app.get('/account', pageConfig, async (request, reply) => {
    const customer = await signedIn(request, reply);
    return customer ? accountPage(request, reply, customer) : reply;
  });

  form('/account/profile', 'profile', ProfileForm, async (request, customer, input) => {
    await customers.update(request.workspace.id, customer.id, { name: input.name, locale: input.locale, timeZone: input.timeZone || null }, selfActor(request));
    if (input.locale !== customer.locale) await accounts.setCustomerLocale(request.workspace.id, customer.id, input.locale);
    // The portal speaks the language they chose from this page on.
    request.locale = input.locale;
    return pageTranslator(request)('customers.account.saved');
  });

  form('/account/emails', 'emails', EmailForm, async (request, customer, input, t) => {
    const ws = request.workspace.id;
    const held = await customers.findByIdentity(ws, 'email', input.email);
    if (held && held.id !== customer.id) throw customerErrors.identityTaken('email', input.email);
    if (held && input.email === customer.email) throw customerErrors.emailIsPrimary();
    // Nothing changes until the link is followed: an address is never held on someone's word alone.
    await accounts.requestEmailVerification(ws, { customerId: customer.id, email: input.email, purpose: 'add', makePrimary: input.primary === 'yes', locale: request.locale });
    return t('customers.account.emailSent', { email: input.email });
  }, limited);

  form('/account/phones', 'phones', PhoneForm, async (request, customer, input, t) => {
    await customers.addIdentity(request.workspace.id, customer.id, { kind: 'phone', value: input.phone, primary: false, verified: false }, selfActor(request));
    return t('customers.account.saved');
  });

  app.post('/account/identities/:id/remove', { ...pageConfig, schema: { hide: true, params: z.object({ id: z.string().uuid() }) } }, async (request, reply) => {
    const customer = await signedIn(request, reply);
    if (!customer) return reply;
    const t = pageTranslator(request);
    try {
      await customers.removeIdentity(request.workspace.id, customer.id, request.params.id, selfActor(request));
      return accountPage(request, reply, customer, { notice: t('customers.account.saved') });
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return accountPage(request, reply, customer, { error: { code: error.code, section: 'emails' } }, error.status);
      throw error;
    }
  });

  form('/account/products', 'products', ProductForm, async (request, customer, input, t) => {
    await customers.registerProduct(request.workspace.id, customer.id, {
      productId: input.productId, serial: input.serial, purchasedOn: input.purchasedOn || null, warrantyUntil: null, boughtFrom: input.boughtFrom,
    }, selfActor(request));
    return t('customers.account.registered');
  });

  // A registration of someone else's (or none) is not found, as every id outside the customer's own record.
  form('/account/products/:id', 'products', ProductEditForm, async (request, customer, input, t) => {
    const { id } = RegistrationParams.parse(request.params);
    await customers.updateRegistration(request.workspace.id, customer.id, id, { serial: input.serial, purchasedOn: input.purchasedOn || null, boughtFrom: input.boughtFrom }, selfActor(request));
    return t('customers.account.productSaved');
  }, { ...pageConfig, schema: { hide: true, params: RegistrationParams } });

  form('/account/consents', 'consents', ConsentForm, async (request, customer, input, t) => {
    await customers.setConsent(request.workspace.id, customer.id, { purposeId: input.purposeId, granted: input.granted === 'yes', channel: 'portal' }, { type: 'customer', id: customer.id });
    return t('customers.account.consentSaved');
  });

  app.get('/account/export', pageConfig, async (request, reply) => {
    const customer = await signedIn(request, reply);
    if (!customer) return reply;
    const data = await customerDataRights.export(request.workspace.id, customer.id);
    await customers.auditExport(request.workspace.id, customer.id, selfActor(request));
    return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="my-data-${new Date().toISOString().slice(0, 10)}.json"`)
      .send(JSON.stringify(data, null, 2));
  });

  app.get('/account/export/archive', pageConfig, async (request, reply) => {
    const customer = await signedIn(request, reply);
    if (!customer) return reply;
    const archive = await customerDataRights.archive(request.workspace.id, customer.id);
    await customers.auditExport(request.workspace.id, customer.id, selfActor(request));
    return reply.type('application/zip').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="my-data-${new Date().toISOString().slice(0, 10)}.zip"`).send(archive);
  });

  app.post('/account/erase', limited, async (request, reply) => {
    const customer = await signedIn(request, reply);
    if (!customer) return reply;
    const t = pageTranslator(request);
    if (isPlaceholderAddress(customer.email)) return eraseInSession(request, reply, customer);
    let input: z.infer<typeof EraseForm>;
    try {
      input = parse(EraseForm, request.body);
      if (input.confirm !== customer.email) throw new FieldErrors(['confirm']);
    } catch (error) {
      if (error instanceof FieldErrors) return accountPage(request, reply, customer, { invalid: { section: 'erase', fields: ['confirm'] } }, 400);
      throw error;
    }
    // Confirmed by mail: whoever has the session alone cannot erase the account.
    await accounts.requestEmailVerification(request.workspace.id, { customerId: customer.id, email: customer.email, purpose: 'erase', makePrimary: false, locale: request.locale });
    return accountPage(request, reply, customer, { notice: t('customers.account.eraseMailed', { email: customer.email }) });
  });

  /**
   * A customer without an e-mail (known only by phone: their sign-in address is a placeholder no
   * mail reaches) confirms here, with their password: the session alone is not enough (a device
   * left signed in), and no link can be mailed. The erasure is then asked for as the mailed link would.
   */
  const eraseInSession = async (request: FastifyRequest, reply: FastifyReply, customer: CustomerRow) => {
    let password: string;
    try {
      ({ password } = parse(ErasePasswordForm, request.body));
    } catch (error) {
      if (error instanceof FieldErrors) return accountPage(request, reply, customer, { invalid: { section: 'erase', fields: ['password'] } }, 400);
      throw error;
    }
    try {
      // Checked as a sign-in is; the session it opens is closed again at once.
      await accounts.closeSession((await accounts.signInCustomer(request.workspace.id, customer.email, password)).sessionToken);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) return accountPage(request, reply, customer, { invalid: { section: 'erase', fields: ['password'] } }, 400);
      throw error;
    }
    return erased(request, reply, customer.id);
  };

  /** Asks for the customer's erasure, signs them out when it is their own session, and says so. */
  const erased = async (request: FastifyRequest, reply: FastifyReply, customerId: string) => {
    const t = pageTranslator(request);
    await customerDataRights.requestErasure(request.workspace.id, customerId, { type: 'customer', id: customerId }, selfActor(request));
    if (request.customer?.id === customerId) {
      const raw = request.cookies[COOKIE.customer];
      const session = raw ? request.unsignCookie(raw) : undefined;
      if (session?.valid && session.value) await accounts.closeSession(session.value);
      reply.clearCookie(COOKIE.customer, { path: '/' });
      request.customer = undefined;
    }
    return send(request, reply, t('customers.account.erase'), html`<section class="narrow"><h1>${t('customers.account.erase')}</h1><p class="notice" role="status">${t('customers.account.erasing')}</p></section>`);
  };

  const eraseConfirmPage = (request: FastifyRequest, reply: FastifyReply, token: string, error?: string, status = 200) => {
    const t = pageTranslator(request);
    return send(request, reply, t('customers.account.erase'), html`<section class="narrow">
      <h1>${t('customers.account.erase')}</h1>
      ${error ? html`<p class="alert" role="alert">${errorText(t, error)}</p>` : html`<p>${t('customers.account.eraseIntro')}</p>`}
      ${token && !error ? html`<form method="post" action="/account/erase/confirm" class="stack">${csrf(request)}<input type="hidden" name="token" value="${token}"><button class="danger">${t('customers.account.eraseButton')}</button></form>` : ''}
    </section>`, status);
  };

  app.get('/account/erase/confirm', { config: { html: true }, schema: { hide: true, querystring: z.object({ token: z.string().max(200).catch('') }) } },
    async (request, reply) => eraseConfirmPage(request, reply, request.query.token, request.query.token.length >= 10 ? undefined : 'EMAIL_LINK_INVALID', request.query.token.length >= 10 ? 200 : 400));

  app.post('/account/erase/confirm', limited, async (request, reply) => {
    let customerId: string;
    try {
      const { token } = parse(TokenForm, request.body);
      customerId = (await accounts.confirmEmailVerification(request.workspace.id, token, ['erase'])).customerId;
    } catch (error) {
      if (error instanceof FieldErrors) return eraseConfirmPage(request, reply, '', 'EMAIL_LINK_INVALID', 400);
      if (error instanceof AppError && error.status < 500) return eraseConfirmPage(request, reply, '', error.code, error.status);
      throw error;
    }
    return erased(request, reply, customerId);
  });

  // The mailed link: GET only shows a button (mail scanners open links), the POST spends it.
  const verifyPage = (request: FastifyRequest, reply: FastifyReply, token: string, error?: string, status = 200) => {
    const t = pageTranslator(request);
    return send(request, reply, t('customers.account.verifyTitle'), html`<section class="narrow">
      <h1>${t('customers.account.verifyTitle')}</h1>
      ${error ? html`<p class="alert" role="alert">${errorText(t, error)}</p>` : html`<p>${t('customers.account.verifyIntro')}</p>`}
      ${token && !error ? html`<form method="post" action="/account/verify-email" class="stack">${csrf(request)}<input type="hidden" name="token" value="${token}"><button>${t('customers.account.verifyButton')}</button></form>` : ''}
    </section>`, status);
  };

  app.get('/account/verify-email', { config: { html: true }, schema: { hide: true, querystring: z.object({ token: z.string().max(200).catch('') }) } },
    async (request, reply) => verifyPage(request, reply, request.query.token, request.query.token.length >= 10 ? undefined : 'EMAIL_LINK_INVALID', request.query.token.length >= 10 ? 200 : 400));

  app.post('/account/verify-email', limited, async (request, reply) => {
    const t = pageTranslator(request);
    try {
      const { token } = parse(TokenForm, request.body);
      const verified = await accounts.confirmEmailVerification(request.workspace.id, token, ['add', 'register']);
      await customers.confirmEmail(request.workspace.id, verified.customerId, verified.email, verified.makePrimary);
      return send(request, reply, t('customers.account.verifyTitle'), html`<section class="narrow"><h1>${t('customers.account.verifyTitle')}</h1>
        <p class="notice" role="status">${t('customers.account.verifyDone', { email: verified.email })}</p>
        <p><a href="${request.customer ? '/account' : '/account/sign-in'}">${request.customer ? t('customers.account.backToAccount') : t('nav.signIn')}</a></p></section>`);
    } catch (error) {
      if (error instanceof FieldErrors) return verifyPage(request, reply, '', 'EMAIL_LINK_INVALID', 400);
      if (error instanceof AppError && error.status < 500) return verifyPage(request, reply, '', error.code, error.status);
      throw error;
    }
  });
};
