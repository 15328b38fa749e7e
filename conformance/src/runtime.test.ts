import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveRuntime } from './runtime';

describe('resolveRuntime', () => {
  it('accepts an executable path and refuses a missing one, naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-resolve-'));
    try {
      const bin = path.join(dir, 'fake-runtime');
      fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o755 });
      expect(resolveRuntime(bin)).toBe(bin);
      expect(() => resolveRuntime(path.join(dir, 'nope'))).toThrow(/nope: not an executable file/);
      expect(() => resolveRuntime('hc-no-such-runtime-on-path')).toThrow(/hc-no-such-runtime-on-path: not found on PATH/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
