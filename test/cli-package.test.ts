// nsbench as a package a user installs: `npm pack` the project, install the tarball into an empty project of
// the user's own, write a scenario there that imports from 'nsbench', and run it with `npx nsbench run` for
// real (bare and a pid namespace, a few rounds). The tarball carries the JavaScript build and the types; the
// native part is built by the install.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { readResults } from '../src/results/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const npm = (args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> =>
  spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
const npmMissing = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0 ? 'npm is not on PATH' : false;

test('npm pack, install the tarball into an empty project, run a scenario that imports from nsbench', {
  skip: needsRootAndBuild || npmMissing,
  timeout: 600_000,
}, (t) => {
  const packs = tempDir('nsb-test-pack-');
  const packed = npm(['pack', '--pack-destination', packs], PROJECT_ROOT);
  assert.equal(packed.status, 0, `npm pack: ${packed.stderr}`);
  const tarball = readdirSync(packs).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, `a tarball in ${packs}`);

  const user = tempDir('nsb-test-user-');
  writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'my-benchmarks', version: '1.0.0', private: true }));
  // the dependencies come from the npm cache where CI's `npm ci` left them, else the registry
  const installed = npm(['install', '--prefer-offline', join(packs, tarball)], user);
  if (installed.status !== 0 && /E(NOTFOUND|AI_AGAIN|CONNREFUSED|TIMEDOUT)|ENETUNREACH/.test(installed.stderr)) {
    t.skip(`npm install could not reach the registry for nsbench's dependencies: ${installed.stderr.split('\n')[0]}`);
    return;
  }
  assert.equal(installed.status, 0, `npm install of the tarball: ${installed.stderr}`);
  const pkg = join(user, 'node_modules/nsbench');
  for (const f of [
    'lib/cli.js',
    'lib/index.js',
    'lib/types/src/index.d.ts',
    'native/build/bin/nsb-launcher',
    'native/build/Release/nsb.node',
    'workloads/bin/noop',
  ])
    assert.ok(existsSync(join(pkg, f)), `the installed package has ${f} (built by the install, or in the tarball)`);

  mkdirSync(join(user, 'my-scenarios'));
  writeFileSync(
    join(user, 'my-scenarios/x.ts'),
    `import { bare, defineScenario } from 'nsbench';

export default defineScenario({
  name: 'mine',
  description: 'my own: a pid namespace against a bare process',
  workload: { builtin: 'noop' },
  variants: [bare(), { id: 'pid', ns: ['pid'] }],
  rounds: 3,
});
`,
  );
  const run = spawnSync('npx', ['nsbench', 'run', './my-scenarios/x.ts', '--warmup', '0', '-q', '--no-report'], {
    cwd: user,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `npx nsbench run: ${run.stderr}`);
  const json = /^results: (.+)$/m.exec(run.stdout)?.[1];
  assert.ok(json, run.stdout);
  assert.ok(
    !json.startsWith('/') && existsSync(join(user, json)),
    `results in the user's folder (./results), not inside node_modules: ${json}`,
  );
  const results = readResults(join(user, json));
  const sc = results.scenarios[0];
  assert.equal(sc?.name, 'mine');
  assert.deepEqual(
    sc?.variants.map((v) => v.id),
    ['bare', 'pid'],
  );
  assert.equal(
    sc?.samples.filter((s) => s.state === 'completed').length,
    6,
    'three rounds of two variants, every launch completed',
  );

  // the package entry as a program imports it, and the CLI's version is the package's
  const lib = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const m = await import('nsbench'); console.log(typeof m.defineScenario, typeof m.preset, typeof m.runBenchmark, m.preset('runc').id)",
    ],
    { cwd: user, encoding: 'utf8' },
  );
  assert.equal(lib.stdout.trim(), 'function function function preset:runc', lib.stderr);
  const version = spawnSync('npx', ['nsbench', '--version'], { cwd: user, encoding: 'utf8' });
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
});
