import { rmSync } from 'node:fs';
import { findLeftovers, type Leftover, removeLeftovers, sortByOwner, staleOwnerFiles } from '../../cleanup/index.ts';
import { textTable } from '../../util/index.ts';

const table = (items: readonly Leftover[]) =>
  textTable(
    ['kind', 'what', 'detail'],
    items.map((l) => [l.kind, l.id, l.detail]),
    99,
  );

/**
 * `nsbench cleanup [--dry-run] [--force]`: removes what runs that died left
 * behind; the objects of a run that is still alive (its owner record claims
 * them, its process is verified) are left alone unless --force, and named.
 * Exit 0 when nothing that was to go is left, 1 when something could not be
 * removed.
 */
export async function cleanupCommand(o: { dryRun?: boolean; force?: boolean }): Promise<number> {
  const found = findLeftovers();
  const { free, live } = sortByOwner(found);
  const stale = staleOwnerFiles();
  for (const { owner, items } of live) {
    const what = `run ${owner.runId} (pid ${owner.pid}, started ${owner.startedAt}: ${owner.argv.join(' ').slice(0, 80)}) is alive and holds ${items.length} object(s)`;
    process.stdout.write(
      o.force
        ? `${what}: --force removes them too\n`
        : `${what}: left alone (\`nsbench cleanup --force\` removes them, and breaks that run)\n`,
    );
  }
  const doomed = o.force ? found : free;
  if (doomed.length === 0) {
    if (!o.dryRun) for (const f of stale) rmSync(f, { force: true });
    process.stdout.write(
      live.length
        ? 'nothing else of nsbench is left on this machine\n'
        : 'nothing of nsbench is left on this machine\n',
    );
    return 0;
  }
  process.stdout.write(`${table(doomed)}\n`);
  if (o.dryRun) {
    process.stdout.write(`${doomed.length} leftovers (dry run: nothing removed)\n`);
    return 0;
  }
  const failed = await removeLeftovers(doomed);
  const again = o.force ? findLeftovers() : sortByOwner(findLeftovers()).free;
  for (const f of failed) process.stderr.write(`could not remove ${f}\n`);
  if (!again.length) for (const f of stale) rmSync(f, { force: true });
  process.stdout.write(again.length ? `${again.length} leftovers remain\n` : `removed ${doomed.length} leftovers\n`);
  return again.length ? 1 : 0;
}
