// The bundle loader hull's bin starts with: @hull/sys/bundled. `scripts/bundle.js` rebuilds this file
// with the loader inlined, so starting hull resolves no package (resolving through an exports map
// loads Node's ESM resolver, a cost `hull --version` would pay).
export { loadBundle, type Bundled } from '@hull/sys/bundled';
