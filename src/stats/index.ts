export { describe, ratioOfMedians, type Descriptive } from './descriptive.ts';
export { ratioOfMediansCI, BOOTSTRAP_RESAMPLES, type RatioCI } from './bootstrap.ts';
export { seededRandom, shuffled, randomSeed } from './random.ts';
