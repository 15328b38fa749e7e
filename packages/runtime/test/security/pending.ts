// Attacks the current init (a Node process, wave 1) does not resist: each is
// fixed by the setup-program rewrite (issue 10: hull-init, openat2
// RESOLVE_IN_ROOT, a sealed non-dumpable init). The tests are in the suite
// and run the attack; while an id is listed here they are skipped, so main
// stays green. Remove an id as the rewrite lands, and the test guards it.
// HULL_SECURITY_PENDING=1 runs them all anyway.
import type { Missing } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';
import { missingRoot } from '@hull/testkit/host';

export const PENDING_REASON = 'fixed by the setup-program rewrite (issue 10)';

export const pending = new Set<string>([
  'init-exe', // escape 1: a "#!/proc/self/exe" entrypoint runs the runtime's binary in the container, which rewrites it
  'init-ptrace-exe', // escape 2: an exec'd process with CAP_SYS_PTRACE writes the init's binary after start
  'hook-creds', // escape 3: startContainer hooks run with the runtime's privileges
  'mount-race', // escape 4: mount destinations resolved by path, raced with RENAME_EXCHANGE
  'mask-bypass', // escape 7: masks bind /dev/null by path, a symlink in the image redirects them
  'no-pivot-proc', // escape 10: --no-pivot leaves the host's proc and sys reachable
  'cwd-loop', // DoS: process.cwd through /proc/self/fd sends the init's mkdir into a loop
  'passwd-zero', // DoS: /etc/passwd linked to /dev/zero is read without bound
]);

/** `it` for the attack `id` (root, and whatever else is given), skipped with the reason while it is pending. */
export function attack(id: string, ...missing: Missing[]): jest.It {
  const isPending = pending.has(id) && process.env.HULL_SECURITY_PENDING !== '1';
  return itNeeds(missingRoot(), ...missing, isPending ? PENDING_REASON : undefined);
}
