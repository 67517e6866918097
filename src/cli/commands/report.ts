import { relative } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { writeReports } from '../../report/index.ts';
import { loadResults } from '../../results/index.ts';

/** `nsbench report <results.json>`: the HTML report and the Markdown summary. */
export async function reportCommand(file: string, o: { out?: string; config?: string }): Promise<number> {
  const config = await loadConfig(o.config);
  const run = await loadResults(file);
  const t0 = performance.now();
  const f = await writeReports(run, o.out ?? config.reportsDir);
  const rel = (p: string) => relative(process.cwd(), p) || p;
  process.stdout.write(`report: ${rel(f.html)} (${f.charts} charts, ${Math.round(performance.now() - t0)} ms)\nsummary: ${rel(f.markdown)}\n`);
  return 0;
}
