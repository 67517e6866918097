/**
 * nsbench as a package: `import { defineScenario, preset } from 'nsbench'`.
 *
 * Scenario and config files: the helpers that build them (what `nsbench run ./my-scenario.ts` loads).
 * Programs: run scenarios (`runBenchmark`), read a results file, compare two runs. Everything else is
 * nsbench's own and may change between versions.
 */
export {
  defineScenario,
  bare,
  all,
  eachAlone,
  powerset,
  preset,
  nsSet,
  withCgroup,
  freezeVariants,
  networkVariants,
  acrossWorkloads,
  interferenceVariants,
  validateScenario,
  loadScenario,
  type ScenarioDefinition,
  type VariantDefinition,
  type WorkloadRef,
  type FreezeTarget,
  type NetTarget,
  type DensityTarget,
  type AntagonistSpec,
  type ScenarioKind,
  type Scenario,
} from './scenario/index.ts';
export { defineConfig, type BenchConfig, type Profile, type AdaptiveSpec } from './config/index.ts';
export { NAMESPACES, type Namespace } from './isolation/index.ts';
export { runBenchmark, type RunOptions, type RunOutcome } from './runner/index.ts';
export {
  readResults,
  summarize,
  type RunResults,
  type ScenarioResult,
  type Sample,
  type VariantSummary,
} from './results/index.ts';
export { compareRuns, type CompareOptions, type CompareResult } from './compare/index.ts';
