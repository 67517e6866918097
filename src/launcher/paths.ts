import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors/index.ts';

/** The project root (where package.json is). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const NATIVE_PATHS = {
  addon: join(PROJECT_ROOT, 'native/build/Release/nsb.node'),
  launcher: join(PROJECT_ROOT, 'native/build/bin/nsb-launcher'),
  refloop: join(PROJECT_ROOT, 'native/build/bin/nsb-refloop'),
  workloads: join(PROJECT_ROOT, 'workloads/bin'),
} as const;

/** Fails with the fix when a native piece was not built. */
export function requireBuilt(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new UserError(`${what} is not built (${path} is missing)`, 'run `npm install` (or `npm run build:native`) in the nsbench folder');
  }
  return path;
}

/** Path of a built-in workload binary. */
export function builtinWorkload(name: string): string {
  return requireBuilt(join(NATIVE_PATHS.workloads, name), `the built-in workload "${name}"`);
}
