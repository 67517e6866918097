import type { Namespace } from '../src/isolation/index.ts';
import { defineScenario, type VariantDefinition } from '../src/scenario/index.ts';

// The same no-op in the same namespaces through nsbench's launcher (the
// kernel's own cost) and through the tools people use instead: unshare(1),
// bubblewrap, runc and crun (an OCI bundle nsbench writes: a read-only rootfs
// holding only the static no-op). Each engine is compared with nsbench.
const SETS: Record<string, Namespace[]> = {
  runc: ['pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup'],
  'no-net': ['user', 'pid', 'mnt', 'ipc', 'uts', 'cgroup'],
};
const ENGINES = ['unshare', 'bwrap', 'runc', 'crun'];

const variants: VariantDefinition[] = [];
for (const [set, ns] of Object.entries(SETS)) {
  variants.push({ id: `nsbench/${set}`, label: `nsbench launcher, ${set}`, ns, baseline: `nsbench/${set}` });
  for (const engine of ENGINES)
    variants.push({ id: `${engine}/${set}`, label: `${engine}, ${set}`, ns, engine, baseline: `nsbench/${set}` });
}

export default defineScenario({
  name: 'engines',
  description: 'Boot of the no-op through nsbench vs unshare, bwrap, runc, crun in the same namespaces',
  workload: { builtin: 'noop' },
  variants,
  baseline: 'nsbench/runc',
  rounds: 15,
  warmup: 2,
});
