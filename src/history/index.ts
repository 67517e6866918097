export { hostFingerprint } from './fingerprint.ts';
export { historyPoints, historyCsv, historyHtml, type HistoryPoint } from './history.ts';
export { toGithubSmallerIsBetter, toBencherBmf } from './export.ts';
