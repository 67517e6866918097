import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { errorMessage } from '../errors/index.ts';
import { type RunResults, writeFileAtomic } from '../results/index.ts';
import { insideDir, notAnInput, outputDir, renderSvg, writing } from '../util/index.ts';
import { type Chart, chartsFor, chartValues, isolationVsCost, styled } from './charts.ts';
import { kernelSections } from './kernel.ts';

const run$ = promisify(execFile);

/** Where a Chromium is: $NSB_CHROMIUM, else the usual Debian and Ubuntu paths. */
function findChromium(): string | null {
  const env = process.env.NSB_CHROMIUM;
  if (env) return existsSync(env) ? env : null;
  return (
    ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p)) ?? null
  );
}

/**
 * A chart id as a file name: letters, digits, dot, dash and underscore only (an id holds names read from a results
 * file).
 */
function figureName(id: string, taken: Set<string>): string {
  const base =
    id
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[.]+/, '_')
      .slice(0, 120) || 'figure';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** Every chart of a run, in report order: each scenario's, the kernel's, isolation against cost. */
export function allCharts(run: RunResults): Chart[] {
  const out: Chart[] = [];
  for (const sc of run.scenarios) out.push(...chartsFor(sc));
  for (const t of kernelSections(run)) if (t.chart) out.push(t.chart);
  for (const sc of run.scenarios.filter((s) => s.kind === 'isolation')) {
    const c = isolationVsCost(run, sc);
    if (c) out.push(c);
  }
  return out.map((c) => ({ ...c, spec: styled(c.spec) }));
}

interface FiguresWritten {
  dir: string;
  figures: { name: string; title: string; files: string[] }[];
  /** the PDFs were made (a Chromium was found and printed every one) */
  pdf: boolean;
  note: string | null;
}

/** The SVG's own size in px (vega writes width and height on the root element). */
function svgSize(svg: string): { w: number; h: number } {
  const w = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 640);
  const h = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 400);
  return { w: Math.ceil(w), h: Math.ceil(h) };
}

/** Prints one SVG to a PDF page of exactly its size with headless Chromium (vector output: text stays text). */
async function printPdf(chromium: string, svg: string, pdf: string, scratch: string, name: string): Promise<void> {
  const { w, h } = svgSize(svg);
  const page = join(scratch, `${name}.html`);
  writeFileSync(
    page,
    `<!doctype html><html><head><meta charset="utf-8"><style>@page{size:${w}px ${h}px;margin:0}html,body{margin:0;padding:0}svg{display:block}</style></head><body>${svg}</body></html>`,
  );
  await run$(
    chromium,
    [
      '--headless',
      `--user-data-dir=${join(scratch, `profile-${name}`)}`,
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-pdf-header-footer',
      `--print-to-pdf=${pdf}`,
      `file://${page}`,
    ],
    { timeout: 60_000 },
  );
  if (!existsSync(pdf)) throw new Error(`chromium wrote no ${pdf}`);
}

/**
 * `nsbench report --figures DIR`: each chart of the report as a standalone
 * SVG and a PDF of the same size (headless Chromium; skipped, with the reason,
 * where none is installed), the data it draws as CSV, and its caption; an
 * index (figures.md) lists them. File names come from chart ids made safe.
 */
export async function writeFigures(
  run: RunResults,
  dir: string,
  inputs: readonly string[] = [],
): Promise<FiguresWritten> {
  outputDir(dir, 'the figures');
  const chromium = findChromium();
  const scratch = mkdtempSync(join(tmpdir(), 'nsb-figures-'));
  const taken = new Set<string>(['figures']);
  const figures: FiguresWritten['figures'] = [];
  let pdf = !!chromium;
  let note: string | null = chromium
    ? null
    : 'no PDF: Chromium is not installed (apt-get install chromium, or set NSB_CHROMIUM to its path); the SVGs convert with any SVG tool';
  try {
    const pending: { name: string; svg: string; out: string; files: string[] }[] = [];
    for (const c of allCharts(run)) {
      const name = figureName(c.id, taken);
      const path = (ext: string) => {
        const p = insideDir(dir, join(dir, `${name}.${ext}`), 'a figure');
        notAnInput(p, inputs, 'a figure');
        return p;
      };
      const svg = await renderSvg(c.spec);
      const files = [path('svg'), path('csv'), path('txt')];
      writing(files[0] as string, 'a figure', () =>
        writeFileAtomic(files[0] as string, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`),
      );
      const values = chartValues(c.spec);
      const columns = [...new Set(values.flatMap((v) => Object.keys(v)))];
      writing(files[1] as string, 'a figure', () =>
        writeFileAtomic(
          files[1] as string,
          stringify(
            values.map((v) => columns.map((k) => v[k] ?? '')),
            { header: true, columns },
          ),
        ),
      );
      writing(files[2] as string, 'a figure', () =>
        writeFileAtomic(
          files[2] as string,
          `${c.title}\n\nHow to read it: ${c.read}\n\nData: ${name}.csv (${values.length} rows). nsbench ${run.tool.version}, run ${run.runId}.\n`,
        ),
      );
      if (chromium) pending.push({ name, svg, out: path('pdf'), files });
      figures.push({ name, title: c.title, files });
    }
    // the PDFs, two Chromiums at a time (each prints one page the size of its SVG)
    const queue = [...pending];
    const worker = async () => {
      for (let job = queue.shift(); job && pdf; job = queue.shift()) {
        try {
          await printPdf(chromium as string, job.svg, job.out, scratch, job.name);
          job.files.push(job.out);
        } catch (e) {
          pdf = false;
          note = `no PDF: Chromium failed to print ${job.name} (${errorMessage(e, true)}); the SVGs convert with any SVG tool`;
        }
      }
    };
    await Promise.all([worker(), worker()]);
    const index = insideDir(dir, join(dir, 'figures.md'), 'the figures index');
    notAnInput(index, inputs, 'the figures index');
    const md = [
      `# Figures of nsbench run ${run.runId}`,
      '',
      ...figures.flatMap((f) => [
        `## ${f.name}`,
        '',
        f.title,
        '',
        f.files.map((x) => `\`${basename(x)}\``).join(' · '),
        '',
      ]),
    ].join('\n');
    writing(index, 'the figures index', () => writeFileAtomic(index, md));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { dir, figures, pdf, note };
}
