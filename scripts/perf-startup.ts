// How long `nsbench --version` takes to start, beside plain `node -e 0`, interleaved (the machine's speed varies
// run to run; only the ratio of neighbours means anything): the built CLI (lib/cli.js, what bin/nsbench.js runs)
// and the sources through tsx (what it ran before the build). `npm run perf:startup [-- --runs N]`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import { PROJECT_ROOT } from '../src/host/index.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const tsxCli = `import { register } from 'tsx/esm/api'; register(); const { main } = await import(${JSON.stringify(join(PROJECT_ROOT, 'src/cli/main.ts'))}); process.exitCode = await main(['node', 'nsbench', '--version']);`;
const commands: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'nsbench --version (built, lib/cli.js)': [join(PROJECT_ROOT, 'bin/nsbench.js'), '--version'],
  'nsbench --version (sources through tsx)': ['--input-type=module', '-e', tsxCli],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(commands)) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    times[name]?.push(ms);
  }
}
const bare = median(times['node -e 0'] ?? []);
console.log(`start-up, median of ${runs} interleaved runs:`);
for (const [name, t] of Object.entries(times))
  console.log(`  ${name.padEnd(42)} ${(median(t) / 1000).toFixed(3)} s  ${(median(t) / bare).toFixed(1)}× node -e 0`);
