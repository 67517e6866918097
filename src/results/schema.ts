import { z } from 'zod';
import { NAMESPACES } from '../isolation/index.ts';
import { environmentSchema } from './environment.ts';
import { nameTextSchema, recordedVariantSchema, SCENARIO_KINDS } from './variant.ts';

/**
 * The results file format (results/<run-id>.json, and the records of the
 * samples file), one schema: the static types in types.ts are inferred from
 * it, every file is checked against it before use, and its JSON Schema is
 * published as docs/results.schema.json (`npm run schema` writes it).
 * Unknown keys are dropped on reading (a newer nsbench may add some).
 */

export const RESULTS_SCHEMA = 'nsbench.results';
export const RESULTS_SCHEMA_VERSION = 1;

/** How a scenario's launches follow each other (README: "Conditions are part of the number"). */
export const PACES = ['interleaved', 'quiesced', 'back-to-back'] as const;
/**
 * Where a launch scenario's launcher and sandboxes ran: pinned to one CPU (nsbench itself on another), spread over
 * every CPU but nsbench's, or free to move over all of them. A condition of the figure, as pace is: the same set's
 * cost differs between them (net +0.5 ms pinned, +0.9 to +1.9 ms free on the 2-core machine nsbench is built on).
 */
export const PLACEMENTS = ['one-cpu', 'spread', 'free'] as const;
/**
 * How the launcher made each sandbox's first process: fork-style (a copy of its address space, as runc and most tools
 * do) or vfork-style (CLONE_VM | CLONE_VFORK, as posix_spawn does, about 0.6 ms less on the 2-core machine nsbench is
 * built on, the namespaces' own cost the same). A condition of the figure: absolute boot times differ between them.
 */
export const CREATE_METHODS = ['fork', 'vfork'] as const;
/** The kinds of scenario, each run by its own procedure (the one list, in variant.ts beside the variant). */

const num = z.number();
const ns = z.enum(NAMESPACES);

/** Units live in the metric names: ...Ns, ...Us, ...Kb. */
export const metricsSchema = z.record(z.string(), num);

const conditionsSchema = z.object({
  pace: z.enum(PACES),
  /** the variant launched just before this one in the scenario (warm-up included); null for the first */
  prev: z.string().nullable(),
  /** the previous launch's exit (reaped by the launcher) → this request, ns; absent for a launcher's first launch */
  gapNs: num.optional(),
  /** the part of gapNs the launcher waited on purpose (gapMs) */
  gapWaitNs: num.optional(),
  /**
   * quiesced: how long nsbench waited for a quiet kernel before this launch, and whether it got there before the
   * timeout
   */
  quiesceWaitNs: num.optional(),
  quiet: z.boolean().optional(),
  /** back-to-back: position in its burst; 0 is the lead-in, which follows another variant (kept raw, not summarized) */
  burst: num.optional(),
  /** where the launcher and this sandbox ran (launch scenarios; the scenario's cpus say which CPUs) */
  placement: z.enum(PLACEMENTS).optional(),
  /**
   * how the launcher made this sandbox: "fork", "vfork", or fork-style where vfork was asked for and the request
   * ruled it out, the reason in brackets ("fork (vfork: maps to another id)")
   */
  create: z.string().optional(),
});

const sampleBase = {
  scenario: nameTextSchema,
  variant: nameTextSchema,
  /** 0-based round; warm-up rounds come first */
  round: z.number().int().min(0),
  warmup: z.boolean(),
  /** position of this launch in the whole run */
  seq: z.number().int().min(0),
  conditions: conditionsSchema.optional(),
  /** the round's attempt (0; 1.. when --retry-noisy ran it again) */
  attempt: num.optional(),
  /** why the round this sample belongs to counts as disturbed (competing load seen meanwhile) */
  disturbed: z.array(z.string()).optional(),
  /** a disturbed round that was run again: kept raw, left out of the statistics */
  superseded: z.literal(true).optional(),
  /** CLOCK_MONOTONIC of the launch (ns since boot): request, ready and exit, and the sandbox's host pid */
  at: z.object({ requestNs: num, readyNs: num.optional(), exitNs: num, pid: num.optional() }).optional(),
};

/**
 * Where a sample sits in the run and the conditions the runner set for it: what every sample has, whatever its state.
 */
const sampleIdentitySchema = z.object({
  scenario: sampleBase.scenario,
  variant: sampleBase.variant,
  round: sampleBase.round,
  warmup: sampleBase.warmup,
  seq: sampleBase.seq,
  attempt: sampleBase.attempt,
  conditions: sampleBase.conditions,
});
export type SampleBase = z.infer<typeof sampleIdentitySchema>;

const isolationCellSchema = z.object({
  ns,
  status: z.enum(['isolated', 'not-isolated', 'n/a']),
  evidence: z.string(),
});

const completedSampleSchema = z.object({
  ...sampleBase,
  state: z.literal('completed'),
  metrics: metricsSchema,
  clonePath: z.string(),
  cgroupMethod: z.string(),
  ready: z.boolean(),
  pid: num,
  /** what a number cannot say (e.g. why a density ramp stopped) */
  notes: z.array(z.string()).optional(),
  /**
   * figures measured but implausible (a negative memory per instance, say): left out of the metrics, kept here with
   * their value
   */
  invalid: z.record(z.string(), num).optional(),
  /** per-step values of a sample (e.g. the boot time of each launch of a density ramp) */
  series: z.record(z.string(), z.array(num)).optional(),
  /** isolation scenarios: the matrix's cells for this variant, with their evidence */
  isolation: z.array(isolationCellSchema).optional(),
});

const erroredSampleSchema = z.object({
  ...sampleBase,
  state: z.literal('errored'),
  /**
   * timeout, signaled, oom-killed, pids-max, enospc, exit-code, setup-failed, clone-failed, launcher-died, interrupted,
   * cgroup, antagonist, parse
   */
  cause: z.string(),
  reason: z.string(),
  code: z.string().optional(),
  syscall: z.string().optional(),
  stage: z.string().optional(),
  metrics: metricsSchema.optional(),
});

const skippedSampleSchema = z.object({ ...sampleBase, state: z.literal('skipped'), reason: z.string() });

export const sampleSchema = z.discriminatedUnion('state', [
  completedSampleSchema,
  erroredSampleSchema,
  skippedSampleSchema,
]);

/** A variant as the results record it: results/variant.ts, the one variant type. */
export const variantInfoSchema = recordedVariantSchema;

const pair = z.tuple([num, num]);

export const metricSummarySchema = z.object({
  n: num,
  min: num,
  max: num,
  mean: num,
  /** sample standard deviation (n - 1); 0 when n < 2 */
  sd: num,
  median: num,
  /** distribution-free 95% CI of the median (order statistics); null when n < 6 */
  medianCI95: pair.nullable(),
  p5: num,
  p75: num,
  p95: num,
  p99: num,
  /** median absolute deviation */
  mad: num,
  /** coefficient of variation, sd / mean */
  cv: num,
  /** samples with a modified z-score beyond 3.5: flagged, never dropped */
  outliers: num,
  /** median / the baseline's median; null for the baseline itself, without one, or from too few samples (`tooFew`) */
  ratioToBaseline: num.nullable(),
  /** fewer than MIN_VERDICT_SAMPLES on this side or the baseline's (`baselineN`): no ratio, no verdict */
  tooFew: z.literal(true).optional(),
  /** the baseline's sample count for this metric (non-baseline variants) */
  baselineN: num.optional(),
  /** seeded percentile-bootstrap 95% CI of ratioToBaseline (headline metrics only) */
  ratioCI95: pair.optional(),
  /** geometric mean of the per-round ratios to the baseline (rounds interleave variants) */
  perRoundRatio: num.optional(),
  /** paired sign-flip test on per-round log ratios: two-sided p (headline metrics only) */
  pPaired: num.optional(),
});

export const variantSummarySchema = z.object({
  variant: nameTextSchema,
  baseline: z.string(),
  completed: num,
  errored: num,
  skipped: num,
  metrics: z.record(z.string(), metricSummarySchema),
});

/** The load seen during one round (attempt) of a scenario, and whether it disturbed the round. */
export const roundLoadSchema = z.object({
  round: num,
  attempt: num,
  wallNs: num,
  /** where the pressure figures come from: PSI, or /proc/stat where the kernel has none */
  source: z.enum(['psi', 'proc-stat']),
  /** share of the round's wall time with some task stalled on the resource (PSI "some"); null without PSI */
  pressure: z.object({ cpu: num, memory: num, io: num }).nullable(),
  /** CPU time of processes outside nsbench's own tree, as a share of the machine's capacity (all CPUs) */
  foreignCpu: num,
  /** the busiest of them */
  foreignTop: z.array(z.object({ pid: num, comm: z.string(), cpu: num })),
  /** /proc/stat: busy share of all CPUs and steal, over the round */
  busy: num,
  steal: num,
  /** empty when the round was quiet */
  disturbed: z.array(z.string()),
});

/** How much the previous launch's variant shifts the next sample (random order makes it estimable). */
export const carryOverSchema = z.object({
  metric: z.string(),
  /**
   * per predecessor: the median shift of every sample that followed it (vs that sample's variant median), with a
   * bootstrap 95% CI
   */
  predecessors: z.array(z.object({ prev: z.string(), n: num, shift: num, ci: pair.nullable() })),
  /** per predecessor × variant: median of the variant after it minus the variant's median */
  cells: z.array(z.object({ prev: z.string(), variant: z.string(), n: num, shift: num, ci: pair.nullable() })),
  /**
   * the smallest effect the scenario reports (|median − baseline median| of a variant whose ratio CI excludes 1), or
   * null
   */
  smallestEffect: z.object({ variant: z.string(), effect: num }).nullable(),
  /**
   * one overall permutation test that the predecessor matters, and each predecessor's p, Holm-adjusted (absent in files
   * of nsbench before it)
   */
  test: z
    .object({ p: num, method: z.string(), predecessors: z.array(z.object({ prev: z.string(), p: num, pHolm: num })) })
    .optional(),
  /** per reported ratio: the bias the measured carry-over puts into it, percent of the ratio */
  bias: z.array(z.object({ variant: z.string(), baseline: z.string(), pct: num })).optional(),
});

/** What a scenario is: all of a scenario result but its samples and summary (the samples file's "scenario" record). */
export const scenarioMetaSchema = z.object({
  /** what makes the figures doubtful: drift of the baseline, a noisy machine, too few samples */
  warnings: z.array(z.string()).optional(),
  /** how the launches were paced: recorded for every scenario (launch scenarios can choose) */
  pace: z.enum(PACES).optional(),
  /** the launcher kept at least this gap after each exit (0: none beyond nsbench's own round trip) */
  gapMs: num.optional(),
  /** back-to-back: launches per burst after the lead-in */
  burst: num.optional(),
  /** per round and attempt: competing load, and whether it disturbed the round */
  load: z.array(roundLoadSchema).optional(),
  carryOver: carryOverSchema.optional(),
  /** the CPUs the harness and the launcher with its sandboxes were kept on (absent: all shared every CPU) */
  cpus: z.object({ harness: z.array(num), sandboxes: z.array(num) }).optional(),
  /** where the launcher and its sandboxes ran (absent in files before placement was recorded) */
  placement: z.enum(PLACEMENTS).optional(),
  /** how the launcher was asked to make sandboxes (absent in files before it was recorded: fork) */
  create: z.enum(CREATE_METHODS).optional(),
  /** why the scenario was made fork-style where vfork-style was asked for (a variant that needs the launcher) */
  createWhy: z.string().optional(),
  /**
   * how many rounds ran and why they stopped: fixed rounds, or adaptive sampling to a precision target within a time
   * budget
   */
  sampling: z
    .object({
      mode: z.enum(['fixed', 'adaptive']),
      stoppedBy: z.enum(['precision', 'budget', 'max-rounds', 'rounds', 'interrupted']),
      /** measured rounds run */
      rounds: num,
      precisionPct: num.optional(),
      minRounds: num.optional(),
      maxRounds: num.optional(),
      /**
       * adaptive: the pilot's rounds, and the rounds it fixed for the precision target (absent: the pilot did not
       * finish)
       */
      pilotRounds: num.optional(),
      targetRounds: num.optional(),
      budgetS: num.nullable().optional(),
      /** the scenario's wall time, setup and warm-up included */
      wallS: num.optional(),
    })
    .optional(),
  /** per variant: the 95% CI half-width its headline metric reached, percent of its centre */
  precision: z
    .array(
      z.object({
        variant: z.string(),
        metric: z.string(),
        n: num,
        halfWidthPct: num.nullable(),
        method: z.enum(['median-ci', 'mean-t']).nullable(),
      }),
    )
    .optional(),
  /** whether kernel work (workqueue items and the kworkers' scheduling) was traced, or why not */
  kernelWork: z.object({ traced: z.boolean(), reason: z.string().optional() }).optional(),
  /**
   * kernel attribution per launch (kernelTrace / --kernel-trace): on or why not, with the function-level split and the
   * footprint
   */
  kernelTrace: z
    .object({ traced: z.boolean(), functions: z.boolean(), footprint: z.boolean(), reason: z.string().optional() })
    .optional(),
  name: nameTextSchema,
  description: z.string(),
  file: z.string(),
  kind: z.enum(SCENARIO_KINDS),
  /** the scenario's workload as it was written (read as it is: not re-checked against today's workloads) */
  workload: z.unknown(),
  params: z.record(z.string(), z.union([z.string(), num, z.boolean()])),
  rounds: num,
  warmupRounds: num,
  seed: num,
  timeoutMs: num,
  baseline: z.string(),
  variants: z.array(variantInfoSchema).min(1),
});

export const scenarioResultSchema = scenarioMetaSchema.extend({
  samples: z.array(sampleSchema),
  summary: z.array(variantSummarySchema),
});

const toolSchema = z.object({ name: z.literal('nsbench'), version: z.string(), commit: z.string().nullable() });

/**
 * A run id as nsbench makes them (20261205-030111-f766) or any name of letters,
 * digits, ".", "_" and "-" not starting with "." — it names files, so a run id
 * read from a file from another machine never becomes a path outside its folder.
 */
export const RUN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const runIdSchema = z
  .string()
  .regex(RUN_ID_RE, { error: 'not a run id (letters, digits, ".", "_" and "-", at most 128, not starting with ".")' });

export const runResultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  runId: runIdSchema,
  status: z.enum(['complete', 'partial']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  tool: toolSchema,
  /** the profile of bench.config.ts the run followed (`--profile`), absent where it followed none */
  profile: z.object({ name: z.string(), description: z.string() }).optional(),
  environment: environmentSchema,
  scenarios: z.array(scenarioResultSchema),
});

/** The first line of a samples file: the run, its schema and version, and what it was asked for. */
export const samplesHeaderSchema = z.object({
  type: z.literal('run'),
  schema: z.literal(RESULTS_SCHEMA).optional(),
  schemaVersion: z.number().optional(),
  runId: runIdSchema,
  startedAt: z.string(),
  seed: num,
  tool: toolSchema,
  environment: environmentSchema,
});
