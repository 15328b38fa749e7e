import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CAPABILITIES, CAP_LAST_KNOWN, capabilityName, capabilityNumber, isCapabilityName, lastCap, supportedCapabilities } from './capabilities';

describe('capabilities', () => {
  it('numbers the names as linux/capability.h does', () => {
    expect(capabilityNumber('CAP_CHOWN')).toBe(0);
    expect(capabilityNumber('CAP_KILL')).toBe(5);
    expect(capabilityNumber('CAP_NET_BIND_SERVICE')).toBe(10);
    expect(capabilityNumber('CAP_SYS_ADMIN')).toBe(21);
    expect(capabilityNumber('CAP_AUDIT_WRITE')).toBe(29);
    expect(capabilityNumber('CAP_SYSLOG')).toBe(34);
    expect(capabilityNumber('CAP_AUDIT_READ')).toBe(37);
    expect(capabilityNumber('CAP_CHECKPOINT_RESTORE')).toBe(40);
    expect(CAP_LAST_KNOWN).toBe(40);
    expect(new Set(CAPABILITIES).size).toBe(41);
  });

  it('knows exact names only', () => {
    expect(capabilityNumber('chown')).toBeUndefined();
    expect(capabilityNumber('CAP_FOO')).toBeUndefined();
    expect(capabilityNumber('toString')).toBeUndefined();
    expect(isCapabilityName('CAP_BPF')).toBe(true);
    expect(isCapabilityName('BPF')).toBe(false);
  });

  it('names numbers', () => {
    expect(capabilityName(0)).toBe('CAP_CHOWN');
    expect(capabilityName(39)).toBe('CAP_BPF');
    expect(capabilityName(41)).toBeUndefined();
    for (const [n, name] of CAPABILITIES.entries()) expect(capabilityNumber(capabilityName(n)!)).toBe(n);
  });

  it('reads the kernel\'s last capability', () => {
    const fromProc = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
    expect(lastCap()).toBe(fromProc);
  });

  it('reads another file, and falls back to the last known one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hull-caps-${process.pid}-`));
    try {
      fs.writeFileSync(path.join(dir, 'last'), '37\n');
      expect(lastCap(path.join(dir, 'last'))).toBe(37);
      fs.writeFileSync(path.join(dir, 'junk'), 'x');
      expect(lastCap(path.join(dir, 'junk'))).toBe(CAP_LAST_KNOWN);
      expect(lastCap(path.join(dir, 'missing'))).toBe(CAP_LAST_KNOWN);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists the capabilities both hull and a kernel know', () => {
    expect(supportedCapabilities(37)).toEqual(CAPABILITIES.slice(0, 38));
    expect(supportedCapabilities(63)).toEqual([...CAPABILITIES]);
  });
});
