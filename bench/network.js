#!/usr/bin/env node
// Network attach and detach: hull-shim's Networks.Attach + Detach (a named
// network namespace, loopback, bridge + host-local, portmap with one published
// port, hosts/resolv.conf, records on disk) against the same CNI plugins run
// directly from a shell (unshare --net=FILE, then ADD and DEL of loopback,
// bridge and portmap with the same configuration): the peer is the bare CNI
// invocation, so the ratio is what the supervisor adds. Alternated pair by
// pair in a network namespace of its own; prints medians and the median of
// the paired ratios.
//
//   node bench/network.js [pairs]        (root; make build first)
'use strict';
const { repo, bin, benchEnv, median } = require('./lib/common');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO = repo;
const SHIM = bin.hullShim;
const { connect } = require(path.join(REPO, 'packages/shim/lib/client.js'));
const pairs = Number(process.argv[2] || 20);
const CNI_DIR = ['/opt/cni/bin', '/usr/lib/cni'].find((d) => fs.existsSync(path.join(d, 'bridge')));
// The peer: one shell script doing what Attach + Detach do through the plugins.
const PEER = `
set -e
ns=$1; id=$2; dir=$3; cni=$4
conf() { printf '{"cniVersion":"1.0.0","name":"benchpeer",%s}' "$1"; }
run() { printf '%s' "$3" | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND=$1 CNI_CONTAINERID=$id CNI_NETNS=$ns CNI_IFNAME=$2 CNI_PATH=$cni $cni/$4; }
touch $ns; unshare --net=$ns true
run ADD lo "$(conf '"type":"loopback"')" loopback >/dev/null
BR='"type":"bridge","bridge":"hullpeer0","isGateway":true,"ipMasq":true,"hairpinMode":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.212.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}],"dataDir":"'$dir'/ipam"}'
res=$(run ADD eth0 "$(conf "$BR")" bridge)
PM='"type":"portmap","snat":true,"runtimeConfig":{"portMappings":[{"hostPort":18080,"containerPort":80,"protocol":"tcp","hostIP":"127.0.0.1"}]}'
run ADD eth0 "$(conf "$PM,\\"prevResult\\":$res")" portmap >/dev/null
run DEL eth0 "$(conf "$PM,\\"prevResult\\":$res")" portmap
run DEL eth0 "$(conf "$BR,\\"prevResult\\":$res")" bridge
run DEL lo "$(conf '"type":"loopback"')" loopback
umount $ns; rm -f $ns
`;

async function main() {
  if (process.getuid() !== 0) throw new Error('needs root');
  if (!CNI_DIR) throw new Error('no CNI plugins (containernetworking-plugins)');
  const ns = `hullbench-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bench-net-'));
  execFileSync('ip', ['netns', 'add', ns]);
  const env = benchEnv();
  const sock = path.join(dir, 'sock');
  const shim = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', SHIM, 'serve', '--address', sock, '--state-dir', path.join(dir, 'state')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  shim.stderr.on('data', (b) => (log += b));
  try {
    while (!log.includes('serving')) {
      if (shim.exitCode !== null) throw new Error(`hull-shim: ${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const c = connect(sock);
    const NET = 'hull.networks.v1.Networks';
    await c.call(NET, 'Create', { name: 'bench', subnet: '10.213.0.0/24' });
    const hullMs = [], peerMs = [], ratios = [];
    for (let i = 0; i < pairs + 1; i++) {
      const id = `bench${i}`;
      let t = process.hrtime.bigint();
      await c.call(NET, 'Attach', { container_id: id, container_name: id, hostname: id, network: 'bench', ports: [{ host_ip: '127.0.0.1', host_port: 18081, container_port: 80, protocol: 'tcp' }] });
      await c.call(NET, 'Detach', { container_id: id });
      const h = Number(process.hrtime.bigint() - t) / 1e6;
      t = process.hrtime.bigint();
      const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, '--', 'bash', '-c', PEER, 'peer', path.join(dir, `peer-${i}`), id, dir, CNI_DIR], { encoding: 'utf8' });
      const p = Number(process.hrtime.bigint() - t) / 1e6;
      if (r.status !== 0) throw new Error(`peer script: ${r.stderr || r.stdout}`);
      if (i === 0) continue; // warm-up pair
      hullMs.push(h); peerMs.push(p); ratios.push(h / p);
    }
    await c.call(NET, 'Remove', { name: 'bench' });
    c.close();
    console.log(`hull-shim Attach+Detach (netns, lo, bridge, portmap, hosts): median ${median(hullMs).toFixed(1)} ms over ${pairs} runs`);
    console.log(`CNI plugins from a shell (unshare, lo, bridge, portmap ADD+DEL): median ${median(peerMs).toFixed(1)} ms over ${pairs} runs`);
    console.log(`median of paired ratios hull/shell: ${median(ratios).toFixed(2)}`);
  } finally {
    shim.kill('SIGTERM');
    await new Promise((r) => (shim.exitCode !== null ? r() : shim.once('exit', r)));
    spawnSync('sh', ['-c', `for f in ${dir}/state/networks/sandboxes/*/netns ${dir}/peer-*; do umount -l "$f" 2>/dev/null; done`]);
    execFileSync('ip', ['netns', 'del', ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/network.js: ${e.message}`);
  process.exit(1);
});
