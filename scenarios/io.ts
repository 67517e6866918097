import { defineScenario, type VariantDefinition } from '../src/scenario/index.ts';
import { standardSets } from './_sets.ts';

// File create/write/fsync/read/unlink on disk (a folder under /var/tmp) and
// on tmpfs: /dev/shm, the host's when the sandbox has no mount namespace, a
// fresh tmpfs of the sandbox's own (mounted there) when it has one.
const DISK = { builtin: 'io', args: ['/var/tmp/nsb-io', '100', '64K', 'fsync'] };
const TMPFS = { builtin: 'io', args: ['/dev/shm/nsb-io', '200', '64K', 'nofsync'] };

const variants: VariantDefinition[] = [];
for (const v of standardSets()) {
  const id = v.id ?? 'bare';
  variants.push({ ...v, id: `disk/${id}`, workload: DISK, baseline: 'disk/bare' });
  const ownTmpfs = v.ns.includes('mnt');
  variants.push({
    ...v,
    id: `tmpfs/${id}`,
    workload: TMPFS,
    ...(ownTmpfs ? { tmpfs: '/dev/shm' } : {}),
    baseline: 'tmpfs/bare',
  });
}

export default defineScenario({
  name: 'io',
  description: 'file create/write/fsync/read/unlink on disk and on tmpfs: bare, each namespace alone, runc, all eight',
  workload: DISK,
  variants,
  baseline: 'disk/bare',
  rounds: 8,
  warmup: 1,
});
