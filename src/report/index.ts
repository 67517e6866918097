export { formatNs, formatRatio, formatVs, formatMetric, escapeHtml, textTable } from './format.ts';
export { scenarioTable, problemLines, runSummary } from './terminal.ts';
export { htmlReport } from './html.ts';
export { markdownSummary } from './markdown.ts';
export { writeReports, type ReportFiles } from './write.ts';
export { renderSvg } from './svg.ts';
export { chartsFor, headline, type Chart } from './charts.ts';
export { fleetHtml, fleetMarkdown, fleetTables, writeFleetReport } from './fleet.ts';
