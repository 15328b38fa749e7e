// process.terminal with --console-socket: a small receiver (Python's
// socket.recv_fds) takes the pty master over SCM_RIGHTS, types a line into
// it and reads what the container prints. Same body with hull and runc.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { missingCommand, missingRoot } from '@hull/testkit/host';
import { describeNeeds } from '@hull/testkit/jest';
import { cleanupAll, hasRunc, itRoot, makeBundle, runtime, tempDir, uniqueId, type Config } from './helpers';

afterEach(cleanupAll);

const noPython = missingCommand('python3', ['-c', 'import socket; socket.recv_fds']) && 'python3 with socket.recv_fds (3.9+)';
const RUNTIMES = (hasRunc ? ['hull', 'runc'] : ['hull']) as ('hull' | 'runc')[];
const describeTty = describeNeeds(missingRoot(), noPython);

// Listens on argv[1], prints "ready", receives one fd, writes argv[2] into it,
// then prints the name sent with the fd and everything read until EOF/EIO.
const RECEIVER = `
import os, select, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1)
print("ready", flush=True)
srv.settimeout(30)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 4096, 1)
master = fds[0]
os.write(master, sys.argv[2].encode())
out = b""
while True:
    r, _, _ = select.select([master], [], [], 30)
    if not r: break
    try:
        data = os.read(master, 4096)
    except OSError:
        break  # EIO: every slave fd is closed, the container is gone
    if not data: break
    out += data
sys.stdout.write("name=" + msg.decode() + "\\n" + out.decode(errors="replace"))
`;

/** Runs a terminal container through create/start with a receiver on --console-socket; returns what the receiver read. */
async function runWithConsole(name: 'hull' | 'runc', script: string, input: string, edit?: (c: Config) => void) {
  const dir = tempDir();
  const sock = path.join(dir, 'console.sock');
  const rt = runtime(name);
  const b = makeBundle((c) => {
    c.process.terminal = true;
    edit?.(c);
  }, ['sh', '-c', script]);
  const receiver = spawn('python3', ['-c', RECEIVER, sock, input], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  receiver.stdout.on('data', (d) => (out += d));
  receiver.stderr.on('data', (d) => (err += d));
  // 'close', not 'exit': exit can come before the last stdout chunk is read.
  const done = new Promise<void>((resolve) => receiver.on('close', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const check = () => (out.startsWith('ready\n') ? resolve() : receiver.exitCode !== null ? reject(new Error(`receiver: ${err}`)) : setTimeout(check, 10));
      check();
    });
    const id = uniqueId();
    const c = rt.run(['create', '--bundle', b.dir, '--console-socket', sock, id]);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(rt.run(['start', id]).status).toBe(0);
    await done;
  } finally {
    if (receiver.exitCode === null) receiver.kill('SIGKILL');
  }
  expect(err).toBe('');
  return out.slice('ready\n'.length).replace(/\r\n/g, '\n');
}

describeTty.each(RUNTIMES)('terminal (%s)', (name) => {
  it('the pty master comes over --console-socket; input typed into it reaches the process, its output comes back', async () => {
    const out = await runWithConsole(name, 'read line; echo "got:$line"; tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty', 'hello\n');
    // The tty echoes the typed line before the shell reads it.
    expect(out).toBe('name=/dev/ptmx\nhello\ngot:hello\n/dev/pts/0\nall-tty\n');
  });

  it('consoleSize is the terminal\'s size', async () => {
    const out = await runWithConsole(name, 'stty size', '', (c) => (c.process.consoleSize = { height: 33, width: 101 }));
    expect(out).toBe('name=/dev/ptmx\n33 101\n');
  });

  it('the terminal is the controlling terminal and /dev/console', async () => {
    const out = await runWithConsole(name, 'cat /proc/self/stat | cut -d" " -f7; stat -c "%t:%T" /dev/pts/0 /dev/console', '');
    const [ttyNr, pts, consoleDev] = out.split('\n').slice(1);
    // tty_nr of pts/0: major 136, minor 0.
    expect(Number(ttyNr)).toBe((136 << 8) | 0);
    expect(pts).toBe('88:0');
    expect(consoleDev).toBe('88:0');
  });
});

describe('terminal errors', () => {
  itRoot('terminal: true without --console-socket is refused and leaves nothing', () => {
    const rt = runtime();
    const b = makeBundle((c) => (c.process.terminal = true), ['true']);
    const id = uniqueId();
    const r = rt.run(['create', '--bundle', b.dir, id]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/console-socket/);
    expect(rt.run(['list', '-q']).stdout).toBe('');
    expect(fs.readdirSync(rt.root).filter((f) => !f.startsWith('.'))).toEqual([]);
  });
});
