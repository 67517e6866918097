import { readFileSync, rmdirSync, writeFileSync } from 'node:fs';

/** A cgroup file operation that failed, with the path and the errno code. */
export class CgroupError extends Error {
  readonly code: string | undefined;
  readonly path: string;
  constructor(message: string, path: string, code?: string) {
    super(message);
    this.name = 'CgroupError';
    this.path = path;
    this.code = code;
  }
}

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // null is the answer: the file is not there (a controller not enabled, a group already gone)
    return null;
  }
}

export function writeText(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CgroupError(`cannot write "${value.trim()}" to ${path}: ${code ?? String(e)}`, path, code);
  }
}

/** Numbers in "key value" lines (cpu.stat, memory.events, memory.stat). */
export function keyedNumbers(text: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

export function singleNumber(text: string | null): number | null {
  const t = (text ?? '').trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

export function pidsIn(dir: string): number[] {
  return (readText(`${dir}/cgroup.procs`) ?? '').split('\n').filter(Boolean).map(Number);
}

/** How long rmdir is retried while the last tasks finish exiting (a pid namespace of thousands takes a while). */
const REMOVE_TIMEOUT_MS = 10_000;

/** rmdir, retried while the last tasks finish exiting (EBUSY). */
export async function removeDir(dir: string, timeoutMs = REMOVE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline)
        throw new CgroupError(`cannot remove cgroup ${dir}: ${code}`, dir, code);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
