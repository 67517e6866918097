import os from 'node:os';
import { defineScenario, interferenceVariants } from '../src/scenario/index.ts';

// Noninterference: a victim runs in sandbox A while an antagonist runs in
// sandbox B; the victim's slowdown vs running alone shows which cgroup
// setting on the antagonist restores noninterference for which kind of
// interference. "none": the antagonist has no cgroup of its own (it shares
// nsbench's); "own": its own cgroup without limits (group scheduling alone).
// The fork storm is only ever run with pids.max (nsbench refuses otherwise).
const cpus = os.availableParallelism();
const spinners = String(2 * cpus);

export default defineScenario({
  name: 'noisy-neighbour',
  description:
    'Victim slowdown beside a CPU spinner, a memory-bandwidth hog, a fork storm and an IO flood, per cgroup setting on the antagonist',
  kind: 'interference',
  workload: { builtin: 'sieve', args: ['2000000', '4'] },
  variants: interferenceVariants({
    victims: {
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
    },
  }),
  baseline: 'sieve/alone',
  rounds: 6,
  warmup: 1,
  timeoutMs: 30_000,
});
