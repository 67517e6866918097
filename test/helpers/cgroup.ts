import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupStats } from '../../src/cgroup/index.ts';
import { detectCgroups } from '../../src/host/index.ts';
import type { LaunchResult } from '../../src/launcher/index.ts';
import type { Sample } from '../../src/results/index.ts';
import { toSample as toSampleWith } from '../../src/runner/index.ts';
import { workloadMetrics } from '../../src/workloads/index.ts';

export const workloadMetricsOf = workloadMetrics;

/** The sample the runner would record for this result and these stats. */
export function toSample(r: LaunchResult, stats: CgroupStats): Sample {
  return toSampleWith(r, { scenario: 't', variant: 'v', round: 0, warmup: false, seq: 0, timeoutMs: 20_000 }, stats);
}

/** Every cgroup directory named `name`, in every hierarchy of this machine. */
export function leftovers(name: string): string[] {
  const info = detectCgroups();
  const roots = [...Object.values(info.v1Controllers), ...(info.v2Root ? [info.v2Root] : [])];
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (e.name === name) found.push(p);
      else walk(p, depth + 1);
    }
  };
  for (const r of new Set(roots)) walk(r, 0);
  return found;
}
