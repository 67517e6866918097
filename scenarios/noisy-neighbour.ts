import os from 'node:os';
import { defineScenario, interferenceVariants } from '../src/scenario/index.ts';

// Noninterference: a victim runs in sandbox A while an antagonist runs in
// sandbox B; the victim's slowdown vs running alone shows which cgroup
// setting on the antagonist restores noninterference for which kind of
// interference. "none": the antagonist has no cgroup of its own (it shares
// nsbench's); "own": its own cgroup without limits (group scheduling alone).
// The fork storm is only ever run with pids.max (nsbench refuses otherwise).
// Kernel-level interference: antagonists that create and drop namespaces at
// full speed (hog nschurn) — can one tenant's churn slow another's boot, and
// does a cgroup limit contain it, when the teardown (cleanup_net and the
// like) runs on kernel workers outside the antagonist's cgroup? Bounded: at
// most CHURN namespace sets per sample, then the antagonist waits.
const cpus = os.availableParallelism();
const spinners = String(2 * cpus);
const CHURN = '20000';
const churn = (set: string) => ({
  workload: { builtin: 'hog' as const, args: ['nschurn', set, CHURN] },
  settings: {
    none: null,
    'cpu-quota': { cpu: { max: 0.2 } },
    'pids-64': { pids: { max: 64 } },
    'memory-max': { memory: { max: '256M' } },
  },
  victims: ['noop', 'sieve'],
});

export default defineScenario({
  name: 'noisy-neighbour',
  description:
    'Victim slowdown beside a CPU spinner, a memory-bandwidth hog, a fork storm, an IO flood and namespace churn (net, mnt, user, all), per cgroup setting on the antagonist',
  kind: 'interference',
  workload: { builtin: 'sieve', args: ['2000000', '4'] },
  variants: interferenceVariants({
    victims: {
      noop: { builtin: 'noop' },
      sieve: { builtin: 'sieve', args: ['2000000', '4'] },
      syscall: { builtin: 'syscall', args: ['300000'] },
      memory: { builtin: 'memory', args: ['bandwidth', '32M', '4'] },
      fork: { builtin: 'fork', args: ['200'] },
      io: { builtin: 'io', args: ['/var/tmp/nsb-io-victim', '40', '64K', 'fsync'] },
    },
    antagonists: {
      'cpu-spin': {
        workload: { builtin: 'hog', args: ['procs', spinners, 'busy'] },
        settings: {
          none: null,
          own: {},
          'cpu-quota': { cpu: { max: 0.2 } },
          'cpu-weight': { cpu: { weight: 1 } },
          'memory-max': { memory: { max: '256M' } },
        },
        victims: ['sieve', 'syscall'],
      },
      membw: {
        workload: { builtin: 'hog', args: ['membw', String(cpus), '64M'] },
        settings: { none: null, 'cpu-quota': { cpu: { max: 0.2 } }, 'memory-max': { memory: { max: '512M' } } },
        victims: ['memory'],
      },
      'fork-storm': {
        workload: { builtin: 'hog', args: ['forkstorm', '4096'] },
        settings: { 'pids-64': { pids: { max: 64 } }, 'pids-64+cpu-quota': { pids: { max: 64 }, cpu: { max: 0.2 } } },
        victims: ['fork', 'sieve'],
      },
      'io-flood': {
        workload: { builtin: 'hog', args: ['ioflood', '.', '256M'] },
        settings: {
          none: null,
          'io-wbps': { io: { device: 'auto', wbps: 8 * 1024 * 1024 } },
          'cpu-quota': { cpu: { max: 0.2 } },
        },
        victims: ['io'],
      },
      'netns-churn': churn('net'),
      'mntns-churn': churn('mnt'),
      'userns-churn': churn('user'),
      'all-churn': churn('all'),
    },
  }),
  baseline: 'sieve/alone',
  rounds: 6,
  warmup: 1,
  timeoutMs: 30_000,
});
