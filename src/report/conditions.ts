import { median } from 'simple-statistics';
import { isMeasured, type ScenarioResult } from '../results/index.ts';
import { meanCI95 } from '../stats/index.ts';
import { formatNs } from './format.ts';

const p50 = (xs: number[]) => (xs.length ? median(xs) : NaN);

const byVariantCache = new WeakMap<ScenarioResult, Map<string, ScenarioResult['samples']>>();
/** A scenario's samples grouped by variant, built once per scenario: per-variant lookups stay linear at thousands of variants. */
export function samplesOf(sc: ScenarioResult, variant: string): ScenarioResult['samples'] {
  let m = byVariantCache.get(sc);
  if (!m) {
    m = new Map();
    for (const s of sc.samples) {
      const l = m.get(s.variant);
      if (l) l.push(s);
      else m.set(s.variant, [s]);
    }
    byVariantCache.set(sc, m);
  }
  return m.get(variant) ?? [];
}

/** Beyond this many variants the carry-over matrix (variants × predecessors) is shown as its list of cells instead. */
export const CARRY_MATRIX_MAX = 40;

/** What each pace answers, in a few words (README "Pacing"). */
const PACE_MEANING: Record<string, string> = {
  interleaved: 'variants in a fresh random order each round',
  quiesced: 'each launch waited for the kernel to finish tearing down the ones before',
  'back-to-back': 'each variant several times in a row inside the launcher (churn)',
};

/** The scenario's pacing and gaps in one line, as a table heading states them: every figure below holds under these conditions. */
export function paceLine(sc: ScenarioResult): string {
  const pace = sc.pace ?? 'interleaved';
  const launches = sc.samples.filter((s) => s.state !== 'skipped' && s.conditions);
  const gaps = launches.flatMap((s) => (s.conditions?.gapNs !== undefined ? [s.conditions.gapNs] : []));
  const parts = [`pace ${pace}: ${PACE_MEANING[pace] ?? pace}`];
  if (pace === 'back-to-back') parts.push(`bursts of ${sc.burst ?? '?'} after a lead-in (not summarized)`);
  if (gaps.length) parts.push(`gap exit → next launch p50 ${formatNs(p50(gaps))}${sc.gapMs ? ` (at least ${sc.gapMs} ms kept)` : " (nsbench's own round trip)"}`);
  if (pace === 'quiesced') {
    const waits = launches.flatMap((s) => (s.conditions?.quiesceWaitNs !== undefined ? [s.conditions.quiesceWaitNs] : []));
    const late = launches.filter((s) => s.conditions?.quiet === false).length;
    parts.push(`quiesce wait p50 ${formatNs(p50(waits))}${late ? `, ${late} timed out` : ''}`);
  }
  return parts.join('; ');
}

/** Load and kernel-tracing facts of a scenario, in one line. */
export function watchLine(sc: ScenarioResult): string {
  const load = sc.load ?? [];
  const bad = load.filter((l) => l.disturbed.length).length;
  const parts: string[] = [];
  if (load.length) parts.push(`competing load: ${bad} of ${load.length} rounds disturbed (${load[0]?.source === 'psi' ? 'PSI and process CPU' : '/proc/stat and process CPU'})`);
  if (sc.kernelWork) parts.push(sc.kernelWork.traced ? 'kernel work traced (workqueue, kworker scheduling)' : `kernel work not traced: ${sc.kernelWork.reason}`);
  return parts.join('; ');
}

/** Per predecessor: the shift of the launch right after it [95% CI], n. */
export function carryOverRows(sc: ScenarioResult): string[][] {
  const c = sc.carryOver;
  if (!c) return [];
  return c.predecessors.map((p) => [p.prev, String(p.n), p.ci ? `${p.shift >= 0 ? '+' : ''}${formatNs(p.shift)}` : 'too few', p.ci ? `[${formatNs(p.ci[0])}, ${formatNs(p.ci[1])}]` : '-', p.ci && (p.ci[0] > 0 || p.ci[1] < 0) ? 'yes' : '']);
}

export const CARRY_HEADER = ['after', 'n', 'shift of the next launch', '95% CI', 'significant'];

/** Per variant: the kernel's deferred work after its exits (median per launch), by the function it ran. */
export function kernelWorkRows(sc: ScenarioResult): { header: string[]; rows: string[][] } | null {
  const fns = new Set<string>();
  for (const s of sc.samples) if (s.state === 'completed') for (const k of Object.keys(s.metrics)) if (/^kernel\.work\..+\.cpuNs$/.test(k)) fns.add(k.slice(12, -6));
  const vs = sc.summary.filter((v) => v.metrics['kernel.deferredCpuNs'] || v.metrics['kernel.deferredDoneNs']);
  if (!vs.length) return null;
  const list = [...fns].sort();
  const header = ['variant', 'deferred cpu', 'until done', ...list.map((f) => `${f} cpu`)];
  const perLaunch = (variant: string, metric: string) => {
    // a launch without the item did none of it: the median over every launch of the variant
    const launches = samplesOf(sc, variant).filter((s) => s.state === 'completed' && isMeasured(s));
    return launches.length ? median(launches.map((s) => (s.state === 'completed' ? (s.metrics[metric] ?? 0) : 0))) : NaN;
  };
  const rows = sc.summary.map((v) => [v.variant, formatNs(perLaunch(v.variant, 'kernel.deferredCpuNs')), formatNs(v.metrics['kernel.deferredDoneNs']?.median), ...list.map((f) => formatNs(perLaunch(v.variant, `kernel.work.${f}.cpuNs`)))]);
  return { header, rows };
}

/** A density figure over the variant's ramps: their mean (with its 95% CI when asked, from 2 ramps on); "invalid" where a ramp's value was implausible. */
export function densityFigure(sc: ScenarioResult, variant: string, metric: string, withCI = false): string {
  const ramps = samplesOf(sc, variant).filter((s) => s.state === 'completed' && isMeasured(s));
  const values = ramps.flatMap((s) => (s.state === 'completed' && s.metrics[metric] !== undefined ? [s.metrics[metric] as number] : []));
  const bad = ramps.filter((s) => s.state === 'completed' && s.invalid?.[metric] !== undefined).length;
  const kib = (b: number) => `${(b / 1024).toFixed(0)}`;
  if (!values.length) return bad ? 'invalid' : '-';
  const ci = withCI ? meanCI95(values) : null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${kib(mean)} KiB${ci ? ` [${kib(ci.low)}, ${kib(ci.high)}]` : withCI ? ` (n=${values.length})` : ''}${bad ? ` (${bad} invalid)` : ''}`;
}


/** The memory figures of a density scenario's variants, for a table: charged [CI], its kernel part, PSS, namespace objects, MemAvailable. */
export const DENSITY_MEMORY_HEADER = ['variant', 'ramps', 'charged/inst [95% CI]', 'of it kernel', 'PSS/inst', 'ns objects/inst', 'MemAvailable/inst'];
export function densityMemoryRows(sc: ScenarioResult): string[][] {
  return sc.summary.map((v) => [v.variant, String(v.completed), ...['chargedPerInstanceBytes', 'chargedKernelPerInstanceBytes', 'pssPerInstanceBytes', 'nsObjectsPerInstanceBytes', 'memPerInstanceBytes'].map((m, i) => densityFigure(sc, v.variant, m, i === 0))]);
}
