import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ScenarioKind } from '../results/index.ts';

/**
 * How long a run will take, and how long it has left. Each scenario's cost is
 * its expected samples times a cost per sample, plus its setup: the cost per
 * sample comes from the last run of the same scenario on this host where the
 * results folder has one, else from the kind of the scenario (a table measured
 * on a 2-core VM), scaled by how fast this machine turned out to be in the
 * scenarios already run. While a scenario runs, its own pace replaces the
 * estimate. An adaptive scenario is expected to run to its budget or its
 * maxRounds, whichever is sooner (a precision reached earlier only shortens it).
 */

/**
 * Seconds per sample by kind, on the 2-core reference VM (the full bench of 2026-12-01); a launch is priced by what it
 * runs (launchSeconds).
 */
const KIND_SECONDS: Record<Exclude<ScenarioKind, 'launch'>, number> = {
  freeze: 0.05,
  network: 0.4,
  density: 7,
  isolation: 0.05,
  interference: 0.75,
  scaling: 1,
};
/** Seconds a scenario spends outside its samples (launcher and trace set-up, held sandboxes, teardown), by kind. */
const SETUP_SECONDS: Record<ScenarioKind, number> = {
  launch: 0.3,
  freeze: 2,
  network: 2,
  density: 2,
  isolation: 1,
  interference: 1,
  scaling: 0.5,
};

interface ScenarioEstimate {
  name: string;
  kind: ScenarioKind;
  variants: number;
  /** samples per round (variants × burst length) */
  perRound: number;
  warmup: number;
  /** fixed: the rounds; adaptive: at most this many */
  maxRounds: number;
  minRounds: number;
  budgetS: number | null;
  /** seconds per sample before any of this run's samples */
  secondsPerSample: number;
  /** where that came from */
  basis: 'last-run' | 'kind';
  /** seconds outside the samples, where the last run says (else by kind) */
  setupS?: number | null;
}

const setupOf = (e: ScenarioEstimate) => e.setupS ?? SETUP_SECONDS[e.kind];

/**
 * What the last run of a scenario on this host took: seconds per sample (overall and by variant) and outside its
 * samples.
 */
interface LastCost {
  perSample: number;
  byVariant: Map<string, number>;
  /** the scenario's wall time beyond its samples' span (set-up, teardown), where it was recorded */
  setupS: number | null;
}

/**
 * The last results on this host (the newest files in `outDir`): for each
 * scenario they ran, the time from one sample to the next, attributed to the
 * later sample's variant (a subset of the variants costs what those variants
 * cost), and the scenario's time outside its samples.
 */
export function lastRunCosts(outDir: string, wanted?: readonly string[], host = hostname()): Map<string, LastCost> {
  const out = new Map<string, LastCost>();
  let files: string[];
  try {
    files = readdirSync(outDir).filter((f) => /^\d{8}-\d{6}-[0-9a-f]{4}\.json$/.test(f));
  } catch {
    return out;
  }
  // regular files only: reading a FIFO named like a results file would block the run before it starts,
  // and a dangling link or a folder is no earlier run
  const newest = files
    .flatMap((f) => {
      try {
        const st = statSync(join(outDir, f));
        return st.isFile() ? [{ f, t: st.mtimeMs }] : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.t - a.t)
    .slice(0, 5);
  for (const { f } of newest) {
    // each file is parsed whole (up to megabytes): no more of them than the planned scenarios need
    if (wanted?.every((w) => out.has(w))) break;
    try {
      const run = JSON.parse(readFileSync(join(outDir, f), 'utf8')) as {
        environment?: { hostname?: string };
        scenarios?: {
          name: string;
          sampling?: { wallS?: number };
          samples: { at?: { requestNs?: number } | string; seq: number; variant: string }[];
        }[];
      };
      if (run.environment?.hostname !== host) continue;
      for (const sc of run.scenarios ?? []) {
        if (out.has(sc.name)) continue;
        // when each launch was asked for: the launcher's monotonic clock (one clock within a run)
        const when = (at: { requestNs?: number } | string | undefined) =>
          typeof at === 'object' && typeof at.requestNs === 'number'
            ? at.requestNs / 1e9
            : typeof at === 'string'
              ? Date.parse(at) / 1000
              : NaN;
        const timed = sc.samples
          .flatMap((s) => (Number.isFinite(when(s.at)) ? [{ t: when(s.at), v: s.variant, seq: s.seq }] : []))
          .sort((a, b) => a.seq - b.seq);
        if (timed.length < 4) {
          // samples that are no launch (a freeze, a ramp) carry no launch time: the scenario's wall time over its
          // samples
          const wall = sc.sampling?.wallS;
          if (wall !== undefined && sc.samples.length)
            out.set(sc.name, { perSample: wall / sc.samples.length, byVariant: new Map(), setupS: 0 });
          continue;
        }
        const by = new Map<string, number[]>();
        let all = 0;
        for (let i = 1; i < timed.length; i++) {
          const gap = Math.max(0, (timed[i] as { t: number }).t - (timed[i - 1] as { t: number }).t);
          all += gap;
          const v = (timed[i] as { v: string }).v;
          const group = by.get(v);
          if (group) group.push(gap);
          else by.set(v, [gap]);
        }
        const span = (timed.at(-1) as { t: number }).t - (timed[0] as { t: number }).t;
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        out.set(sc.name, {
          perSample: all / (timed.length - 1),
          byVariant: new Map([...by].map(([v, gaps]) => [v, mean(gaps)])),
          setupS: sc.sampling?.wallS !== undefined ? Math.max(0, sc.sampling.wallS - span) : null,
        });
      }
    } catch {
      // a damaged file teaches nothing
    }
  }
  return out;
}

type Workload = { builtin: string } | { tool: string } | { command: string[] };

/**
 * A launch's seconds by what it runs (2-core reference VM): the no-op, another built-in, a real tool (which runs for a
 * second or so), a program.
 */
function launchSeconds(w: Workload): number {
  return 'builtin' in w ? (w.builtin === 'noop' ? 0.006 : 0.08) : 'tool' in w ? 0.8 : 0.1;
}

/** What the runner plans for one scenario, as the estimate needs it. */
interface PlannedScenario {
  name: string;
  kind: ScenarioKind;
  /** each variant's id and what it runs */
  variants: { id: string; workload: Workload }[];
  /** samples per variant per round (a back-to-back burst and its lead-in) */
  perVariant: number;
  warmup: number;
  rounds: number;
  adaptive: { minRounds: number; budgetMs: number | null } | null;
}

/**
 * A scenario's estimate: the planned variants at what each cost in the last
 * run on this host (one not run then: that scenario's mean), else each launch
 * by what it runs, else the kind's cost.
 */
export function scenarioEstimate(p: PlannedScenario, last: LastCost | undefined): ScenarioEstimate {
  const n = Math.max(1, p.variants.length);
  const mean = (f: (v: PlannedScenario['variants'][number]) => number) => p.variants.reduce((t, v) => t + f(v), 0) / n;
  return {
    name: p.name,
    kind: p.kind,
    variants: p.variants.length,
    perRound: p.variants.length * p.perVariant,
    warmup: p.warmup,
    maxRounds: p.rounds,
    minRounds: p.adaptive?.minRounds ?? p.rounds,
    budgetS: p.adaptive?.budgetMs ? p.adaptive.budgetMs / 1000 : null,
    secondsPerSample: last
      ? mean((v) => last.byVariant.get(v.id) ?? last.perSample)
      : p.kind === 'launch'
        ? mean((v) => launchSeconds(v.workload))
        : KIND_SECONDS[p.kind],
    basis: last ? 'last-run' : 'kind',
    setupS: last?.setupS ?? null,
  };
}

/** The rounds a scenario is expected to run: its maxRounds, or as many as its budget holds, never under minRounds. */
function expectedRounds(e: ScenarioEstimate, secondsPerSample: number): number {
  if (e.budgetS === null) return e.maxRounds;
  const round = Math.max(1e-6, e.perRound * secondsPerSample);
  const fits = Math.floor((e.budgetS - setupOf(e) - e.warmup * round) / round);
  return Math.max(e.minRounds, Math.min(e.maxRounds, fits));
}

function scenarioSeconds(e: ScenarioEstimate, speed: number): number {
  const sps = e.secondsPerSample * speed;
  return setupOf(e) + (e.warmup + expectedRounds(e, sps)) * e.perRound * sps;
}

/**
 * The run's estimate as it goes: call `scenario(i)` when scenario i starts, `sample()` after each sample, `total()` for
 * the expected total seconds.
 */
export class RunEstimate {
  readonly #plan: ScenarioEstimate[];
  #current = -1;
  #currentStart = 0;
  #currentSamples = 0;
  readonly #runStart: number;
  /** per finished scenario: actual seconds / estimated seconds (at speed 1) */
  readonly #ratios: number[] = [];
  #extra = 0;
  constructor(plan: ScenarioEstimate[], now = performance.now()) {
    this.#plan = plan;
    this.#runStart = now;
  }
  get plan(): readonly ScenarioEstimate[] {
    return this.#plan;
  }
  get current(): number {
    return this.#current;
  }
  /** how much slower (> 1) or faster this machine is than the estimates, from the finished scenarios */
  speed(): number {
    if (!this.#ratios.length) return 1;
    const logs = this.#ratios.map((r) => Math.log(r));
    return Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
  }
  scenario(i: number, now = performance.now()): void {
    if (this.#current >= 0 && this.#current < this.#plan.length) this.#finish(now);
    this.#current = i;
    this.#currentStart = now;
    this.#currentSamples = 0;
    this.#extra = 0;
  }
  #finish(now: number): void {
    const e = this.#plan[this.#current] as ScenarioEstimate;
    // judge the estimate of the samples that ran, not of a plan that stopped early
    const expected = setupOf(e) + this.#currentSamples * e.secondsPerSample;
    if (this.#currentSamples > 0 && e.basis === 'kind') this.#ratios.push((now - this.#currentStart) / 1000 / expected);
  }
  sample(): void {
    this.#currentSamples++;
  }
  /** samples added to (a round run again) or taken from (an adaptive stop) the current scenario's plan */
  grow(extra: number): void {
    this.#extra += extra;
  }
  /** expected samples of the current scenario in all */
  currentPlanned(now = performance.now()): number {
    const e = this.#plan[this.#current];
    if (!e) return 0;
    return Math.max(
      this.#currentSamples,
      (e.warmup + expectedRounds(e, this.#pace(e, now))) * e.perRound + this.#extra,
    );
  }
  /** seconds per sample of the current scenario: its own pace once it has three samples, else the estimate */
  #pace(e: ScenarioEstimate, now: number): number {
    return this.#currentSamples >= 3
      ? (now - this.#currentStart) / 1000 / this.#currentSamples
      : e.secondsPerSample * this.speed();
  }
  currentDone(): number {
    return this.#currentSamples;
  }
  /** seconds the current scenario still needs */
  currentLeft(now = performance.now()): number {
    const e = this.#plan[this.#current];
    if (!e) return 0;
    const elapsed = (now - this.#currentStart) / 1000;
    let left = (this.currentPlanned(now) - this.#currentSamples) * this.#pace(e, now);
    if (e.budgetS !== null) left = Math.min(left, Math.max(0, e.budgetS - elapsed));
    return Math.max(0, left);
  }
  /** expected seconds of the whole run: elapsed, the current scenario's rest, the scenarios to come */
  total(now = performance.now()): number {
    const elapsed = (now - this.#runStart) / 1000;
    const speed = this.speed();
    const rest = this.#plan
      .slice(this.#current + 1)
      .reduce((t, e) => t + scenarioSeconds(e, e.basis === 'kind' ? speed : 1), 0);
    return elapsed + (this.#current >= 0 ? this.currentLeft(now) : 0) + rest;
  }
  elapsed(now = performance.now()): number {
    return (now - this.#runStart) / 1000;
  }
}
