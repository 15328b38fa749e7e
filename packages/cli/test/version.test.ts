// hullctl --version and -v: docker's one line ("Docker version 24.0.5, build ced0996"), printed
// without a word to the supervisor: a socket that counts its connections stands at the address.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { cleanEnv, runHullctl } from './helpers';

const lib = path.resolve(__dirname, '../lib');
const itBuilt = itNeeds(fs.existsSync(path.join(lib, 'main.js')) ? undefined : 'packages/cli is not built (make ts)');
const version = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../package.json'), 'utf8')) as { version: string }).version;

describe('hullctl --version', () => {
  let dir: string;
  let server: net.Server;
  let connections = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-version-'));
    server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'shim.sock'), resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  itBuilt.each([[['--version']], [['-v']], [['--address', 'unix:///dev/null/none', '-v']], [['--version', 'ps']]])('%j prints the version line alone', async (args) => {
    const env = cleanEnv({ HULL_ADDRESS: `unix://${path.join(dir, 'shim.sock')}`, HULL_STATE_DIR: path.join(dir, 'state') });
    const r = await runHullctl(args, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The commit `make build` wrote (git's short sha), or "unknown" in a build from no checkout.
    const commit = fs.existsSync(path.join(lib, 'commit')) ? fs.readFileSync(path.join(lib, 'commit'), 'utf8').trim() : 'unknown';
    expect(commit).toMatch(/^([0-9a-f]{7,40}|unknown)$/);
    expect(r.stdout).toBe(`hullctl version ${version}, build ${commit}\n`);
    expect(connections).toBe(0);
    expect(fs.existsSync(path.join(dir, 'state'))).toBe(false);
  });

  itBuilt('-v after a command is that command\'s flag (run -v is a volume), not the version', async () => {
    const env = cleanEnv({ HULL_ADDRESS: path.join(dir, 'none.sock'), HULL_STATE_DIR: path.join(dir, 'state') });
    const r = await runHullctl(['run', '--help'], env);
    expect(r.stdout).toMatch(/-v, --volume/);
    expect(r.stdout).not.toMatch(/^hullctl version/);
  });

  itBuilt('the counting socket is where hullctl goes: a command that needs the supervisor connects to it', async () => {
    const before = connections;
    const env = cleanEnv({ HULL_ADDRESS: `unix://${path.join(dir, 'shim.sock')}`, HULL_STATE_DIR: path.join(dir, 'state') });
    const r = await runHullctl(['version'], env);
    expect(r.code).not.toBe(0); // our socket answers nothing
    expect(connections).toBeGreaterThan(before);
  });
});
