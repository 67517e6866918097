import { z } from 'zod';
import { isKnownMetric, METRIC_NAMES } from '../results/index.ts';
import { int, nearest, says, show, strict } from '../util/index.ts';

/** The largest seed the per-round shuffle takes (mulberry32: 32 bits). */
export const MAX_SEED = 2 ** 32 - 1;

const percent = (fix: string) => {
  const error = (iss: { input?: unknown }) => says(`expected a percentage 0..1000, got ${show(iss.input)}`, fix);
  return z.number({ error }).min(0, { error }).max(1000, { error });
};

/** A metric name as a key: one nsbench writes, with the near miss. */
const metricKey = z.string().refine(isKnownMetric, {
  error: (iss) => {
    const n = typeof iss.input === 'string' ? nearest(iss.input, METRIC_NAMES) : null;
    return says(`no metric ${show(iss.input)}${n ? ` (did you mean "${n}"?)` : ''}`, 'name a metric nsbench writes: bootNs, freezeNs, workload.<field>, … (README "Reading the results")');
  },
});

/** bench.config.ts: what `npm run bench` (nsbench run) does by default. */
export const configSchema = strict(
  {
    /** Scenarios to run when none is named on the command line. */
    scenarios: z.array(z.string(), { error: says('expected a non-empty array of scenario names', "e.g. scenarios: ['boot']") }).min(1, { error: says('expected a non-empty array of scenario names', "e.g. scenarios: ['boot']") }).optional(),
    /** Measured rounds per scenario, unless the scenario sets its own. */
    rounds: int(1, 1_000_000, 'set rounds to a whole number').optional(),
    /** Warm-up rounds, dropped from the statistics. */
    warmup: int(0, 1_000_000, 'set warmup to a whole number').optional(),
    /** Seed of the per-round shuffle (32 bits); recorded with the results. Default: random. */
    seed: int(0, MAX_SEED, 'a seed is a whole number 0..4294967295 (the shuffle is 32-bit)').optional(),
    /** Per-launch time limit in ms, unless the scenario sets its own. */
    timeoutMs: int(1, 86_400_000, 'set timeoutMs to a whole number of ms').optional(),
    /** Where results go (JSON, JSONL, CSV). */
    outDir: z.string({ error: says('expected a folder path', "e.g. outDir: 'results'") }).min(1, { error: says('expected a folder path', "e.g. outDir: 'results'") }).optional(),
    /** Where reports go (HTML, Markdown). */
    reportsDir: z.string({ error: says('expected a folder path', "e.g. reportsDir: 'reports'") }).min(1, { error: says('expected a folder path', "e.g. reportsDir: 'reports'") }).optional(),
    /** Defaults of `nsbench compare`. */
    compare: strict(
      {
        /** Percent an effect's CI must lie beyond, in the worse direction (default 5). */
        thresholdPct: percent('e.g. 5').optional(),
        /** Per-metric overrides, e.g. { bootNs: 10, 'workload.throughputMbitPerSec': 3 }. */
        thresholds: z.record(metricKey, percent('e.g. { bootNs: 10 }'), { error: (iss) => (iss.code === 'invalid_type' ? says('expected { metric: percent }', 'e.g. { bootNs: 10 }') : undefined) }).optional(),
        /** False discovery rate for the q-values (default 0.05). */
        alpha: z.number({ error: (iss) => says(`expected 0 < alpha < 1, got ${show(iss.input)}`, 'e.g. 0.05') }).gt(0, { error: (iss) => says(`expected 0 < alpha < 1, got ${show(iss.input)}`, 'e.g. 0.05') }).lt(1, { error: (iss) => says(`expected 0 < alpha < 1, got ${show(iss.input)}`, 'e.g. 0.05') }).optional(),
      },
      '{ thresholdPct?, thresholds?, alpha? }',
    ).optional(),
  },
  'a config (export default defineConfig({...}))',
);

export type BenchConfig = z.input<typeof configSchema>;
