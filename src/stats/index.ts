export { describe, ratioOfMedians, type Descriptive } from './descriptive.ts';
export { ratioOfMediansCI, BOOTSTRAP_RESAMPLES, type RatioCI } from './bootstrap.ts';
export { seededRandom, shuffled, randomSeed } from './random.ts';
export { mannWhitneyU, signFlipTest, benjaminiHochberg, modifiedZScores, medianCI, geometricMean, spearmanRho, OUTLIER_Z, type TestResult } from './tests.ts';
