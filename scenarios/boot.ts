import { all, bare, defineScenario, eachAlone, preset } from '../src/scenario/index.ts';

// Boot time of the static no-op: bare, each namespace alone, the set runc
// uses, all but net, and all eight. The no-op signals ready and exits, so
// boot time is the cost of isolation itself, broken down by phase.
export default defineScenario({
  name: 'boot',
  description: 'Boot time of a static no-op: bare, each namespace alone, presets, all eight',
  workload: { builtin: 'noop' },
  variants: [bare(), ...eachAlone(), preset('runc'), preset('all-but-net'), all()],
  rounds: 30,
  warmup: 3,
  // the teardown each namespace leaves behind (cleanup_net, free_ipc, …) explains the carry-over table: traced on
  // purpose
  kernelWork: true,
});
