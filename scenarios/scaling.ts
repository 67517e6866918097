import { all, bare, defineScenario, eachAlone, preset, scalingVariants } from '../src/scenario/index.ts';

// Parallel creation: K launchers at once (K = 1, 2, 4, 8, 16; the plan drops
// the K above 4 × the CPUs nsbench may use), each creating and destroying 20
// no-op sandboxes in a row per sample, per namespace set. Per K: the
// create+destroy throughput with its CI and its speedup over K = 1, the boot
// time distribution, CPU time against wall time, and the teardown backlog the
// churn leaves (namespaces dying but not yet freed), drained before the next
// sample. Bounded: 20 × K launches a sample, each killed at the timeout.
export default defineScenario({
  name: 'scaling',
  description: 'K launchers creating and destroying sandboxes at once: throughput, scaling and the teardown backlog',
  kind: 'scaling',
  workload: { builtin: 'noop' },
  variants: scalingVariants({
    sets: [bare(), ...eachAlone(), preset('runc'), all()],
    launches: 20,
  }),
  rounds: 8,
  warmup: 1,
});
