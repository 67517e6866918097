import { join } from 'node:path';
import { writeFileAtomic, type RunResults } from '../results/index.ts';
import { outputDir, writing } from '../util/index.ts';
import { htmlReport } from './html.ts';
import { markdownSummary } from './markdown.ts';

export interface ReportFiles {
  html: string;
  markdown: string;
  charts: number;
}

/** Writes reports/<run-id>.html and reports/<run-id>.md. */
export async function writeReports(run: RunResults, dir: string): Promise<ReportFiles> {
  outputDir(dir, 'the report');
  const { html, charts } = await htmlReport(run);
  const files = { html: join(dir, `${run.runId}.html`), markdown: join(dir, `${run.runId}.md`), charts };
  writing(files.html, 'the report', () => writeFileAtomic(files.html, html));
  writing(files.markdown, 'the report', () => writeFileAtomic(files.markdown, markdownSummary(run)));
  return files;
}
