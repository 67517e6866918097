import { median } from 'simple-statistics';
import { UserError } from '../errors/index.ts';
import {
  type Fleet,
  fingerprintOf,
  isMeasured,
  type RunResults,
  type Sample,
  type ScenarioResult,
} from '../results/index.ts';
import { type CompareOptions, type CompareResult, compareRuns } from './compare.ts';

/** A side of a comparison: one run, or a fleet of them. */
export type Side = { kind: 'run'; file: string; run: RunResults } | { kind: 'fleet'; file: string; fleet: Fleet };

const hostsOf = (s: Side): { key: string; hostname: string; run: RunResults }[] => {
  if (s.kind === 'fleet')
    return s.fleet.hosts.map((h) => ({ key: h.key, hostname: h.fingerprint.hostname, run: h.run }));
  const { hostname } = fingerprintOf(s.run); // a single run: its host as merge would key it
  return [{ key: hostname, hostname, run: s.run }];
};

/** The hosts both sides have, by hostname (a single run against a fleet: its own host there). */
function pairs(
  baseline: Side,
  current: Side,
): { pairs: { host: string; base: RunResults; cur: RunResults }[]; warnings: string[] } {
  const b = hostsOf(baseline);
  const c = hostsOf(current);
  const out: { host: string; base: RunResults; cur: RunResults }[] = [];
  const warnings: string[] = [];
  for (const h of c) {
    const m = b.find((x) => x.key === h.key) ?? b.find((x) => x.hostname === h.hostname);
    if (m) out.push({ host: h.key, base: m.run, cur: h.run });
    else warnings.push(`host ${h.key} is only in the current side`);
  }
  for (const h of b)
    if (!out.some((p) => p.base === h.run)) warnings.push(`host ${h.key} is only in the baseline side`);
  if (!out.length)
    throw new UserError(
      `${baseline.file} and ${current.file} have no host in common (baseline: ${b.map((h) => h.key).join(', ')}; current: ${c.map((h) => h.key).join(', ')})`,
      "compare runs of the same hosts (a fleet against a fleet of the same hosts, or a host's run against its fleet)",
    );
  return { pairs: out, warnings };
}

/**
 * Per host: each host's runs compared as two runs are (benchstat-style), the
 * rows named host: scenario; the verdict is the worst of them.
 */
export function compareByHost(baseline: Side, current: Side, opts: CompareOptions = {}): CompareResult {
  const { pairs: ps, warnings } = pairs(baseline, current);
  const all: CompareResult = { rows: [], regressions: [], improvements: [], warnings, method: '', exitCode: 0 };
  for (const p of ps) {
    const r = compareRuns(p.base, p.cur, opts);
    const named = <T extends { scenario: string }>(x: T): T => ({ ...x, scenario: `${p.host}: ${x.scenario}` });
    all.rows.push(...r.rows.map(named));
    all.regressions.push(...r.regressions.map(named));
    all.improvements.push(...r.improvements.map(named));
    all.warnings.push(...r.warnings.map((w) => `${p.host}: ${w}`));
    if (r.exitCode) all.exitCode = 1;
    all.method = `host by host; ${r.method}`;
  }
  return all;
}

/**
 * Pooled with the host as a blocking factor: each host's samples, both sides,
 * divided by that host's baseline median of the same scenario, variant and
 * metric (so that how fast a host is drops out), then pooled and compared
 * once: the ratio says how the fleet moved, the CI and q come from every
 * host's launches together.
 */
export function comparePooled(baseline: Side, current: Side, opts: CompareOptions = {}): CompareResult {
  const { pairs: ps, warnings } = pairs(baseline, current);
  const pooled = (pick: 'base' | 'cur'): RunResults => {
    const first = ps[0]?.[pick] as RunResults;
    const scenarios: ScenarioResult[] = [];
    for (const sc of first.scenarios) {
      const samples: Sample[] = [];
      for (const p of ps) {
        const bsc = p.base.scenarios.find((s) => s.name === sc.name);
        const own = p[pick].scenarios.find((s) => s.name === sc.name);
        if (!bsc || !own) continue;
        const level = new Map<string, number>();
        const levelOf = (variant: string, metric: string) => {
          const k = `${variant}\u0000${metric}`;
          if (!level.has(k)) {
            const xs = bsc.samples.flatMap((s) =>
              s.state === 'completed' && isMeasured(s) && s.variant === variant && Number.isFinite(s.metrics[metric])
                ? [s.metrics[metric] as number]
                : [],
            );
            level.set(k, xs.length ? median(xs) : NaN);
          }
          return level.get(k) as number;
        };
        for (const s of own.samples) {
          if (s.state !== 'completed') continue;
          const metrics = Object.fromEntries(
            Object.entries(s.metrics)
              .map(([m, v]) => [m, v / levelOf(s.variant, m)])
              .filter(([, v]) => Number.isFinite(v)),
          );
          samples.push({ ...s, metrics });
        }
      }
      scenarios.push({ ...sc, samples });
    }
    return { ...first, scenarios };
  };
  const r = compareRuns(pooled('base'), pooled('cur'), opts);
  // medians are in units of each host's baseline median: say so where the tables show them
  return {
    ...r,
    warnings: [
      ...warnings,
      `pooled over ${ps.length} host(s) (${ps.map((p) => p.host).join(', ')}), the host as a blocking factor: each value divided by its host's baseline median, so medians are in those units`,
      ...r.warnings.filter((w) => !w.startsWith('environments differ')),
    ],
  };
}
