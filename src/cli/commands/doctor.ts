import { runChecks } from '../../doctor/index.ts';
import { textTable } from '../../report/index.ts';

/** `nsbench doctor`: exit 1 when a check fails. */
export async function doctorCommand(o: { json?: boolean }): Promise<number> {
  const checks = await runChecks();
  if (o.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
  else {
    const rows = checks.map((c) => [c.status.toUpperCase(), `${c.area}: ${c.name}`, c.detail + (c.fix && c.status !== 'ok' ? ` — fix: ${c.fix}` : '')]);
    process.stdout.write(`${textTable(['status', 'check', 'detail'], rows, 99)}\n`);
  }
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
