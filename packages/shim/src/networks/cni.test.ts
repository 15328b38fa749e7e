import { Cni, type ConfList } from './cni';

const list: ConfList = {
  cniVersion: '1.0.0',
  name: 'web',
  plugins: [
    { type: 'bridge', bridge: 'hull-x', capabilities: { ips: true }, ipam: { type: 'host-local' } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
};

describe('CNI plugin configuration (SPEC.md: deriving execution configuration)', () => {
  const a = { containerId: 'c1', netns: '/ns', ifname: 'eth0', capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], ips: ['10.0.0.9/24'] } };

  it('gives each plugin the list\'s name and version, only the runtime arguments it declared, and prevResult', () => {
    const bridge = Cni.pluginConfig(list, list.plugins[0]!, a, undefined);
    expect(bridge).toEqual({ type: 'bridge', bridge: 'hull-x', ipam: { type: 'host-local' }, cniVersion: '1.0.0', name: 'web', runtimeConfig: { ips: ['10.0.0.9/24'] } });
    const prev = { cniVersion: '1.0.0', ips: [{ address: '10.0.0.9/24' }] };
    const portmap = Cni.pluginConfig(list, list.plugins[1]!, a, prev);
    expect(portmap).toEqual({ type: 'portmap', cniVersion: '1.0.0', name: 'web', runtimeConfig: { portMappings: a.capabilityArgs.portMappings }, prevResult: prev });
  });

  it('leaves runtimeConfig out when no declared capability has an argument', () => {
    expect(Cni.pluginConfig(list, list.plugins[1]!, { containerId: 'c1', netns: '/ns', ifname: 'eth0' }, undefined)).not.toHaveProperty('runtimeConfig');
  });

  it('names a missing plugin and where it looked', async () => {
    const cni = new Cni(['/nonexistent/cni']);
    await expect(cni.exec('ADD', list, { type: 'bridge' }, a)).rejects.toThrow('network web: CNI plugin bridge ADD: plugin not found in /nonexistent/cni (install containernetworking-plugins)');
    expect(cni.find('../bin/sh')).toBeUndefined();
  });
});
