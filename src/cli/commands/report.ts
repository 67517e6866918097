import { relative } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { UserError } from '../../errors/index.ts';
import { writeFigures, writeFleetReport, writeReports } from '../../report/index.ts';
import { loadRunOrFleet } from '../../results/index.ts';

/** `nsbench report <results.json | fleet.json>`: the HTML report and the Markdown summary (of a run, or of a fleet). */
export async function reportCommand(
  file: string,
  o: { out?: string; config?: string; reference?: string; figures?: string },
): Promise<number> {
  const config = await loadConfig(o.config);
  const what = await loadRunOrFleet(file);
  const t0 = performance.now();
  const rel = (p: string) => relative(process.cwd(), p) || p;
  if (what.kind === 'fleet' && o.figures !== undefined)
    throw new UserError(
      '--figures writes the charts of one run, and this is a fleet file',
      "pass one run's results file, or leave --figures out",
    );
  if (what.kind === 'fleet') {
    const f = writeFleetReport(
      what.fleet,
      file,
      o.out ?? config.reportsDir,
      o.reference ? { reference: o.reference } : {},
    );
    const differ = f.analysis.rows.flatMap((r) =>
      r.cells.filter((c) => c.differs).map((c) => `${c.host} ${r.scenario}/${r.variant}`),
    );
    process.stdout.write(
      `fleet report: ${rel(f.html)} (${what.fleet.hosts.length} hosts, reference ${f.analysis.reference}, ${Math.round(performance.now() - t0)} ms)\nsummary: ${rel(f.markdown)}\n${differ.length ? `differ significantly from ${f.analysis.reference}: ${differ.slice(0, 10).join('; ')}${differ.length > 10 ? `; … ${differ.length - 10} more` : ''}\n` : ''}`,
    );
    return 0;
  }
  if (o.reference)
    process.stderr.write('note: --reference applies to a fleet file (nsbench merge); ignored for one run\n');
  const f = await writeReports(what.run, o.out ?? config.reportsDir, [file]);
  process.stdout.write(
    `report: ${rel(f.html)} (${f.charts} charts, ${Math.round(performance.now() - t0)} ms)\nsummary: ${rel(f.markdown)}\n`,
  );
  if (o.figures !== undefined) {
    const g = await writeFigures(what.run, o.figures, [file]);
    process.stdout.write(
      `figures: ${rel(g.dir)}/ — ${g.figures.length} charts, each as SVG${g.pdf ? ', PDF' : ''}, CSV (its data) and TXT (its caption); index ${rel(g.dir)}/figures.md\n`,
    );
    if (g.note) process.stderr.write(`note: ${g.note}\n`);
  }
  return 0;
}
