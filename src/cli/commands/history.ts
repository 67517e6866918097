import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { historyCsv, historyHtml, historyPoints, toBencherBmf, toGithubSmallerIsBetter } from '../../history/index.ts';
import { readResults, writeFileAtomic } from '../../results/index.ts';
import { UserError } from '../../errors/index.ts';

/** `nsbench history <results...>`: trend HTML + CSV across runs, keyed by host. */
export async function historyCommand(files: string[], o: { out?: string; config?: string }): Promise<number> {
  const config = await loadConfig(o.config);
  const runs = files.map((f) => readResults(f));
  const points = historyPoints(runs);
  const dir = o.out ?? config.reportsDir;
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'history.html');
  const csv = join(dir, 'history.csv');
  writeFileAtomic(html, await historyHtml(points));
  writeFileAtomic(csv, historyCsv(points));
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
  const text = `${JSON.stringify(fmt(readResults(file)), null, 1)}\n`;
  if (o.out) writeFileAtomic(o.out, text);
  else process.stdout.write(text);
  return 0;
}
