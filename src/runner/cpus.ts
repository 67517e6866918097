import { readdirSync } from 'node:fs';
import { nativeBinding } from '../host/index.ts';
import type { Placement } from '../results/index.ts';
import type { ResolvedVariant, Scenario } from '../scenario/index.ts';

/** Which CPUs the harness (Node, every thread) and the launcher with its sandboxes ran on. */
export interface CpuSplit {
  harness: number[];
  sandboxes: number[];
}

/**
 * Where the launcher and its sandboxes may run (launch scenarios): `one-cpu` pins them to one CPU and nsbench itself
 * to another; `spread` gives them every CPU but nsbench's; `free` lets everything move over every CPU. `auto` (the
 * default): one CPU where every workload is a single-process one of nsbench's own — the cost of isolation itself,
 * the same question on 2 CPUs and on 64 — and free where a workload runs threads or processes of its own (real
 * tools, engines), which would lose CPUs otherwise.
 */
export type PlacementAsk = Placement | 'auto';

/**
 * nsbench's own workloads that run as one process (or one at a time): on
 * one CPU they get what they get on all of them. The others (real tools
 * with worker threads, engines with Go runtimes, antagonists, held servers)
 * keep every CPU unless asked otherwise.
 */
const SINGLE_PROCESS = new Set(['noop', 'idle', 'sieve', 'syscall', 'memory', 'io', 'fork', 'probe', 'fault']);

const threads = (): number[] => {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [process.pid];
  }
};

/** The CPUs this process may use now. */
export function allowedCpus(): number[] {
  return nativeBinding().getAffinity(0);
}

/**
 * A scenario's placement in this run, and the CPU split that makes it: the harness (Node, every thread) on the last
 * CPU it may use, the launcher and its sandboxes on the first (one-cpu) or on all the others (spread). Between
 * launches nsbench's own work (JavaScript, the results file, tracing) otherwise runs on the CPU the next sandbox is
 * created on and leaves it with cold caches — a cost the plain C loop never pays (docs/measurement.md). Only launch
 * scenarios are placed (the others run held sandboxes, servers and antagonists that need the whole machine); on a
 * machine with one CPU everything shares it.
 */
export function placementFor(
  sc: Scenario,
  variants: readonly ResolvedVariant[],
  ask: PlacementAsk,
  cpus = allowedCpus(),
): { placement: Placement; split: CpuSplit | null } {
  if (sc.kind !== 'launch') return { placement: 'free', split: null };
  const single = (v: ResolvedVariant) => {
    const w = v.workload ?? sc.workload;
    return !v.engine && 'builtin' in w && SINGLE_PROCESS.has(w.builtin);
  };
  const placement: Placement = ask === 'auto' ? (variants.every(single) ? 'one-cpu' : 'free') : ask;
  if (placement === 'free' || cpus.length < 2) return { placement, split: null };
  const harness = cpus.at(-1) as number;
  const rest = cpus.filter((c) => c !== harness);
  return { placement, split: { harness: [harness], sandboxes: placement === 'one-cpu' ? rest.slice(0, 1) : rest } };
}

/** Puts every thread of this process on `harness` and the launcher on `sandboxes`; the returned function undoes it. */
export function applySplit(split: CpuSplit, launcherPids: number | readonly number[]): () => void {
  const b = nativeBinding();
  const before = allowedCpus();
  const mine = threads();
  for (const tid of mine) {
    try {
      b.setAffinity(tid, split.harness);
    } catch {
      /* a thread that just exited */
    }
  }
  for (const pid of typeof launcherPids === 'number' ? [launcherPids] : launcherPids)
    if (pid > 0) b.setAffinity(pid, split.sandboxes);
  return () => {
    for (const tid of threads()) {
      try {
        b.setAffinity(tid, before);
      } catch {
        /* gone */
      }
    }
    for (const pid of typeof launcherPids === 'number' ? [launcherPids] : launcherPids)
      try {
        if (pid > 0) b.setAffinity(pid, before);
      } catch {
        /* the launcher is gone */
      }
  };
}
