import { join, relative } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { historyCsv, historyHtml, historyPoints, toBencherBmf, toGithubSmallerIsBetter } from '../../history/index.ts';
import { loadResults, writeFileAtomic, type RunResults } from '../../results/index.ts';
import { outputDir, outputFile, writing } from '../../util/index.ts';
import { UserError } from '../../errors/index.ts';

/** `nsbench history <results...>`: trend HTML + CSV across runs, keyed by host. */
export async function historyCommand(files: string[], o: { out?: string; config?: string }): Promise<number> {
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
    runs.push(run);
  }
  const points = historyPoints(runs);
  const dir = o.out ?? config.reportsDir;
  outputDir(dir, 'the history');
  const html = join(dir, 'history.html');
  const csv = join(dir, 'history.csv');
  const page = await historyHtml(points);
  writing(html, 'the history', () => writeFileAtomic(html, page));
  writing(csv, 'the history', () => writeFileAtomic(csv, historyCsv(points)));
  const rel = (p: string) => relative(process.cwd(), p) || p;
  process.stdout.write(`history of ${runs.length} runs: ${rel(html)}, ${rel(csv)}\n`);
  return 0;
}

const FORMATS = {
  'github-smaller': toGithubSmallerIsBetter,
  bencher: toBencherBmf,
} as const;

/** `nsbench export <results> --format github-smaller|bencher` */
export async function exportCommand(file: string, o: { format: string; out?: string }): Promise<number> {
  const fmt = FORMATS[o.format as keyof typeof FORMATS];
  if (!fmt) throw new UserError(`unknown export format "${o.format}" (known: ${Object.keys(FORMATS).join(', ')})`, 'use --format github-smaller or --format bencher');
  if (o.out) outputFile(o.out, 'the export');
  const text = `${JSON.stringify(fmt(await loadResults(file)), null, 1)}\n`;
  if (o.out) writing(o.out, 'the export', () => writeFileAtomic(o.out as string, text));
  else process.stdout.write(text);
  return 0;
}
