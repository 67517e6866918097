import {
  type Environment,
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  type RunResults,
  type Sample,
} from '../results/index.ts';
import { seededRandom } from '../stats/index.ts';

interface SyntheticOptions {
  /** variants (each one metric series) */
  variants: number;
  /** samples per variant */
  n: number;
  /** median of the metric */
  mu: number;
  /** lognormal noise: sd of log values (≈ coefficient of variation) */
  cv: number;
  /** multiply every value (a shift to detect) */
  shift?: number;
  /** multiply the values of these variants only (index → factor), on top of `shift` */
  shiftOf?: Record<number, number>;
  metric?: string;
  environment?: Environment;
}

/**
 * A results file with known distributions, for calibrating `compare` (false
 * alarms, power) and timing reports without a machine to measure.
 */
export function syntheticRun(seed: number, o: SyntheticOptions): RunResults {
  const rnd = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const metric = o.metric ?? 'bootNs';
  const variants = Array.from({ length: o.variants }, (_, i) => ({ id: `v${i}`, label: `v${i}`, ns: [] }));
  const samples: Sample[] = [];
  let seq = 0;
  for (const [i, v] of variants.entries())
    for (let round = 0; round < o.n; round++)
      samples.push({
        scenario: 'synthetic',
        variant: v.id,
        round,
        warmup: false,
        seq: seq++,
        state: 'completed',
        metrics: { [metric]: o.mu * (o.shift ?? 1) * (o.shiftOf?.[i] ?? 1) * Math.exp(o.cv * normal()) },
        clonePath: 'clone3',
        cgroupMethod: 'none',
        ready: true,
        pid: 1,
      });
  return {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: `synthetic-${seed}`,
    status: 'complete',
    startedAt: new Date(0).toISOString(),
    finishedAt: new Date(0).toISOString(),
    tool: { name: 'nsbench', version: '0', commit: null },
    environment: o.environment ?? {
      kernel: { release: '6.1' },
      cpu: { model: 'synthetic', cores: 2 },
      cgroups: { mode: 'v2' },
    },
    scenarios: [
      {
        name: 'synthetic',
        description: 'synthetic samples',
        file: '',
        kind: 'launch',
        workload: {},
        params: {},
        rounds: o.n,
        warmupRounds: 0,
        seed,
        timeoutMs: 0,
        baseline: 'v0',
        variants,
        samples,
        summary: [],
      },
    ],
  };
}
