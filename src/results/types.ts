import type { Namespace } from '../isolation/index.ts';
import type { IsolationCell } from '../isolation/matrix.ts';
import type { ScenarioKind } from '../scenario/define.ts';
import type { Descriptive } from '../stats/index.ts';

export const RESULTS_SCHEMA = 'nsbench.results';
export const RESULTS_SCHEMA_VERSION = 1;

/** Units live in the metric names: ...Ns, ...Us, ...Kb. */
export type Metrics = Record<string, number>;

interface SampleBase {
  scenario: string;
  variant: string;
  /** 0-based round; warm-up rounds come first */
  round: number;
  warmup: boolean;
  /** position of this launch in the whole run */
  seq: number;
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

export interface ScenarioResult {
  /** what makes the figures doubtful: drift of the baseline, a noisy machine, too few samples */
  warnings?: string[];
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
