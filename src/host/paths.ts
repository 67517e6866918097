import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors/index.ts';
import { packageRoot } from '../util/index.ts';

/** The project root (where package.json is). */
export const PROJECT_ROOT = packageRoot(import.meta.url);

export const NATIVE_PATHS = {
  addon: join(PROJECT_ROOT, 'native/build/Release/nsb.node'),
  launcher: join(PROJECT_ROOT, 'native/build/bin/nsb-launcher'),
  refloop: join(PROJECT_ROOT, 'native/build/bin/nsb-refloop'),
  workloads: join(PROJECT_ROOT, 'workloads/bin'),
} as const;

/** Fails with the fix when a native piece was not built. */
export function requireBuilt(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new UserError(
      `${what} is not built (${path} is missing)`,
      'run `npm install` (or `npm run build:native`) in the nsbench folder',
    );
  }
  return path;
}

/** nsbench's own workloads (workloads/<name>.c, built by `npm install`; the Makefile builds the same list). */
export const BUILTIN_WORKLOADS = [
  'noop',
  'idle',
  'sieve',
  'hog',
  'memory',
  'io',
  'syscall',
  'fork',
  'net',
  'listenready',
  'probe',
  'fault',
  'crowd',
] as const;

/** Path of a built-in workload binary: an unknown name says which exist, a known one not built says how to build it. */
export function builtinWorkload(name: string): string {
  if (!(BUILTIN_WORKLOADS as readonly string[]).includes(name))
    throw new UserError(
      `there is no built-in workload "${name}" (known: ${BUILTIN_WORKLOADS.join(', ')})`,
      'use one of them, or { command: ["/abs/path", ...] } for any program',
    );
  return requireBuilt(join(NATIVE_PATHS.workloads, name), `the built-in workload "${name}"`);
}
