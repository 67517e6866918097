export { toBencherBmf, toGithubSmallerIsBetter } from './export.ts';
export {
  type HistoryPoint,
  historyAnalysis,
  historyCsv,
  historyHtml,
  historyPoints,
  historySteps,
  MIN_HISTORY_RUNS,
} from './history.ts';
