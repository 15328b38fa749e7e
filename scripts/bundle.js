// Bundles each CLI's own modules into one file beside its entry (see packages/sys/src/bundled.ts).
// koffi's JavaScript goes in too: resolving it through node_modules and its exports maps cost a `hull run`
// more than loading it. Its compiled addon stays a file, required by a path relative to the bundle
// (or, where that is gone, through node_modules after all).
// Packages only rare commands load (yargs) stay outside.
// The runtime's hot commands (create, start, state, ...) get a bundle each besides, with that command's
// code alone: a `hull start` read and compiled the whole CLI's 350 KB for its few.
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const ENTRIES = [
  // The runtime's own code also gets short local names: a quarter less to read and compile at every start.
  { entry: 'packages/runtime/lib/cli/main.js', out: 'packages/runtime/lib/cli/bundle.js', external: ['yargs'], minifyIdentifiers: true },
  // hullctl: gRPC and protobufjs go in (their hundred modules were most of a `hullctl ps`).
  // The image and build libraries stay outside: @hull/images makes tar-stream's pax codec binary-safe
  // by patching its module in place, which a bundled copy would escape.
  // log-update (an ES module, imported by `build --progress tty` alone) stays outside too.
  { entry: 'packages/cli/lib/main.js', out: 'packages/cli/lib/bundle.js', external: ['yargs', '@hull/images', '@hull/build', 'log-update'] },
  // containerd starts the shim binary twice per container (start, delete).
  { entry: 'packages/shim/lib/v2/main.js', out: 'packages/shim/lib/v2/bundle.js', external: ['yargs', '@hull/images', '@hull/build'] },
];
const LOADERS = ['packages/runtime/lib/cli/bundled.js', 'packages/cli/lib/bundled.js', 'packages/shim/lib/v2/bundled.js'];

/** koffi's per-platform package, as this machine's Node would load it: `require(<path of koffi.node>)`. */
function koffiAddon(outDir) {
  return {
    name: 'koffi-addon',
    setup(build) {
      build.onResolve({ filter: /^@koromix\/koffi-[a-z0-9-]+$/ }, (args) => ({ path: args.path, namespace: 'koffi-addon', pluginData: args.resolveDir }));
      build.onLoad({ filter: /.*/, namespace: 'koffi-addon' }, (args) => {
        // koffi tries every platform's package in turn; only this machine's exists.
        if (args.path !== `@koromix/koffi-${process.platform}-${process.arch}`) {
          return { contents: `throw new Error(${JSON.stringify(`${args.path}: not this platform`)});`, loader: 'js' };
        }
        const req = require('module').createRequire(path.join(args.pluginData, 'index.cjs'));
        const pkgDir = path.dirname(req.resolve(`${args.path}/package.json`));
        const addon = fs.realpathSync(path.join(pkgDir, `${process.platform}_${process.arch}`, 'koffi.node'));
        const rel = path.relative(path.resolve(outDir), addon);
        // A copy of the package elsewhere (the security tests run one) finds it through node_modules:
        // @hull/sys, then its koffi, then koffi's platform package.
        return {
          contents: `const path = require('path'), built = path.join(__dirname, ${JSON.stringify(rel)});
module.exports = require(require('fs').existsSync(built) ? built
  : ['@hull/sys/libc', 'koffi', ${JSON.stringify(args.path)}].reduce((from, id) => require('module').createRequire(from).resolve(id), __filename));`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * Our modules' `__dirname` kept as it was before bundling (they find native/ and lib/commit by it):
 * inside the bundle it is the bundle's directory, so each use becomes that joined with the way back.
 */
function ownDirnames(outDir) {
  const root = path.resolve(__dirname, '..');
  return {
    name: 'own-dirnames',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(root) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = fs.readFileSync(args.path, 'utf8');
        if (!/\b__dirname\b/.test(source)) return undefined;
        const back = path.relative(path.resolve(outDir), path.dirname(args.path));
        return { contents: source.replace(/\b__dirname\b/g, `require('path').join(__dirname, ${JSON.stringify(back)})`), loader: 'js' };
      });
    },
  };
}

const RUNTIME_CLI = 'packages/runtime/lib/cli';
for (const command of require(`../${RUNTIME_CLI}/options.js`).HOT_COMMANDS) {
  ENTRIES.push({
    // exports.main(argv): the exit code, or undefined for what the whole CLI must parse (src/cli/dispatch.ts).
    stdin: { contents: `const mod = require('./commands/${command}');\nexports.main = (argv) => require('./dispatch').hotMain('${command}', mod, argv);\n`, resolveDir: RUNTIME_CLI, sourcefile: `hot-${command}.js` },
    out: `${RUNTIME_CLI}/bundle-${command}.js`,
    external: ['yargs'],
    minifyIdentifiers: true,
  });
}

(async () => {
  for (const { entry, stdin, out, external, minifyIdentifiers = false } of ENTRIES) {
    await esbuild.build({
      ...(stdin ? { stdin } : { entryPoints: [entry] }), outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
      external, logLevel: 'warning', charset: 'ascii', minifyWhitespace: true, minifySyntax: true, minifyIdentifiers, keepNames: true, plugins: [koffiAddon(path.dirname(out)), ownDirnames(path.dirname(out))],
    });
    // Caches of earlier bundles can never match again.
    const dir = path.dirname(out);
    for (const f of fs.readdirSync(dir)) if (f.startsWith(`.${path.basename(out)}.`)) fs.rmSync(path.join(dir, f));
  }
  // Each bin loads its bundle through a re-export of @hull/sys/bundled beside it: rebuilt here with the
  // loader inside, so that starting a CLI resolves no package through an exports map (which loads
  // Node's ESM resolver: 3-4 ms a start).
  // Built from @hull/sys's own output, not from the re-export: tsc does not emit an unchanged file again,
  // so an inlined copy rebuilt from itself would keep an old loader for good.
  for (const loader of LOADERS) {
    await esbuild.build({
      entryPoints: ['packages/sys/lib/bundled.js'], outfile: loader, allowOverwrite: true, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
      logLevel: 'warning', charset: 'ascii', minifyWhitespace: true, minifySyntax: true, keepNames: true,
    });
  }
})().catch((e) => { console.error(e); process.exit(1); });
