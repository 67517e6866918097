export { logMedianVariance, ratioOfMediansCI } from './bootstrap.ts';
export { carryOverBias, carryOverEstimate, carryOverTest } from './carryover.ts';
export { changePoints, penaltyFor, pooledSigma, robustSigma } from './changepoint.ts';
export { describe, meanCI95, ratioOfMedians } from './descriptive.ts';
export { studentTQuantile, studentTSf } from './distributions.ts';
export { randomSeed, seededRandom, shuffled } from './random.ts';
export {
  benjaminiHochberg,
  geometricMean,
  mannWhitneyU,
  medianCI,
  modifiedZScores,
  OUTLIER_Z,
  signFlipTest,
  spearmanRho,
} from './tests.ts';
export { trendTest } from './trend.ts';
