#!/usr/bin/env python3
"""Drives a command on a real pty for hullctl's interactive tests.

usage: pty_driver.py STEPS_JSON COMMAND [ARG...]
STEPS_JSON is a list of steps, run in order:
  {"expect": "text", "timeout": 60}   read the screen until text appears (60 s by default: a loaded machine)
  {"send": "text"}                     type text (use \\r for Enter, \\u0010 for ctrl-p)
  {"resize": [rows, cols]}             set the window size (the kernel sends SIGWINCH)
  {"wait": true}                       wait for the command to exit
Prints one JSON line: {"ok", "failed_step", "exit", "transcript"}.
"""
import json, os, pty, select, struct, sys, time, fcntl, termios

steps = json.loads(sys.argv[1])
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
screen = b''
seen = 0  # an expect only matches text that came after the previous match
exit_code = None
failed = None

def pump(timeout):
    global screen
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    if not data:
        return False
    screen += data
    return True

for i, step in enumerate(steps):
    if 'expect' in step:
        want = step['expect'].encode()
        deadline = time.time() + step.get('timeout', 60)
        while want not in screen[seen:] and time.time() < deadline:
            if not pump(0.1):
                break
        at = screen.find(want, seen)
        if at < 0:
            failed = i
            break
        seen = at + len(want)
    elif 'send' in step:
        os.write(fd, step['send'].encode())
    elif 'resize' in step:
        rows, cols = step['resize']
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    elif 'wait' in step:
        deadline = time.time() + step.get('timeout', 60)
        while time.time() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                exit_code = os.waitstatus_to_exitcode(status)
                break
            pump(0.05)
        if exit_code is None:
            failed = i
            break

if exit_code is None:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass
while pump(0.05) and len(screen) < 1 << 20:
    pass
print(json.dumps({'ok': failed is None, 'failed_step': failed, 'exit': exit_code, 'transcript': screen.decode('utf-8', 'replace')}))
