/**
 * nsbench as a package: `import { defineScenario, preset } from 'nsbench'`.
 *
 * Scenario and config files: the helpers that build them (what `nsbench run ./my-scenario.ts` loads).
 * Programs: run scenarios (`runBenchmark`), read a results file, compare two runs. Everything else is
 * nsbench's own and may change between versions.
 */

export { type CompareOptions, type CompareResult, compareRuns } from './compare/index.ts';
export { type AdaptiveSpec, type BenchConfig, defineConfig, type Profile } from './config/index.ts';
export { NAMESPACES, type Namespace } from './isolation/index.ts';
export {
  type RunResults,
  readResults,
  type Sample,
  type ScenarioResult,
  summarize,
  type VariantSummary,
} from './results/index.ts';
export { type RunOptions, type RunOutcome, runBenchmark } from './runner/index.ts';
export {
  type AntagonistSpec,
  acrossWorkloads,
  all,
  bare,
  type DensityTarget,
  defineScenario,
  eachAlone,
  type FreezeTarget,
  freezeVariants,
  interferenceVariants,
  loadScenario,
  type NetTarget,
  networkVariants,
  nsSet,
  powerset,
  preset,
  type Scenario,
  type ScenarioDefinition,
  type ScenarioKind,
  type VariantDefinition,
  validateScenario,
  type WorkloadRef,
  withCgroup,
} from './scenario/index.ts';
