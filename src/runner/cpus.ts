import { readdirSync } from 'node:fs';
import { nativeBinding } from '../host/index.ts';
import type { ResolvedVariant, Scenario } from '../scenario/index.ts';

/** Which CPUs the harness (Node, every thread) and the launcher with its sandboxes ran on. */
export interface CpuSplit {
  harness: number[];
  sandboxes: number[];
}

/** `auto`: split where it cannot change what a workload gets (see splitFor); `off`: everything shares every CPU. */
export type HarnessCpuMode = 'auto' | 'off';

/**
 * nsbench's own workloads that run as one process (or one at a time): on
 * all CPUs but one they get what they get on all of them. The others (real
 * tools with worker threads, engines with Go runtimes, antagonists, held
 * servers) keep every CPU unless the machine has plenty.
 */
const SINGLE_PROCESS = new Set(['noop', 'idle', 'sieve', 'syscall', 'memory', 'io', 'fork', 'probe', 'fault']);
/** From this many CPUs on, leaving one to the harness takes little from anyone. */
const PLENTY = 4;

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
 * Whether this scenario's launches get a CPU split: the harness on one CPU,
 * the launcher and its sandboxes on the rest. Between launches nsbench's own
 * work (JavaScript, the results file, tracing) otherwise runs on the CPU the
 * next sandbox is created on and leaves it with cold caches — a cost the
 * plain C loop never pays (README "Checked against a C loop"). Only launch
 * scenarios, with two CPUs or more, and, below four, only where every
 * workload is a single-process one of nsbench's own.
 */
export function splitFor(
  sc: Scenario,
  variants: readonly ResolvedVariant[],
  mode: HarnessCpuMode,
  cpus = allowedCpus(),
): CpuSplit | null {
  if (mode === 'off' || sc.kind !== 'launch' || cpus.length < 2) return null;
  const single = (v: ResolvedVariant) => {
    const w = v.workload ?? sc.workload;
    return !v.engine && 'builtin' in w && SINGLE_PROCESS.has(w.builtin);
  };
  if (cpus.length < PLENTY && !variants.every(single)) return null;
  const harness = cpus.at(-1) as number;
  return { harness: [harness], sandboxes: cpus.filter((c) => c !== harness) };
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
