import { Command, InvalidArgumentError, Option } from 'commander';
import { MAX_SEED } from '../config/index.ts';
import { UserError } from '../errors/index.ts';
import { PACES, type Pace } from '../results/index.ts';
import { nsbenchVersion } from '../runner/index.ts';
import { didYouMean } from '../util/index.ts';
import { type AbCommandOptions, abCommand } from './commands/ab.ts';
import { cleanupCommand } from './commands/cleanup.ts';
import { type CompareCommandOptions, compareCommand } from './commands/compare.ts';
import { doctorCommand } from './commands/doctor.ts';
import { exportCommand, historyCommand } from './commands/history.ts';
import { listCommand } from './commands/list.ts';
import { type MergeCommandOptions, mergeCommand } from './commands/merge.ts';
import { reportCommand } from './commands/report.ts';
import { type RunCommandOptions, runCommand } from './commands/run.ts';

/** A whole number in [min, max], the range stated (the same ranges as the config and scenario schemas). */
function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number ${min}..${max}`);
    return n;
  };
}

function percent(value: string): number {
  if (value.trim() === '') throw new InvalidArgumentError('expected a percentage 0..1000, got nothing'); // Number('') is 0
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1000) throw new InvalidArgumentError('expected a percentage 0..1000');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

function pace(value: string): Pace {
  if (!(PACES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${PACES.join(', ')}${didYouMean(value, PACES)}`);
  return value as Pace;
}

const KERNEL_TRACE = ['on', 'functions', 'footprint'] as const;
function kernelTrace(value: string): (typeof KERNEL_TRACE)[number] {
  if (!(KERNEL_TRACE as readonly string[]).includes(value)) {
    const near = didYouMean(value, KERNEL_TRACE);
    // `run --kernel-trace boot`: the word after it is taken as its value
    throw new InvalidArgumentError(
      `expected one of ${KERNEL_TRACE.join(', ')}${near || ` ("${value}" after --kernel-trace is read as its value: name the scenarios first, or write --kernel-trace on)`}`,
    );
  }
  return value as (typeof KERNEL_TRACE)[number];
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n >= 0 && n <= 60_000))
    throw new InvalidArgumentError('expected milliseconds 0..60000');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The command table; each action parses options and calls the library. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('nsbench')
    .description('Measure what Linux isolation costs: namespaces and cgroups against bare processes.')
    .version(nsbenchVersion())
    .option('--debug', 'print stack traces for unexpected errors')
    // commander's own messages ("error: unknown option '--x'"): one line, with the fix (set before
    // the commands are added: they copy it)
    .configureOutput({
      outputError: (str, write) => write(`${str.trimEnd().split('\n').join(' ')} — see --help for the usage\n`),
    })
    .exitOverride();

  addRun(program, setExit);
  addReaders(program, setExit);
  addAb(program, setExit);
  addFleetAndHistory(program, setExit);
  addHousekeeping(program, setExit);
  return program;
}

/** `nsbench run`: scenarios, the plan options, resume. */
function addRun(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('run scenarios (default: those in bench.config.ts) and write results/<run-id>.{json,csv}')
    .argument('[scenario...]', 'scenario names (scenarios/<name>.ts) or paths to scenario files')
    .addOption(
      new Option(
        '-n, --ns <set>',
        'run this namespace set instead of the scenarios\' variants; repeat for several. A set is a list like "user,pid" or "bare", "all", "each" (each alone), "powerset", or a preset name',
      ).argParser(collect),
    )
    .option(
      '-p, --profile <name>',
      'a profile of bench.config.ts: quick (the default: every kind, adaptive rounds, about 5 minutes), standard, thorough',
    )
    .option(
      '-r, --rounds <n>',
      'measured rounds (each runs every variant once, in random order); fixed: no adaptive sampling',
      integer(1, 1_000_000),
    )
    .option('-w, --warmup <n>', 'warm-up rounds, dropped from the statistics', integer(0, 1_000_000))
    .option(
      '--seed <n>',
      'seed of the per-round shuffle, 0..4294967295 (default: random, recorded in the results)',
      integer(0, MAX_SEED),
    )
    .option('--timeout-ms <ms>', 'kill a sandbox that runs longer than this', integer(1, 86_400_000))
    .option('-o, --out <dir>', 'results folder (default: outDir of bench.config.ts, "results")')
    .option('-c, --config <file>', "config file (default: ./bench.config.ts, else nsbench's own)")
    .option('-q, --quiet', 'no progress output')
    .option('--no-report', 'do not write the HTML report and Markdown summary (reports/<run-id>.html, .md)')
    .option(
      '--gzip-csv',
      'write the raw CSV gzipped, results/<run-id>.csv.gz (about a tenth of the size; pandas and R read it as it is); also csvGzip: true in bench.config.ts',
    )
    .option(
      '--pace <mode>',
      'how launch scenarios pace their launches: interleaved (default: a fresh random order each round), quiesced (wait for a quiet kernel before each launch), back-to-back (each variant in a burst, in C)',
      pace,
    )
    .option(
      '--gap-ms <ms>',
      'launch scenarios: the launcher keeps at least this gap between one exit and the next launch',
      milliseconds,
    )
    .option('--burst <n>', 'back-to-back: launches per burst after the lead-in (default 10)', integer(1, 999))
    .option(
      '--retry-noisy <n>',
      'run a round again, up to n times, while competing load disturbs it (the disturbed samples stay in the raw data, marked)',
      integer(0, 100),
    )
    .option('-y, --yes', 'run a plan estimated at more than an hour without asking')
    .option(
      '--kernel-trace [what]',
      'launch scenarios: attribute each launch to kernel work — system calls, waiting, cgroup events, deferred work (on); with the function-level split of clone required (functions); with the kernel functions each sandbox runs counted (footprint). Off unless asked for; samples are skipped, with the reason, where the kernel lacks it',
      kernelTrace,
    )
    .option(
      '--no-kernel-work',
      "do not trace the kernel's deferred teardown work (workqueue tracepoints; on with --kernel-trace, quiesced pacing or kernelWork: true)",
    )
    .addOption(
      new Option(
        '--placement <where>',
        "launch scenarios: where the launcher and its sandboxes run — one-cpu (pinned to one CPU, nsbench on another), spread (every CPU but nsbench's), free (anywhere); default: one-cpu for nsbench's own single-process workloads, free for real tools and engines",
      ).choices(['one-cpu', 'spread', 'free']),
    )
    .addOption(
      new Option(
        '--create <method>',
        'how the launcher makes each sandbox: vfork (the default; CLONE_VM | CLONE_VFORK, as posix_spawn — the fastest the kernel allows) or fork (a copy of the launcher, as runc); where a variant cannot be made vfork-style (a user namespace mapped to another uid, cgroup placement by cgroup.procs writes on cgroup v1) its scenario is made fork-style throughout and says why',
      ).choices(['fork', 'vfork']),
    )
    .option(
      '--resume <samples.jsonl>',
      'continue a run that died: same run id, seed, scenarios and options; what it measured is kept, the rest is run',
    )
    .action(async (names: string[], opts: RunCommandOptions) => setExit(await runCommand(names, opts)));
}

/** `report` and `compare`: what reads results files. */
function addReaders(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description(
      'write the self-contained HTML report and the Markdown summary of a results file, or of a fleet file (nsbench merge)',
    )
    .argument(
      '<results>',
      'results/<run-id>.json, results/<run-id>.samples.jsonl of a run that died (a report of what it measured), or a fleet file',
    )
    .option('-o, --out <dir>', 'reports folder (default: reportsDir of bench.config.ts, "reports")')
    .option(
      '--figures <dir>',
      'also write each chart for a paper into this folder: <chart>.svg, <chart>.pdf (same size; needs chromium), <chart>.csv (the data it draws), <chart>.txt (its caption), and figures.md listing them',
    )
    .option('--reference <host>', 'a fleet: the host the others are compared with (default: the first)')
    .option('-c, --config <file>', "config file (default: ./bench.config.ts, else nsbench's own)")
    .action(async (file: string, opts: { out?: string; config?: string; reference?: string; figures?: string }) =>
      setExit(await reportCommand(file, opts)),
    );
  program
    .command('compare')
    .description(
      'compare a run with one or several baseline runs metric by metric; exit 0 no regression, 1 regression, 2 bad input',
    )
    .argument(
      '<results...>',
      'the baseline run(s) — results/<run-id>.json files or folders of them; several teach the run-to-run variance — then the run to judge, last; or two fleet files',
    )
    .option(
      '-t, --threshold <pct>',
      'a regression is a change beyond this percent, in the worse direction, and significant (default 5, or compare.thresholdPct)',
      percent,
    )
    .option('--alpha <q>', 'false discovery rate for the q-values (default 0.05)', fraction)
    .option(
      '--run-sd <pct>',
      "with one baseline run: the run-to-run sd allowed for, percent of a run's median (default 8, or compare.runSdPct; measured by A/A reruns — give 3 or more baseline runs to estimate your own)",
      percent,
    )
    .addOption(
      new Option(
        '-m, --metric <name>',
        'compare only this metric; repeatable (default: the headline metrics)',
      ).argParser(collect),
    )
    .option('--markdown <file>', 'also write the table as Markdown (for a CI job page)')
    .option('--json', 'print the comparison as JSON')
    .option(
      '--pooled',
      "fleet files: pool the hosts, the host as a blocking factor (each value over its host's baseline median); default: host by host",
    )
    .option('-c, --config <file>', "config file (default: ./bench.config.ts, else nsbench's own)")
    .action(async (files: string[], opts: CompareCommandOptions) => setExit(await compareCommand(files, opts)));
}

/** `nsbench ab`: A/B in one run. */
function addAb(program: Command, setExit: (code: number) => void): void {
  program
    .command('ab')
    .description(
      'A/B in one run: two values of a host knob, two builds of the workload program, of the launcher or of an engine, interleaved round by round, then B compared with A; exit 0 B no worse, 1 B regressed, 2 bad input',
    )
    .argument('[scenario...]', 'launch scenarios (default: boot)')
    .option(
      '--knob <path=a,b>',
      'a sysctl under /proc/sys or a setting under /sys, and the values of A and B (restored afterwards), e.g. /proc/sys/kernel/randomize_va_space=2,0',
    )
    .option(
      '--program-a <path>',
      "A's build of the workload program (absolute path; the scenario's arguments are kept)",
    )
    .option('--program-b <path>', "B's build of the workload program")
    .option(
      '--launcher-a <path>',
      "A's build of nsbench's launcher (nsb-launcher, absolute path): each launch through its side's launcher process",
    )
    .option('--launcher-b <path>', "B's build of nsbench's launcher")
    .option(
      '--engine-a <[name=]path>',
      "A's build of an engine's program (runc, crun, bwrap or unshare, named or known by its file name; absolute path): the variants launched through that engine (scenario engines)",
    )
    .option('--engine-b <[name=]path>', "B's build of the engine's program")
    .addOption(
      new Option(
        '-n, --ns <set>',
        'run this namespace set instead of the scenarios\' variants; repeat for several ("bare", "user,pid", "all", a preset)',
      ).argParser(collect),
    )
    .option(
      '-r, --rounds <n>',
      'measured rounds, each running every variant of both sides once in a fresh random order (default: rounds of bench.config.ts, 30)',
      integer(1, 1_000_000),
    )
    .option('-w, --warmup <n>', 'warm-up rounds, dropped from the statistics', integer(0, 1_000_000))
    .option('--seed <n>', 'seed of the per-round shuffle', integer(0, MAX_SEED))
    .option(
      '-t, --threshold <pct>',
      'a regression is a change beyond this percent, in the worse direction, and significant (default 5)',
      percent,
    )
    .option('--alpha <q>', 'false discovery rate for the q-values (default 0.05)', fraction)
    .option('-o, --out <dir>', 'results folder (default: outDir of bench.config.ts, "results")')
    .option('--markdown <file>', 'also write the verdict table as Markdown')
    .option('--json', 'print the comparison as JSON')
    .option('-q, --quiet', 'no progress output')
    .option('-c, --config <file>', "config file (default: ./bench.config.ts, else nsbench's own)")
    .action(async (names: string[], opts: AbCommandOptions) => setExit(await abCommand(names, opts)));
}

/** `merge`, `history` and `export`: many runs, many hosts, dashboards. */
function addFleetAndHistory(program: Command, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description(
      'merge the results of several hosts into one fleet file, keyed by host fingerprint (hostname, CPU, cores, kernel, cgroup mode)',
    )
    .argument('<results...>', 'results/<run-id>.json (or .samples.jsonl) of each host, one run per host')
    .requiredOption('-o, --out <fleet.json>', 'the fleet file to write')
    .option('--mixed', 'merge runs of different plans anyway (the report compares what they have in common)')
    .addOption(
      new Option(
        '--failed <host=reason>',
        'a host that gave no results, and why; repeatable (the playbook passes its failed hosts)',
      ).argParser(collect),
    )
    .action(async (files: string[], opts: MergeCommandOptions) => setExit(await mergeCommand(files, opts)));
  program
    .command('history')
    .description('trend report (HTML + CSV) across many results files, keyed by host fingerprint')
    .argument('<results...>', 'results/<run-id>.json files')
    .option('-o, --out <dir>', 'reports folder (default: reportsDir, "reports")')
    .option('-c, --config <file>', "config file (default: ./bench.config.ts, else nsbench's own)")
    .option(
      '--fail-on-step [pct]',
      'exit 1 when a series ends in a step for the worse beyond pct percent (default compare.thresholdPct, 5): for CI',
      percent,
    )
    .action(async (files: string[], opts: { out?: string; config?: string; failOnStep?: number | true }) =>
      setExit(await historyCommand(files, opts)),
    );
  program
    .command('export')
    .description('export a run for CI dashboards: github-action-benchmark (customSmallerIsBetter) or Bencher (BMF)')
    .argument('<results>', 'results/<run-id>.json')
    .requiredOption('-f, --format <format>', 'github-smaller | bencher')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (file: string, opts: { format: string; out?: string }) => setExit(await exportCommand(file, opts)));
}

/** `cleanup`, `list` and `doctor`: the machine and what nsbench has. */
function addHousekeeping(program: Command, setExit: (code: number) => void): void {
  program
    .command('cleanup')
    .description(
      "find what runs that died left behind (cgroups, netns, links, mounts, containers, processes, work folders, trace instances; by the nsb- prefix) and remove it; a live run's objects are left alone",
    )
    .option('--dry-run', 'only list')
    .option(
      '--force',
      'also remove the objects of runs that are still alive (they are left alone otherwise, and named)',
    )
    .action(async (opts: { dryRun?: boolean; force?: boolean }) => setExit(await cleanupCommand(opts)));
  program
    .command('list')
    .description('list scenarios, namespaces, presets and built-in workloads')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => setExit(await listCommand(opts)));
  program
    .command('doctor')
    .description('check privileges, kernel support per namespace, cgroup mode and tools, with the fix for each problem')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => setExit(await doctorCommand(opts)));
}

/** Options a command takes more than once (they collect). */
const REPEATABLE = new Set(['--ns', '--metric', '--failed']);

/**
 * What commander lets through silently: `help <unknown>` (the whole help,
 * no word of the unknown command) and an option given twice (the last one
 * wins). Both are errors here.
 */
export function checkArgv(program: Command, argv: readonly string[]): void {
  const args = argv.slice(2);
  const names = program.commands.map((c) => c.name());
  if (args[0] === 'help' && args[1] && !names.includes(args[1]))
    throw new UserError(
      `unknown command '${args[1]}'${didYouMean(args[1], names)}`,
      `see nsbench --help for the commands (${names.join(', ')})`,
    );
  const cmd = program.commands.find((c) => c.name() === args[0]);
  if (!cmd) return;
  const seen = new Map<string, string>();
  for (const a of args.slice(1)) {
    if (a === '--') break;
    if (!a.startsWith('-')) continue;
    const flag = a.split('=')[0] as string;
    const opt = cmd.options.find(
      (o) =>
        o.long === flag ||
        o.short === flag ||
        o.long === `--no-${flag.replace(/^--/, '')}` ||
        `--no-${(o.long ?? '').replace(/^--(no-)?/, '')}` === flag,
    );
    if (!opt?.long || REPEATABLE.has(opt.long)) continue;
    const key = opt.long.replace(/^--no-/, '--');
    const before = seen.get(key);
    if (before) throw new UserError(`${before} and ${a} both given: which one?`, `give ${key} once`);
    seen.set(key, a);
  }
}
