import os from 'node:os';
import type { CgroupSpec } from '../src/cgroup/index.ts';
import { defineScenario, type VariantDefinition, type WorkloadRef } from '../src/scenario/index.ts';

// What a cgroup costs: boot time of the no-op, a compute workload (sieve) and
// a memory-heavy one (touching 64 MiB), each bare, in its own cgroup without
// limits (accounting alone), and with a non-binding and a binding limit per
// controller. Every variant is compared with the same workload run bare.
const WORKLOADS: Record<string, WorkloadRef> = {
  noop: { builtin: 'noop' },
  sieve: { builtin: 'sieve', args: ['2000000'] },
  mem: { builtin: 'hog', args: ['mem', '64M'] },
};

const SETTINGS: Record<string, CgroupSpec | null> = {
  bare: null,
  own: {},
  'cpu-nonbinding': { cpu: { max: os.cpus().length } },
  'cpu-binding': { cpu: { max: 0.25, periodUs: 10_000 } }, // 2.5 ms per 10 ms: the sieve runs 4× longer
  'memory-nonbinding': { memory: { max: '1G' } },
  // a hard limit under the working set would OOM-kill (no swap): bind with memory.high (v2 only)
  'memory-binding': { memory: { high: '32M' } },
  'pids-nonbinding': { pids: { max: 1000 } },
  'pids-binding': { pids: { max: 1 } },
  'io-nonbinding': { io: { rbps: 1e12, wbps: 1e12 } },
};

const variants: VariantDefinition[] = [];
for (const [w, workload] of Object.entries(WORKLOADS)) {
  for (const [name, cgroup] of Object.entries(SETTINGS)) {
    variants.push({
      id: `${w}/${name}`,
      label: `${w}, ${name === 'bare' ? 'no cgroup of its own' : name}`,
      ns: [],
      workload,
      baseline: `${w}/bare`,
      ...(cgroup ? { cgroup } : {}),
    });
  }
}

export default defineScenario({
  name: 'cgroup-overhead',
  description:
    'Boot and run time of noop, sieve and a 64 MiB memory toucher: bare, own cgroup, each controller non-binding and binding',
  workload: WORKLOADS.noop as WorkloadRef,
  variants,
  baseline: 'noop/bare',
  rounds: 15,
  warmup: 2,
});
