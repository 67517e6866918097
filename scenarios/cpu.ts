import { acrossWorkloads, defineScenario } from '../src/scenario/index.ts';
import { standardSets } from './_sets.ts';

// Compute-bound work (the sieve of the Firecracker/gVisor study) at two sizes,
// plus the floors isolation may touch: a cheap syscall and fork+exit+wait.
export default defineScenario({
  name: 'cpu',
  description: 'sieve (N = 1e6, 1e7), syscall and fork rates: bare, each namespace alone, runc, all eight',
  workload: { builtin: 'sieve' },
  variants: acrossWorkloads(standardSets(), {
    'sieve-1e6': { builtin: 'sieve', args: ['1000000', '5'] },
    'sieve-1e7': { builtin: 'sieve', args: ['10000000'] },
    syscall: { builtin: 'syscall', args: ['200000'] },
    fork: { builtin: 'fork', args: ['300'] },
  }),
  baseline: 'sieve-1e6/bare',
  rounds: 10,
  warmup: 1,
});
