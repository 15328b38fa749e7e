// null counts as absent (runc's Go decoder), and is gone after validation:
// the fuzzer found `"rlimits": null` crashing the init.
import { validateConfig, validateProcess } from './validate';

const minimal = () => ({ ociVersion: '1.0.2', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 } }, linux: { namespaces: [{ type: 'mount' }] } });

describe('null fields', () => {
  it('are removed from the config, at any depth', () => {
    const c: Record<string, any> = minimal();
    c.process.rlimits = null;
    c.process.capabilities = { bounding: null };
    c.linux.resources = null;
    c.hooks = null;
    const spec = validateConfig(c) as Record<string, any>;
    expect('rlimits' in spec.process).toBe(false);
    expect(spec.process.capabilities).toEqual({});
    expect('resources' in spec.linux).toBe(false);
    expect('hooks' in spec).toBe(false);
  });

  it('are removed from a process.json; a null array element is still a type error', () => {
    const p = validateProcess({ cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 }, env: null }) as Record<string, any>;
    expect('env' in p).toBe(false);
    expect(() => validateProcess({ cwd: '/', args: ['sh', null], user: { uid: 0, gid: 0 } })).toThrow(/args\[1\]/);
  });
});
