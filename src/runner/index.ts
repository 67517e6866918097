export { runBenchmark, makeRunId, type RunOptions, type RunOutcome, type Launchable } from './run.ts';
export { allowedCpus, applySplit, splitFor, type CpuSplit, type HarnessCpuMode } from './cpus.ts';
export { LONG_PLAN_SECONDS, PACING_DEFAULTS, planFloorSeconds } from './plan.ts';
export { skipReason } from './skip.ts';
export { TerminalProgress, silentProgress, type ProgressSink } from './progress.ts';
export { captureEnvironment, nsbenchVersion, gitCommit } from './environment.ts';
export { toSample, launchMetrics, signalName, type SampleContext } from './sample.ts';
export {
  stopAfterRound,
  pilotRounds,
  ADAPTIVE_DEFAULTS,
  PILOT_MIN,
  type Adaptive,
  type AdaptiveState,
  type StopReason,
} from './sampling.ts';
export {
  RunEstimate,
  lastRunCosts,
  scenarioEstimate,
  scenarioSeconds,
  type ScenarioEstimate,
  type PlannedScenario,
} from './eta.ts';
export { KernelTrace, type KernelTraceAsk } from './kernel-trace.ts';
