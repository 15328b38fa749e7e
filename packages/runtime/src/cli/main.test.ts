import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { joinDashValues, preParse, unknownFlag } from './main';
import { libseccompVersion, versionText } from './version';

describe('hull argument pre-parsing', () => {
  it('reads a bare "-" after an option as its value (stdin), as runc does', () => {
    expect(joinDashValues(['update', '--resources', '-', 'c1'])).toEqual(['update', '--resources=-', 'c1']);
    expect(joinDashValues(['update', '-r', '-', 'c1'])).toEqual(['update', '-r=-', 'c1']);
    // After "--" everything is the container's command.
    expect(joinDashValues(['exec', 'c1', '--', 'cat', '--x', '-'])).toEqual(['exec', 'c1', '--', 'cat', '--x', '-']);
  });

  it('leaves the command of exec alone, dashes included', () => {
    expect(preParse(['exec', '--cwd', '/', 'c1', 'cat', '-n', '-'])).toEqual({ argv: ['exec', '--cwd', '/', 'c1', '--', 'cat', '-n', '-'] });
  });

  it('prints --version without parsing further, and refuses unknown commands, with -h too', () => {
    expect(preParse(['--root', '/x', '--version'])).toEqual({ output: expect.stringMatching(/^hull version /) });
    expect(() => preParse(['frobnicate', '-h'])).toThrow('unknown command "frobnicate"');
    expect(() => preParse(['help', 'frobnicate'])).toThrow('unknown command "frobnicate"');
    expect(preParse(['help', 'kill'])).toEqual({ argv: ['kill', '--help'] });
  });
});

describe('unknown flags', () => {
  const known = new Set(['root', 'memory', 'tty', 't', 'd', 'detach']);
  it('names the first flag the command lacks, as typed; values and the command after "--" are not flags', () => {
    expect(unknownFlag(['exec', '--bogus', 'c1', '--', 'ls', '-l'], known)).toBe('--bogus');
    expect(unknownFlag(['exec', '-td', 'c1', '--', 'ls', '-l'], known)).toBeUndefined();
    expect(unknownFlag(['exec', '-tx', 'c1'], known)).toBe('-tx');
    expect(unknownFlag(['update', '--memory', '-1'], known)).toBeUndefined();
    expect(unknownFlag(['update', '--root=/x', 'c1'], known)).toBeUndefined();
  });
});

describe('hull --version', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-ver-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the libseccomp version from the library the soname links to', () => {
    fs.writeFileSync(path.join(dir, 'libseccomp.so.2.5.4'), '');
    fs.symlinkSync('libseccomp.so.2.5.4', path.join(dir, 'libseccomp.so.2'));
    expect(libseccompVersion([path.join(dir, 'missing'), dir])).toBe('2.5.4');
    expect(libseccompVersion([path.join(dir, 'missing')])).toBeUndefined();
  });

  it('prints runc\'s shape: name and version first, then spec', () => {
    const lines = versionText().trim().split('\n');
    expect(lines[0]).toMatch(/^hull version \d+\.\d+\.\d+$/);
    expect(lines).toContain('spec: 1.3.0');
    expect(lines).toContain(`node: ${process.version}`);
  });
});
