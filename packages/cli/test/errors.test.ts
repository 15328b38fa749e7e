// Every bad input of issue 7: malformed flags (usage, exit 125, which flag
// and why), the supervisor not running, unknown containers (exit 1), and
// nothing left behind by any of them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { ROOTFS, cleanEnv, prerequisites, runHullctl, runtimes, startEnv, type Env } from './helpers';

jest.setTimeout(120_000);

const built = fs.existsSync(path.resolve(__dirname, '../lib/main.js'));
const itBuilt = itNeeds(built ? undefined : 'packages/cli is not built (make ts)');

describe('bad flags and a missing supervisor (no root needed)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-err-'));
    env = cleanEnv({ HULL_ADDRESS: path.join(dir, 'no-shim.sock'), HULL_STATE_DIR: path.join(dir, 'state') });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const hullctl = (args: string[]) => runHullctl(args, env);
  // Fixtures that exist, so only the flag under test is wrong.
  const rootfs = () => {
    const r = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(r, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(r, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    return r;
  };

  const usageCases: Array<[string, string[], string]> = [
    ['--memory 12q', ['run', '--memory', '12q'], `invalid argument "12q" for "-m, --memory" flag: invalid size: '12q'`],
    ['-m 1x', ['create', '-m', '1x'], `invalid argument "1x" for "-m, --memory" flag: invalid size: '1x'`],
    ['--memory-swap', ['run', '--memory-swap', 'lots'], `invalid argument "lots" for "--memory-swap" flag: invalid size: 'lots'`],
    ['swap without memory', ['run', '--memory-swap', '1g'], 'You should always set the Memory limit when using Memoryswap limit, see usage'],
    ['swap below memory', ['run', '-m', '1g', '--memory-swap', '512m'], 'Minimum memoryswap limit should be larger than memory limit, see usage'],
    ['tiny memory', ['run', '-m', '1m'], 'Minimum memory limit allowed is 6MB'],
    ['--cpus', ['run', '--cpus', 'abc'], 'invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number'],
    ['--cpus too many', ['run', '--cpus', '4096'], `Range of CPUs is from 0.01 to ${os.availableParallelism()}.00, as there are only ${os.availableParallelism()} CPUs available`],
    ['--cpu-shares', ['run', '-c', 'x'], 'invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax'],
    ['--pids-limit', ['run', '--pids-limit', 'ten'], 'invalid argument "ten" for "--pids-limit" flag: strconv.ParseInt: parsing "ten": invalid syntax'],
    ['unknown flag', ['run', '--bogus'], 'unknown flag: --bogus'],
    ['unknown short flag', ['ps', '-z'], 'unknown flag: -z'],
    ['flag without its value', ['run', '--name'], 'flag needs an argument: --name'],
    ['relative -w', ['run', '-w', 'tmp'], "the working directory 'tmp' is invalid, it needs to be an absolute path"],
    ['-v relative path', ['run', '-v', 'tmp'], "invalid volume specification: 'tmp'"],
    ['-v bad volume name', ['run', '-v', 'x&y:/data'], `invalid volume specification: 'x&y:/data': "x&y" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`],
    ['--mount without target', ['run', '--mount', 'type=volume,source=data'], 'invalid argument "type=volume,source=data" for "--mount" flag: target is required'],
    ['--mount bad type', ['run', '--mount', 'type=npipe,target=/x'], "invalid argument \"type=npipe,target=/x\" for \"--mount\" flag: mount type 'npipe' is not supported: volume, bind or tmpfs"],
    ['-p bad port', ['run', '-p', '80000'], 'invalid argument "80000" for "-p, --publish" flag: invalid port "80000"'],
    ['-p with --network none', ['run', '-p', '80'], 'conflicting options: port publishing and the container type network mode (--network none)'],
    ['duplicate mount point', ['run', '-v', '/tmp:/d', '-v', 'data:/d'], 'Duplicate mount point: /d'],
    ['--network-alias on bridge', ['run', '--network', 'bridge', '--network-alias', 'x'], 'network-scoped aliases are only supported for user-defined networks'],
    ['-v bad mode', ['run', '-v', '/tmp:/data:rx'], 'invalid mode: rx'],
    ['--tmpfs relative', ['run', '--tmpfs', 'scratch'], "invalid tmpfs specification: 'scratch': the path must be absolute"],
    ['--network bad name', ['run', '--network', 'a/b'], 'invalid --network "a/b": none, host, bridge, a network\'s name or container:NAME'],
    ['--cap-add', ['run', '--cap-add', 'FLY'], 'unknown capability: "FLY"'],
    ['-u unknown', ['run', '-u', 'ghost'], 'invalid argument "ghost" for "-u, --user" flag: unable to find user ghost: no matching entries in passwd file'],
    ['-e empty key', ['run', '-e', '=x'], '-e, --env: invalid environment variable: =x'],
    ['--env-file missing', ['run', '--env-file', '/nonexistent/env'], 'invalid argument "/nonexistent/env" for "--env-file" flag: open /nonexistent/env: no such file or directory'],
    ['--name invalid', ['run', '--name', 'x/y'], 'Invalid container name (x/y), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
    ['--hostname invalid', ['run', '--hostname', 'a b'], 'invalid hostname format: a b'],
    ['--detach-keys', ['run', '--detach-keys', 'ctrl-1'], "Unknown character: 'ctrl-1'"],
    ['stop -t', ['stop', '-t', 'soon', 'x'], 'invalid argument "soon" for "-t, --time" flag: strconv.ParseInt: parsing "soon": invalid syntax'],
    ['kill -s', ['kill', '-s', 'SIGNOPE', 'x'], 'Invalid signal: SIGNOPE'],
    ['ps --format', ['ps', '--format', 'yaml'], 'unsupported --format "yaml": use table or json'],
    ['missing argument', ['stop'], '"hullctl stop" requires at least 1 argument.'],
    ['exec without a command', ['exec', 'c1'], '"hullctl exec" requires at least 2 arguments.'],
    ['extra argument', ['logs', 'a', 'b'], '"hullctl logs" requires exactly 1 argument.'],
    ['update without flags', ['update', 'c1'], 'you must provide one or more flags when using this command'],
  ];

  itBuilt.each(usageCases)('%s: the flag and why, usage, exit 125', async (_label, args, message) => {
    const isRun = args[0] === 'run' || args[0] === 'create';
    const r = await hullctl(isRun && !args.includes('--name') ? [...args, '--rootfs', rootfs(), 'true'] : isRun ? [...args] : args);
    const cmd = `hullctl ${args[0]}`;
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`${cmd}: ${message}`);
    expect(lines[1]).toBe(`See '${cmd} --help'.`);
    expect(lines[3]).toMatch(new RegExp(`^Usage:  ${cmd} `));
    // Nothing was created: not even the state directory.
    expect(fs.existsSync(path.join(dir, 'state'))).toBe(false);
  });

  itBuilt('--rootfs and --bundle are checked', async () => {
    expect((await hullctl(['run'])).stderr).toMatch(/^hullctl run: an image is required: hullctl run \[OPTIONS\] IMAGE \[COMMAND\] \(or --rootfs DIR, --bundle DIR\)\n/);
    expect((await hullctl(['run', '--pull', 'sometimes', 'busybox'])).stderr).toMatch(/^hullctl run: invalid pull option: 'sometimes': must be one of "always", "missing" or "never"\n/);
    expect((await hullctl(['run', '--rootfs', path.join(dir, 'nope'), 'true'])).stderr).toMatch(/^hullctl run: --rootfs .*\/nope: not a directory\n/);
    expect((await hullctl(['run', '--bundle', dir, 'true'])).stderr).toMatch(/^hullctl run: --bundle .*: no config.json in it\n/);
    expect((await hullctl(['run', '--rootfs', rootfs(), '--bundle', dir, 'true'])).stderr).toMatch(/^hullctl run: --rootfs and --bundle cannot be used together\n/);
  });

  itBuilt('an unknown command is named, with exit 125', async () => {
    const r = await hullctl(['frobnicate']);
    expect(r).toMatchObject({ code: 125, stderr: "hullctl: 'frobnicate' is not a hullctl command.\nSee 'hullctl --help'.\n" });
  });

  itBuilt('--help works for every command', async () => {
    for (const cmd of ['run', 'ps', 'exec', 'logs', 'stop', 'rm', 'stats', 'events', 'update']) {
      const r = await hullctl([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage:  hullctl ${cmd} `));
    }
  });

  itBuilt('supervisor not running: one line saying so and how to start it, exit 125, nothing created', async () => {
    const sock = path.join(dir, 'no-shim.sock');
    const expected = `Error: cannot connect to the hull supervisor at ${sock}: is hull-shim running? Start it with: hull-shim serve --address ${sock}\n`;
    for (const args of [['ps'], ['run', '--rootfs', rootfs(), 'true'], ['stop', 'x'], ['version']]) {
      expect(await hullctl(args)).toMatchObject({ code: 125, stderr: expected });
    }
    expect(fs.existsSync(path.join(dir, 'state', 'bundles'))).toBe(false);
    // --address beats HULL_ADDRESS.
    const other = path.join(dir, 'other.sock');
    expect((await hullctl(['--address', other, 'ps'])).stderr).toContain(`at ${other}:`);
  });
});

const missing = prerequisites();
const runc = runtimes().find((r) => r.name === 'runc')!;

describe('unknown containers (root, a real hull-shim with runc)', () => {
  const skip = missing ?? runc.skip;
  const it_ = itNeeds(skip);
  let env: Env;
  beforeAll(async () => {
    if (!skip) env = await startEnv(runc);
  });
  afterAll(async () => {
    await env?.stop();
  });

  const ref = `nope-${process.pid}`;
  const commands: string[][] = [
    ['start', ref], ['stop', ref], ['restart', ref], ['kill', ref], ['rm', ref], ['rm', '-f', ref], ['pause', ref], ['unpause', ref],
    ['top', ref], ['stats', '--no-stream', ref], ['inspect', ref], ['wait', ref], ['logs', ref], ['attach', ref], ['exec', ref, 'true'],
    ['update', '-m', '64m', ref], ['start', '-a', ref],
  ];
  it_.each(commands)('%s %s: Error: No such container, exit 1', async (...args) => {
    const r = await env.hullctl(args);
    // inspect looks for an image too, and says so as docker does.
    expect(r.stderr).toBe(args[0] === 'inspect' ? `Error: No such object: ${ref}\n` : `Error: No such container: ${ref}\n`);
    expect(r.code).toBe(1);
  });

  // An id prefix is hex: "12345e12" or "0x1f" is a name, not a number, as docker reads it.
  it_.each([['rm', '12345e12'], ['exec', '0x1f', 'true'], ['stop', '1e3'], ['logs', '12345678']])('%s %s: a ref that looks like a number is kept as typed', async (...args) => {
    const r = await env.hullctl(args);
    expect(r).toMatchObject({ code: 1, stderr: `Error: No such container: ${args[1]}\n` });
  });

  it_('a name in use is refused and the refused container leaves nothing', async () => {
    const name = `taken-${process.pid}`;
    expect((await env.hullctl(['create', '--name', name, '--rootfs', ROOTFS, 'true'])).code).toBe(0);
    const before = fs.readdirSync(path.join(env.stateDir, 'bundles')).sort();
    const r = await env.hullctl(['run', '-d', '--name', name, '--rootfs', ROOTFS, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`The container name "${name}" is already in use`);
    expect(fs.readdirSync(path.join(env.stateDir, 'bundles')).sort()).toEqual(before);
    expect((await env.hullctl(['rm', name])).code).toBe(0);
    expect(fs.readdirSync(path.join(env.stateDir, 'bundles'))).toEqual([]);
    expect(fs.readdirSync(path.join(env.stateDir, 'names'))).toEqual([]);
  });

  it_('a failed run leaves no task, bundle or name', async () => {
    const r = await env.hullctl(['run', '--name', `fail-${process.pid}`, '--rootfs', ROOTFS, '/no/such/binary']);
    expect(r.code).toBe(127);
    expect((await env.hullctl(['ps', '-aq'])).stdout).toBe('');
    expect(fs.readdirSync(path.join(env.stateDir, 'bundles'))).toEqual([]);
    expect(fs.readdirSync(path.join(env.stateDir, 'names'))).toEqual([]);
  });
});
