// npm run perf:stats — the figures of the statistics issue, on synthetic data:
// 1. time to render the report (HTML + Markdown) of a run of 10 000 samples;
// 2. compare's A/A false-alarm rate over 100 metrics at the default settings;
// 3. its power to detect 5% and 10% shifts at the default rounds;
// 4. its power when only one variant of 12 moves (the consistency guard's cost).
//
// Usage: npm run perf:stats [-- --trials T --n N --cv CV]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRuns, syntheticRun } from '../src/compare/index.ts';
import { DEFAULTS } from '../src/config/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { htmlReport, markdownSummary } from '../src/report/index.ts';
import { summarize, writeFileAtomic } from '../src/results/index.ts';

const { values: args } = parseArgs({
  options: { trials: { type: 'string', default: '100' }, n: { type: 'string', default: String(DEFAULTS.rounds) }, cv: { type: 'string', default: '0.05' }, json: { type: 'string' } },
});
const TRIALS = Number(args.trials);
const N = Number(args.n);
const CV = Number(args.cv);
const report: Record<string, unknown> = { trials: TRIALS, n: N, cv: CV };

// 1. report of 10 000 samples: 12 variants × 834 rounds, summarized as a run would be
const big = syntheticRun(1, { variants: 12, n: 834, mu: 800_000, cv: 0.1 });
const sc = big.scenarios[0];
if (sc) {
  const t0 = performance.now();
  sc.summary = summarize(sc.samples, sc.variants.map((v) => ({ id: v.id, baseline: 'v0' })));
  const t1 = performance.now();
  const { html, charts } = await htmlReport(big);
  markdownSummary(big);
  const t2 = performance.now();
  report.report10k = { samples: sc.samples.length, summarizeMs: t1 - t0, renderMs: t2 - t1, charts, htmlBytes: html.length };
  console.log(`1. ${sc.samples.length} samples: summary ${(t1 - t0).toFixed(0)} ms, HTML + Markdown ${(t2 - t1).toFixed(0)} ms (${charts} charts, ${(html.length / 1024).toFixed(0)} KiB)`);
}

// 2 + 3. A/A false alarms and power, 100 metrics per trial, default compare settings
function rate(shift: number, seedBase: number): { trialsWithAlarm: number; flaggedShare: number } {
  let trialsWithAlarm = 0;
  let flagged = 0;
  let total = 0;
  for (let t = 0; t < TRIALS; t++) {
    const a = syntheticRun(seedBase + 2 * t, { variants: 100, n: N, mu: 1e6, cv: CV });
    const b = syntheticRun(seedBase + 2 * t + 1, { variants: 100, n: N, mu: 1e6, cv: CV, shift });
    const res = compareRuns(a, b);
    if (res.regressions.length) trialsWithAlarm++;
    flagged += res.regressions.length;
    total += res.rows.length;
  }
  return { trialsWithAlarm, flaggedShare: flagged / total };
}
const aa = rate(1, 10_000);
console.log(`2. A/A: ${aa.trialsWithAlarm} of ${TRIALS} trials raised any alarm over 100 metrics (${(aa.flaggedShare * 100).toFixed(3)}% of comparisons), n=${N}, cv=${CV}`);
const p5 = rate(1.05, 20_000);
const p10 = rate(1.1, 30_000);
console.log(`3. power: a 5% shift is flagged in ${(p5.flaggedShare * 100).toFixed(1)}% of comparisons, a 10% shift in ${(p10.flaggedShare * 100).toFixed(1)}% (threshold 5%, alpha 0.05)`);
report.aa = aa;
report.power = { shift5: p5.flaggedShare, shift10: p10.flaggedShare };

// 4. one variant of 12 moves: the guard "same direction in at least half the variants" must not silence it
const lone: Record<string, { regression: number; inconsistent: number }> = {};
for (const shift of [1.1, 1.2, 1.5]) {
  let regression = 0;
  let inconsistent = 0;
  for (let t = 0; t < TRIALS; t++) {
    const a = syntheticRun(40_000 + 2 * t, { variants: 12, n: N, mu: 1e6, cv: CV });
    const b = syntheticRun(40_001 + 2 * t, { variants: 12, n: N, mu: 1e6, cv: CV, shiftOf: { 5: shift } });
    const row = compareRuns(a, b).rows.find((r) => r.variant === 'v5');
    if (row?.verdict === 'regression') regression++;
    if (row?.verdict === 'inconsistent') inconsistent++;
  }
  lone[String(shift)] = { regression: regression / TRIALS, inconsistent: inconsistent / TRIALS };
  console.log(`4. one variant of 12 slower by ${Math.round((shift - 1) * 100)}%: flagged in ${((regression / TRIALS) * 100).toFixed(0)}% of trials, called inconsistent in ${((inconsistent / TRIALS) * 100).toFixed(0)}%`);
}
report.loneVariantPower = lone;
const file = args.json ?? join(PROJECT_ROOT, 'results', `perf-stats-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileAtomic(file, `${JSON.stringify(report, null, 1)}\n`);
console.log(`figures: ${file}`);
