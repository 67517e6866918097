import { acrossWorkloads, defineScenario } from '../src/scenario/index.ts';
import { standardSets } from './_sets.ts';

// Memory bandwidth (copy, triad) and the page-fault rate (mmap, touch, munmap),
// where memory-cgroup charging and namespaces could show.
export default defineScenario({
  name: 'memory',
  description: 'memory bandwidth and page-fault rate: bare, each namespace alone, runc, all eight',
  workload: { builtin: 'memory' },
  variants: acrossWorkloads(standardSets(), {
    bandwidth: { builtin: 'memory', args: ['bandwidth', '32M', '3'] },
    faults: { builtin: 'memory', args: ['faults', '32M', '5'] },
  }),
  baseline: 'bandwidth/bare',
  rounds: 10,
  warmup: 1,
});
