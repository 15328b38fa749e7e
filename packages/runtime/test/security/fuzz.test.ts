// The CI slice of the config fuzzer (fuzz.ts): FUZZ_RUNS configs (40 by
// default here: 1.5-3.5 s a config on a loaded 2-core machine; `make fuzz` runs 10,000) through hull create + delete -f.
// FUZZ_SEED replays a run; without it the CI slice replays a fixed seed.
import { itRoot } from '../helpers';
import { fuzz } from './fuzz';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
// The CI slice replays one seed, so a landing never depends on the draw; `make fuzz` (FUZZ_RUNS set)
// draws a new one each time, and what it finds becomes a fix and a seed to replay.
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS ? undefined : 20261206;

itRoot(`${RUNS} mutated configs: no crash, no hang, every rejection names its field, nothing left behind`, () => {
  const r = fuzz(RUNS, SEED);
  console.log(`fuzz: ${r.runs} configs, ${r.created} created, ${r.rejected} rejected, ${r.failures.length} failures`);
  expect(r.failures).toEqual([]);
  expect(r.runs).toBe(RUNS);
}, Math.max(300000, RUNS * 3000));
