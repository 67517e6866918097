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
    return says(
      `no metric ${show(iss.input)}${n ? ` (did you mean "${n}"?)` : ''}`,
      'name a metric nsbench writes: bootNs, freezeNs, workload.<field>, … (README "Reading the results")',
    );
  },
});

const positive = (what: string, fix: string, max: number) => {
  const error = (iss: { input?: unknown }) => says(`expected ${what} > 0 and <= ${max}, got ${show(iss.input)}`, fix);
  return z.number({ error }).gt(0, { error }).max(max, { error });
};

/**
 * Adaptive sampling in two stages: a pilot of minRounds rounds (at least 10,
 * at most maxRounds) measures each variant's median CI; from its width the rounds that reach
 * precisionPct are fixed once, and the scenario runs to them (the pilot
 * alone where it is precise enough), within maxRounds and the scenario's
 * time budget (never passed by one more round once minRounds have run).
 */
const adaptiveSchema = strict(
  {
    /** the CI half-width to reach, percent of the median (default 2) */
    precisionPct: positive('a percentage', 'e.g. precisionPct: 2', 100).optional(),
    /**
     * rounds run whatever the precision and the budget (default 3); the pilot is the larger of it and 10 (capped at
     * maxRounds)
     */
    minRounds: int(1, 1_000_000, 'e.g. minRounds: 10').optional(),
    /** rounds at most (default: the scenario's rounds) */
    maxRounds: int(1, 1_000_000, 'e.g. maxRounds: 60').optional(),
    /** the scenario's time budget in seconds, warm-up included (default: none) */
    budgetS: positive('seconds', 'e.g. budgetS: 30', 86_400).optional(),
  },
  '{ precisionPct?, minRounds?, maxRounds?, budgetS? }',
).superRefine((a, ctx) => {
  // both given and crossed: say so (clamping one to the other would run neither as written)
  if (a.minRounds !== undefined && a.maxRounds !== undefined && a.minRounds > a.maxRounds)
    ctx.addIssue({
      code: 'custom',
      path: ['minRounds'],
      message: says(
        `minRounds ${a.minRounds} is more than maxRounds ${a.maxRounds}`,
        'make minRounds at most maxRounds',
      ),
    });
});

/** One scenario of a profile, with what the profile changes about it. */
const profileScenarioSchema = strict(
  {
    name: z
      .string({ error: says('expected a scenario name', "e.g. { name: 'boot' }") })
      .min(1, { error: says('expected a scenario name', "e.g. { name: 'boot' }") }),
    /** only the variants whose ids match one of these patterns: "*" matches any characters (e.g. 'bare', 'stream/*') */
    variants: z
      .array(z.string({ error: says('expected variant id patterns', "e.g. variants: ['bare', 'all']") }).min(1), {
        error: says('expected variant id patterns', "e.g. variants: ['bare', 'all']"),
      })
      .min(1, { error: says('expected variant id patterns', "e.g. variants: ['bare', 'all']") })
      .optional(),
    rounds: int(1, 1_000_000, 'set rounds to a whole number').optional(),
    warmup: int(0, 1_000_000, 'set warmup to a whole number').optional(),
    /** network scenarios: multiply each test's length (stream seconds, request/response count) */
    durationScale: positive('a factor', 'e.g. durationScale: 3', 100).optional(),
    /** adaptive sampling for this scenario (over the profile's); false: its rounds are fixed */
    adaptive: z
      .union([adaptiveSchema, z.literal(false)], {
        error: says(
          'expected { precisionPct?, minRounds?, maxRounds?, budgetS? } or false',
          'e.g. adaptive: { budgetS: 30 }',
        ),
      })
      .optional(),
  },
  '{ name, variants?, rounds?, warmup?, durationScale?, adaptive? }',
);

/** A named plan: which scenarios, how many rounds, how precise. */
const profileSchema = strict(
  {
    description: z.string({ error: says('expected a few words', 'say what the profile is for') }),
    scenarios: z
      .array(
        z.union([z.string(), profileScenarioSchema], {
          error: says(
            'expected a scenario name or { name, ... }',
            "e.g. 'boot' or { name: 'network', variants: ['stream/*'] }",
          ),
        }),
        { error: says('expected an array of scenarios', "e.g. scenarios: ['boot']") },
      )
      .min(1, { error: says('expected an array of scenarios', "e.g. scenarios: ['boot']") }),
    /** network scenarios: multiply each test's length (stream seconds, request/response count; thorough: 3) */
    durationScale: positive('a factor', 'e.g. durationScale: 3', 100).optional(),
    /** multiply each scenario's own rounds (thorough: 2) */
    roundsScale: positive('a factor', 'e.g. roundsScale: 2', 100).optional(),
    warmup: int(0, 1_000_000, 'set warmup to a whole number').optional(),
    /** adaptive sampling for every scenario of the profile (absent: fixed rounds) */
    adaptive: adaptiveSchema.optional(),
  },
  '{ description, scenarios, roundsScale?, durationScale?, warmup?, adaptive? }',
);

/** bench.config.ts: what `npm run bench` (nsbench run) does by default. */
export const configSchema = strict(
  {
    /** Scenarios to run when none is named on the command line. */
    scenarios: z
      .array(z.string(), { error: says('expected a non-empty array of scenario names', "e.g. scenarios: ['boot']") })
      .min(1, { error: says('expected a non-empty array of scenario names', "e.g. scenarios: ['boot']") })
      .optional(),
    /** Measured rounds per scenario, unless the scenario sets its own. */
    rounds: int(1, 1_000_000, 'set rounds to a whole number').optional(),
    /** Warm-up rounds, dropped from the statistics. */
    warmup: int(0, 1_000_000, 'set warmup to a whole number').optional(),
    /** Seed of the per-round shuffle (32 bits); recorded with the results. Default: random. */
    seed: int(0, MAX_SEED, 'a seed is a whole number 0..4294967295 (the shuffle is 32-bit)').optional(),
    /** Per-launch time limit in ms, unless the scenario sets its own. */
    timeoutMs: int(1, 86_400_000, 'set timeoutMs to a whole number of ms').optional(),
    /** Named plans (`nsbench run --profile NAME`). */
    profiles: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, { error: says('expected a lower-case profile name', 'e.g. quick') }),
        profileSchema,
        { error: says('expected { name: profile }', 'e.g. profiles: { quick: { description, scenarios } }') },
      )
      .optional(),
    /** The profile a run without --profile uses (absent: the scenarios, rounds and warmup above). */
    profile: z.string({ error: says('expected a profile name', "e.g. profile: 'quick'") }).optional(),
    /** Where results go (JSON, JSONL, CSV). */
    outDir: z
      .string({ error: says('expected a folder path', "e.g. outDir: 'results'") })
      .min(1, { error: says('expected a folder path', "e.g. outDir: 'results'") })
      .optional(),
    /** Write the raw CSV gzipped (<run-id>.csv.gz); `nsbench run --gzip-csv` does too. */
    csvGzip: z.boolean({ error: says('expected true or false', 'e.g. csvGzip: true') }).optional(),
    /** Where reports go (HTML, Markdown). */
    reportsDir: z
      .string({ error: says('expected a folder path', "e.g. reportsDir: 'reports'") })
      .min(1, { error: says('expected a folder path', "e.g. reportsDir: 'reports'") })
      .optional(),
    /** Defaults of `nsbench compare`. */
    compare: strict(
      {
        /** Percent an effect's CI must lie beyond, in the worse direction (default 5). */
        thresholdPct: percent('e.g. 5').optional(),
        /** Per-metric overrides, e.g. { bootNs: 10, 'workload.throughputMbitPerSec': 3 }. */
        thresholds: z
          .record(metricKey, percent('e.g. { bootNs: 10 }'), {
            error: (iss) =>
              iss.code === 'invalid_type' ? says('expected { metric: percent }', 'e.g. { bootNs: 10 }') : undefined,
          })
          .optional(),
        /** False discovery rate for the q-values (default 0.05). */
        alpha: z
          .number({ error: (iss) => says(`expected 0 < alpha < 1, got ${show(iss.input)}`, 'e.g. 0.05') })
          .gt(0, { error: (iss) => says(`expected 0 < alpha < 1, got ${show(iss.input)}`, 'e.g. 0.05') })
          .lt(1, { error: (iss) => says(`expected 0 < alpha < 1, got ${show(iss.input)}`, 'e.g. 0.05') })
          .optional(),
        /**
         * With one baseline run: the run-to-run sd allowed for, percent of a run's median (default 8, measured by A/A
         * reruns on a shared 2-core VM).
         */
        runSdPct: percent('e.g. 2').optional(),
      },
      '{ thresholdPct?, thresholds?, alpha?, runSdPct? }',
    ).optional(),
  },
  'a config (export default defineConfig({...}))',
);

export type BenchConfig = z.input<typeof configSchema>;
export type Profile = z.output<typeof profileSchema>;
export type AdaptiveSpec = z.output<typeof adaptiveSchema>;
