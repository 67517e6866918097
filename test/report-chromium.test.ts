// The HTML report in real headless Chromium: it loads with no console errors
// and no network requests, and every chart has rendered.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeReports } from '../src/report/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { loadScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

test('report of a real run renders in headless Chromium, offline, without errors', {
  skip: needsRootAndBuild || (CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)'),
}, async () => {
  const boot = await loadScenario('boot');
  const { run } = await runBenchmark({
    scenarios: [boot],
    rounds: 6,
    warmup: 0,
    defaultRounds: 6,
    defaultWarmup: 0,
    defaultTimeoutMs: 10_000,
    outDir: tempDir(),
    seed: 9,
  });
  const dir = tempDir('nsb-report-');
  const files = await writeReports(run, dir);
  assert.ok(files.charts >= 3);
  const html = readFileSync(files.html, 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*application\/json)/, 'no executable script');
  assert.doesNotMatch(html, /(src|href)="https?:/, 'no external resource (namespace and schema URIs are not fetched)');
  assert.match(
    readFileSync(files.markdown, 'utf8'),
    /^## boot — interleaved, one-cpu, vfork$/m,
    'the heading names the pace, the placement and how the sandboxes were made',
  );

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${files.html}`, { waitUntil: 'load' });
    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file://')),
      [],
      'no network requests',
    );
    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          marks: svg ? svg.querySelectorAll('path, line, rect, circle').length : 0,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    assert.equal(charts.length, files.charts);
    for (const c of charts)
      assert.ok(c.marks > 5 && c.width > 100 && c.height > 50, `chart rendered: ${JSON.stringify(c)}`);
    const specs = JSON.parse((await page.textContent('#vega-lite-specs')) ?? '{}') as Record<string, unknown>;
    assert.equal(Object.keys(specs).length, files.charts, 'every spec embedded for provenance');
    // it leads with its findings and a table of contents whose links all land on a section
    assert.ok((await page.$$eval('#findings li', (l) => l.length)) >= 2, 'key findings at the top');
    const targets = await page.$$eval('nav#contents a', (as) => as.map((a) => a.getAttribute('href')?.slice(1) ?? ''));
    assert.ok(targets.length >= 3);
    for (const id of targets) assert.ok(await page.$(`[id="${id}"]`), `contents link #${id} lands`);
    assert.ok(
      (await page.$$eval('figcaption .read', (r) => r.length)) === files.charts,
      'a how-to-read line under every chart',
    );
    const legend = await page.$$eval('figure[data-chart$="-breakdown"] svg text', (t) =>
      t.map((x) => x.textContent ?? ''),
    );
    const order = ['prepare', 'clone', 'map', 'cgroup', 'setup', 'exec'].map((p) => legend.lastIndexOf(p)); // the legend comes after the axis (a variant may be called cgroup)
    assert.ok(
      order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] as number))),
      `phases in time order in the legend: ${order}`,
    );
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
