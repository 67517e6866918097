import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { loadConfig, type ResolvedConfig, type ResolvedProfile, resolveProfile } from '../../config/index.ts';
import { UserError } from '../../errors/index.ts';
import { claimRunExclusively, removeAllAndExit } from '../../host/index.ts';
import { nextSteps, runSummary, terminalWidth, wrapText, writeReports } from '../../report/index.ts';
import { loadResults, PACES, type Pace, readResults } from '../../results/index.ts';
import {
  ADAPTIVE_DEFAULTS,
  type Adaptive,
  type HarnessCpuMode,
  KernelTrace,
  LONG_PLAN_SECONDS,
  PACING_DEFAULTS,
  planFloorSeconds,
  type RunOptions,
  runBenchmark,
  TerminalProgress,
} from '../../runner/index.ts';
import { keepVariants, loadScenario, parseVariantSpecs, type Scenario } from '../../scenario/index.ts';
import { knownList } from '../../util/index.ts';

export interface RunCommandOptions {
  profile?: string;
  ns?: string[];
  rounds?: number;
  warmup?: number;
  seed?: number;
  timeoutMs?: number;
  out?: string;
  config?: string;
  quiet?: boolean;
  gzipCsv?: boolean;
  report?: boolean;
  resume?: string;
  pace?: Pace;
  gapMs?: number;
  burst?: number;
  retryNoisy?: number;
  kernelWork?: boolean;
  /** --kernel-trace (true when given without a value) */
  kernelTrace?: true | 'on' | 'functions' | 'footprint';
  harnessCpu?: HarnessCpuMode;
  yes?: boolean;
}

/**
 * What `run` was asked for, kept in the samples file so that `--resume` can ask again: the scenarios and the plan
 * options given.
 */
type RunPlan = { scenarios: string[] } & Pick<RunCommandOptions, (typeof PLAN_OPTIONS)[number] | 'kernelWork'>;

/** The plan's options that were given, as written (a resumed run asks for them again). */
const PLAN_OPTIONS = [
  'profile',
  'ns',
  'rounds',
  'warmup',
  'timeoutMs',
  'pace',
  'gapMs',
  'burst',
  'retryNoisy',
  'harnessCpu',
  'kernelTrace',
] as const;

/** A samples file's plan, in the command line's ranges (program.ts): what --resume runs again. */
const wholeIn = (min: number, max: number) => z.number().int().min(min).max(max);
const resumePlanSchema = z.object({
  scenarios: z.array(z.string().min(1)).max(10_000),
  profile: z.string().min(1).optional(),
  ns: z.array(z.string().min(1)).optional(),
  rounds: wholeIn(1, 1_000_000).optional(),
  warmup: wholeIn(0, 1_000_000).optional(),
  timeoutMs: wholeIn(1, 86_400_000).optional(),
  pace: z.enum(PACES).optional(),
  gapMs: z.number().min(0).max(60_000).optional(),
  burst: wholeIn(1, 100_000).optional(),
  retryNoisy: wholeIn(0, 100).optional(),
  harnessCpu: z.enum(['auto', 'off']).optional(),
  kernelTrace: z.union([z.literal(true), z.enum(['on', 'functions', 'footprint'])]).optional(),
  kernelWork: z.literal(false).optional(),
});

/** `nsbench run [scenario...]` */
export async function runCommand(names: string[], o: RunCommandOptions): Promise<number> {
  const config = await loadConfig(o.config);
  let resume: RunOptions['resume'];
  if (o.resume) {
    if (!o.resume.endsWith('.samples.jsonl'))
      throw new UserError(
        `--resume ${o.resume}: expected the samples file of a run (results/<run-id>.samples.jsonl)`,
        'pass the .samples.jsonl of the run that died',
      );
    if (o.seed !== undefined || o.out !== undefined)
      throw new UserError(
        `--resume continues the run with its own ${o.seed !== undefined ? 'seed (the rounds left keep its order)' : 'results folder (the samples file is appended to where it is)'}`,
        `leave ${o.seed !== undefined ? '--seed' : '-o'} out`,
      );
    const run = await loadResults(o.resume);
    if (run.environment.plan === undefined || typeof run.environment.seed !== 'number')
      throw new UserError(
        `${o.resume}: no run plan in its header (written by an older nsbench)`,
        'rerun the benchmark',
      );
    // the plan read back is checked as the command line is: a file is no way around the CLI's ranges
    const parsed = resumePlanSchema.safeParse(run.environment.plan);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = issue?.path.join('.') || 'plan';
      const value = issue?.path.reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined),
        run.environment.plan,
      );
      const why = (issue?.message ?? 'out of range').replace(/^\w/, (c) => c.toLowerCase());
      throw new UserError(
        `${o.resume}: its run plan's ${key} (${JSON.stringify(value) ?? 'nothing'}) is not one the command line takes: ${why}`,
        'the file is damaged or was edited; start a new run',
      );
    }
    const plan = parsed.data as RunPlan;
    const holder = claimRunExclusively(run.runId);
    if (holder !== null)
      throw new UserError(
        `run ${run.runId} is being run or resumed now${holder > 0 ? ` (pid ${holder})` : ''}: two would append to one samples file`,
        'wait for it to end, or stop it first',
      );
    if (names.length || PLAN_OPTIONS.some((k) => o[k] !== undefined) || o.kernelWork === false)
      throw new UserError(
        '--resume continues the run as it was asked for: scenarios, --ns, --rounds, --warmup, --pace, --gap-ms, --burst, --retry-noisy, --harness-cpu, --kernel-trace and --no-kernel-work come from its samples file',
        'leave them out',
      );
    const final = join(dirname(o.resume), `${run.runId}.json`);
    if (existsSync(final)) {
      let done = false;
      try {
        done = readResults(final).status === 'complete';
      } catch {
        /* a damaged final file: the samples file is the record; resuming rewrites it */
      }
      if (done)
        throw new UserError(
          `run ${run.runId} finished (${final} is complete): there is nothing left to resume`,
          `report it (nsbench report ${final}), or start a new run`,
        );
    }
    const { scenarios: planned, ...asked } = plan; // the options were written only where given
    names = planned;
    o = { ...o, ...asked, out: dirname(o.resume) };
    resume = {
      runId: run.runId,
      seed: run.environment.seed,
      startedAt: run.startedAt,
      environment: run.environment,
      samples: run.scenarios.flatMap((s) => s.samples),
      samplesFile: o.resume,
    };
  }
  const variants = o.ns && o.ns.length > 0 ? parseVariantSpecs(o.ns) : undefined;
  const profile = resolveProfile(config, o.profile);
  const scenarios: Scenario[] = [];
  const scenarioNames = names.length > 0 ? names : profile ? profile.scenarios.map((s) => s.name) : config.scenarios;
  // cheap checks first: a name given twice is found before any file is loaded (a list of a million took minutes)
  const given = new Set<string>();
  for (const n of scenarioNames) {
    if (given.has(n)) throw new UserError(`scenario "${n}" is named twice in one run`, 'name each scenario once');
    given.add(n);
  }
  const sampling: NonNullable<RunOptions['sampling']> = {};
  for (const name of scenarioNames) {
    const loaded = await loadScenario(name);
    const planned = profile ? profilePlan(profile, loaded, config, variants !== undefined) : null;
    scenarios.push(planned?.sc ?? loaded);
    if (planned) sampling[loaded.name] = planned.sampling;
  }
  const plan: RunPlan = {
    scenarios: scenarioNames,
    ...Object.fromEntries(PLAN_OPTIONS.flatMap((k) => (o[k] !== undefined ? [[k, o[k]]] : []))),
    ...(o.kernelWork === false ? { kernelWork: false } : {}),
  };
  if (o.pace && o.pace !== 'interleaved') {
    const others = scenarios.filter((s) => s.kind !== 'launch').map((s) => s.name);
    if (others.length === scenarios.length)
      throw new UserError(
        `--pace ${o.pace}: none of ${others.join(', ')} is a launch scenario (the others keep their own procedure)`,
        'run a launch scenario (boot, cpu, memory, io, engines, …) or leave --pace out',
      );
    if (others.length)
      process.stderr.write(
        `note: --pace ${o.pace} applies to the launch scenarios; ${others.join(', ')} keep their own procedure\n`,
      );
  }
  // one rule for the options of launch scenarios: refused where none applies, said where some do not
  for (const [flag, given] of [
    [`--gap-ms ${o.gapMs}`, o.gapMs !== undefined],
    [`--harness-cpu ${o.harnessCpu}`, o.harnessCpu !== undefined],
  ] as const) {
    if (!given) continue;
    const others = scenarios.filter((s) => s.kind !== 'launch').map((s) => s.name);
    if (others.length === scenarios.length)
      throw new UserError(
        `${flag}: none of ${others.join(', ')} is a launch scenario, the only kind it applies to`,
        `run a launch scenario (boot, cpu, memory, io, engines, …) or leave ${flag.split(' ')[0]} out`,
      );
    if (others.length)
      process.stderr.write(
        `note: ${flag} applies to the launch scenarios; ${others.join(', ')} keep their own procedure\n`,
      );
  }
  if (o.kernelTrace) {
    const others = scenarios.filter((s) => s.kind !== 'launch').map((s) => s.name);
    if (others.length === scenarios.length)
      throw new UserError(
        `--kernel-trace: none of ${others.join(', ')} is a launch scenario (it attributes launches to kernel work)`,
        'run a launch scenario (boot, cpu, …) or leave --kernel-trace out',
      );
    if (others.length)
      process.stderr.write(`note: --kernel-trace traces the launch scenarios; ${others.join(', ')} are not traced\n`);
    // asked for on the command line and impossible here: said before anything is measured (tracefs is mounted where it
    // is missing)
    const why = KernelTrace.unavailable(process.geteuid?.() ?? 0, {
      functions: o.kernelTrace === 'functions',
      footprint: o.kernelTrace === 'footprint',
    });
    if (why)
      throw new UserError(
        `--kernel-trace${o.kernelTrace === true ? '' : ` ${o.kernelTrace}`}: ${why}`,
        o.kernelTrace === 'functions' || o.kernelTrace === 'footprint'
          ? 'use --kernel-trace on (tracepoints only), or a kernel with the function tracer'
          : 'run as root on a kernel with tracefs, or leave --kernel-trace out',
      );
  }
  if (
    o.burst !== undefined &&
    (o.pace ?? 'interleaved') !== 'back-to-back' &&
    !scenarios.some((s) => s.pace === 'back-to-back')
  )
    throw new UserError(
      '--burst is the length of a back-to-back burst',
      'add --pace back-to-back, or leave --burst out',
    );
  if (variants) {
    const others = scenarios.filter((s) => s.kind !== 'launch').map((s) => s.name);
    if (others.length === scenarios.length)
      throw new UserError(
        `--ns: none of ${others.join(', ')} is a launch scenario, whose variants --ns replaces`,
        'run a launch scenario (boot, cpu, …), or change the variants in the scenario file',
      );
    if (others.length)
      process.stderr.write(
        `note: --ns replaces the variants of the launch scenarios; ${others.join(', ')} keep their own\n`,
      );
  }
  // two files that call themselves by one name
  const loadedNames = new Set<string>();
  for (const sc of scenarios) {
    if (loadedNames.has(sc.name))
      throw new UserError(
        `scenario "${sc.name}" is named twice in one run`,
        'name each scenario once (two files with the same name: rename one)',
      );
    loadedNames.add(sc.name);
  }
  const floor = planFloorSeconds(
    scenarios.map((sc) => {
      const pace = sc.kind === 'launch' ? (o.pace ?? sc.pace) : sc.pace;
      const own = sampling[sc.name];
      return {
        sc,
        rounds: o.rounds ?? (own?.adaptive ? own.adaptive.minRounds : own?.rounds) ?? sc.rounds ?? config.rounds,
        warmup: o.warmup ?? own?.warmup ?? sc.warmup ?? config.warmup,
        variants: (sc.kind === 'launch' && variants ? variants : sc.variants).length,
        burst: pace === 'back-to-back' ? (o.burst ?? sc.burst ?? PACING_DEFAULTS.burst) : 0,
      };
    }),
  );
  if (floor > LONG_PLAN_SECONDS && !o.yes && !o.resume)
    throw new UserError(
      `this plan takes at least ${(floor / 3600).toFixed(floor > 36_000 ? 0 : 1)} hours (its launches alone, on a fast machine)`,
      'add --yes to run it anyway, or lower --rounds or the variants',
    );

  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      // forced: do not wait for the current launch; remove what this run made, then go
      process.stderr.write(`${sig} again: forcing — removing what this run created\n`);
      removeAllAndExit(130);
      return;
    }
    process.stderr.write(
      `\ninterrupted (${sig}): finishing the current launch and writing what was measured (Ctrl-C again to force)\n`,
    );
    abort.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  (globalThis as { __nsbEarlySignals?: () => void }).__nsbEarlySignals?.(); // bin/nsbench.js's exit-at-once handlers give way
  const injected = Number(process.env.NSB_INJECT_UNCAUGHT_MS); // fault injection for the tests: an uncaught exception mid-run
  if (injected > 0)
    setTimeout(() => {
      throw new Error('injected fault (NSB_INJECT_UNCAUGHT_MS)');
    }, injected).unref();
  try {
    if (!o.quiet)
      process.stderr.write(
        `nsbench: running ${scenarios.map((s) => s.name).join(', ')}${profile ? ` (profile ${profile.name}: ${profile.description})` : ''}\n`,
      );
    const outcome = await runBenchmark({
      scenarios,
      ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
      ...(o.warmup !== undefined ? { warmup: o.warmup } : {}),
      defaultRounds: config.rounds,
      defaultWarmup: config.warmup,
      ...(profile ? { profile: { name: profile.name, description: profile.description }, sampling } : {}),
      defaultTimeoutMs: o.timeoutMs ?? config.timeoutMs,
      ...((o.seed ?? config.seed) !== undefined ? { seed: (o.seed ?? config.seed) as number } : {}),
      outDir: o.out ?? config.outDir,
      ...(o.gzipCsv || config.csvGzip ? { gzipCsv: true } : {}),
      ...(variants ? { variants } : {}),
      ...(o.pace ? { pace: o.pace } : {}),
      ...(o.gapMs !== undefined ? { gapMs: o.gapMs } : {}),
      ...(o.burst !== undefined ? { burst: o.burst } : {}),
      ...(o.retryNoisy !== undefined ? { retryNoisy: o.retryNoisy } : {}),
      ...(o.kernelWork === false ? { kernelWork: false } : {}),
      ...(o.kernelTrace
        ? { kernelTrace: { functions: o.kernelTrace === 'functions', footprint: o.kernelTrace === 'footprint' } }
        : {}),
      ...(o.harnessCpu ? { harnessCpu: o.harnessCpu } : {}),
      progress: new TerminalProgress(process.stderr, { lines: !o.quiet, longSeconds: LONG_PLAN_SECONDS }),
      signal: abort.signal,
      plan,
      ...(resume ? { resume } : {}),
    });
    if (resume && !o.quiet)
      process.stderr.write(`resumed ${resume.runId}: ${resume.samples.length} samples kept from before\n`);
    const width = terminalWidth();
    process.stdout.write(`${runSummary(outcome.run, width)}\n\n`);
    const f = outcome.files;
    const rel = (p: string) => relative(process.cwd(), p) || p;
    const line = (text: string, first = '  ') => `${wrapText(text, width, '      ', first)}\n`;
    process.stdout.write(
      line(`${rel(f.json)}`, `${outcome.interrupted ? 'partial results' : 'results'}: `) +
        line(`samples as measured: ${rel(f.samplesJsonl)}`) +
        line(`CSV: ${rel(f.csv)} (raw, long form), ${rel(f.summaryCsv)} (summary)`),
    );
    let html: string | undefined;
    if (o.report !== false) {
      const r = await writeReports(outcome.run, config.reportsDir).catch((e: unknown) => {
        throw e instanceof UserError
          ? new UserError(
              `${e.message}; the results are in ${rel(f.json)}`,
              `${e.fix}, then \`nsbench report ${rel(f.json)}\``,
            )
          : e;
      });
      html = rel(r.html);
      process.stdout.write(line(`report: ${html} (HTML, ${r.charts} charts), ${rel(r.markdown)} (Markdown)`));
    }
    process.stdout.write(`\n${nextSteps({ json: rel(f.json), ...(html ? { html } : {}) }, width)}\n`);
    return outcome.interrupted ? 130 : 0;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
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
 * What a profile makes of one scenario: its variants filtered by the
 * profile's patterns (each must match one), and its rounds, warm-up and
 * adaptive sampling — the profile's for the scenario over the profile's own,
 * over the scenario file's.
 */
export function profilePlan(
  profile: ResolvedProfile,
  sc: Scenario,
  config: ResolvedConfig,
  nsGiven: boolean,
): { sc: Scenario; sampling: NonNullable<RunOptions['sampling']>[string] } {
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
  const scale = own?.durationScale ?? profile.durationScale;
  if (scale !== 1 && out.kind === 'network')
    out = {
      ...out,
      variants: out.variants.map((v) => ({
        ...v,
        // iperf3 takes whole seconds; nsbench's own stream any length
        net: {
          ...v.net,
          ...(v.net.seconds !== undefined
            ? {
                seconds:
                  v.net.tool === 'iperf3' ? Math.max(1, Math.round(v.net.seconds * scale)) : v.net.seconds * scale,
              }
            : {}),
          ...(v.net.count !== undefined ? { count: Math.max(1, Math.round(v.net.count * scale)) } : {}),
        },
      })),
    };
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
