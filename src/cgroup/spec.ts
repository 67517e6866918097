import { z } from 'zod';
import { UserError } from '../errors/index.ts';
import { int, num, parseOrFail, says, show, strict } from '../util/index.ts';

/** "64M" → 67108864; numbers pass through. Binary units (K, M, G, T). */
export function parseSize(value: string | number, where: string): number {
  const n = sizeBytes(value);
  if (typeof n === 'string') throw new UserError(`${where}: ${n}`, 'write sizes like "64M", "1G" or a byte count');
  return n;
}

/** Bytes of a size, or why it is not one. */
function sizeBytes(value: string | number): number | string {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : `expected a byte count >= 0, got ${value}`;
  const m = /^(\d+)\s*([KMGT]?)i?B?$/i.exec(value.trim());
  if (!m) return `not a size: ${JSON.stringify(value)}`;
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[
    (m[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'
  ];
  const n = Number(m[1]) * mult;
  // the kernel takes a page count below 2^63 bytes; beyond 2^53 a double no longer holds the exact number either
  return Number.isSafeInteger(n)
    ? n
    : `${JSON.stringify(value)} is more than any machine has (the largest nsbench writes is 8 PiB)`;
}

const size = z
  .union([z.string(), z.number()], {
    error: (iss) => says(`expected a size, got ${show(iss.input)}`, 'write sizes like "64M", "1G" or a byte count'),
  })
  .superRefine((v, ctx) => {
    const n = sizeBytes(v);
    if (typeof n === 'string')
      ctx.addIssue({ code: 'custom', message: says(n, 'write sizes like "64M", "1G" or a byte count') });
  });

/** Limits for a sandbox's own cgroup. `{}` is "own cgroup, no limits": accounting alone. */
export const cgroupSpecSchema = strict(
  {
    cpu: strict(
      {
        /** CPU bandwidth in CPUs (0.2 = 20% of one CPU): cpu.max / cfs_quota_us. */
        max: num(0.001, 4096, 'e.g. max: 0.5 (half a CPU)').optional(),
        /** Period for max, µs (default 100000). */
        periodUs: int(1000, 1_000_000, 'e.g. periodUs: 100000').optional(),
        /** Relative weight 1..10000 (v2 cpu.weight; v1 cpu.shares = weight × 1024 / 100). */
        weight: int(1, 10000, 'e.g. weight: 100').optional(),
      },
      '{ max?, periodUs?, weight? }',
    ).optional(),
    memory: strict(
      {
        /** Hard limit: "256M", "1G" or bytes. */
        max: size.optional(),
        /** v2 memory.high (throttling point); no v1 equivalent. */
        high: size.optional(),
        /** Swap allowed on top of memory (v2 memory.swap.max; v1 memsw = max + swapMax). */
        swapMax: size.optional(),
      },
      '{ max?, high?, swapMax? }',
    ).optional(),
    pids: strict({ max: int(1, 4_194_304, 'e.g. pids: { max: 64 }') }, '{ max }').optional(),
    io: strict(
      {
        /** "MAJ:MIN" of a whole block device, or "auto": the disk holding /var/tmp, where IO workloads write. */
        device: z
          .string()
          .regex(/^(auto|\d+:\d+)$/, { error: says('expected "MAJ:MIN" or "auto"', 'see lsblk for the numbers') })
          .optional(),
        rbps: int(1, Number.MAX_SAFE_INTEGER, 'bytes per second, e.g. 10000000').optional(),
        wbps: int(1, Number.MAX_SAFE_INTEGER, 'bytes per second, e.g. 10000000').optional(),
        riops: int(1, Number.MAX_SAFE_INTEGER, 'IOs per second, e.g. 1000').optional(),
        wiops: int(1, Number.MAX_SAFE_INTEGER, 'IOs per second, e.g. 1000').optional(),
        /** Relative weight 1..10000 (v2 io.weight; v1 blkio.weight where the scheduler has one). */
        weight: int(1, 10000, 'e.g. weight: 100').optional(),
      },
      '{ device?, rbps?, wbps?, riops?, wiops?, weight? }',
    ).optional(),
  },
  '{ cpu?, memory?, pids?, io? } ({} for a cgroup without limits)',
);

export type CgroupSpec = z.infer<typeof cgroupSpecSchema>;

/** Checks a cgroup spec; messages name the field. */
export function validateCgroupSpec(v: unknown, where: string): CgroupSpec {
  return parseOrFail(cgroupSpecSchema, v, where, '.');
}

/** A short, stable id for a cgroup spec, e.g. "cg", "cg:cpu=0.2", "cg:memory.max=64M,pids=64". */
export function cgroupSpecId(spec: CgroupSpec): string {
  const parts: string[] = [];
  if (spec.cpu?.max !== undefined) parts.push(`cpu=${spec.cpu.max}`);
  if (spec.cpu?.weight !== undefined) parts.push(`cpu.weight=${spec.cpu.weight}`);
  if (spec.memory?.max !== undefined) parts.push(`memory.max=${spec.memory.max}`);
  if (spec.memory?.high !== undefined) parts.push(`memory.high=${spec.memory.high}`);
  if (spec.memory?.swapMax !== undefined) parts.push(`memory.swap=${spec.memory.swapMax}`);
  if (spec.pids) parts.push(`pids=${spec.pids.max}`);
  if (spec.io) {
    const io = Object.entries(spec.io)
      .filter(([k]) => k !== 'device')
      .map(([k, v]) => `${k}=${v}`);
    parts.push(`io:${io.join('/')}`);
  }
  return parts.length ? `cg:${parts.join(',')}` : 'cg';
}
