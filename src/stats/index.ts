export { describe, meanCI95, ratioOfMedians, type Descriptive } from './descriptive.ts';
export {
  ratioOfMediansCI,
  medianBootstrapCI,
  logMedianVariance,
  BOOTSTRAP_RESAMPLES,
  type RatioCI,
} from './bootstrap.ts';
export {
  carryOverEstimate,
  carryOverTest,
  carryOverBias,
  holm,
  type CarryOverEstimate,
  type CarryOverTest,
  type Successor,
  type RoundSuccessor,
} from './carryover.ts';
export { seededRandom, shuffled, randomSeed } from './random.ts';
export {
  mannWhitneyU,
  signFlipTest,
  benjaminiHochberg,
  modifiedZScores,
  medianCI,
  geometricMean,
  spearmanRho,
  OUTLIER_Z,
  type TestResult,
} from './tests.ts';
export { changePoints, penaltyFor, pooledSigma, robustSigma, type ChangePointOptions } from './changepoint.ts';
export { studentTSf, studentTQuantile } from './distributions.ts';
export { theilSen, trendTest, type TrendTest } from './trend.ts';
