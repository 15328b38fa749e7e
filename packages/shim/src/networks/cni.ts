// Calls CNI plugins as the CNI spec (SPEC.md, version 1.0.0) says: the plugin
// named by "type" is found on CNI_PATH and executed with CNI_COMMAND,
// CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME and CNI_PATH in its environment and
// its network configuration on stdin. For a configuration list, ADD runs the
// plugins in order, each given the previous one's result as prevResult; DEL
// runs them in reverse with the cached ADD result; CHECK likewise in order.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ShimError, GrpcCode } from '../errors';
import { track } from '../spawned';

export const CNI_VERSION = '1.0.0';
/** Where Debian's containernetworking-plugins and upstream's tarball put them. */
export const DEFAULT_CNI_PATH = ['/opt/cni/bin', '/usr/lib/cni'];
const PLUGIN_TIMEOUT_MS = 60_000;
// Plugins run iptables and friends: a plain PATH, nothing else of ours.
const PLUGIN_ENV_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface ConfList {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
}

/** The attachment: who, where, and the runtime arguments plugins ask for by capability. */
export interface Attachment {
  containerId: string;
  netns: string;
  ifname: string;
  /** e.g. portMappings, ips: given only to plugins that declare the capability. */
  capabilityArgs?: Record<string, unknown>;
}

export interface CniResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { interface?: number; address: string; gateway?: string }[];
  routes?: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

export class CniError extends ShimError {
  constructor(message: string, readonly cniCode: number) {
    super(GrpcCode.UNKNOWN, 'ECNI', message, { cniCode });
  }
}

export class Cni {
  constructor(readonly searchPath: string[] = DEFAULT_CNI_PATH) {}

  /** The plugin binary for a type, or undefined. */
  find(type: string): string | undefined {
    if (!/^[A-Za-z0-9_.-]+$/.test(type)) return undefined;
    for (const dir of this.searchPath) {
      const p = path.join(dir, type);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch { /* next */ }
    }
    return undefined;
  }

  /** The plugin's stdin for one command (SPEC.md "Deriving execution configuration from plugin configuration"). */
  static pluginConfig(list: ConfList, plugin: PluginConf, a: Attachment, prevResult: CniResult | undefined): Record<string, unknown> {
    const { capabilities, ...rest } = plugin;
    const conf: Record<string, unknown> = { ...rest, cniVersion: list.cniVersion, name: list.name };
    const runtimeConfig: Record<string, unknown> = {};
    for (const [cap, on] of Object.entries(capabilities ?? {})) {
      if (on && a.capabilityArgs?.[cap] !== undefined) runtimeConfig[cap] = a.capabilityArgs[cap];
    }
    if (Object.keys(runtimeConfig).length > 0) conf.runtimeConfig = runtimeConfig;
    if (prevResult) conf.prevResult = prevResult;
    return conf;
  }

  /** Executes one plugin; resolves to its parsed stdout (empty for DEL/CHECK). */
  exec(command: 'ADD' | 'DEL' | 'CHECK', list: ConfList, plugin: PluginConf, a: Attachment, prevResult?: CniResult): Promise<CniResult | undefined> {
    const binary = this.find(plugin.type);
    const what = `network ${list.name}: CNI plugin ${plugin.type} ${command}`;
    if (!binary) return Promise.reject(new CniError(`${what}: plugin not found in ${this.searchPath.join(':')} (install containernetworking-plugins)`, 1));
    const stdin = JSON.stringify(Cni.pluginConfig(list, plugin, a, prevResult));
    const env = {
      PATH: PLUGIN_ENV_PATH,
      CNI_COMMAND: command,
      CNI_CONTAINERID: a.containerId,
      CNI_NETNS: a.netns,
      CNI_IFNAME: a.ifname,
      CNI_PATH: this.searchPath.join(':'),
    };
    return new Promise((resolve, reject) => {
      // Tracked: the daemon's orphan reaper must not take libuv's child (its exit would never be seen).
      const child = track(spawn(binary, [], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: PLUGIN_TIMEOUT_MS }));
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('error', (e) => reject(new CniError(`${what}: ${e.message}`, 1)));
      child.on('close', (code, signal) => {
        if (code === 0) {
          if (command !== 'ADD') return resolve(undefined);
          try {
            return resolve(JSON.parse(out) as CniResult);
          } catch {
            return reject(new CniError(`${what}: result is not JSON: ${out.slice(0, 200)}`, 999));
          }
        }
        // A failing plugin prints {code, msg, details} on stdout.
        let msg = err.trim() || `exited ${code ?? signal}`;
        let cniCode = 999;
        try {
          const e = JSON.parse(out) as { code?: number; msg?: string; details?: string };
          if (e.msg) msg = e.details ? `${e.msg}: ${e.details}` : e.msg;
          if (typeof e.code === 'number') cniCode = e.code;
        } catch { /* not JSON: keep stderr */ }
        reject(new CniError(`${what}: ${msg.trim()}`, cniCode));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
    });
  }

  /**
   * ADD through the list. On failure the list is DELeted (the spec asks the
   * runtime to, so a half-made attachment leaves nothing) and the ADD error thrown.
   */
  async add(list: ConfList, a: Attachment): Promise<CniResult> {
    let result: CniResult | undefined;
    try {
      for (const p of list.plugins) result = (await this.exec('ADD', list, p, a, result)) ?? result;
    } catch (e) {
      await this.del(list, a, result).catch((cleanup: Error) => {
        if (e instanceof ShimError) e.cleanup.push(cleanup);
      });
      throw e;
    }
    return result ?? {};
  }

  /** DEL through the list in reverse, with the cached result; every plugin runs, the first error is thrown. */
  async del(list: ConfList, a: Attachment, prevResult: CniResult | undefined): Promise<void> {
    let first: Error | undefined;
    for (const p of [...list.plugins].reverse()) {
      try {
        await this.exec('DEL', list, p, a, prevResult);
      } catch (e) {
        first ??= e as Error;
      }
    }
    if (first) throw first;
  }

  async check(list: ConfList, a: Attachment, prevResult: CniResult): Promise<void> {
    for (const p of list.plugins) await this.exec('CHECK', list, p, a, prevResult);
  }
}
