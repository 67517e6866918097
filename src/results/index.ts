export { carryOverWarnings, loadWarnings } from './conditions.ts';
export {
  CSV_UNITS,
  cpuNames,
  createOf,
  csvUnit,
  placementOf,
  SAMPLES_CSV_COLUMNS,
  SUMMARY_CSV_COLUMNS,
  samplesCsv,
  summaryCsv,
} from './csv.ts';
export { type Environment, loadPerCoreAtStart } from './environment.ts';
export { finalizeScenario, headlineOf } from './finalize.ts';
export {
  densityMemAvailableDoubt,
  interferenceRows,
  isolationMatrix,
  keyFindings,
  paceFigures,
  perLaunchMedian,
  precisionOf,
  rampFigure,
  variantPrecision,
  victimMetric,
} from './findings.ts';
export {
  environmentDifferences,
  type Fleet,
  type FleetAnalysis,
  type FleetCell,
  fingerprintKey,
  fingerprintOf,
  fleetAnalysis,
  loadRunOrFleet,
  mergeRuns,
} from './fleet.ts';
export { costRows, directionOf, senseOf } from './headlines.ts';
export { resultsJsonSchema } from './json-schema.ts';
export { type KernelRow, kernelAttribution, NS_FUNCTIONS } from './kernel.ts';
export { checkMetricName, higherIsBetter, isKnownMetric, METRIC_NAMES } from './metrics.ts';
export { fromSamplesJsonl, loadResults, readResults } from './read.ts';
export { scalingRows } from './scaling.ts';
export {
  CREATE_METHODS,
  PACES,
  PLACEMENTS,
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  type SampleBase,
} from './schema.ts';
export { headlineMetric, isMeasured, MIN_VERDICT_SAMPLES, scenarioWarnings, summarize } from './summary.ts';
export type {
  CreateMethod,
  MetricSummary,
  Metrics,
  Pace,
  Placement,
  RoundLoad,
  RunResults,
  Sample,
  ScenarioResult,
  VariantSummary,
} from './types.ts';
export {
  type AntagonistSpec,
  type DensityTarget,
  type FreezerKind,
  type FreezeTarget,
  isVariantOf,
  KIND_TARGET,
  NAME_RE,
  type NetTarget,
  namespacesSchema,
  type ResolvedVariant,
  recordedVariantSchema,
  recordVariant,
  SCENARIO_KINDS,
  type ScenarioKind,
  type VariantOf,
  variantSchema,
  type WorkloadRef,
  workloadSchema,
} from './variant.ts';
export { applyLate, type LateUpdate, type ResultFiles, ResultsWriter, writeFileAtomic } from './writer.ts';
