import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { InboundRoute } from '../../src/modules/mail/inbound/inbound.service.js';

/** The third-party sets live beside the repository (shared/datasets), some levels up from a worktree. */
function thirdPartyDir(): string {
  for (let dir = path.resolve(import.meta.dirname, '../..'); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared/datasets/email_fixtures');
    if (existsSync(candidate)) return candidate;
  }
  return path.resolve(import.meta.dirname, '../../../shared/datasets/email_fixtures');
}
const THIRD_PARTY = thirdPartyDir();
const OWN = path.resolve(import.meta.dirname, 'fixtures');

function emlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? emlFiles(full) : name.endsWith('.eml') ? [full] : [];
  }).sort();
}

/** A fixture's name in messages: its path under the fixture sets. */
const nameOf = (file: string) => path.relative(file.startsWith(OWN) ? path.resolve(OWN, '..') : THIRD_PARTY, file);

/**
 * Fixtures that must be parked, each with the exact reason the pipeline gives; every other
 * fixture must be processed.
 */
const PARKED: Record<string, string> = {
  'stalwart-mail-parser/malformed/000.eml': 'Not a mail message: no headers, subject or body could be read',
  'stalwart-mail-parser/malformed/002.eml': 'Not a mail message: no headers, subject or body could be read',
  'stalwart-mail-parser/malformed/004.eml': 'Not a mail message: no headers, subject or body could be read',
  'stalwart-mail-parser/malformed/007.eml': 'Not a mail message: no headers, subject or body could be read',
};

/**
 * Fields where Kefu's parser (mailparser) and the expectation's (stalwart-mail-parser) read a
 * fixture differently, each with the reason; those fields of that fixture are not compared, the
 * rest are.
 */
const DIFFERENCES: Record<string, Partial<Record<'subject' | 'from' | 'body' | 'attachments', string>>> = {
  'stalwart-mail-parser/malformed/015.eml': { attachments: 'the "signature" of a multipart/signed mail holds the word "invalid", no signature: Kefu keeps no file of it, stalwart does' },
  'stalwart-mail-parser/malformed/020.eml': { body: 'a broken multipart/alternative boundary: stalwart reads the raw HTML part into the text, Kefu reads the HTML\'s text' },
  'stalwart-mail-parser/malformed/021.eml': { body: 'a broken multipart/alternative boundary: stalwart reads the raw HTML part into the text, Kefu reads the HTML\'s text' },
  'stalwart-mail-parser/rfc/001.eml': { attachments: 'message/external-body parts (RFC 1341) carry no content: Kefu keeps no file, stalwart lists the reference' },
  'stalwart-mail-parser/rfc/008.eml': { attachments: 'the attached message/rfc822 is counted by stalwart with its part headers (1,179 bytes), Kefu keeps the message itself (872 bytes)' },
  'stalwart-mail-parser/thirdparty/015.eml': { attachments: 'boundaries with trailing spaces: Kefu reads three text files, stalwart one file holding all three parts' },
};

interface Expected {
  subject: string | null;
  from: string | null;
  /** The text/plain parts a reader is shown, in order. */
  texts: string[];
  /** Name as sent (null: none given) and size in bytes, decoded. */
  attachments: { name: string | null; size: number }[];
}

/** What a stalwart-mail-parser expectation file (`NNN.json` beside `NNN.eml`) records. */
function expectation(file: string): Expected | undefined {
  const json = file.replace(/\.eml$/, '.json');
  if (!existsSync(json)) return undefined;
  type Attribute = { name: string; value: string };
  type HeaderValue = { Text?: string; ContentType?: { attributes?: Attribute[] | null }; Address?: { List?: { address: string | null }[] } };
  type Part = { headers: { name: string; value: HeaderValue }[]; body: unknown; offset_body: number; offset_end: number };
  const parsed = JSON.parse(readFileSync(json, 'utf8')) as { parts: Part[]; text_body: number[]; attachments?: number[] };
  const header = (part: Part | undefined, name: string) => part?.headers.find((h) => h.name === name)?.value;
  const top = parsed.parts[0];
  const body = (part: Part | undefined) => (part?.body ?? {}) as { Text?: string; Html?: string; Binary?: number[]; InlineBinary?: number[] };
  return {
    subject: header(top, 'subject')?.Text ?? null,
    from: header(top, 'from')?.Address?.List?.[0]?.address ?? null,
    texts: parsed.text_body.map((index) => body(parsed.parts[index]).Text).filter((text): text is string => text !== undefined),
    attachments: (parsed.attachments ?? []).map((index) => {
      const part = parsed.parts[index]!;
      const attributes = [...(header(part, 'content_disposition')?.ContentType?.attributes ?? []), ...(header(part, 'content_type')?.ContentType?.attributes ?? [])];
      const name = attributes.find((a) => a.name === 'filename')?.value ?? attributes.find((a) => a.name === 'name')?.value ?? null;
      const { Text, Html, Binary, InlineBinary } = body(part);
      // A message/rfc822 part is kept as it came: its bytes between the part's header and its end.
      const text = Text ?? Html;
      const size = Binary?.length ?? InlineBinary?.length ?? (text === undefined ? part.offset_end - part.offset_body : Buffer.byteLength(text));
      return { name, size };
    }),
  };
}

/** Whitespace (control characters included) is not content: runs of it compare as one space. */
// eslint-disable-next-line no-control-regex -- control characters are whitespace here
const squeeze = (text: string) => text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();

let t: TestApp;
const files = [...emlFiles(THIRD_PARTY), ...emlFiles(OWN)];
const compared: string[] = [];
const differing: string[] = [];

/** Each fixture in a workspace of its own: no Message-ID, customer or thread is shared with another. */
async function ingest(file: string, index: number) {
  const workspace = workspaces[index]!;
  const address = await t.services.mailInbound.addresses.create(workspace.id, { address: `help@fixture-${index}.example` });
  const route: InboundRoute = { workspace_id: workspace.id, id: address.id, address: address.address };
  const accepted = await t.services.mailInbound.inbound.accept(readFileSync(file), { from: 'fixtures@sender.example', recipients: [route], remoteIp: null, source: 'smtp' });
  await t.jobs.drain();
  const row = await t.database.db.selectFrom('mail_inbound').selectAll().where('workspace_id', '=', workspace.id).executeTakeFirstOrThrow();
  return { accepted, row, workspaceId: workspace.id };
}

const workspaces: { id: string }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  for (const [index, file] of files.entries()) {
    workspaces.push(await t.services.accounts.createWorkspace({ slug: `fixture-${index}`, name: { en: nameOf(file), 'zh-CN': nameOf(file) } }));
  }
  // Their defaults (departments) are made by workspace.created's subscribers: all of them, once.
  await t.jobs.drain();
});
afterAll(async () => {
  const expectations = files.filter((file) => expectation(file)).length;
  console.log(`mail fixtures: ${files.length} ingested, none skipped; of ${expectations} with an expected-parse file, ${compared.length} compared field by field (subject, from, body text, attachment names and sizes) and ${differing.length} on every field but the differences listed`);
  await t?.close();
});

describe('every .eml fixture goes through the pipeline', () => {
  it('finds the third-party fixtures and every parked one', () => {
    expect(files.length).toBeGreaterThan(250);
    for (const name of Object.keys(PARKED)) expect(files.map(nameOf)).toContain(name);
  });

  it.each(files.map((file, index) => [nameOf(file), file, index] as const))('%s', async (name, file, index) => {
    const { accepted, row } = await ingest(file, index);
    expect(accepted).toEqual({ stored: 1, duplicates: 0 });
    if (PARKED[name]) {
      expect({ status: row.status, reason: row.reason }).toEqual({ status: 'parked', reason: PARKED[name] });
      return;
    }
    expect({ status: row.status, reason: row.reason }).toMatchObject({ status: 'processed' });
    expect(['ticket_created', 'message_added', 'bounce', 'ignored']).toContain(row.outcome);
    const expected = expectation(file);
    if (!expected) return;
    const skip = DIFFERENCES[name] ?? {};
    // Kefu stores subjects on one line: line breaks and control characters become spaces.
    if (!skip.subject) expect(row.subject).toBe(expected.subject === null ? null : squeeze(expected.subject) || null);
    // A From without a domain is no address: Kefu answers the envelope's sender instead.
    if (!skip.from && expected.from?.includes('@')) expect(row.from_address).toBe(expected.from.toLowerCase());
    if (row.outcome === 'ticket_created') {
      const message = await t.database.db.selectFrom('ticket_messages').select(['id', 'body_text']).where('id', '=', row.ticket_message_id!).executeTakeFirstOrThrow();
      if (!skip.body) for (const text of expected.texts) expect(squeeze(message.body_text)).toContain(squeeze(text));
      const stored = await t.database.db.selectFrom('ticket_attachments').select(['filename', 'size_bytes']).where('message_id', '=', message.id).orderBy('created_at').execute();
      if (!skip.attachments) {
        // Every file the mail names is kept under that name (a path dropped: its last segment) and at its
        // decoded size. Nameless parts are left out: the parsers disagree on which are attachments and which body.
        const kept = stored.map((a) => ({ name: a.filename, size: Number(a.size_bytes) }));
        for (const file of expected.attachments.filter((a) => a.name !== null)) {
          expect(kept, `${file.name} of ${file.size} bytes`).toContainEqual({ name: file.name!.split(/[/\\]/).pop(), size: file.size });
        }
      }
    }
    if (Object.keys(skip).length) differing.push(name);
    else     compared.push(name);
  });
});

async function attachmentNamesOf(messageId: string): Promise<string[]> {
  const rows = await t.database.db.selectFrom('ticket_attachments').select('filename').where('message_id', '=', messageId).execute();
  return rows.map((r) => r.filename);
}

// Each fixture has a workspace of its own, and their Message-IDs differ: these look across all of them.
describe('Chinese charsets and hostile input, by exact strings', () => {
  const byMessageId = (id: string) => t.database.db.selectFrom('mail_inbound').selectAll().where('message_id', '=', id).executeTakeFirstOrThrow();
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
    const bodies = await t.database.db.selectFrom('ticket_messages').select('body_text').execute();
    const all = bodies.map((b) => b.body_text).join('\n');
    for (const text of ['你好，我是程序员，很高兴认识你', '你好，中国', '圖形碼', '这是一个示例邮件，用于演示指定的条件。']) expect(all).toContain(text);
    const subjects = (await t.database.db.selectFrom('mail_inbound').select('subject').execute()).map((r) => r.subject);
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
