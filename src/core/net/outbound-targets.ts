import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * The one check for every place Kefu connects to a target a workspace admin typed in (webhook
 * URLs, a chat channel's outbound URL, IMAP hosts): such a target must not reach loopback, the
 * private network or cloud metadata (SSRF), unless the operator allows those addresses
 * (KEFU_PRIVATE_TARGETS: `all`, or a list of addresses and CIDR ranges such as an IMAP server on
 * the office network).
 */

/**
 * Loopback, private and carrier-grade NAT ranges, link-local (cloud metadata at 169.254.169.254),
 * documentation, benchmarking, multicast and reserved ranges. IPv4-mapped IPv6 (::ffff:10.0.0.1)
 * is checked against the IPv4 rules by BlockList itself.
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

/** A connection that must not be made: its target is (or resolves to) a private address the operator did not allow. */
export class TargetForbiddenError extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to ${address}, a private or reserved address`);
    this.name = 'TargetForbiddenError';
  }
}

/** `all`, or the private addresses and CIDR ranges that may be reached anyway (config.ts validates the entries). */
export type PrivateTargetsSetting = 'all' | readonly string[];

export class OutboundTargets {
  private readonly allowed = new BlockList();
  private readonly allowsAll: boolean;

  constructor(setting: PrivateTargetsSetting) {
    this.allowsAll = setting === 'all';
    if (setting === 'all') return;
    for (const entry of setting) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.allowed.addAddress(address, family);
      else this.allowed.addSubnet(address, Number(prefix), family);
    }
  }

  /** Whether a connection to this address may be made. */
  permits(address: string): boolean {
    if (this.allowsAll || !isPrivateAddress(address)) return true;
    return this.allowed.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }

  /** Nothing is checked (KEFU_PRIVATE_TARGETS=all): callers may skip their own lookups. */
  get checksNothing(): boolean {
    return this.allowsAll;
  }

  /**
   * A `lookup` for the socket itself: the addresses checked are the addresses connected to, so a
   * DNS answer that changes between a check and the connection (DNS rebinding) cannot slip through.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const forbidden = addresses.find((a) => !this.permits(a.address));
      if (forbidden) return callback(new TargetForbiddenError(hostname, forbidden.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };

  /**
   * The check when a target is saved, so an admin hears at once that it will never be reached. A
   * host that does not resolve (yet) passes: every connection checks again.
   */
  async assertPermitted(host: string, timeoutMs = 3_000): Promise<void> {
    if (this.allowsAll) return;
    const literal = host.replace(/^\[|\]$/g, '');
    const addresses = isIP(literal) ? [literal] : (await resolveAll(host, timeoutMs)).map((a) => a.address);
    const forbidden = addresses.find((address) => !this.permits(address));
    if (forbidden) throw new TargetForbiddenError(host, forbidden);
  }

  /**
   * The address to connect to for a client that takes no `lookup` (IMAP): resolved and checked
   * here, and connected to as is, so the check and the connection see the same address.
   */
  async resolve(host: string, timeoutMs = 10_000): Promise<string> {
    const literal = host.replace(/^\[|\]$/g, '');
    if (this.allowsAll) return host;
    if (isIP(literal)) {
      if (!this.permits(literal)) throw new TargetForbiddenError(host, literal);
      return literal;
    }
    const addresses = await resolveAll(host, timeoutMs);
    const forbidden = addresses.find((a) => !this.permits(a.address));
    if (forbidden) throw new TargetForbiddenError(host, forbidden.address);
    const first = addresses[0];
    if (!first) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
    return first.address;
  }
}

/** Every address a name resolves to; none when it does not resolve in time. */
function resolveAll(host: string, timeoutMs: number): Promise<LookupAddress[]> {
  return Promise.race([
    new Promise<LookupAddress[]>((resolve) => dnsLookup(host, { all: true }, (err, found) => resolve(err ? [] : found))),
    new Promise<LookupAddress[]>((resolve) => setTimeout(() => resolve([]), timeoutMs).unref()),
  ]);
}
