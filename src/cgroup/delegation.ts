import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { CgroupInfo } from '../host/index.ts';
import { readText } from './fs.ts';

/**
 * A cgroup v2 group delegated to a non-root user (systemd's Delegate=yes, or
 * an administrator's chown of the directory and its cgroup.procs,
 * cgroup.subtree_control and cgroup.threads): the user may create groups
 * below it, enable the controllers it offers, and move its own processes
 * within it. nsbench uses the one it runs in.
 */
export interface Delegation {
  /** the delegated group nsbench runs in (absolute path) */
  dir: string;
  /** controllers it can enable for its children (its cgroup.controllers) */
  controllers: string[];
}

/** Files a delegated group hands to the user, besides the directory itself. */
const DELEGATED_FILES = ['cgroup.procs', 'cgroup.subtree_control'];

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** nsbench's own cgroup v2 group, as an absolute path (null without a cgroup2 hierarchy). */
export function ownV2Group(info: CgroupInfo): string | null {
  return info.v2Root ? join(info.v2Root, info.self[''] ?? '/') : null;
}

/**
 * The delegated group nsbench runs in, or why there is none, for a non-root
 * user. v1 hierarchies are not used rootless: their delegation is not the
 * kernel's documented model, and migrating into them checks the task's uid.
 */
export function findDelegation(info: CgroupInfo): { delegation: Delegation } | { reason: string } {
  const own = ownV2Group(info);
  if (!own) return { reason: 'no cgroup v2 hierarchy is mounted (only v2 groups can be delegated to a user)' };
  if (own === info.v2Root)
    return { reason: `nsbench runs in the root of the cgroup v2 hierarchy (${own}), which only root may change` };
  const closed = [own, ...DELEGATED_FILES.map((f) => join(own, f))].find((p) => !writable(p));
  if (closed)
    return { reason: `its cgroup ${own} is not delegated to uid ${process.geteuid?.()} (${closed} is not writable)` };
  const controllers = (readText(join(own, 'cgroup.controllers')) ?? '').split(/\s+/).filter(Boolean);
  return { delegation: { dir: own, controllers } };
}

/** How a user gets a delegated group, for skip reasons and doctor. */
export const DELEGATION_HINT =
  'run as root, or start nsbench in a cgroup delegated to you: systemd-run --user --scope -p Delegate=yes npm run bench (cgroup v2)';
