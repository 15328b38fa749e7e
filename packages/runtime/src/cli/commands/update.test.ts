import { mergeResources } from '../../container/update';
import { parseBytes, resourcesFromFlags } from './update';

describe('hull update flags', () => {
  it('reads sizes as runc does (binary units, -1 unlimited)', () => {
    expect(parseBytes('memory', '64m')).toBe(64 << 20);
    expect(parseBytes('memory', '1.5g')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('memory', '4096')).toBe(4096);
    expect(parseBytes('memory', '2KiB')).toBe(2048);
    expect(parseBytes('memory-swap', '-1')).toBe(-1);
    expect(() => parseBytes('memory', 'lots')).toThrow('--memory: invalid size "lots"');
  });

  it('turns only the given flags into resources', () => {
    expect(resourcesFromFlags({ 'container-id': 'c', memory: '32m', 'memory-swap': '-1', 'cpu-quota': '-1', 'cpu-share': '512', 'cpuset-cpus': '0', 'pids-limit': 9, 'blkio-weight': 300 })).toEqual({
      memory: { limit: 32 << 20, swap: -1 },
      cpu: { quota: -1, shares: 512, cpus: '0' },
      pids: { limit: 9 },
      blockIO: { weight: 300 },
    });
    expect(resourcesFromFlags({ 'container-id': 'c' })).toEqual({});
    expect(() => resourcesFromFlags({ 'container-id': 'c', 'cpu-period': 'x' })).toThrow('--cpu-period: invalid value "x"');
    expect(() => resourcesFromFlags({ 'container-id': 'c', 'l3-cache-schema': 'L3:0=f' })).toThrow(/Intel RDT/);
  });

  it('merges an update into the saved resources field by field', () => {
    const base = { memory: { limit: 1, swap: 2 }, cpu: { shares: 3 }, devices: [{ allow: false }] };
    expect(mergeResources(base, { memory: { limit: 5 }, pids: { limit: 4 }, devices: [] })).toEqual({
      memory: { limit: 5, swap: 2 }, cpu: { shares: 3 }, pids: { limit: 4 }, devices: [],
    });
  });
});
