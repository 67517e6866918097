export {
  formatNs,
  formatRatio,
  formatVs,
  formatMetric,
  formatDelta,
  formatP,
  formatShare,
  systemLine,
  escapeHtml,
  textTable,
  fitTable,
  wrapText,
} from './format.ts';
export {
  scenarioTable,
  problemLines,
  runSummary,
  summaryBlock,
  nextSteps,
  terminalWidth,
  LEGEND,
  TERMINAL_WIDTH,
} from './terminal.ts';
export { summaryRows, SUMMARY_HEADER, type SummaryRow } from './summary.ts';
export { htmlReport } from './html.ts';
export { markdownSummary } from './markdown.ts';
export { writeReports, type ReportFiles } from './write.ts';
export { renderSvg } from './svg.ts';
export { chartsFor, headline, type Chart } from './charts.ts';
export { fleetHtml, fleetMarkdown, fleetTables, writeFleetReport } from './fleet.ts';
export { writeFigures, allCharts, figureName, findChromium, type FiguresWritten } from './figures.ts';
export { styled, PALETTE, chartValues } from './charts.ts';
