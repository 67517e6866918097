// The layering of src/ (README "Layout"), enforced with dependency-cruiser:
// no import runs from a lower layer to a higher one, no module cycle, imports
// across folders go through the folder's index.ts (.dependency-cruiser.cjs);
// and, from the same graph, no two folders import each other in a circle.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { cruise } from 'dependency-cruiser';
import { PROJECT_ROOT } from '../src/host/index.ts';

const require = createRequire(import.meta.url);

test('src/ keeps its layers: no upward import, no cycle of modules or folders, other folders through their index', async () => {
  const config = require(join(PROJECT_ROOT, '.dependency-cruiser.cjs'));
  const cwd = process.cwd();
  process.chdir(PROJECT_ROOT);
  let result: Awaited<ReturnType<typeof cruise>>;
  try {
    result = await cruise(['src'], { ruleSet: { forbidden: config.forbidden }, ...config.options, validate: true });
  } finally {
    process.chdir(cwd);
  }
  const out = result.output as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number };
    modules: { source: string; dependencies: { resolved: string }[] }[];
  };
  assert.ok(out.summary.totalCruised > 100, `the whole of src/ was read (${out.summary.totalCruised} modules)`);
  assert.deepEqual(
    out.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
    [],
  );
  // folder graph: an edge for every import from one folder of src/ to another
  const folder = (p: string) => /^src\/([^/]+)\//.exec(p)?.[1];
  const edges = new Map<string, Set<string>>();
  for (const m of out.modules)
    for (const d of m.dependencies) {
      const a = folder(m.source);
      const b = folder(d.resolved);
      if (a && b && a !== b) edges.set(a, (edges.get(a) ?? new Set()).add(b));
    }
  assert.ok(edges.size >= 10, 'the folders import each other');
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of edges.get(node) ?? []) {
      if (next === path[0]) cycles.push([...path, next].join(' → '));
      else if (!path.includes(next) && next > path[0]!) visit(next, [...path, next]); // each cycle once, from its smallest folder
    }
  };
  for (const f of edges.keys()) visit(f, [f]);
  assert.deepEqual(cycles, [], 'no folder cycle');
});

test('each test file is named after the src/ folder it tests: test/<folder>-<topic>.test.ts', () => {
  const folders = new Set(
    readdirSync(join(PROJECT_ROOT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name),
  );
  folders.add('architecture'); // this file: the layering of all of src/
  folders.add('deploy'); // deploy/: the Ansible playbook and the Kubernetes manifests
  const files = readdirSync(join(PROJECT_ROOT, 'test')).filter((f) => f.endsWith('.test.ts'));
  assert.ok(files.length > 30, `found ${files.length} test files`);
  const misfiled = files.filter((f) => {
    const m = /^([a-z]+)-[a-z0-9-]+\.test\.ts$/.exec(f);
    return !m || !folders.has(m[1] as string);
  });
  assert.deepEqual(
    misfiled,
    [],
    `name them test/<folder>-<topic>.test.ts after one of: ${[...folders].sort().join(', ')}`,
  );
});
