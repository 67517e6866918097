import { existsSync } from 'node:fs';
import type { Namespace } from '../isolation/index.ts';

/** Why a namespace set cannot run here, or null. */
export function skipReason(ns: readonly Namespace[], euid: number): string | null {
  for (const n of ns) {
    if (!existsSync(`/proc/self/ns/${n}`)) return `this kernel has no ${n} namespace (/proc/self/ns/${n} is missing)`;
  }
  if (euid !== 0 && ns.length > 0 && !ns.includes('user'))
    return 'needs root: creating namespaces without a user namespace needs CAP_SYS_ADMIN (run as root, or add the user namespace)';
  return null;
}
