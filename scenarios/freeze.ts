import { defineScenario, freezeVariants } from '../src/scenario/index.ts';

// Pause and unpause latency of a sandbox holding 1, 10, 100 and 1000
// processes, busy (spinning) or sleeping, through each freezer this machine
// has: cgroup v2 cgroup.freeze (waiting for "frozen 1" in cgroup.events; on a
// hybrid machine, the unified hierarchy) and the v1 freezer.state (polled; a
// freezer stuck in FREEZING is retried and counted, never hung on).
export default defineScenario({
  name: 'freeze',
  description: 'Pause/unpause latency vs processes in the sandbox, busy and sleeping, v2 and v1 freezers',
  kind: 'freeze',
  workload: { builtin: 'hog' },
  variants: freezeVariants({ processes: [1, 10, 100, 1000], modes: ['sleep', 'busy'], freezers: ['v2', 'v1'] }),
  rounds: 20,
  warmup: 2,
});
