import { median } from 'simple-statistics';
import { z } from 'zod';
import { UserError } from '../errors/index.ts';
import { benjaminiHochberg, mannWhitneyU, medianCI, ratioOfMediansCI } from '../stats/index.ts';
import { parseOrFail } from '../util/index.ts';
import { placementOf } from './csv.ts';
import type { Environment } from './environment.ts';
import { headlineOf } from './finalize.ts';
import { loadResults, parseResultsJson, readResultsText } from './read.ts';
import { runResultsSchema } from './schema.ts';
import { isMeasured } from './summary.ts';
import type { RunResults, ScenarioResult } from './types.ts';

// A fleet: one run per host, merged (`nsbench merge`), read together
// (`nsbench report fleet.json`, `nsbench compare`). Hosts are keyed by their
// fingerprint — hostname, CPU, cores, kernel, cgroup mode — and a fleet holds
// runs of one plan unless it was merged with --mixed.

const FLEET_SCHEMA = 'nsbench.fleet';
const FLEET_SCHEMA_VERSION = 1;

const fingerprintSchema = z.object({
  hostname: z.string(),
  cpu: z.string(),
  cores: z.number().nullable(),
  kernel: z.string(),
  cgroupMode: z.string(),
});
type HostFingerprint = z.infer<typeof fingerprintSchema>;

const fleetSchema = z.object({
  schema: z.literal(FLEET_SCHEMA),
  schemaVersion: z.literal(FLEET_SCHEMA_VERSION),
  mergedAt: z.string(),
  /** the plan every run followed (scenarios, variants, options), or null for a fleet merged with --mixed */
  plan: z.unknown(),
  mixedPlans: z.boolean(),
  hosts: z.array(
    z.object({ key: z.string(), fingerprint: fingerprintSchema, file: z.string(), run: runResultsSchema }),
  ),
  /** hosts that gave no results, and why (from the engine that ran them: the playbook's failed hosts) */
  failed: z.array(z.object({ host: z.string(), reason: z.string() })),
});
export type Fleet = z.infer<typeof fleetSchema>;

/** What makes a host a host: runs are comparable across time only on the same one. */
/**
 * Text from another machine's file, printed and compared: control characters (an ANSI escape, a NUL) shown as "?", at
 * most 256 characters.
 */
const printable = (v: unknown): string =>
  String(v)
    .replace(/[\u0000-\u001f\u007f]/g, '?')
    .slice(0, 256);

export function fingerprintOf(run: RunResults): HostFingerprint {
  const e = run.environment;
  return {
    hostname: printable(e.hostname ?? '?'),
    cpu: printable(e.cpu?.model ?? '?'),
    cores: e.cpu?.cores ?? null,
    kernel: printable(e.kernel?.release ?? '?'),
    cgroupMode: printable(e.cgroups?.mode ?? '?'),
  };
}

export const fingerprintKey = (f: HostFingerprint): string =>
  [f.hostname, f.cpu, f.cores ?? '?', f.kernel, f.cgroupMode].join(' | ');

/** What a scenario ran under, as merge compares it: its variants and every condition that changes a figure. */
interface ScenarioPlan {
  name: string;
  kind: string;
  variants: string[];
  /** pace, gap, burst, warm-up, workload and params: the conditions of every sample */
  conditions: Record<string, unknown>;
  /**
   * fixed rounds (their number), or adaptive sampling (its settings: the rounds it reached differ by host); null where
   * the run died before it said (a samples file)
   */
  sampling: Record<string, unknown> | null;
}

/**
 * A run's plan as merge compares it: what each scenario actually ran — its
 * variants, pacing, gap, burst, warm-up, workload and params, and its fixed
 * rounds or adaptive settings — read from the scenarios themselves, so that a
 * run's final .json and a dead run's samples file of the same plan compare
 * equal, and options that came from a profile or the config count as much as
 * those given on a command line. `asked` (the command line) is kept for the record.
 */
function planOf(run: RunResults): { asked: unknown; scenarios: ScenarioPlan[] } {
  const asked = run.environment.plan ?? null;
  return {
    asked,
    scenarios: run.scenarios.map((s) => {
      const sampling = !s.sampling
        ? null
        : s.sampling.mode === 'adaptive'
          ? {
              mode: 'adaptive',
              precisionPct: s.sampling.precisionPct,
              minRounds: s.sampling.minRounds,
              maxRounds: s.sampling.maxRounds,
              budgetS: s.sampling.budgetS ?? null,
            }
          : { mode: 'fixed', rounds: s.sampling.stoppedBy === 'interrupted' ? null : s.rounds };
      return {
        name: s.name,
        kind: s.kind,
        variants: s.variants.map((v) => v.id),
        conditions: {
          pace: s.pace ?? 'interleaved',
          ...(s.kind === 'launch' ? { placement: placementOf(s) } : {}),
          gapMs: s.gapMs ?? 0,
          burst: s.burst ?? 0,
          warmupRounds: s.warmupRounds,
          workload: s.workload,
          params: s.params,
        },
        sampling,
      };
    }),
  };
}

const planText = (p: ReturnType<typeof planOf>) =>
  p.scenarios.map((s) => `${s.name} (${s.variants.length} variants)`).join(', ');

/** What two plans differ in, in a few words (null when they are the same). */
function planDifference(a: ReturnType<typeof planOf>, b: ReturnType<typeof planOf>): string | null {
  if (JSON.stringify(a.scenarios.map((s) => s.name)) !== JSON.stringify(b.scenarios.map((s) => s.name)))
    return `scenarios ${planText(a)} vs ${planText(b)}`;
  for (const [i, s] of a.scenarios.entries()) {
    const t = b.scenarios[i] as ScenarioPlan;
    if (JSON.stringify(s.variants) !== JSON.stringify(t.variants))
      return `${s.name}'s variants ${s.variants.join(',')} vs ${t.variants.join(',')}`;
    const cond = Object.keys(s.conditions).filter(
      (k) => JSON.stringify(s.conditions[k]) !== JSON.stringify(t.conditions[k]),
    );
    if (cond.length)
      return `${s.name}'s conditions: ${cond.map((k) => `${k} ${JSON.stringify(s.conditions[k])} vs ${JSON.stringify(t.conditions[k])}`).join(', ')}`;
    // rounds: where both runs said how they sampled (a dead run's samples file does not), and an interrupted one's
    // count is no plan
    const sa = s.sampling;
    const ta = t.sampling;
    if (
      sa &&
      ta &&
      !(sa.mode === 'fixed' && ta.mode === 'fixed' && (sa.rounds === null || ta.rounds === null)) &&
      JSON.stringify(sa) !== JSON.stringify(ta)
    )
      return `${s.name}'s rounds: ${JSON.stringify(sa)} vs ${JSON.stringify(ta)}`;
  }
  return null;
}

/**
 * Merges one run per host into a fleet. Refuses two runs of one host, and
 * runs of different plans unless `mixed` (then the report compares what they
 * have in common).
 */
export function mergeRuns(
  inputs: readonly { file: string; run: RunResults }[],
  o: { mixed?: boolean; failed?: { host: string; reason: string }[]; now?: Date } = {},
): Fleet {
  if (!inputs.length)
    throw new UserError(
      'nothing to merge',
      'name the results files of the hosts: nsbench merge a.json b.json -o fleet.json',
    );
  const seen = new Map<string, string>();
  for (const { file, run } of inputs) {
    const key = fingerprintKey(fingerprintOf(run));
    const other = seen.get(key);
    if (other)
      throw new UserError(
        `${other} and ${file} are runs of one host (${key})`,
        'merge one run per host (compare two runs of one host with nsbench compare)',
      );
    seen.set(key, file);
  }
  const first = inputs[0] as (typeof inputs)[number];
  const merged = new Set(inputs.map(({ run }) => fingerprintOf(run).hostname));
  const both = (o.failed ?? []).find((f) => merged.has(f.host));
  if (both)
    throw new UserError(
      `--failed ${both.host}: that host's results are merged too`,
      'name only hosts that gave no results, or leave that results file out',
    );
  const plan = planOf(first.run);
  let mixed = false;
  for (const { file, run } of inputs.slice(1)) {
    const diff = planDifference(plan, planOf(run));
    if (!diff) continue;
    if (!o.mixed)
      throw new UserError(
        `${first.file} and ${file} ran different plans: ${diff}`,
        'merge runs of one plan (the same scenarios, variants and options), or add --mixed to merge them anyway',
      );
    mixed = true;
  }
  const keys = new Map<string, number>();
  const hosts = inputs.map(({ file, run }) => {
    const fingerprint = fingerprintOf(run);
    const n = (keys.get(fingerprint.hostname) ?? 0) + 1;
    keys.set(fingerprint.hostname, n);
    return { key: n > 1 ? `${fingerprint.hostname}#${n}` : fingerprint.hostname, fingerprint, file, run };
  });
  return {
    schema: FLEET_SCHEMA,
    schemaVersion: FLEET_SCHEMA_VERSION,
    mergedAt: (o.now ?? new Date()).toISOString(),
    plan: mixed ? null : plan,
    mixedPlans: mixed,
    hosts,
    failed: o.failed ?? [],
  };
}

/** Whether parsed JSON is a fleet file (by its schema field). */
const isFleet = (data: unknown): boolean =>
  !!data && typeof data === 'object' && (data as { schema?: unknown }).schema === FLEET_SCHEMA;

/** A fleet file, checked; every problem is one clear UserError. */
function parseFleet(path: string, data: unknown): Fleet {
  const d = data as Partial<Fleet>;
  if (d.schemaVersion !== FLEET_SCHEMA_VERSION)
    throw new UserError(
      `${path} has fleet schema version ${String(d.schemaVersion)}, this nsbench reads ${FLEET_SCHEMA_VERSION}`,
      'use the nsbench version that wrote it',
    );
  return parseOrFail(fleetSchema, data, path, ': ', "merge the hosts' results again (nsbench merge)");
}

/** What differs between the machines or setups of two runs (compared loudly, not refused). */
export function environmentDifferences(a: RunResults, b: RunResults): string[] {
  const checks: [string, (e: Environment) => unknown][] = [
    ['kernel', (e) => e.kernel?.release],
    ['CPU model', (e) => e.cpu?.model],
    ['cores', (e) => e.cpu?.cores],
    ['cgroup mode', (e) => e.cgroups?.mode],
    ['virtualisation', (e) => e.virtualization?.detected],
    ['hostname', (e) => e.hostname],
  ];
  const out: string[] = [];
  for (const [label, get] of checks) {
    const x = JSON.stringify(get(a.environment));
    const y = JSON.stringify(get(b.environment));
    if (x !== y) out.push(`environments differ: ${label} ${x} vs ${y}`);
  }
  return out;
}

/** One host's figure for one variant: the headline median with its CI, and against the reference host. */
export interface FleetCell {
  host: string;
  n: number;
  median: number | null;
  ci: [number, number] | null;
  /** this host / the reference host, medians, with a bootstrap 95% CI */
  ratio: number | null;
  ratioCI: [number, number] | null;
  p: number | null;
  q: number | null;
  /** q below alpha and the CI excluding no change: this host differs from the reference */
  differs: boolean;
}

interface FleetRow {
  scenario: string;
  variant: string;
  metric: string;
  label: string;
  cells: FleetCell[];
}

export interface FleetAnalysis {
  reference: string;
  rows: FleetRow[];
  /** per host: what differs from the reference host's environment */
  environment: Record<string, string[]>;
  /** scenarios not every host has (a --mixed fleet) */
  partial: string[];
}

const values = (sc: ScenarioResult, variant: string, metric: string) =>
  sc.samples.flatMap((s) =>
    s.state === 'completed' && isMeasured(s) && s.variant === variant && Number.isFinite(s.metrics[metric])
      ? [s.metrics[metric] as number]
      : [],
  );

/**
 * The fleet side by side: per scenario and variant, each host's headline
 * median [95% CI], its ratio to the reference host [bootstrap 95% CI], the
 * Mann-Whitney p and the Benjamini-Hochberg q over every host and row; and
 * per host what differs in its environment.
 */
export function fleetAnalysis(
  fleet: Fleet,
  o: { reference?: string; alpha?: number; seed?: number } = {},
): FleetAnalysis {
  const alpha = o.alpha ?? 0.05;
  const ref = o.reference
    ? fleet.hosts.find((h) => h.key === o.reference || h.fingerprint.hostname === o.reference)
    : fleet.hosts[0];
  if (!ref)
    throw new UserError(
      `no host "${o.reference}" in this fleet (it has ${fleet.hosts.map((h) => h.key).join(', ')})`,
      'name one of its hosts with --reference',
    );
  const rows: FleetRow[] = [];
  const partial: string[] = [];
  for (const sc of ref.run.scenarios) {
    const per = fleet.hosts.map((h) => ({ host: h, sc: h.run.scenarios.find((s) => s.name === sc.name) }));
    if (per.some((p) => !p.sc)) partial.push(sc.name);
    const { metric, label } = headlineOf(sc);
    for (const v of sc.variants) {
      const refValues = values(sc, v.id, metric);
      const cells: FleetCell[] = per.map(({ host, sc: hsc }) => {
        const xs = hsc ? values(hsc, v.id, metric) : [];
        const isRef = host === ref;
        const r = !isRef && xs.length && refValues.length ? ratioOfMediansCI(xs, refValues, o.seed ?? 1, 1000) : null;
        return {
          host: host.key,
          n: xs.length,
          median: xs.length ? median(xs) : null,
          ci: xs.length ? medianCI(xs) : null,
          ratio: isRef ? 1 : (r?.ratio ?? null),
          ratioCI: r ? [r.low, r.high] : null,
          p: r ? mannWhitneyU(xs, refValues).p : null,
          q: null,
          differs: false,
        };
      });
      rows.push({ scenario: sc.name, variant: v.id, metric, label, cells });
    }
  }
  const tested = rows.flatMap((r) => r.cells.filter((c) => c.p !== null));
  const qs = benjaminiHochberg(tested.map((c) => c.p as number));
  tested.forEach((c, i) => {
    c.q = qs[i] as number;
    c.differs = c.q < alpha && !!c.ratioCI && (c.ratioCI[0] > 1 || c.ratioCI[1] < 1);
  });
  const environment = Object.fromEntries(
    fleet.hosts.map((h) => [
      h.key,
      h === ref ? [] : environmentDifferences(ref.run, h.run).map((d) => d.replace(/^environments differ: /, '')),
    ]),
  );
  return { reference: ref.key, rows, environment, partial };
}

/** A results file or a fleet file, told apart by its schema field; every problem is one clear UserError. */
export async function loadRunOrFleet(
  path: string,
): Promise<{ kind: 'run'; run: RunResults } | { kind: 'fleet'; fleet: Fleet }> {
  if (path.endsWith('.jsonl')) return { kind: 'run', run: await loadResults(path) };
  const text = readResultsText(path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: 'run', run: parseResultsJson(path, text) }; // its own message for a corrupt file
  }
  return isFleet(data)
    ? { kind: 'fleet', fleet: parseFleet(path, data) }
    : { kind: 'run', run: parseResultsJson(path, text) };
}
