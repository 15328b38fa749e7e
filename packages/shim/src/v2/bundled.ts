// The bundle loader containerd-shim-hull-v2's bin starts with: @hull/sys/bundled, rebuilt by
// `scripts/bundle.js` with the loader inlined, so that starting the shim resolves no package through an
// exports map (as hull's bin). containerd starts it twice per container.
export { loadBundle, type Bundled } from '@hull/sys/bundled';
