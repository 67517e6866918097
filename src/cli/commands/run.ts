import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { loadConfig, type ResolvedConfig, type ResolvedProfile, resolveProfile } from '../../config/index.ts';
import { UserError } from '../../errors/index.ts';
import { claimRunExclusively, namespaceLimit, removeAllAndExit } from '../../host/index.ts';
import { nextSteps, runSummary, terminalWidth, writeReports } from '../../report/index.ts';
import {
  CREATE_METHODS,
  type CreateMethod,
  type Environment,
  loadResults,
  PACES,
  type Pace,
  PLACEMENTS,
  readResults,
} from '../../results/index.ts';
import {
  checkNamespaceLimits,
  checkOptionKinds,
  DEFAULT_CREATE,
  KernelTrace,
  LONG_PLAN_SECONDS,
  type PlacementAsk,
  planFloorSeconds,
  planScenarios,
  profileSampling,
  type RunOptions,
  type RunOutcome,
  runBenchmark,
  type ScenarioSampling,
  TerminalProgress,
} from '../../runner/index.ts';
import { loadScenario, parseVariantSpecs, type Scenario } from '../../scenario/index.ts';
import { wrapText } from '../../util/index.ts';

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
  placement?: Exclude<PlacementAsk, 'auto'>;
  create?: CreateMethod;
  /** the create method where neither --create nor a scenario says (a resumed run's, as it was then) */
  defaultCreate?: CreateMethod;
  yes?: boolean;
}

/**
 * What `run` was asked for, kept in the samples file so that `--resume` can ask again: the scenarios and the plan
 * options given.
 */
type RunPlan = { scenarios: string[] } & Pick<
  RunCommandOptions,
  (typeof PLAN_OPTIONS)[number] | 'kernelWork' | 'defaultCreate'
>;

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
  'placement',
  'create',
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
  placement: z.enum(PLACEMENTS).optional(),
  create: z.enum(CREATE_METHODS).optional(),
  /** the default create method of the nsbench that started the run; absent in files from before: fork */
  defaultCreate: z.enum(CREATE_METHODS).optional(),
  /** written by nsbench before placement: off is placement free, auto the default */
  harnessCpu: z.enum(['auto', 'off']).optional(),
  kernelTrace: z.union([z.literal(true), z.enum(['on', 'functions', 'footprint'])]).optional(),
  kernelWork: z.literal(false).optional(),
});

/** `nsbench run [scenario...]` */
export async function runCommand(names: string[], o: RunCommandOptions): Promise<number> {
  const config = await loadConfig(o.config);
  let resume: RunOptions['resume'];
  if (o.resume) ({ names, o, resume } = await resumeFrom(o.resume, names, o));
  const planned = await planRun(names, o, config);
  const options: RunOptions = { ...planned.options, ...(resume ? { resume } : {}) };
  return withSignals(async (signal) => {
    if (!o.quiet)
      process.stderr.write(
        `nsbench: running ${options.scenarios.map((s) => s.name).join(', ')}${planned.profile ? ` (profile ${planned.profile.name}: ${planned.profile.description})` : ''}\n`,
      );
    const outcome = await runBenchmark({
      ...options,
      progress: new TerminalProgress(process.stderr, { lines: !o.quiet, longSeconds: LONG_PLAN_SECONDS }),
      signal,
    });
    if (resume && !o.quiet)
      process.stderr.write(`resumed ${resume.runId}: ${resume.samples.length} samples kept from before\n`);
    await printOutcome(outcome, o.report !== false, config.reportsDir);
    return outcome.interrupted ? 130 : 0;
  });
}

/**
 * `--resume FILE`: the run's samples file read back, its plan checked as the command line is, and the scenarios and
 * options it was asked for, to run again.
 */
async function resumeFrom(
  file: string,
  names: string[],
  o: RunCommandOptions,
): Promise<{ names: string[]; o: RunCommandOptions; resume: NonNullable<RunOptions['resume']> }> {
  if (!file.endsWith('.samples.jsonl'))
    throw new UserError(
      `--resume ${file}: expected the samples file of a run (results/<run-id>.samples.jsonl)`,
      'pass the .samples.jsonl of the run that died',
    );
  if (o.seed !== undefined || o.out !== undefined)
    throw new UserError(
      `--resume continues the run with its own ${o.seed !== undefined ? 'seed (the rounds left keep its order)' : 'results folder (the samples file is appended to where it is)'}`,
      `leave ${o.seed !== undefined ? '--seed' : '-o'} out`,
    );
  const run = await loadResults(file);
  const plan = resumePlan(file, run.environment);
  const holder = claimRunExclusively(run.runId);
  if (holder !== null)
    throw new UserError(
      `run ${run.runId} is being run or resumed now${holder > 0 ? ` (pid ${holder})` : ''}: two would append to one samples file`,
      'wait for it to end, or stop it first',
    );
  if (names.length || PLAN_OPTIONS.some((k) => o[k] !== undefined) || o.kernelWork === false)
    throw new UserError(
      '--resume continues the run as it was asked for: scenarios, --ns, --rounds, --warmup, --pace, --gap-ms, --burst, --retry-noisy, --placement, --create, --kernel-trace and --no-kernel-work come from its samples file',
      'leave them out',
    );
  refuseFinished(join(dirname(file), `${run.runId}.json`), run.runId);
  const { scenarios: planned, ...asked } = plan; // the options were written only where given
  return {
    names: planned,
    o: { ...o, ...asked, out: dirname(file) },
    resume: {
      runId: run.runId,
      seed: plan.seed,
      startedAt: run.startedAt,
      environment: run.environment,
      samples: run.scenarios.flatMap((s) => s.samples),
      samplesFile: file,
    },
  };
}

/** A samples file's run plan, checked as the command line is: a file is no way around the CLI's ranges. */
function resumePlan(file: string, env: Environment): RunPlan & { seed: number } {
  if (env.plan === undefined || typeof env.seed !== 'number')
    throw new UserError(`${file}: no run plan in its header (written by an older nsbench)`, 'rerun the benchmark');
  const parsed = resumePlanSchema.safeParse(env.plan);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || 'plan';
    const value = issue?.path.reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined),
      env.plan,
    );
    const why = (issue?.message ?? 'out of range').replace(/^\w/, (c) => c.toLowerCase());
    throw new UserError(
      `${file}: its run plan's ${key} (${JSON.stringify(value) ?? 'nothing'}) is not one the command line takes: ${why}`,
      'the file is damaged or was edited; start a new run',
    );
  }
  const { harnessCpu, ...plan } = parsed.data;
  return {
    ...(plan as RunPlan),
    ...(harnessCpu === 'off' && !plan.placement ? { placement: 'free' } : {}),
    defaultCreate: plan.defaultCreate ?? 'fork',
    seed: env.seed,
  };
}

/** A run whose final file says complete has nothing left to resume. */
function refuseFinished(final: string, runId: string): void {
  if (!existsSync(final)) return;
  let done = false;
  try {
    done = readResults(final).status === 'complete';
  } catch {
    /* a damaged final file: the samples file is the record; resuming rewrites it */
  }
  if (done)
    throw new UserError(
      `run ${runId} finished (${final} is complete): there is nothing left to resume`,
      `report it (nsbench report ${final}), or start a new run`,
    );
}

/**
 * The scenarios loaded and planned (runner/plan.ts: the profile, the options that apply to their kinds, the least
 * the plan can take), as the runner's options.
 */
async function planRun(
  names: string[],
  o: RunCommandOptions,
  config: ResolvedConfig,
): Promise<{ options: RunOptions; profile: ResolvedProfile | null }> {
  const variants = o.ns && o.ns.length > 0 ? parseVariantSpecs(o.ns) : undefined;
  const profile = resolveProfile(config, o.profile);
  const { scenarioNames, scenarios, sampling } = await loadPlanned(names, config, profile, variants !== undefined);
  const defaultCreate = o.defaultCreate ?? DEFAULT_CREATE;
  const plan: RunPlan = {
    scenarios: scenarioNames,
    ...Object.fromEntries(PLAN_OPTIONS.flatMap((k) => (o[k] !== undefined ? [[k, o[k]]] : []))),
    ...(o.kernelWork === false ? { kernelWork: false } : {}),
    defaultCreate,
  };
  for (const note of checkOptionKinds(scenarios, { ...o, ns: variants !== undefined }))
    process.stderr.write(`${note}\n`);
  if (o.kernelTrace) kernelTraceAvailable(o.kernelTrace);
  const options: RunOptions = {
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
    ...(o.placement ? { placement: o.placement } : {}),
    ...(o.create ? { create: o.create } : {}),
    defaultCreate,
    plan,
  };
  const plans = planScenarios(options);
  checkNamespaceLimits(plans, namespaceLimit);
  const floor = planFloorSeconds(plans);
  if (floor > LONG_PLAN_SECONDS && !o.yes && !o.resume)
    throw new UserError(
      `this plan takes at least ${(floor / 3600).toFixed(floor > 36_000 ? 0 : 1)} hours (its launches alone, on a fast machine)`,
      'add --yes to run it anyway, or lower --rounds or the variants',
    );
  return { options: { ...options, plans }, profile };
}

/** The scenarios named (or the profile's, or the config's), loaded, each with what its profile makes of it. */
async function loadPlanned(
  names: string[],
  config: ResolvedConfig,
  profile: ResolvedProfile | null,
  nsGiven: boolean,
): Promise<{ scenarioNames: string[]; scenarios: Scenario[]; sampling: Record<string, ScenarioSampling> }> {
  const scenarioNames = names.length > 0 ? names : profile ? profile.scenarios.map((s) => s.name) : config.scenarios;
  // cheap checks first: a name given twice is found before any file is loaded (a list of a million took minutes)
  const given = new Set<string>();
  for (const n of scenarioNames) {
    if (given.has(n)) throw new UserError(`scenario "${n}" is named twice in one run`, 'name each scenario once');
    given.add(n);
  }
  const scenarios: Scenario[] = [];
  const sampling: Record<string, ScenarioSampling> = {};
  for (const name of scenarioNames) {
    const loaded = await loadScenario(name);
    const planned = profile ? profileSampling(profile, loaded, config, nsGiven) : null;
    scenarios.push(planned?.sc ?? loaded);
    if (planned) sampling[loaded.name] = planned.sampling;
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
  return { scenarioNames, scenarios, sampling };
}

/** --kernel-trace asked for and impossible here: said before anything is measured (tracefs is mounted where missing). */
function kernelTraceAvailable(asked: NonNullable<RunCommandOptions['kernelTrace']>): void {
  const why = KernelTrace.unavailable(process.geteuid?.() ?? 0, {
    functions: asked === 'functions',
    footprint: asked === 'footprint',
  });
  if (why)
    throw new UserError(
      `--kernel-trace${asked === true ? '' : ` ${asked}`}: ${why}`,
      asked === 'functions' || asked === 'footprint'
        ? 'use --kernel-trace on (tracepoints only), or a kernel with the function tracer'
        : 'run as root on a kernel with tracefs, or leave --kernel-trace out',
    );
}

/**
 * Runs `body` with the run's signal handling: the first SIGINT/SIGTERM/SIGHUP finishes the current launch and keeps
 * what was measured (the abort signal `body` gets); a second forces, removing what the run made.
 */
async function withSignals(body: (signal: AbortSignal) => Promise<number>): Promise<number> {
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
    return await body(abort.signal);
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

/** The run's summary on stdout, where its files went, its reports written, and what to do next. */
async function printOutcome(outcome: RunOutcome, report: boolean, reportsDir: string): Promise<void> {
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
  if (report) {
    const r = await writeReports(outcome.run, reportsDir).catch((e: unknown) => {
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
}
