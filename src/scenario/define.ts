import { cgroupSpecId, type CgroupSpec } from '../cgroup/spec.ts';
import { NAMESPACES, canonicalSet, findPreset, setId, type Namespace } from '../isolation/index.ts';
import type { TopologyKind } from '../network/topology.ts';
import type { Pace } from '../results/types.ts';

/** A built-in workload (workloads/<name>.c), a real tool with an adapter (sysbench, stress-ng, fio, iperf3), or any program. */
export type WorkloadRef =
  | { builtin: string; args?: string[] }
  | { tool: string; args: string[] }
  | { command: string[] };

/** What a scenario's samples are (see ScenarioDefinition.kind). */
export const SCENARIO_KINDS = ['launch', 'freeze', 'network', 'density', 'isolation', 'interference'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/**
 * The noisy neighbour of an interference scenario: held in a sandbox of its
 * own (a pid namespace at least, so that one kill ends all it made) while
 * the variant's workload — the victim — runs.
 */
export interface AntagonistSpec {
  /** what it does, e.g. { builtin: 'hog', args: ['procs', '4', 'busy'] } (it must signal ready and run until killed) */
  workload: WorkloadRef;
  /** its namespaces (default ['pid']; must include pid) */
  ns?: Namespace[];
  /** its own cgroup and limits: the setting under test (`{}`: own cgroup, no limits; absent: none) */
  cgroup?: CgroupSpec;
  /** how long it runs before the victim starts (default 200 ms) */
  settleMs?: number;
}

export interface VariantDefinition {
  /** Stable id used in results; defaults to the namespace set's id ("bare", "user+pid", "all"). */
  id?: string;
  label?: string;
  ns: Namespace[];
  /** Map root inside the user namespace to this host uid/gid instead of the caller's. */
  userMap?: { uid: number; gid: number };
  /** Give each sandbox its own cgroup with these limits (`{}`: own cgroup, no limits). */
  cgroup?: CgroupSpec;
  /** Run this workload instead of the scenario's. */
  workload?: WorkloadRef;
  /** Variant id this one's overhead is computed against (default: the scenario's baseline). */
  baseline?: string;
  /** Mount a fresh tmpfs on this directory inside the sandbox (needs 'mnt' in ns). */
  tmpfs?: string;
  /** Freeze scenarios: what the held sandbox holds and which freezer times it. */
  freeze?: FreezeTarget;
  /** Network scenarios: the topology and the test run across it. */
  net?: NetTarget;
  /** Density scenarios: how far to ramp, and the safety limits. */
  density?: DensityTarget;
  /** Interference scenarios: the noisy neighbour running beside this variant's workload (absent: the victim alone). */
  antagonist?: AntagonistSpec;
  /** Launch through another engine (unshare, bwrap, runc, crun) instead of nsbench's launcher: ns is what it is asked for. */
  engine?: string;
  /**
   * false: no in-sandbox setup (private propagation, a fresh /proc, lo up, the
   * hostname), so that a namespace's own cost shows apart from the setup's
   * (launch scenarios; default true).
   */
  setup?: boolean;
}

export interface DensityTarget {
  /** sandboxes to hold at most */
  target: number;
  /** stop the ramp when MemAvailable falls below this (default: the larger of 1 GiB and 10% of memory) */
  minFreeBytes?: number;
  /** stop the ramp after this long (default 120 s) */
  timeBudgetMs?: number;
  /** hold the full ramp this long before tearing down (default 500 ms) */
  holdMs?: number;
  /** give each sandbox its own cgroup (accounting, no limits) */
  perSandboxCgroup?: boolean;
}

export interface NetTarget {
  topology: TopologyKind;
  /** net (default): nsbench's own client/server; iperf3: the real tool (stream only, whole seconds) */
  tool?: 'net' | 'iperf3';
  /** stream: TCP throughput for `seconds`; rr: `count` request/response round trips */
  test: 'stream' | 'rr';
  seconds?: number;
  count?: number;
  /** message size ("128K"; default 128K for stream, 1 byte for rr) */
  msgSize?: string | number;
}

export type FreezerKind = 'v2' | 'v1';

export interface FreezeTarget {
  /** processes in the sandbox (the first and its children) */
  processes: number;
  /** busy: they spin on the CPU; sleep: they wait in pause() */
  mode: 'busy' | 'sleep';
  /** v2: cgroup.freeze (on hybrid machines the unified hierarchy); v1: freezer.state */
  freezer: FreezerKind;
}

export interface ScenarioDefinition {
  name: string;
  description: string;
  /**
   * launch (default): each sample launches the workload and waits for its exit.
   * freeze: each sample thaws and freezes a held sandbox, timing both.
   * network: each sample runs a client against a server held across a topology.
   * density: each sample is a ramp that holds sandboxes one by one up to a target.
   * isolation: each sample runs the probe and judges what each namespace hid (the isolation matrix).
   * interference: each sample runs the workload (the victim) beside the variant's antagonist.
   */
  kind?: ScenarioKind;
  workload: WorkloadRef;
  variants: VariantDefinition[];
  /** Measured rounds; each round runs every variant once, in a fresh random order. */
  rounds?: number;
  /** Rounds run first and dropped from the statistics (kept in the raw samples, flagged). */
  warmup?: number;
  /** Per-launch time limit; a sandbox that outlives it is killed and recorded. */
  timeoutMs?: number;
  hostname?: string;
  /** Variant id the overheads are computed against (default "bare"). */
  baseline?: string;
  /** Free-form parameters recorded with the results. */
  params?: Record<string, string | number | boolean>;
  /**
   * How launches follow each other (launch scenarios; README "Pacing"):
   * interleaved (default) — every round in a fresh random order, for comparisons;
   * quiesced — before each launch, wait until the kernel finished tearing down earlier sandboxes;
   * back-to-back — each variant `burst` times in a row inside the launcher, no round trip between (churn).
   */
  pace?: Pace;
  /** The launcher keeps at least this gap (ms) between one launch's exit and the next (default 0: as fast as nsbench goes). */
  gapMs?: number;
  /** back-to-back: launches per burst after the lead-in (default 10). */
  burst?: number;
  /** quiesced: the longest wait for a quiet kernel before a launch (default 2000 ms). */
  quiesceTimeoutMs?: number;
  /** Trace the kernel's deferred teardown work (workqueue tracepoints) where tracefs allows (default true). */
  kernelWork?: boolean;
}

/** Typed identity: gives scenario files completion and checking. */
export function defineScenario(def: ScenarioDefinition): ScenarioDefinition {
  return def;
}

/** A variant for a set of namespaces. */
export function nsSet(...ns: Namespace[]): VariantDefinition {
  const c = canonicalSet(ns);
  return { id: setId(c), ns: c };
}

/** No namespaces: the baseline. */
export function bare(): VariantDefinition {
  return { id: 'bare', label: 'bare process', ns: [] };
}

/** All eight namespaces together. */
export function all(): VariantDefinition {
  return { id: 'all', label: 'all eight namespaces', ns: [...NAMESPACES] };
}

/** Each namespace alone. */
export function eachAlone(of: readonly Namespace[] = NAMESPACES): VariantDefinition[] {
  return canonicalSet(of).map((n) => ({ id: n, label: `${n} alone`, ns: [n] }));
}

/** Every subset of `of` (2^n variants, the empty set being "bare"). */
export function powerset(of: readonly Namespace[] = NAMESPACES): VariantDefinition[] {
  const base = canonicalSet(of);
  const out: VariantDefinition[] = [];
  for (let mask = 0; mask < 1 << base.length; mask++) {
    const ns = base.filter((_, i) => (mask & (1 << i)) !== 0);
    out.push({ id: setId(ns), ns });
  }
  return out;
}

/** The namespace set a tool uses by default (see `nsbench list`). */
export function preset(name: string): VariantDefinition {
  const p = findPreset(name);
  if (!p) throw new Error(`unknown preset "${name}"`);
  return { id: `preset:${p.name}`, label: p.description, ns: [...p.ns] };
}

/** The variant with its own cgroup and `spec` applied; id "<ns id>/<cgroup id>". */
export function withCgroup(v: VariantDefinition, spec: CgroupSpec, id?: string): VariantDefinition {
  const base = v.id ?? setId(v.ns);
  return { ...v, id: id ?? `${base}/${cgroupSpecId(spec)}`, label: `${v.label ?? base}, ${cgroupSpecId(spec)}`, cgroup: spec };
}

/** Variants of a freeze scenario: each process count × mode × freezer. */
export function freezeVariants(opts: { processes: number[]; modes?: ('busy' | 'sleep')[]; freezers?: FreezerKind[]; ns?: Namespace[] }): VariantDefinition[] {
  const out: VariantDefinition[] = [];
  for (const freezer of opts.freezers ?? ['v2', 'v1'])
    for (const mode of opts.modes ?? ['sleep', 'busy'])
      for (const processes of opts.processes)
        out.push({ id: `${freezer}/${mode}/${processes}`, label: `${processes} ${mode} processes, ${freezer} freezer`, ns: opts.ns ?? ['pid'], cgroup: {}, freeze: { processes, mode, freezer } });
  return out;
}

/** Variants of a network scenario: each topology × test × namespace set (net itself comes from the topology). */
export function networkVariants(opts: { topologies: TopologyKind[]; tests: Omit<NetTarget, 'topology'>[]; nsSets?: Namespace[][] }): VariantDefinition[] {
  const out: VariantDefinition[] = [];
  for (const test of opts.tests)
    for (const topology of opts.topologies)
      for (const ns of opts.nsSets ?? [[]]) {
        const others = canonicalSet(ns.filter((n) => n !== 'net'));
        const kind = test.tool === 'iperf3' ? 'iperf3' : test.test;
        out.push({
          id: `${kind}/${topology}/${setId(others)}`,
          label: `${kind} over ${topology}, ${setId(others)}`,
          ns: others,
          net: { ...test, topology },
          baseline: `${kind}/host-loopback/bare`,
        });
      }
  return out;
}

/**
 * Crosses variants with workloads (a parameter sweep): ids "<workload>/<variant>",
 * each compared with the same workload's "<workload>/<baseline>".
 */
export function acrossWorkloads(variants: VariantDefinition[], workloads: Record<string, WorkloadRef>, baseline = 'bare'): VariantDefinition[] {
  const out: VariantDefinition[] = [];
  for (const [name, workload] of Object.entries(workloads))
    for (const v of variants) {
      const id = v.id ?? setId(v.ns);
      out.push({ ...v, id: `${name}/${id}`, label: `${name}, ${v.label ?? id}`, workload: v.workload ?? workload, baseline: `${name}/${v.baseline ?? baseline}` });
    }
  return out;
}

/** An antagonist and the cgroup settings to try on it ("none": no cgroup of its own). */
export interface AntagonistPlan {
  workload: WorkloadRef;
  /** setting name → its cgroup ({} = own cgroup without limits; null = none) */
  settings: Record<string, CgroupSpec | null>;
  /** victims it runs beside (default: all) */
  victims?: string[];
  settleMs?: number;
}

/**
 * Variants of an interference scenario: every victim alone (the baseline
 * "<victim>/alone") and beside each antagonist under each cgroup setting,
 * ids "<victim>/<antagonist>/<setting>". A setting named "none" is the
 * reference the others' removed interference is measured against.
 */
export function interferenceVariants(opts: { victims: Record<string, WorkloadRef>; antagonists: Record<string, AntagonistPlan>; ns?: Namespace[] }): VariantDefinition[] {
  const out: VariantDefinition[] = [];
  const ns = canonicalSet(opts.ns ?? ['pid']);
  for (const [victim, workload] of Object.entries(opts.victims)) {
    out.push({ id: `${victim}/alone`, label: `${victim} alone`, ns, workload, baseline: `${victim}/alone` });
    for (const [name, plan] of Object.entries(opts.antagonists)) {
      if (plan.victims && !plan.victims.includes(victim)) continue;
      for (const [setting, cgroup] of Object.entries(plan.settings))
        out.push({
          id: `${victim}/${name}/${setting}`,
          label: `${victim} beside ${name}, antagonist ${setting}`,
          ns,
          workload,
          baseline: `${victim}/alone`,
          antagonist: { workload: plan.workload, ...(cgroup ? { cgroup } : {}), ...(plan.settleMs !== undefined ? { settleMs: plan.settleMs } : {}) },
        });
    }
  }
  return out;
}
