// Capability names to masks, and reading the sets back: no root needed.
import { ConfigError } from '../errors';
import { resolveCapabilities } from './capabilities';

const bit = (n: number) => 1n << BigInt(n);

describe('resolveCapabilities', () => {
  it('turns each set into a mask', () => {
    const sets = resolveCapabilities({
      bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      effective: ['CAP_KILL'],
      permitted: ['CAP_KILL', 'CAP_CHOWN'],
      inheritable: [],
      ambient: ['CAP_CHECKPOINT_RESTORE'],
    });
    expect(sets).toEqual({
      bounding: bit(0) | bit(5) | bit(10),
      effective: bit(5),
      permitted: bit(5) | bit(0),
      inheritable: 0n,
      ambient: bit(40),
    });
  });

  it('gives empty sets for a missing capabilities object, as runc does', () => {
    expect(resolveCapabilities(undefined)).toEqual({ bounding: 0n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 0n });
  });

  it('drops an unknown name with a warning (the spec: MUST warn, SHOULD NOT fail); a wrong type is an error', () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const sets = resolveCapabilities({ effective: ['CAP_KILL', 'CAP_NOPE'] }, { jsonPath: 'process.capabilities', log });
    expect(sets.effective).toBe(1n << 5n);
    expect(warnings).toEqual(['ignoring unknown or unavailable capabilities: [CAP_NOPE]']);
    expect(() => resolveCapabilities({ bounding: 'CAP_KILL' as unknown as string[] })).toThrow(ConfigError);
    expect(() => resolveCapabilities({ bounding: 'CAP_KILL' as unknown as string[] })).toThrow('process.capabilities.bounding: must be an array');
  });
});
