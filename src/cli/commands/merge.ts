import { relative } from 'node:path';
import { UserError } from '../../errors/index.ts';
import { loadResults, mergeRuns, writeFileAtomic } from '../../results/index.ts';
import { notAnInput, outputFile, writing } from '../../util/index.ts';

export interface MergeCommandOptions {
  out: string;
  mixed?: boolean;
  /** host=reason, repeatable: hosts that gave no results (the playbook passes its failed hosts) */
  failed?: string[];
}

/** `nsbench merge <results…> -o fleet.json`: one fleet file, keyed by host fingerprint. */
export async function mergeCommand(files: string[], o: MergeCommandOptions): Promise<number> {
  outputFile(o.out, 'the fleet file'); // an output problem before anything is read
  notAnInput(o.out, files, 'the fleet file');
  const failed = (o.failed ?? []).map((f) => {
    const i = f.indexOf('=');
    if (i <= 0)
      throw new UserError(`--failed ${f}: expected HOST=REASON`, 'e.g. --failed node3="ssh: connection refused"');
    return { host: f.slice(0, i), reason: f.slice(i + 1) || 'failed' };
  });
  const inputs = [];
  for (const file of files) inputs.push({ file, run: await loadResults(file) });
  const fleet = mergeRuns(inputs, { mixed: o.mixed === true, failed });
  writing(o.out, 'the fleet file', () => writeFileAtomic(o.out, `${JSON.stringify(fleet)}\n`));
  const rel = (p: string) => relative(process.cwd(), p) || p;
  process.stdout.write(
    `fleet: ${rel(o.out)} — ${fleet.hosts.length} host(s): ${fleet.hosts.map((h) => h.key).join(', ')}${fleet.mixedPlans ? ' (different plans, merged with --mixed)' : ''}${failed.length ? `; failed: ${failed.map((f) => f.host).join(', ')}` : ''}\n`,
  );
  return 0;
}
