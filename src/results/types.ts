import type { Namespace } from '../isolation/index.ts';
import type { IsolationCell } from '../isolation/matrix.ts';
import type { ScenarioKind } from '../scenario/define.ts';
import type { Descriptive } from '../stats/index.ts';

export const RESULTS_SCHEMA = 'nsbench.results';
export const RESULTS_SCHEMA_VERSION = 1;

/** Units live in the metric names: ...Ns, ...Us, ...Kb. */
export type Metrics = Record<string, number>;

/** How a scenario's launches follow each other (README: "Conditions are part of the number"). */
export const PACES = ['interleaved', 'quiesced', 'back-to-back'] as const;
export type Pace = (typeof PACES)[number];

/** Under which conditions a sample was taken: enough to re-cut any figure later. */
export interface SampleConditions {
  pace: Pace;
  /** the variant launched just before this one in the scenario (warm-up included); null for the first */
  prev: string | null;
  /** the previous launch's exit (reaped by the launcher) → this request, ns; absent for a launcher's first launch */
  gapNs?: number;
  /** the part of gapNs the launcher waited on purpose (gapMs) */
  gapWaitNs?: number;
  /** quiesced: how long nsbench waited for a quiet kernel before this launch, and whether it got there before the timeout */
  quiesceWaitNs?: number;
  quiet?: boolean;
  /** back-to-back: position in its burst; 0 is the lead-in, which follows another variant (kept raw, not summarized) */
  burst?: number;
}

interface SampleBase {
  scenario: string;
  variant: string;
  /** 0-based round; warm-up rounds come first */
  round: number;
  warmup: boolean;
  /** position of this launch in the whole run */
  seq: number;
  conditions?: SampleConditions;
  /** the round's attempt (0; 1.. when --retry-noisy ran it again) */
  attempt?: number;
  /** why the round this sample belongs to counts as disturbed (competing load seen meanwhile) */
  disturbed?: string[];
  /** a disturbed round that was run again: kept raw, left out of the statistics */
  superseded?: true;
  /** CLOCK_MONOTONIC of the launch (ns since boot): request, ready and exit, and the sandbox's host pid */
  at?: { requestNs: number; readyNs?: number; exitNs: number; pid?: number };
}

export interface CompletedSample extends SampleBase {
  state: 'completed';
  metrics: Metrics;
  clonePath: string;
  cgroupMethod: string;
  ready: boolean;
  pid: number;
  /** what a number cannot say (e.g. why a density ramp stopped) */
  notes?: string[];
  /** figures measured but implausible (a negative memory per instance, say): left out of the metrics, kept here with their value */
  invalid?: Record<string, number>;
  /** per-step values of a sample (e.g. the boot time of each launch of a density ramp) */
  series?: Record<string, number[]>;
  /** isolation scenarios: the matrix's cells for this variant, with their evidence */
  isolation?: IsolationCell[];
}

export interface ErroredSample extends SampleBase {
  state: 'errored';
  /** timeout, signaled, oom-killed, pids-max, enospc, exit-code, setup-failed, clone-failed, launcher-died, interrupted, cgroup, antagonist, parse */
  cause: string;
  reason: string;
  code?: string;
  syscall?: string;
  stage?: string;
  metrics?: Metrics;
}

export interface SkippedSample extends SampleBase {
  state: 'skipped';
  reason: string;
}

export type Sample = CompletedSample | ErroredSample | SkippedSample;

export interface VariantInfo {
  id: string;
  label: string;
  ns: Namespace[];
  userMap?: { uid: number; gid: number };
  cgroup?: object;
  workload?: unknown;
  freeze?: { processes: number; mode: string; freezer: string };
  net?: object;
  tmpfs?: string;
  density?: object;
  engine?: string;
  antagonist?: object;
  /** the variant its overhead is computed against */
  baseline?: string;
}

export interface MetricSummary extends Descriptive {
  /** median / the baseline's median; null for the baseline itself, without one, or from too few samples (`tooFew`) */
  ratioToBaseline: number | null;
  /** fewer than MIN_VERDICT_SAMPLES on this side or the baseline's (`baselineN`): no ratio, no verdict */
  tooFew?: true;
  /** the baseline's sample count for this metric (non-baseline variants) */
  baselineN?: number;
  /** seeded percentile-bootstrap 95% CI of ratioToBaseline (headline metrics only) */
  ratioCI95?: [number, number];
  /** geometric mean of the per-round ratios to the baseline (rounds interleave variants) */
  perRoundRatio?: number;
  /** paired sign-flip test on per-round log ratios: two-sided p (headline metrics only) */
  pPaired?: number;
}

export interface VariantSummary {
  variant: string;
  baseline: string;
  completed: number;
  errored: number;
  skipped: number;
  metrics: Record<string, MetricSummary>;
}

/** The load seen during one round (attempt) of a scenario, and whether it disturbed the round. */
export interface RoundLoad {
  round: number;
  attempt: number;
  wallNs: number;
  /** where the pressure figures come from: PSI, or /proc/stat where the kernel has none */
  source: 'psi' | 'proc-stat';
  /** share of the round's wall time with some task stalled on the resource (PSI "some"); null without PSI */
  pressure: { cpu: number; memory: number; io: number } | null;
  /** CPU time of processes outside nsbench's own tree, as a share of the machine's capacity (all CPUs) */
  foreignCpu: number;
  /** the busiest of them */
  foreignTop: { pid: number; comm: string; cpu: number }[];
  /** /proc/stat: busy share of all CPUs and steal, over the round */
  busy: number;
  steal: number;
  /** empty when the round was quiet */
  disturbed: string[];
}

/** How much the previous launch's variant shifts the next sample (random order makes it estimable). */
export interface CarryOver {
  metric: string;
  /** per predecessor: the median shift of every sample that followed it (vs that sample's variant median), with a bootstrap 95% CI */
  predecessors: { prev: string; n: number; shift: number; ci: [number, number] | null }[];
  /** per predecessor × variant: median of the variant after it minus the variant's median */
  cells: { prev: string; variant: string; n: number; shift: number; ci: [number, number] | null }[];
  /** the smallest effect the scenario reports (|median − baseline median| of a variant whose ratio CI excludes 1), or null */
  smallestEffect: { variant: string; effect: number } | null;
}

export interface ScenarioResult {
  /** what makes the figures doubtful: drift of the baseline, a noisy machine, too few samples */
  warnings?: string[];
  /** how the launches were paced: recorded for every scenario (launch scenarios can choose) */
  pace?: Pace;
  /** the launcher kept at least this gap after each exit (0: none beyond nsbench's own round trip) */
  gapMs?: number;
  /** back-to-back: launches per burst after the lead-in */
  burst?: number;
  /** per round and attempt: competing load, and whether it disturbed the round */
  load?: RoundLoad[];
  carryOver?: CarryOver;
  /** the CPUs the harness and the launcher with its sandboxes were kept on (absent: all shared every CPU) */
  cpus?: { harness: number[]; sandboxes: number[] };
  /** whether kernel work (workqueue items and the kworkers' scheduling) was traced, or why not */
  kernelWork?: { traced: boolean; reason?: string };
  name: string;
  description: string;
  file: string;
  kind: ScenarioKind;
  workload: unknown;
  params: Record<string, string | number | boolean>;
  rounds: number;
  warmupRounds: number;
  seed: number;
  timeoutMs: number;
  baseline: string;
  variants: VariantInfo[];
  samples: Sample[];
  summary: VariantSummary[];
}

export interface RunResults {
  schema: typeof RESULTS_SCHEMA;
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  runId: string;
  status: 'complete' | 'partial';
  startedAt: string;
  finishedAt: string | null;
  tool: { name: 'nsbench'; version: string; commit: string | null };
  environment: Record<string, unknown>;
  scenarios: ScenarioResult[];
}
