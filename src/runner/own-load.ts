import type { PsiResource } from '../host/index.ts';
import type { ResolvedVariant, Scenario, WorkloadRef } from '../scenario/index.ts';

/** Workloads that do IO of their own (their io pressure is the measurement, not a disturbance). */
function doesIo(w: WorkloadRef | undefined): boolean {
  if (!w) return false;
  if ('builtin' in w)
    return w.builtin === 'io' || (w.builtin === 'hog' && ['ioflood', 'pagecache'].includes(w.args?.[0] ?? ''));
  if ('tool' in w)
    return w.tool === 'fio' || w.args.includes('fileio') || w.args.some((a) => /^--(io|hdd|iomix)\b/.test(a));
  return false;
}

/** Workloads that keep more tasks runnable than there are CPUs, or that are throttled on purpose. */
function loadsCpu(w: WorkloadRef | undefined): boolean {
  if (!w) return false;
  if ('builtin' in w) return w.builtin === 'hog' || w.builtin === 'fork' || w.builtin === 'net';
  return 'tool' in w; // sysbench, stress-ng, iperf3, fio start workers of their own
}

/**
 * The resources a scenario presses itself: a noisy neighbour's antagonist, an
 * IO workload, busy processes being frozen, a network stream's two ends on a
 * small machine, a binding memory limit. Their pressure is part of what is
 * measured, so it does not mark a round as disturbed (other processes' CPU
 * always does).
 */
export function ownPressure(sc: Scenario, variants: readonly ResolvedVariant[]): Set<PsiResource> {
  const own = new Set<PsiResource>();
  if (sc.kind === 'interference') return new Set(['cpu', 'memory', 'io']);
  if (sc.kind === 'network' || sc.kind === 'scaling') own.add('cpu');
  for (const w of [sc.workload, ...variants.map((v) => v.workload)]) {
    if (doesIo(w)) own.add('io');
    if (loadsCpu(w)) own.add('cpu');
  }
  for (const v of variants) {
    if (v.freeze?.mode === 'busy') own.add('cpu');
    if (v.cgroup?.memory?.max !== undefined || v.cgroup?.memory?.high !== undefined) own.add('memory');
    if (v.cgroup?.cpu?.max !== undefined || v.cgroup?.io) own.add('cpu');
    if (v.cgroup?.io) own.add('io');
  }
  return own;
}
