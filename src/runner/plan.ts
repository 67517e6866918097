// The one place a run is planned: which rounds, warm-up, pacing, burst, adaptive sampling, kernel tracing and CPU
// placement each scenario runs with — from the scenario file, a profile of bench.config.ts, the command line and the
// defaults, in that order of precedence — and which options apply to which scenario kinds. The CLI parses and calls
// it (profileSampling, checkOptionKinds, planFloorSeconds); the runner runs what planScenarios resolves.
import os from 'node:os';
import type { ResolvedConfig, ResolvedProfile } from '../config/index.ts';
import { UserError } from '../errors/index.ts';
import type { CreateMethod, Pace } from '../results/index.ts';
import { keepVariants, type ResolvedVariant, type Scenario } from '../scenario/index.ts';
import { knownList } from '../util/index.ts';
import type { PlacementAsk } from './cpus.ts';
import type { KernelTraceAsk } from './kernel-trace.ts';
import { PACING_DEFAULTS, type Pacing } from './pacing.ts';
import { ADAPTIVE_DEFAULTS, type Adaptive } from './sampling.ts';

/** A profile's rounds, warm-up and adaptive sampling for one scenario (over the scenario's own). */
export interface ScenarioSampling {
  rounds?: number;
  warmup?: number;
  adaptive?: Adaptive;
}

/** What a run is asked for, before it is planned (RunOptions carries these). */
export interface PlanOptions {
  scenarios: Scenario[];
  /** Override the scenarios' own rounds/warm-up (`--rounds` fixes the rounds: no adaptive sampling then). */
  rounds?: number;
  warmup?: number;
  /** Per scenario (by name), from the profile: over the scenario's own, under `rounds`/`warmup`. */
  sampling?: Record<string, ScenarioSampling>;
  /** Used when a scenario sets none. */
  defaultRounds: number;
  defaultWarmup: number;
  defaultTimeoutMs: number;
  /** Replace every launch scenario's variants (from `run --ns`). */
  variants?: ResolvedVariant[];
  /** Pace the launch scenarios this way (`--pace`), keep this gap (`--gap-ms`), bursts this long (`--burst`). */
  pace?: Pace;
  gapMs?: number;
  burst?: number;
  /** false: do not trace the kernel's deferred work (`--no-kernel-work`). */
  kernelWork?: boolean;
  /** attribute every launch of the launch scenarios to kernel work (`--kernel-trace`); a scenario may ask itself */
  kernelTrace?: KernelTraceAsk;
  /** where launch scenarios' launchers and sandboxes run (`--placement`; default auto: cpus.ts PlacementAsk) */
  placement?: PlacementAsk;
  /** the CPUs the run may use (default: this machine's), for the scaling cap */
  cpus?: number;
  /** how the launcher makes sandboxes (`--create`, over the scenarios' own) */
  create?: CreateMethod;
  /** where neither says (default DEFAULT_CREATE; a resumed run keeps the default it started with) */
  defaultCreate?: CreateMethod;
}

/** One scenario as the run will run it. */
export interface ScenarioPlan {
  sc: Scenario;
  /** adaptive sampling, or null: fixed rounds */
  adaptive: Adaptive | null;
  /** the rounds to run: the fixed number, or adaptive sampling's most */
  rounds: number;
  warmup: number;
  variants: ResolvedVariant[];
  timeoutMs: number;
  pacing: Pacing;
  /** kernel attribution of every launch, or null */
  trace: KernelTraceAsk | null;
  /** whether the deferred teardown work is traced, and why (for the results) */
  kernelWork: { asked: boolean; why: string };
  /** asked for; what it comes to for this scenario is decided where its CPUs are known (cpus.ts placementFor) */
  placement: PlacementAsk;
  /** what the plan changed and the run says when the scenario starts (the K above this machine's cap, left out) */
  notes: string[];
  /** how the launcher makes the scenario's sandboxes */
  create: CreateMethod;
}

/**
 * How sandboxes are made unless a scenario or `--create` says otherwise: vfork-style, the fastest creation the kernel
 * allows — fork-style copies the launcher's page tables on every launch, a cost of nsbench's own on top of what it
 * measures (about 0.6 ms of 1.5 on the 2-core machine nsbench is built on; `npm run perf:launcher` measures both),
 * while a namespace costs the same either way. fork-style stays selectable: runc and most tools fork.
 */
export const DEFAULT_CREATE: CreateMethod = 'vfork';

/** The kinds whose figures compare how fast variants' sandboxes are made (a boot, a launch rate). */
const COMPARES_CREATION = new Set<Scenario['kind']>(['launch', 'interference', 'scaling', 'density']);

/**
 * How a scenario's sandboxes are made once its variants are known: vfork-style only where every variant it compares
 * can be made so — a user namespace mapped to another uid, or a placement by cgroup.procs writes (cgroup v1, as on a
 * hybrid machine), needs the launcher between clone and exec, and one variant made fork-style beside the others made
 * vfork-style would differ by the method, not the isolation. Then the whole scenario is made fork-style, and `why`
 * says so. `placesByWrite` is asked only where a variant has a cgroup of its own.
 */
export function scenarioCreate(
  plan: Pick<ScenarioPlan, 'sc' | 'variants' | 'create'>,
  placesByWrite: () => boolean,
  ids: { uid: number; gid: number } = { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 },
): { create: CreateMethod; why: string | null } {
  if (plan.create !== 'vfork' || !COMPARES_CREATION.has(plan.sc.kind)) return { create: plan.create, why: null };
  const blocker = (v: ResolvedVariant): string | null => {
    if (v.engine) return null;
    if (v.ns.includes('user') && v.userMap && (v.userMap.uid !== ids.uid || v.userMap.gid !== ids.gid))
      return `${v.id} maps its user namespace to another uid`;
    if ((v.cgroup || v.density?.perSandboxCgroup) && placesByWrite())
      return `${v.id} is placed in its cgroup by cgroup.procs writes (cgroup v1)`;
    return null;
  };
  const why = plan.variants.map(blocker).find((b) => b !== null);
  return why
    ? {
        create: 'fork',
        why: `made fork-style throughout: ${why}, which vfork-style cannot do, and one way for every variant keeps them comparable`,
      }
    : { create: 'vfork', why: null };
}

/** Launchers per CPU a scaling scenario may run at once: K above this × the CPUs is left out (the machine answers). */
const SCALING_K_PER_CPU = 4;

/** The variants a scaling scenario runs on `cpus` CPUs (K at most SCALING_K_PER_CPU × cpus), and what was dropped. */
export function capScaling(
  variants: readonly ResolvedVariant[],
  cpus: number,
): { variants: ResolvedVariant[]; note: string | null } {
  const cap = SCALING_K_PER_CPU * Math.max(1, cpus);
  const kept = variants.filter((v) => (v.scaling?.k ?? 1) <= cap);
  const dropped = [...new Set(variants.filter((v) => !kept.includes(v)).map((v) => v.scaling?.k ?? 1))];
  return {
    variants: kept,
    note: dropped.length
      ? `note: K = ${dropped.join(', ')} left out: at most ${cap} launchers at once on ${cpus} CPU${cpus === 1 ? '' : 's'} (${SCALING_K_PER_CPU} per CPU), so that the machine stays responsive`
      : null,
  };
}

/** Each scenario as the run will run it. */
export function planScenarios(o: PlanOptions): ScenarioPlan[] {
  const cpus = o.cpus ?? os.availableParallelism();
  return o.scenarios.map((sc) => {
    const own = o.sampling?.[sc.name];
    const launch = sc.kind === 'launch';
    const adaptive = o.rounds === undefined ? (own?.adaptive ?? null) : null;
    const pacing = pacingOf(sc, o);
    const trace = launch ? mergeAsk(sc.kernelTrace, o.kernelTrace) : null;
    // tracing runs only when asked for: kernelTrace (scenario or --kernel-trace), kernelWork, or quiesced pacing
    // (its quiet judgement)
    const asked = o.kernelWork !== false && (sc.kernelWork ?? (trace !== null || pacing.pace === 'quiesced'));
    const capped = sc.kind === 'scaling' ? capScaling(sc.variants, cpus) : { variants: sc.variants, note: null };
    return {
      sc,
      adaptive,
      rounds: adaptive ? adaptive.maxRounds : (o.rounds ?? own?.rounds ?? sc.rounds ?? o.defaultRounds),
      warmup: o.warmup ?? own?.warmup ?? sc.warmup ?? o.defaultWarmup,
      variants: o.variants && launch ? o.variants : capped.variants,
      timeoutMs: sc.timeoutMs ?? o.defaultTimeoutMs,
      pacing,
      trace,
      kernelWork: { asked, why: workWhy(sc.kernelWork, o.kernelWork, trace !== null, pacing.pace) },
      placement: (launch ? (o.placement ?? sc.placement) : undefined) ?? 'auto',
      notes: capped.note ? [capped.note] : [],
      create: o.create ?? sc.create ?? o.defaultCreate ?? DEFAULT_CREATE,
    };
  });
}

/** How a scenario's launches are paced: the command line's choice for launch scenarios, else the scenario's. */
function pacingOf(sc: Scenario, o: PlanOptions): Pacing {
  const launch = sc.kind === 'launch';
  const pace = (launch ? (o.pace ?? sc.pace) : sc.pace) ?? 'interleaved';
  return {
    pace,
    gapMs: (launch ? (o.gapMs ?? sc.gapMs) : undefined) ?? 0,
    burst: pace === 'back-to-back' ? (o.burst ?? sc.burst ?? PACING_DEFAULTS.burst) : 0,
    quiesceTimeoutMs: sc.quiesceTimeoutMs ?? PACING_DEFAULTS.quiesceTimeoutMs,
  };
}

/** The scenario's kernelTrace and --kernel-trace together: the stricter of each. */
function mergeAsk(a: KernelTraceAsk | null, b: KernelTraceAsk | undefined): KernelTraceAsk | null {
  if (!a && !b) return null;
  return {
    functions: (a?.functions ?? false) || (b?.functions ?? false),
    footprint: (a?.footprint ?? false) || (b?.footprint ?? false),
  };
}

/** Why the teardown work is (not) traced, for the results. */
function workWhy(scenario: boolean | undefined, cli: boolean | undefined, traced: boolean, pace: string): string {
  if (cli === false) return 'turned off (--no-kernel-work)';
  if (scenario === false) return 'turned off (kernelWork: false)';
  if (scenario === true) return 'asked for (kernelWork: true)';
  if (traced) return 'asked for (kernelTrace)';
  if (pace === 'quiesced') return 'asked for (quiesced pacing judges a quiet kernel by it)';
  return 'not asked for (kernelWork: true, kernelTrace or --kernel-trace trace it)';
}

/** The options that change only launch scenarios, as the command line gave them. */
interface LaunchOnlyOptions {
  ns?: boolean;
  pace?: Pace;
  gapMs?: number;
  burst?: number;
  placement?: PlacementAsk;
  kernelTrace?: true | 'on' | 'functions' | 'footprint';
}

/**
 * One rule for the options that apply to launch scenarios only: refused where no scenario of the run is one, said
 * (the notes returned) where some are not. --burst needs back-to-back pacing somewhere.
 */
export function checkOptionKinds(scenarios: readonly Scenario[], o: LaunchOnlyOptions): string[] {
  const others = scenarios.filter((s) => s.kind !== 'launch').map((s) => s.name);
  const notes: string[] = [];
  const rule = (given: boolean, flag: string, why: string, fix: string, note: string) => {
    if (!given) return;
    if (others.length === scenarios.length)
      throw new UserError(`${flag}: none of ${others.join(', ')} is a launch scenario${why}`, fix);
    if (others.length) notes.push(`note: ${flag} ${note.replace('{others}', others.join(', '))}`);
  };
  const launchFix = (flag: string) => `run a launch scenario (boot, cpu, memory, io, engines, …) or leave ${flag} out`;
  const own = 'applies to the launch scenarios; {others} keep their own procedure';
  rule(
    o.pace !== undefined && o.pace !== 'interleaved',
    `--pace ${o.pace}`,
    ' (the others keep their own procedure)',
    launchFix('--pace'),
    own,
  );
  rule(o.gapMs !== undefined, `--gap-ms ${o.gapMs}`, ', the only kind it applies to', launchFix('--gap-ms'), own);
  rule(
    o.placement !== undefined,
    `--placement ${o.placement}`,
    ', the only kind it applies to',
    launchFix('--placement'),
    own,
  );
  rule(
    Boolean(o.kernelTrace),
    '--kernel-trace',
    ' (it attributes launches to kernel work)',
    'run a launch scenario (boot, cpu, …) or leave --kernel-trace out',
    'traces the launch scenarios; {others} are not traced',
  );
  if (o.burst !== undefined && (o.pace ?? 'interleaved') !== 'back-to-back')
    if (!scenarios.some((s) => s.pace === 'back-to-back'))
      throw new UserError(
        '--burst is the length of a back-to-back burst',
        'add --pace back-to-back, or leave --burst out',
      );
  rule(
    o.ns === true,
    '--ns',
    ', whose variants --ns replaces',
    'run a launch scenario (boot, cpu, …), or change the variants in the scenario file',
    'replaces the variants of the launch scenarios; {others} keep their own',
  );
  return notes;
}

/** "*" matches any characters; the rest matches itself. */
function matcher(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/**
 * What a profile makes of one scenario: its variants filtered by the profile's patterns (each must match one), its
 * network tests lengthened by durationScale, and its rounds, warm-up and adaptive sampling — the profile's for the
 * scenario over the profile's own, over the scenario file's.
 */
export function profileSampling(
  profile: ResolvedProfile,
  sc: Scenario,
  config: ResolvedConfig,
  nsGiven: boolean,
): { sc: Scenario; sampling: ScenarioSampling } {
  const own = profile.scenarios.find((s) => s.name === sc.name);
  let out = sc;
  if (own?.variants && !(nsGiven && sc.kind === 'launch')) {
    const ids = sc.variants.map((v) => v.id);
    for (const p of own.variants)
      if (!ids.some((id) => matcher(p).test(id)))
        throw new UserError(
          `profile ${profile.name}: ${sc.name}: no variant matches "${p}"${knownList(p, ids.slice(0, 40))}`,
          `fix the pattern in bench.config.ts ("*" matches any characters)`,
        );
    out = keepVariants(sc, (v) => own.variants?.some((p) => matcher(p).test(v.id)) ?? true);
  }
  if (own?.durationScale !== undefined && sc.kind !== 'network')
    throw new UserError(
      `profile ${profile.name}: ${sc.name}: durationScale lengthens network tests, and ${sc.name} is a ${sc.kind} scenario`,
      'leave durationScale out for it (roundsScale or rounds change how long it runs)',
    );
  out = lengthened(out, own?.durationScale ?? profile.durationScale);
  const rounds = own?.rounds ?? Math.max(1, Math.round((sc.rounds ?? config.rounds) * profile.roundsScale));
  const warmup = own?.warmup ?? profile.warmup;
  const spec =
    own?.adaptive === false
      ? undefined
      : own?.adaptive || profile.adaptive
        ? { ...profile.adaptive, ...(own?.adaptive || {}) }
        : undefined;
  let adaptive: Adaptive | undefined;
  if (spec) {
    const maxRounds = spec.maxRounds ?? rounds;
    adaptive = {
      precisionPct: spec.precisionPct ?? ADAPTIVE_DEFAULTS.precisionPct,
      minRounds: Math.min(spec.minRounds ?? ADAPTIVE_DEFAULTS.minRounds, maxRounds),
      maxRounds,
      budgetMs: spec.budgetS !== undefined ? spec.budgetS * 1000 : null,
    };
  }
  return {
    sc: out,
    sampling: { rounds, ...(warmup !== undefined ? { warmup } : {}), ...(adaptive ? { adaptive } : {}) },
  };
}

/** A network scenario's tests lengthened `scale` times (iperf3 takes whole seconds; nsbench's own stream any length). */
function lengthened(sc: Scenario, scale: number): Scenario {
  if (scale === 1 || sc.kind !== 'network') return sc;
  return {
    ...sc,
    variants: sc.variants.map((v) => ({
      ...v,
      net: {
        ...v.net,
        ...(v.net.seconds !== undefined
          ? {
              seconds: v.net.tool === 'iperf3' ? Math.max(1, Math.round(v.net.seconds * scale)) : v.net.seconds * scale,
            }
          : {}),
        ...(v.net.count !== undefined ? { count: Math.max(1, Math.round(v.net.count * scale)) } : {}),
      },
    })),
  };
}

/**
 * The least one sample of each kind takes on a fast machine: a floor, not an
 * estimate (a 2-core VM takes two to five times as long). Enough to tell a
 * plan of minutes from one of days before it starts.
 */
const FLOOR_SECONDS: Record<Scenario['kind'], (sc: Scenario) => number> = {
  launch: () => 0.002,
  freeze: () => 0.03,
  network: (sc) => Math.max(0.2, ...sc.variants.map((v) => v.net?.seconds ?? 0.2)),
  density: (sc) => Math.max(...sc.variants.map((v) => (v.density?.target ?? 0) * 0.003 + 2)),
  isolation: () => 0.05,
  interference: () => 0.3,
  scaling: (sc) => Math.max(...sc.variants.map((v) => ((v.scaling?.k ?? 1) * (v.scaling?.launches ?? 20) * 0.001) / 2)),
};

/**
 * The least a plan can take (seconds): rounds (adaptive sampling's fewest) × variants × bursts × the floor of a
 * sample of its kind.
 */
export function planFloorSeconds(plans: readonly ScenarioPlan[]): number {
  return plans.reduce(
    (t, p) =>
      t +
      ((p.adaptive ? p.adaptive.minRounds : p.rounds) + p.warmup) *
        p.variants.length *
        (p.pacing.burst + 1) *
        FLOOR_SECONDS[p.sc.kind](p.sc),
    0,
  );
}

/**
 * A plan that would hold more namespaces of a kind at once than the kernel lets a user (user.max_<kind>_namespaces)
 * is refused before anything runs, the limit named: a density ramp holds its whole target at once. `limit` reads
 * the sysctl (host namespaceLimit; a test passes its own).
 */
export function checkNamespaceLimits(plans: readonly ScenarioPlan[], limit: (kind: string) => number | null): void {
  for (const p of plans) {
    if (p.sc.kind !== 'density') continue;
    for (const v of p.variants) {
      const target = v.density?.target ?? 0;
      for (const kind of v.ns) {
        const max = limit(kind);
        if (max !== null && target > max)
          throw new UserError(
            `${p.sc.name}/${v.id}: a ramp holds ${target} ${kind} namespaces at once, more than user.max_${kind}_namespaces (${max}) allows`,
            `lower density.target to ${max} or less, or raise the limit (sysctl -w user.max_${kind}_namespaces=${2 * target})`,
          );
      }
    }
  }
}

/** A plan longer than this asks for --yes. */
export const LONG_PLAN_SECONDS = 3600;
