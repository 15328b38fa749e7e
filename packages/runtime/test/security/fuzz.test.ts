// The CI slice of the config fuzzer (fuzz.ts): FUZZ_RUNS configs (40 by
// default here: 1.5-3.5 s a config on a loaded 2-core machine; `make fuzz` runs 10,000) through hull create + delete -f.
// FUZZ_SEED replays a run.
import { itRoot } from '../helpers';
import { fuzz } from './fuzz';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

itRoot(`${RUNS} mutated configs: no crash, no hang, every rejection names its field, nothing left behind`, () => {
  const r = fuzz(RUNS, SEED);
  console.log(`fuzz: ${r.runs} configs, ${r.created} created, ${r.rejected} rejected, ${r.failures.length} failures`);
  expect(r.failures).toEqual([]);
  expect(r.runs).toBe(RUNS);
}, Math.max(300000, RUNS * 3000));
