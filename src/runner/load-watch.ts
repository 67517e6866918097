import os from 'node:os';
import {
  type CpuTimes,
  descendants,
  PF_KTHREAD,
  type ProcStat,
  PSI_RESOURCES,
  type PsiResource,
  readCpuTimes,
  readPressure,
  scanProcesses,
  USER_HZ,
} from '../host/index.ts';
import type { RoundLoad } from '../results/index.ts';

/**
 * What counts as a disturbed round, each with its reason: processes outside
 * nsbench's own tree using a tenth of the machine; a resource with some task
 * stalled on it for much of the round — cpu 60% (nsbench's own launcher and
 * sandbox, kept on the same CPUs, stall each other up to ~45% of a launch
 * round on 2 cores), io 25%, memory 10% (reclaim stalls are rare on a quiet
 * machine).
 */
const LOAD_THRESHOLDS = {
  foreignCpu: 0.1,
  pressure: { cpu: 0.6, memory: 0.1, io: 0.25 } as Record<PsiResource, number>,
} as const;

/** Where a watch's readings come from (tests control their load source with it). */
export interface LoadWatchOptions {
  pressure?: typeof readPressure;
  /** which foreign processes count (default: every process outside nsbench's tree) */
  counted?: (pid: number) => boolean;
}

/** How many of the busiest foreign processes a round records. */
const TOP = 3;

interface Snapshot {
  t: number;
  psi: Record<PsiResource, number> | null;
  cpu: CpuTimes;
  procs: Map<number, ProcStat>;
}

const cpuOf = (p: ProcStat) => p.utime + p.stime + p.cutime + p.cstime;

/**
 * What started nsbench (npm, a shell, a test runner), up to but not including init: part of the run, not competition.
 */
function ancestors(procs: ReadonlyMap<number, ProcStat>, pid: number): number[] {
  const out: number[] = [];
  for (let p = procs.get(pid)?.ppid; p && p > 1 && !out.includes(p); p = procs.get(p)?.ppid) out.push(p);
  return out;
}

/**
 * Watches the machine during each round: PSI (cpu, memory, io "some" stall
 * time), /proc/stat, and the CPU time of every process outside nsbench's own
 * process tree (the harness, its launcher and every sandbox and tool below
 * them, and what started it: npm, a shell) and outside the kernel's threads. A round whose competing load passes
 * a threshold is disturbed, with the reason. Resources the scenario loads
 * itself (an antagonist, an IO workload) are not held against it.
 */
export class LoadWatch {
  readonly source: RoundLoad['source'];
  readonly #cores = os.availableParallelism();
  readonly #root: number;
  readonly #own: ReadonlySet<PsiResource>;
  #begin: Snapshot | null = null;

  readonly #pressure: typeof readPressure;
  readonly #counted: ((pid: number) => boolean) | null;

  /**
   * `pressure` and `counted` let a caller control the load source (a test that must hold beside any outside
   * load): where PSI comes from, and which foreign processes count (default: every one).
   */
  constructor(opts: LoadWatchOptions & { root?: number; ownPressure?: Iterable<PsiResource> } = {}) {
    this.#root = opts.root ?? process.pid;
    this.#own = new Set(opts.ownPressure ?? []);
    this.#pressure = opts.pressure ?? readPressure;
    this.#counted = opts.counted ?? null;
    this.source = this.#pressure() ? 'psi' : 'proc-stat';
  }

  #snapshot(): Snapshot {
    const psi = this.#pressure();
    return {
      t: performance.now(),
      psi: psi
        ? (Object.fromEntries(PSI_RESOURCES.map((r) => [r, psi[r].some.totalUs])) as Record<PsiResource, number>)
        : null,
      cpu: readCpuTimes(),
      procs: new Map(scanProcesses().map((p) => [p.pid, p])),
    };
  }

  begin(): void {
    this.#begin = this.#snapshot();
  }

  /** The round's load since begin(), judged. */
  end(round: number, attempt: number): RoundLoad {
    const a = this.#begin ?? this.#snapshot();
    const b = this.#snapshot();
    this.#begin = null;
    const wallMs = Math.max(b.t - a.t, 1e-3);
    const pressure =
      a.psi && b.psi
        ? (Object.fromEntries(
            PSI_RESOURCES.map((r) => [
              r,
              Math.min(
                1,
                ((b.psi as Record<PsiResource, number>)[r] - (a.psi as Record<PsiResource, number>)[r]) / 1000 / wallMs,
              ),
            ]),
          ) as Record<PsiResource, number>)
        : null;
    const ours = new Set([
      ...descendants([...a.procs.values()], this.#root),
      ...descendants([...b.procs.values()], this.#root),
      ...ancestors(b.procs, this.#root),
    ]);
    const capacityTicks = (wallMs / 1000) * USER_HZ * this.#cores;
    // a process that exited during the round hands its whole CPU time to whoever reaped it (its parent, or
    // init for an orphan): what it had used before the round was seen already and is not the round's
    const handedOver = new Map<number, number>();
    for (const p of a.procs.values()) {
      if (b.procs.get(p.pid)?.starttime === p.starttime) continue;
      const parent = b.procs.has(p.ppid) ? p.ppid : 1;
      handedOver.set(parent, (handedOver.get(parent) ?? 0) + cpuOf(p));
    }
    const foreign: { pid: number; comm: string; cpu: number }[] = [];
    for (const p of b.procs.values()) {
      if (ours.has(p.pid) || p.flags & PF_KTHREAD || p.pid === 2 || (this.#counted && !this.#counted(p.pid))) continue;
      const before = a.procs.get(p.pid);
      const delta =
        before && before.starttime === p.starttime ? cpuOf(p) - cpuOf(before) - (handedOver.get(p.pid) ?? 0) : cpuOf(p);
      const ticks = Math.min(delta, capacityTicks); // no process uses more than the whole machine
      if (ticks > 0) foreign.push({ pid: p.pid, comm: p.comm, cpu: ticks / capacityTicks });
    }
    foreign.sort((x, y) => y.cpu - x.cpu);
    const foreignCpu = foreign.reduce((s, f) => s + f.cpu, 0);
    const dTotal = Math.max(1, b.cpu.total - a.cpu.total);
    const disturbed: string[] = [];
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    if (foreignCpu > LOAD_THRESHOLDS.foreignCpu)
      disturbed.push(
        `other processes used ${pct(foreignCpu)} of the CPUs (${foreign
          .slice(0, TOP)
          .map((f) => `${f.comm} ${pct(f.cpu)}`)
          .join(', ')})`,
      );
    if (pressure)
      for (const r of PSI_RESOURCES)
        if (!this.#own.has(r) && pressure[r] > LOAD_THRESHOLDS.pressure[r])
          disturbed.push(`${r} pressure: some task stalled on ${r} ${pct(pressure[r])} of the time`);
    return {
      round,
      attempt,
      wallNs: Math.round(wallMs * 1e6),
      source: this.source,
      pressure,
      foreignCpu,
      foreignTop: foreign.slice(0, TOP),
      busy: (b.cpu.busy - a.cpu.busy) / dTotal,
      steal: (b.cpu.steal - a.cpu.steal) / dTotal,
      disturbed,
    };
  }
}
