import { z } from 'zod';
import {
  CREATE_METHODS,
  NAME_RE,
  PACES,
  PLACEMENTS,
  SCENARIO_KINDS,
  type ScenarioKind,
  variantSchema,
  workloadSchema,
} from '../results/index.ts';
import { int, oneOf, says, show, strict } from '../util/index.ts';

/**
 * The scenario file format, one schema: what defineScenario() accepts, with
 * every key known (a typo is an error naming the near miss) and every value
 * in range. The variant's own schema is results' (results/variant.ts: one
 * variant for the scenario, the runner and the results file). Rules across
 * fields (a uid map needs a user namespace, a density scenario needs targets,
 * …) are checked after it, in validate.ts.
 */

export const scenarioSchema = strict(
  {
    name: z
      .string({
        error: (iss) =>
          says(`expected a lower-case name, got ${show(iss.input)}`, 'use letters, digits, ".", "_" and "-"'),
      })
      .regex(NAME_RE, {
        error: (iss) =>
          says(`expected a lower-case name, got ${show(iss.input)}`, 'use letters, digits, ".", "_" and "-"'),
      }),
    description: z.string({ error: says('expected a string', 'describe what the scenario measures') }),
    /**
     * launch (default): each sample launches the workload and waits for its exit.
     * freeze: each sample thaws and freezes a held sandbox, timing both.
     * network: each sample runs a client against a server held across a topology.
     * density: each sample is a ramp that holds sandboxes one by one up to a target.
     * isolation: each sample runs the probe and judges what each namespace hid (the isolation matrix).
     * interference: each sample runs the workload (the victim) beside the variant's antagonist.
     * scaling: each sample releases K launchers together, each creating and destroying sandboxes in a row.
     */
    kind: oneOf(SCENARIO_KINDS, 'leave it out for a launch scenario').optional(),
    workload: workloadSchema,
    variants: z
      .array(variantSchema, {
        error: says('expected a non-empty array', 'e.g. variants: [bare(), ...eachAlone(), all()]'),
      })
      .min(1, { error: says('expected a non-empty array', 'e.g. variants: [bare(), ...eachAlone(), all()]') }),
    /** Measured rounds; each round runs every variant once, in a fresh random order. */
    rounds: int(1, 1_000_000, 'set rounds to a whole number').optional(),
    /** Rounds run first and dropped from the statistics (kept in the raw samples, flagged). */
    warmup: int(0, 1_000_000, 'set warmup to a whole number').optional(),
    /** Per-launch time limit; a sandbox that outlives it is killed and recorded. */
    timeoutMs: int(1, 86_400_000, 'set timeoutMs to a whole number of ms').optional(),
    hostname: z
      .string({ error: says('expected 1 to 64 characters', 'shorten the hostname') })
      .min(1, { error: says('expected 1 to 64 characters', 'shorten the hostname') })
      .max(64, { error: says('expected 1 to 64 characters', 'shorten the hostname') })
      .optional(),
    /** Variant id the overheads are computed against (default "bare"). */
    baseline: z.string({ error: says('expected a variant id', 'name one of the variant ids') }).optional(),
    /** Free-form parameters recorded with the results. */
    params: z
      .record(
        z.string(),
        z.union([z.string(), z.number(), z.boolean()], {
          error: says('expected an object of strings, numbers and booleans', 'flatten the parameters'),
        }),
        { error: says('expected an object of strings, numbers and booleans', 'flatten the parameters') },
      )
      .optional(),
    /**
     * How launches follow each other (launch scenarios; README "Pacing"):
     * interleaved (default) — every round in a fresh random order, for comparisons;
     * quiesced — before each launch, wait until the kernel finished tearing down earlier sandboxes;
     * back-to-back — each variant `burst` times in a row inside the launcher, no round trip between (churn).
     */
    pace: oneOf(PACES, 'leave it out for interleaved').optional(),
    /**
     * Launch scenarios: where the launcher and its sandboxes run — one-cpu, spread or free (default: one-cpu where
     * every workload is one of nsbench's own single-process ones, else free); `--placement` overrides it.
     */
    placement: oneOf(PLACEMENTS, 'leave it out for the default').optional(),
    /**
     * How the launcher makes each sandbox: vfork-style (default; CLONE_VM | CLONE_VFORK, as posix_spawn does) or
     * fork-style (a copy of the launcher, as runc does); `--create` overrides it. A scenario one of whose variants
     * cannot be made vfork-style is made fork-style throughout (and says why).
     */
    create: oneOf(CREATE_METHODS, 'leave it out for the default (vfork)').optional(),
    /**
     * The launcher keeps at least this gap (ms) between one launch's exit and the next (default 0: as fast as nsbench
     * goes).
     */
    gapMs: z
      .number({ error: (iss) => says(`expected 0..60000 ms, got ${show(iss.input)}`, 'e.g. gapMs: 2') })
      .min(0, { error: (iss) => says(`expected 0..60000 ms, got ${show(iss.input)}`, 'e.g. gapMs: 2') })
      .max(60_000, { error: (iss) => says(`expected 0..60000 ms, got ${show(iss.input)}`, 'e.g. gapMs: 2') })
      .optional(),
    /** back-to-back: launches per burst after the lead-in (default 10). */
    burst: int(1, 999, 'e.g. burst: 10').optional(),
    /** quiesced: the longest wait for a quiet kernel before a launch (default 2000 ms). */
    quiesceTimeoutMs: int(1, 600_000, 'e.g. quiesceTimeoutMs: 2000').optional(),
    /**
     * Trace the kernel's deferred teardown work (workqueue tracepoints) where tracefs allows. Default: on with
     * kernelTrace or quiesced pacing, else off (tracing runs only when asked for).
     */
    kernelWork: z
      .boolean({
        error: (iss) =>
          says(
            `expected true or false, got ${show(iss.input)}`,
            'kernelWork: true traces the teardown work, false never',
          ),
      })
      .optional(),
    /**
     * Attribute each launch to kernel work (README "Inside the kernel"): system calls, waiting, cgroup events and
     * deferred work per sample; `{ functions: true }` requires the function-level split of clone (function
     * tracer), `{ footprint: true }` counts every kernel function the sandbox runs. Where the kernel lacks what
     * is asked for, the samples are skipped with the reason.
     */
    kernelTrace: z
      .union([z.boolean(), z.strictObject({ functions: z.boolean().optional(), footprint: z.boolean().optional() })], {
        error: (iss) =>
          says(
            `expected true, false or { functions?: boolean, footprint?: boolean }, got ${show(iss.input)}`,
            'e.g. kernelTrace: true, or kernelTrace: { footprint: true }',
          ),
      })
      .optional(),
  },
  'a scenario (export default defineScenario({...}))',
);

export type {
  AntagonistSpec,
  DensityTarget,
  FreezerKind,
  FreezeTarget,
  NetTarget,
  WorkloadRef,
} from '../results/index.ts';
export type { ScenarioKind };
// … and what a scenario file writes (its input)
export type VariantDefinition = z.input<typeof variantSchema>;
export type ScenarioDefinition = z.input<typeof scenarioSchema>;
