// npm run perf:report — the report at scale (issue 15, item 11): a launch
// scenario of many variants (5 000 by default) × a few rounds, with the
// conditions a real run records (the launch before, a boot breakdown), is
// finalized and rendered to HTML, Markdown and the terminal summary; prints
// the time and size of each. The charts aggregate beyond 40 variants, the
// tables stay complete.
//
// Usage: npm run perf:report [-- --variants V --rounds N --out FILE]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { syntheticRun } from '../src/compare/index.ts';
import { htmlReport, markdownSummary, runSummary } from '../src/report/index.ts';
import { finalizeScenario } from '../src/results/index.ts';

const { values: args } = parseArgs({
  options: {
    variants: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '6' },
    out: { type: 'string' },
  },
});
const V = Number(args.variants);
const N = Number(args.rounds);
const run = syntheticRun(3, { variants: V, n: N, mu: 800_000, cv: 0.1 });
const sc = run.scenarios[0]!;
// interleaved rounds (a fresh random order each): each launch records the one before it and its phases, as a run does
let x = 7;
const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const order = new Map(sc.samples.map((s) => [s, s.round + rnd()]));
sc.samples.sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
let prev = 'v0';
for (const s of sc.samples) {
  s.conditions = { pace: 'interleaved', prev };
  prev = s.variant;
  if (s.state === 'completed')
    for (const p of ['cloneNs', 'execNs', 'waitNs']) s.metrics[p] = (s.metrics.bootNs ?? 0) / 3;
}
const time = async <T>(label: string, f: () => T | Promise<T>): Promise<T> => {
  const t = performance.now();
  const r = await f();
  console.log(`${label}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  return r;
};
console.log(`${V} variants × ${N} rounds = ${sc.samples.length} samples`);
await time('finalize (summary, carry-over)', () => finalizeScenario(sc, { loadPerCore: 0 }, false));
if (args.out) writeFileSync(args.out, JSON.stringify(run));
const html = await time('HTML', () => htmlReport(run));
console.log(
  `  ${(html.html.length / 2 ** 20).toFixed(1)} MiB, ${html.charts} charts, ${(html.html.match(/<tr>/g) ?? []).length} table rows`,
);
const md = await time('Markdown', () => markdownSummary(run));
console.log(`  ${(md.length / 1024).toFixed(0)} KiB`);
const term = await time('terminal summary', () => runSummary(run));
console.log(`  ${term.split('\n').length} lines`);
