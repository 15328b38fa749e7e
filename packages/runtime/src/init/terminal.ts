// terminal: true — a pty from the container's own devpts; the master goes
// to the caller through --console-socket (SCM_RIGHTS, as runc sends it),
// the slave becomes the process's stdio and controlling terminal.
import fs from 'node:fs';
import type { Box } from '../spec/types';
import * as libc from '../sys/libc';
import { MS, O, TIOCSCTTY, TIOCSWINSZ } from '../sys/constants';
import { sendFds } from '../sys/scm';

/** `bindConsole`: the init makes /dev/console the pty; an exec'd process leaves it alone. */
export function setupConsole(consoleFd: number, size?: Box, bindConsole = true): void {
  const [master, slavePath] = libc.openpt(O.RDWR | O.NOCTTY | O.CLOEXEC);
  try {
    if (size) {
      const ws = Buffer.alloc(8);
      ws.writeUInt16LE(size.height, 0);
      ws.writeUInt16LE(size.width, 2);
      libc.ioctl(master, TIOCSWINSZ, ws, 'set console size');
    }
    // /dev/console is the pty's slave, as on a host.
    if (bindConsole) {
      if (!fs.existsSync('/dev/console')) fs.closeSync(fs.openSync('/dev/console', 'a', 0o600));
      libc.mount(slavePath, '/dev/console', 'bind', MS.BIND, null, 'bind /dev/console');
    }
    sendFds(consoleFd, [master], '/dev/ptmx');
  } finally {
    libc.close(master);
    libc.close(consoleFd);
  }
  const slave = libc.open(slavePath, O.RDWR | O.NOCTTY | O.CLOEXEC);
  for (const fd of [0, 1, 2]) libc.dup3(slave, fd);
  libc.close(slave);
  libc.ioctl(0, TIOCSCTTY, 0, 'make the console the controlling terminal');
}
