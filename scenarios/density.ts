import { NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import { defineScenario, type VariantDefinition } from '../src/scenario/index.ts';

// Same-host density: ramp idle sandboxes one by one to TARGET (or the first
// failure, the memory floor, the time budget), hold, tear down. Per namespace
// set of interest, with and without a cgroup per sandbox. Three ramps each:
// memory per instance is the mean of the ramps with its 95% CI, measured from
// what the sandboxes are charged (a cgroup holding the ramp, the launcher
// included), their PSS and their namespace objects; MemAvailable is a third view.
const TARGET = 300;
const SETS: Record<string, Namespace[]> = {
  bare: [],
  user: ['user'],
  pid: ['pid'],
  net: ['net'],
  ipc: ['ipc'],
  'all-but-net': NAMESPACES.filter((n) => n !== 'net'),
  all: [...NAMESPACES],
};

const variants: VariantDefinition[] = [];
for (const [id, ns] of Object.entries(SETS)) {
  variants.push({ id, ns, density: { target: TARGET } });
  if (['bare', 'all'].includes(id))
    variants.push({ id: `${id}/cgroup`, ns, density: { target: TARGET, perSandboxCgroup: true }, baseline: 'bare' });
}

export default defineScenario({
  name: 'density',
  description: `Ramp to ${TARGET} held sandboxes, one ramp a round: boot curve, launches/s, memory per instance (charged, PSS, namespace objects, MemAvailable), teardown and the kernel work after it`,
  kind: 'density',
  workload: { builtin: 'idle' },
  variants,
  rounds: 6,
  warmup: 0,
  timeoutMs: 10_000,
});
