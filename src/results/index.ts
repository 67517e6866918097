export * from './types.ts';
export {
  summarize,
  headlineMetric,
  isMeasured,
  scenarioWarnings,
  MIN_SAMPLES,
  MIN_VERDICT_SAMPLES,
} from './summary.ts';
export {
  samplesCsv,
  summaryCsv,
  unitOf,
  csvUnit,
  CSV_UNITS,
  SAMPLES_CSV_COLUMNS,
  SUMMARY_CSV_COLUMNS,
  type CsvUnit,
} from './csv.ts';
export { RUN_ID_RE } from './schema.ts';
export { ResultsWriter, writeFileAtomic, applyLate, type LateUpdate, type ResultFiles } from './writer.ts';
export {
  loadResults,
  readResults,
  readResultsText,
  fromSamplesJsonl,
  parseResultsJson,
  MAX_JSON_BYTES,
} from './read.ts';
export { carryOverOf, carryOverWarnings, loadWarnings } from './conditions.ts';
export { finalizeScenario, headlineOf } from './finalize.ts';
export { METRIC_NAMES, checkMetricName, isKnownMetric, higherIsBetter } from './metrics.ts';
export { type Pace, PACES } from './types.ts';
export {
  SCENARIO_KINDS,
  NAME_RE,
  KIND_TARGET,
  isVariantOf,
  recordVariant,
  namespacesSchema,
  workloadSchema,
  netSchema,
  freezeSchema,
  densitySchema,
  antagonistSchema,
  variantSchema,
  recordedVariantSchema,
  type ScenarioKind,
  type ResolvedVariant,
  type VariantOf,
  type RecordedVariant,
  type NetTarget,
  type FreezeTarget,
  type DensityTarget,
  type AntagonistSpec,
  type FreezerKind,
  type WorkloadRef,
} from './variant.ts';
export type { SampleBase } from './schema.ts';
export { resultsJsonSchema } from './json-schema.ts';
export {
  samplesOf,
  isolationMatrix,
  interferenceRows,
  perLaunchMedian,
  rampFigure,
  paceFigures,
  variantPrecision,
  precisionOf,
  keyFindings,
  costText,
  densityMemAvailableDoubt,
  type Finding,
  type PaceFigures,
  type VariantPrecision,
  type MatrixRow,
  type InterferenceRow,
  type RampFigure,
} from './findings.ts';
export { kernelAttribution, NS_FUNCTIONS, SYSCALL_PHASE, type KernelRow, type KernelSlice } from './kernel.ts';
export {
  mergeRuns,
  loadRunOrFleet,
  parseFleet,
  isFleet,
  fleetAnalysis,
  fingerprintOf,
  fingerprintKey,
  planOf,
  environmentDifferences,
  FLEET_SCHEMA,
  fleetSchema,
  type Fleet,
  type FleetAnalysis,
  type FleetRow,
  type FleetCell,
  type HostFingerprint,
} from './fleet.ts';
export {
  betterWord,
  costMetrics,
  costRows,
  directionOf,
  runCostRows,
  senseOf,
  type CostRow,
  type Direction,
  type MetricSense,
} from './headlines.ts';
