import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * The HTTP side of a delivery: one POST, bounded in time and in what is read back, to a target
 * that is checked against private address ranges (SSRF) when those are not allowed.
 */

/**
 * Addresses a webhook must not reach unless private targets are allowed: loopback, private and
 * carrier-grade NAT ranges, link-local (cloud metadata at 169.254.169.254), documentation,
 * benchmarking, multicast and reserved ranges. IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked
 * against the IPv4 rules by BlockList itself.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  const embedded = embeddedIpv4(address);
  return PRIVATE.check(address, 'ipv6') || (embedded !== undefined && PRIVATE.check(embedded, 'ipv4'));
}

/**
 * The IPv4 address inside the IPv6 forms that translators and tunnels route to it (issue 12 #14):
 * NAT64 (64:ff9b::/96), 6to4 (2002::/16, bits 16–47), SIIT IPv4-translated (::ffff:0:0:0/96) and
 * IPv4-mapped (::ffff:0:0/96). `64:ff9b::127.0.0.1` reaches 127.0.0.1 through a NAT64 gateway.
 */
function embeddedIpv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  if (zero(0, 4) && words[4] === 0xffff && words[5] === 0) return v4(words[6]!, words[7]!);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6]!, words[7]!);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (a dotted IPv4 tail included). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return undefined;
  return [...left, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...right].map((w) => parseInt(w, 16));
}

/** A delivery that cannot go out because its target is (or resolves to) a private address. */
export class TargetForbiddenError extends Error {
  readonly code = 'WEBHOOK_TARGET_FORBIDDEN';
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to ${address}, a private or reserved address`);
    this.name = 'TargetForbiddenError';
  }
}

/** The host of a URL as an address when it is a literal (URL keeps IPv6 in brackets). */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? host : undefined;
}

/**
 * A `lookup` for the socket itself: the addresses checked are the addresses connected to, so a DNS
 * answer that changes between a check and the connection (DNS rebinding) cannot slip through.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const forbidden = addresses.find((a) => isPrivateAddress(a.address));
    if (forbidden) return callback(new TargetForbiddenError(hostname, forbidden.address), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    return callback(null, first.address, first.family);
  });
};

/**
 * The check when a webhook is saved, so an admin hears at once that a URL will never be
 * delivered to. A host that does not resolve (yet) passes: delivery checks again, every time.
 */
export async function assertPublicTarget(url: URL, timeoutMs = 3_000): Promise<void> {
  const literal = literalAddress(url);
  if (literal) {
    if (isPrivateAddress(literal)) throw new TargetForbiddenError(url.hostname, literal);
    return;
  }
  const addresses = await Promise.race([
    new Promise<LookupAddress[]>((resolve) => dnsLookup(url.hostname, { all: true }, (err, found) => resolve(err ? [] : found))),
    new Promise<LookupAddress[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref()),
  ]);
  const forbidden = addresses.find((a) => isPrivateAddress(a.address));
  if (forbidden) throw new TargetForbiddenError(url.hostname, forbidden.address);
}

export interface SendResult {
  /** Null when no response came (timeout, refused connection, forbidden target …). */
  status: number | null;
  excerpt: string | null;
  /** Why there was no usable response: `timeout`, `target_forbidden`, or the socket error's code. */
  error: string | null;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/** How much of a response body is read (the rest is dropped) and how much of it is kept. */
const READ_LIMIT_BYTES = 64 * 1024;
const EXCERPT_CHARS = 500;

/**
 * POSTs `body` and never throws: the outcome, good or bad, is data for the delivery log. The
 * timeout covers everything (DNS, connect, TLS, headers, body); redirects are not followed.
 */
export function postJson(target: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise<SendResult>((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      resolve({ status: null, excerpt: null, error: 'invalid_url', durationMs: 0 });
      return;
    }
    if (!options.allowPrivateTargets) {
      // The socket skips `lookup` for a literal address, so literals are checked here.
      const literal = literalAddress(url);
      if (literal && isPrivateAddress(literal)) {
        resolve({ status: null, excerpt: null, error: 'target_forbidden', durationMs: elapsed() });
        return;
      }
    }
    const signal = AbortSignal.timeout(options.timeoutMs);
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers },
      signal,
      // A fresh connection per delivery: no pooled socket outlives the check of its address.
      agent: false,
      ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup }),
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS)
          // eslint-disable-next-line no-control-regex
          .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
        resolve({ status: response.statusCode ?? null, excerpt: text || null, error: null, durationMs: elapsed() });
      };
      response.on('data', (chunk: Buffer) => {
        if (size < READ_LIMIT_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= READ_LIMIT_BYTES) {
          response.destroy();
          done();
        }
      });
      response.on('end', done);
      // The status line arrived; a body cut short (timeout, reset) still leaves a usable status.
      response.on('error', done);
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      const error = signal.aborted ? 'timeout'
        : err instanceof TargetForbiddenError || err.cause instanceof TargetForbiddenError ? 'target_forbidden'
          : err.code ?? err.name;
      resolve({ status: null, excerpt: null, error, durationMs: elapsed() });
    });
    request.end(body);
  });
}
