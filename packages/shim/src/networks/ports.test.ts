import { assignPorts } from './ports';

describe('assignPorts', () => {
  const tcp = (hostPort: number, containerPort: number, hostIP = '') => ({ hostIP, hostPort, containerPort, protocol: 'tcp' as const });

  it('keeps given ports and fills 0 with a free one', async () => {
    const [a, b] = await assignPorts([tcp(8080, 80), tcp(0, 81, '127.0.0.1')], []);
    expect(a).toEqual(tcp(8080, 80));
    expect(b!.hostPort).toBeGreaterThan(0);
  });

  it('refuses a port published already, on the same or every address, and within one request', async () => {
    await expect(assignPorts([tcp(8080, 80, '127.0.0.1')], [tcp(8080, 90)])).rejects.toThrow('Bind for 127.0.0.1:8080 failed: port is already allocated');
    await expect(assignPorts([tcp(8080, 80), tcp(8080, 81)], [])).rejects.toThrow('Bind for 0.0.0.0:8080 failed');
    // Another address, or udp beside tcp, is no clash.
    expect(await assignPorts([tcp(8080, 80, '127.0.0.2'), { ...tcp(8080, 80), protocol: 'udp' }], [tcp(8080, 90, '127.0.0.1')])).toHaveLength(2);
  });

  it('picks again when the free port it got is one another sandbox publishes (DNAT binds nothing: the kernel calls it free)', async () => {
    // The kernel's picks, in order: a port published elsewhere, one this request took, then a fresh one.
    const picks = [40001, 40002, 40003];
    const pick = async () => picks.shift()!;
    const got = await assignPorts([tcp(40002, 80), tcp(0, 81)], [tcp(40001, 90)], pick);
    expect(got.map((m) => m.hostPort)).toEqual([40002, 40003]);
    // A given port that clashes is refused at once, never replaced.
    await expect(assignPorts([tcp(40001, 80)], [tcp(40001, 90)], async () => 40009)).rejects.toThrow('Bind for 0.0.0.0:40001 failed: port is already allocated');
    // A picker that keeps answering published ports ends in docker's error, not a loop.
    await expect(assignPorts([tcp(0, 80)], [tcp(40001, 90)], async () => 40001)).rejects.toThrow('Bind for 0.0.0.0:40001 failed: port is already allocated');
  });

  it('names a bad mapping', async () => {
    await expect(assignPorts([{ ...tcp(1, 80), protocol: 'sctp' as 'tcp' }], [])).rejects.toThrow('invalid port protocol "sctp"');
    await expect(assignPorts([tcp(1, 0)], [])).rejects.toThrow('invalid port mapping 1:0');
    await expect(assignPorts([tcp(1, 80, 'localhost')], [])).rejects.toThrow('invalid host IP localhost');
  });
});
