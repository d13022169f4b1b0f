import { randomUUID } from 'node:crypto';
import { mailErrors } from '../mail.errors.js';

/**
 * Header values Kefu writes into outbound mail. Everything here is about one risk: a CR or LF in a
 * value would end the header and let the rest inject new headers (or a body). Addresses are
 * refused when malformed; free text (subjects, display names) is folded to one line.
 */

/** A bare addr-spec: dot-atom local part, a domain of labels. Quoted local parts and IP literals are not accepted. */
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$|^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@localhost$/;
const NAMED = /^\s*"?([^"<>]*?)"?\s*<([^<>]+)>\s*$/;
/** A msg-id without its angle brackets: id-left "@" id-right, printable, no spaces or brackets. */
const MESSAGE_ID = /^[\x21-\x3b\x3d\x3f-\x7e]{1,250}@[\x21-\x3b\x3d\x3f-\x7e]{1,250}$/;

export interface Mailbox {
  address: string;
  name?: string;
}

export function isAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value);
}

/** `a@b.example` or `Name <a@b.example>`; undefined when it is neither (or holds a line break). */
export function parseMailbox(value: string): Mailbox | undefined {
  if (/[\r\n\0]/.test(value)) return undefined;
  const trimmed = value.trim();
  if (isAddress(trimmed)) return { address: trimmed.toLowerCase() };
  const named = NAMED.exec(trimmed);
  if (!named || !isAddress(named[2]!.trim())) return undefined;
  const name = oneLine(named[1]!);
  return name ? { address: named[2]!.trim().toLowerCase(), name } : { address: named[2]!.trim().toLowerCase() };
}

export function requireMailbox(value: string, field: string): Mailbox {
  const mailbox = parseMailbox(value);
  if (!mailbox) throw mailErrors.mailAddressInvalid('This is not a valid e-mail address', [{ path: field, message: 'an address like name@example.com, or "Name <name@example.com>"' }]);
  return mailbox;
}

/** How a mailbox is stored and shown: `Name <address>` or the bare address (nodemailer encodes non-ASCII names). */
export function formatMailbox(mailbox: Mailbox): string {
  return mailbox.name ? `"${mailbox.name.replace(/["\\]/g, '')}" <${mailbox.address}>` : mailbox.address;
}

/** Control characters (CR and LF above all) become spaces, runs of spaces one, and the line is capped. */
export function oneLine(value: string, max = 400): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim().slice(0, max);
}

/** Message-IDs are stored bare (no angle brackets), as mail_message_ids keeps them; anything malformed is dropped. */
export function bareMessageId(value: string): string | undefined {
  const bare = value.trim().replace(/^<(.*)>$/, '$1');
  return MESSAGE_ID.test(bare) ? bare : undefined;
}

export function newMessageId(domain: string): string {
  return `${randomUUID()}@${domain}`;
}

/**
 * RFC 5322 §3.6.4: References lists the parent's references then the parent. Long threads are
 * trimmed as RFC 5322 suggests clients do: keep the first (the thread's root) and the latest ones.
 */
export function referencesChain(ids: readonly string[], max = 20): string[] {
  const unique = [...new Set(ids)];
  return unique.length <= max ? unique : [unique[0]!, ...unique.slice(unique.length - (max - 1))];
}

/** "Re: Re: 回复：Hello" → "Hello", so the reply template adds exactly one prefix. */
export function withoutReplyPrefix(subject: string): string {
  return subject.replace(/^(?:\s*(?:re|aw|sv|fw|fwd)\s*:\s*|\s*(?:回复|答复|转发)\s*[:：]\s*)+/i, '');
}
