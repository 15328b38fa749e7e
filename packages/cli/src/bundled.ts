// The bundle loader hullctl's bin starts with: @hull/sys/bundled, rebuilt by `scripts/bundle.js` with the
// loader inlined, so that starting hullctl resolves no package through an exports map (as hull's bin).
export { loadBundle, type Bundled } from '@hull/sys/bundled';
