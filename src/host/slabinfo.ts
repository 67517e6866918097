import { readFileSync } from 'node:fs';

/** One slab cache of /proc/slabinfo. */
interface SlabCache {
  name: string;
  activeObjs: number;
  numObjs: number;
  objSize: number;
  objPerSlab: number;
}

/** Parses /proc/slabinfo (version 2.1: name active_objs num_objs objsize objperslab pagesperslab : ...). */
export function parseSlabinfo(text: string): Map<string, SlabCache> {
  const out = new Map<string, SlabCache>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('slabinfo') || line.startsWith('#')) continue;
    const [name, active, num, size, perSlab] = line.split(/\s+/);
    if (!name || !Number.isFinite(Number(active))) continue;
    out.set(name, {
      name,
      activeObjs: Number(active),
      numObjs: Number(num),
      objSize: Number(size),
      objPerSlab: Number(perSlab),
    });
  }
  return out;
}

/** /proc/slabinfo now; empty where it cannot be read (it needs root). */
function readSlabinfo(): Map<string, SlabCache> {
  try {
    return parseSlabinfo(readFileSync('/proc/slabinfo', 'utf8'));
  } catch {
    return new Map();
  }
}

/** The slab caches of namespace objects (mnt namespaces share kmalloc caches and have none). */
const NAMESPACE_CACHES = /^(net|pid|user|uts|ipc)_namespace$/;

/**
 * Live namespace objects by cache, and the slack of a count: SLUB (and the
 * per-CPU sheaves of newer kernels) count the free objects they keep per CPU
 * as active, so a count is exact only to about a slab per CPU.
 */
export function namespaceSlabs(cpus: number): Record<string, { active: number; slack: number; objSize: number }> {
  const out: Record<string, { active: number; slack: number; objSize: number }> = {};
  for (const c of readSlabinfo().values())
    if (NAMESPACE_CACHES.test(c.name))
      out[c.name] = { active: c.activeObjs, slack: c.objPerSlab * (cpus + 1), objSize: c.objSize };
  return out;
}
