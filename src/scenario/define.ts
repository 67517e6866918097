import { NAMESPACES, canonicalSet, findPreset, setId, type Namespace } from '../isolation/index.ts';

/** A built-in workload (workloads/<name>.c) or any program. */
export type WorkloadRef =
  | { builtin: string; args?: string[] }
  | { command: string[] };

export interface VariantDefinition {
  /** Stable id used in results; defaults to the namespace set's id ("bare", "user+pid", "all"). */
  id?: string;
  label?: string;
  ns: Namespace[];
  /** Map root inside the user namespace to this host uid/gid instead of the caller's. */
  userMap?: { uid: number; gid: number };
}

export interface ScenarioDefinition {
  name: string;
  description: string;
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
