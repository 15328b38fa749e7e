// Bundles each CLI's own modules into one file beside its entry (see packages/runtime/src/cli/bundled.ts).
// koffi's JavaScript goes in too: resolving it through node_modules and its exports maps cost a `hull run`
// more than loading it. Its compiled addon stays a file, required by a path relative to the bundle.
// Packages only rare commands load (yargs) stay outside.
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const ENTRIES = [
  { entry: 'packages/runtime/lib/cli/main.js', out: 'packages/runtime/lib/cli/bundle.js', external: ['yargs'] },
  // hullctl: gRPC and protobufjs go in (their hundred modules were most of a `hullctl ps`).
  // tar-stream stays outside: @hull/images makes its pax codec binary-safe in its own module.
  { entry: 'packages/cli/lib/main.js', out: 'packages/cli/lib/bundle.js', external: ['yargs', 'tar-stream'] },
];

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
        return { contents: `module.exports = require(require('path').join(__dirname, ${JSON.stringify(rel)}));`, loader: 'js' };
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

(async () => {
  for (const { entry, out, external } of ENTRIES) {
    await esbuild.build({
      entryPoints: [entry], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
      external, logLevel: 'warning', charset: 'ascii', minifyWhitespace: true, minifySyntax: true, keepNames: true, plugins: [koffiAddon(path.dirname(out)), ownDirnames(path.dirname(out))],
    });
    // Caches of earlier bundles can never match again.
    const dir = path.dirname(out);
    for (const f of fs.readdirSync(dir)) if (f.startsWith(`.${path.basename(out)}.`)) fs.rmSync(path.join(dir, f));
  }
})().catch((e) => { console.error(e); process.exit(1); });
