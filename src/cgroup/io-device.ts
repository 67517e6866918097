import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** "MAJ:MIN" of the whole disk holding `path` (io limits take whole devices), or null. */
export function diskOf(path = '/'): string | null {
  const dev = statSync(path, { bigint: true }).dev; // glibc's major()/minor() on a 64-bit dev_t
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(sys)) return null; // tmpfs, overlay: no block device
  if (existsSync(join(sys, 'partition'))) {
    const parent = dirname(realpathSync(sys));
    const devFile = join(parent, 'dev');
    return existsSync(devFile) ? readFileSync(devFile, 'utf8').trim() : null;
  }
  return `${major}:${minor}`;
}
