import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPARE_DEFAULTS,
  type CompareResult,
  compareByHost,
  compareMarkdown,
  comparePooled,
  compareRuns,
  compareText,
  type Side,
} from '../../compare/index.ts';
import { loadConfig } from '../../config/index.ts';
import { UserError } from '../../errors/index.ts';
import { terminalWidth } from '../../report/index.ts';
import { checkMetricName, loadRunOrFleet, type RunResults } from '../../results/index.ts';
import { listSome, notAnInput, outputFile, resolvedPath, writing } from '../../util/index.ts';

export interface CompareCommandOptions {
  threshold?: number;
  alpha?: number;
  metric?: string[];
  markdown?: string;
  json?: boolean;
  config?: string;
  /** fleet files: pooled with the host as a blocking factor (default: host by host) */
  pooled?: boolean;
  /** the run-to-run sd (percent) allowed for with one baseline run */
  runSd?: number;
}

/**
 * The baseline arguments as files: a folder stands for the results files in
 * it (regular *.json files that are nsbench results; other JSON, such as
 * fleet files or perf figures, is passed over with a note), the current file
 * left out where it lies there too.
 */
async function baselineFiles(args: readonly string[], currentFile: string): Promise<string[]> {
  const out: string[] = [];
  const current = resolvedPath(currentFile);
  for (const a of args) {
    let dir = false;
    try {
      dir = statSync(a).isDirectory();
    } catch {
      // not there: loading it says so in one line
    }
    if (!dir) {
      out.push(a);
      continue;
    }
    const found: string[] = [];
    for (const name of readdirSync(a)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const f = join(a, name);
      let regular = false;
      try {
        regular = statSync(f).isFile();
      } catch {
        regular = false;
      }
      if (!regular || resolvedPath(f) === current) continue;
      try {
        await loadRunOrFleet(f).then((x) => {
          if (x.kind !== 'run') throw new UserError(`${f} is a fleet file`, '');
        });
        found.push(f);
      } catch (e) {
        if (e instanceof UserError && /is not an nsbench results file|is a fleet file/.test(e.message))
          process.stderr.write(`note: ${f} is not a run's results file: passed over\n`);
        else throw e;
      }
    }
    if (!found.length)
      throw new UserError(
        `the folder ${a} holds no results file of a run`,
        'give a folder of results/<run-id>.json files, or the files themselves',
      );
    out.push(...found);
  }
  return out;
}

/** Every metric a run's completed samples hold. */
function metricsOf(run: RunResults): Set<string> {
  const out = new Set<string>();
  for (const sc of run.scenarios)
    for (const s of sc.samples) if (s.state === 'completed') for (const k of Object.keys(s.metrics)) out.add(k);
  return out;
}

/**
 * `nsbench compare <baseline...> <current>`: exit 0 no regression, 1 regression, 2 bad input (or nothing
 * to compare). Several baseline runs (files or folders of them) teach it the run-to-run variance.
 */
export async function compareCommand(files: string[], o: CompareCommandOptions): Promise<number> {
  if (files.length < 2)
    throw new UserError(
      'compare needs a baseline and a current results file',
      'nsbench compare BASELINE.json [MORE_BASELINES...] CURRENT.json',
    );
  const config = await loadConfig(o.config);
  const currentFile = files.at(-1) as string;
  const baselineArgs = await baselineFiles(files.slice(0, -1), currentFile);
  const baselineFile = baselineArgs.join(', ');
  if (o.markdown) {
    outputFile(o.markdown, 'the Markdown table'); // an output problem is found before any verdict
    notAnInput(o.markdown, [...baselineArgs, currentFile], 'the Markdown table');
  }
  const side = async (file: string): Promise<Side> => {
    const x = await loadRunOrFleet(file);
    return x.kind === 'fleet' ? { kind: 'fleet', file, fleet: x.fleet } : { kind: 'run', file, run: x.run };
  };
  const bs = await Promise.all(baselineArgs.map(side));
  const b = bs[0] as Side;
  const c = await side(currentFile);
  const runsOf = (s: Side) => (s.kind === 'fleet' ? s.fleet.hosts.map((h) => h.run) : [s.run]);
  const fleets = bs.some((x) => x.kind === 'fleet') || c.kind === 'fleet';
  if (fleets && bs.length > 1)
    throw new UserError(
      'several baseline runs take single-run results files, not fleet files',
      "compare a fleet against one fleet, or give each host's runs as results files",
    );
  if (o.pooled && !fleets)
    throw new UserError(
      '--pooled pools the hosts of fleet files',
      'compare fleet files (nsbench merge), or leave --pooled out',
    );
  const baselines = bs.flatMap((x) => runsOf(x).slice(0, 1));
  const baseline = baselines[0] as RunResults;
  const current = runsOf(c)[0] as RunResults;
  const twice = baselines.find(
    (x, i) => baselines.findIndex((y) => y.runId === x.runId) !== i || x.runId === current.runId,
  );
  if (twice && !fleets)
    throw new UserError(
      `run ${twice.runId} is given twice (as a baseline${twice.runId === current.runId ? ' and as the current run' : ' twice'})`,
      'give each run once: the baseline runs, then the run to judge',
    );
  if (o.metric?.length) {
    const union = (rs: RunResults[]) => new Set(rs.flatMap((r) => [...metricsOf(r)]));
    const cur = union(runsOf(c));
    const both = [...union(bs.flatMap(runsOf))].filter((m) => cur.has(m)).sort();
    for (const m of o.metric) checkMetricName(m, `--metric ${m}`, both);
  }
  const compare = fleets
    ? (_x: RunResults[], _y: RunResults, opts: Parameters<typeof compareRuns>[2]) =>
        o.pooled ? comparePooled(b, c, opts) : compareByHost(b, c, opts)
    : compareRuns;
  const res = compare(baselines, current, {
    runSdPct: o.runSd ?? config.compare.runSdPct ?? COMPARE_DEFAULTS.runSdPct,
    thresholdPct: o.threshold ?? config.compare.thresholdPct,
    alpha: o.alpha ?? config.compare.alpha,
    ...(config.compare.thresholds ? { thresholds: config.compare.thresholds } : {}),
    ...(o.metric?.length ? { metrics: o.metric } : {}),
  });
  judgedSomething(res, baselineFile, currentFile, baseline, current);
  if (o.markdown)
    writing(o.markdown, 'the Markdown table', () => writeFileSync(o.markdown as string, compareMarkdown(res)));
  process.stdout.write(o.json ? `${JSON.stringify(res, null, 1)}\n` : `${compareText(res, terminalWidth())}\n`);
  return res.exitCode;
}

/** A gate that compared nothing, or judged nothing, must not pass as if it had; what the current run lacks is said. */
function judgedSomething(
  res: CompareResult,
  baselineFile: string,
  currentFile: string,
  baseline: RunResults,
  current: RunResults,
): void {
  if (res.rows.length === 0) {
    const names = (r: RunResults) => r.scenarios.map((s) => s.name).join(', ') || 'none';
    throw new UserError(
      `nothing to compare: ${baselineFile} and ${currentFile} have no scenario, variant and metric in common (baseline scenarios: ${names(baseline)}; current: ${names(current)})`,
      'compare two runs of the same scenarios and variants',
    );
  }
  // a gate that judged nothing must not pass as if it had
  if (res.rows.every((r) => r.verdict === 'too few samples'))
    throw new UserError(
      `nothing could be judged: every one of the ${res.rows.length} comparisons has fewer than ${COMPARE_DEFAULTS.minSamples} measured samples on a side`,
      'run more rounds (at least 6 of every variant) on both sides',
    );
  // fewer comparisons than the baseline had: said on stderr too, where a CI log shows it whatever the output format
  const missing = res.warnings
    .filter((w) => w.endsWith('is only in the baseline run'))
    .map((w) => w.replace(/ is only in the baseline run$/, ''));
  if (missing.length)
    process.stderr.write(
      `warning: ${missing.length} of the baseline's scenarios, variants or metrics are missing from ${currentFile}, so not compared: ${listSome(missing, 8)}\n`,
    );
}
