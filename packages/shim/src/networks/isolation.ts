// Docker's isolation of bridge networks from one another: a packet routed from
// one hull bridge out of another is dropped (two stages, as docker's
// DOCKER-ISOLATION-STAGE-1/2: stage 1 picks packets leaving the bridge they came
// in on, stage 2 drops those going into any bridge of ours). The CNI bridge
// plugin leaves FORWARD open; these rules live in the daemon's namespace beside
// the plugins' own, through the same iptables.
import { spawnSync } from 'node:child_process';
import { ShimError, GrpcCode } from '../errors';

const STAGE1 = 'HULL-ISOLATION-1';
const STAGE2 = 'HULL-ISOLATION-2';
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

function iptables(args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('iptables', ['-w', '-t', 'filter', ...args], { encoding: 'utf8', env: ENV });
  return { ok: r.status === 0, err: (r.stderr || r.error?.message || '').trim() };
}

function ensure(chain: string, rule: string[], position?: number): void {
  if (iptables(['-C', chain, ...rule]).ok) return;
  const r = iptables(position ? ['-I', chain, String(position), ...rule] : ['-A', chain, ...rule]);
  if (!r.ok) throw new ShimError(GrpcCode.INTERNAL, 'EISOLATION', `isolate networks: iptables ${chain} ${rule.join(' ')}: ${r.err}`);
}

function rules(bridge: string): [string, string[]][] {
  return [
    [STAGE1, ['-i', bridge, '!', '-o', bridge, '-j', STAGE2]],
    [STAGE2, ['-o', bridge, '-j', 'DROP']],
  ];
}

/** Makes sure the bridge's network is cut off from the other bridges of ours (idempotent: also after a restart). */
export function isolate(bridge: string): void {
  for (const chain of [STAGE1, STAGE2]) iptables(['-N', chain]); // exists already: fine
  ensure('FORWARD', ['-j', STAGE1], 1);
  for (const [chain, rule] of rules(bridge)) ensure(chain, rule);
}

/** Removes the bridge's rules (the network is gone); the chains stay, as docker's do. */
export function unisolate(bridge: string): void {
  for (const [chain, rule] of rules(bridge)) while (iptables(['-D', chain, ...rule]).ok);
}
