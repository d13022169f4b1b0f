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

interface Upload { filename: string; content: string | Buffer; field?: string }

/** A form as the console's `fetch` sends it: text fields first, then the files. */
async function multipart(fields: Record<string, string>, files: Upload[] = []) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append(file.field ?? 'files', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.filename);
  const encoded = new Response(form);
  return { payload: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

async function postForm(ticketId: string, fields: Record<string, string>, files: Upload[] = [], headers: Record<string, string> = auth) {
  const body = await multipart(fields, files);
  return t.app.http.inject({
    method: 'POST', url: `/api/v1/tickets/${ticketId}/messages/multipart`, payload: body.payload,
    headers: { ...headers, 'content-type': body.contentType },
  });
}

async function openTicket() {
  const res = await t.app.http.inject({
    method: 'POST', url: '/api/v1/tickets', headers: auth,
    payload: { subject: 'Invoice is wrong', body: 'The March invoice charges me twice.', customer: { email: 'wang.fang@example.com', name: '王芳' } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; number: number };
}

async function filesOnDisk(): Promise<number> {
  const entries = await readdir(path.join(dataDir, 'attachments'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

/** Everything a refused upload must leave as it was. */
async function stored() {
  const db = t.database.db;
  const count = async (table: 'ticket_messages' | 'ticket_attachments') =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { messages: await count('ticket_messages'), attachments: await count('ticket_attachments'), files: await filesOnDisk() };
}

const bytes = (n: number, seed = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256));

async function signIn() {
  const res = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.workspace.admin.email, password: t.workspace.admin.password } });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '), csrf: res.json().csrfToken as string };
}

describe('agent messages with attachments (multipart)', () => {
  it('stores a reply with two files, downloadable with the same bytes', async () => {
    const ticket = await openTicket();
    const before = await stored();
    const photo = bytes(MAX_BYTES, 7); // exactly at the limit: accepted
    const log = Buffer.from('line one\r\nzeile zwei · 第三行\n', 'utf8');
    const res = await postForm(ticket.id, { kind: 'reply', body: 'Here is the corrected invoice.\r\nSorry!', status: 'solved' },
      [{ filename: 'invoice-fixed.png', content: photo }, { filename: '日志.log', content: log }]);
    expect(res.statusCode, res.body).toBe(201);
    const message = res.json();
    expect(message).toMatchObject({ ticketId: ticket.id, kind: 'reply', authorType: 'agent', bodyText: 'Here is the corrected invoice.\nSorry!' });
    expect(message.attachments.map((a: { filename: string; contentType: string; sizeBytes: number }) => [a.filename, a.contentType, a.sizeBytes]))
      .toEqual([['invoice-fixed.png', 'image/png', MAX_BYTES], ['日志.log', 'text/plain', log.length]]);
    expect(await stored()).toEqual({ messages: before.messages + 1, attachments: before.attachments + 2, files: before.files + 2 });

    for (const [attachment, content] of [[message.attachments[0], photo], [message.attachments[1], log]] as const) {
      expect(attachment.url).toBe(`/api/v1/attachments/${attachment.id}`);
      const download = await t.app.http.inject({ url: attachment.url, headers: auth });
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(content)).toBe(true);
    }
    // The same MessageView as the JSON route, and the status set with it.
    const thread = (await t.app.http.inject({ url: `/api/v1/tickets/${ticket.id}/messages`, headers: auth })).json().messages;
    expect(thread.at(-1)).toEqual(JSON.parse(res.body));
    expect((await t.app.http.inject({ url: `/api/v1/tickets/${ticket.id}`, headers: auth })).json().status).toBe('solved');
  });

  it('takes a note without files too', async () => {
    const ticket = await openTicket();
    const res = await postForm(ticket.id, { kind: 'note', body: 'Checked with finance.' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'note', attachments: [] });
  });

  it('refuses an oversize file and stores nothing, not even the files before it', async () => {
    const ticket = await openTicket();
    const before = await stored();
    const res = await postForm(ticket.id, { kind: 'reply', body: 'Two files' },
      [{ filename: 'fine.txt', content: 'small' }, { filename: 'huge.pdf', content: bytes(MAX_BYTES + 1) }, { filename: 'after.txt', content: 'never stored' }]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(await stored()).toEqual(before);
  });

  it('refuses a forbidden file type and stores nothing', async () => {
    const ticket = await openTicket();
    const before = await stored();
    const res = await postForm(ticket.id, { kind: 'reply', body: 'Run this' },
      [{ filename: 'fine.txt', content: 'small' }, { filename: 'setup.exe', content: 'MZ…' }]);
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({ code: 'ATTACHMENT_TYPE_FORBIDDEN', details: { filename: 'setup.exe' } });
    expect(await stored()).toEqual(before);
  });

  it('refuses more than ten files and stores nothing', async () => {
    const ticket = await openTicket();
    const before = await stored();
    const files = Array.from({ length: 11 }, (_, i) => ({ filename: `page-${i}.txt`, content: `page ${i}` }));
    const res = await postForm(ticket.id, { kind: 'reply', body: 'All pages' }, files);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('ATTACHMENT_TOO_MANY');
    expect(await stored()).toEqual(before);
  });

  it('validates the fields as the JSON route does, removing files already written', async () => {
    const ticket = await openTicket();
    const before = await stored();
    const file = [{ filename: 'fine.txt', content: 'small' }];
    const invalid: Record<string, string>[] = [{ kind: 'reply', body: '  ' }, { kind: 'letter', body: 'Hi' }, { kind: 'reply', body: 'Hi', status: 'archived' }, { kind: 'reply', body: 'Hi', bodyHtml: '<b>x</b>' }];
    for (const fields of invalid) {
      const res = await postForm(ticket.id, fields, file);
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    const elsewhere = await postForm(ticket.id, { kind: 'reply', body: 'Hi' }, [{ filename: 'fine.txt', content: 'small', field: 'attachments' }]);
    expect(elsewhere.json().error.code).toBe('VALIDATION_FAILED');
    expect(await stored()).toEqual(before);
  });

  it('removes the files when the service refuses the message (closed ticket)', async () => {
    const ticket = await openTicket();
    await t.app.http.inject({ method: 'PATCH', url: `/api/v1/tickets/${ticket.id}`, headers: auth, payload: { status: 'closed' } });
    const before = await stored();
    const res = await postForm(ticket.id, { kind: 'reply', body: 'Too late' }, [{ filename: 'fine.txt', content: 'small' }]);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('TICKET_CLOSED');
    expect(await stored()).toEqual(before);
  });

  it('needs the CSRF header with a cookie session, before any file is written', async () => {
    const ticket = await openTicket();
    const session = await signIn();
    const before = await stored();
    const file = [{ filename: 'fine.txt', content: 'small' }];
    const missing = await postForm(ticket.id, { kind: 'reply', body: 'Hi' }, file, { cookie: session.cookie });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.code).toBe('CSRF_INVALID');
    // A token in the form does not count: the body is read only after the check.
    const inForm = await postForm(ticket.id, { _csrf: session.csrf, kind: 'reply', body: 'Hi' }, file, { cookie: session.cookie });
    expect(inForm.json().error.code).toBe('CSRF_INVALID');
    const wrong = await postForm(ticket.id, { kind: 'reply', body: 'Hi' }, file, { cookie: session.cookie, 'x-csrf-token': `${session.csrf}x` });
    expect(wrong.json().error.code).toBe('CSRF_INVALID');
    expect(await stored()).toEqual(before);

    const ok = await postForm(ticket.id, { kind: 'reply', body: 'Hi' }, file, { cookie: session.cookie, 'x-csrf-token': session.csrf });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ authorId: t.workspace.admin.id, attachments: [{ filename: 'fine.txt' }] });
  });

  it('takes an API token without any CSRF token', async () => {
    const ticket = await openTicket();
    const res = await postForm(ticket.id, { kind: 'reply', body: 'From the integration' }, [{ filename: 'report.csv', content: 'a,b\n1,2\n' }], auth);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().attachments[0]).toMatchObject({ filename: 'report.csv', contentType: 'text/csv' });
  });

  it('answers 404 for another workspace\'s ticket and writes nothing', async () => {
    const ticket = await openTicket();
    const beta = await t.addWorkspace('beta-uploads');
    const betaToken = await t.services.accounts.createApiToken(beta.id, beta.admin.id, 'beta', { type: 'system', id: null });
    const before = await stored();
    const res = await postForm(ticket.id, { kind: 'reply', body: 'hijacked' }, [{ filename: 'fine.txt', content: 'beta secret' }], { authorization: `Bearer ${betaToken.token}` });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('TICKET_NOT_FOUND');
    expect(res.body).not.toContain('Invoice is wrong');
    expect(await stored()).toEqual(before);
  });

  it('keeps multipart to this route: JSON is refused here, multipart on the JSON route', async () => {
    const ticket = await openTicket();
    const json = await t.app.http.inject({ method: 'POST', url: `/api/v1/tickets/${ticket.id}/messages/multipart`, headers: auth, payload: { kind: 'reply', body: 'Hi' } });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const body = await multipart({ kind: 'reply', body: 'Hi' }, [{ filename: 'fine.txt', content: 'small' }]);
    const onJsonRoute = await t.app.http.inject({ method: 'POST', url: `/api/v1/tickets/${ticket.id}/messages`, headers: { ...auth, 'content-type': body.contentType }, payload: body.payload });
    expect(onJsonRoute.statusCode).toBe(415);
  });

  it('tells the console the limits, and documents the route as multipart/form-data', async () => {
    const limits = (await t.app.http.inject({ url: '/api/v1/attachment-limits', headers: auth })).json();
    expect(limits).toMatchObject({ maxBytes: MAX_BYTES, maxFiles: 10 });
    expect(limits.extensions).toContain('pdf');
    expect(limits.extensions).not.toContain('exe');

    const doc = (await t.app.http.inject({ url: '/openapi.json' })).json();
    const operation = doc.paths['/api/v1/tickets/{id}/messages/multipart'].post;
    expect(operation.tags).toEqual(['tickets']);
    expect(operation.summary).toBeTruthy();
    expect(Object.keys(operation.requestBody.content)).toEqual(['multipart/form-data']);
    expect(operation.requestBody.content['multipart/form-data'].schema.properties).toHaveProperty('files');
  });
});
