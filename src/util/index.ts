export {
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
export { importDefaultOrExplain } from './import-module.ts';
export { insideDir, notAnInput, outputDir, outputFile, resolvedPath, writing } from './output.ts';
export { packageRoot, WORK_BASE } from './paths.ts';
export {
  DAMAGED_RESULTS,
  didYouMean,
  int,
  knownList,
  nearest,
  num,
  oneOf,
  parseOrFail,
  says,
  show,
  strict,
} from './schema.ts';
export { renderSvg } from './svg.ts';
export { listSome } from './text.ts';
