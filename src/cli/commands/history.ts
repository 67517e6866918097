import { join, relative } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { UserError } from '../../errors/index.ts';
import {
  historyAnalysis,
  historyCsv,
  historyHtml,
  historyPoints,
  MIN_HISTORY_RUNS,
  toBencherBmf,
  toGithubSmallerIsBetter,
} from '../../history/index.ts';
import { loadResults, type RunResults, writeFileAtomic } from '../../results/index.ts';
import { notAnInput, outputDir, outputFile, writing } from '../../util/index.ts';

/** `nsbench history <results...>`: trend HTML + CSV across runs, keyed by host. */
export async function historyCommand(
  files: string[],
  o: { out?: string; config?: string; failOnStep?: number | true },
): Promise<number> {
  const config = await loadConfig(o.config);
  const runs: RunResults[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const run = await loadResults(f);
    const twin = seen.get(run.runId);
    if (twin) {
      process.stderr.write(`note: ${f} is run ${run.runId} again (as ${twin}): counted once\n`);
      continue;
    }
    seen.set(run.runId, f);
    // history orders the runs by their start: a start that is no date would be ordered as text
    if (!/^\d{4}-\d{2}-\d{2}T/.test(run.startedAt) || Number.isNaN(Date.parse(run.startedAt)))
      throw new UserError(
        `${f}: startedAt ${JSON.stringify(run.startedAt)} is not a date, and history orders runs by it`,
        'give results files written by nsbench run (the file is damaged)',
      );
    runs.push(run);
  }
  const points = historyPoints(runs);
  const dir = o.out ?? config.reportsDir;
  const html = join(dir, 'history.html');
  const csv = join(dir, 'history.csv');
  notAnInput(html, files, 'the history');
  notAnInput(csv, files, 'the history');
  outputDir(dir, 'the history');
  const { steps, judged, series } = historyAnalysis(points);
  // for CI: a gate that judged nothing must not pass as if it had (checked before anything is written)
  if (o.failOnStep !== undefined && judged === 0)
    throw new UserError(
      `--fail-on-step: nothing to judge — none of the ${series} series has ${MIN_HISTORY_RUNS} runs of one host (a step needs 3 runs on each side)`,
      `give at least ${MIN_HISTORY_RUNS} results files of the same host`,
    );
  const page = await historyHtml(points, steps);
  writing(html, 'the history', () => writeFileAtomic(html, page));
  writing(csv, 'the history', () => writeFileAtomic(csv, historyCsv(points)));
  const rel = (p: string) => relative(process.cwd(), p) || p;
  process.stdout.write(
    `history of ${runs.length} runs: ${rel(html)}, ${rel(csv)}; ${judged} of ${series} series judged for steps (${MIN_HISTORY_RUNS} runs of one host or more)\n`,
  );
  for (const x of steps)
    process.stdout.write(
      `step: ${x.scenario}/${x.variant} ${x.metric} ${x.ratio >= 1 ? '+' : ''}${((x.ratio - 1) * 100).toFixed(1)}% from run ${x.runId}${x.commit ? ` (${x.commit.slice(0, 10)})` : ''}${x.worse ? ', worse' : ''}${x.latest ? ', to the newest run' : ''} [${x.host}]\n`,
    );
  if (o.failOnStep === undefined) return 0;
  // for CI: the newest level of a series is a step for the worse beyond the threshold
  const pct = o.failOnStep === true ? (config.compare.thresholdPct ?? 5) : o.failOnStep;
  const failing = steps.filter((x) => x.latest && x.worse && Math.abs(x.ratio - 1) * 100 > pct);
  if (failing.length) {
    process.stderr.write(
      `history: ${failing.length} step(s) for the worse beyond ${pct}% reach the newest run: ${failing.map((x) => `${x.scenario}/${x.variant}`).join(', ')}\n`,
    );
    return 1;
  }
  return 0;
}

const FORMATS = {
  'github-smaller': toGithubSmallerIsBetter,
  bencher: toBencherBmf,
} as const;

/** `nsbench export <results> --format github-smaller|bencher` */
export async function exportCommand(file: string, o: { format: string; out?: string }): Promise<number> {
  const fmt = Object.hasOwn(FORMATS, o.format) ? FORMATS[o.format as keyof typeof FORMATS] : undefined;
  if (!fmt)
    throw new UserError(
      `unknown export format "${o.format}" (known: ${Object.keys(FORMATS).join(', ')})`,
      'use --format github-smaller or --format bencher',
    );
  if (o.out) {
    outputFile(o.out, 'the export');
    notAnInput(o.out, [file], 'the export');
  }
  const run = await loadResults(file);
  const entries = fmt(run);
  if ((Array.isArray(entries) ? entries.length : Object.keys(entries).length) === 0)
    throw new UserError(
      `${file} has nothing to export: ${run.scenarios.length ? 'no headline figure was measured' : 'no scenario'}`,
      'export a run that measured something',
    );
  const text = `${JSON.stringify(entries, null, 1)}\n`;
  if (o.out) writing(o.out, 'the export', () => writeFileAtomic(o.out as string, text));
  else process.stdout.write(text);
  return 0;
}
