import { runChecks } from '../../doctor/index.ts';
import { terminalWidth } from '../../report/index.ts';
import { wrapLastColumn } from '../../util/index.ts';

/** `nsbench doctor`: exit 1 when a check fails. */
export async function doctorCommand(o: { json?: boolean }): Promise<number> {
  const checks = await runChecks();
  if (o.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
  else {
    const rows = checks.map((c) => [
      c.status.toUpperCase(),
      `${c.area}: ${c.name}`,
      c.detail + (c.fix && c.status !== 'ok' ? ` — fix: ${c.fix}` : ''),
    ]);
    process.stdout.write(`${wrapLastColumn(['status', 'check', 'detail'], rows, terminalWidth())}\n`);
  }
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
