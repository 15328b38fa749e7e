#!/usr/bin/env node
// Supervisor benchmark: containers per second through hull-shim's gRPC API,
// and the memory the supervisor and its per-container monitors hold with 0,
// 10 and 200 running containers, for each runtime: hull (in-process, the
// supervisor's default), hull-cli (hull through its CLI), runc.
//
//   node bench/shim.js [--runtime hull,hull-cli,runc] [--count 100] [--concurrency 10] [--running 0,10,200] [--json]
//
// Needs root, a built tree (make build) and the busybox rootfs.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { memOf } = require('./lib/memory.js');

const REPO = path.resolve(__dirname, '..');
const ROOTFS = path.join(REPO, 'build/rootfs');
const SHIM = path.join(REPO, 'packages/shim/bin/hull-shim');
const { connect } = require(path.join(REPO, 'packages/shim/lib/client.js'));

const { values: opt } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'hull,runc' },
    count: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '10' },
    running: { type: 'string', default: '0,10,200' },
    json: { type: 'boolean', default: false },
  },
});

function cleanEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

function bundle(dir, args) {
  fs.mkdirSync(dir, { recursive: true });
  const caps = ['CAP_KILL'];
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    ociVersion: '1.0.2',
    process: { user: { uid: 0, gid: 0 }, args, cwd: '/', env: ['PATH=/bin'], capabilities: { bounding: caps, effective: caps, permitted: caps }, noNewPrivileges: true },
    root: { path: ROOTFS, readonly: true },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] }],
    linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }] },
  }));
  return dir;
}

function monitorsUnder(dir) {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return cmd.includes('hull-monitor') && cmd.includes(dir);
    } catch { return false; }
  }).map(Number);
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function benchRuntime(name) {
  const hullCli = path.join(REPO, 'packages/runtime/bin/hull');
  // The CLI cleans up after the run; hull-shim gets "hull" (in-process) or a binary.
  const binary = name === 'hull' || name === 'hull-cli' ? hullCli : name;
  const flag = name === 'hull' ? 'hull' : binary;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hull-shim-bench-${name}-`));
  const address = path.join(dir, 'sock');
  const daemon = spawn(SHIM, ['serve', '--address', address, '--state-dir', path.join(dir, 'state'), '--runtime', flag, '--runtime-root', path.join(dir, 'root')], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr.on('data', (b) => { log += b; });
  try {
    while (!log.includes('serving')) {
      if (daemon.exitCode !== null) throw new Error(`hull-shim: ${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const c = connect(address);
    const once = bundle(path.join(dir, 'true'), ['true']);
    const sleeper = bundle(path.join(dir, 'sleep'), ['sleep', '100000']);
    let seq = 0;
    const failures = [];
    const lifecycle = async () => {
      const id = `bench-${seq++}`;
      try {
        await c.task('Create', { id, bundle: once });
        await c.task('Start', { id });
        await c.task('Wait', { id });
        await c.task('Delete', { id });
      } catch (e) {
        failures.push(`${id}: ${e.details ?? e.message}`);
        await c.task('Kill', { id, signal: 9 }).catch(() => {});
        await c.task('Wait', { id }).catch(() => {});
        await c.task('Delete', { id }).catch(() => {});
      }
    };
    await lifecycle(); // warm-up
    const count = Number(opt.count);
    const t0 = process.hrtime.bigint();
    await pool(Array.from({ length: count }), Number(opt.concurrency), lifecycle);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

    const memory = [];
    const running = [];
    for (const target of opt.running.split(',').map(Number)) {
      const add = Array.from({ length: Math.max(0, target - running.length) }, () => `run-${seq++}`);
      await pool(add, Number(opt.concurrency), async (id) => {
        await c.task('Create', { id, bundle: sleeper });
        await c.task('Start', { id });
        running.push(id);
      });
      await new Promise((r) => setTimeout(r, 300)); // let the heap settle after the burst
      const d = memOf(daemon.pid);
      const mons = monitorsUnder(dir).map(memOf);
      memory.push({
        running: running.length, daemonRssKB: d.rss, daemonPssKB: d.pss, monitors: mons.length,
        monitorsRssKB: mons.reduce((a, m) => a + m.rss, 0), monitorsPssKB: mons.reduce((a, m) => a + m.pss, 0),
      });
    }
    const early = [];
    await pool(running, Number(opt.concurrency), async (id) => {
      // A container that is already gone is the runtime's doing: report it.
      await c.task('Kill', { id, signal: 9 }).catch((e) => early.push(`${id}: ${e.details}`));
      await c.task('Wait', { id });
      await c.task('Delete', { id });
    });
    c.close();
    return { runtime: name, containers: count, concurrency: Number(opt.concurrency), seconds, perSecond: (count - failures.length) / seconds, failures, early, memory };
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => (daemon.exitCode !== null ? r() : daemon.once('exit', r)));
    const root = path.join(dir, 'root');
    if (fs.existsSync(root)) for (const id of fs.readdirSync(root)) spawnSync(binary, ['--root', root, 'delete', '--force', id], { env: cleanEnv() });
    for (const pid of monitorsUnder(dir)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  if (process.getuid() !== 0) throw new Error('bench/shim.js needs root');
  const results = [];
  for (const rt of opt.runtime.split(',')) {
    try {
      results.push(await benchRuntime(rt));
    } catch (e) {
      results.push({ runtime: rt, error: e.message });
    }
  }
  if (opt.json) return void console.log(JSON.stringify(results, null, 2));
  for (const r of results) {
    if (r.error) { console.log(`${r.runtime}: failed: ${r.error}`); continue; }
    console.log(`${r.runtime}: ${r.containers} containers (create+start+wait+delete, ${r.concurrency} at a time) in ${r.seconds.toFixed(2)} s = ${r.perSecond.toFixed(1)} containers/s`);
    for (const m of r.memory) {
      const per = m.running ? ` | monitors ${(m.monitorsRssKB / m.running).toFixed(0)} kB RSS, ${(m.monitorsPssKB / m.running).toFixed(0)} kB PSS each` : '';
      console.log(`  ${String(m.running).padStart(3)} running: daemon ${(m.daemonRssKB / 1024).toFixed(1)} MB RSS (${(m.daemonPssKB / 1024).toFixed(1)} MB PSS), ${m.monitors} monitors ${m.monitorsRssKB} kB RSS${per}`);
    }
    if (r.failures.length) console.log(`  ${r.failures.length} lifecycles failed, e.g. ${r.failures[0]}`);
    if (r.early.length) console.log(`  ${r.early.length} sleeping containers had exited before the final kill, e.g. ${r.early[0]}`);
    const first = r.memory[0];
    const last = r.memory[r.memory.length - 1];
    if (last.running > first.running) {
      const added = (last.daemonRssKB + last.monitorsRssKB - first.daemonRssKB - first.monitorsRssKB) / (last.running - first.running);
      console.log(`  added RSS per running container (daemon + monitor): ${added.toFixed(0)} kB`);
    }
  }
})().catch((e) => { console.error(e.message); process.exit(1); });
