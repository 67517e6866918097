export { compareRuns, environmentDifferences, COMPARE_DEFAULTS, type CompareOptions, type CompareResult, type CompareRow, type Verdict } from './compare.ts';
export { compareText, compareMarkdown, verdictLine } from './format.ts';
export { higherIsBetter } from '../results/index.ts';
export { syntheticRun, type SyntheticOptions } from './synthetic.ts';
