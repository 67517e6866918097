export {
  knownList,
  int,
  nearest,
  says,
  show,
  strict,
  parseOrFail,
  oneOf,
  num,
  didYouMean,
  DAMAGED_RESULTS,
} from './schema.ts';
export { importDefaultOrExplain } from './import-module.ts';
export { listSome } from './text.ts';
export { WORK_BASE, packageRoot } from './paths.ts';
export { outputDir, writing, outputFile, notAnInput, insideDir, resolvedPath } from './output.ts';
export {
  columns,
  escapeHtml,
  fitTable,
  formatDelta,
  formatMetric,
  formatNs,
  formatRatio,
  textTable,
  wrapLastColumn,
  wrapText,
} from './format.ts';
export { renderSvg } from './svg.ts';
