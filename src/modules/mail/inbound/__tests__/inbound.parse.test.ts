import { describe, expect, it } from 'vitest';
import { bounceReport, cleanId, decodeRawHeaderBytes, parseInbound, safeSubject, visibleReply, widenChineseCharsets } from '../inbound.parse.js';
import { autoreplySuppression, rawMessageId } from '../inbound.rules.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('parsing inbound mail', () => {
  it('widens GB2312/GBK labels to GB18030 in headers and encoded words only', () => {
    const raw = Buffer.from('Subject: =?gb2312?B?xOO6ww==?=\r\nContent-Type: text/plain; charset="GBK"\r\n\r\ncharset=gb2312 in the body stays\r\n', 'latin1');
    const widened = widenChineseCharsets(raw).toString('latin1');
    expect(widened).toContain('=?gb18030?B?');
    expect(widened).toContain('charset="gb18030"');
    expect(widened).toContain('charset=gb18030 in the body stays'); // bodies are text too; harmless
  });

  it('decodes raw UTF-8 and raw GBK header bytes', async () => {
    const utf8 = await parseInbound(Buffer.concat([Buffer.from('From: a@b.example\r\nSubject: '), Buffer.from('你好 world', 'utf8'), Buffer.from('\r\n\r\nx\r\n')]));
    expect(utf8.subject).toBe('你好 world');
    const gbk = decodeRawHeaderBytes(Buffer.concat([Buffer.from('Subject: '), Buffer.from([0xc4, 0xe3, 0xba, 0xc3]), Buffer.from('\r\n\r\nbody')]));
    expect((await parseInbound(gbk)).subject).toBe('你好');
  });

  it('strips CR, LF and other control characters from subjects and bounds their length', () => {
    expect(safeSubject('a\r\nBcc: x@y\u0000z\u2028w')).toBe('a Bcc: x@y z w');
    expect(safeSubject('x'.repeat(1000))).toHaveLength(250);
  });

  it('orders thread ids In-Reply-To first, then References newest first, without the message\'s own id', async () => {
    const mail = await parseInbound(crlf(['From: a@b.example', 'Message-ID: <self@x>', 'In-Reply-To: <parent@x>', 'References: <root@x> <mid@x> <parent@x> <self@x>', '', 'x', '']));
    expect(mail.threadIds).toEqual(['parent@x', 'mid@x', 'root@x']);
    expect(cleanId(' <a b@c> ')).toBe('ab@c');
    expect(cleanId('')).toBeNull();
  });

  it('cuts quoted replies and signatures in English and Chinese, and keeps the text when nothing would be left', () => {
    expect(visibleReply('Thanks!\n\nOn Mon, 1 Jan 2026 at 10:00, Acme <help@acme.example>\nwrote:\n> old')).toBe('Thanks!');
    expect(visibleReply('好的\n\n在 2026年1月1日，客服 写道：\n> 旧内容')).toBe('好的');
    expect(visibleReply('OK\n-----Original Message-----\nFrom: x')).toBe('OK');
    expect(visibleReply('OK\n\nFrom: Acme\nSent: Monday\nold')).toBe('OK');
    expect(visibleReply('Body\n-- \nSignature')).toBe('Body');
    expect(visibleReply('> only a quote')).toBe('> only a quote');
  });

  it('reads the fields of a delivery-status report', () => {
    const report = bounceReport(['Final-Recipient: rfc822; Gone@Example.com', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 no such user', '', 'Message-ID: <dsn@mx>', 'Message-ID: <ours@kefu>'].join('\r\n'));
    expect(report).toEqual({ failedRecipients: ['gone@example.com'], status: '5.1.1', diagnostic: 'smtp; 550 no such user', originalMessageIds: ['ours@kefu'] });
  });

  it('finds the Message-ID in the raw header section only', () => {
    expect(rawMessageId(Buffer.from('Subject: x\r\nMessage-ID:\r\n <folded@x>\r\n\r\nMessage-ID: <body@x>'))).toBe('folded@x');
    expect(rawMessageId(Buffer.from('Subject: x\r\n\r\nMessage-ID: <body@x>'))).toBeNull();
  });
});

describe('auto-reply rules', () => {
  const own = new Set(['help@acme.example']);
  const parse = (headers: string[]) => parseInbound(crlf([...headers, '', 'x', '']));

  it('answers an ordinary customer and nobody else', async () => {
    expect(autoreplySuppression(await parse(['From: c@customer.example']), 'c@customer.example', own)).toBeNull();
    expect(autoreplySuppression(await parse(['From: c@customer.example', 'Auto-Submitted: no']), 'c@customer.example', own)).toBeNull();
    expect(autoreplySuppression(await parse(['From: c@customer.example', 'Auto-Submitted: auto-generated']), 'c@customer.example', own)).toBe('auto-submitted');
    expect(autoreplySuppression(await parse(['From: c@customer.example', 'Precedence: junk']), 'c@customer.example', own)).toBe('precedence-junk');
    expect(autoreplySuppression(await parse(['From: c@customer.example', 'List-Unsubscribe: <mailto:x@y>']), 'c@customer.example', own)).toBe('mailing-list');
    expect(autoreplySuppression(await parse(['From: c@customer.example', 'X-Auto-Response-Suppress: OOF, AutoReply']), 'c@customer.example', own)).toBe('x-auto-response-suppress');
    expect(autoreplySuppression(await parse(['From: c@customer.example', 'Return-Path: <>']), null, own)).toBe('null-return-path');
    expect(autoreplySuppression(await parse(['From: help@acme.example']), 'x@y.example', own)).toBe('own-address');
    expect(autoreplySuppression(await parse(['From: MAILER-DAEMON@mx.example']), 'x@y.example', own)).toBe('system-sender');
  });
});

describe('HTML limits (issue 12 #1)', () => {
  it('refuses HTML nested deeper than the cap before parsing it, for every caller of the sanitiser', async () => {
    const { sanitizeUserHtml, htmlToText, HTML_LIMITS } = await import('../../../../core/html/sanitize.js');
    const deep = `${'<div>'.repeat(HTML_LIMITS.maxDepth + 1)}x${'</div>'.repeat(HTML_LIMITS.maxDepth + 1)}`;
    expect(() => sanitizeUserHtml(deep)).toThrow(expect.objectContaining({ code: 'HTML_TOO_COMPLEX', status: 422 }));
    expect(() => htmlToText(deep)).toThrow(expect.objectContaining({ code: 'HTML_TOO_COMPLEX' }));
    // Unclosed paragraphs and list items, self-closing and void tags do not nest: ordinary mail passes.
    expect(sanitizeUserHtml(`${'<p>a'.repeat(5000)}${'<li>b<br><img src="https://x.example/i.png"/>'.repeat(5000)}`)).toContain('<p>a</p>');
  });
});
