export { COMPARE_DEFAULTS, type CompareOptions, type CompareResult, compareRuns } from './compare.ts';
export { compareByHost, comparePooled, type Side } from './fleet.ts';
export { compareMarkdown, compareText } from './format.ts';
export { syntheticRun } from './synthetic.ts';
