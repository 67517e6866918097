import { join } from 'node:path';
import { type RunResults, writeFileAtomic } from '../results/index.ts';
import { insideDir, notAnInput, outputDir, writing } from '../util/index.ts';
import { htmlReport } from './html.ts';
import { markdownSummary } from './markdown.ts';

interface ReportFiles {
  html: string;
  markdown: string;
  charts: number;
}

/**
 * Writes reports/<run-id>.html and reports/<run-id>.md; never onto one of `inputs` (the files the report was read
 * from).
 */
export async function writeReports(run: RunResults, dir: string, inputs: readonly string[] = []): Promise<ReportFiles> {
  const files = {
    html: insideDir(dir, join(dir, `${run.runId}.html`), 'the report'),
    markdown: insideDir(dir, join(dir, `${run.runId}.md`), 'the report'),
    charts: 0,
  };
  notAnInput(files.html, inputs, 'the report');
  notAnInput(files.markdown, inputs, 'the report');
  outputDir(dir, 'the report');
  const { html, charts } = await htmlReport(run);
  files.charts = charts;
  writing(files.html, 'the report', () => writeFileAtomic(files.html, html));
  writing(files.markdown, 'the report', () => writeFileAtomic(files.markdown, markdownSummary(run)));
  return files;
}
