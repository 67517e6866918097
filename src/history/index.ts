export { hostFingerprint } from './fingerprint.ts';
export { historyPoints, historySteps, historyAnalysis, historyCsv, historyHtml, type HistoryPoint, type HistoryStep, type HistorySigma } from './history.ts';
export { toGithubSmallerIsBetter, toBencherBmf } from './export.ts';
