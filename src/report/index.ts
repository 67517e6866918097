export { chartsFor, chartValues, headline } from './charts.ts';
export { allCharts, writeFigures } from './figures.ts';
export { writeFleetReport } from './fleet.ts';
export { formatP, formatShare, formatVs } from './format.ts';
export { htmlReport } from './html.ts';
export { markdownSummary } from './markdown.ts';
export { summaryRows } from './summary.ts';
export { nextSteps, runSummary, scenarioTable, TERMINAL_WIDTH, terminalWidth } from './terminal.ts';
export { writeReports } from './write.ts';
