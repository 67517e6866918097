import { type CgroupSpec, cgroupSpecId } from '../cgroup/index.ts';
import { canonicalSet, findPreset, NAMESPACES, type Namespace, setId } from '../isolation/index.ts';
import type { TopologyKind } from '../network/index.ts';

// The types of a scenario file, inferred from its schema (schema.ts).

export type {
  AntagonistSpec,
  DensityTarget,
  FreezeTarget,
  NetTarget,
  ScenarioDefinition,
  ScenarioKind,
  VariantDefinition,
  WorkloadRef,
} from './schema.ts';

import type { FreezerKind, NetTarget, ScenarioDefinition, VariantDefinition, WorkloadRef } from './schema.ts';

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
  return {
    ...v,
    id: id ?? `${base}/${cgroupSpecId(spec)}`,
    label: `${v.label ?? base}, ${cgroupSpecId(spec)}`,
    cgroup: spec,
  };
}

/** Variants of a freeze scenario: each process count × mode × freezer. */
export function freezeVariants(opts: {
  processes: number[];
  modes?: ('busy' | 'sleep')[];
  freezers?: FreezerKind[];
  ns?: Namespace[];
}): VariantDefinition[] {
  const out: VariantDefinition[] = [];
  for (const freezer of opts.freezers ?? ['v2', 'v1'])
    for (const mode of opts.modes ?? ['sleep', 'busy'])
      for (const processes of opts.processes)
        out.push({
          id: `${freezer}/${mode}/${processes}`,
          label: `${processes} ${mode} processes, ${freezer} freezer`,
          ns: opts.ns ?? ['pid'],
          cgroup: {},
          freeze: { processes, mode, freezer },
        });
  return out;
}

/** Variants of a network scenario: each topology × test × namespace set (net itself comes from the topology). */
export function networkVariants(opts: {
  topologies: TopologyKind[];
  tests: Omit<NetTarget, 'topology'>[];
  nsSets?: Namespace[][];
}): VariantDefinition[] {
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
export function acrossWorkloads(
  variants: VariantDefinition[],
  workloads: Record<string, WorkloadRef>,
  baseline = 'bare',
): VariantDefinition[] {
  const out: VariantDefinition[] = [];
  for (const [name, workload] of Object.entries(workloads))
    for (const v of variants) {
      const id = v.id ?? setId(v.ns);
      out.push({
        ...v,
        id: `${name}/${id}`,
        label: `${name}, ${v.label ?? id}`,
        workload: v.workload ?? workload,
        baseline: `${name}/${v.baseline ?? baseline}`,
      });
    }
  return out;
}

/** An antagonist and the cgroup settings to try on it ("none": no cgroup of its own). */
interface AntagonistPlan {
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
export function interferenceVariants(opts: {
  victims: Record<string, WorkloadRef>;
  antagonists: Record<string, AntagonistPlan>;
  ns?: Namespace[];
}): VariantDefinition[] {
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
          antagonist: {
            workload: plan.workload,
            ...(cgroup ? { cgroup } : {}),
            ...(plan.settleMs !== undefined ? { settleMs: plan.settleMs } : {}),
          },
        });
    }
  }
  return out;
}

/** The K a scaling scenario sweeps unless told otherwise (the plan drops those above the machine's cap). */
const DEFAULT_SCALING_K = [1, 2, 4, 8, 16];

/**
 * Variants of a scaling scenario: each namespace set × each K (launchers creating sandboxes at once), ids
 * "<set>/k<K>", each measured against the same set at K = 1 (the speedup; over K, the scaling efficiency).
 */
export function scalingVariants(opts: {
  sets: VariantDefinition[];
  k?: number[];
  /** launches each launcher makes per sample (default 20) */
  launches?: number;
}): VariantDefinition[] {
  const out: VariantDefinition[] = [];
  const ks = [...new Set(opts.k ?? DEFAULT_SCALING_K)].sort((a, b) => a - b);
  for (const set of opts.sets) {
    const base = set.id ?? setId(canonicalSet(set.ns ?? []));
    for (const k of ks)
      out.push({
        ...set,
        id: `${base}/k${k}`,
        label: `${set.label ?? base}, ${k} at once`,
        baseline: `${base}/k${ks[0]}`,
        scaling: { k, ...(opts.launches !== undefined ? { launches: opts.launches } : {}) },
      });
  }
  return out;
}

/**
 * Variants of a crowded mount table: each namespace set × each mount count, created from a private mount namespace of
 * nsbench's own holding that many bind mounts (ids "<set>/m<count>"), each measured against the same set at the
 * smallest count — the cost a new mount namespace pays per mount it copies (bare shows the rest of the launch does not).
 */
export function mountTableVariants(opts: { sets: VariantDefinition[]; counts: number[] }): VariantDefinition[] {
  const counts = [...new Set(opts.counts)].sort((a, b) => a - b);
  return opts.sets.flatMap((set) => {
    const base = set.id ?? setId(canonicalSet(set.ns ?? []));
    return counts.map((mounts) => ({
      ...set,
      id: `${base}/m${mounts}`,
      label: `${set.label ?? base}, ${mounts} mounts`,
      baseline: `${base}/m${counts[0]}`,
      mounts,
    }));
  });
}
