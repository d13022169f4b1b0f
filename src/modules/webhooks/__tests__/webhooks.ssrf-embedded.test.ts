import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../../core/net/outbound-targets.js';

// Issue 12 #14: IPv6 forms that a translator or tunnel turns into an IPv4 address reach that address.
describe('IPv6 forms carrying an IPv4 address', () => {
  it.each([
    '64:ff9b::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', // NAT64 to loopback and cloud metadata
    '2002:7f00:1::', '2002:a00:1::1', '2002:c0a8:101::', // 6to4 around 127.0.0.1, 10.0.0.1, 192.168.1.1
    '::ffff:0:127.0.0.1', '::ffff:0:a00:1', // SIIT IPv4-translated
    '::ffff:169.254.169.254', // IPv4-mapped
  ])('%s is refused', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['64:ff9b::8.8.8.8', '2002:808:808::1', '::ffff:0:8.8.8.8'])('%s (a public IPv4 inside) is allowed', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});
