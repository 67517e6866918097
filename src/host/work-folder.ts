import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_BASE } from '../util/index.ts';
import { registry } from './registry.ts';
import { claim } from './run-lock.ts';

/**
 * A fresh nsb-work-* folder under WORK_BASE (on disk: real tools' files, such
 * as sysbench fileio's and stress-ng's temp path, one folder per sample),
 * registered for emergency removal until `remove()` removes it.
 */
export function workFolder(): { dir: string; remove: () => void } {
  const name = `nsb-work-${randomBytes(4).toString('hex')}`;
  claim(name);
  const dir = join(WORK_BASE, name);
  mkdirSync(dir, { mode: 0o700 });
  const rm = () => rmSync(dir, { recursive: true, force: true });
  const unregister = registry.add(`work folder ${dir}`, rm);
  return {
    dir,
    remove: () => {
      rm();
      unregister();
    },
  };
}
