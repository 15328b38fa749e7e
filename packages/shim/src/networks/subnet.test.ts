import { formatCidr, freeSubnet, gatewayOf, overlaps, parseCidr } from './subnet';

describe('subnets', () => {
  it('parses CIDRs and refuses host bits, bad prefixes and non-addresses', () => {
    expect(formatCidr(parseCidr('10.1.2.0/24'))).toBe('10.1.2.0/24');
    expect(() => parseCidr('10.1.2.3/24')).toThrow('invalid subnet 10.1.2.3/24: it has host bits set (the network is 10.1.2.0/24)');
    expect(() => parseCidr('10.1.2.0/31')).toThrow('prefix length from 8 to 30');
    expect(() => parseCidr('300.1.2.0/24')).toThrow('invalid subnet 300.1.2.0/24');
    expect(() => parseCidr('fd00::/64')).toThrow('an IPv4 CIDR');
  });
  it('finds overlaps both ways', () => {
    expect(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.5.0.0/16'))).toBe(true);
    expect(overlaps(parseCidr('10.5.0.0/16'), parseCidr('10.0.0.0/8'))).toBe(true);
    expect(overlaps(parseCidr('10.5.0.0/24'), parseCidr('10.5.1.0/24'))).toBe(false);
  });
  it('takes the first address as gateway, or checks the one given', () => {
    const c = parseCidr('192.168.7.0/24');
    expect(gatewayOf(c, '')).toBe('192.168.7.1');
    expect(gatewayOf(c, '192.168.7.254')).toBe('192.168.7.254');
    expect(() => gatewayOf(c, '192.168.8.1')).toThrow('invalid gateway 192.168.8.1: not a host address of subnet 192.168.7.0/24');
    expect(() => gatewayOf(c, '192.168.7.255')).toThrow('not a host address');
    expect(() => gatewayOf(c, '192.168.7.0')).toThrow('not a host address');
  });
  it('hands out the next free /24 of the pool', () => {
    const pool = parseCidr('10.211.0.0/16');
    expect(formatCidr(freeSubnet(pool, [])!)).toBe('10.211.0.0/24');
    expect(formatCidr(freeSubnet(pool, [parseCidr('10.211.0.0/24'), parseCidr('10.211.1.0/25')])!)).toBe('10.211.2.0/24');
    expect(freeSubnet(parseCidr('10.211.0.0/23'), [parseCidr('10.211.0.0/23')])).toBeUndefined();
  });
});
