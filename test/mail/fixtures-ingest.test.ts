import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { InboundRoute } from '../../src/modules/mail/inbound/inbound.service.js';
import { safeSubject } from '../../src/modules/mail/inbound/inbound.parse.js';
import { safeFilename } from '../../src/modules/tickets/attachments.store.js';

const THIRD_PARTY = path.resolve(import.meta.dirname, '../../../shared/datasets/email_fixtures');
const OWN = path.resolve(import.meta.dirname, 'fixtures');

function emlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? emlFiles(full) : name.endsWith('.eml') ? [full] : [];
  }).sort();
}

/** The subject and attachment names a stalwart-mail-parser expectation file records, when there is one. */
function expectation(file: string): { subject: string | null; attachmentNames: string[] } | undefined {
  const json = file.replace(/\.eml$/, '.json');
  if (!existsSync(json)) return undefined;
  type Header = { name: string; value: { Text?: string; ContentType?: { attributes?: { name: string; value: string }[] | null } } };
  const parsed = JSON.parse(readFileSync(json, 'utf8')) as { parts: { headers: Header[] }[]; attachments?: number[] };
  const subject = parsed.parts[0]?.headers.find((h) => h.name === 'subject')?.value.Text ?? null;
  const attachmentNames = (parsed.attachments ?? []).flatMap((index) => {
    const headers = parsed.parts[index]?.headers ?? [];
    const names = headers.flatMap((h) => (h.value.ContentType?.attributes ?? []).filter((a) => a.name === 'filename' || a.name === 'name').map((a) => a.value));
    return names.slice(0, 1);
  });
  return { subject, attachmentNames };
}

let t: TestApp;
let route: InboundRoute;
const files = [...emlFiles(THIRD_PARTY), ...emlFiles(OWN)];

async function ingest(file: string) {
  const raw = readFileSync(file);
  const accepted = await t.services.mailInbound.inbound.accept(raw, { from: 'fixtures@sender.example', recipients: [route], remoteIp: null, source: 'smtp' });
  await t.jobs.drain();
  const row = await t.database.db.selectFrom('mail_inbound').selectAll().where('workspace_id', '=', t.workspace.id)
    .orderBy('received_at', 'desc').limit(1).executeTakeFirstOrThrow();
  return { accepted, row };
}

async function attachmentNamesOf(messageId: string): Promise<string[]> {
  const rows = await t.database.db.selectFrom('ticket_attachments').select('filename').where('message_id', '=', messageId).execute();
  return rows.map((r) => r.filename);
}

beforeAll(async () => {
  t = await createTestApp();
  const address = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example' });
  route = { workspace_id: t.workspace.id, id: address.id, address: address.address };
});
afterAll(async () => { await t?.close(); });

describe('every .eml fixture goes through the pipeline', () => {
  it('finds the third-party fixtures', () => {
    expect(files.length).toBeGreaterThan(200);
  });

  it.each(files.map((f) => [path.relative(path.resolve(THIRD_PARTY, '..'), f), f]))('%s', async (_name, file) => {
    const { accepted, row } = await ingest(file);
    // A Message-ID seen before (fixtures copied between projects) is stored once: nothing to check twice.
    if (accepted.stored === 0) return expect(accepted.duplicates).toBe(1);
    expect(row.status, row.reason ?? '').not.toBe('received');
    if (row.status === 'parked') return expect(row.reason).toBeTruthy();
    expect(['ticket_created', 'message_added', 'bounce', 'ignored']).toContain(row.outcome);
    const expected = expectation(file);
    if (expected?.subject) expect(row.subject).toBe(safeSubject(expected.subject));
    if (row.ticket_message_id && expected?.attachmentNames.length) {
      const stored = await attachmentNamesOf(row.ticket_message_id);
      const { body_text } = await t.database.db.selectFrom('ticket_messages').select('body_text').where('id', '=', row.ticket_message_id).executeTakeFirstOrThrow();
      // Each named attachment is either stored under its (made safe) name or named as refused in the message.
      for (const name of expected.attachmentNames) {
        const safe = safeFilename(name);
        expect(stored.includes(safe) || body_text.includes(name.slice(0, 60)) || body_text.includes(safe.slice(0, 60)), `${name} in ${stored.join(', ')}`).toBe(true);
      }
    }
  });
});

describe('Chinese charsets and hostile input, by exact strings', () => {
  const byMessageId = (id: string) => t.database.db.selectFrom('mail_inbound').selectAll().where('workspace_id', '=', t.workspace.id).where('message_id', '=', id).executeTakeFirstOrThrow();
  const firstMessage = (ticketId: string) => t.database.db.selectFrom('ticket_messages').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').executeTakeFirstOrThrow();

  it('decodes GB2312-labelled mail with GBK/GB18030 bytes as GB18030', async () => {
    const row = await byMessageId('gb18030-in-gb2312@customer.example');
    expect(row.subject).toBe('关于打印机–卡纸');
    expect((await firstMessage(row.ticket_id!)).body_text).toBe('你好–世界 ❤ 打印机卡纸');
    const customer = await t.database.db.selectFrom('customers').select('name').where('email', '=', 'wang@customer.example').executeTakeFirstOrThrow();
    expect(customer.name).toBe('王小明');
  });

  it('decodes raw 8-bit GBK headers', async () => {
    const row = await byMessageId('raw8bit@customer.example');
    expect(row.subject).toBe('原始八位主题');
    expect((await firstMessage(row.ticket_id!)).body_text).toBe('正文内容');
  });

  it('decodes Big5 subjects and bodies and RFC 2231 attachment names', async () => {
    const row = await byMessageId('big5@customer.example');
    expect(row.subject).toBe('印表機無法列印');
    expect((await firstMessage(row.ticket_id!)).body_text).toBe('繁體中文內容');
    expect(await attachmentNamesOf(row.ticket_message_id!)).toEqual(['说明书.pdf']);
  });

  it('decodes the third-party GB2312, GBK, Big5 and UTF-8 Chinese fixtures', async () => {
    const bodies = await t.database.db.selectFrom('ticket_messages').select('body_text').where('workspace_id', '=', t.workspace.id).execute();
    const all = bodies.map((b) => b.body_text).join('\n');
    for (const text of ['你好，我是程序员，很高兴认识你', '你好，中国', '圖形碼', '这是一个示例邮件，用于演示指定的条件。']) expect(all).toContain(text);
    const subjects = (await t.database.db.selectFrom('mail_inbound').select('subject').where('workspace_id', '=', t.workspace.id).execute()).map((r) => r.subject);
    expect(subjects).toContain('示例邮件');
  });

  it('makes hostile attachment names safe: no path, no executable, bounded length', async () => {
    const row = await byMessageId('hostile@customer.example');
    const names = await attachmentNamesOf(row.ticket_message_id!);
    expect(names).toContain('passwd.txt');
    expect(names).toContain('42.zip');
    for (const name of names) {
      expect(name).not.toMatch(/[/\\]|\.\./);
      expect(name.length).toBeLessThanOrEqual(150);
    }
    expect(names.some((n) => n.endsWith('.exe'))).toBe(false);
    expect((await firstMessage(row.ticket_id!)).body_text).toMatch(/not kept/);
  });

  it('ingests malformed MIME as far as it can be read', async () => {
    const row = await byMessageId('broken@customer.example');
    expect(row.status).toBe('processed');
    expect(row.subject).toBe('broken mime');
  });
});
