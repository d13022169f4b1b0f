import type { AddressObject, Attachment, HeaderValue } from 'mailparser';
import { htmlToText, sanitizeUserHtml } from '../../../core/html/sanitize.js';
import { withoutBidiControls } from '../../../core/text.js';
import { mailErrors } from '../mail.errors.js';

/** What the pipeline needs of one message, decoded, with every header value made safe to store and show. */
export interface ParsedInbound {
  messageId: string | null;
  /** In-Reply-To first, then References newest first: the order threading tries them in. */
  threadIds: string[];
  from: { address: string; name: string } | null;
  subject: string;
  /** The whole text body (the HTML's text when there is no text part). */
  text: string;
  /** The text for the conversation view: quoted replies and the signature cut off. */
  visibleText: string;
  /** Sanitised HTML, when the message has an HTML part. */
  html: string | null;
  attachments: InboundAttachment[];
  /** Lower-cased header names → raw values, for the auto-reply and bounce rules. */
  headers: Map<string, string>;
  /** Present when the message is a delivery-status notification. */
  bounce: BounceReport | null;
  /** Every Authentication-Results header (RFC 8601), topmost (the last receiver's) first. */
  authenticationResults: string[];
}

export interface InboundAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Inline image referred to from the HTML by `cid:`. */
  contentId: string | null;
  inline: boolean;
}

export interface BounceReport {
  /** The recipients the report says failed permanently (Action: failed / Status 5.x.x). */
  failedRecipients: string[];
  status: string | null;
  diagnostic: string | null;
  /** Message-IDs of the mail that bounced (Original-Message-ID, or the returned headers). */
  originalMessageIds: string[];
}

const MAX_SUBJECT = 250;

/**
 * Chinese mail labelled GB2312 (or GBK) routinely carries GBK/GB18030-only bytes (an en-dash, rare
 * names): decoding by the label fails the message or garbles it (Zammad #6054). GB18030 is a strict
 * superset of both, so the labels are rewritten to it before parsing; the stored raw message is untouched.
 */
export function widenChineseCharsets(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const widened = text
    .replace(/(charset\s*=\s*"?)(?:gb2312|gbk|x-gbk|cp936|euc-cn|gb_2312-80|csgb2312)("?)/gi, '$1gb18030$2')
    .replace(/=\?(?:gb2312|gbk|x-gbk|cp936|euc-cn)\?/gi, '=?gb18030?');
  return widened === text ? raw : Buffer.from(widened, 'latin1');
}

/** Parses a raw RFC 5322 message; never throws for content (a defective message parses as far as it can). */
export async function parseInbound(raw: Buffer): Promise<ParsedInbound> {
  const source = decodeRawHeaderBytes(widenChineseCharsets(raw));
  // Loaded with the first message parsed: an idle server that has parsed none does not hold it (some 7 MB of heap).
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, maxHtmlLengthToParse: 2 * 1024 * 1024 })
    .catch((error: unknown) => {
      // The MIME splitter's own limits (a header section over 1 MB, too many parts) give the same
      // answer on every try: a permanent refusal, so the message is parked at once (issue 12 #16).
      if ((error as { code?: unknown }).code === 'EMAXLEN') {
        throw mailErrors.mailTooComplex(`The message exceeds the MIME parser's limits: ${(error as Error).message}`, undefined, { cause: error });
      }
      throw error;
    });
  const headers = new Map<string, string>();
  for (const line of mail.headerLines) headers.set(line.key.toLowerCase(), unfold(line.line.slice(line.line.indexOf(':') + 1)));

  const html = typeof mail.html === 'string' && mail.html.trim() ? sanitizeUserHtml(mail.html) : null;
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const text = (mail.text?.trim() ? mail.text : html ? htmlToText(html) : '').replace(/\r\n/g, '\n').replace(/\u0000/g, '').trim();
  const messageId = cleanId(mail.messageId);
  const inReplyTo = idsIn(typeof mail.inReplyTo === 'string' ? mail.inReplyTo : '');
  const references = (Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : []).flatMap(idsIn).reverse();
  return {
    messageId,
    threadIds: [...new Set([...inReplyTo, ...references])].filter((id) => id !== messageId),
    from: firstAddress(mail.from) ?? firstAddress(mail.replyTo ?? undefined) ?? envelopeLikeSender(headers),
    subject: safeSubject(mail.subject ?? ''),
    text,
    visibleText: visibleReply(text),
    html,
    attachments: mail.attachments.filter((a) => !isReportPart(a)).map(toAttachment),
    headers,
    bounce: isDeliveryReport(mail.headers.get('content-type')) ? bounceReport(raw.toString('latin1')) : null,
    authenticationResults: mail.headerLines.filter((line) => line.key.toLowerCase() === 'authentication-results')
      .map((line) => unfold(line.line.slice(line.line.indexOf(':') + 1))),
  };
}

/**
 * Headers written as raw 8-bit bytes (RFC 6532 allows UTF-8; old clients send GBK/Big5 bytes) are
 * decoded here: UTF-8 when the bytes are valid UTF-8, else GB18030, then re-encoded as RFC 2047
 * words so the parser sees one well-formed header section.
 */
export function decodeRawHeaderBytes(raw: Buffer): Buffer {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end);
  if (!head.some((b) => b >= 0x80)) return raw;
  const lines = head.toString('latin1').split(/(?<=\n)/);
  const rewritten = lines.map((line) => {
    if (!/[\x80-\xff]/.test(line)) return line;
    const bytes = Buffer.from(line, 'latin1');
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    let decoded: string;
    try { decoded = utf8.decode(bytes); } catch { decoded = new TextDecoder('gb18030').decode(bytes); }
    const colon = decoded.indexOf(':');
    if (colon < 0 || /^\s/.test(decoded)) return encodeWords(decoded);
    return `${decoded.slice(0, colon + 1)} ${encodeWords(decoded.slice(colon + 1).trim())}${/\r?\n$/.exec(decoded)?.[0] ?? ''}`;
  });
  return Buffer.concat([Buffer.from(rewritten.join(''), 'latin1'), raw.subarray(end)]);
}

/** Non-ASCII runs as RFC 2047 base64 words; structure characters (<, >, @, commas) stay as they are. */
function encodeWords(value: string): string {
  const trailing = /\r?\n$/.exec(value)?.[0] ?? '';
  const body = value.slice(0, value.length - trailing.length);
  // eslint-disable-next-line no-control-regex -- the ASCII range, written from \x00
  return body.replace(/[^\x00-\x7f]+(?:\s+[^\x00-\x7f]+)*/g, (run) => `=?UTF-8?B?${Buffer.from(run, 'utf8').toString('base64')}?=`) + trailing;
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf >= 0 ? crlf + 4 : -1, lf >= 0 ? lf + 2 : -1].filter((n) => n >= 0);
  return ends.length ? Math.min(...ends) : raw.length;
}

/** Subjects are shown, searched and put into reply headers: no control characters (CR/LF injection), bounded length. */
export function safeSubject(subject: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return withoutBidiControls(subject).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim().slice(0, MAX_SUBJECT);
}

/** Message-IDs are stored bare (no angle brackets, no spaces or control characters). */
export function cleanId(id: string | undefined | null): string | null {
  if (!id) return null;
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const bare = id.trim().replace(/^<|>$/g, '').replace(/[\s\u0000-\u001f<>]/g, '');
  return bare && bare.length <= 250 ? bare : null;
}

function idsIn(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  const ids = bracketed.length ? bracketed : value.split(/\s+/);
  return ids.map(cleanId).filter((id): id is string => !!id);
}

function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').trim();
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): { address: string; name: string } | null {
  for (const group of [field ?? []].flat()) {
    for (const entry of group.value) {
      const found = entry.address ? entry : entry.group?.find((g) => g.address);
      if (found?.address && /^[^\s@]+@[^\s@]+$/.test(found.address)) {
        return { address: found.address.toLowerCase(), name: safeSubject(found.name || '').slice(0, 120) };
      }
    }
  }
  return null;
}

function envelopeLikeSender(headers: Map<string, string>): { address: string; name: string } | null {
  const sender = /<?([^\s<>@]+@[^\s<>@]+)>?/.exec(headers.get('sender') ?? '')?.[1];
  return sender ? { address: sender.toLowerCase(), name: '' } : null;
}

/**
 * The part of a reply the customer wrote: stops at the first quote header ("On … wrote:", Outlook's
 * "-----Original Message-----" and "From:" blocks, 在…写道, 原始邮件), drops `>`-quoted lines and
 * cuts the signature after "-- ". Falls back to the whole text when nothing would be left.
 */
export function visibleReply(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  for (const [i, line] of lines.entries()) {
    const trimmed = line.trim();
    if (line === '-- ' || line === '--') break;
    if (/^-{2,}\s*(original message|forwarded message|原始邮件|转发邮件)\s*-{2,}$/i.test(trimmed)) break;
    if (/^(on\s.+wrote:|在.+写道[:：]?|.+于.+写道[:：]?)$/i.test(trimmed)) break;
    // "On Mon, 1 Jan 2026, Someone <a@b>" wraps onto a second line ending in "wrote:".
    if (/^on\s/i.test(trimmed) && /wrote:$/i.test(lines[i + 1]?.trim() ?? '')) break;
    if (/^(from|发件人)[:：]\s*\S/i.test(trimmed) && /^(sent|date|发送时间|日期)[:：]/i.test(lines[i + 1]?.trim() ?? '')) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line);
  }
  const visible = kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  return visible || text;
}

function toAttachment(a: Attachment, index: number): InboundAttachment {
  const contentId = a.contentId ? cleanId(a.contentId) : null;
  const named = a.filename?.trim();
  return {
    filename: named || `${contentId && a.related ? 'inline' : 'attachment'}-${index + 1}${extensionFor(a.contentType)}`,
    contentType: a.contentType,
    content: a.content,
    contentId,
    inline: a.contentDisposition === 'inline' || !!(contentId && a.related),
  };
}

function extensionFor(type: string): string {
  const known: Record<string, string> = {
    'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp', 'application/pdf': '.pdf',
    'text/plain': '.txt', 'message/rfc822': '.eml', 'text/calendar': '.ics', 'text/html': '.html',
  };
  return known[type.toLowerCase()] ?? '.bin';
}

function isDeliveryReport(contentType: HeaderValue | undefined): boolean {
  const value = contentType as { value?: string; params?: Record<string, string> } | undefined;
  return value?.value?.toLowerCase() === 'multipart/report' && value.params?.['report-type']?.toLowerCase() === 'delivery-status';
}

function isReportPart(a: Attachment): boolean {
  return a.contentType === 'message/delivery-status';
}

/** Reads the machine-readable fields of an RFC 3464 report and the returned message's Message-ID. */
export function bounceReport(raw: string): BounceReport {
  const field = (name: string) => [...raw.matchAll(new RegExp(`^${name}:[ \\t]*(.+(?:\\r?\\n[ \\t]+.+)*)`, 'gim'))].map((m) => unfold(m[1]!));
  const statuses = field('Status');
  const actions = field('Action').map((a) => a.toLowerCase());
  const finals = field('Final-Recipient').map((r) => r.replace(/^rfc822\s*;\s*/i, '').replace(/[<>]/g, '').trim().toLowerCase());
  const failed = finals.filter((_, i) => actions[i] === 'failed' || statuses[i]?.startsWith('5'));
  const returnedIds = field('Message-ID').slice(1).map(cleanId);
  return {
    failedRecipients: [...new Set(failed.filter((r) => /^[^\s@]+@[^\s@]+$/.test(r)))],
    status: statuses[0] ?? null,
    diagnostic: field('Diagnostic-Code')[0]?.slice(0, 500) ?? null,
    originalMessageIds: [...new Set([...field('Original-Message-ID').map(cleanId), ...returnedIds].filter((id): id is string => !!id))],
  };
}
