import { defaultConfig } from '../bundle';
import { badConfigs, deletePath, setPath } from './badconfigs';
import { parseMountinfo } from './config';
import { allCases } from './index';

describe('the case table', () => {
  const cases = allCases();

  it('has unique names, each with a spec reference', () => {
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of cases) expect(c.spec.length).toBeGreaterThan(10);
  });

  it('holds at least 100 invalid configs, each changing the default config', () => {
    expect(badConfigs.length).toBeGreaterThanOrEqual(100);
    const base = JSON.stringify(defaultConfig());
    for (const b of badConfigs) {
      const c = defaultConfig();
      b.mutate(c);
      expect([b.name, JSON.stringify(c)]).not.toEqual([b.name, base]);
    }
  });

  it('gives every known deviation a reason', () => {
    for (const c of cases) for (const why of Object.values(c.deviations ?? {})) expect(why.length).toBeGreaterThan(10);
  });
});

describe('setPath / deletePath', () => {
  it('set nested fields, array indexes included, creating objects on the way', () => {
    const c = defaultConfig();
    setPath(c, 'linux.namespaces.0.type', 5);
    setPath(c, 'linux.resources.memory.limit', '1g');
    expect(c.linux.namespaces[0].type).toBe(5);
    expect(c.linux.resources.memory).toEqual({ limit: '1g' });
    deletePath(c, 'process.cwd');
    expect('cwd' in c.process).toBe(false);
  });
});

describe('parseMountinfo', () => {
  it('splits per-mount options, optional fields and superblock options', () => {
    const [m] = parseMountinfo('36 35 98:0 /mnt1 /mnt/a rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n');
    expect(m).toEqual({ mountPoint: '/mnt/a', options: ['rw', 'noatime'], optional: ['master:1', 'shared:2'], fsType: 'ext3', superOptions: ['rw', 'errors=continue'] });
  });
});
