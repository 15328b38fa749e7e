import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';
import { loadBundle, loadProcessFile, parseJson, syntaxErrorOffset } from './load';

const minimal = { ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { args: ['true'], cwd: '/' } };

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), `hull-spec-load-${process.pid}-`));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function bundle(config: unknown, rootfs: 'dir' | 'file' | 'none' = 'dir'): string {
  const b = path.join(dir, 'bundle');
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(b, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  if (rootfs === 'dir') fs.mkdirSync(path.join(b, 'rootfs'));
  if (rootfs === 'file') fs.writeFileSync(path.join(b, 'rootfs'), '');
  return b;
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('no error');
}

describe('loadBundle', () => {
  it('returns the validated spec, the absolute bundle and the rootfs', () => {
    const b = bundle(minimal);
    const got = loadBundle(b);
    expect(got.spec).toEqual(minimal);
    expect(got.bundle).toBe(b);
    expect(got.rootfs).toBe(fs.realpathSync(path.join(b, 'rootfs')));
  });

  it('resolves a relative bundle path against the working directory', () => {
    const b = bundle(minimal);
    const rel = path.relative(process.cwd(), b);
    expect(loadBundle(rel).bundle).toBe(b);
  });

  it('takes an absolute root.path as is', () => {
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    const b = bundle({ ...minimal, root: { path: elsewhere } }, 'none');
    expect(loadBundle(b).rootfs).toBe(fs.realpathSync(elsewhere));
  });

  it('hands on the real path of a rootfs reached through a symlink', () => {
    const real = path.join(dir, 'real-rootfs');
    fs.mkdirSync(real);
    const b = bundle(minimal, 'none');
    fs.symlinkSync(real, path.join(b, 'rootfs'));
    expect(loadBundle(b).rootfs).toBe(fs.realpathSync(real));
  });

  it('names a missing bundle directory', () => {
    const missing = path.join(dir, 'nope');
    expect(errorOf(() => loadBundle(missing)).message).toBe(`bundle ${missing}: no such file or directory`);
  });

  it('names a bundle that is a file', () => {
    const f = path.join(dir, 'file');
    fs.writeFileSync(f, '');
    expect(errorOf(() => loadBundle(f)).message).toBe(`bundle ${f}: not a directory`);
  });

  it('names a missing config.json', () => {
    const b = path.join(dir, 'empty');
    fs.mkdirSync(b);
    expect(errorOf(() => loadBundle(b)).message).toBe(
      `${b}/config.json: no such file or directory (a bundle needs a config.json)`,
    );
  });

  it('gives the line and column of a JSON syntax error', () => {
    const b = bundle('{\n  "ociVersion": "1.3.0",\n  "root": {"path": "rootfs"},\n}\n');
    expect(errorOf(() => loadBundle(b)).message).toMatch(
      new RegExp(`^${b}/config\\.json: invalid JSON at line 4, column 1: `),
    );
  });

  it('gives the position even when V8 does not', () => {
    const b = bundle('{"ociVersion": tru}');
    expect(errorOf(() => loadBundle(b)).message).toMatch(/config\.json: invalid JSON at line 1, column 16: /);
  });

  it('names an empty config.json', () => {
    const b = bundle('');
    expect(errorOf(() => loadBundle(b)).message).toBe(`${b}/config.json: invalid JSON at line 1, column 1: Unexpected end of JSON input`);
  });

  it('passes validation errors through with their JSON path', () => {
    const b = bundle({ ...minimal, linux: { namespaces: [{ type: 'foo' }] } });
    expect(errorOf(() => loadBundle(b)).message).toMatch(/^config\.json: linux\.namespaces\[0\]\.type: unknown namespace "foo"/);
  });

  it('checks that the rootfs exists', () => {
    const b = bundle(minimal, 'none');
    expect(errorOf(() => loadBundle(b)).message).toBe(
      `config.json: root.path: "rootfs": ${b}/rootfs: no such file or directory`,
    );
  });

  it('checks that the rootfs is a directory', () => {
    const b = bundle(minimal, 'file');
    const e = errorOf(() => loadBundle(b));
    expect(e.message).toBe(`config.json: root.path: "rootfs": ${b}/rootfs: not a directory`);
    expect(e.context).toMatchObject({ path: 'root.path' });
  });

  it('passes warnings to the caller', () => {
    const warnings: string[] = [];
    const b = bundle({ ...minimal, process: { ...minimal.process, capabilities: { bounding: ['CAP_NOPE'] } } });
    loadBundle(b, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual(['config.json: process.capabilities.bounding[0]: unknown capability "CAP_NOPE" ignored']);
  });
});

describe('loadProcessFile', () => {
  it('reads and validates a process.json', () => {
    const f = path.join(dir, 'process.json');
    fs.writeFileSync(f, JSON.stringify({ args: ['ps'], cwd: '/', terminal: false }));
    expect(loadProcessFile(f).args).toEqual(['ps']);
  });

  it('names the file in validation errors', () => {
    const f = path.join(dir, 'p.json');
    fs.writeFileSync(f, JSON.stringify({ args: [], cwd: '/' }));
    expect(errorOf(() => loadProcessFile(f)).message).toBe('p.json: args: must have at least one entry (the program to run)');
  });
});

describe('syntaxErrorOffset', () => {
  it.each([
    ['{"a":1}', undefined],
    ['[1, 2.5e3, -0, "x\\u00e9\\n", true, false, null, {}]', undefined],
    ['{"a":1,}', 7],
    ['{"a" 1}', 5],
    ['[1,2', 4],
    ['"abc', 4],
    ['{"a":01}', 6],
    ['{"a":"\\x"}', 6],
    ['{} x', 3],
    ['', 0],
  ])('%j -> %p', (text, offset) => {
    expect(syntaxErrorOffset(text)).toBe(offset);
    if (offset === undefined) expect(() => JSON.parse(text)).not.toThrow();
    else expect(() => JSON.parse(text)).toThrow();
  });

  it('is what parseJson reports', () => {
    expect(() => parseJson('{\n"a": [1,\n 2,,]}', 'f.json')).toThrow(/^f\.json: invalid JSON at line 3, column 4: /);
  });
});
