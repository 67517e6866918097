import { NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import { defineScenario, type VariantDefinition } from '../src/scenario/index.ts';

// Same-host density: ramp idle sandboxes one by one to TARGET (or the first
// failure, the memory floor, the time budget), hold, tear down. Per namespace
// set of interest, with and without a cgroup per sandbox.
const TARGET = 1000;
const SETS: Record<string, Namespace[]> = {
  bare: [],
  ...Object.fromEntries(NAMESPACES.map((n) => [n, [n]])),
  'all-but-net': NAMESPACES.filter((n) => n !== 'net'),
  all: [...NAMESPACES],
};

const variants: VariantDefinition[] = [];
for (const [id, ns] of Object.entries(SETS)) {
  variants.push({ id, ns, density: { target: TARGET } });
  if (['bare', 'all-but-net', 'all'].includes(id)) variants.push({ id: `${id}/cgroup`, ns, density: { target: TARGET, perSandboxCgroup: true }, baseline: 'bare' });
}

export default defineScenario({
  name: 'density',
  description: `Ramp to ${TARGET} held sandboxes: boot curve, launches/s, memory per instance, teardown and its debt`,
  kind: 'density',
  workload: { builtin: 'idle' },
  variants,
  rounds: 1,
  warmup: 0,
  timeoutMs: 10_000,
});
