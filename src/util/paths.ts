import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where nsbench's work folders live (IO workloads' files, isolation probes'
 * files, engine bundles): on disk rather than tmpfs, so IO workloads measure
 * a block device and `io.device: 'auto'` names the one they write to.
 */
export const WORK_BASE = '/var/tmp';

/**
 * nsbench's own folder (where its package.json is), found from a module's URL by walking up: the same answer
 * from the TypeScript sources (src/<layer>/x.ts) and from the built JavaScript (lib/cli.js, lib/chunks/x.js),
 * whatever depth the bundler put a module at.
 */
export function packageRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'nsbench')
        return dir;
    } catch {
      // no package.json here, or not one we can read: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`nsbench's package.json was not found above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}
