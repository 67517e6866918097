import { z } from 'zod';
import { cgroupSpecSchema, FREEZERS, type FreezerKind } from '../cgroup/index.ts';
import { ENGINES } from '../engines/index.ts';
import { BUILTIN_WORKLOADS } from '../host/index.ts';
import { canonicalSet, NAMESPACES } from '../isolation/index.ts';
import { TOPOLOGIES } from '../network/index.ts';
import { int, knownList, oneOf, says, show, strict } from '../util/index.ts';
import { TOOL_ADAPTERS, type WorkloadRef } from '../workloads/index.ts';

/**
 * The variant, declared once: what a scenario file writes (variantSchema's
 * input), what validation hands the runner (ResolvedVariant, narrowed per
 * scenario kind by VariantOf<K>), and what a results file records
 * (recordedVariantSchema: the resolved variant and its baseline; what names
 * an entry of today's registries — a workload, a tool, an engine — is read
 * back without checking that it still exists). The
 * scenario format (scenario/schema.ts), the runner and the readers of results
 * all take it from here.
 */

/** What one sample of a scenario is: README "Scenario kinds". */
export const SCENARIO_KINDS = [
  'launch',
  'freeze',
  'network',
  'density',
  'isolation',
  'interference',
  'scaling',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;
const KNOWN_NS = `known: ${NAMESPACES.join(', ')}`;

const strings = (fix: string) =>
  z.array(z.string({ error: says('expected a string', fix) }), { error: says('expected an array of strings', fix) });

/** A namespace name, with the near miss. */
const namespace = z.enum(NAMESPACES, {
  error: (iss) =>
    says(`unknown namespace ${show(iss.input)}${knownList(iss.input, NAMESPACES)}`, 'use one of the known names'),
});
/** A namespace set: in canonical order, without duplicates. */
export const namespacesSchema = z
  .array(namespace, { error: says('expected an array of namespace names', `e.g. ['pid', 'net'] (${KNOWN_NS})`) })
  .transform((ns) => canonicalSet(ns));

/**
 * A built-in workload (workloads/<name>.c), a real tool with an adapter
 * (sysbench, stress-ng, fio, iperf3), or any program by its absolute path:
 * exactly one of builtin, tool and command.
 */
export const workloadSchema = strict(
  {
    builtin: z
      .string({ error: says('not a workload name', 'use a name from `nsbench list`') })
      .refine((b) => NAME_RE.test(b) && (BUILTIN_WORKLOADS as readonly string[]).includes(b), {
        error: (iss) =>
          says(
            `not a workload name: ${show(iss.input)}${knownList(iss.input, BUILTIN_WORKLOADS)}`,
            'use a name from `nsbench list`',
          ),
      })
      .optional(),
    tool: z
      .string({ error: says('expected a tool name', 'use a known tool, or { command: [...] }') })
      .refine((t) => Object.hasOwn(TOOL_ADAPTERS, t), {
        error: (iss) =>
          says(
            `no adapter for ${show(iss.input)}${knownList(iss.input, Object.keys(TOOL_ADAPTERS))}`,
            'use a known tool, or { command: [...] }',
          ),
      })
      .optional(),
    command: z
      .array(z.string({ error: says('expected a non-empty array of strings', 'e.g. command: ["/bin/true"]') }), {
        error: says('expected a non-empty array of strings', 'e.g. command: ["/bin/true"]'),
      })
      .min(1, { error: says('expected a non-empty array of strings', 'e.g. command: ["/bin/true"]') })
      .refine((c) => c.length === 0 || (c[0] as string).startsWith('/'), {
        error: (iss) =>
          says(
            `"${(iss.input as string[])[0]}" is not an absolute path`,
            'give the program as an absolute path (no shell, no PATH lookup)',
          ),
        path: [0],
      })
      .optional(),
    args: strings('pass arguments as strings').optional(),
  },
  '{ builtin: "noop" }, { tool: "sysbench", args: [...] } or { command: ["/abs/prog", ...] }',
)
  .superRefine((w, ctx) => {
    const given = (['builtin', 'tool', 'command'] as const).filter((k) => w[k] !== undefined);
    if (given.length === 0)
      ctx.addIssue({
        code: 'custom',
        message: says(
          'has neither "builtin", "tool" nor "command"',
          'set workload to { builtin: "noop" }, { tool: "sysbench", args: [...] } or { command: [...] }',
        ),
      });
    else if (given.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: says(`has both ${given.map((g) => `"${g}"`).join(' and ')}: which would run?`, 'keep one of them'),
      });
    else if (w.command && w.args)
      ctx.addIssue({
        code: 'custom',
        path: ['args'],
        message: says('a command carries its arguments itself', 'put them in command: ["/prog", "arg", ...]'),
      });
  })
  .transform(
    (w): WorkloadRef =>
      w.builtin !== undefined
        ? { builtin: w.builtin, args: w.args ?? [] }
        : w.tool !== undefined
          ? { tool: w.tool, args: w.args ?? [] }
          : { command: w.command as string[] },
  );

const netSchema = strict(
  {
    topology: oneOf(TOPOLOGIES, 'use one of the known topologies'),
    /** net (default): nsbench's own client/server; iperf3: the real tool (stream only, whole seconds) */
    tool: oneOf(['net', 'iperf3'], "leave it out for nsbench's own client and server").optional(),
    /** stream: TCP throughput for `seconds`; rr: `count` request/response round trips */
    test: oneOf(['stream', 'rr'], 'pick stream or rr'),
    seconds: z
      .number({ error: says('expected 0 < seconds <= 600', 'e.g. seconds: 1') })
      .gt(0, { error: says('expected 0 < seconds <= 600', 'e.g. seconds: 1') })
      .max(600, { error: says('expected 0 < seconds <= 600', 'e.g. seconds: 1') })
      .optional(),
    count: int(1, 10_000_000, 'e.g. count: 2000').optional(),
    /** message size ("128K"; default 128K for stream, 1 byte for rr) */
    msgSize: z
      .union([z.string().regex(/^\d+[KMG]?$/i), z.number().int().min(1)], {
        error: says('expected a size like "128K" or a byte count', 'fix the size'),
      })
      .optional(),
  },
  '{ topology, test, seconds | count, msgSize? }',
);

const freezeSchema = strict(
  {
    /** processes in the sandbox (the first and its children) */
    processes: int(1, 100_000, 'use freezeVariants({...})'),
    /** busy: they spin on the CPU; sleep: they wait in pause() */
    mode: oneOf(['busy', 'sleep'], 'use freezeVariants({...})'),
    /** v2: cgroup.freeze (on hybrid machines the unified hierarchy); v1: freezer.state */
    freezer: oneOf(FREEZERS, 'use freezeVariants({...})'),
  },
  '{ processes: 1..100000, mode: "busy" | "sleep", freezer: "v1" | "v2" }',
);

const densitySchema = strict(
  {
    /** sandboxes to hold at most */
    target: int(1, 1_000_000, 'e.g. density: { target: 2000 }'),
    /** stop the ramp when MemAvailable falls below this (default: the larger of 1 GiB and 10% of memory) */
    minFreeBytes: int(0, Number.MAX_SAFE_INTEGER, 'e.g. 1073741824').optional(),
    /** stop the ramp after this long (default 120 s) */
    timeBudgetMs: int(1, 86_400_000, 'e.g. 120000').optional(),
    /** hold the full ramp this long before tearing down (default 500 ms) */
    holdMs: int(0, 3_600_000, 'e.g. 500').optional(),
    /** give each sandbox its own cgroup (accounting, no limits) */
    perSandboxCgroup: z
      .boolean({ error: says('expected true or false', 'perSandboxCgroup: true gives each sandbox its own cgroup') })
      .optional(),
  },
  '{ target, minFreeBytes?, timeBudgetMs?, holdMs?, perSandboxCgroup? }',
);

/** The most launchers a scaling variant runs at once (the plan caps it lower on a small machine: runner/plan.ts). */
const MAX_SCALING_K = 256;

/** Parallel creation: K launchers at once, each `launches` sandboxes in a row per sample. */
const scalingSchema = strict(
  {
    /** launchers creating and destroying sandboxes at once */
    k: int(1, MAX_SCALING_K, 'e.g. scaling: { k: 4 }'),
    /** launches each launcher makes per sample, one after another (default 20) */
    launches: int(1, 10_000, 'e.g. scaling: { k: 4, launches: 20 }').optional(),
  },
  '{ k, launches? } — e.g. scaling: { k: 4, launches: 20 }',
);

/**
 * The noisy neighbour of an interference scenario: held in a sandbox of its
 * own (a pid namespace at least, so that one kill ends all it made) while the
 * variant's workload — the victim — runs.
 */
const antagonistSchema = strict(
  {
    /**
     * what it does, e.g. { builtin: 'hog', args: ['procs', '4', 'busy'] } (it must signal ready and run until killed)
     */
    workload: workloadSchema,
    /** its namespaces (default ['pid']; must include pid) */
    ns: namespacesSchema.optional(),
    /** its own cgroup and limits: the setting under test (`{}`: own cgroup, no limits; absent: none) */
    cgroup: cgroupSpecSchema.optional(),
    /** how long it runs before the victim starts (default 200 ms) */
    settleMs: int(0, 60_000, 'e.g. settleMs: 200').optional(),
  },
  "{ workload, ns?, cgroup?, settleMs? } — e.g. antagonist: { workload: { builtin: 'hog', args: ['procs', '4', 'busy'] } }",
);

export const variantSchema = strict(
  {
    /** Stable id used in results; defaults to the namespace set's id ("bare", "user+pid", "all"). */
    id: z
      .string({ error: says('expected a non-empty string', 'give the variant an id or leave it out') })
      .min(1, { error: says('expected a non-empty string', 'give the variant an id or leave it out') })
      .optional(),
    label: z.string({ error: says('expected a string', 'describe the variant in a few words') }).optional(),
    ns: namespacesSchema,
    /** Map root inside the user namespace to this host uid/gid instead of the caller's. */
    userMap: strict(
      {
        uid: int(0, 2 ** 32 - 2, 'e.g. userMap: { uid: 65534, gid: 65534 }'),
        gid: int(0, 2 ** 32 - 2, 'e.g. userMap: { uid: 65534, gid: 65534 }'),
      },
      '{ uid: number, gid: number } (host ids >= 0)',
    ).optional(),
    /** Give each sandbox its own cgroup with these limits (`{}`: own cgroup, no limits). */
    cgroup: cgroupSpecSchema.optional(),
    /** Run this workload instead of the scenario's. */
    workload: workloadSchema.optional(),
    /** Variant id this one's overhead is computed against (default: the scenario's baseline). */
    baseline: z.string({ error: says('expected a variant id', 'name another variant') }).optional(),
    /** Mount a fresh tmpfs on this directory inside the sandbox (needs 'mnt' in ns). */
    tmpfs: z
      .string()
      .startsWith('/', { error: says('expected an absolute directory path', "e.g. tmpfs: '/dev/shm'") })
      .optional(),
    /** Freeze scenarios: what the held sandbox holds and which freezer times it. */
    freeze: freezeSchema.optional(),
    /** Network scenarios: the topology and the test run across it. */
    net: netSchema.optional(),
    /** Density scenarios: how far to ramp, and the safety limits. */
    density: densitySchema.optional(),
    /**
     * Interference scenarios: the noisy neighbour running beside this variant's workload (absent: the victim alone).
     */
    antagonist: antagonistSchema.optional(),
    /**
     * Launch scenarios: create the sandbox from a private mount namespace of nsbench's own holding this many bind
     * mounts (0: none but its own tmpfs), made once per count and gone with it — the crowded mount table a new mount
     * namespace copies.
     */
    mounts: int(0, 100_000, 'e.g. mounts: 1000').optional(),
    /** Scaling scenarios: how many launchers create sandboxes at once, and how many each. */
    scaling: scalingSchema.optional(),
    /**
     * Launch through another engine (unshare, bwrap, runc, crun) instead of nsbench's launcher: ns is what it is asked
     * for.
     */
    engine: z
      .string()
      .refine((e) => Object.hasOwn(ENGINES, e), {
        error: (iss) =>
          says(
            `unknown engine ${show(iss.input)}${knownList(iss.input, Object.keys(ENGINES))}`,
            "use a known engine, or leave it out for nsbench's own launcher",
          ),
      })
      .optional(),
    /**
     * The engine's program by absolute path instead of the one on PATH (an A/B of two engine builds: nsbench ab
     * --engine-a/--engine-b).
     */
    engineBinary: z
      .string({ error: says('expected an absolute path', 'e.g. engineBinary: "/opt/runc-1.2/runc"') })
      .startsWith('/', { error: says('expected an absolute path', 'e.g. engineBinary: "/opt/runc-1.2/runc"') })
      .optional(),
    /**
     * false: no in-sandbox setup (private propagation, a fresh /proc, lo up, the
     * hostname), so that a namespace's own cost shows apart from the setup's
     * (launch scenarios; default true).
     */
    setup: z
      .boolean({
        error: (iss) =>
          says(
            `expected true or false, got ${show(iss.input)}`,
            'setup: false skips the in-sandbox setup; leave it out to keep it',
          ),
      })
      .optional(),
  },
  'a variant object { ns: [...] } (the helpers bare(), eachAlone(), all(), nsSet(...) make them)',
);

/** A variant after validation: its id and label filled in, the kind-specific parts checked. */
export type ResolvedVariant = Omit<z.output<typeof variantSchema>, 'id' | 'label' | 'setup'> & {
  id: string;
  label: string;
  setup?: false;
};

export type NetTarget = z.output<typeof netSchema>;
export type FreezeTarget = z.output<typeof freezeSchema>;
export type DensityTarget = z.output<typeof densitySchema>;
export type AntagonistSpec = z.output<typeof antagonistSchema>;
export type { FreezerKind, WorkloadRef };

/**
 * The part of a variant each kind requires: a freeze scenario's variants all
 * carry `freeze`, a network scenario's `net`, a density scenario's `density`.
 * Validation checks it (KIND_TARGET), and VariantOf<K> says it to the compiler.
 */
export const KIND_TARGET = {
  freeze: 'freeze',
  network: 'net',
  density: 'density',
  scaling: 'scaling',
} as const satisfies Partial<Record<ScenarioKind, keyof ResolvedVariant>>;
type KindTarget = typeof KIND_TARGET;

/** The parts no other kind has. */
type KindOnly = KindTarget[keyof KindTarget] | 'antagonist';

/**
 * The variant of one scenario kind — a discriminated union on the scenario's
 * kind: its own target required, the other kinds' targets absent.
 */
type Own<K extends ScenarioKind> = K extends keyof KindTarget ? KindTarget[K] : never;
type Optional<K extends ScenarioKind> = K extends 'interference' ? 'antagonist' : never;
export type VariantOf<K extends ScenarioKind> = K extends ScenarioKind
  ? Omit<ResolvedVariant, KindOnly> & { [F in Own<K>]-?: NonNullable<ResolvedVariant[F]> } & {
      [F in Optional<K>]?: ResolvedVariant[F];
    } & { [F in Exclude<KindOnly, Own<K> | Optional<K>>]?: undefined }
  : never;

/** Whether a resolved variant has what kind K requires of it. */
export function isVariantOf<K extends ScenarioKind>(kind: K, v: ResolvedVariant): v is ResolvedVariant & VariantOf<K> {
  const field = (KIND_TARGET as Partial<Record<ScenarioKind, keyof ResolvedVariant>>)[kind];
  if (field && v[field] === undefined) return false;
  for (const other of [...Object.values(KIND_TARGET), 'antagonist'] as const)
    if (other !== field && !(other === 'antagonist' && kind === 'interference') && v[other] !== undefined) return false;
  return true;
}

/**
 * A variant as a results file records it: the resolved variant (the same
 * schema, so a recorded variant reads back as the runner had it) and the
 * variant its overhead is computed against.
 */
const recordedWorkload: z.ZodType<WorkloadRef> = z.union([
  z.object({ builtin: z.string(), args: z.array(z.string()).optional() }),
  z.object({ tool: z.string(), args: z.array(z.string()) }),
  z.object({ command: z.array(z.string()) }),
]);
/**
 * A name read from a file that nsbench prints, tables and compares (a scenario, a variant): printable text of a
 * sane length — a control character (an ANSI escape for the terminal, a NUL) or a name of megabytes is a damaged
 * or hostile file.
 */
export const nameTextSchema = z
  .string()
  .min(1, { error: 'an empty name' })
  .max(256, { error: 'a name of more than 256 characters' })
  .regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'a control character in a name' });

export const recordedVariantSchema = z.object({
  ...variantSchema.shape,
  // what names today's registries (workloads, tools, engines) is read as it was written: an older file still reads
  workload: recordedWorkload.optional(),
  antagonist: z.object({ ...antagonistSchema.shape, workload: recordedWorkload }).optional(),
  engine: z.string().optional(),
  id: nameTextSchema,
  label: z.string(),
  setup: z.literal(false).optional(),
  /** the variant its overhead is computed against */
  baseline: z.string().optional(),
});
type RecordedVariant = z.output<typeof recordedVariantSchema>;

/** The variant as recorded: every part it has, undefined parts left out, and its baseline. */
export function recordVariant(v: ResolvedVariant, baseline: string): RecordedVariant {
  const out = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as RecordedVariant;
  return { ...out, ns: [...v.ns], baseline: v.baseline ?? baseline };
}
