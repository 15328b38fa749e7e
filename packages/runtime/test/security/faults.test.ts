// The CI slice of the fault harness (faults.ts): `hull create` killed with
// SIGKILL at FAULT_STEP_MS steps up to FAULT_MAX_MS, then HULL_FAULT_AFTER_OP
// = 1..FAULT_MAX_OPS; `delete --force` must leave nothing each time.
// `make faults` runs the long version.
import { cleanupAll, itRoot } from '../helpers';
import { createFaults, lifecycleFaults } from './faults';

afterAll(cleanupAll);

const STEP = Number(process.env.FAULT_STEP_MS ?? 40);
const MAX = Number(process.env.FAULT_MAX_MS ?? 400);
const OPS = Number(process.env.FAULT_MAX_OPS ?? 10);

itRoot(`create killed every ${STEP} ms up to ${MAX} ms, and stopped after ops 1..${OPS}: delete --force leaves nothing`, () => {
  const r = createFaults({ stepMs: STEP, maxMs: MAX, maxOps: OPS });
  console.log(`faults: ${r.points} kill points, ${r.completed} creates had finished first, ${r.failures.length} failures`);
  expect(r.failures).toEqual([]);
}, Math.max(600000, ((MAX / STEP) + OPS) * 5000));

const LIFECYCLE_DELAYS = (process.env.FAULT_LIFECYCLE_MS ?? '0,80,250').split(',').map(Number);

itRoot(`start, exec and delete killed at ${LIFECYCLE_DELAYS.join(', ')} ms: delete --force leaves nothing`, () => {
  const r = lifecycleFaults(LIFECYCLE_DELAYS);
  console.log(`faults: ${r.points} kill points (start, exec, delete), ${r.completed} had finished first, ${r.failures.length} failures`);
  expect(r.failures).toEqual([]);
}, Math.max(300000, LIFECYCLE_DELAYS.length * 3 * 8000));
