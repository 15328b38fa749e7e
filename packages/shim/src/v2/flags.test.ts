import { encode, messageType } from '../proto';
import { parseFlags } from './flags';
import { runtimeOptionsFromBytes, RUNC_OPTIONS_TYPE } from './options';
import { shimPlace } from './paths';

describe('shim command line', () => {
  it('reads containerd 1.6\'s start and delete command lines', () => {
    expect(parseFlags(['-namespace', 'default', '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd', '-id', 'c1', '-debug', 'start']))
      .toMatchObject({ namespace: 'default', address: '/run/containerd/containerd.sock', publishBinary: '/usr/bin/containerd', id: 'c1', debug: true, action: 'start' });
    expect(parseFlags(['--namespace=ns', '-id=c2', '-bundle', '/b', 'delete'])).toMatchObject({ namespace: 'ns', id: 'c2', bundle: '/b', debug: false, action: 'delete' });
  });

  it('names what is wrong', () => {
    expect(() => parseFlags(['-nope', 'x'])).toThrow('flag provided but not defined: -nope');
    expect(() => parseFlags(['-id'])).toThrow('flag needs an argument: -id');
    expect(() => parseFlags(['start', 'extra'])).toThrow(/unexpected arguments after start: extra/);
  });
});

describe('runtime options from stdin', () => {
  it('takes binary_name and root from runc\'s Options; notes what it ignores', () => {
    const value = encode(messageType(RUNC_OPTIONS_TYPE), { binary_name: '/usr/bin/hull', root: '/run/x', systemd_cgroup: true });
    const any = encode(messageType('google.protobuf.Any'), { type_url: `containerd.runc.v1.Options`, value });
    const o = runtimeOptionsFromBytes(any);
    expect(o).toMatchObject({ binaryName: '/usr/bin/hull', root: '/run/x' });
    expect(o.ignored).toEqual(['option systemd_cgroup: not supported by hull\'s shim']);
  });

  it('empty stdin means defaults; another type is ignored with a reason', () => {
    expect(runtimeOptionsFromBytes(Buffer.alloc(0))).toEqual({ binaryName: '', root: '', ignored: [] });
    const any = encode(messageType('google.protobuf.Any'), { type_url: 'example.com/Other', value: Buffer.from([8, 1]) });
    expect(runtimeOptionsFromBytes(any).ignored[0]).toMatch(/example.com\/Other: not understood/);
  });
});

describe('shim places', () => {
  it('one socket per containerd, namespace and group; socket paths fit sun_path', () => {
    const a = shimPlace('/run/containerd/containerd.sock.ttrpc', 'default', '');
    expect(shimPlace('/run/containerd/containerd.sock.ttrpc', 'default', '')).toEqual(a);
    expect(shimPlace('/other.sock.ttrpc', 'default', '').socket).not.toBe(a.socket);
    expect(shimPlace('/run/containerd/containerd.sock.ttrpc', 'k8s.io', '').socket).not.toBe(a.socket);
    expect(shimPlace('/run/containerd/containerd.sock.ttrpc', 'default', 'pod1').socket).not.toBe(a.socket);
    expect(a.socket.length).toBeLessThan(108);
    expect(a.runtimeRoot).toBe('/run/containerd/hull/default');
    expect(shimPlace('/x', 'default', '', '/custom').runtimeRoot).toBe('/custom');
  });
});
