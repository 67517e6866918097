import { findLeftovers, removeLeftovers } from '../../cleanup/index.ts';
import { textTable } from '../../report/index.ts';

/** `nsbench cleanup [--dry-run]`: exit 0 when nothing is left, 1 when something could not be removed. */
export async function cleanupCommand(o: { dryRun?: boolean }): Promise<number> {
  const found = findLeftovers();
  if (found.length === 0) {
    process.stdout.write('nothing of nsbench is left on this machine\n');
    return 0;
  }
  process.stdout.write(`${textTable(['kind', 'what', 'detail'], found.map((l) => [l.kind, l.id, l.detail]), 99)}\n`);
  if (o.dryRun) {
    process.stdout.write(`${found.length} leftovers (dry run: nothing removed)\n`);
    return 0;
  }
  const failed = await removeLeftovers(found);
  const again = findLeftovers();
  for (const f of failed) process.stderr.write(`could not remove ${f}\n`);
  process.stdout.write(again.length ? `${again.length} leftovers remain\n` : `removed ${found.length} leftovers\n`);
  return again.length ? 1 : 0;
}
