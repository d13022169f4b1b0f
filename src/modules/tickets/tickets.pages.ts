import type { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, csrfInvalid, notFound, validationFailed } from '../../core/errors.js';
import { translator, type Locale, type Translate } from '../../core/i18n/index.js';
import { layout } from '../../core/html/layout.js';
import { html, type SafeHtml } from '../../core/html/html.js';
import { sameSecret } from '../../core/auth/tokens.js';
import type { AccountsService } from '../accounts/index.js';
import { allowedAttachmentExtensions, type AttachmentStore } from '../../core/storage/attachments.js';
import type { DepartmentRow, TicketRow, TicketStatus, Urgency } from './tickets.schema.js';
import type { MessageWithAttachments, StoredFile, TicketsService } from './tickets.service.js';
import type { RoutePlugin } from '../../core/module.js';
import { ticketErrors } from './tickets.errors.js';

/** What the SLA module answers before a ticket exists: when a first answer is due for a new one. */
export interface ExpectedResponseTime {
  expectedFirstResponse(
    workspaceId: string,
    ticket: { urgency: Urgency; departmentId: string | null },
    now: Date,
  ): Promise<{ dueAt: Date; businessMinutes: number } | null>;
}

export interface TicketsPagesOptions {
  /** The platform's request context (who is calling, CSRF), registered in these pages' own scope. */
  requestContext: () => RoutePlugin;
  tickets: TicketsService;
  accounts: AccountsService;
  store: AttachmentStore;
  /** Absent until the SLA module is wired: the form then shows no promise it cannot keep. */
  sla?: ExpectedResponseTime;
  /** The departments customers may pick (the routing module's setting); without it, every department. */
  customerDepartments?: (workspaceId: string) => Promise<{ departmentId: string }[]>;
  now?: () => Date;
  secureCookies: boolean;
  attachmentMaxBytes: number;
  /** Public form posts per address and 15 minutes. */
  contactPostsPer15Min: number;
}

/** Customers do not choose an urgency on the form: every web request starts "normal"; triage reclassifies. */
const WEB_FORM_URGENCY: Urgency = 1;
const MAX_FILES = 10;
const MAX_MESSAGE = 20_000;
const SENT_COOKIE = 'kefu_contact_sent';

/** A multipart form after parsing: its text fields in `request.body`, its files already in the store. */
interface UploadedFiles {
  files: StoredFile[];
  /** The first check that failed (type, size, count, token): the whole post is refused. */
  error?: AppError;
  /** Set once the files belong to a committed message; until then they are removed when the response ends. */
  committed: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    uploads: UploadedFiles | null;
  }
  interface FastifyContextConfig {
    /** The route takes attachments; on any other route an uploaded file is refused. */
    uploads?: boolean;
  }
}

type FieldName = 'name' | 'email' | 'department' | 'subject' | 'message' | 'rating' | 'comment';

/** Why a post was refused: one stable code, and the fields to point at. */
interface Problem {
  code: string;
  status: number;
  fields: FieldName[];
  filename?: string;
}

/** Browsers send a textarea's line breaks as CRLF; messages keep plain LF. */
const lines = (value: unknown) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value);

const Fields = {
  name: z.string().trim().min(1).max(120),
  email: z.string().trim().toLowerCase().email().max(254),
  department: z.string().trim().min(1).max(40),
  subject: z.string().trim().min(1).max(250),
  message: z.preprocess(lines, z.string().trim().min(1).max(MAX_MESSAGE)),
  reply: z.preprocess(lines, z.string().trim().max(MAX_MESSAGE)),
  rating: z.coerce.number().int().min(1).max(5),
  comment: z.preprocess(lines, z.string().trim().max(2000)),
};

/**
 * A troubleshooting tree's "open a repair request" lands here with the product, a subject and the
 * steps taken (plain text, one per line); values too long or malformed are dropped, never an error.
 */
const TroubleshootingPrefill = {
  product: z.string().trim().max(120).optional().catch(undefined),
  subject: z.string().trim().max(250).optional().catch(undefined),
  path: z.preprocess(lines, z.string().trim().max(4000)).optional().catch(undefined),
};

/** The steps travel with the ticket: shown read-only on the form, kept in custom fields and the message. */
function troubleshootingContext(t: Translate, values: { product?: string; path?: string }): SafeHtml | '' {
  if (!values.product && !values.path) return '';
  return html`<div class="expected troubleshooting">
    ${values.product ? html`<p><strong>${t('trees.contact.product')}:</strong> <span class="product">${values.product}</span></p><input type="hidden" name="product" value="${values.product}">` : ''}
    ${values.path ? html`<h2>${t('trees.contact.pathTitle')}</h2><ol class="path">${values.path.split('\n').map((step) => html`<li>${step}</li>`)}</ol><input type="hidden" name="path" value="${values.path}">` : ''}
  </div>`;
}

const withSteps = (t: Translate, message: string, path: string | undefined) =>
  (path ? `${message}\n\n${t('trees.contact.pathInMessage')}\n${path}` : message);

const text = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');

function parseFields<T extends z.ZodRawShape>(shape: T, body: unknown): z.infer<z.ZodObject<T>> | Problem {
  const parsed = z.object(shape).safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0]) as FieldName))];
  return { code: 'VALIDATION_FAILED', status: 400, fields };
}

const isProblem = (value: unknown): value is Problem => typeof value === 'object' && value !== null && 'code' in value && 'fields' in value;

function problemOf(error: unknown): Problem {
  if (error instanceof AppError && error.status < 500) {
    const filename = (error.details as { filename?: unknown } | undefined)?.filename;
    return {
      code: error.code, status: error.status, fields: error.code === 'DEPARTMENT_UNKNOWN' ? ['department'] : [],
      filename: typeof filename === 'string' ? filename : undefined,
    };
  }
  throw error;
}

async function drain(stream: Readable): Promise<void> {
  stream.resume();
  if (!stream.readableEnded && !stream.destroyed) await new Promise<void>((resolve) => { stream.once('end', resolve); stream.once('close', resolve); });
}

// ---- formatting --------------------------------------------------------------------------

function dateTime(locale: Locale, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone });
  } catch {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }); // a workspace with an unknown zone still renders
  }
}

/** "Mon 09:30" within the coming week, "Mar 9, 09:30" beyond it, in the workspace's time zone. */
function dueLabel(due: Date, now: Date, locale: Locale, timeZone: string): string {
  const time = dateTime(locale, timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(due);
  const withinWeek = due.getTime() - now.getTime() < 6 * 24 * 3600 * 1000;
  const day = dateTime(locale, timeZone, withinWeek ? { weekday: 'short' } : { month: 'short', day: 'numeric' }).format(due);
  return `${day} ${time}`;
}

function businessDuration(t: Translate, minutes: number): string {
  if (minutes < 60) return t('contact.duration.minutes', { count: Math.max(1, Math.round(minutes)) });
  return t('contact.duration.hours', { count: Math.round((minutes / 60) * 2) / 2 });
}

function fileSize(bytes: number, locale: Locale): string {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / 1024 / 1024, 'megabyte'] : bytes >= 1024 ? [bytes / 1024, 'kilobyte'] : [bytes, 'byte'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value);
}

/** Statuses a customer may end by saying their problem is solved. */
const SOLVABLE: ReadonlySet<TicketStatus> = new Set(['new', 'open', 'pending', 'on_hold']);

const STATUS_CLASS: Record<TicketStatus, string> = { new: 'new', open: 'open', pending: 'pending', on_hold: 'open', solved: 'solved', closed: 'closed' };

export const ticketsPages = (options: TicketsPagesOptions): FastifyPluginAsyncZod => async (app) => {
  const { tickets, accounts, store, sla } = options;
  const now = options.now ?? (() => new Date());

  /** The departments the contact form offers and takes: those customers may pick. */
  const pickable = async (workspaceId: string) => {
    const departments = await tickets.departments(workspaceId);
    if (!options.customerDepartments) return departments;
    const allowed = new Set((await options.customerDepartments(workspaceId)).map((d) => d.departmentId));
    return departments.filter((d) => allowed.has(d.id));
  };

  // Multipart only here: the JSON API never accepts it. The file size limit is one byte over the
  // store's, so the store (which counts while streaming) is the one that refuses an oversize file.
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: { files: MAX_FILES, fileSize: options.attachmentMaxBytes + 1, fields: 20, fieldSize: 256 * 1024, parts: MAX_FILES + 20, headerPairs: 100 },
  });
  app.decorateRequest('uploads', null);

  /**
   * Reads a multipart form before the CSRF check below needs its `_csrf` field. Files go to the
   * store as they arrive, each checked for type and size, and only after a matching token was
   * read (forms put it first): a forged post writes nothing to disk.
   */
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const uploads: UploadedFiles = { files: [], committed: false };
    request.uploads = uploads;
    const fields = Object.create(null) as Record<string, string[]>; // field names are the sender's: no prototype to reach
    const tokenOk = () => request.authVia === 'token' || sameSecret(fields._csrf?.[0] ?? '', request.csrfToken);
    const refuse = (error: AppError) => { uploads.error ??= error; };
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (part.valueTruncated) refuse(validationFailed('A field is too long', { field: part.fieldname }));
          (fields[part.fieldname] ??= []).push(String(part.value));
          continue;
        }
        if (!part.filename) { await drain(part.file); continue; } // a file input left empty
        if (uploads.error) { await drain(part.file); continue; }
        if (!request.routeOptions.config.uploads) { refuse(validationFailed('This form takes no files')); await drain(part.file); continue; }
        if (!tokenOk()) { refuse(csrfInvalid('The CSRF token must come before any file')); await drain(part.file); continue; }
        try {
          uploads.files.push(await store.save({ filename: part.filename, stream: part.file }));
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          refuse(error);
        }
      }
    } catch (error) {
      // Busboy's own limits (too many files or fields) or a body cut off on the way.
      const code = (error as { code?: string }).code;
      refuse(code === 'FST_FILES_LIMIT'
        ? ticketErrors.attachmentTooMany(`At most ${MAX_FILES} files may be attached`)
        : validationFailed('The form could not be read', undefined, { cause: error }));
    }
    if (uploads.error) await discard(uploads);
    request.body = Object.fromEntries(Object.entries(fields).map(([key, values]) => [key, values.length === 1 ? values[0] : values]));
  });

  // Registered after the hook above, so its CSRF check sees the parsed form.
  await app.register(options.requestContext());

  // Whatever went wrong after the files were stored (bad field, closed ticket, a crash), they go.
  app.addHook('onResponse', async (request) => {
    if (request.uploads && !request.uploads.committed) await discard(request.uploads);
  });

  async function discard(uploads: UploadedFiles): Promise<void> {
    const files = uploads.files;
    uploads.files = [];
    await Promise.all(files.map((file) => store.remove(file.storageKey)));
  }

  // ---- shared rendering ----------------------------------------------------------------------

  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(layout(request, { title, body }));

  const csrfField = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken}">`;

  /** The alert at the top of a refused form; `data-code` carries the stable code for tests and scripts. */
  const alert = (t: Translate, problem: Problem | undefined) => problem
    ? html`<div class="alert" role="alert" data-code="${problem.code}">
        <p>${t(`errors.${problem.code}`, { defaultValue: t('errors.INTERNAL') })}</p>
        ${problem.filename ? html`<p>${t('uploads.file', { filename: problem.filename })}</p>` : ''}
        ${problem.fields.length ? html`<ul>${problem.fields.map((f) => html`<li><a href="#${f}">${t(`fields.${f}`)}</a></li>`)}</ul>` : ''}
      </div>`
    : html``;

  /** Label, control and the field's own error line, tied together for screen readers. */
  const field = (t: Translate, problem: Problem | undefined, name: FieldName, label: string, control: (attrs: SafeHtml) => SafeHtml, hint?: string) => {
    const invalid = problem?.fields.includes(name);
    const described = [hint ? `${name}-hint` : '', invalid ? `${name}-error` : ''].filter(Boolean).join(' ');
    const attrs = html`id="${name}" name="${name}"${invalid ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}`;
    return html`<div class="field">
      <label for="${name}">${label}</label>
      ${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ''}
      ${control(attrs)}
      ${invalid ? html`<p class="field-error" id="${name}-error">${t(`fields.${name}`)}</p>` : ''}
    </div>`;
  };

  const attachmentsField = (request: FastifyRequest, t: Translate) => html`<div class="field">
      <label for="attachments">${t('uploads.label')}</label>
      <p class="hint" id="attachments-hint">${t('uploads.hint', { count: MAX_FILES, size: fileSize(options.attachmentMaxBytes, request.locale) })}</p>
      <input id="attachments" name="attachments" type="file" multiple aria-describedby="attachments-hint" accept="${allowedAttachmentExtensions.map((e) => `.${e}`).join(',')}">
    </div>`;

  const time = (request: FastifyRequest, at: Date) =>
    html`<time datetime="${at.toISOString()}">${dateTime(request.locale, request.workspace.time_zone, { dateStyle: 'medium', timeStyle: 'short' }).format(at)}</time>`;

  const statusBadge = (t: Translate, status: TicketStatus) => html`<span class="status status-${STATUS_CLASS[status]}">${t(`requests.status.${status}`)}</span>`;

  // ---- contact form --------------------------------------------------------------------------

  interface ContactValues { name: string; email: string; department: string; subject: string; message: string; product?: string; path?: string }

  async function expectations(request: FastifyRequest, departments: DepartmentRow[]) {
    const at = now();
    return Promise.all(departments.map(async (department) => {
      const expected = sla ? await sla.expectedFirstResponse(request.workspace.id, { urgency: WEB_FORM_URGENCY, departmentId: department.id }, at) : null;
      return { department, expected, at };
    }));
  }

  /** "We usually answer within 9 business hours (by Tue 12:00)." with the due time as a `<time>`. */
  const expectedLine = (request: FastifyRequest, t: Translate, expected: { dueAt: Date; businessMinutes: number } | null, at: Date) => {
    if (!expected) return html`${t('contact.expectedUnknown')}`;
    const mark = '\u2063'; // never in a catalogue: splits the sentence around the due time
    const [before = '', after = ''] = t('contact.expected', { duration: businessDuration(t, expected.businessMinutes), due: mark }).split(mark);
    return html`${before}<time datetime="${expected.dueAt.toISOString()}">${dueLabel(expected.dueAt, at, request.locale, request.workspace.time_zone)}</time>${after}`;
  };

  async function contactForm(request: FastifyRequest, values: Partial<ContactValues>, problem?: Problem) {
    const t = translator(request.locale);
    const departments = await pickable(request.workspace.id);
    const selected = departments.some((d) => d.key === values.department) ? values.department : departments[0]?.key;
    const expected = await expectations(request, departments);
    const customer = request.customer;
    return html`
      <section class="form-page">
        <h1>${t('contact.title')}</h1>
        <p>${t('contact.intro')}</p>
        ${alert(t, problem)}
        <form method="post" action="/contact" enctype="multipart/form-data" class="stack">
          ${csrfField(request)}
          ${customer
            ? html`<p class="muted">${t('contact.sendingAs', { name: customer.name, email: customer.email })}</p>`
            : html`
              ${field(t, problem, 'name', t('account.name'), (a) => html`<input ${a} type="text" autocomplete="name" maxlength="120" required value="${values.name ?? ''}">`)}
              ${field(t, problem, 'email', t('account.email'), (a) => html`<input ${a} type="email" autocomplete="email" maxlength="254" required value="${values.email ?? ''}">`, t('contact.emailHint'))}`}
          ${field(t, problem, 'department', t('contact.department'), (a) => html`<select ${a} required>
            ${departments.map((d) => html`<option value="${d.key}"${d.key === selected ? html` selected` : ''}>${d.name[request.locale]}</option>`)}
          </select>`)}
          <div class="expected" aria-live="polite">
            <h2 id="expected-title">${t('contact.expectedTitle')}</h2>
            <ul id="expected" aria-labelledby="expected-title">
              ${expected.map(({ department, expected: e, at }) => html`<li data-department="${department.key}"${department.key === selected ? html` class="selected"` : ''}><strong>${t('contact.expectedFor', { department: department.name[request.locale] })}</strong> ${expectedLine(request, t, e, at)}</li>`)}
            </ul>
          </div>
          ${troubleshootingContext(t, values)}
          ${field(t, problem, 'subject', t('contact.subject'), (a) => html`<input ${a} type="text" maxlength="250" required value="${values.subject ?? ''}">`)}
          ${field(t, problem, 'message', t('contact.message'), (a) => html`<textarea ${a} rows="8" maxlength="${MAX_MESSAGE}" required>${values.message ?? ''}</textarea>`)}
          ${attachmentsField(request, t)}
          <button>${t('contact.send')}</button>
        </form>
        ${customer ? '' : html`<p class="muted">${t('contact.signInHint')} <a href="/account/sign-in">${t('nav.signIn')}</a></p>`}
      </section>
      <script src="/assets/contact.js" defer></script>`;
  }

  const page = { config: { html: true }, schema: { hide: true } } as const;

  app.get('/contact', { ...page, schema: { hide: true, querystring: z.object({ department: z.string().max(40).optional().catch(undefined), ...TroubleshootingPrefill }) } }, async (request, reply) => {
    const t = translator(request.locale);
    const { department, product, subject, path } = request.query;
    return send(request, reply, t('contact.title'), await contactForm(request, { department, product, subject, path }));
  });

  app.post('/contact', {
    config: { html: true, uploads: true, rateLimit: { max: options.contactPostsPer15Min, timeWindow: '15 minutes' } },
    schema: { hide: true },
  }, async (request, reply) => {
    const t = translator(request.locale);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const typed: ContactValues = {
      name: text(body.name), email: text(body.email), department: text(body.department), subject: text(body.subject), message: text(body.message),
      ...z.object(TroubleshootingPrefill).pick({ product: true, path: true }).parse({ product: text(body.product) || undefined, path: text(body.path) || undefined }),
    };
    const refuse = async (problem: Problem) => {
      if (request.uploads) await discard(request.uploads);
      return send(request, reply, t('contact.title'), await contactForm(request, typed, problem), problem.status);
    };
    if (request.uploads?.error) return refuse(problemOf(request.uploads.error));

    const sender = request.customer ? { id: request.customer.id } : parseFields({ name: Fields.name, email: Fields.email }, body);
    const form = parseFields({ department: Fields.department, subject: Fields.subject, message: Fields.message }, body);
    if (isProblem(sender) || isProblem(form)) {
      const fields = [...(isProblem(sender) ? sender.fields : []), ...(isProblem(form) ? form.fields : [])];
      return refuse({ code: 'VALIDATION_FAILED', status: 400, fields });
    }
    // Checked before anything is written: tickets.open would create the customer record first.
    const department = (await pickable(request.workspace.id)).find((d) => d.key === form.department);
    if (!department) return refuse({ code: 'DEPARTMENT_UNKNOWN', status: 400, fields: ['department'] });

    const customer = 'id' in sender ? sender : { ...sender, locale: request.locale };
    let ticket: TicketRow;
    try {
      ticket = await tickets.open(request.workspace.id, {
        // Anybody can type an e-mail: only a signed-in customer is known to be its owner (issue 12 #6).
        senderVerified: 'id' in sender,
        subject: form.subject, body: withSteps(t, form.message, typed.path), channel: 'web', customer, departmentKey: department.key,
        urgency: WEB_FORM_URGENCY, attachments: request.uploads?.files ?? [],
        customFields: { ...(typed.product ? { product: typed.product } : {}), ...(typed.path ? { troubleshootingPath: typed.path } : {}) },
      }, { type: 'customer', id: request.customer?.id ?? null });
    } catch (error) {
      return refuse(problemOf(error));
    }
    if (request.uploads) request.uploads.committed = true;

    if (request.customer) return reply.redirect(`/requests/${ticket.number}?sent=1`, 303);
    // An anonymous sender learns the number and nothing else: the request itself needs an account.
    const expected = sla ? await sla.expectedFirstResponse(request.workspace.id, { urgency: WEB_FORM_URGENCY, departmentId: department.id }, now()).catch(() => null) : null;
    const sent = JSON.stringify({ n: ticket.number, d: expected?.dueAt.toISOString() ?? null, m: expected?.businessMinutes ?? null });
    reply.setCookie(SENT_COOKIE, sent, { path: '/contact', httpOnly: true, sameSite: 'lax', secure: options.secureCookies, signed: true, maxAge: 3600 });
    return reply.redirect('/contact/sent', 303);
  });

  const SentCookie = z.object({ n: z.number().int(), d: z.string().datetime().nullable(), m: z.number().nullable() });

  app.get('/contact/sent', page, async (request, reply) => {
    const t = translator(request.locale);
    const raw = request.cookies[SENT_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : undefined;
    let sent: z.infer<typeof SentCookie> | undefined;
    try {
      sent = unsigned?.valid && unsigned.value ? SentCookie.parse(JSON.parse(unsigned.value)) : undefined;
    } catch {
      sent = undefined;
    }
    const expected = sent?.d && sent.m !== null ? { dueAt: new Date(sent.d), businessMinutes: sent.m } : null;
    return send(request, reply, t('contact.sentTitle'), html`
      <section class="narrow">
        <h1>${t('contact.sentTitle')}</h1>
        <p class="notice" role="status">${sent ? t('contact.sentNumber', { number: sent.n }) : t('contact.sentNoNumber')}</p>
        ${sent ? html`<p>${expectedLine(request, t, expected, now())}</p>` : ''}
        <p>${t('contact.sentFollowUp')}</p>
        <p><a href="/account/register">${t('nav.register')}</a> · <a href="/">${t('nav.helpCentre')}</a></p>
      </section>`);
  });

  // ---- my requests ---------------------------------------------------------------------------

  const signInFirst = (reply: FastifyReply) => reply.redirect('/account/sign-in', 303);

  app.get('/requests', { ...page, schema: { hide: true, querystring: z.object({ claimed: z.string().optional(), disowned: z.string().optional() }).catch({}) } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const t = translator(request.locale);
    const all = await tickets.customerTickets(request.workspace.id, request.customer.id);
    const list = all.filter((ticket) => ticket.sender_verification === 'verified');
    const unclaimed = all.filter((ticket) => ticket.sender_verification === 'unverified');
    const notice = request.query.claimed ? t('requests.claimed') : request.query.disowned ? t('requests.disowned') : undefined;
    return send(request, reply, t('nav.myRequests'), html`
      <div class="title-row">
        <h1>${t('nav.myRequests')}</h1>
        <a class="button" href="/contact">${t('requests.new')}</a>
      </div>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
      <p>${t('account.welcome', { name: request.customer.name })}</p>
      ${unclaimed.length ? html`
        <section class="panel" aria-labelledby="unclaimed-title">
          <h2 id="unclaimed-title">${t('requests.unclaimedTitle')}</h2>
          <p class="muted">${t('requests.unclaimedIntro')}</p>
          <ul class="requests">${unclaimed.map((ticket) => html`
            <li class="request">
              <span><span class="number">#${ticket.number}</span> ${ticket.subject}</span>
              <form method="post" action="/requests/${ticket.number}/sender" class="inline">
                ${csrfField(request)}
                <button name="mine" value="yes">${t('requests.mine')}</button>
                <button name="mine" value="no" class="secondary">${t('requests.notMine')}</button>
              </form>
            </li>`)}</ul>
        </section>` : ''}
      ${list.length
        ? html`<ul class="requests">${list.map((ticket) => html`
            <li class="request">
              <a href="/requests/${ticket.number}"><span class="number">#${ticket.number}</span> ${ticket.subject}</a>
              <span class="meta">${statusBadge(t, ticket.status)} <span>${t('requests.updated')} ${time(request, ticket.updated_at)}</span></span>
            </li>`)}</ul>`
        : html`<p class="empty">${t('account.myRequestsEmpty')}</p>`}`);
  });

  const NumberParam = z.object({ number: z.string().max(20) });

  /** The signed-in customer's own ticket by its number; anybody else's, or none, is the same 404. */
  async function ownTicket(request: FastifyRequest, number: string): Promise<TicketRow> {
    const ticket = await filedUnder(request, number);
    if (ticket.sender_verification !== 'verified') throw notFound('ticket');
    return ticket;
  }

  /** The ticket by its number when it is filed under the signed-in customer, whether or not it is theirs yet. */
  async function filedUnder(request: FastifyRequest, number: string): Promise<TicketRow> {
    const ticket = /^[1-9]\d{0,9}$/.test(number) ? await tickets.findTicketByNumber(request.workspace.id, Number(number)) : undefined;
    if (!ticket || ticket.customer_id !== request.customer?.id) throw notFound('ticket');
    return ticket;
  }

  // The account holder answers for a request sent with their e-mail while not signed in (issue 12 #6).
  app.post('/requests/:number/sender', { ...page, schema: { hide: true, params: NumberParam } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const mine = text(((request.body ?? {}) as Record<string, unknown>).mine);
    if (mine !== 'yes' && mine !== 'no') throw validationFailed('The request is not valid', [{ path: 'body.mine', message: 'must be yes or no' }]);
    const ticket = await filedUnder(request, request.params.number);
    await tickets.claimSender(request.workspace.id, request.customer.id, ticket.id, mine === 'yes');
    return reply.redirect(mine === 'yes' ? `/requests/${ticket.number}?claimed=1` : '/requests?disowned=1', 303);
  });

  async function requestPage(request: FastifyRequest, ticket: TicketRow, state: { problem?: Problem; reply?: string; rating?: string; comment?: string; notice?: string } = {}) {
    const t = translator(request.locale);
    const workspaceId = request.workspace.id;
    const thread = await tickets.thread(workspaceId, ticket.id, { includeNotes: false });
    const department = ticket.department_id ? (await tickets.departments(workspaceId)).find((d) => d.id === ticket.department_id) : undefined;
    const agentNames = new Map<string, string>();
    for (const id of new Set(thread.filter((m) => m.author_type === 'agent' && m.author_id).map((m) => m.author_id!))) {
      agentNames.set(id, (await accounts.findAgent(workspaceId, id))?.name ?? '');
    }
    const team = request.workspace.name[request.locale];
    const author = (m: MessageWithAttachments) => m.author_type === 'customer' ? t('requests.you')
      : m.author_type === 'agent' && agentNames.get(m.author_id ?? '') ? `${agentNames.get(m.author_id!)} · ${team}` : team;
    const mergedInto = ticket.merged_into_id ? await tickets.findTicket(workspaceId, ticket.merged_into_id) : undefined;
    const rated = ticket.csat_rating !== null && ticket.csat_at !== null;
    const canRate = (ticket.status === 'solved' || ticket.status === 'closed') && !ticket.merged_into_id;
    const ratingValue = state.rating ?? (rated ? String(ticket.csat_rating) : '');
    const problem = state.problem;

    return html`
      <p class="crumbs"><a href="/requests">${t('nav.myRequests')}</a></p>
      <div class="title-row">
        <h1><span class="number">#${ticket.number}</span> ${ticket.subject}</h1>
        ${statusBadge(t, ticket.status)}
      </div>
      <p class="meta">${t('requests.opened')} ${time(request, ticket.created_at)}${department ? html` · ${t('requests.department', { department: department.name[request.locale] })}` : ''}</p>
      ${state.notice ? html`<p class="notice" role="status">${state.notice}</p>` : ''}
      ${mergedInto && mergedInto.customer_id === ticket.customer_id
        ? html`<p class="notice">${t('requests.mergedInto', { number: mergedInto.number })} <a href="/requests/${mergedInto.number}">#${mergedInto.number}</a></p>` : ''}
      ${alert(t, problem)}
      <section aria-labelledby="conversation">
        <h2 id="conversation" class="sr-only">${t('requests.conversation')}</h2>
        <ol class="thread">
          ${thread.map((m, i) => html`
            <li class="message ${m.author_type === 'customer' ? 'from-customer' : 'from-team'}" id="${i === thread.length - 1 ? 'latest' : `m${i + 1}`}">
              <p class="meta"><strong>${author(m)}</strong> · ${time(request, m.created_at)}</p>
              <div class="body">${m.body_text}</div>
              ${m.attachments.length ? html`<ul class="files" aria-label="${t('uploads.attachments')}">${m.attachments.map((a) => html`
                <li><a href="/requests/${ticket.number}/attachments/${a.id}" download>${a.filename}</a> <span class="muted">(${fileSize(a.size_bytes, request.locale)})</span></li>`)}</ul>` : ''}
            </li>`)}
        </ol>
      </section>
      ${canRate ? html`
        <section class="panel" id="rating" aria-labelledby="rating-title">
          <h2 id="rating-title">${t('requests.rating.title')}</h2>
          ${rated ? html`<p class="notice">${t('requests.rating.given', { label: t(`requests.rating.${ticket.csat_rating}`), rating: ticket.csat_rating })}</p>
            ${ticket.csat_comment ? html`<blockquote class="body">${ticket.csat_comment}</blockquote>` : ''}` : ''}
          <form method="post" action="/requests/${ticket.number}/rate" class="stack">
            ${csrfField(request)}
            <fieldset class="rating"${problem?.fields.includes('rating') ? html` aria-invalid="true" aria-describedby="rating-error"` : ''}>
              <legend>${rated ? t('requests.rating.change') : t('requests.rating.legend')}</legend>
              ${[1, 2, 3, 4, 5].map((n) => html`<label><input type="radio" name="rating" value="${n}" required${String(n) === ratingValue ? html` checked` : ''}${n === 1 ? html` id="rating-1"` : ''}> ${n} · ${t(`requests.rating.${n}`)}</label>`)}
            </fieldset>
            ${problem?.fields.includes('rating') ? html`<p class="field-error" id="rating-error">${t('fields.rating')}</p>` : ''}
            ${field(t, problem, 'comment', t('requests.rating.comment'), (a) => html`<textarea ${a} rows="3" maxlength="2000">${state.comment ?? (rated ? ticket.csat_comment ?? '' : '')}</textarea>`)}
            <button>${t('requests.rating.send')}</button>
          </form>
        </section>` : ''}
      ${SOLVABLE.has(ticket.status) && !ticket.merged_into_id ? html`
        <form method="post" action="/requests/${ticket.number}/solve" class="panel solve">
          ${csrfField(request)}
          <p class="muted">${t('requests.solveIntro')}</p>
          <button class="secondary">${t('requests.solve')}</button>
        </form>` : ''}
      ${ticket.status === 'closed'
        ? html`<p class="panel">${t('requests.closed')} <a href="/contact">${t('requests.new')}</a></p>`
        : html`
        <section class="panel" aria-labelledby="reply-title">
          <h2 id="reply-title">${t('requests.replyTitle')}</h2>
          ${ticket.status === 'solved' ? html`<p class="muted">${t('requests.replyReopens')}</p>` : ''}
          <form method="post" action="/requests/${ticket.number}/reply" enctype="multipart/form-data" class="stack">
            ${csrfField(request)}
            ${field(t, problem, 'message', t('requests.reply'), (a) => html`<textarea ${a} rows="6" maxlength="${MAX_MESSAGE}">${state.reply ?? ''}</textarea>`)}
            ${attachmentsField(request, t)}
            <button>${t('requests.sendReply')}</button>
          </form>
        </section>`}`;
  }

  app.get('/requests/:number', { ...page, schema: { hide: true, params: NumberParam, querystring: z.object({ sent: z.string().optional(), replied: z.string().optional(), rated: z.string().optional(), solved: z.string().optional() }).catch({}) } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const t = translator(request.locale);
    // The link in our mails about a request they have not answered for yet leads to the question.
    const ticket = await filedUnder(request, request.params.number);
    if (ticket.sender_verification === 'unverified') return reply.redirect('/requests#unclaimed-title', 303);
    if (ticket.sender_verification !== 'verified') throw notFound('ticket');
    const q = request.query;
    const notice = q.sent ? t('requests.sent') : q.replied ? t('requests.replied') : q.rated ? t('requests.rating.thanks') : q.solved ? t('requests.solved') : undefined;
    return send(request, reply, `#${ticket.number} ${ticket.subject}`, await requestPage(request, ticket, { notice }));
  });

  app.post('/requests/:number/reply', { config: { html: true, uploads: true }, schema: { hide: true, params: NumberParam } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const ticket = await ownTicket(request, request.params.number);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const typed = text(body.message);
    const refuse = async (problem: Problem) => {
      if (request.uploads) await discard(request.uploads);
      const current = await tickets.ticket(request.workspace.id, ticket.id);
      return send(request, reply, `#${ticket.number} ${ticket.subject}`, await requestPage(request, current, { problem, reply: typed }), problem.status);
    };
    if (request.uploads?.error) return refuse(problemOf(request.uploads.error));
    const form = parseFields({ message: Fields.reply }, body);
    if (isProblem(form)) return refuse(form);
    const files = request.uploads?.files ?? [];
    if (!form.message && !files.length) return refuse({ code: 'VALIDATION_FAILED', status: 400, fields: ['message'] });
    try {
      await tickets.addMessage(request.workspace.id, ticket.id, { kind: 'reply', body: form.message, channel: 'web', attachments: files }, { type: 'customer', id: request.customer.id });
    } catch (error) {
      return refuse(problemOf(error));
    }
    if (request.uploads) request.uploads.committed = true;
    return reply.redirect(`/requests/${ticket.number}?replied=1#latest`, 303);
  });

  app.get('/requests/:number/attachments/:id', { ...page, schema: { hide: true, params: z.object({ number: z.string().max(20), id: z.string().max(40) }) } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const ticket = await ownTicket(request, request.params.number);
    // Only files of the customer's own ticket, and never one attached to an internal note.
    const thread = await tickets.thread(request.workspace.id, ticket.id, { includeNotes: false });
    const attachment = thread.flatMap((m) => m.attachments).find((a) => a.id === request.params.id);
    if (!attachment) throw notFound('attachment');
    return store.send(reply, attachment);
  });

  // The link in the satisfaction mail: straight to the rating form of the request.
  app.get('/requests/:number/rate', { ...page, schema: { hide: true, params: NumberParam } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const ticket = await ownTicket(request, request.params.number);
    return reply.redirect(`/requests/${ticket.number}#rating`, 303);
  });

  /** The customer says their problem is solved: the ticket is solved as if an agent had set it, and can be rated. */
  app.post('/requests/:number/solve', { ...page, schema: { hide: true, params: NumberParam } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const ticket = await ownTicket(request, request.params.number);
    if (ticket.status === 'closed' || ticket.merged_into_id) {
      return send(request, reply, `#${ticket.number} ${ticket.subject}`, await requestPage(request, ticket, { problem: problemOf(ticketErrors.ticketClosed('A closed or merged request cannot be marked solved')) }), 409);
    }
    if (SOLVABLE.has(ticket.status)) await tickets.update(request.workspace.id, ticket.id, { status: 'solved' }, { type: 'customer', id: request.customer.id });
    return reply.redirect(`/requests/${ticket.number}?solved=1#rating`, 303);
  });

  app.post('/requests/:number/rate', { ...page, schema: { hide: true, params: NumberParam } }, async (request, reply) => {
    if (!request.customer) return signInFirst(reply);
    const ticket = await ownTicket(request, request.params.number);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const typed = { rating: text(body.rating), comment: text(body.comment) };
    const refuse = async (problem: Problem) =>
      send(request, reply, `#${ticket.number} ${ticket.subject}`, await requestPage(request, ticket, { problem, ...typed }), problem.status);
    const form = parseFields({ rating: Fields.rating, comment: Fields.comment }, { rating: body.rating, comment: typed.comment });
    if (isProblem(form)) return refuse(form);
    try {
      await tickets.rate(request.workspace.id, request.customer.id, ticket.id, form.rating, form.comment || null);
    } catch (error) {
      return refuse(problemOf(error));
    }
    return reply.redirect(`/requests/${ticket.number}?rated=1#rating`, 303);
  });
};
