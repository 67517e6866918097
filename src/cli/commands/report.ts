import { relative } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { writeFleetReport, writeReports } from '../../report/index.ts';
import { loadRunOrFleet } from '../../results/index.ts';

/** `nsbench report <results.json | fleet.json>`: the HTML report and the Markdown summary (of a run, or of a fleet). */
export async function reportCommand(file: string, o: { out?: string; config?: string; reference?: string }): Promise<number> {
  const config = await loadConfig(o.config);
  const what = await loadRunOrFleet(file);
  const t0 = performance.now();
  const rel = (p: string) => relative(process.cwd(), p) || p;
  if (what.kind === 'fleet') {
    const f = writeFleetReport(what.fleet, file, o.out ?? config.reportsDir, o.reference ? { reference: o.reference } : {});
    const differ = f.analysis.rows.flatMap((r) => r.cells.filter((c) => c.differs).map((c) => `${c.host} ${r.scenario}/${r.variant}`));
    process.stdout.write(`fleet report: ${rel(f.html)} (${what.fleet.hosts.length} hosts, reference ${f.analysis.reference}, ${Math.round(performance.now() - t0)} ms)\nsummary: ${rel(f.markdown)}\n${differ.length ? `differ significantly from ${f.analysis.reference}: ${differ.slice(0, 10).join('; ')}${differ.length > 10 ? `; … ${differ.length - 10} more` : ''}\n` : ''}`);
    return 0;
  }
  if (o.reference) process.stderr.write('note: --reference applies to a fleet file (nsbench merge); ignored for one run\n');
  const f = await writeReports(what.run, o.out ?? config.reportsDir, [file]);
  process.stdout.write(`report: ${rel(f.html)} (${f.charts} charts, ${Math.round(performance.now() - t0)} ms)\nsummary: ${rel(f.markdown)}\n`);
  return 0;
}
