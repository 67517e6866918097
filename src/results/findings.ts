import { median } from 'simple-statistics';
import { canonicalSet, NAMESPACES, setId, type IsolationCell, type Namespace } from '../isolation/index.ts';
import { geometricMean, mannWhitneyU, meanCI95, medianCI } from '../stats/index.ts';
import { kernelFinding } from './kernel.ts';
import { isMeasured } from './summary.ts';
import type { RunResults, Sample, ScenarioResult, VariantInfo } from './types.ts';

// What a run found beyond each variant's summary, computed here (the stats
// stage) for a live run and a rebuilt one alike; report/ only formats it.

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

/**
 * The three axioms side by side: what each namespace set hides (isolation),
 * what it costs (boot and run-time overhead vs bare), and what each cgroup
 * setting takes away from a noisy neighbour (noninterference).
 */

export interface MatrixRow {
  variant: string;
  ns: Namespace[];
  /** one per namespace kind, in NAMESPACES order; null where no sample completed */
  cells: (IsolationCell | null)[];
  /** rounds whose findings differed from the last one's */
  inconsistentRounds: number;
  isolated: number;
  /** boot time vs bare, from the run's boot scenario (the matching set); null when it has none or too few samples */
  bootRatio: number | null;
  bootFrom: string | null;
  /** why bootRatio is null */
  bootMissing: string | null;
  /** geometric mean of the run-time ratios of the launch scenarios' matching variants */
  runRatio: number | null;
  runWorkloads: number;
}

export interface InterferenceRow {
  variant: string;
  victim: string;
  /** "<antagonist>/<setting>"; the setting is the part after the last "/" of the id */
  antagonist: string;
  setting: string;
  /** victim run time vs running alone */
  slowdown: number | null;
  slowdownCI: [number, number] | null;
  /** the same victim and antagonist with setting "none" (else its first setting) */
  reference: string | null;
  /** share of the unlimited antagonist's extra slowdown this setting removed (1 = all of it) */
  removed: number | null;
  /** one-sided Mann-Whitney p that the victim is faster here than with the reference */
  pLessThanReference: number | null;
  antagonistPidsPeak: number | null;
  antagonistPidsMaxEvents: number | null;
  antagonistThrottledUs: number | null;
}


function plainVariant(v: VariantInfo): boolean {
  return !v.cgroup && !v.engine && !v.antagonist && !v.userMap && !v.tmpfs && !v.net && !v.freeze && !v.density;
}

function findByNs(sc: ScenarioResult, ns: readonly Namespace[]): VariantInfo | undefined {
  const want = setId(canonicalSet(ns));
  return sc.variants.find((v) => plainVariant(v) && setId(canonicalSet(v.ns)) === want);
}

/** The isolation matrix of an isolation scenario, with each set's cost looked up in the run's other scenarios. */
export function isolationMatrix(run: RunResults, sc: ScenarioResult): MatrixRow[] {
  const boot = run.scenarios.find((s) => s.kind === 'launch' && s.name === 'boot') ?? null;
  const launches = run.scenarios.filter((s) => s.kind === 'launch' && s !== boot);
  return sc.variants.map((v) => {
    const samples = samplesOf(sc, v.id).filter((s) => s.state === 'completed' && isMeasured(s));
    const last = samples.at(-1);
    const cells = last && last.state === 'completed' && last.isolation ? NAMESPACES.map((n) => last.isolation?.find((c) => c.ns === n) ?? null) : NAMESPACES.map(() => null);
    const key = (s: (typeof samples)[number]) => (s.state === 'completed' ? (s.isolation ?? []).map((c) => c.status).join(',') : '');
    const inconsistentRounds = last ? samples.filter((s) => key(s) !== key(last)).length : 0;

    // cost comes from the run's boot scenario (30 rounds), never from the probe's own few launches
    let bootRatio: number | null = null;
    let bootFrom: string | null = null;
    let bootMissing: string | null = null;
    const inBoot = boot && !v.userMap ? findByNs(boot, v.ns) : undefined;
    if (!boot) bootMissing = 'no boot scenario in this run';
    else if (!inBoot) bootMissing = `not among ${boot.name}'s variants`;
    else {
      const m = boot.summary.find((x) => x.variant === inBoot.id)?.metrics.bootNs;
      bootRatio = v.ns.length === 0 ? 1 : (m?.ratioToBaseline ?? null);
      bootFrom = `${boot.name}/${inBoot.id}`;
      if (bootRatio === null) bootMissing = m?.tooFew ? `too few samples in ${bootFrom}` : `no completed samples in ${bootFrom}`;
    }
    const runRatios: number[] = [];
    if (!v.userMap)
      for (const s of launches) {
        for (const x of s.variants) {
          if (!plainVariant({ ...x, workload: undefined }) || setId(canonicalSet(x.ns)) !== setId(canonicalSet(v.ns)) || v.ns.length === 0) continue;
          const r = s.summary.find((y) => y.variant === x.id)?.metrics['workload.elapsedNs']?.ratioToBaseline;
          if (r) runRatios.push(r);
        }
      }
    return {
      variant: v.id,
      ns: v.ns,
      cells,
      inconsistentRounds,
      isolated: cells.filter((c) => c?.status === 'isolated').length,
      bootRatio,
      bootFrom,
      bootMissing,
      runRatio: v.ns.length === 0 ? 1 : geometricMean(runRatios),
      runWorkloads: runRatios.length,
    };
  });
}

function elapsedOf(sc: ScenarioResult, variant: string): number[] {
  return samplesOf(sc, variant).flatMap((s) => (s.state === 'completed' && isMeasured(s) && s.metrics['workload.elapsedNs'] !== undefined ? [s.metrics['workload.elapsedNs']] : []));
}

/** Victim slowdown per antagonist and cgroup setting, and how much of the unlimited antagonist's harm each setting removed. */
export function interferenceRows(sc: ScenarioResult): InterferenceRow[] {
  const out: InterferenceRow[] = [];
  for (const v of sc.variants) {
    if (!v.antagonist) continue;
    const parts = v.id.split('/');
    const setting = parts.at(-1) ?? v.id;
    const antagonist = parts.slice(1, -1).join('/') || JSON.stringify((v.antagonist as { workload?: unknown }).workload);
    // the reference: the same victim and antagonist with setting "none", else that antagonist's first setting
    const prefix = `${parts.slice(0, -1).join('/')}/`;
    const siblings = sc.variants.filter((x) => x.antagonist && x.id.startsWith(prefix) && !x.id.slice(prefix.length).includes('/'));
    const refV = siblings.find((x) => x.id === `${prefix}none`) ?? siblings[0];
    const ref = refV && refV.id !== v.id ? refV.id : null;
    const sum = sc.summary.find((x) => x.variant === v.id);
    const m = sum?.metrics['workload.elapsedNs'];
    const refM = ref ? sc.summary.find((x) => x.variant === ref)?.metrics['workload.elapsedNs'] : undefined;
    const slowdown = m?.ratioToBaseline ?? null;
    const refSlow = refM?.ratioToBaseline ?? null;
    const removed = slowdown !== null && refSlow !== null && refSlow - 1 > 0.02 ? (refSlow - slowdown) / (refSlow - 1) : null;
    const mine = elapsedOf(sc, v.id);
    const theirs = ref ? elapsedOf(sc, ref) : [];
    let p: number | null = null;
    if (mine.length >= 3 && theirs.length >= 3 && m && refM) {
      const t = mannWhitneyU(mine, theirs);
      // one-sided: this setting's victim is faster (smaller elapsed) than the reference's (medians of the same samples, from the summary)
      p = m.median < refM.median ? t.p / 2 : 1 - t.p / 2;
    }
    const metric = (k: string) => sum?.metrics[k]?.median ?? null;
    out.push({
      variant: v.id,
      victim: parts[0] ?? v.id,
      antagonist,
      setting,
      slowdown,
      slowdownCI: m?.ratioCI95 ?? null,
      reference: ref,
      removed,
      pLessThanReference: ref ? p : null,
      antagonistPidsPeak: metric('antagonist.cgPidsPeak'),
      antagonistPidsMaxEvents: metric('antagonist.cgPidsMaxEvents'),
      antagonistThrottledUs: metric('antagonist.cgCpuThrottledUs'),
    });
  }
  return out;
}

/** The median per measured launch of a kernel-work metric: a launch without the item did none of it (0). NaN without launches. */
export function perLaunchMedian(sc: ScenarioResult, variant: string, metric: string): number {
  const launches = samplesOf(sc, variant).filter((s) => s.state === 'completed' && isMeasured(s));
  return launches.length ? median(launches.map((s) => (s.state === 'completed' ? (s.metrics[metric] ?? 0) : 0))) : NaN;
}

/** A density figure over the variant's measured ramps: their mean, its 95% CI (from 2 ramps on), how many, and how many were implausible. */
export interface RampFigure {
  mean: number | null;
  ci: { low: number; high: number } | null;
  n: number;
  invalid: number;
}
export function rampFigure(sc: ScenarioResult, variant: string, metric: string): RampFigure {
  const ramps = samplesOf(sc, variant).filter((s) => s.state === 'completed' && isMeasured(s));
  const values = ramps.flatMap((s) => (s.state === 'completed' && s.metrics[metric] !== undefined ? [s.metrics[metric] as number] : []));
  const invalid = ramps.filter((s) => s.state === 'completed' && s.invalid?.[metric] !== undefined).length;
  if (!values.length) return { mean: null, ci: null, n: 0, invalid };
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, ci: meanCI95(values), n: values.length, invalid };
}

/** How the launches of a scenario were actually paced: the median gap from an exit to the next launch, and the quiesce waits. */
export interface PaceFigures {
  gapP50Ns: number | null;
  quiesceWaitP50Ns: number | null;
  quiesceTimeouts: number;
}
export function paceFigures(sc: ScenarioResult): PaceFigures {
  const launches = sc.samples.filter((s) => s.state !== 'skipped' && s.conditions);
  const gaps = launches.flatMap((s) => (s.conditions?.gapNs !== undefined ? [s.conditions.gapNs] : []));
  const waits = launches.flatMap((s) => (s.conditions?.quiesceWaitNs !== undefined ? [s.conditions.quiesceWaitNs] : []));
  return { gapP50Ns: gaps.length ? median(gaps) : null, quiesceWaitP50Ns: waits.length ? median(waits) : null, quiesceTimeouts: launches.filter((s) => s.conditions?.quiet === false).length };
}

/** How precisely a variant's headline metric is known: the 95% CI half-width, percent of its centre. */
export interface VariantPrecision {
  variant: string;
  metric: string;
  n: number;
  /** null below 2 values (or a centre of 0) */
  halfWidthPct: number | null;
  /** median-ci: the distribution-free CI of the median (n >= 6); mean-t: Student's t CI of the mean (2 <= n < 6) */
  method: 'median-ci' | 'mean-t' | null;
}

/** The precision of each variant's metric over the given samples (pass the measured ones): grouped once, not filtered per variant. */
export function precisionOf(samples: readonly Sample[], variants: readonly string[], metric: string): VariantPrecision[] {
  const by = new Map<string, Sample[]>();
  for (const s of samples) {
    const group = by.get(s.variant);
    if (group) group.push(s);
    else by.set(s.variant, [s]);
  }
  return variants.map((v) => variantPrecision(by.get(v) ?? [], v, metric));
}

/** The precision of one variant's metric over the given samples (pass the measured ones). */
export function variantPrecision(samples: readonly Sample[], variant: string, metric: string): VariantPrecision {
  const values = samples.flatMap((s) => (s.variant === variant && s.state === 'completed' && Number.isFinite(s.metrics[metric]) ? [s.metrics[metric] as number] : []));
  const n = values.length;
  if (n >= 6) {
    const ci = medianCI(values);
    const m = median(values);
    return { variant, metric, n, halfWidthPct: ci && m !== 0 ? (100 * (ci[1] - ci[0])) / 2 / Math.abs(m) : null, method: 'median-ci' };
  }
  const t = meanCI95(values);
  return { variant, metric, n, halfWidthPct: t && t.mean !== 0 ? (100 * (t.high - t.low)) / 2 / Math.abs(t.mean) : null, method: t ? 'mean-t' : null };
}

/** One line of what a run found, for the top of its report; `section` is the id of the report section it comes from. */
export interface Finding {
  topic: 'boot' | 'cgroup' | 'freeze' | 'density' | 'throughput' | 'isolation' | 'kernel' | 'sampling' | 'warnings';
  section: string;
  text: string;
}

const us = (ns: number) => (Math.abs(ns) >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(0)} µs`);
const ratio = (r: number, ci?: readonly [number, number]) => `${r.toFixed(2)}×${ci ? ` [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]` : ''}`;
/** the CI excludes no change and the effect is beyond 2% */
const significant = (m: { ratioToBaseline: number | null; ratioCI95?: readonly [number, number] | undefined } | undefined): boolean =>
  !!m && m.ratioToBaseline !== null && !!m.ratioCI95 && (m.ratioCI95[0] > 1.02 || m.ratioCI95[1] < 0.98);

/**
 * The run's key results in a few lines: each namespace's boot cost with its
 * CI, the cost of cgroup placement, freeze latency at 100 processes, density
 * per set, the throughput overheads that are significant, isolation against
 * cost, how precise the figures are, and the warnings that matter.
 */
export function keyFindings(run: RunResults): Finding[] {
  const out: Finding[] = [];
  const boot = run.scenarios.find((s) => s.name === 'boot') ?? run.scenarios.find((s) => s.kind === 'launch' && s.samples.some((x) => x.state === 'completed' && x.metrics['workload.elapsedNs'] === undefined));
  if (boot) {
    const base = boot.summary.find((v) => v.variant === boot.baseline)?.metrics.bootNs?.median;
    const alone = boot.summary.filter((v) => v.variant !== boot.baseline && v.metrics.bootNs?.ratioToBaseline != null);
    if (base !== undefined && alone.length) {
      const parts = alone.map((v) => {
        const m = v.metrics.bootNs;
        return `${v.variant} ${m && m.median - base >= 0 ? '+' : ''}${us((m?.median ?? base) - base)} (${ratio(m?.ratioToBaseline as number, m?.ratioCI95)})`;
      });
      out.push({ topic: 'boot', section: boot.name, text: `Boot cost vs ${boot.baseline} (${us(base)} p50): ${parts.join('; ')}.` });
    }
  }
  const cg = run.scenarios.find((s) => s.name === 'cgroup-overhead');
  if (cg) {
    const own = cg.summary.find((v) => v.variant.endsWith('/own'))?.metrics.bootNs;
    const bare = cg.summary.find((v) => v.variant === cg.summary.find((x) => x.variant.endsWith('/own'))?.baseline)?.metrics.bootNs;
    if (own && bare && own.ratioToBaseline !== null) out.push({ topic: 'cgroup', section: cg.name, text: `Placing a sandbox in a cgroup of its own: boot ${own.median - bare.median >= 0 ? '+' : ''}${us(own.median - bare.median)} (${ratio(own.ratioToBaseline, own.ratioCI95)})${significant(own) ? '' : ', within the noise'}.` });
  }
  const fr = run.scenarios.find((s) => s.kind === 'freeze');
  if (fr) {
    const at100 = fr.variants.filter((v) => v.freeze?.processes === 100);
    const parts = at100.flatMap((v) => {
      const m = fr.summary.find((x) => x.variant === v.id)?.metrics.freezeNs;
      return m ? [`${v.freeze?.freezer} ${v.freeze?.mode} ${us(m.median)}`] : [];
    });
    if (parts.length) out.push({ topic: 'freeze', section: fr.name, text: `Freezing 100 processes (p50): ${parts.join(', ')}.` });
  }
  const de = run.scenarios.find((s) => s.kind === 'density');
  if (de) {
    const parts = de.variants.flatMap((v) => {
      const f = rampFigure(de, v.id, 'chargedPerInstanceBytes');
      const held = de.summary.find((x) => x.variant === v.id)?.metrics.held?.median;
      return f.mean !== null ? [`${v.id} ${(f.mean / 1024).toFixed(0)} KiB${f.ci ? ` [${(f.ci.low / 1024).toFixed(0)}, ${(f.ci.high / 1024).toFixed(0)}]` : ''}${held !== undefined ? ` (${held} held)` : ''}`] : [];
    });
    if (parts.length) out.push({ topic: 'density', section: de.name, text: `Memory charged per sandbox: ${parts.join(', ')}.` });
  }
  const slow: string[] = [];
  for (const sc of run.scenarios) {
    if (sc.kind !== 'launch' && sc.kind !== 'network') continue;
    const metric = sc.kind === 'network' ? 'workload.throughputMbitPerSec' : 'workload.elapsedNs';
    for (const v of sc.summary) {
      const m = v.metrics[metric];
      if (v.variant !== v.baseline && significant(m) && m) slow.push(`${sc.name}/${v.variant} ${ratio(m.ratioToBaseline as number, m.ratioCI95)}`);
    }
  }
  if (slow.length) out.push({ topic: 'throughput', section: run.scenarios.find((s) => slow[0]?.startsWith(`${s.name}/`))?.name ?? '', text: `Significant throughput or run-time differences (${slow.length}; ratio to baseline, beyond 2%): ${slow.slice(0, 8).join('; ')}${slow.length > 8 ? `; … ${slow.length - 8} more` : ''}.` });
  else if (run.scenarios.some((s) => s.kind === 'launch' || s.kind === 'network')) out.push({ topic: 'throughput', section: '', text: 'No throughput or run-time difference beyond 2% is significant.' });
  const iso = run.scenarios.find((s) => s.kind === 'isolation');
  if (iso) {
    const rows = isolationMatrix(run, iso).filter((r) => r.bootRatio !== null && r.ns.length > 0);
    if (rows.length) {
      // the sets no other beats on both (more kinds isolated at no more boot cost): the choices worth making
      const frontier = [...rows].sort((a, b) => b.isolated - a.isolated || (a.bootRatio as number) - (b.bootRatio as number)).filter((r, i, all) => all.slice(0, i).every((o) => (o.bootRatio as number) > (r.bootRatio as number) || o.isolated === r.isolated) && all.findIndex((o) => o.isolated === r.isolated) === i);
      out.push({ topic: 'isolation', section: 'axioms', text: `Isolation against cost (kinds isolated of 8, boot vs bare), the sets nothing beats on both: ${frontier.map((r) => `${r.variant} ${r.isolated}/8 at ${ratio(r.bootRatio as number)}`).join(', ')}.` });
    }
  }
  for (const sc of run.scenarios) {
    const k = sc.kernelTrace?.traced ? kernelFinding(sc) : null;
    if (k) out.push({ topic: 'kernel', section: 'kernel', text: k });
  }
  const wide = run.scenarios.flatMap((s) => (s.precision ?? []).filter((p) => p.halfWidthPct !== null && p.halfWidthPct > (s.sampling?.precisionPct ?? 5)).map((p) => `${s.name}/${p.variant} ±${(p.halfWidthPct as number).toFixed(1)}%`));
  const stops = run.scenarios.filter((s) => s.sampling?.mode === 'adaptive').map((s) => `${s.name} ${s.sampling?.rounds} rounds (${s.sampling?.stoppedBy})`);
  if (stops.length || wide.length) out.push({ topic: 'sampling', section: '', text: `${stops.length ? `Adaptive sampling: ${stops.join(', ')}. ` : ''}${wide.length ? `Wider than the target (95% CI half-width of the headline metric): ${wide.slice(0, 6).join(', ')}${wide.length > 6 ? `, … ${wide.length - 6} more` : ''}.` : 'Every variant reached its precision target.'}` });
  const warns = run.scenarios.flatMap((s) => (s.warnings ?? []).filter((w) => /^competing load|^carry-over|drift/.test(w)).map((w) => ({ s: s.name, w })));
  if (warns.length) out.push({ topic: 'warnings', section: warns[0]?.s ?? '', text: `Warnings that matter (${warns.length}): ${warns.slice(0, 3).map((x) => `${x.s}: ${x.w.length > 140 ? `${x.w.slice(0, 137)}…` : x.w}`).join(' — ')}` });
  return out;
}
