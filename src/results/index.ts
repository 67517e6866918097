export * from './types.ts';
export { summarize, headlineMetric, isMeasured, scenarioWarnings, MIN_SAMPLES, MIN_VERDICT_SAMPLES } from './summary.ts';
export { samplesCsv, summaryCsv, unitOf } from './csv.ts';
export { ResultsWriter, writeFileAtomic, applyLate, type LateUpdate, type ResultFiles } from './writer.ts';
export { loadResults, readResults, readResultsText, fromSamplesJsonl, parseResultsJson, MAX_JSON_BYTES } from './read.ts';
export { carryOverOf, carryOverWarnings, loadWarnings } from './conditions.ts';
export { finalizeScenario, headlineOf } from './finalize.ts';
export { METRIC_NAMES, checkMetricName, isKnownMetric } from './metrics.ts';
export { type Pace, PACES } from './types.ts';
