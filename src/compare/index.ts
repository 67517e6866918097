export { environmentDifferences } from '../results/index.ts';
export {
  compareRuns,
  COMPARE_DEFAULTS,
  RUN_SD_DEFAULT_PCT,
  type CompareOptions,
  type CompareResult,
  type CompareRow,
  type Verdict,
  type RunVarianceSource,
} from './compare.ts';
export { compareText, compareMarkdown, verdictLine } from './format.ts';
export { higherIsBetter } from '../results/index.ts';
export { syntheticRun, type SyntheticOptions } from './synthetic.ts';
export { compareByHost, comparePooled, type Side } from './fleet.ts';
