// Starts a CLI from its bundle (`scripts/bundle.js` puts all of a package's own modules in one file)
// through V8's code cache. Most of a short command's time is Node itself; of the rest, resolving and
// compiling some hundred modules is the largest part. One file removes the resolving; the cache
// removes most of the compiling.
//
// There is a cache per kind of command (`tag`): V8 reads a cache whole, and one made by `run` costs a
// `state` more than it saves. Each is written by the first command of its kind that finishes, beside the
// bundle, only by the user who owns that directory (a cache is code: nobody else may plant one). Its
// name carries the bundle's size and mtime, so a rebuilt bundle never meets an old cache (V8's own check
// compares little more than length).
// `import x = require()`: plain requires. A namespace import compiles to __importStar, which copies
// every export of fs onto a new object: a millisecond of every start.
import fs = require('fs');
import path = require('path');
import vm = require('vm');
// The CommonJS loader's class as every module sees it: require('module') would load the public module,
// and with it Node's ESM loader and source maps (a millisecond of every start).
const Module = module.constructor as typeof import('module');

export interface Bundled<T> {
  exports: T;
  /** Writes the code cache if there was none: call once the command is done, so it holds what ran. */
  saveCache(): void;
}

export function loadBundle<T>(file: string, tag: string): Bundled<T> | undefined {
  let source: string;
  let stat: fs.BigIntStats;
  try {
    // esbuild writes ASCII only (it escapes the rest), and latin1 skips UTF-8 decoding.
    source = fs.readFileSync(file, 'latin1');
    stat = fs.statSync(file, { bigint: true });
  } catch {
    return undefined; // not bundled (a development build): the caller requires its modules one by one
  }
  const dir = path.dirname(file);
  // V8 rejects a cache made under other flags (hull's bin passes one; `node bin/hull` none): one per set.
  const flags = process.execArgv.join('').replace(/[^a-zA-Z0-9]/g, '').slice(0, 64);
  const cacheFile = path.join(dir, `.${path.basename(file)}.${stat.size}-${stat.mtimeNs}.${tag.replace(/[^a-z]/g, '') || 'none'}${flags && `.${flags}`}.cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch { /* first run after a build */ }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dir);
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  // A real require (with resolve) of this file, as Node would hand a module.
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dir);
  mod.loaded = true;
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  return {
    exports: mod.exports as T,
    saveCache() {
      if (!stale || process.geteuid?.() !== fs.statSync(dir).uid) return;
      const tmp = `${cacheFile}.${process.pid}`;
      try {
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o644 });
        fs.renameSync(tmp, cacheFile);
      } catch {
        fs.rmSync(tmp, { force: true }); // a read-only install: run without a cache
      }
    },
  };
}
