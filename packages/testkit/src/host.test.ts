// The probes against this host: what they say must match what the host says another way.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { cgroupVersion, hardLimit, isRoot, missingCgroupFile, missingCommand, missingOomKill, missingRlimit } from './host';
import { itNeeds, skippedTitle, why } from './jest';

describe('host probes', () => {
  it('missingCommand: an installed command passes, an absent one is named', () => {
    expect(missingCommand('true', [])).toBeUndefined();
    expect(missingCommand('false', [])).toMatch(/^no working false \(`false` exits 1\)$/);
    expect(missingCommand('hull-no-such-command')).toBe('no hull-no-such-command (ENOENT)');
  });

  it('hardLimit and missingRlimit agree with the shell\'s ulimit -H', () => {
    const hard = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
    expect(hardLimit('RLIMIT_NOFILE')).toBe(hard === 'unlimited' ? Infinity : Number(hard));
    expect(missingRlimit('RLIMIT_NOFILE', hardLimit('RLIMIT_NOFILE'))).toBeUndefined();
    // Above fs.nr_open no process may go, capability or not.
    const nrOpen = Number(fs.readFileSync('/proc/sys/fs/nr_open', 'utf8'));
    expect(missingRlimit('RLIMIT_NOFILE', nrOpen + 1)).toMatch(/above fs.nr_open/);
  });

  it('missingOomKill: no swap areas, nothing missing; otherwise it says the host swaps', () => {
    const areas = fs.readFileSync('/proc/swaps', 'utf8').trim().split('\n').length - 1;
    if (areas === 0) expect(missingOomKill()).toBeUndefined();
    else expect(missingOomKill()).toMatch(/^the host swaps \(\d+ swap areas? in \/proc\/swaps\)/);
  });

  itNeeds(isRoot ? undefined : 'needs root')('missingCgroupFile: an absent file is named, a present one passes; no scratch cgroup is left', () => {
    const tree = cgroupVersion() === 2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';
    expect(missingCgroupFile('pids', 'pids.hull-no-such-file')).toBe('no pids.hull-no-such-file in a new pids cgroup');
    expect(missingCgroupFile('pids', 'pids.max', { value: '10' })).toBeUndefined();
    expect(missingCgroupFile('pids', 'pids.max', { value: 'not-a-number' })).toMatch(/^cannot write pids.max \(writing "not-a-number" in a new pids cgroup: EINVAL\)$/);
    expect(fs.readdirSync(tree).filter((d) => d.startsWith(`hull-probe-${process.pid}-`))).toEqual([]);
  });
});

describe('skips with reasons', () => {
  it('why joins what is missing; nothing missing is no reason', () => {
    expect(why(undefined, 'no criu', undefined, 'needs root', 'needs root')).toBe('no criu; needs root');
    expect(why(undefined)).toBeUndefined();
    expect(skippedTitle('t', 'no criu')).toBe('t [skipped: no criu]');
  });

  it('itNeeds is plain `it` when nothing is missing', () => {
    expect(itNeeds(undefined)).toBe(it);
  });
});
