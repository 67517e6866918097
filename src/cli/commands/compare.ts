import { listSome } from '../../util/index.ts';
import { writeFileSync } from 'node:fs';
import { compareByHost, compareMarkdown, comparePooled, compareRuns, compareText, type Side } from '../../compare/index.ts';
import { loadConfig } from '../../config/index.ts';
import { UserError } from '../../errors/index.ts';
import { checkMetricName, loadRunOrFleet, type RunResults } from '../../results/index.ts';
import { outputFile, writing } from '../../util/index.ts';

export interface CompareCommandOptions {
  threshold?: number;
  alpha?: number;
  metric?: string[];
  markdown?: string;
  json?: boolean;
  config?: string;
  /** fleet files: pooled with the host as a blocking factor (default: host by host) */
  pooled?: boolean;
}

/** Every metric a run's completed samples hold. */
function metricsOf(run: RunResults): Set<string> {
  const out = new Set<string>();
  for (const sc of run.scenarios) for (const s of sc.samples) if (s.state === 'completed') for (const k of Object.keys(s.metrics)) out.add(k);
  return out;
}

/** `nsbench compare <baseline> <current>`: exit 0 no regression, 1 regression, 2 bad input (or nothing to compare). */
export async function compareCommand(baselineFile: string, currentFile: string, o: CompareCommandOptions): Promise<number> {
  const config = await loadConfig(o.config);
  if (o.markdown) outputFile(o.markdown, 'the Markdown table'); // an output problem is found before any verdict
  const side = async (file: string): Promise<Side> => {
    const x = await loadRunOrFleet(file);
    return x.kind === 'fleet' ? { kind: 'fleet', file, fleet: x.fleet } : { kind: 'run', file, run: x.run };
  };
  const b = await side(baselineFile);
  const c = await side(currentFile);
  const runsOf = (s: Side) => (s.kind === 'fleet' ? s.fleet.hosts.map((h) => h.run) : [s.run]);
  const fleets = b.kind === 'fleet' || c.kind === 'fleet';
  if (o.pooled && !fleets) throw new UserError('--pooled pools the hosts of fleet files', 'compare fleet files (nsbench merge), or leave --pooled out');
  const baseline = runsOf(b)[0] as RunResults;
  const current = runsOf(c)[0] as RunResults;
  if (o.metric?.length) {
    const union = (rs: RunResults[]) => new Set(rs.flatMap((r) => [...metricsOf(r)]));
    const cur = union(runsOf(c));
    const both = [...union(runsOf(b))].filter((m) => cur.has(m)).sort();
    for (const m of o.metric) checkMetricName(m, `--metric ${m}`, both);
  }
  const compare = fleets ? (x: RunResults, y: RunResults, opts: Parameters<typeof compareRuns>[2]) => (o.pooled ? comparePooled(b, c, opts) : compareByHost(b, c, opts)) : compareRuns;
  const res = compare(baseline, current, {
    thresholdPct: o.threshold ?? config.compare.thresholdPct,
    alpha: o.alpha ?? config.compare.alpha,
    ...(config.compare.thresholds ? { thresholds: config.compare.thresholds } : {}),
    ...(o.metric?.length ? { metrics: o.metric } : {}),
  });
  if (res.rows.length === 0) {
    const names = (r: RunResults) => r.scenarios.map((s) => s.name).join(', ') || 'none';
    throw new UserError(
      `nothing to compare: ${baselineFile} and ${currentFile} have no scenario, variant and metric in common (baseline scenarios: ${names(baseline)}; current: ${names(current)})`,
      'compare two runs of the same scenarios and variants',
    );
  }
  // fewer comparisons than the baseline had: said on stderr too, where a CI log shows it whatever the output format
  const missing = res.warnings.filter((w) => w.endsWith('is only in the baseline run')).map((w) => w.replace(/ is only in the baseline run$/, ''));
  if (missing.length) process.stderr.write(`warning: ${missing.length} of the baseline's scenarios, variants or metrics are missing from ${currentFile}, so not compared: ${listSome(missing, 8)}\n`);
  if (o.markdown) writing(o.markdown, 'the Markdown table', () => writeFileSync(o.markdown as string, compareMarkdown(res)));
  process.stdout.write(o.json ? `${JSON.stringify(res, null, 1)}\n` : `${compareText(res)}\n`);
  return res.exitCode;
}
