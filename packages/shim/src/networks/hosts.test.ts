import { containerResolvConf, renderHosts } from './hosts';

describe('hosts and resolv.conf', () => {
  it('lists localhost, the container under its hostname and name, then each peer once per name', () => {
    const text = renderHosts({ hostname: 'abc123', name: 'web', ips: ['10.0.0.2'] }, [{ ip: '10.0.0.3', names: ['db', 'database', 'db', 'f00'] }]);
    expect(text).toBe('127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.2\tabc123 web\n10.0.0.3\tdb database f00\n');
  });
  it('drops loopback name servers, which mean nothing in the container\'s namespace', () => {
    expect(containerResolvConf('search lan\nnameserver 127.0.0.53\nnameserver 10.1.1.1\nnameserver ::1\n')).toBe('search lan\nnameserver 10.1.1.1\n');
  });
});
