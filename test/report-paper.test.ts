// The report of a real run (test/fixtures/results/quick-run.json: `npm run bench` with 8 rounds a
// scenario on the 2-core VM, every scenario kind of the quick profile) read as a newcomer reads it:
// in headless Chromium, every chart's text boxes apart, no label cut, an axis title with a unit and
// "lower/higher is better" on every chart, text of at least 12 px, the summary table on the first
// screen; and `nsbench report --figures` writing a standalone SVG, PDF, CSV and caption per chart.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allCharts, writeReports } from '../src/report/index.ts';
import { readResults } from '../src/results/index.ts';
import { tempDir } from './helpers/env.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const FIXTURE = new URL('./fixtures/results/quick-run.json', import.meta.url).pathname;
const CLI = new URL('../bin/nsbench.js', import.meta.url).pathname;

test('the report of a real quick run in Chromium: no overlapping text, no cut label, axis titles with units and direction, 12 px text, the summary on the first screen', {
  skip: CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)',
}, async () => {
  const dir = tempDir('nsb-paper-');
  const files = await writeReports(readResults(FIXTURE), dir);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`file://${files.html}`, { waitUntil: 'load' });
    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const texts = [...f.querySelectorAll('svg text')]
          .map((t) => {
            const r = t.getBoundingClientRect();
            const size = parseFloat(t.closest('[font-size]')?.getAttribute('font-size') ?? '0');
            const role = t.closest('g[class*="role-"]')?.getAttribute('class') ?? '';
            // vega hides the labels its overlap rule drops with opacity 0: only what a reader sees counts
            return {
              text: (t.textContent ?? '').trim(),
              x: r.left,
              y: r.top,
              w: r.width,
              h: r.height,
              size,
              role,
              hidden: !!t.closest('[opacity="0"]'),
            };
          })
          .filter((t) => t.text !== '' && t.w > 0 && !t.hidden);
        return { id: f.getAttribute('data-chart') ?? '', texts };
      }),
    );
    assert.ok(charts.length >= 12, `charts: ${charts.length}`);
    const problems: string[] = [];
    for (const c of charts) {
      // no two text boxes overlap (a pixel of slack for anti-aliasing)
      const t = c.texts;
      for (let i = 0; i < t.length; i++)
        for (let j = i + 1; j < t.length; j++) {
          const a = t[i] as (typeof t)[number];
          const b = t[j] as (typeof t)[number];
          const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
          const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
          if (ox > 1 && oy > 1) problems.push(`${c.id}: "${a.text}" overlaps "${b.text}"`);
        }
      // no label cut (vega marks a cut with an ellipsis) and no two labels of an axis alike
      for (const x of t) if (/…$/.test(x.text)) problems.push(`${c.id}: label cut: "${x.text}"`);
      const labels = t.filter((x) => /role-axis-label/.test(x.role));
      const byAxis = new Map<string, string[]>();
      for (const l of labels)
        byAxis.set(`${Math.round(l.x)}|${l.role}`, [...(byAxis.get(`${Math.round(l.x)}|${l.role}`) ?? []), l.text]);
      // an axis title that says the unit and which way is better
      const titles = t.filter((x) => /role-axis-title/.test(x.role)).map((x) => x.text);
      if (!titles.some((x) => /\((µs|ms|ns|×|Mbit\/s|KiB|bytes|time)[^)]*(lower|higher) is better\)/.test(x)))
        problems.push(`${c.id}: no axis title with a unit and a direction (${titles.join(' | ')})`);
      for (const x of t) if (x.size < 12) problems.push(`${c.id}: "${x.text}" at ${x.size}px`);
    }
    // y-axis labels (variant names) of one chart are all different: none cut to equal another
    const ylabels = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => ({
        id: f.getAttribute('data-chart'),
        labels: [...f.querySelectorAll('g[class*="role-axis-label"] text')]
          .filter((t) => !t.closest('[opacity="0"]'))
          .map((t) => t.textContent ?? ''),
      })),
    );
    for (const c of ylabels) {
      const seen = new Set<string>();
      for (const l of c.labels)
        if (/[A-Za-z]/.test(l) && seen.has(l) && !/^\d/.test(l)) problems.push(`${c.id}: two labels read "${l}"`);
      for (const l of c.labels) seen.add(l);
    }
    assert.deepEqual(problems, []);
    // the first screen at 1280 × 800 holds the system line and the whole summary table
    const box = await page.$eval('#summary table', (t) => t.getBoundingClientRect().bottom);
    assert.ok(box <= 800, `summary table ends at ${box}px`);
    assert.match(
      (await page.textContent('.system')) ?? '',
      /Linux .* CPUs · cgroups \w+ · profile \w+ · \d{4}-\d\d-\d\d/,
    );
    const rows = await page.$$eval('#summary tbody tr', (r) => r.map((x) => x.textContent ?? ''));
    assert.ok(
      rows.some((r) => /slower|faster|no difference/.test(r)),
      'direction words',
    );
    assert.ok(await page.$('figure[data-chart="overview"]'), 'an overview chart beside the table');
  } finally {
    await browser.close();
  }
});

test('nsbench report --figures writes each chart as standalone SVG and PDF, with its data as CSV and its caption', {
  skip: CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)',
  timeout: 300_000,
}, () => {
  const out = tempDir('nsb-figs-');
  const figs = join(out, 'figures');
  // two scenarios of the quick run (two charts): every kind of figure file, in a few seconds of Chromium printing
  const results = join(out, 'freeze-nn.json');
  const whole = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { scenarios: { name: string }[] };
  writeFileSync(
    results,
    JSON.stringify({
      ...whole,
      scenarios: whole.scenarios.filter((s) => s.name === 'freeze' || s.name === 'noisy-neighbour'),
    }),
  );
  const r = spawnSync(process.execPath, [CLI, 'report', results, '-o', out, '--figures', figs], {
    encoding: 'utf8',
    timeout: 280_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /figures: .* charts, each as SVG, PDF, CSV/);
  const names = readdirSync(figs);
  const charts = allCharts(readResults(results));
  assert.ok(charts.length >= 2, `charts: ${charts.length}`);
  const svgs = names.filter((n) => n.endsWith('.svg'));
  assert.equal(svgs.length, charts.length);
  for (const svg of svgs) {
    const base = svg.slice(0, -4);
    const text = readFileSync(join(figs, svg), 'utf8');
    assert.match(
      text,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
      `${svg} is a standalone SVG`,
    );
    assert.match(text, /<\/svg>\s*$/);
    assert.ok((text.match(/<text/g) ?? []).length > 3, `${svg} has its text as text`);
    const pdf = readFileSync(join(figs, `${base}.pdf`));
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', `${base}.pdf is a PDF`);
    assert.match(pdf.subarray(-1024).toString('latin1'), /%%EOF\s*$/, `${base}.pdf is complete`);
    assert.equal((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length, 1, `${base}.pdf is one page`);
    const csv = readFileSync(join(figs, `${base}.csv`), 'utf8')
      .trim()
      .split('\n');
    assert.ok(csv.length >= 2, `${base}.csv holds the data drawn`);
    assert.match(readFileSync(join(figs, `${base}.txt`), 'utf8'), /How to read it: /);
  }
  assert.match(readFileSync(join(figs, 'figures.md'), 'utf8'), /^# Figures of nsbench run /);
  // a figure never lands on the file it was made from, and a fleet file is refused in one line
  const bad = spawnSync(process.execPath, [CLI, 'report', results, '-o', out, '--figures', results], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /^error: .* — /);
});
