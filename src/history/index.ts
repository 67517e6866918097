export { hostFingerprint } from './fingerprint.ts';
export {
  historyPoints,
  historySteps,
  historyAnalysis,
  MIN_HISTORY_RUNS,
  historyCsv,
  historyHtml,
  type HistoryPoint,
  type HistoryStep,
  type HistorySigma,
} from './history.ts';
export { toGithubSmallerIsBetter, toBencherBmf } from './export.ts';
