export { formatNs, formatRatio, textTable } from './format.ts';
export { scenarioTable, problemLines, runSummary } from './terminal.ts';
