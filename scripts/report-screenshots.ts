// Screenshots of a report in headless Chromium at 1280 × 800, for the README: the first screen (the
// system, the summary table, the overview chart), the boot breakdown, the boot ECDF, isolation against
// cost, pause and resume, and "Inside the kernel" where the run traced it.
//   node --import tsx scripts/report-screenshots.ts results/<run-id>.json [docs]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { writeReports } from '../src/report/index.ts';
import { readResults } from '../src/results/index.ts';

const [file, outDir = 'docs'] = process.argv.slice(2);
if (!file) throw new Error('usage: report-screenshots.ts <results.json> [out dir]');
const dir = join('/tmp', `nsb-shots-${process.pid}`);
mkdirSync(dir, { recursive: true });
const files = await writeReports(readResults(file), dir);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`file://${files.html}`, { waitUntil: 'load' });
  await page.screenshot({ path: join(outDir, 'report-top.png') });
  const breakdown = page.locator('figure[data-chart$="-breakdown"]:not([data-chart$="-kernel-breakdown"])').first();
  if ((await breakdown.count()) > 0) await breakdown.screenshot({ path: join(outDir, 'report-breakdown.png') });
  // three charts as a paper would take them: the boot distribution, isolation against cost, pause and resume
  for (const [sel, name] of [
    ['figure[data-chart="boot-boot"]', 'report-boot-ecdf.png'],
    ['figure[data-chart$="-isolation-vs-cost"]', 'report-isolation.png'],
    ['figure[data-chart$="-freeze"]', 'report-freeze.png'],
  ] as const) {
    const l = page.locator(sel).first();
    if ((await l.count()) > 0) await l.screenshot({ path: join(outDir, name) });
  }
  const kernel = page.locator('section#kernel');
  if ((await kernel.count()) > 0) await kernel.screenshot({ path: join(outDir, 'report-kernel.png') });
  console.log(
    `wrote ${join(outDir, 'report-top.png')}, ${join(outDir, 'report-breakdown.png')}${(await kernel.count()) > 0 ? ` and ${join(outDir, 'report-kernel.png')}` : ''} from ${file}`,
  );
} finally {
  await browser.close();
}
