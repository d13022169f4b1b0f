import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
let dataDir: string;
let auth: { authorization: string };
const MAX_BYTES = 2048;

beforeAll(async () => {
  t = await createTestApp({ KEFU_ATTACHMENT_MAX_BYTES: String(MAX_BYTES) });
  dataDir = t.config.dataDir;
  const token = await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'tests', { type: 'system', id: null });
  auth = { authorization: `Bearer ${token.token}` };
});
afterAll(async () => { await t.close(); });

// ---- a small browser: cookies, the CSRF field, urlencoded and multipart posts ------------------

type Jar = Record<string, string>;
type Lang = 'en' | 'zh-CN';
const cookieHeader = (jar: Jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
const keep = (jar: Jar, res: { cookies: { name: string; value: string }[] }) => { for (const c of res.cookies) jar[c.name] = c.value; };
const csrfFrom = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
const errorCode = (body: string) => /data-code="([A-Z_]+)"/.exec(body)?.[1];

interface Browser { jar: Jar; csrf: string; lang: Lang }

async function get(browser: Browser, url: string) {
  const res = await t.app.http.inject({ url, headers: { cookie: cookieHeader(browser.jar), 'accept-language': browser.lang, accept: 'text/html' } });
  keep(browser.jar, res);
  const csrf = csrfFrom(res.body);
  if (csrf) browser.csrf = csrf;
  return res;
}

/** A visitor who has loaded a page (so holds the CSRF cookie); signed in as `customerId` if given. */
async function visitor(options: { customerId?: string; lang?: Lang } = {}): Promise<Browser> {
  const browser: Browser = { jar: {}, csrf: '', lang: options.lang ?? 'en' };
  if (options.customerId) {
    const session = await t.services.accounts.openSession(t.workspace.id, 'customer', options.customerId);
    browser.jar.kefu_customer = t.app.http.signCookie(session);
  }
  await get(browser, '/contact');
  return browser;
}

interface Upload { filename: string; content: string | Buffer }

/** The form as a browser encodes it: fields in DOM order (the CSRF token first, unless a test moves it), then the files. */
async function multipart(fields: [string, string][], files: Upload[], trailing: [string, string][] = []) {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  for (const file of files) form.append('attachments', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.filename);
  for (const [name, value] of trailing) form.append(name, value);
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

async function postMultipart(browser: Browser, url: string, fields: Record<string, string>, files: Upload[] = [], options: { csrf?: 'first' | 'last' | 'none' } = {}) {
  const csrf = options.csrf ?? 'first';
  const token: [string, string][] = [['_csrf', browser.csrf]];
  const body = await multipart([...(csrf === 'first' ? token : []), ...Object.entries(fields)], files, csrf === 'last' ? token : []);
  const res = await t.app.http.inject({
    method: 'POST', url, payload: body.payload,
    headers: { cookie: cookieHeader(browser.jar), 'content-type': body.contentType, 'accept-language': browser.lang, accept: 'text/html' },
  });
  keep(browser.jar, res);
  return res;
}

async function postForm(browser: Browser, url: string, fields: Record<string, string>) {
  const res = await t.app.http.inject({
    method: 'POST', url, payload: new URLSearchParams({ _csrf: browser.csrf, ...fields }).toString(),
    headers: { cookie: cookieHeader(browser.jar), 'content-type': 'application/x-www-form-urlencoded', 'accept-language': browser.lang, accept: 'text/html' },
  });
  keep(browser.jar, res);
  return res;
}

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers: auth, payload });

// ---- what is stored ----------------------------------------------------------------------------

async function filesOnDisk(): Promise<number> {
  const root = path.join(dataDir, 'attachments');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

async function stored() {
  const db = t.database.db;
  const count = async (table: 'tickets' | 'ticket_messages' | 'ticket_attachments' | 'customers') =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { tickets: await count('tickets'), messages: await count('ticket_messages'), attachments: await count('ticket_attachments'), customers: await count('customers'), files: await filesOnDisk() };
}

async function customer(email: string, locale: Lang = 'en') {
  return t.services.accounts.registerCustomer(t.workspace.id, { email, name: `Customer ${email.split('@')[0]}`, password: 'a-long-password', locale });
}

async function openFor(customerId: string, subject: string, body = 'The first message') {
  return t.services.tickets.open(t.workspace.id, { subject, body, channel: 'web', customer: { id: customerId }, departmentKey: 'service' }, { type: 'customer', id: customerId });
}

const validContact = { name: 'Wang Fang', email: 'wang.fang@example.com', department: 'sales', subject: 'Quote for 20 printers', message: 'Please send a quote.' };

describe('contact form', () => {
  it('shows the departments, the expected answer time for each, and a file field, in the visitor\'s language', async () => {
    const browser = await visitor();
    const res = await get(browser, '/contact?department=finance');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('enctype="multipart/form-data"');
    expect(res.body).toContain('<label for="email">');
    expect(res.body).toContain('<option value="finance" selected>Finance</option>');
    expect(res.body).toMatch(/<h2 id="expected-title">When you can expect an answer<\/h2>/);
    // One line per department, whatever the SLA says for it.
    for (const key of ['service', 'sales', 'pr', 'hr', 'finance']) expect(res.body).toContain(`data-department="${key}"`);
    // From the SLA policy for a normal request and the business hours, e.g. "within 9 business hours (by Tue 09:00)".
    expect(res.body).toMatch(/<li data-department="finance" class="selected"><strong>Finance:<\/strong> We usually answer within \d+(\.5)? business hours? \(by <time datetime="[^"]+">[^<]+ \d\d:\d\d<\/time>\)\.<\/li>/);
    expect(res.body).toContain('type="file" multiple');

    const zh = await get(await visitor({ lang: 'zh-CN' }), '/contact');
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain('联系我们');
    expect(zh.body).toContain('>客户服务</option>');
    expect(zh.body).toContain('预计答复时间');
    expect(zh.body).toMatch(/<strong>客户服务：<\/strong> 我们通常在 \d+(\.5)? 个工作小时内答复（<time datetime="[^"]+">[^<]+<\/time>前）。/);
  });

  it('offers and takes only the departments customers may pick (Settings → Departments)', async () => {
    const hr = (await t.services.tickets.departments(t.workspace.id)).find((d) => d.key === 'hr')!;
    await t.services.routing.updateDepartment(t.workspace.id, hr.id, { customerSelectable: false }, { type: 'system', id: null });
    try {
      const browser = await visitor();
      const form = await get(browser, '/contact');
      expect(form.body).not.toContain('<option value="hr"');
      expect(form.body).not.toContain('data-department="hr"');
      expect(form.body).toContain('<option value="service"');
      const before = await stored();
      const refused = await postForm(browser, '/contact', { ...validContact, department: 'hr' });
      expect(refused.statusCode).toBe(400);
      expect(errorCode(refused.body)).toBe('DEPARTMENT_UNKNOWN');
      expect(await stored()).toEqual(before);
    } finally {
      await t.services.routing.updateDepartment(t.workspace.id, hr.id, { customerSelectable: true }, { type: 'system', id: null });
    }
  });

  it('takes an anonymous request with attachments: ticket, message and files stored, the number confirmed', async () => {
    const browser = await visitor();
    const before = await stored();
    const res = await postMultipart(browser, '/contact', validContact, [
      { filename: 'photo.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) },
      { filename: 'error-log.txt', content: 'paper jam at tray 2' },
    ]);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/contact/sent');
    const after = await stored();
    expect(after).toEqual({ ...before, tickets: before.tickets + 1, messages: before.messages + 1, attachments: before.attachments + 2, customers: before.customers + 1, files: before.files + 2 });

    const ticket = await t.database.db.selectFrom('tickets').selectAll().orderBy('number', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ subject: 'Quote for 20 printers', channel: 'web', urgency: 1, status: 'new' });
    const confirmation = await get(browser, '/contact/sent');
    expect(confirmation.statusCode).toBe(200);
    expect(confirmation.body).toContain(`#${ticket.number}`);
    expect(confirmation.body).not.toContain('Quote for 20 printers');
    expect(confirmation.body).toMatch(/We usually answer within \d+(\.5)? business hours? \(by <time/);

    // The sender's customer record holds the ticket; the agent API serves the file as sent.
    const owner = await t.services.accounts.customer(t.workspace.id, ticket.customer_id);
    expect(owner).toMatchObject({ email: 'wang.fang@example.com', name: 'Wang Fang', locale: 'en' });
    const messages = (await api('GET', `/tickets/${ticket.id}/messages`)).json().messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ bodyText: 'Please send a quote.', authorType: 'customer', channel: 'web' });
    const log = messages[0].attachments.find((a: { filename: string }) => a.filename === 'error-log.txt');
    const download = await t.app.http.inject({ url: log.url, headers: auth });
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('paper jam at tray 2');

    // The anonymous visitor cannot open the request. Anybody can type an e-mail (issue 12 #6): the
    // account holder, signed in, finds it apart, says it was them, and then opens it and its file.
    const peek = await get(browser, `/requests/${ticket.number}`);
    expect(peek.statusCode).toBe(303);
    expect(peek.headers.location).toBe('/account/sign-in');
    expect((await api('GET', `/tickets/${ticket.id}`)).json()).toMatchObject({ senderVerification: 'unverified' });
    const ownerBrowser = await visitor({ customerId: owner.id });
    // Our mails link to the request: it leads to the question.
    const early = await get(ownerBrowser, `/requests/${ticket.number}`);
    expect([early.statusCode, early.headers.location]).toEqual([303, '/requests#unclaimed-title']);
    const list = await get(ownerBrowser, '/requests');
    expect(list.body).toContain('Sent with your e-mail without signing in');
    expect(list.body).not.toContain(`href="/requests/${ticket.number}"`);
    const claimed = await postForm(ownerBrowser, `/requests/${ticket.number}/sender`, { mine: 'yes' });
    expect(claimed.statusCode).toBe(303);
    expect(claimed.headers.location).toBe(`/requests/${ticket.number}?claimed=1`);
    expect((await api('GET', `/tickets/${ticket.id}`)).json()).toMatchObject({ senderVerification: 'verified' });
    const page = await get(ownerBrowser, `/requests/${ticket.number}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Please send a quote.');
    const link = new RegExp(`href="(/requests/${ticket.number}/attachments/[0-9a-f-]+)" download>error-log.txt`).exec(page.body)?.[1];
    expect(link).toBeTruthy();
    const file = await get(ownerBrowser, link!);
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('paper jam at tray 2');
    expect(file.headers['content-disposition']).toContain('attachment');
  });

  it('keeps a post made with a registered customer\'s e-mail without signing in out of their requests; "Not me" keeps it out for good (issue 12 #6)', async () => {
    const victim = await customer('li.na@example.com');
    const attacker = await visitor();
    const posted = await postForm(attacker, '/contact', { name: 'Li Na', email: 'li.na@example.com', department: 'service', subject: 'Send my order to a new address', message: 'Ship it to 1 Fake Road.' });
    expect(posted.statusCode).toBe(303);
    const forged = await t.database.db.selectFrom('tickets').selectAll().orderBy('number', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(forged).toMatchObject({ customer_id: victim.id, sender_verification: 'unverified' });

    const own = await visitor({ customerId: victim.id });
    const list = await get(own, '/requests');
    expect(list.body).toContain('Send my order to a new address');
    expect(list.body).not.toContain(`href="/requests/${forged.number}"`);
    expect((await get(own, `/requests/${forged.number}/rate`)).statusCode).toBe(404);
    expect((await get(own, `/requests/${forged.number}/attachments/${forged.id}`)).statusCode).toBe(404);
    expect((await postForm(own, `/requests/${forged.number}/reply`, { message: 'Is this mine?' })).statusCode).toBe(404);

    // Bad answers and other customers change nothing.
    expect((await postForm(own, `/requests/${forged.number}/sender`, { mine: 'maybe' })).statusCode).toBe(400);
    const stranger = await visitor({ customerId: (await customer('stranger@example.com')).id });
    expect((await postForm(stranger, `/requests/${forged.number}/sender`, { mine: 'yes' })).statusCode).toBe(404);
    expect((await api('GET', `/tickets/${forged.id}`)).json()).toMatchObject({ senderVerification: 'unverified' });

    const disowned = await postForm(own, `/requests/${forged.number}/sender`, { mine: 'no' });
    expect(disowned.statusCode).toBe(303);
    expect(disowned.headers.location).toBe('/requests?disowned=1');
    expect((await get(own, '/requests')).body).not.toContain('Send my order to a new address');
    expect((await api('GET', `/tickets/${forged.id}`)).json()).toMatchObject({ senderVerification: 'disputed' });
    const activity = (await api('GET', `/tickets/${forged.id}/activity`)).json();
    expect(JSON.stringify(activity)).toContain('ticket.sender_disputed');
    // Answered once: it cannot be claimed afterwards.
    expect((await postForm(own, `/requests/${forged.number}/sender`, { mine: 'yes' })).statusCode).toBe(404);
    expect((await get(own, `/requests/${forged.number}`)).statusCode).toBe(404);
  });

  it('sends a signed-in customer to the new request; name and e-mail come from the account', async () => {
    const me = await customer('signed.in@example.com', 'zh-CN');
    const browser = await visitor({ customerId: me.id, lang: 'zh-CN' });
    const form = await get(browser, '/contact');
    expect(form.body).not.toContain('id="email"');
    expect(form.body).toContain('signed.in@example.com');
    const res = await postMultipart(browser, '/contact', { department: 'service', subject: '打印机卡纸', message: '每页都卡纸。' });
    expect(res.statusCode, res.body).toBe(303);
    const number = Number(/^\/requests\/(\d+)\?sent=1$/.exec(res.headers.location as string)?.[1]);
    const page = await get(browser, res.headers.location as string);
    expect(page.body).toContain('您的请求已提交');
    expect(page.body).toContain('每页都卡纸。');
    const ticket = await t.services.tickets.ticketByNumber(t.workspace.id, number);
    expect(ticket.customer_id).toBe(me.id);
  });

  it.each([
    ['an unknown department', { department: 'marketing' }, 'DEPARTMENT_UNKNOWN', 'department'],
    ['a missing subject', { subject: '   ' }, 'VALIDATION_FAILED', 'subject'],
    ['a bad e-mail', { email: 'not-an-address' }, 'VALIDATION_FAILED', 'email'],
    ['a missing name', { name: '' }, 'VALIDATION_FAILED', 'name'],
    ['a subject too long', { subject: 'x'.repeat(251) }, 'VALIDATION_FAILED', 'subject'],
    ['a message too long', { message: 'x'.repeat(20_001) }, 'VALIDATION_FAILED', 'message'],
  ])('refuses %s, keeps what was typed and stores nothing, not even the attached file', async (_case, change, code, fieldName) => {
    const browser = await visitor();
    const before = await stored();
    const res = await postMultipart(browser, '/contact', { ...validContact, ...change }, [{ filename: 'ok.txt', content: 'fine' }]);
    expect(res.statusCode).toBe(400);
    expect(errorCode(res.body)).toBe(code);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toMatch(new RegExp(`id="${fieldName}" name="${fieldName}" aria-invalid="true"`));
    if (fieldName !== 'subject') expect(res.body).toContain('value="Quote for 20 printers"');
    if (fieldName !== 'message') expect(res.body).toContain('>Please send a quote.</textarea>');
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['a file over the size limit', [{ filename: 'small.txt', content: 'fine' }, { filename: 'big.pdf', content: Buffer.alloc(MAX_BYTES + 1, 1) }], 'ATTACHMENT_TOO_LARGE', 413],
    ['an executable', [{ filename: 'small.txt', content: 'fine' }, { filename: 'setup.exe', content: 'MZ' }], 'ATTACHMENT_TYPE_FORBIDDEN', 415],
    ['an HTML file', [{ filename: 'page.html', content: '<script>alert(1)</script>' }], 'ATTACHMENT_TYPE_FORBIDDEN', 415],
    ['too many files', Array.from({ length: 11 }, (_, i) => ({ filename: `f${i}.txt`, content: 'x' })), 'ATTACHMENT_TOO_MANY', 413],
  ])('refuses %s with a clear error: no ticket, no message, no file left on disk', async (_case, files, code, status) => {
    const browser = await visitor();
    const before = await stored();
    const res = await postMultipart(browser, '/contact', validContact, files);
    expect(res.statusCode).toBe(status);
    expect(errorCode(res.body)).toBe(code);
    expect(res.body).toContain('value="Quote for 20 printers"');
    expect(await stored()).toEqual(before);
  });

  it('refuses a post without the CSRF token, or with it only after the files, writing nothing', async () => {
    const browser = await visitor();
    const before = await stored();
    const missing = await postMultipart(browser, '/contact', validContact, [{ filename: 'a.txt', content: 'a' }], { csrf: 'none' });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('Your form expired');
    const late = await postMultipart(browser, '/contact', validContact, [{ filename: 'a.txt', content: 'a' }], { csrf: 'last' });
    expect(late.statusCode).toBe(403);
    expect(errorCode(late.body)).toBe('CSRF_INVALID');
    const urlencoded = await t.app.http.inject({
      method: 'POST', url: '/contact', payload: new URLSearchParams(validContact).toString(),
      headers: { cookie: cookieHeader(browser.jar), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(urlencoded.statusCode).toBe(403);
    expect(await stored()).toEqual(before);
  });

  it('also accepts a plain urlencoded post (no files)', async () => {
    const browser = await visitor();
    const res = await postForm(browser, '/contact', { ...validContact, email: 'plain@example.com' });
    expect(res.statusCode).toBe(303);
  });
});

describe('my requests', () => {
  it('lists only the customer\'s own requests, newest activity first, with localized status', async () => {
    const me = await customer('lister@example.com');
    const other = await customer('someone.else@example.com');
    const older = await openFor(me.id, 'My older request');
    await openFor(me.id, 'My newer request');
    await openFor(other.id, 'Not yours at all');
    await t.services.tickets.addMessage(t.workspace.id, older.id, { kind: 'reply', body: 'We are on it' }, { type: 'agent', id: t.workspace.admin.id });
    const browser = await visitor({ customerId: me.id });
    const res = await get(browser, '/requests');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Welcome, Customer lister');
    expect(res.body).not.toContain('Not yours at all');
    expect(res.body.indexOf('My older request')).toBeLessThan(res.body.indexOf('My newer request'));
    expect(res.body).toContain(`href="/requests/${older.number}"`);
    expect(res.body).toContain('Waiting for your reply');
    expect(res.body).toContain('Received');
  });

  it('answers 404 for another customer\'s request, its files, another workspace\'s numbers and nonsense', async () => {
    const me = await customer('nosy@example.com');
    const other = await customer('private@example.com');
    const theirs = await openFor(other.id, 'Private matter of someone');
    const { Readable } = await import('node:stream');
    const file = await t.services.attachments.save({ filename: 'private.txt', stream: Readable.from([Buffer.from('private content')]) });
    const withFile = await t.services.tickets.addMessage(t.workspace.id, theirs.id, { kind: 'reply', body: 'see file', attachments: [file] }, { type: 'customer', id: other.id });
    const mine = await openFor(me.id, 'Mine');

    const beta = await t.addWorkspace(`beta${Date.now()}`);
    const betaCustomer = await t.services.accounts.registerCustomer(beta.id, { email: 'nosy@example.com', name: 'Beta twin', password: 'a-long-password', locale: 'en' });
    let betaNumber = 0;
    for (let i = 0; i <= mine.number + 2; i++) {
      betaNumber = (await t.services.tickets.open(beta.id, { subject: 'Beta secret subject', body: 'Beta secret body', channel: 'web', customer: { id: betaCustomer.id } }, { type: 'system', id: null })).number;
    }

    const browser = await visitor({ customerId: me.id });
    for (const url of [
      `/requests/${theirs.number}`, `/requests/${betaNumber}`, '/requests/999999', '/requests/abc', '/requests/0',
      `/requests/${theirs.number}/attachments/${withFile.attachments[0]!.id}`,
      `/requests/${mine.number}/attachments/${withFile.attachments[0]!.id}`,
      `/requests/${mine.number}/attachments/not-a-uuid`,
    ]) {
      const res = await get(browser, url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('text/html');
      for (const secret of ['Private matter', 'private content', 'Beta secret', 'see file']) expect(res.body, url).not.toContain(secret);
    }
    const reply = await postMultipart(browser, `/requests/${theirs.number}/reply`, { message: 'hijack' });
    expect(reply.statusCode).toBe(404);
    const rate = await postForm(browser, `/requests/${theirs.number}/rate`, { rating: '1' });
    expect(rate.statusCode).toBe(404);
    const thread = await t.services.tickets.thread(t.workspace.id, theirs.id, { includeNotes: true });
    expect(thread.map((m) => m.body_text)).toEqual(['The first message', 'see file']);
  });

  it('never shows internal notes or their files, and renders message text inert', async () => {
    const me = await customer('reader@example.com');
    const browser = await visitor({ customerId: me.id });
    const res = await postMultipart(browser, '/contact', {
      department: 'service', subject: '<b>Bold</b> subject', message: '<script>alert(1)</script>\n<img src=x onerror=alert(2)>\nsecond line',
    });
    expect(res.statusCode).toBe(303);
    const number = Number(/\/requests\/(\d+)/.exec(res.headers.location as string)?.[1]);
    const ticket = await t.services.tickets.ticketByNumber(t.workspace.id, number);
    const note = await api('POST', `/tickets/${ticket.id}/messages`, { kind: 'note', body: 'Internal: customer is difficult' });
    expect(note.statusCode).toBe(201);
    const { Readable } = await import('node:stream');
    const secretFile = await t.services.attachments.save({ filename: 'internal.txt', stream: Readable.from([Buffer.from('internal only')]) });
    const noteWithFile = await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'note', body: 'Internal file', attachments: [secretFile] }, { type: 'agent', id: t.workspace.admin.id });
    await api('POST', `/tickets/${ticket.id}/messages`, { kind: 'reply', body: 'Public answer <i>here</i>', bodyHtml: '<p>Public answer <i>here</i></p>' });

    const page = await get(browser, `/requests/${number}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Internal');
    expect(page.body).not.toContain('internal.txt');
    expect(page.body).toContain('Public answer &lt;i&gt;here&lt;/i&gt;');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;img src=x onerror=alert(2)&gt;\nsecond line');
    expect(page.body).toContain('&lt;b&gt;Bold&lt;/b&gt; subject');
    expect(page.body).not.toMatch(/<script>alert|<img src=x|<b>Bold/);
    const download = await get(browser, `/requests/${number}/attachments/${noteWithFile.attachments[0]!.id}`);
    expect(download.statusCode).toBe(404);
  });

  it('takes a reply with a file, which reopens a ticket pending the customer', async () => {
    const me = await customer('replier@example.com');
    const ticket = await openFor(me.id, 'Needs a reply');
    await api('POST', `/tickets/${ticket.id}/messages`, { kind: 'reply', body: 'Which model is it?' });
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).status).toBe('pending');
    const browser = await visitor({ customerId: me.id });
    const page = await get(browser, `/requests/${ticket.number}`);
    expect(page.body).toContain('Which model is it?');
    expect(page.body).toContain(`action="/requests/${ticket.number}/reply" enctype="multipart/form-data"`);

    const res = await postMultipart(browser, `/requests/${ticket.number}/reply`, { message: 'It is a P200.' }, [{ filename: 'label.jpg', content: 'jpeg bytes' }]);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`/requests/${ticket.number}?replied=1#latest`);
    const after = await t.services.tickets.ticket(t.workspace.id, ticket.id);
    expect(after.status).toBe('open');
    const thread = await t.services.tickets.thread(t.workspace.id, ticket.id, { includeNotes: true });
    expect(thread.at(-1)).toMatchObject({ body_text: 'It is a P200.', author_type: 'customer', author_id: me.id, channel: 'web' });
    expect(thread.at(-1)!.attachments.map((a) => a.filename)).toEqual(['label.jpg']);
    const shown = await get(browser, res.headers.location as string);
    expect(shown.body).toContain('Your reply was sent.');
    expect(shown.body).toContain('label.jpg');
  });

  it('refuses an empty reply, a bad file, and any reply to a closed ticket, storing nothing', async () => {
    const me = await customer('closer@example.com');
    const ticket = await openFor(me.id, 'Soon closed');
    const browser = await visitor({ customerId: me.id });
    await get(browser, `/requests/${ticket.number}`);
    let before = await stored();
    const empty = await postMultipart(browser, `/requests/${ticket.number}/reply`, { message: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(errorCode(empty.body)).toBe('VALIDATION_FAILED');
    const bad = await postMultipart(browser, `/requests/${ticket.number}/reply`, { message: 'with a bad file' }, [{ filename: 'ok.txt', content: 'ok' }, { filename: 'run.exe', content: 'MZ' }]);
    expect(errorCode(bad.body)).toBe('ATTACHMENT_TYPE_FORBIDDEN');
    expect(bad.body).toContain('with a bad file</textarea>');
    expect(await stored()).toEqual(before);

    await api('PATCH', `/tickets/${ticket.id}`, { status: 'closed' });
    before = await stored();
    const closed = await postMultipart(browser, `/requests/${ticket.number}/reply`, { message: 'Hello again?' }, [{ filename: 'ok.txt', content: 'ok' }]);
    expect(closed.statusCode).toBe(409);
    expect(errorCode(closed.body)).toBe('TICKET_CLOSED');
    expect(closed.body).toContain('This request is closed');
    expect(await stored()).toEqual(before);
    const page = await get(browser, `/requests/${ticket.number}`);
    expect(page.body).not.toContain(`/requests/${ticket.number}/reply`);
  });
});

describe('customer satisfaction', () => {
  it('mails a rating request in the customer\'s language when a ticket is solved, and stores the rating', async () => {
    const me = await customer('rater@example.com', 'zh-CN');
    const ticket = await openFor(me.id, '墨盒不识别');
    const browser = await visitor({ customerId: me.id, lang: 'zh-CN' });

    const early = await postForm(browser, `/requests/${ticket.number}/rate`, { rating: '5' });
    expect(early.statusCode).toBe(409);
    expect(errorCode(early.body)).toBe('TICKET_NOT_SOLVED');
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).csat_rating).toBeNull();
    expect((await get(browser, `/requests/${ticket.number}`)).body).not.toContain(`/requests/${ticket.number}/rate"`);

    expect((await api('PATCH', `/tickets/${ticket.id}`, { status: 'solved' })).statusCode).toBe(200);
    await t.jobs.drain();
    const mails = await t.database.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'rater@example.com').where('template', '=', 'csatRequest').execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ template: 'csatRequest', locale: 'zh-CN' });
    expect(mails[0]!.subject).toContain(`#${ticket.number}`);
    expect(mails[0]!.text_body).toContain(`http://localhost:3000/requests/${ticket.number}/rate`);
    expect(mails[0]!.text_body).toContain('墨盒不识别');

    const link = await get(browser, `/requests/${ticket.number}/rate`);
    expect(link.statusCode).toBe(303);
    expect(link.headers.location).toBe(`/requests/${ticket.number}#rating`);
    const page = await get(browser, `/requests/${ticket.number}`);
    expect(page.body).toContain(`action="/requests/${ticket.number}/rate"`);
    expect(page.body).toContain('非常满意');

    const bad = await postForm(browser, `/requests/${ticket.number}/rate`, { rating: '7' });
    expect(bad.statusCode).toBe(400);
    expect(errorCode(bad.body)).toBe('VALIDATION_FAILED');

    const rated = await postForm(browser, `/requests/${ticket.number}/rate`, { rating: '4', comment: 'Quick <b>help</b>' });
    expect(rated.statusCode).toBe(303);
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id))).toMatchObject({ csat_rating: 4, csat_comment: 'Quick <b>help</b>' });
    const again = await postForm(browser, `/requests/${ticket.number}/rate`, { rating: '2', comment: '' });
    expect(again.statusCode).toBe(303);
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id))).toMatchObject({ csat_rating: 2, csat_comment: null });
    expect((await get(browser, '/requests')).body).toContain('已解决');
    const shown = await get(browser, `/requests/${ticket.number}?rated=1`);
    expect(shown.body).toContain('感谢您的评分');
    expect(shown.body).toContain('不满意（2 分');
  });

  it('lets a customer mark their own request solved and rate it; not another\'s, not a closed one', async () => {
    const me = await customer('solver@example.com', 'zh-CN');
    const other = await customer('not.solver@example.com');
    const ticket = await openFor(me.id, '打印机不进纸');
    const theirs = await openFor(other.id, 'Their printer');
    const browser = await visitor({ customerId: me.id, lang: 'zh-CN' });
    const page = await get(browser, `/requests/${ticket.number}`);
    expect(page.body).toContain(`action="/requests/${ticket.number}/solve"`);
    expect(page.body).toContain('我的问题已解决');

    const foreign = await postForm(browser, `/requests/${theirs.number}/solve`, {});
    expect(foreign.statusCode).toBe(404);
    expect((await t.services.tickets.ticket(t.workspace.id, theirs.id)).status).toBe('new');

    const solved = await postForm(browser, `/requests/${ticket.number}/solve`, {});
    expect(solved.statusCode).toBe(303);
    expect(solved.headers.location).toBe(`/requests/${ticket.number}?solved=1#rating`);
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).status).toBe('solved');
    const activity = await t.database.db.selectFrom('ticket_activity').selectAll().where('ticket_id', '=', ticket.id).where('action', '=', 'ticket.updated').execute();
    expect(activity.map((a) => [a.actor_type, a.actor_id, (a.details as { status?: unknown }).status])).toEqual([['customer', me.id, ['new', 'solved']]]);
    const shown = await get(browser, `/requests/${ticket.number}?solved=1`);
    expect(shown.body).toContain('此请求已标记为已解决');
    expect(shown.body).toContain(`action="/requests/${ticket.number}/rate"`);
    expect(shown.body).not.toContain(`action="/requests/${ticket.number}/solve"`);
    // Saying it twice changes nothing more.
    expect((await postForm(browser, `/requests/${ticket.number}/solve`, {})).statusCode).toBe(303);
    expect(await t.database.db.selectFrom('ticket_activity').select('id').where('ticket_id', '=', ticket.id).where('action', '=', 'ticket.updated').execute()).toHaveLength(1);

    expect((await api('PATCH', `/tickets/${ticket.id}`, { status: 'closed' })).statusCode).toBe(200);
    const closed = await postForm(browser, `/requests/${ticket.number}/solve`, {});
    expect(closed.statusCode).toBe(409);
    expect(errorCode(closed.body)).toBe('TICKET_CLOSED');
    expect((await t.services.tickets.ticket(t.workspace.id, ticket.id)).status).toBe('closed');
  });

  it('sends the request in the workspace language to a customer without one, and not for a ticket reopened before the job ran', async () => {
    const anonymous = await t.services.accounts.findOrCreateCustomer(t.workspace.id, { email: 'no.locale@example.com', name: 'No Locale' });
    const ticket = await openFor(anonymous.id, 'No locale');
    await api('PATCH', `/tickets/${ticket.id}`, { status: 'solved' });
    await t.jobs.drain();
    const mail = await t.database.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'no.locale@example.com').where('template', '=', 'csatRequest').executeTakeFirstOrThrow();
    expect(mail.locale).toBe('en');
    expect(mail.subject).toBe(`How did we do? Your request [#${ticket.number}]`);

    await api('PATCH', `/tickets/${ticket.id}`, { status: 'open' });
    expect(await t.services.csat.send(t.workspace.id, ticket.id)).toBe(false);
  });
});

describe('contact form abuse', () => {
  // An app of its own with a low limit, built in a hook: on the durable drivers under load that
  // takes longer than a test's own time.
  let limited: TestApp;
  beforeAll(async () => { limited = await createTestApp({ KEFU_PUBLIC_POSTS_PER_15_MIN: '2' }); });
  afterAll(async () => { await limited?.close(); });

  it('limits public posts per address, with a page that says so', async () => {
    const post = () => limited.app.http.inject({
      method: 'POST', url: '/contact', payload: new URLSearchParams(validContact).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'en' },
    });
    expect((await post()).statusCode).toBe(403); // no token: refused, but counted
    expect((await post()).statusCode).toBe(403);
    const third = await post();
    expect(third.statusCode).toBe(429);
    expect(third.body).toContain('Too many attempts');
  });
});
