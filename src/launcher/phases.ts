import type { NativeOffsets } from '../../native/nsb.d.ts';

/**
 * Boot time as a breakdown. Phases partition [request, ready] (or [request,
 * exit] for a workload that never signals ready), so they add up to bootNs.
 * Milestones from the child and the launcher interleave (the child may run
 * before clone returns in the parent); each phase ends at the later of its
 * milestone and the previous phase's end, so no phase is negative.
 */
interface BootBreakdown {
  /** request → ready (or exit) */
  bootNs: number;
  /** request → exit reaped */
  totalNs: number;
  /** request → just before clone (pipes, pidfd, bookkeeping) */
  prepareNs: number;
  /** the clone call: namespaces are created here, in the launcher's context */
  cloneNs: number;
  /** uid/gid maps written while the child waits (user namespace) */
  mapNs: number;
  /** cgroup placement by cgroup.procs writes (v1, or v2 without clone3); with CLONE_INTO_CGROUP it is inside cloneNs */
  cgroupNs: number;
  /** in the child: propagation, /proc, lo, hostname */
  setupNs: number;
  /** execve of the workload until it signals ready */
  execNs: number;
  /** ready → exit reaped (the workload's run and teardown) */
  afterReadyNs: number;
}

export const PHASES = ['prepareNs', 'cloneNs', 'mapNs', 'cgroupNs', 'setupNs', 'execNs'] as const;

export function bootBreakdown(o: NativeOffsets): BootBreakdown {
  const end = o.ready >= 0 ? o.ready : o.exit;
  let at = 0;
  const step = (milestone: number): number => {
    if (milestone < 0) return 0;
    const next = Math.min(Math.max(at, milestone), end);
    const d = next - at;
    at = next;
    return d;
  };
  const prepareNs = step(o.cloneStart);
  const cloneNs = step(Math.max(o.cloneDone, 0));
  const mapNs = step(o.mapsDone);
  const cgroupNs = step(o.cgroupDone);
  const setupNs = step(o.setupDone);
  const execNs = end - at;
  return {
    bootNs: end,
    totalNs: o.exit,
    prepareNs,
    cloneNs,
    mapNs,
    cgroupNs,
    setupNs,
    execNs,
    afterReadyNs: o.ready >= 0 ? o.exit - o.ready : 0,
  };
}
