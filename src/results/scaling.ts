import type { MetricSummary, ScenarioResult } from './types.ts';

/** One namespace set at one K of a scaling scenario: what its tables, chart and findings show. */
interface ScalingRow {
  /** the namespace set (the variant id without its "/k<K>") */
  set: string;
  variant: string;
  k: number;
  /** samples completed */
  n: number;
  /** create+destroy throughput (launches/s), with its median CI */
  perSec: MetricSummary | null;
  /** throughput against the same set at its smallest K (ratio of medians) and its 95% CI; null for that K itself */
  speedup: number | null;
  speedupCI: [number, number] | null;
  /** the K the speedup is against */
  baseK: number;
  /** speedup per launcher beyond the baseline's: speedup ÷ (K ÷ baseK); 1 = perfect scaling */
  efficiency: number | null;
  bootP50Ns: number | null;
  bootP90Ns: number | null;
  cpuPerLaunchNs: number | null;
  offCpuPerLaunchNs: number | null;
  /** traced (sched_switch), where tracing was possible: per launch, its tasks' time blocked in the kernel (state D) */
  blockedPerLaunchNs: number | null;
  /** … and waiting for a CPU (preempted, state R) */
  runqueuePerLaunchNs: number | null;
  cpusBusy: number | null;
  hostCpuPerLaunchNs: number | null;
  /** the largest teardown backlog (median over samples) of the namespace kind that grew most, or null */
  backlog: { kind: string; peak: number; perSec: number } | null;
  /** median time for the backlog to drain after the churn (ns); -1: it did not within the limit */
  drainNs: number | null;
}

const med = (m: MetricSummary | undefined): number | null => (m ? m.median : null);

/** The namespace set of a scaling variant id ("net/k4" → "net"). */
function scalingSet(variant: string): string {
  return variant.replace(/\/k\d+$/, '');
}

/** Every set × K of a scaling scenario, in the order of its variants. */
export function scalingRows(sc: ScenarioResult): ScalingRow[] {
  const byId = new Map(sc.summary.map((v) => [v.variant, v]));
  const kOf = new Map(sc.variants.map((v) => [v.id, v.scaling?.k ?? 1]));
  return sc.variants.flatMap((rv) => {
    const v = byId.get(rv.id);
    if (!v) return [];
    const m = v.metrics;
    const k = kOf.get(rv.id) ?? 1;
    const baseK = kOf.get(v.baseline) ?? k;
    const perSec = m.launchesPerSec ?? null;
    const speedup = perSec && v.variant !== v.baseline ? perSec.ratioToBaseline : null;
    let backlog: ScalingRow['backlog'] = null;
    for (const [name, s] of Object.entries(m)) {
      const kind = /^backlog\.([a-z_]+)\.peak$/.exec(name)?.[1];
      if (kind && (!backlog || s.median > backlog.peak))
        backlog = {
          kind: kind.replace(/_namespace$/, ''),
          peak: s.median,
          perSec: m[`backlog.${kind}.perSec`]?.median ?? 0,
        };
    }
    return [
      {
        set: scalingSet(rv.id),
        variant: rv.id,
        k,
        n: v.completed,
        perSec,
        speedup,
        speedupCI: speedup !== null ? (perSec?.ratioCI95 ?? null) : null,
        baseK,
        efficiency: speedup !== null && k !== baseK ? speedup / (k / baseK) : null,
        bootP50Ns: med(m.bootP50Ns),
        bootP90Ns: med(m.bootP90Ns),
        cpuPerLaunchNs: med(m.cpuPerLaunchNs),
        offCpuPerLaunchNs: med(m.offCpuPerLaunchNs),
        blockedPerLaunchNs: med(m.blockedPerLaunchNs),
        runqueuePerLaunchNs: med(m.runqueuePerLaunchNs),
        cpusBusy: med(m.cpusBusy),
        hostCpuPerLaunchNs: med(m.hostCpuPerLaunchNs),
        backlog,
        drainNs: med(m['backlog.drainNs']),
      },
    ];
  });
}
