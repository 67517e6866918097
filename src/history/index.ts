export { hostFingerprint } from './fingerprint.ts';
export { historyPoints, historySteps, historyCsv, historyHtml, type HistoryPoint, type HistoryStep } from './history.ts';
export { toGithubSmallerIsBetter, toBencherBmf } from './export.ts';
