import { defineConfig } from './src/config/index.ts';

// `npm run bench` runs the default profile; `nsbench run --profile NAME`
// another. Command-line options (`nsbench run --help`) override them:
// `--rounds N` fixes the rounds (no adaptive sampling), naming scenarios
// runs those with the profile's settings for them.
const ALL = [
  'boot',
  'cgroup-overhead',
  'freeze',
  'cpu',
  'memory',
  'io',
  'network',
  'tools',
  'engines',
  'density',
  'isolation',
  'noisy-neighbour',
  'scaling',
  'mount-table',
];

export default defineConfig({
  profile: 'quick',
  profiles: {
    quick: {
      description:
        'every scenario kind, adaptive rounds to a 2% CI within a budget per scenario: under 5 minutes on 2 cores',
      // each scenario runs a pilot of 10 rounds, then the rounds the pilot says its headline metric needs for a 95% CI
      // half-width within 2% of the median in every variant (no further looks), or until one more round would pass its
      // budget
      adaptive: { precisionPct: 2 },
      warmup: 1,
      scenarios: [
        { name: 'boot', adaptive: { maxRounds: 400, budgetS: 30 } },
        {
          name: 'cgroup-overhead',
          variants: ['noop/*', 'sieve/bare', 'sieve/own', 'sieve/cpu-*'],
          adaptive: { maxRounds: 40, budgetS: 30 },
        },
        {
          name: 'freeze',
          variants: ['v2/*/1', 'v2/*/100', 'v1/*/1', 'v1/*/100'],
          adaptive: { maxRounds: 60, budgetS: 20 },
        },
        {
          name: 'cpu',
          variants: [
            'sieve-1e6/bare',
            'sieve-1e6/user',
            'sieve-1e6/pid',
            'sieve-1e6/net',
            'sieve-1e6/all',
            'syscall/bare',
            'syscall/all',
          ],
          adaptive: { maxRounds: 30, budgetS: 25 },
        },
        {
          name: 'network',
          variants: ['*/host-loopback/bare', '*/veth/bare', '*/veth/user+*', '*/bridge/bare'],
          adaptive: { maxRounds: 10, budgetS: 50 },
        },
        {
          name: 'density',
          variants: ['bare', 'all'],
          warmup: 0,
          adaptive: { minRounds: 6, maxRounds: 6, budgetS: 90 },
        },
        { name: 'isolation', adaptive: false, rounds: 2, warmup: 0 },
        {
          name: 'noisy-neighbour',
          variants: ['sieve/alone', 'sieve/cpu-spin/none', 'sieve/cpu-spin/cpu-quota', 'sieve/fork-storm/*'],
          adaptive: { maxRounds: 10, budgetS: 40 },
        },
        { name: 'mount-table', adaptive: { maxRounds: 40, budgetS: 20 } },
        // fixed rounds: every K of a set is compared with its K = 1, which needs 6 samples a side
        {
          name: 'scaling',
          variants: ['bare/*', 'user/*', 'ipc/*', 'mnt/*', 'net/*', 'all/*'],
          adaptive: false,
          rounds: 6,
          warmup: 1,
        },
      ],
    },
    standard: {
      description: 'every scenario and variant, each with the rounds its file sets (about 15 minutes on 2 cores)',
      scenarios: ALL,
    },
    thorough: {
      description:
        'every scenario and variant with twice the rounds and three times longer network tests, adaptive to 1% where that comes sooner (an hour or more)',
      roundsScale: 2,
      durationScale: 3,
      adaptive: { precisionPct: 1, minRounds: 10 },
      scenarios: ALL.map((name) =>
        name === 'isolation'
          ? { name, adaptive: false as const }
          : name === 'density'
            ? { name, adaptive: { minRounds: 6 } }
            : name,
      ),
    },
  },
  // without a profile (none named here or on the command line): these
  scenarios: ALL,
  rounds: 30,
  warmup: 3,
  timeoutMs: 10_000,
  outDir: 'results',
});
