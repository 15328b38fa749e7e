// The process model (docs/architecture.md): Node never runs inside a
// container. A watcher scans /proc while a container is created, started
// and exec'd into, and reports any node process in a pid namespace other
// than the runtime's; the created container's init is a few pages of C.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { cleanEnv, cleanupAll, HULL, itRoot, makeBundle, runtime, uniqueId } from './helpers';

afterEach(cleanupAll);

const hostPidNs = fs.readlinkSync('/proc/self/ns/pid');
const nodeExe = fs.realpathSync(process.execPath);

/** Node processes whose pid namespace is not the runtime's: a container's. */
function nodeInContainers(): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/exe`) !== nodeExe) continue;
      const ns = fs.readlinkSync(`/proc/${pid}/ns/pid`);
      if (ns !== hostPidNs) found.push(`${pid} (${ns})`);
    } catch {
      // gone, or a kernel thread
    }
  }
  return found;
}

/** Runs hull with the watcher scanning all along; resolves to its exit status. */
function watched(args: string[], seen: Set<string>): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(HULL, args, { env: cleanEnv(), stdio: 'ignore' });
    const timer = setInterval(() => nodeInContainers().forEach((p) => seen.add(p)), 2);
    child.on('exit', (code) => {
      clearInterval(timer);
      nodeInContainers().forEach((p) => seen.add(p));
      resolve(code);
    });
  });
}

describe('the process model', () => {
  itRoot('no node process ever runs in a container\'s pid namespace: create, start, several execs', async () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '100']);
    const id = uniqueId();
    const seen = new Set<string>();
    const root = ['--root', rt.root];
    expect(await watched([...root, 'create', '--bundle', b.dir, id], seen)).toBe(0);
    // Other runtimes on the machine may run Node inits of their own: only this container's namespace counts.
    const ns = fs.readlinkSync(`/proc/${JSON.parse(rt.run(['state', id]).stdout).pid}/ns/pid`);
    expect(await watched([...root, 'start', id], seen)).toBe(0);
    for (let i = 0; i < 3; i++) expect(await watched([...root, 'exec', id, 'true'], seen)).toBe(0);
    expect(await watched([...root, 'exec', id, 'sh', '-c', 'sleep 0.2'], seen)).toBe(0);
    expect([...seen].filter((p) => p.endsWith(`(${ns})`))).toEqual([]);
  });

  itRoot('a created container\'s init is hull-init, non-dumpable, a sealed copy, under 1 MiB resident', () => {
    const rt = runtime();
    // As uid 1000 the init's /proc files would be uid 1000's if it were dumpable.
    const b = makeBundle((c) => (c.process.user = { uid: 1000, gid: 1000 }), ['sleep', '100']);
    const id = uniqueId();
    expect(rt.run(['create', '--bundle', b.dir, id]).status).toBe(0);
    const pid = JSON.parse(rt.run(['state', id]).stdout).pid as number;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1])).toBeLessThan(1024);
    expect(fs.readlinkSync(`/proc/${pid}/exe`)).toMatch(/^\/memfd:hull-init/);
    expect(/^Uid:\s+1000\s/m.test(status)).toBe(true);
    // Non-dumpable: its /proc files belong to root, not to its uid; and the copy is sealed.
    expect(fs.statSync(`/proc/${pid}/environ`).uid).toBe(0);
    expect(() => fs.openSync(`/proc/${pid}/exe`, 'r+')).toThrow();
  });
});
