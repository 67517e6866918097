export * from './types.ts';
export { summarize, headlineMetric, scenarioWarnings, MIN_SAMPLES, MIN_VERDICT_SAMPLES } from './summary.ts';
export { samplesCsv, summaryCsv, unitOf } from './csv.ts';
export { ResultsWriter, writeFileAtomic, type ResultFiles } from './writer.ts';
export { readResults, readResultsText, fromSamplesJsonl } from './read.ts';
