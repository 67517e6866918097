// How honest the time-left estimate is: runs `nsbench run` (the default
// profile unless arguments say otherwise) with its progress on a pipe (plain
// lines), reads the estimated total from each line, and compares the
// estimate at 10% and at 50% of the real run time with the real total.
//   npm run perf:eta [-- <nsbench run arguments>]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/host/index.ts';

function seconds(text: string): number {
  const h = /^(\d+)h$/.exec(text);
  if (h) return Number(h[1]) * 3600;
  const m = /^(\d+)m(\d+)s$/.exec(text);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  const s = /^(\d+)s$/.exec(text);
  return s ? Number(s[1]) : NaN;
}

const args = process.argv.slice(2);
const t0 = performance.now();
const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'run', '--no-report', ...args], {
  cwd: PROJECT_ROOT,
  stdio: ['ignore', 'inherit', 'pipe'],
});
const points: { at: number; total: number }[] = [];
let buf = '';
child.stderr.on('data', (d: Buffer) => {
  process.stderr.write(d);
  buf += d.toString();
  let nl: number;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    const m = /\[run \d+%, elapsed (\S+), left ~(\S+) of ~(\S+)\]/.exec(line);
    if (m) points.push({ at: (performance.now() - t0) / 1000, total: seconds(m[3] as string) });
  }
});
const code = await new Promise<number | null>((r) => child.on('close', r));
const real = (performance.now() - t0) / 1000;
const at = (f: number) => points.find((p) => p.at >= f * real) ?? points.at(-1);
const row = (f: number) => {
  const p = at(f);
  return p
    ? `at ${Math.round(f * 100)}% (${p.at.toFixed(0)} s): estimated total ${p.total.toFixed(0)} s, error ${(((p.total - real) / real) * 100).toFixed(1)}%`
    : `at ${f * 100}%: no estimate`;
};
console.log(
  `\nnsbench run ${args.join(' ')}: exit ${code}, real total ${real.toFixed(0)} s (${points.length} progress lines)`,
);
console.log(`  ${row(0.1)}\n  ${row(0.25)}\n  ${row(0.5)}\n  ${row(0.9)}`);
