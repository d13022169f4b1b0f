import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';

/** The embedded default: no SMTP settings. Mail is held, never lost, and the outbox API shows it. */
let t: TestApp;
let admin: { authorization: string };
let agentAuth: { authorization: string };
const system = { type: 'system' as const, id: null };

beforeAll(async () => {
  t = await createTestApp();
  admin = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'admin', system)).token}` };
  const agent = await t.services.accounts.createAgent(t.workspace.id, { email: 'agent@acme.example', name: 'Agent', role: 'agent', password: 'agent-password-1' }, system);
  agentAuth = { authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, agent.id, 'agent', system)).token}` };
});
afterAll(async () => {
  await t.jobs.drain();
  await t.close();
});

const api = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = admin) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers });

type Summary = { id: string; to: string; status: string; subject: string; ticketId: string | null; messageId: string; from: string; template: string };

async function list(query = '') {
  const res = await api('GET', `/mail/outbox${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { mails: Summary[]; nextCursor: string | null; smtpConfigured: boolean };
}

describe('held mail without SMTP settings', () => {
  it('holds a password-reset mail and an agent\'s reply, and shows both rendered in the outbox', async () => {
    const reset = await t.app.http.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: t.workspace.admin.email } });
    expect(reset.statusCode).toBe(202);
    const ticket = await t.services.tickets.open(t.workspace.id, { subject: '发票在哪里', body: '我没有收到发票', channel: 'web', customer: { email: 'li.lei@example.com', name: '李雷', locale: 'zh-CN' } }, system);
    await t.services.tickets.addMessage(t.workspace.id, ticket.id, { kind: 'reply', body: '发票已经寄出。', bodyHtml: '<p>发票已经<b>寄出</b>。</p><script>x()</script>' }, { type: 'agent', id: t.workspace.admin.id });
    await t.jobs.drain();

    const page = await list('?status=held');
    expect(page.smtpConfigured).toBe(false);
    // (The new ticket may also have its autoresponse held here.)
    const reply = page.mails.find((m) => m.template === 'agentReply')!;
    const resetMail = page.mails.find((m) => m.template === 'passwordReset')!;
    expect(resetMail.to).toBe(t.workspace.admin.email);
    expect(page.mails.every((m) => m.status === 'held' && m.from === 'no-reply@localhost')).toBe(true);

    expect(reply).toMatchObject({ ticketId: ticket.id, subject: `回复：发票在哪里 [#${ticket.number}]` });
    expect(reply.messageId).toMatch(/^[0-9a-f-]{36}@localhost$/);
    const detail = await api('GET', `/mail/outbox/${reply.id}`);
    expect(detail.statusCode).toBe(200);
    const body = detail.json() as { text: string; html: string; history: unknown[]; references: string[] };
    expect(body.text).toContain('发票已经寄出。');
    expect(body.text).toContain(`http://localhost:3000/requests/${ticket.number}`);
    expect(body.html).toContain('<b>寄出</b>');
    expect(body.html).not.toContain('<script');
    expect(body.history).toEqual([]);
    // The sweeper leaves held mail alone: nothing to send it with.
    expect(await t.services.mailOutbound.sweep()).toEqual({ recovered: 0, scheduled: 0 });
  });

  it('holds mail left queued from a time SMTP settings existed, rather than letting it wait forever', async () => {
    const queued = await t.database.db.insertInto('mail_outbox').values({
      workspace_id: t.workspace.id, message_id: `${crypto.randomUUID()}@acme.example`, from_address: 'support@acme.example', to_address: 'waiting@example.com',
      subject: 'Queued earlier', text_body: 'body', template: 'agentReply', locale: 'en', status: 'queued',
    }).returning('id').executeTakeFirstOrThrow();
    await t.services.mailOutbound.sweep();
    const row = await t.database.db.selectFrom('mail_outbox').select(['status', 'attempts']).where('id', '=', queued.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'held', attempts: 0 });
  });

  it('refuses to release held mail while no SMTP server is configured', async () => {
    const res = await api('POST', '/mail/outbox/release-held');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('MAIL_SMTP_NOT_CONFIGURED');
    expect((await list('?status=held')).mails.length).toBeGreaterThan(0);
  });

  it('refuses to retry a mail that has not failed', async () => {
    const [held] = (await list('?status=held')).mails;
    const res = await api('POST', `/mail/outbox/${held!.id}/retry`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('MAIL_NOT_FAILED');
  });
});

describe('listing', () => {
  it('pages newest first without gaps or repeats, and finds mail by part of the recipient', async () => {
    for (let i = 0; i < 5; i++) {
      await t.services.outbox.queue(t.workspace.id, { to: `page-${i}@paging.example`, template: 'passwordReset', locale: 'en', vars: { name: 'P', workspace: 'Acme', link: 'http://x' } });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?recipient=paging.example&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.mails.length).toBeLessThanOrEqual(2);
      seen.push(...page.mails.map((m) => m.to));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `page-${i}@paging.example`));
    expect((await list('?recipient=PAGE-3')).mails.map((m) => m.to)).toEqual(['page-3@paging.example']);
    // LIKE wildcards in the search are literal characters.
    expect((await list('?recipient=%25')).mails).toEqual([]);
    expect((await list('?status=sent')).mails).toEqual([]);
  });
});

describe('bad input and authorisation', () => {
  it('answers 400 to malformed queries and ids, 404 to unknown ids', async () => {
    for (const query of ['?status=bogus', '?limit=0', '?limit=500', '?cursor=abc', '?extra=1', '?recipient=']) {
      const res = await api('GET', `/mail/outbox${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api('GET', '/mail/outbox/not-a-uuid')).statusCode).toBe(400);
    const missing = await api('GET', `/mail/outbox/${crypto.randomUUID()}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('MAIL_NOT_FOUND');
    expect((await api('POST', `/mail/outbox/${crypto.randomUUID()}/retry`)).statusCode).toBe(404);
  });

  it('lets only admins see or act on the outbox', async () => {
    const [mail] = (await list()).mails;
    const routes: ['GET' | 'POST', string][] = [
      ['GET', '/mail/outbox'], ['GET', `/mail/outbox/${mail!.id}`], ['POST', `/mail/outbox/${mail!.id}/retry`], ['POST', '/mail/outbox/release-held'],
    ];
    for (const [method, url] of routes) {
      expect((await api(method, url, {})).statusCode, `${method} ${url} anonymous`).toBe(401);
      expect((await api(method, url, agentAuth)).statusCode, `${method} ${url} agent`).toBe(403);
    }
  });
});
