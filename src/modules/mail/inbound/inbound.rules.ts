import { createHash } from 'node:crypto';
import { cleanId, type ParsedInbound } from './inbound.parse.js';

/**
 * Why a message must not get an automatic answer, or null when it may: auto-replies, bounces,
 * mailing lists and bulk mail (RFC 3834, RFC 2369/2919, Microsoft's X-Auto-Response-Suppress),
 * and mail from ourselves. Answering any of these is how two autoresponders loop.
 */
export function autoreplySuppression(mail: ParsedInbound, envelopeFrom: string | null, ownAddresses: ReadonlySet<string>): string | null {
  const h = (name: string) => mail.headers.get(name)?.trim().toLowerCase();
  const autoSubmitted = h('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto-submitted';
  if (mail.bounce) return 'bounce';
  const precedence = h('precedence');
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `precedence-${precedence}`;
  const suppress = h('x-auto-response-suppress');
  if (suppress && /\b(all|autoreply|oof)\b/.test(suppress)) return 'x-auto-response-suppress';
  if (mail.headers.has('list-id') || mail.headers.has('list-unsubscribe')) return 'mailing-list';
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond') || h('x-auto-reply') === 'yes') return 'auto-submitted';
  // RFC 3834 §2: a null reverse-path means the message is itself a notification.
  if (envelopeFrom === '' || h('return-path') === '<>') return 'null-return-path';
  const from = mail.from?.address;
  if (!from) return 'no-sender';
  if (ownAddresses.has(from)) return 'own-address';
  if (/^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@/i.test(from)) return 'system-sender';
  return null;
}

/** A delivery-status notification, or something that looks like one from a mail system. */
export function isBounce(mail: ParsedInbound): boolean {
  return !!mail.bounce || /^(mailer-daemon|postmaster)@/i.test(mail.from?.address ?? '') && /undeliver|delivery (status|failure)|returned mail|退信|未能送达/i.test(mail.subject);
}

/** Cheap look at the raw header section for the Message-ID, before anything is parsed (the dedupe key at receipt). */
export function rawMessageId(raw: Buffer): string | null {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const section = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  // The same cleaning as the parsed id: a NUL or other control byte would make the insert fail
  // (Postgres refuses NUL in text) and the sender retry forever.
  return cleanId(/^message-id:[ \t]*<?([^\s<>]+)>?/im.exec(section)?.[1]);
}

/**
 * Header fields that differ between two deliveries of one message: the trace fields relays put on
 * top of it on its way (RFC 5321 §4.4, RFC 5322 §3.6.7) and the like that receiving systems
 * prepend, and the Date a sender that composes the message again for its retry stamps anew
 * (nodemailer does, unless given one).
 */
const DELIVERY_FIELD = /^(received|return-path|delivered-to|x-original-to|authentication-results|arc-[a-z-]+|received-spf|x-received|x-spam-[a-z-]+|date)[ \t]*:/i;

/**
 * A fingerprint of the message as its author sent it: SHA-256 of the raw message without the
 * header fields above. Two deliveries of one message (a client retrying after a lost 250, a relay
 * sending its queued copy again, the IMAP poller meeting it twice) agree; two different messages
 * that share a Message-ID do not.
 */
export function contentFingerprint(raw: Buffer): string {
  const hash = createHash('sha256');
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf(0x0a, offset);
    // The header section ends at the first empty line (or a message with no body).
    if (lineEnd < 0 || lineEnd === offset || (lineEnd === offset + 1 && raw[offset] === 0x0d)) break;
    // A field goes on over its folded lines (those starting with a space or a tab).
    let next = lineEnd + 1;
    while (raw[next] === 0x20 || raw[next] === 0x09) {
      const end = raw.indexOf(0x0a, next);
      next = end < 0 ? raw.length : end + 1;
    }
    if (!DELIVERY_FIELD.test(raw.subarray(offset, Math.min(lineEnd, offset + 64)).toString('latin1'))) hash.update(raw.subarray(offset, next));
    offset = next;
  }
  return hash.update(raw.subarray(offset)).digest('hex');
}
