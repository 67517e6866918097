import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { type CompareResult, compareMarkdown, compareRuns, compareText } from '../../compare/index.ts';
import { loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { ENGINES } from '../../engines/index.ts';
import { errorMessage, UserError } from '../../errors/index.ts';
import { type Knob, openKnob, registry, restoreKnob, writeKnob } from '../../host/index.ts';
import { type LaunchResult, SandboxLauncher, type SandboxSpec } from '../../launcher/index.ts';
import { terminalWidth } from '../../report/index.ts';
import type { RunResults, ScenarioResult } from '../../results/index.ts';
import {
  type Launchable,
  LONG_PLAN_SECONDS,
  type RunOutcome,
  runBenchmark,
  TerminalProgress,
} from '../../runner/index.ts';
import { loadScenario, parseVariantSpecs, type ResolvedVariant, type Scenario } from '../../scenario/index.ts';
import { outputFile, writing } from '../../util/index.ts';

export interface AbCommandOptions {
  /** PATH=A,B: a sysctl or /sys setting, A's value and B's */
  knob?: string;
  /** two builds of the workload program: A's and B's (absolute paths) */
  programA?: string;
  programB?: string;
  /** two builds of nsbench's launcher (nsb-launcher): A's and B's */
  launcherA?: string;
  launcherB?: string;
  /**
   * two builds of an engine's program (runc, crun, bwrap, unshare): A's and B's, for the variants that launch through
   * an engine
   */
  engineA?: string;
  engineB?: string;
  ns?: string[];
  rounds?: number;
  warmup?: number;
  seed?: number;
  out?: string;
  config?: string;
  threshold?: number;
  alpha?: number;
  markdown?: string;
  json?: boolean;
  quiet?: boolean;
}

const SIDES = ['A', 'B'] as const;
type SideName = (typeof SIDES)[number];

/** A variant's id on one side: "<id>@A" / "<id>@B". */
const sideId = (id: string, side: SideName) => `${id}@${side}`;
const sideOfId = (id: string): { id: string; side: SideName } | null => {
  const m = /^(.*)@([AB])$/.exec(id);
  return m ? { id: m[1] as string, side: m[2] as SideName } : null;
};

/** What tells the sides apart, in words and as what to do before each launch. */
interface Sides {
  what: string;
  A: string;
  B: string;
  /** the variants of one side (the program sides change the workload) */
  variant: (v: ResolvedVariant, sc: Scenario, side: SideName) => ResolvedVariant;
  /** before a launch of this side (the knob is written when it changes) */
  before: (side: SideName) => void;
  /** put back what was changed; an error message or null */
  restore: () => string | null;
  /** the launcher the run starts (two launcher builds: both, each launch through its side's) */
  startLauncher?: () => Launchable;
  /** which of a scenario's variants the sides apply to (engine builds: those launched through that engine), in words */
  keep?: (v: ResolvedVariant) => boolean;
  keeps?: string;
}

/**
 * Two launcher processes behind one: each launch goes to the launcher of the
 * side whose variant is next (set before each launch). Both are placed on the
 * sandboxes' CPUs alike (`pids`).
 */
class SideLauncher implements Launchable {
  current: SideName = 'A';
  constructor(private readonly sides: Record<SideName, SandboxLauncher>) {}
  get pid(): number {
    return this.sides[this.current].pid;
  }
  get pids(): number[] {
    return SIDES.map((s) => this.sides[s].pid);
  }
  run(spec: SandboxSpec): Promise<LaunchResult> {
    return this.sides[this.current].run(spec);
  }
  runMany(spec: SandboxSpec, count: number): Promise<LaunchResult[]> {
    return this.sides[this.current].runMany(spec, count);
  }
  close(): void {
    for (const s of SIDES) this.sides[s].close();
  }
}

/**
 * `[NAME=]PATH`: the engine and its program; the name from the program's file name where it is not given (runc-1.2 →
 * runc).
 */
function engineBuild(spec: string): { engine: string; path: string } {
  const eq = spec.indexOf('=');
  const path = eq > 0 ? spec.slice(eq + 1) : spec;
  const named = eq > 0 ? spec.slice(0, eq) : null;
  const engines = Object.keys(ENGINES);
  const engine = named ?? engines.find((e) => basename(path).startsWith(e)) ?? null;
  if (!engine || !engines.includes(engine))
    throw new UserError(
      `--engine-a/--engine-b ${spec}: ${named ? `no engine "${named}"` : 'which engine is it?'} (known: ${engines.join(', ')})`,
      'name it: --engine-a runc=/path/to/runc',
    );
  checkBuild(path, '--engine-a/--engine-b', 'engine', 'give the path of the engine program of each build');
  return { engine, path };
}

/**
 * A build given by path: absolute, a regular file with an execute bit (root passes access(X_OK) on any file that has
 * one).
 */
function checkBuild(path: string, flags: string, what: string, fix: string): void {
  if (!path.startsWith('/'))
    throw new UserError(
      `${flags} ${path} is not an absolute path`,
      `give each build of the ${what} as an absolute path`,
    );
  let ok = false;
  try {
    accessSync(path, constants.X_OK);
    const st = statSync(path);
    ok = st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    ok = false;
  }
  if (!ok) throw new UserError(`${what} ${path} is not an executable file`, fix);
}

function engineSides(specA: string, specB: string): Sides {
  const a = engineBuild(specA);
  const b = engineBuild(specB);
  if (a.engine !== b.engine)
    throw new UserError(`--engine-a is ${a.engine} and --engine-b ${b.engine}`, 'compare two builds of one engine');
  if (a.path === b.path)
    throw new UserError(`--engine-a and --engine-b are both ${a.path}`, 'give two different builds');
  return {
    what: `the ${a.engine} build`,
    A: a.path,
    B: b.path,
    variant: (v, _sc, side) => ({
      ...v,
      id: sideId(v.id, side),
      label: `${v.label} [${side}]`,
      engineBinary: side === 'A' ? a.path : b.path,
    }),
    before: () => undefined,
    restore: () => null,
    keep: (v) => v.engine === a.engine,
    keeps: `launch through ${a.engine}`,
  };
}

function launcherSides(a: string, b: string): Sides {
  for (const p of [a, b])
    checkBuild(
      p,
      '--launcher-a/--launcher-b',
      'launcher',
      'build it (make -C native) and give the path of its nsb-launcher',
    );
  if (a === b) throw new UserError(`--launcher-a and --launcher-b are both ${a}`, 'give two different builds');
  let mux: SideLauncher | null = null;
  return {
    what: 'the launcher build',
    A: a,
    B: b,
    variant: (v, _sc, side) => {
      if (v.engine)
        throw new UserError(
          `${v.id} launches through ${v.engine}, not nsbench's launcher`,
          "A/B launcher builds on variants of nsbench's own launcher",
        );
      return { ...v, id: sideId(v.id, side), label: `${v.label} [${side}]` };
    },
    before: (side) => {
      if (mux) mux.current = side;
    },
    restore: () => null,
    startLauncher: () => {
      const start = (path: string) => {
        try {
          return SandboxLauncher.start(path);
        } catch (e) {
          throw new UserError(
            `launcher ${path} does not start: ${errorMessage(e)}`,
            'give a build of nsb-launcher (make -C native)',
          );
        }
      };
      const first = start(a);
      let second: SandboxLauncher;
      try {
        second = start(b);
      } catch (e) {
        first.close();
        throw e;
      }
      return (mux = new SideLauncher({ A: first, B: second }));
    },
  };
}

function parseKnob(spec: string): { path: string; a: string; b: string } {
  const eq = spec.indexOf('=');
  const values = eq > 0 ? spec.slice(eq + 1).split(',') : [];
  if (eq <= 0 || values.length !== 2 || values.some((v) => v.trim() === '' || /[\n\0]/.test(v)))
    throw new UserError(
      `--knob ${JSON.stringify(spec)}: expected PATH=A,B`,
      'e.g. --knob /proc/sys/kernel/randomize_va_space=2,0',
    );
  return { path: spec.slice(0, eq), a: (values[0] as string).trim(), b: (values[1] as string).trim() };
}

function knobSides(spec: string): Sides {
  const { path, a, b } = parseKnob(spec);
  if (a === b)
    throw new UserError(`--knob ${path}: A and B are both ${JSON.stringify(a)}`, 'give two different values');
  const knob: Knob = openKnob(path);
  // both values are tried before anything is measured: a value the kernel refuses is found now
  let current: SideName | null = null;
  let refused: unknown = null;
  try {
    writeKnob(knob, a);
    writeKnob(knob, b);
  } catch (e) {
    refused = e;
  }
  // a knob that could not be put back matters more than a value refused: that error goes first
  const err = restoreKnob(knob);
  if (err) throw new UserError(err, `write ${JSON.stringify(knob.original)} to ${knob.path} by hand`);
  if (refused) throw refused;
  return {
    what: `knob ${knob.path} (was ${JSON.stringify(knob.original)}; restored afterwards)`,
    A: a,
    B: b,
    variant: (v, _sc, side) => ({
      ...v,
      id: sideId(v.id, side),
      label: `${v.label} [${side}: ${side === 'A' ? a : b}]`,
    }),
    before: (side) => {
      if (current === side) return;
      writeKnob(knob, side === 'A' ? a : b);
      current = side;
    },
    restore: () => {
      current = null;
      return restoreKnob(knob);
    },
  };
}

function programSides(a: string, b: string): Sides {
  for (const p of [a, b])
    if (!p.startsWith('/'))
      throw new UserError(
        `--program-a/--program-b ${p} is not an absolute path`,
        'give each build of the program as an absolute path (no PATH lookup)',
      );
  if (a === b) throw new UserError(`--program-a and --program-b are both ${a}`, 'give two different builds');
  return {
    what: 'the workload program',
    A: a,
    B: b,
    variant: (v, sc, side) => {
      const w = v.workload ?? sc.workload;
      if ('tool' in w)
        throw new UserError(
          `${sc.name}/${v.id} runs the tool ${w.tool} through its adapter`,
          'A/B two builds of a built-in workload or of a program (workload: { command: [...] })',
        );
      const args = 'builtin' in w ? (w.args ?? []) : w.command.slice(1);
      const path = side === 'A' ? a : b;
      return {
        ...v,
        id: sideId(v.id, side),
        label: `${v.label} [${side}: ${path}]`,
        workload: { command: [path, ...args] },
      };
    },
    before: () => undefined,
    restore: () => null,
  };
}

/** The run as two runs, one per side, with the side dropped from the variant ids (as compare reads them). */
function splitSides(run: RunResults): Record<SideName, RunResults> {
  const side = (s: SideName): RunResults => ({
    ...run,
    scenarios: run.scenarios.map((sc): ScenarioResult => {
      const own = (id: string) => sideOfId(id)?.side === s;
      const bare = (id: string) => sideOfId(id)?.id ?? id;
      return {
        ...sc,
        baseline: bare(sc.baseline),
        variants: sc.variants
          .filter((v) => own(v.id))
          .map((v) => ({ ...v, id: bare(v.id), ...(v.baseline ? { baseline: bare(v.baseline) } : {}) })),
        samples: sc.samples.filter((x) => own(x.variant)).map((x) => ({ ...x, variant: bare(x.variant) })),
        summary: [],
      };
    }),
  });
  return { A: side('A'), B: side('B') };
}

/** Exactly one thing tells A from B, and its two sides are given together. */
function checkSides(o: AbCommandOptions): void {
  const kinds = [
    o.knob !== undefined,
    o.programA !== undefined || o.programB !== undefined,
    o.launcherA !== undefined || o.launcherB !== undefined,
    o.engineA !== undefined || o.engineB !== undefined,
  ].filter(Boolean).length;
  if (kinds !== 1)
    throw new UserError(
      kinds
        ? 'ab compares one thing at a time: --knob, --program-a/-b, --launcher-a/-b or --engine-a/-b'
        : 'ab needs what tells A from B',
      'e.g. --knob /proc/sys/kernel/randomize_va_space=2,0, --program-a /old/noop --program-b /new/noop, --launcher-a /old/nsb-launcher --launcher-b /new/nsb-launcher, or --engine-a /usr/bin/runc --engine-b /opt/runc/runc engines',
    );
  if ((o.engineA === undefined) !== (o.engineB === undefined))
    throw new UserError('--engine-a and --engine-b go together', 'give both builds');
  if ((o.programA === undefined) !== (o.programB === undefined))
    throw new UserError('--program-a and --program-b go together', 'give both builds');
  if ((o.launcherA === undefined) !== (o.launcherB === undefined))
    throw new UserError('--launcher-a and --launcher-b go together', 'give both builds');
}

/** A scenario's variants on both sides: each variant once as A and once as B, with their baselines on their side. */
function bothSides(sc: Scenario, sides: Sides, nsVariants: ResolvedVariant[] | undefined, quiet: boolean): Scenario {
  const all = (nsVariants ?? sc.variants) as ResolvedVariant[];
  const vs = sides.keep ? all.filter(sides.keep) : all;
  if (!vs.length)
    throw new UserError(
      `ab: none of ${sc.name}'s variants ${sides.keeps ?? 'applies'}`,
      'A/B engine builds on a scenario with such variants (engines)',
    );
  if (vs.length < all.length && !quiet)
    process.stderr.write(
      `note: ${sc.name}: the ${vs.length} variant(s) that ${sides.keeps ?? 'apply'} are compared, ${all.length - vs.length} left out\n`,
    );
  const base = vs.some((v) => v.id === sc.baseline) ? sc.baseline : (vs[0]?.id ?? sc.baseline);
  return {
    ...sc,
    baseline: sideId(base, 'A'),
    variants: SIDES.flatMap((s) =>
      vs.map((v) => ({
        ...sides.variant(v, sc, s),
        baseline: sideId(v.baseline && vs.some((x) => x.id === v.baseline) ? v.baseline : base, s),
      })),
    ),
  } as Scenario;
}

/** B compared with A, printed (text or JSON, and Markdown where asked); the comparison. */
function verdict(outcome: RunOutcome, sides: Sides, o: AbCommandOptions, config: ResolvedConfig): CompareResult {
  const { A, B } = splitSides(outcome.run);
  const res: CompareResult = compareRuns(A, B, {
    sameRun: true,
    thresholdPct: o.threshold ?? config.compare.thresholdPct ?? 5,
    alpha: o.alpha ?? config.compare.alpha ?? 0.05,
    ...(config.compare.thresholds ? { thresholds: config.compare.thresholds } : {}),
  });
  if (!res.rows.length)
    throw new UserError(
      `ab: nothing to compare: no variant measured on both sides (results: ${outcome.files.json})`,
      "check the run's samples (skipped or failed launches say why)",
    );
  const rel = (p: string) => relative(process.cwd(), p) || p;
  if (o.markdown)
    writing(o.markdown, 'the Markdown table', () => writeFileSync(o.markdown as string, compareMarkdown(res)));
  process.stdout.write(
    o.json
      ? `${JSON.stringify({ ...res, sides: { what: sides.what, A: sides.A, B: sides.B }, results: outcome.files.json }, null, 1)}\n`
      : `B against A — ${sides.what}: A ${sides.A}, B ${sides.B}\n${compareText(res, terminalWidth())}\nresults: ${rel(outcome.files.json)}\n`,
  );
  return res;
}

/**
 * `nsbench ab [scenario...] --knob PATH=A,B | --program-a P --program-b P | --launcher-a L --launcher-b L | --engine-a
 * E --engine-b E`:
 * both sides in one run, interleaved round by round (every round runs each
 * variant of each side once, in a fresh random order), so that what drifts
 * within the run and what differs between runs hits A and B alike; then B
 * is compared with A as `compare` does, with no run-to-run term (it cancels
 * by design). Exit 0: B no worse; 1: B regressed; 2: bad input.
 */
export async function abCommand(names: string[], o: AbCommandOptions): Promise<number> {
  const config = await loadConfig(o.config);
  checkSides(o);
  if (o.markdown) outputFile(o.markdown, 'the Markdown table');
  const scenarios: Scenario[] = [];
  for (const name of names.length ? names : ['boot']) {
    const sc = await loadScenario(name);
    if (sc.kind !== 'launch')
      throw new UserError(
        `ab: ${sc.name} is a ${sc.kind} scenario; ab interleaves launches`,
        'run a launch scenario (boot, cpu, memory, io, syscall, engines, …)',
      );
    scenarios.push(sc);
  }
  const nsVariants = o.ns?.length ? parseVariantSpecs(o.ns) : undefined;
  const sides =
    o.knob !== undefined
      ? knobSides(o.knob)
      : o.launcherA !== undefined
        ? launcherSides(o.launcherA, o.launcherB as string)
        : o.engineA !== undefined
          ? engineSides(o.engineA, o.engineB as string)
          : programSides(o.programA as string, o.programB as string);
  const doubled = scenarios.map((sc) => bothSides(sc, sides, nsVariants, o.quiet === true));
  const unregister = registry.add('ab knob', () => {
    sides.restore();
  });
  let outcome: Awaited<ReturnType<typeof runBenchmark>>;
  try {
    if (!o.quiet)
      process.stderr.write(
        `nsbench ab: ${sides.what} — A ${sides.A}, B ${sides.B}; ${doubled.map((s) => s.name).join(', ')}, both sides interleaved in each round\n`,
      );
    outcome = await runBenchmark({
      scenarios: doubled,
      rounds: o.rounds ?? config.rounds,
      warmup: o.warmup ?? config.warmup,
      defaultRounds: config.rounds,
      defaultWarmup: config.warmup,
      defaultTimeoutMs: config.timeoutMs,
      ...((o.seed ?? config.seed) !== undefined ? { seed: (o.seed ?? config.seed) as number } : {}),
      outDir: o.out ?? config.outDir,
      progress: new TerminalProgress(process.stderr, { lines: !o.quiet, longSeconds: LONG_PLAN_SECONDS }),
      beforeLaunch: (variantId: string) => sides.before(sideOfId(variantId)?.side ?? 'A'),
      ...(sides.startLauncher ? { startLauncher: sides.startLauncher } : {}),
      ab: { what: sides.what, A: sides.A, B: sides.B },
      plan: {
        scenarios: names,
        ab: {
          knob: o.knob ?? null,
          programA: o.programA ?? null,
          programB: o.programB ?? null,
          launcherA: o.launcherA ?? null,
          launcherB: o.launcherB ?? null,
          engineA: o.engineA ?? null,
          engineB: o.engineB ?? null,
        },
      },
    });
  } finally {
    const err = sides.restore();
    unregister();
    if (err) process.stderr.write(`warning: ${err}\n`);
  }
  const res = verdict(outcome, sides, o, config);
  return outcome.interrupted ? 130 : res.exitCode;
}
