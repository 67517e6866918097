import { bare, defineScenario, mountTableVariants, nsSet } from '../src/scenario/index.ts';

// A crowded mount table: a new mount namespace copies every mount of the one
// it is created from, so its cost grows with the host's mount count (hosts
// running many containers hold thousands). Each sandbox is created from a
// private mount namespace of nsbench's own holding 0, 100, 1 000 or 5 000 bind
// mounts (made once per count by the `crowd` workload, never seen on the host,
// gone with it), and each set is measured against itself at 0 mounts: bare
// shows that the rest of a launch does not care; mnt and pid+mnt (with its
// fresh /proc) pay per mount copied.
export default defineScenario({
  name: 'mount-table',
  description: 'the cost of a new mount namespace against the number of mounts in the namespace it copies',
  workload: { builtin: 'noop' },
  variants: mountTableVariants({
    sets: [bare(), nsSet('mnt'), nsSet('pid', 'mnt')],
    counts: [0, 100, 1000, 5000],
  }),
  rounds: 30,
  warmup: 2,
});
