/** bench.config.ts: what `npm run bench` (nsbench run) does by default. */
export interface BenchConfig {
  /** Scenarios to run when none is named on the command line. */
  scenarios?: string[];
  /** Measured rounds per scenario, unless the scenario sets its own. */
  rounds?: number;
  /** Warm-up rounds, dropped from the statistics. */
  warmup?: number;
  /** Seed of the per-round shuffle; recorded with the results. Default: random. */
  seed?: number;
  /** Per-launch time limit in ms, unless the scenario sets its own. */
  timeoutMs?: number;
  /** Where results go (JSON, JSONL, CSV). */
  outDir?: string;
  /** Where reports go (HTML, Markdown). */
  reportsDir?: string;
  /** Defaults of `nsbench compare`. */
  compare?: {
    /** Percent an effect's CI must lie beyond, in the worse direction (default 5). */
    thresholdPct?: number;
    /** Per-metric overrides, e.g. { bootNs: 10, 'workload.throughputMbitPerSec': 3 }. */
    thresholds?: Record<string, number>;
    /** False discovery rate for the q-values (default 0.05). */
    alpha?: number;
  };
}

export function defineConfig(config: BenchConfig): BenchConfig {
  return config;
}
