// seccomp through `hull run`, from inside a real container: the filter is
// loaded after the runtime's own steps, and SCMP_ACT_NOTIFY reaches an agent
// on the host. Compared with runc where runc does the same.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeSourceLoader } from '@hull/testkit/sources';
import { cleanEnv, cleanupAll, itRoot, itRunc, makeBundle, REPO, runtime, tempDir, uniqueId } from './helpers';

afterEach(cleanupAll);

const SRC = path.resolve(__dirname, '../src');

// A profile that would break a runtime loading it early: no directories, no cwd.
const hostile = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [
    { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
    { names: ['getcwd', 'chdir', 'fchdir'], action: 'SCMP_ACT_ERRNO' },
  ],
};
const probe = ['sh', '-c', 'mkdir /tmp/d; echo mkdir=$?; cd /; echo cd=$?; pwd'];

describe('seccomp in a container', () => {
  function runBoth(nnp: boolean) {
    const out: Record<string, { status: number | null; stdout: string; stderr: string }> = {};
    for (const name of ['hull', 'runc'] as const) {
      const rt = runtime(name);
      const b = makeBundle((c) => {
        c.process.cwd = '/tmp';
        c.process.noNewPrivileges = nnp;
        c.linux.seccomp = hostile;
      }, probe);
      const r = rt.run(['run', '--bundle', b.dir, uniqueId('seccomp')]);
      out[name] = { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }
    return out;
  }
  const blocked = { status: 0, stdout: 'mkdir=1\ncd=2\n\n', stderr: "mkdir: can't create directory '/tmp/d': Permission denied\nsh: cd: line 0: can't cd to /: Operation not permitted\n" };

  itRunc("a profile blocking mkdir, getcwd and chdir is loaded after the runtime's own steps (noNewPrivileges true), as runc does", () => {
    const out = runBoth(true);
    expect(out.hull).toEqual(blocked);
    expect(out.hull).toEqual(out.runc);
  });

  // Without no_new_privs the filter must be loaded while CAP_SYS_ADMIN is still
  // held, yet after chdir(cwd): runc 1.1.5 loads it first and fails with
  // "chdir to cwd ("/tmp") set in config.json failed: operation not permitted".
  // KNOWN FAILURE until init/finalize.ts does umask and chdir before that early
  // load (see the security report); then drop `.failing`.
  itRunc('without no_new_privs too, where runc 1.1.5 fails', () => {
    const out = runBoth(false);
    expect(out.runc.status).not.toBe(0);
    expect(out.hull).toEqual(blocked);
  });

  itRoot('SCMP_ACT_NOTIFY: the agent gets the fd and the state, and answers for the container', async () => {
    const dir = tempDir();
    const listener = path.join(dir, 'agent.sock');
    writeSourceLoader(dir);
    // Answers one notification with success (0) without doing anything.
    fs.writeFileSync(path.join(dir, 'agent.js'), `
const fs = require('node:fs');
const scm = require('@hull/sys/scm');
const libc = require('@hull/sys/libc');
const lfd = scm.listenUnix(process.argv[2]);
fs.writeSync(1, 'ready\\n');
const conn = scm.acceptUnix(lfd);
let { data, fds } = scm.recvFds(conn);
for (let more; (more = scm.recvFds(conn)).data.length;) data = Buffer.concat([data, more.data]);
const notif = Buffer.alloc(80); // struct seccomp_notif
libc.ioctl(fds[0], 0xc0502100 /* SECCOMP_IOCTL_NOTIF_RECV */, notif);
const resp = Buffer.alloc(24); // struct seccomp_notif_resp: id, val 0, error 0, flags 0
notif.copy(resp, 0, 0, 8);
libc.ioctl(fds[0], 0xc0182101 /* SECCOMP_IOCTL_NOTIF_SEND */, resp);
fs.writeSync(1, JSON.stringify({ msg: JSON.parse(data.toString()), nfds: fds.length, pid: notif.readUInt32LE(8) }) + '\\n');
`);
    const agent = spawn(process.execPath, ['-r', path.join(dir, 'register.js'), path.join(dir, 'agent.js'), listener], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let agentOut = '';
      let agentErr = '';
      agent.stderr!.on('data', (d) => { agentErr += d; });
      const agentDone = new Promise<void>((resolve) => agent.on('close', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        agent.stdout!.on('data', (d) => {
          agentOut += d;
          if (agentOut.includes('ready\n')) resolve();
        });
        agent.on('close', () => reject(new Error(`agent died: ${agentErr}`)));
      });

      const rt = runtime('hull');
      const id = uniqueId('notify');
      const b = makeBundle((c) => {
        c.linux.seccomp = {
          defaultAction: 'SCMP_ACT_ALLOW',
          listenerPath: listener,
          listenerMetadata: 'from the test',
          syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
        };
      }, ['mkdir', '/tmp/notified']);
      const r = rt.run(['run', '--bundle', b.dir, id]);
      await agentDone;
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      // The agent said "done" without doing it.
      expect(fs.existsSync(path.join(b.dir, 'rootfs/tmp/notified'))).toBe(false);
      const got = JSON.parse(agentOut.slice(agentOut.indexOf('\n') + 1));
      expect(got.nfds).toBe(1);
      expect(got.msg).toMatchObject({ fds: ['seccompFd'], metadata: 'from the test', state: { id, bundle: b.dir } });
      // The notifying process is the container process, and the state names it by its host pid.
      expect(got.msg.pid).toBe(got.pid);
      expect(got.msg.state.pid).toBe(got.pid);
    } finally {
      agent.kill('SIGKILL');
    }
  });
});
