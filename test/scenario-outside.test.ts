// A user's own scenario file, in a folder of their own outside the project, that imports the helpers
// (defineScenario, bare, preset) by path: it loads and runs (tsx compiles such a file, and the helpers it
// imports, to CommonJS, where import.meta.resolve does not exist: nothing reachable from them may call it at import).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { readResults } from '../src/results/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

test('a scenario file outside the project that imports the helpers runs', { skip: needsRootAndBuild }, () => {
  const mine = tempDir('nsb-test-mine-');
  const file = join(mine, 'mine.ts');
  writeFileSync(
    file,
    `import { defineScenario, bare, preset } from ${JSON.stringify(join(PROJECT_ROOT, 'src/scenario/index.ts'))};\nexport default defineScenario({ name: 'mine', description: 'my own', workload: { builtin: 'noop' }, variants: [bare(), preset('runc')], rounds: 3 });\n`,
  );
  const out = join(mine, 'out');
  const r = spawnSync(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin/nsbench.js'),
      'run',
      file,
      '--rounds',
      '2',
      '--warmup',
      '0',
      '-o',
      out,
      '-q',
      '--no-report',
    ],
    { encoding: 'utf8', cwd: mine, timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const json = /^results: (.+)$/m.exec(r.stdout)?.[1] as string;
  const run = readResults(join(mine, json));
  assert.deepEqual(
    run.scenarios[0]?.variants.map((v) => v.id),
    ['bare', 'preset:runc'],
  );
  assert.ok(run.scenarios[0]?.samples.every((s) => s.state === 'completed'));
});
