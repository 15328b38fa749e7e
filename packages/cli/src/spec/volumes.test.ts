import { parseMountFlag, parseVolumeFlag } from './volumes';
import { formatPort, parsePublish } from './ports';

describe('-v and --mount', () => {
  it('tells binds, named and anonymous volumes apart', () => {
    expect(parseVolumeFlag('/h:/c:ro')).toEqual({ kind: 'mount', mount: { destination: '/c', type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'ro'] } });
    expect(parseVolumeFlag('data:/var/data/')).toEqual({ kind: 'volume', name: 'data', destination: '/var/data/', readonly: false });
    expect(parseVolumeFlag('data:/d:ro')).toMatchObject({ kind: 'volume', readonly: true });
    expect(parseVolumeFlag('/scratch')).toEqual({ kind: 'volume', name: '', destination: '/scratch', readonly: false });
    expect(() => parseVolumeFlag('data:rel')).toThrow("the container path 'rel' must be absolute");
    expect(() => parseVolumeFlag('dd:/x:rx')).toThrow('invalid mode: rx');
    expect(() => parseVolumeFlag('a')).toThrow("invalid volume specification: 'a'");
  });
  it('reads --mount fields with docker\'s aliases', () => {
    expect(parseMountFlag('type=volume,src=v1,dst=/data,readonly')).toEqual({ kind: 'volume', name: 'v1', destination: '/data', readonly: true });
    expect(parseMountFlag('target=/anon')).toEqual({ kind: 'volume', name: '', destination: '/anon', readonly: false });
    expect(parseMountFlag('type=bind,source=/h,target=/c,readonly=false')).toMatchObject({ kind: 'mount', mount: { type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'rw'] } });
    expect(parseMountFlag('type=tmpfs,target=/t,tmpfs-size=1m')).toMatchObject({ kind: 'mount', mount: { type: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=1m'] } });
    expect(() => parseMountFlag('type=bind,target=/c')).toThrow('source is required for a bind mount');
    expect(() => parseMountFlag('type=volume,target=/c,colour=red')).toThrow("unexpected key 'colour'");
    expect(() => parseMountFlag('type=volume,target=/c,readonly=maybe')).toThrow('invalid value for readonly: maybe');
  });
});

describe('-p', () => {
  it('reads docker\'s forms', () => {
    expect(parsePublish('8080:80')).toEqual([{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('127.0.0.1:8080:80/udp')).toEqual([{ hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
    expect(parsePublish('80')).toEqual([{ hostIP: '', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('127.0.0.1::80')).toEqual([{ hostIP: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('9000-9001:80-81').map((p) => `${p.hostPort}:${p.containerPort}`)).toEqual(['9000:80', '9001:81']);
    expect(() => parsePublish('9000-9002:80-81')).toThrow('invalid ranges specified');
    expect(() => parsePublish('80/sctp')).toThrow('invalid proto: sctp');
    expect(() => parsePublish('x:80:80')).toThrow('invalid IP address: x');
    expect(formatPort({ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' })).toBe('0.0.0.0:8080->80/tcp');
  });
});
