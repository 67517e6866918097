import { median } from 'simple-statistics';
import { canonicalSet, type IsolationCell, NAMESPACES, type Namespace, setId } from '../isolation/index.ts';
import { geometricMean, mannWhitneyU, meanCI95, medianCI } from '../stats/index.ts';
import { formatDelta, formatNs } from '../util/index.ts';
import { type CostRow, costRows, directionOf, senseOf } from './headlines.ts';
import { kernelFinding } from './kernel.ts';
import { scalingRows } from './scaling.ts';
import { isMeasured, MIN_VERDICT_SAMPLES } from './summary.ts';
import type { RunResults, Sample, ScenarioResult, VariantInfo } from './types.ts';

// What a run found beyond each variant's summary, computed here (the stats
// stage) for a live run and a rebuilt one alike; report/ only formats it.

const byVariantCache = new WeakMap<ScenarioResult, Map<string, ScenarioResult['samples']>>();
/**
 * A scenario's samples grouped by variant, built once per scenario: per-variant lookups stay linear at thousands of
 * variants.
 */
function samplesOf(sc: ScenarioResult, variant: string): ScenarioResult['samples'] {
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

interface MatrixRow {
  variant: string;
  ns: Namespace[];
  /** one per namespace kind, in NAMESPACES order; null where no sample completed */
  cells: (IsolationCell | null)[];
  /** rounds whose findings differed from the last one's */
  inconsistentRounds: number;
  isolated: number;
  /** boot time vs bare, from the run's boot scenario (the matching set); null when it has none or too few samples */
  bootRatio: number | null;
  /** its bootstrap 95% CI */
  bootRatioCI: [number, number] | null;
  bootFrom: string | null;
  /** why bootRatio is null */
  bootMissing: string | null;
  /** geometric mean of the run-time ratios of the launch scenarios' matching variants */
  runRatio: number | null;
  runWorkloads: number;
}

interface InterferenceRow {
  variant: string;
  /** the victim, "(boot)" after it where its slowdown is its boot's (a victim that only boots) */
  victim: string;
  /** what the slowdown is measured on: the victim's run time, or its boot */
  metric: 'workload.elapsedNs' | 'bootNs';
  /** "<antagonist>/<setting>"; the setting is the part after the last "/" of the id */
  antagonist: string;
  setting: string;
  /** victim run time (or boot, per metric) vs running alone */
  slowdown: number | null;
  slowdownCI: [number, number] | null;
  /** the same victim and antagonist with setting "none" (else its first setting) */
  reference: string | null;
  /** the reference's setting ("none" where the run has the unlimited antagonist) */
  referenceSetting: string | null;
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
    const cells =
      last && last.state === 'completed' && last.isolation
        ? NAMESPACES.map((n) => last.isolation?.find((c) => c.ns === n) ?? null)
        : NAMESPACES.map(() => null);
    const key = (s: (typeof samples)[number]) =>
      s.state === 'completed' ? (s.isolation ?? []).map((c) => c.status).join(',') : '';
    const inconsistentRounds = last ? samples.filter((s) => key(s) !== key(last)).length : 0;

    // cost comes from the run's boot scenario (30 rounds), never from the probe's own few launches
    let bootRatio: number | null = null;
    let bootRatioCI: [number, number] | null = null;
    let bootFrom: string | null = null;
    let bootMissing: string | null = null;
    const inBoot = boot && !v.userMap ? findByNs(boot, v.ns) : undefined;
    if (!boot) bootMissing = 'no boot scenario in this run';
    else if (!inBoot) bootMissing = `not among ${boot.name}'s variants`;
    else {
      const m = boot.summary.find((x) => x.variant === inBoot.id)?.metrics.bootNs;
      bootRatio = v.ns.length === 0 ? 1 : (m?.ratioToBaseline ?? null);
      bootRatioCI = v.ns.length === 0 ? null : (m?.ratioCI95 ?? null);
      bootFrom = `${boot.name}/${inBoot.id}`;
      if (bootRatio === null)
        bootMissing = m?.tooFew ? `too few samples in ${bootFrom}` : `no completed samples in ${bootFrom}`;
    }
    const runRatios: number[] = [];
    if (!v.userMap)
      for (const s of launches) {
        for (const x of s.variants) {
          if (
            !plainVariant({ ...x, workload: undefined }) ||
            setId(canonicalSet(x.ns)) !== setId(canonicalSet(v.ns)) ||
            v.ns.length === 0
          )
            continue;
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
      bootRatioCI,
      bootFrom,
      bootMissing,
      runRatio: v.ns.length === 0 ? 1 : geometricMean(runRatios),
      runWorkloads: runRatios.length,
    };
  });
}

function valuesOf(sc: ScenarioResult, variant: string, metric: string): number[] {
  return samplesOf(sc, variant).flatMap((s) =>
    s.state === 'completed' && isMeasured(s) && s.metrics[metric] !== undefined ? [s.metrics[metric]] : [],
  );
}

/**
 * What a victim's slowdown is measured on: its run time (workload.elapsedNs), or, for a victim that only boots (the
 * no-op beside namespace churn), its boot time.
 */
export function victimMetric(sc: ScenarioResult, variant: string): 'workload.elapsedNs' | 'bootNs' {
  return samplesOf(sc, variant).some((s) => s.state === 'completed' && s.metrics['workload.elapsedNs'] !== undefined)
    ? 'workload.elapsedNs'
    : 'bootNs';
}

/**
 * Victim slowdown per antagonist and cgroup setting, and how much of the unlimited antagonist's harm each setting
 * removed.
 */
export function interferenceRows(sc: ScenarioResult): InterferenceRow[] {
  const out: InterferenceRow[] = [];
  for (const v of sc.variants) {
    if (!v.antagonist) continue;
    const parts = v.id.split('/');
    const setting = parts.at(-1) ?? v.id;
    const antagonist =
      parts.slice(1, -1).join('/') || JSON.stringify((v.antagonist as { workload?: unknown }).workload);
    // the reference: the same victim and antagonist with setting "none", else that antagonist's first setting
    const prefix = `${parts.slice(0, -1).join('/')}/`;
    const siblings = sc.variants.filter(
      (x) => x.antagonist && x.id.startsWith(prefix) && !x.id.slice(prefix.length).includes('/'),
    );
    const refV = siblings.find((x) => x.id === `${prefix}none`) ?? siblings[0];
    const ref = refV && refV.id !== v.id ? refV.id : null;
    const sum = sc.summary.find((x) => x.variant === v.id);
    const on = victimMetric(sc, v.id);
    const m = sum?.metrics[on];
    const refM = ref ? sc.summary.find((x) => x.variant === ref)?.metrics[on] : undefined;
    const slowdown = m?.ratioToBaseline ?? null;
    const refSlow = refM?.ratioToBaseline ?? null;
    const removed =
      slowdown !== null && refSlow !== null && refSlow - 1 > 0.02 ? (refSlow - slowdown) / (refSlow - 1) : null;
    const mine = valuesOf(sc, v.id, on);
    const theirs = ref ? valuesOf(sc, ref, on) : [];
    let p: number | null = null;
    if (mine.length >= 3 && theirs.length >= 3 && m && refM) {
      const t = mannWhitneyU(mine, theirs);
      // one-sided: this setting's victim is faster (smaller elapsed) than the reference's (medians of the same samples,
      // from the summary)
      p = m.median < refM.median ? t.p / 2 : 1 - t.p / 2;
    }
    const metric = (k: string) => sum?.metrics[k]?.median ?? null;
    out.push({
      variant: v.id,
      victim: `${parts[0] ?? v.id}${on === 'bootNs' ? ' (boot)' : ''}`,
      metric: on,
      antagonist,
      setting,
      slowdown,
      slowdownCI: m?.ratioCI95 ?? null,
      reference: ref,
      referenceSetting: ref ? (ref.split('/').at(-1) ?? ref) : null,
      removed,
      pLessThanReference: ref ? p : null,
      antagonistPidsPeak: metric('antagonist.cgPidsPeak'),
      antagonistPidsMaxEvents: metric('antagonist.cgPidsMaxEvents'),
      antagonistThrottledUs: metric('antagonist.cgCpuThrottledUs'),
    });
  }
  return out;
}

/**
 * The median per measured launch of a kernel-work metric: a launch without the item did none of it (0). NaN without
 * launches.
 */
export function perLaunchMedian(sc: ScenarioResult, variant: string, metric: string): number {
  const launches = samplesOf(sc, variant).filter((s) => s.state === 'completed' && isMeasured(s));
  return launches.length ? median(launches.map((s) => (s.state === 'completed' ? (s.metrics[metric] ?? 0) : 0))) : NaN;
}

/**
 * A density figure over the variant's measured ramps: their mean, its 95% CI (from 2 ramps on), how many, and how many
 * were implausible.
 */
interface RampFigure {
  mean: number | null;
  ci: { low: number; high: number } | null;
  n: number;
  invalid: number;
  /** the measured ramps' values the mean is of */
  values: number[];
}
export function rampFigure(sc: ScenarioResult, variant: string, metric: string): RampFigure {
  const ramps = samplesOf(sc, variant).filter((s) => s.state === 'completed' && isMeasured(s));
  const values = ramps.flatMap((s) =>
    s.state === 'completed' && s.metrics[metric] !== undefined ? [s.metrics[metric] as number] : [],
  );
  const invalid = ramps.filter((s) => s.state === 'completed' && s.invalid?.[metric] !== undefined).length;
  if (!values.length) return { mean: null, ci: null, n: 0, invalid, values };
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    ci: meanCI95(values),
    n: values.length,
    invalid,
    values,
  };
}

/**
 * How the launches of a scenario were actually paced: the median gap from an exit to the next launch, and the quiesce
 * waits.
 */
interface PaceFigures {
  gapP50Ns: number | null;
  quiesceWaitP50Ns: number | null;
  quiesceTimeouts: number;
}
export function paceFigures(sc: ScenarioResult): PaceFigures {
  const launches = sc.samples.filter((s) => s.state !== 'skipped' && s.conditions);
  const gaps = launches.flatMap((s) => (s.conditions?.gapNs !== undefined ? [s.conditions.gapNs] : []));
  const waits = launches.flatMap((s) =>
    s.conditions?.quiesceWaitNs !== undefined ? [s.conditions.quiesceWaitNs] : [],
  );
  return {
    gapP50Ns: gaps.length ? median(gaps) : null,
    quiesceWaitP50Ns: waits.length ? median(waits) : null,
    quiesceTimeouts: launches.filter((s) => s.conditions?.quiet === false).length,
  };
}

/** How precisely a variant's headline metric is known: the 95% CI half-width, percent of its centre. */
interface VariantPrecision {
  variant: string;
  metric: string;
  n: number;
  /** null below 2 values (or a centre of 0) */
  halfWidthPct: number | null;
  /** median-ci: the distribution-free CI of the median (n >= 6); mean-t: Student's t CI of the mean (2 <= n < 6) */
  method: 'median-ci' | 'mean-t' | null;
}

/**
 * The precision of each variant's metric over the given samples (pass the measured ones): grouped once, not filtered
 * per variant.
 */
export function precisionOf(
  samples: readonly Sample[],
  variants: readonly string[],
  metric: string,
): VariantPrecision[] {
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
  const values = samples.flatMap((s) =>
    s.variant === variant && s.state === 'completed' && Number.isFinite(s.metrics[metric])
      ? [s.metrics[metric] as number]
      : [],
  );
  const n = values.length;
  if (n >= 6) {
    const ci = medianCI(values);
    const m = median(values);
    return {
      variant,
      metric,
      n,
      halfWidthPct: ci && m !== 0 ? (100 * (ci[1] - ci[0])) / 2 / Math.abs(m) : null,
      method: 'median-ci',
    };
  }
  const t = meanCI95(values);
  return {
    variant,
    metric,
    n,
    halfWidthPct: t && t.mean !== 0 ? (100 * (t.high - t.low)) / 2 / Math.abs(t.mean) : null,
    method: t ? 'mean-t' : null,
  };
}

/**
 * Parallel creation in one sentence: per set, the throughput at its largest K measured against its smallest (the
 * speedup with its CI, the efficiency); the largest teardown backlog. Nothing from too few samples.
 */
function scalingFinding(sc: ScenarioResult): string | null {
  const rows = scalingRows(sc);
  const sets = [...new Set(rows.map((r) => r.set))];
  const parts = sets.flatMap((set) => {
    const own = rows.filter((r) => r.set === set && r.perSec);
    const top = own.filter((r) => r.speedup !== null && r.speedupCI).at(-1);
    const base = own.find((r) => r.k === r.baseK);
    if (!top || !base?.perSec || !top.perSec) return [];
    return [
      `${set} ${Math.round(base.perSec.median)} → ${Math.round(top.perSec.median)} launches/s at K = ${top.k}, ${ratio(top.speedup as number, top.speedupCI)} (${Math.round((top.efficiency ?? 0) * 100)}% efficiency)`,
    ];
  });
  if (!parts.length) return null;
  const backlog = rows
    .filter((r) => r.backlog)
    .reduce<(typeof rows)[number] | null>(
      (a, b) => (!a || (b.backlog?.peak ?? 0) > (a.backlog?.peak ?? 0) ? b : a),
      null,
    );
  const baseK = rows[0]?.baseK ?? 1;
  return `Parallel creation, create + destroy throughput against K = ${baseK} (n ≥ ${MIN_VERDICT_SAMPLES} a side): ${parts.join('; ')}.${backlog?.backlog ? ` The largest teardown backlog: ${Math.round(backlog.backlog.peak)} ${backlog.backlog.kind} namespaces dying at once (${backlog.variant}).` : ''}`;
}

/** One line of what a run found, for the top of its report; `section` is the id of the report section it comes from. */
interface Finding {
  topic: 'boot' | 'cgroup' | 'freeze' | 'density' | 'throughput' | 'isolation' | 'kernel' | 'sampling' | 'warnings';
  section: string;
  text: string;
}

const us = (ns: number) => formatNs(ns);
const ratio = (r: number, ci?: readonly [number, number] | null) =>
  `${r.toFixed(2)}×${ci ? ` [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]` : ''}`;
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

/** A cost row in words: "+760 µs [+720, +820] (1.37× [1.35, 1.40])"; rates as a ratio alone. */
function costText(r: CostRow): string {
  const abs = senseOf(r.metric) === 'time' ? `${formatDelta(r.delta, r.deltaCI)} ` : '';
  return `${abs}(${ratio(r.ratio, r.ratioCI)})`;
}

/**
 * Rows grouped by direction word (largest effect first in each), then those with no difference; fewer than 6 samples a
 * side never get here.
 */
function differing(rows: CostRow[], label: (r: CostRow) => string): string {
  const groups: string[] = [];
  for (const d of ['slower', 'faster', 'more', 'less'] as const) {
    const these = rows
      .filter((r) => r.direction === d)
      .sort((a, b) => Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)));
    if (these.length) groups.push(`${d} — ${these.map((r) => `${label(r)} ${costText(r)}`).join(', ')}`);
  }
  const same = rows.filter((r) => r.direction === 'no difference');
  if (same.length) groups.push(`no difference (95% CI includes 1) — ${same.map(label).join(', ')}`);
  return groups.join('; ');
}

/**
 * The run's key results, computed from the same statistics as the tables
 * (CostRow: ratio and absolute difference with their 95% CIs, direction
 * words only where the CI excludes 1; nothing from fewer than 6 samples a
 * side): boot cost per namespace set; cgroup placement per workload, boot
 * and run time; pause and resume (freeze, thaw) at the most processes; run
 * time; network throughput and latency; noisy-neighbour slowdowns; density
 * (memory per sandbox, launch rate, teardown); isolation against cost; the
 * kernel; how precise the figures are; the warnings that matter. Each names
 * the section (scenario) its table is in.
 */
export function keyFindings(run: RunResults): Finding[] {
  const out: Finding[] = [];
  const boot =
    run.scenarios.find((s) => s.name === 'boot') ??
    run.scenarios.find((s) => s.kind === 'launch' && !s.summary.some((v) => v.metrics['workload.elapsedNs']));
  if (boot) {
    const rows = costRows(boot).filter((r) => r.metric === 'bootNs');
    const base = rows[0];
    // variants with baselines of their own (a mount count against the same set's smallest) name theirs
    const one = rows.every((r) => r.baseline === base?.baseline);
    const n = Math.min(...rows.map((r) => Math.min(r.n, r.baselineN)));
    if (base)
      out.push({
        topic: 'boot',
        section: boot.name,
        text: one
          ? `Boot time against ${base.baseline} (${us(base.base)} p50; n ≥ ${n} a side): ${differing(rows, (r) => r.variant)}.`
          : `Boot time, each variant against its own baseline (n ≥ ${n} a side): ${differing(rows, (r) => `${r.variant} (vs ${r.baseline})`)}.`,
      });
  }
  const cg = run.scenarios.find((s) => s.name === 'cgroup-overhead');
  if (cg) {
    const rows = costRows(cg);
    const own = rows.filter((r) => r.variant.endsWith('/own'));
    if (own.length)
      out.push({
        topic: 'cgroup',
        section: cg.name,
        text: `Placing a sandbox in a cgroup of its own (no limit), per workload: ${own.map((r) => `${r.variant.split('/')[0]} ${r.what} ${costText(r)}${r.direction ? `, ${r.direction}` : ''}`).join('; ')}.`,
      });
    const limits = rows.filter(
      (r) =>
        !r.variant.endsWith('/own') &&
        r.metric === 'workload.elapsedNs' &&
        r.direction &&
        r.direction !== 'no difference',
    );
    if (limits.length)
      out.push({
        topic: 'cgroup',
        section: cg.name,
        text: `Limits that change the workload's run time (vs no cgroup): ${limits.map((r) => `${r.variant} ${costText(r)}, ${r.direction}`).join('; ')}.`,
      });
  }
  const fr = run.scenarios.find((s) => s.kind === 'freeze');
  if (fr) {
    const most = Math.max(...fr.variants.map((v) => v.freeze?.processes ?? 0));
    const parts = fr.variants
      .filter((v) => v.freeze?.processes === most)
      .flatMap((v) => {
        const m = fr.summary.find((x) => x.variant === v.id)?.metrics;
        const f = m?.freezeNs;
        const t = m?.thawNs;
        return f && t && f.n >= MIN_VERDICT_SAMPLES && t.n >= MIN_VERDICT_SAMPLES
          ? [
              `${v.freeze?.freezer} ${v.freeze?.mode}: freeze ${us(f.median)} (p99 ${us(f.p99)}), thaw ${us(t.median)} (p99 ${us(t.p99)})`,
            ]
          : [];
      });
    if (parts.length)
      out.push({
        topic: 'freeze',
        section: fr.name,
        text: `Pausing and resuming ${most} processes (p50, p99; n ≥ ${MIN_VERDICT_SAMPLES}): ${parts.join('; ')}.`,
      });
  }
  for (const sc of run.scenarios) {
    if (sc.kind !== 'launch' || sc === boot || sc === cg) continue;
    const rows = costRows(sc).filter((r) => r.metric === 'workload.elapsedNs');
    if (!rows.length) continue;
    const diff = rows.filter((r) => r.direction && r.direction !== 'no difference' && Math.abs(r.ratio - 1) >= 0.02);
    out.push({
      topic: 'throughput',
      section: sc.name,
      text: diff.length
        ? `Run time in ${sc.name} (ratio to each workload's bare run): ${diff.map((r) => `${r.variant} ${costText(r)}, ${r.direction}`).join('; ')}; the other ${rows.length - diff.length} within 2% or no difference.`
        : `Run time in ${sc.name}: none of ${rows.length} variants differs from its bare run by 2% or more (95% CI).`,
    });
  }
  for (const sc of run.scenarios.filter((s) => s.kind === 'network')) {
    const rows = costRows(sc);
    const tput = rows.filter((r) => r.what === 'throughput');
    const rr = rows.filter((r) => r.what !== 'throughput');
    const parts = [
      tput.length ? `throughput ${differing(tput, (r) => r.variant)}` : '',
      rr.length ? `request/response p50 ${differing(rr, (r) => r.variant)}` : '',
    ].filter(Boolean);
    if (parts.length)
      out.push({ topic: 'throughput', section: sc.name, text: `Network, against host loopback: ${parts.join('. ')}.` });
  }
  for (const sc of run.scenarios.filter((s) => s.kind === 'interference')) {
    const rows = interferenceRows(sc).filter((r) => r.slowdown !== null && r.slowdownCI);
    if (!rows.length) continue;
    const text = rows.map((r) => {
      const d = directionOf({ ratioToBaseline: r.slowdown, ratioCI95: r.slowdownCI ?? undefined }, r.metric);
      const removed =
        r.removed !== null && r.referenceSetting
          ? `, took away ${Math.round(Math.min(1, Math.max(0, r.removed)) * 100)}% of ${r.referenceSetting}'s slowdown`
          : '';
      return `${r.metric === 'bootNs' ? `${r.victim} beside ` : ''}${r.antagonist} with ${r.setting} ${ratio(r.slowdown as number, r.slowdownCI)}${d ? ` (${d === 'no difference' ? 'no measurable slowdown' : d})` : ''}${removed}`;
    });
    out.push({
      topic: 'throughput',
      section: sc.name,
      text: `Noisy neighbour: the victim's run time (its boot, for a victim that only boots) beside each antagonist, against running alone: ${text.join('; ')}.`,
    });
  }
  for (const sc of run.scenarios.filter((s) => s.kind === 'scaling')) {
    const text = scalingFinding(sc);
    if (text) out.push({ topic: 'throughput', section: sc.name, text });
  }
  const de = run.scenarios.find((s) => s.kind === 'density');
  if (de) {
    const parts = de.variants.flatMap((v) => {
      const f = rampFigure(de, v.id, 'chargedPerInstanceBytes');
      const m = de.summary.find((x) => x.variant === v.id)?.metrics;
      if (f.mean === null || !m) return [];
      const mem =
        f.n >= MIN_VERDICT_SAMPLES && f.ci
          ? `${kib(f.mean)} [${kib(f.ci.low)}, ${kib(f.ci.high)}]`
          : `${kib(f.mean)} (mean of ${f.n} ramps; a CI needs ${MIN_VERDICT_SAMPLES})`;
      const tear = m.teardownNs
        ? `, teardown of ${m.held?.median ?? '?'} ${us(m.teardownNs.median)}${m.teardownDebtNs && m.teardownDebtNs.median > 0 ? ` plus ${us(m.teardownDebtNs.median)} of kernel work after it` : ''}`
        : '';
      return [
        `${v.id} ${mem} charged per sandbox, ${m.launchesPerSec ? `${m.launchesPerSec.median.toFixed(0)} launches/s` : ''}${tear}`,
      ];
    });
    if (parts.length) out.push({ topic: 'density', section: de.name, text: `Density: ${parts.join('; ')}.` });
    const avail = densityMemAvailableDoubt(de);
    if (avail) out.push({ topic: 'density', section: de.name, text: avail });
  }
  const iso = run.scenarios.find((s) => s.kind === 'isolation');
  if (iso) {
    const rows = isolationMatrix(run, iso).filter((r) => r.bootRatio !== null && r.ns.length > 0);
    if (rows.length) {
      // a set is dominated by one that isolates more at a cost not clearly higher (the CIs overlap or it is below),
      // or isolates as much at a cost clearly lower (its CI entirely below): what is left are the choices worth making
      const lo = (r: MatrixRow) => r.bootRatioCI?.[0] ?? (r.bootRatio as number);
      const hi = (r: MatrixRow) => r.bootRatioCI?.[1] ?? (r.bootRatio as number);
      const dominated = (a: MatrixRow) =>
        rows.some(
          (b) =>
            b !== a && ((b.isolated > a.isolated && lo(b) <= hi(a)) || (b.isolated === a.isolated && hi(b) < lo(a))),
        );
      const frontier = rows.filter((r) => !dominated(r)).sort((a, b) => a.isolated - b.isolated);
      // sets of one isolation level that no CI tells apart are one choice: listed together
      const levels = [...new Set(frontier.map((r) => r.isolated))];
      const text = levels
        .map(
          (n) =>
            `${n}/8 — ${frontier
              .filter((r) => r.isolated === n)
              .map((r) => `${r.variant} ${ratio(r.bootRatio as number, r.bootRatioCI)}`)
              .join(', ')}`,
        )
        .join('; ');
      out.push({
        topic: 'isolation',
        section: 'axioms',
        text: `Isolation against boot cost: the namespace sets no other beats on both once the CIs are taken into account (kinds isolated of 8 — boot time vs bare, 95% CI): ${text}.`,
      });
    }
  }
  for (const sc of run.scenarios) {
    const k = sc.kernelTrace?.traced ? kernelFinding(sc) : null;
    if (k) out.push({ topic: 'kernel', section: 'kernel', text: k });
  }
  const wide = run.scenarios
    .filter((s) => s.kind !== 'isolation')
    .flatMap((s) =>
      (s.precision ?? [])
        .filter((p) => p.halfWidthPct !== null && p.halfWidthPct > (s.sampling?.precisionPct ?? 5))
        .map((p) => `${s.name}/${p.variant} ±${(p.halfWidthPct as number).toFixed(1)}%`),
    );
  const stops = run.scenarios
    .filter((s) => s.sampling?.mode === 'adaptive')
    .map((s) => `${s.name} ${s.sampling?.rounds} rounds (${s.sampling?.stoppedBy})`);
  if (stops.length || wide.length)
    out.push({
      topic: 'sampling',
      section: '',
      text: `${stops.length ? `Adaptive sampling: ${stops.join(', ')}. ` : ''}${wide.length ? `Wider than the target (95% CI half-width of the headline metric): ${wide.slice(0, 6).join(', ')}${wide.length > 6 ? `, … ${wide.length - 6} more` : ''}.` : 'Every variant reached its precision target.'}`,
    });
  // the warnings are printed in full under their scenario; here each that matters, by its head (a whole clause, never
  // cut)
  const heads = run.scenarios.flatMap((s) =>
    (s.warnings ?? [])
      .filter((w) => /^competing load|^carry-over|drift/.test(w))
      .map((w) => ({ s: s.name, head: (w.split(/[:(;]/)[0] ?? w).trim() })),
  );
  if (heads.length)
    out.push({
      topic: 'warnings',
      section: heads[0]?.s ?? '',
      text: `Warnings that matter (${heads.length}; each in full under its scenario): ${heads.map((h) => `${h.s} — ${h.head}`).join('; ')}.`,
    });
  return out;
}

/**
 * Whether the MemAvailable view of a density run disagrees with the views
 * that other processes cannot move (charged and PSS): by more than 3× from
 * the charged figure, or ramps spread over more than half its mean. A line to
 * flag it, or null.
 */
export function densityMemAvailableDoubt(de: ScenarioResult): string | null {
  const doubts = de.variants.flatMap((v) => {
    const avail = rampFigure(de, v.id, 'memPerInstanceBytes');
    const charged = rampFigure(de, v.id, 'chargedPerInstanceBytes');
    if (avail.mean === null || charged.mean === null || charged.mean <= 0) return [];
    const far = avail.mean > 3 * charged.mean || avail.mean < charged.mean / 3;
    const spread = avail.ci !== null && avail.ci.high - avail.ci.low > avail.mean;
    return far || spread ? [`${v.id} ${kib(avail.mean)} against ${kib(charged.mean)} charged`] : [];
  });
  return doubts.length
    ? `Density: the MemAvailable view (${doubts.join('; ')}) moved with other processes' memory during the ramps; the charged and PSS views are the ones to quote.`
    : null;
}
