export { describe, meanCI95, ratioOfMedians, type Descriptive } from './descriptive.ts';
export { ratioOfMediansCI, medianBootstrapCI, BOOTSTRAP_RESAMPLES, type RatioCI } from './bootstrap.ts';
export { carryOverEstimate, type CarryOverEstimate, type Successor } from './carryover.ts';
export { seededRandom, shuffled, randomSeed } from './random.ts';
export { mannWhitneyU, signFlipTest, benjaminiHochberg, modifiedZScores, medianCI, geometricMean, spearmanRho, OUTLIER_Z, type TestResult } from './tests.ts';
export { pelt, type ChangePointOptions } from './changepoint.ts';
