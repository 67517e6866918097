import { UserError } from '../errors/index.ts';
import { knownList } from '../util/index.ts';

/** The eight namespaces, in the order of the native table (bit i = 1 << i). */
export const NAMESPACES = ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup', 'time'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export const NAMESPACE_DESCRIPTIONS: Record<Namespace, string> = {
  user: 'uids, gids and capabilities (uid 0 inside maps to an ordinary host uid)',
  pid: 'process ids: pid 1 in its own numbering; it sees only its own processes with mnt too (its own /proc)',
  mnt: 'mount table: private propagation (and a fresh /proc when the set has pid too)',
  net: 'network stack: only a loopback interface, brought up',
  ipc: 'System V IPC and POSIX message queues',
  uts: 'hostname and domain name',
  cgroup: 'the view of the cgroup hierarchy (its own cgroup appears as the root)',
  time: 'CLOCK_MONOTONIC and CLOCK_BOOTTIME offsets (needs clone3)',
};

const KNOWN = `known: ${NAMESPACES.join(', ')}`;

export function isNamespace(name: string): name is Namespace {
  return (NAMESPACES as readonly string[]).includes(name);
}

/** The native NSB_NS_* bitmask for a namespace set. */
export function namespaceBits(ns: readonly Namespace[]): number {
  let bits = 0;
  for (const name of ns) bits |= 1 << NAMESPACES.indexOf(name);
  return bits;
}

/** Namespaces in canonical order, without duplicates. */
export function canonicalSet(ns: Iterable<Namespace>): Namespace[] {
  const set = new Set(ns);
  return NAMESPACES.filter((n) => set.has(n));
}

/** A stable id for a namespace set: "bare", "all", or "user+pid". */
export function setId(ns: readonly Namespace[]): string {
  const c = canonicalSet(ns);
  if (c.length === 0) return 'bare';
  if (c.length === NAMESPACES.length) return 'all';
  return c.join('+');
}

/**
 * Parses "user,pid+net" (',' or '+' separated), "bare"/"none" or "all".
 * `where` names the place in the input for the error message.
 */
export function parseNamespaceList(text: string, where: string): Namespace[] {
  const words = text.split(/[,+\s]+/).filter((w) => w.length > 0);
  if (words.length === 0)
    throw new UserError(`${where}: empty namespace list`, `give namespaces (${KNOWN}), "bare" or "all"`);
  const out: Namespace[] = [];
  for (const w of words) {
    const word = w.toLowerCase();
    if (word === 'bare' || word === 'none') continue;
    if (word === 'all') out.push(...NAMESPACES);
    else if (isNamespace(word)) out.push(word);
    else
      throw new UserError(
        `${where}: unknown namespace "${w}"${knownList(w, NAMESPACES)}`,
        'use one of the known names, "bare" or "all"',
      );
  }
  const bare = words.find((w) => ['bare', 'none'].includes(w.toLowerCase()));
  if (bare && out.length)
    throw new UserError(
      `${where}: "${bare}" (no namespaces) and ${words
        .filter((w) => w !== bare)
        .map((w) => `"${w}"`)
        .join(', ')} contradict each other`,
      `give "${bare}" alone, or the namespaces without it`,
    );
  return canonicalSet(out);
}
