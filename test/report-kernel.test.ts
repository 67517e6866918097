// "Inside the kernel" from real traced runs: this host's (system calls, waiting,
// deferred work; no function tracer) and the 6.1 kernel's of scripts/v2-vm.sh
// (clone split by namespace constructor). The figures, the HTML and Markdown
// section, its key finding, and the section in headless Chromium.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PHASES } from '../src/launcher/index.ts';
import { writeReports } from '../src/report/index.ts';
import { kernelAttribution, keyFindings, readResults } from '../src/results/index.ts';
import { tempDir } from './helpers/env.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'results');
const host = () => readResults(join(FIXTURES, 'kernel-trace.json'));
const vm = () => readResults(join(FIXTURES, 'kernel-trace-functions.json'));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

test('attribution per variant: clone3 and execve in every launch, cleanup_net left by net and not by bare, slices add up to the phases', () => {
  const sc = host().scenarios[0];
  assert.ok(sc?.kernelTrace?.traced);
  const rows = kernelAttribution(sc) ?? [];
  assert.deepEqual(
    rows.map((r) => r.variant),
    sc.variants.map((v) => v.id),
  );
  for (const r of rows) {
    const call = (n: string) => r.syscalls.find((c) => c.name === n);
    assert.ok((call('clone3')?.ns ?? 0) > 0 && (call('execve')?.ns ?? 0) > 0, `${r.variant}: its clone3 and execve`);
    assert.ok((call('clone3')?.ns ?? 0) + (call('execve')?.ns ?? 0) < r.bootNs, `${r.variant}: inside its boot`);
    assert.ok(r.runNs <= r.bootNs && r.waitCpuNs <= r.waitNs + 1);
    const slices = r.slices.reduce((a, s) => a + s.ns, 0);
    const phases = PHASES.reduce(
      (a, p) => a + (sc.summary.find((v) => v.variant === r.variant)?.metrics[p]?.median ?? 0),
      0,
    );
    assert.ok(slices >= phases - 1, `${r.variant}: the slices cover the phases (${slices} vs ${phases})`);
  }
  const net = rows.find((r) => r.variant === 'net');
  assert.ok((net?.work.find((w) => w.fn === 'cleanup_net')?.ns ?? 0) > 0, 'net leaves cleanup_net, with a run time');
  assert.equal(
    rows.find((r) => r.variant === 'bare')?.work.find((w) => w.fn === 'cleanup_net'),
    undefined,
  );
  assert.ok(
    (rows
      .find((r) => r.variant === 'user+mnt+pid' || r.variant.includes('user'))
      ?.syscalls.find((c) => c.name === 'mapWrite')?.count ?? 0) === 3,
    'the user namespace: three map writes by the launcher',
  );
  assert.match(
    keyFindings(host()).find((f) => f.topic === 'kernel')?.text ?? '',
    /^Inside the kernel \(boot\): .*clone spends .* net's exit leaves cleanup_net behind/,
  );
});

test("the function-level split (6.1 in the VM): copy_net_ns carries net's clone, every split fits inside its call", () => {
  const sc = vm().scenarios[0];
  assert.ok(sc?.kernelTrace?.functions, 'traced with the function tracer');
  const rows = kernelAttribution(sc) ?? [];
  for (const r of rows) {
    const split = r.functions.reduce((a, f) => a + f.ns, 0);
    const call = r.syscalls.find((c) => c.name === 'clone3')?.ns ?? 0;
    assert.ok(
      split > 0 && split <= call * 1.05,
      `${r.variant}: the constructors' slices (${split}) lie inside clone3 (${call})`,
    );
  }
  const slice = (v: string, fn: string) =>
    rows.find((r) => r.variant === v)?.functions.find((f) => f.fn === fn)?.ns ?? 0;
  assert.ok(
    slice('net', 'copy_net_ns') > 10 * slice('bare', 'copy_net_ns') &&
      slice('net', 'copy_net_ns') > slice('net', 'copy_ipcs'),
    'a net namespace is made in copy_net_ns',
  );
  assert.ok(
    slice('ipc', 'copy_ipcs') > 5 * slice('bare', 'copy_ipcs') || slice('bare', 'copy_ipcs') === 0,
    'an ipc namespace in copy_ipcs',
  );
  assert.ok(slice('all', 'create_user_ns') > 0, 'all eight: the user namespace in create_user_ns');
});

test('the report: an "Inside the kernel" section in HTML and Markdown, linked from the contents and the findings; none for an untraced run', async () => {
  const dir = tempDir('nsb-report-kernel-');
  const files = await writeReports(vm(), dir);
  const html = readFileSync(files.html, 'utf8');
  assert.match(html, /<section id="kernel"><h2>Inside the kernel<\/h2>/);
  assert.match(html, /<a href="#kernel">Inside the kernel<\/a>/, 'in the contents');
  assert.match(html, /<a href="#kernel">→ inside the kernel<\/a>/, 'a key finding links to it');
  assert.match(html, /data-chart="boot-kernel-breakdown"/);
  for (const title of [
    'Running and waiting during boot',
    'System calls of the sandbox',
    'Left behind after exit',
    'Carry-over beside the deferred work',
    'Inside clone: each namespace constructor',
  ])
    assert.ok(html.includes(title), title);
  assert.match(html, /copy_net_ns \(net\)/);
  const md = readFileSync(files.markdown, 'utf8');
  assert.match(md, /^## Inside the kernel$/m);
  assert.match(md, /^- \[Inside the kernel\]\(#inside-the-kernel\)$/m);
  assert.match(md, /^\| variant \| n \| boot \| on a CPU \| waiting \|/m);
  const plain = await writeReports(
    readResults(join(FIXTURES, 'before-one-variant-type.json')),
    tempDir('nsb-report-plain-'),
  );
  assert.doesNotMatch(readFileSync(plain.html, 'utf8'), /id="kernel"/);
  assert.doesNotMatch(readFileSync(plain.markdown, 'utf8'), /Inside the kernel/);
});

test('the section in headless Chromium: its chart rendered, with its how-to-read line, and the contents link lands on it', {
  skip: CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)',
}, async () => {
  const files = await writeReports(host(), tempDir('nsb-report-kernel-'));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${files.html}`, { waitUntil: 'load' });
    const fig = page.locator('section#kernel figure.chart');
    assert.equal(await fig.count(), 1);
    assert.ok((await fig.locator('svg rect, svg path').count()) > 10, 'the stacked bars are drawn');
    assert.match((await fig.locator('.read').textContent()) ?? '', /^How to read it: /);
    await page.click('nav#contents a[href="#kernel"]');
    const top = await page.locator('section#kernel').evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(Math.abs(top) < 5, `the link lands on the section (top ${top})`);
    assert.ok((await page.locator('section#kernel table').count()) >= 4, 'its tables');
  } finally {
    await browser.close();
  }
});
