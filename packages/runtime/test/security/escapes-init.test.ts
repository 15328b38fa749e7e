// Escapes through the container's init: its binary (1, 2), the hooks it runs
// (3) and what --no-pivot leaves in its mount namespace (10). Attacks that
// write the runtime's binary run against a private copy of the runtime, so a
// success damages only the copy (and is detected by its hash).
import fs from 'node:fs';
import path from 'node:path';
import { cleanupAll, itRunc, makeBundle, runtime, type Runtime, tempDir, uniqueId } from '../helpers';
import { attack } from './pending';
import { buildTool, copyLibraries, expectHostUntouched, hashFiles, hostSnapshot, killAll, processesUsing, removeRuntimeCopies, runtimeCopy, waitForFile } from './sec';

import { describeNeeds } from '@hull/testkit/jest';
import { missingCommand, missingRoot } from '@hull/testkit/host';

afterEach(() => {
  cleanupAll();
  removeRuntimeCopies();
});

// The attack tools are built from C by the tests.
const describeRoot = describeNeeds(missingRoot(), missingCommand('cc'));

/** A shell loop that appends a marker to the binary open as fd 9 once nothing executes it (writes only a marker). */
const WRITE_BACK = (result: string) => `
case "$(readlink /proc/self/fd/9)" in
  *hull-sec-copy-*) ;;
  *) echo "not-the-copy $(readlink /proc/self/fd/9)" > ${result}; exec sleep 1000 ;;
esac
i=0
while [ $i -lt 150 ]; do
  if echo HULL-ESCAPE-MARKER >> /proc/self/fd/9 2>/dev/null; then echo escaped > ${result}; exec sleep 1000; fi
  i=$((i+1)); sleep 0.1
done
echo held > ${result}
exec sleep 1000
`;

describeRoot('the init\'s binary', () => {
  attack('init-exe')('escape 1: an entrypoint "#!/proc/self/exe" cannot run or rewrite the runtime\'s binary', () => {
    const state = tempDir('hull-sec-root-');
    const copy = runtimeCopy(state);
    const copyBefore = hashFiles(copy.files);
    const host = hostSnapshot();
    const b = makeBundle((c) => (c.root.readonly = false), ['/evil']);
    const rootfs = path.join(b.dir, 'rootfs');
    buildTool('evil.so', rootfs);
    // The image ships what the runtime's binary needs to run inside it (its loader and libraries).
    copyLibraries(copy.node, rootfs);
    // Run by the runtime's own binary if the init execs from it: node reads this as a script
    // (it skips the "#!" line) and loads the payload, whose constructor keeps the binary open.
    fs.writeFileSync(path.join(rootfs, 'evil'), "#!/proc/self/exe\nprocess.dlopen({ exports: {} }, '/evil.so');\n", { mode: 0o755 });
    fs.writeFileSync(path.join(rootfs, 'payload.sh'), WRITE_BACK('/result'), { mode: 0o755 });
    const id = uniqueId('sec-exe');
    try {
      // The copy runs a plain container: a refusal below is the attack's, not a broken copy's.
      expect(copy.run(['run', '--bundle', makeBundle(() => {}, ['true']).dir, `${id}-plain`]).stderr).toBe('');
      const r = copy.run(['run', '-d', '--bundle', b.dir, id]);
      if (r.status === 0) {
        // The payload gives up after ~15 s; "escaped" as soon as the write lands.
        const result = waitForFile(path.join(rootfs, 'result'), 25000);
        expect(result).not.toBe('escaped\n');
      }
      expect(hashFiles(copy.files)).toEqual(copyBefore);
    } finally {
      copy.run(['delete', '--force', id]);
      killAll(processesUsing(b.dir));
    }
    expectHostUntouched(host);
  }, 180_000);

  test('escape 2 (held part): without CAP_SYS_PTRACE an exec\'d process cannot open the created init\'s binary, environment or memory', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '1000']);
    const id = uniqueId('sec-dump');
    expect(rt.run(['create', '--bundle', b.dir, id]).status).toBe(0);
    const r = rt.run(['exec', id, 'sh', '-c', 'for f in exe environ mem; do if cat /proc/1/$f > /dev/null 2>&1; then echo "$f open"; else echo "$f denied"; fi; done']);
    expect(r.stdout.trim().split('\n')).toEqual(['exe denied', 'environ denied', 'mem denied']);
  }, 120_000);

  attack('init-ptrace-exe')('escape 2: a process exec\'d into a created container with CAP_SYS_PTRACE cannot write the init\'s binary after start', () => {
    const state = tempDir('hull-sec-root-');
    const copy = runtimeCopy(state);
    const copyBefore = hashFiles(copy.files);
    const host = hostSnapshot();
    const b = makeBundle((c) => (c.root.readonly = false), ['sleep', '1000']);
    const rootfs = path.join(b.dir, 'rootfs');
    // Opens /proc/1/exe (the init, still the runtime's binary while created) as fd 9, then waits to write it.
    fs.writeFileSync(path.join(rootfs, 'watch.sh'), `exec 9</proc/1/exe || { echo no-open > /result; exit 0; }\n${WRITE_BACK('/result')}`, { mode: 0o755 });
    const id = uniqueId('sec-ptrace');
    try {
      expect(copy.run(['create', '--bundle', b.dir, id]).status).toBe(0);
      const ex = copy.run(['exec', '-d', '--cap', 'CAP_SYS_PTRACE', id, 'sh', '/watch.sh']);
      expect(ex.status).toBe(0);
      expect(copy.run(['start', id]).status).toBe(0);
      const result = waitForFile(path.join(rootfs, 'result'), 25000);
      expect(result).not.toBe('escaped\n');
      expect(hashFiles(copy.files)).toEqual(copyBefore);
    } finally {
      copy.run(['delete', '--force', id]);
      killAll(processesUsing(b.dir));
    }
    expectHostUntouched(host);
  }, 180_000);
});

/** The process's credentials as /proc/self/status shows them. */
const CREDS = "grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status";

function hookCreds(rt: Runtime): { hook: string; process: string } {
  const b = makeBundle((c) => {
    c.root.readonly = false;
    c.process.user = { uid: 1000, gid: 1000 };
    c.process.noNewPrivileges = true;
    c.hooks = { startContainer: [{ path: '/hook.sh' }] };
  }, ['sh', '-c', `${CREDS} > /tmp/process.creds`]);
  const rootfs = path.join(b.dir, 'rootfs');
  // The image chooses the hook's binary: it records what it can do.
  fs.writeFileSync(path.join(rootfs, 'hook.sh'), `#!/bin/sh\n${CREDS} > /tmp/hook.creds\n`, { mode: 0o755 });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-hook')]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return {
    hook: fs.readFileSync(path.join(rootfs, 'tmp/hook.creds'), 'utf8'),
    process: fs.readFileSync(path.join(rootfs, 'tmp/process.creds'), 'utf8'),
  };
}

describeRoot('hooks', () => {
  attack('hook-creds')('escape 3: a startContainer hook from the image runs with the container process\'s credentials, not the runtime\'s', () => {
    const host = hostSnapshot();
    const got = hookCreds(runtime());
    expect(got.hook).toEqual(got.process);
    expect(got.hook).toMatch(/^Uid:\s+1000\s/m);
    expect(got.hook).toMatch(/^CapEff:\s+0000000000000000$/m);
    expectHostUntouched(host);
  }, 120_000);

  itRunc('escape 3 against runc: the same hook runs with the process\'s credentials (proves the test)', () => {
    const got = hookCreds(runtime('runc'));
    expect(got.hook).toEqual(got.process);
  }, 120_000);
});

function noPivotProcMount(rt: Runtime): string {
  // uid 1000: mapping itself to 0 in a new user namespace needs no capability.
  const b = makeBundle((c) => (c.process.user = { uid: 1000, gid: 1000 }), ['sh', '-c', 'unshare -mrpf sh -c "mount -t proc proc /tmp && echo mounted || echo refused" 2>&1; unshare -mrf sh -c "mount -t sysfs sysfs /tmp && echo mounted || echo refused" 2>&1']);
  const r = rt.run(['run', '--no-pivot', '--bundle', b.dir, uniqueId('sec-nopivot')]);
  return r.stdout;
}

describeRoot('--no-pivot', () => {
  attack('no-pivot-proc')('escape 10: with --no-pivot a fresh user namespace cannot mount proc or sysfs (the host\'s are not reachable)', () => {
    const host = hostSnapshot();
    const out = noPivotProcMount(runtime());
    expect(out).not.toMatch(/mounted/);
    expect(out).toMatch(/refused/);
    expectHostUntouched(host);
  }, 120_000);

  itRunc('escape 10 against runc: refused (proves the test)', () => {
    const out = noPivotProcMount(runtime('runc'));
    expect(out).not.toMatch(/mounted/);
    expect(out).toMatch(/refused/);
  }, 120_000);
});
