import { existsSync, readdirSync } from 'node:fs';
import { NATIVE_PATHS } from '../../host/index.ts';
import { NAMESPACE_DESCRIPTIONS, NAMESPACES, PRESETS } from '../../isolation/index.ts';
import { terminalWidth } from '../../report/index.ts';
import { listScenarioNames, loadScenario } from '../../scenario/index.ts';
import { wrapLastColumn, wrapText } from '../../util/index.ts';

/** `nsbench list`: scenarios, namespaces, presets, workloads. */
export async function listCommand(o: { json?: boolean }): Promise<number> {
  const scenarios = [];
  for (const name of listScenarioNames()) {
    const sc = await loadScenario(name);
    scenarios.push({ name: sc.name, description: sc.description, variants: sc.variants.map((v) => v.id) });
  }
  const workloads = existsSync(NATIVE_PATHS.workloads) ? readdirSync(NATIVE_PATHS.workloads).sort() : [];
  const data = {
    scenarios,
    namespaces: NAMESPACES.map((n) => ({ name: n, isolates: NAMESPACE_DESCRIPTIONS[n] })),
    presets: PRESETS.map((p) => ({ name: p.name, ns: p.ns, description: p.description })),
    workloads,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return 0;
  }
  const width = terminalWidth();
  const out = [
    'Scenarios (nsbench run <name>):',
    wrapLastColumn(
      ['name', 'variants', 'description'],
      scenarios.map((s) => [s.name, String(s.variants.length), s.description]),
      width,
    ),
    '',
    'Namespaces (--ns user,pid ... or bare, all, each, powerset):',
    wrapLastColumn(
      ['name', 'isolates'],
      data.namespaces.map((n) => [n.name, n.isolates]),
      width,
    ),
    '',
    "Presets (--ns <name>, or preset('<name>') in a scenario):",
    wrapLastColumn(
      ['name', 'namespaces', 'what'],
      PRESETS.map((p) => [p.name, p.ns.join(','), p.description]),
      width,
    ),
    '',
    wrapText(`Built-in workloads: ${workloads.join(', ') || '(not built: run npm install)'}`, width, '  '),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
