import { acrossWorkloads, all, bare, defineScenario, preset } from '../src/scenario/index.ts';

// Real tools through their adapters (skipped with the install command where
// missing): sysbench cpu, memory, threads and fileio; stress-ng's cpu stressor; fio
// random read/write on the sandbox's own tmpfs.
export default defineScenario({
  name: 'tools',
  description: 'sysbench (cpu, memory, threads, fileio), stress-ng cpu, fio randrw: bare, runc preset, all eight',
  workload: { tool: 'sysbench', args: ['cpu', 'run'] },
  variants: acrossWorkloads([bare(), preset('runc'), all()], {
    'sysbench-cpu': { tool: 'sysbench', args: ['cpu', '--cpu-max-prime=5000', '--events=2000', '--time=0', 'run'] },
    'sysbench-memory': { tool: 'sysbench', args: ['memory', '--memory-total-size=256M', 'run'] },
    'sysbench-threads': { tool: 'sysbench', args: ['threads', '--events=2000', '--time=0', 'run'] },
    // files made by an unmeasured "prepare" in a fresh folder on disk, removed after by "cleanup"
    'sysbench-fileio': {
      tool: 'sysbench',
      args: ['fileio', '--file-total-size=32M', '--file-num=4', '--file-test-mode=rndrw', '--time=1', 'run'],
    },
    'stress-ng-cpu': { tool: 'stress-ng', args: ['--cpu', '1', '--cpu-ops', '500'] },
    'fio-randrw': {
      tool: 'fio',
      args: ['--name=nsb', '--directory=/tmp', '--size=8M', '--rw=randrw', '--bs=4k', '--runtime=1', '--unlink=1'],
    },
  }),
  baseline: 'sysbench-cpu/bare',
  rounds: 5,
  warmup: 1,
});
