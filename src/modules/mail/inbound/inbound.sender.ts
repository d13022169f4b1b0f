import type { ParsedInbound } from './inbound.parse.js';

/**
 * Whether the From address of a message can be believed enough to add it to that customer's
 * existing ticket (issue 12 #6); anyone can write any From. Two sources, in order:
 * - with `authservId` set (the receiving MTA's id, RFC 8601), that MTA's Authentication-Results:
 *   DMARC pass, or DKIM pass for the From domain, or SPF pass for an aligned envelope sender;
 *   a header with another id may come from the sender and is not read;
 * - without it, envelope alignment: the SMTP envelope sender (or, for IMAP, the Return-Path the
 *   delivering server wrote) must be in the From address's domain.
 * A message that fails opens a ticket of its own instead; nothing is lost.
 */
export function senderVerified(mail: ParsedInbound, from: string, envelopeFrom: string | null, authservId: string | undefined): boolean {
  const fromDomain = domainOf(from);
  if (!fromDomain) return false;
  if (authservId) {
    const results = authenticationResults(mail, authservId);
    if (!results) return false;
    if (/\bdmarc=pass\b/i.test(results)) return true;
    const dkimDomain = /\bdkim=pass\b[^;]*?\bheader\.(?:d|i)=@?([^\s;]+)/i.exec(results)?.[1];
    if (dkimDomain && aligned(fromDomain, domainOf(dkimDomain) ?? dkimDomain)) return true;
    const spfDomain = /\bspf=pass\b[^;]*?\bsmtp\.mailfrom=([^\s;]+)/i.exec(results)?.[1];
    return !!spfDomain && aligned(fromDomain, domainOf(spfDomain) ?? spfDomain);
  }
  const envelope = envelopeFrom || /<([^<>\s]*)>/.exec(mail.headers.get('return-path') ?? '')?.[1] || null;
  const envelopeDomain = envelope ? domainOf(envelope) : null;
  return !!envelopeDomain && aligned(fromDomain, envelopeDomain);
}

/** The results our own MTA wrote (the first header with its id: receivers add theirs on top). */
function authenticationResults(mail: ParsedInbound, authservId: string): string | undefined {
  const id = authservId.toLowerCase();
  return mail.authenticationResults.find((value) => value.trim().split(/[\s;]/)[0]?.toLowerCase() === id);
}

function domainOf(address: string): string | null {
  const domain = address.includes('@') ? address.slice(address.lastIndexOf('@') + 1) : address;
  return /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain) ? domain.toLowerCase() : null;
}

/** Relaxed alignment (DMARC's sense, without the public-suffix list): one domain is the other or its parent. */
function aligned(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}
