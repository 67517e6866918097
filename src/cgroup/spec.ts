import { UserError } from '../errors/index.ts';

/** Limits for a sandbox's own cgroup. `{}` is "own cgroup, no limits": accounting alone. */
export interface CgroupSpec {
  cpu?: {
    /** CPU bandwidth in CPUs (0.2 = 20% of one CPU): cpu.max / cfs_quota_us. */
    max?: number;
    /** Period for max, µs (default 100000). */
    periodUs?: number;
    /** Relative weight 1..10000 (v2 cpu.weight; v1 cpu.shares = weight × 1024 / 100). */
    weight?: number;
  };
  memory?: {
    /** Hard limit: "256M", "1G" or bytes. */
    max?: string | number;
    /** v2 memory.high (throttling point); no v1 equivalent. */
    high?: string | number;
    /** Swap allowed on top of memory (v2 memory.swap.max; v1 memsw = max + swapMax). */
    swapMax?: string | number;
  };
  pids?: { max: number };
  io?: {
    /** "MAJ:MIN" of a whole block device, or "auto": the disk holding /var/tmp, where IO workloads write. */
    device?: string;
    rbps?: number;
    wbps?: number;
    riops?: number;
    wiops?: number;
    /** Relative weight 1..10000 (v2 io.weight; v1 blkio.weight where the scheduler has one). */
    weight?: number;
  };
}

export const CONTROLLER_KEYS = ['cpu', 'memory', 'pids', 'io'] as const;

/** "64M" → 67108864; numbers pass through. Binary units (K, M, G, T). */
export function parseSize(value: string | number, where: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new UserError(`${where}: expected a byte count >= 0, got ${value}`, 'e.g. "256M" or 268435456');
    return value;
  }
  const m = /^(\d+)\s*([KMGT]?)i?B?$/i.exec(value.trim());
  if (!m) throw new UserError(`${where}: not a size: ${JSON.stringify(value)}`, 'write sizes like "64M", "1G" or a byte count');
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[(m[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * mult;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fields(v: unknown, where: string, allowed: string[]): Record<string, unknown> {
  if (!isRecord(v)) throw new UserError(`${where}: expected an object`, `use { ${allowed.join(', ')} }`);
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new UserError(`${where}: unknown field "${k}" (known: ${allowed.join(', ')})`, 'remove or rename it');
  return v;
}

function num(v: unknown, where: string, min: number, max = Number.MAX_SAFE_INTEGER, integer = true): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw new UserError(`${where}: expected ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${JSON.stringify(v)}`, 'fix the value');
  return v;
}

/** Checks a cgroup spec from a scenario; messages name the field. */
export function validateCgroupSpec(v: unknown, where: string): CgroupSpec {
  const top = fields(v, where, [...CONTROLLER_KEYS]);
  const out: CgroupSpec = {};
  if (top.cpu !== undefined) {
    const c = fields(top.cpu, `${where}.cpu`, ['max', 'periodUs', 'weight']);
    const max = num(c.max, `${where}.cpu.max`, 0.001, 4096, false);
    const periodUs = num(c.periodUs, `${where}.cpu.periodUs`, 1000, 1_000_000);
    const weight = num(c.weight, `${where}.cpu.weight`, 1, 10000);
    out.cpu = { ...(max !== undefined ? { max } : {}), ...(periodUs !== undefined ? { periodUs } : {}), ...(weight !== undefined ? { weight } : {}) };
  }
  if (top.memory !== undefined) {
    const m = fields(top.memory, `${where}.memory`, ['max', 'high', 'swapMax']);
    out.memory = {};
    for (const k of ['max', 'high', 'swapMax'] as const) {
      const val = m[k];
      if (val === undefined) continue;
      if (typeof val !== 'string' && typeof val !== 'number') throw new UserError(`${where}.memory.${k}: expected a size`, 'e.g. "256M"');
      parseSize(val, `${where}.memory.${k}`);
      out.memory[k] = val;
    }
  }
  if (top.pids !== undefined) {
    const p = fields(top.pids, `${where}.pids`, ['max']);
    out.pids = { max: num(p.max, `${where}.pids.max`, 1, 4_194_304) ?? 0 };
    if (p.max === undefined) throw new UserError(`${where}.pids.max: required`, 'e.g. pids: { max: 64 }');
  }
  if (top.io !== undefined) {
    const i = fields(top.io, `${where}.io`, ['device', 'rbps', 'wbps', 'riops', 'wiops', 'weight']);
    if (i.device !== undefined && (typeof i.device !== 'string' || !/^(auto|\d+:\d+)$/.test(i.device)))
      throw new UserError(`${where}.io.device: expected "MAJ:MIN" or "auto"`, 'see lsblk for the numbers');
    out.io = { ...(i.device ? { device: i.device as string } : {}) };
    for (const k of ['rbps', 'wbps', 'riops', 'wiops'] as const) {
      const n = num(i[k], `${where}.io.${k}`, 1);
      if (n !== undefined) out.io[k] = n;
    }
    const w = num(i.weight, `${where}.io.weight`, 1, 10000);
    if (w !== undefined) out.io.weight = w;
  }
  return out;
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
    const io = Object.entries(spec.io).filter(([k]) => k !== 'device').map(([k, v]) => `${k}=${v}`);
    parts.push(`io:${io.join('/')}`);
  }
  return parts.length ? `cg:${parts.join(',')}` : 'cg';
}
