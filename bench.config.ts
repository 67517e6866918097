import { defineConfig } from './src/config/index.ts';

// `npm run bench` runs these scenarios with these settings; command-line
// options (`nsbench run --help`) override them.
export default defineConfig({
  scenarios: ['boot', 'cgroup-overhead', 'freeze', 'cpu', 'memory', 'io', 'network', 'tools', 'engines', 'density', 'isolation', 'noisy-neighbour'],
  rounds: 30,
  warmup: 3,
  timeoutMs: 10_000,
  outDir: 'results',
});
