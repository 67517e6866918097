export { allowedCpus, type PlacementAsk } from './cpus.ts';
export { captureEnvironment, nsbenchVersion } from './environment.ts';
export { lastRunCosts, RunEstimate } from './eta.ts';
export { KernelTrace } from './kernel-trace.ts';
export {
  checkNamespaceLimits,
  checkOptionKinds,
  DEFAULT_CREATE,
  LONG_PLAN_SECONDS,
  planFloorSeconds,
  planScenarios,
  profileSampling,
  type ScenarioSampling,
} from './plan.ts';
export type { Launchable } from './procedures/procedure.ts';
export { type ProgressSink, TerminalProgress } from './progress.ts';
export { type RunOptions, type RunOutcome, runBenchmark } from './run.ts';
export { toSample } from './sample.ts';
export { type AdaptiveState, pilotRounds, stopAfterRound } from './sampling.ts';
export { skipReason } from './skip.ts';
