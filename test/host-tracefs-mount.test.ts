// Where tracefs is not mounted, a run that traces mounts it (as root, as trace-cmd does) and unmounts it when it
// ends; after a kill -9, `nsbench cleanup` unmounts it. Asked for and impossible: exit 2 before measuring.
// Runs only where tracefs is not mounted when it starts (it never unmounts a tracefs it did not mount).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, TRACEFS_MARKER, tracefsMountable, tracingFacilities } from '../src/host/index.ts';
import { readResults } from '../src/results/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const BIN = join(PROJECT_ROOT, 'bin/nsbench.js');
const mounted = () =>
  readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[2] === 'tracefs');
const skip =
  needsRootAndBuild ||
  (!tracefsMountable() &&
    (mounted()
      ? 'tracefs is mounted already here (this test mounts and unmounts its own only)'
      : 'this kernel has no tracefs'));

test('--kernel-trace where tracefs is not mounted: mounted for the run, traced, unmounted after; kill -9 then cleanup unmounts it', {
  skip,
}, async () => {
  const out = tempDir('nsb-test-tracefs-');
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'run',
      'boot',
      '--ns',
      'bare',
      '--rounds',
      '3',
      '--warmup',
      '0',
      '--kernel-trace',
      '-o',
      out,
      '-q',
      '--no-report',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const run = readResults(join(out, /^results: .*\/([^/]+\.json)$/m.exec(r.stdout)?.[1] as string));
  assert.equal(run.scenarios[0]?.kernelTrace?.traced, true, JSON.stringify(run.scenarios[0]?.kernelTrace));
  assert.ok(
    run.scenarios[0]?.samples.every(
      (s) => s.state === 'completed' && Object.keys(s.metrics).some((k) => k.startsWith('kernel.syscall.')),
    ),
    'every launch traced',
  );
  assert.equal(mounted(), false, 'unmounted when the run ended');
  assert.equal(existsSync(TRACEFS_MARKER), false);

  // kill -9 while it traces: the mount and its record stay; cleanup takes both away
  const out2 = tempDir('nsb-test-tracefs-');
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      'boot',
      '--ns',
      'bare',
      '--rounds',
      '100000',
      '--warmup',
      '0',
      '--kernel-trace',
      '-o',
      out2,
      '-q',
      '--no-report',
    ],
    { stdio: 'ignore' },
  );
  const end = Date.now() + 60_000;
  const measuring = () =>
    readdirSync(out2).some(
      (f) => f.endsWith('.samples.jsonl') && readFileSync(join(out2, f), 'utf8').includes('"type":"sample"'),
    );
  while (!measuring() && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
  assert.equal(mounted(), true, 'left mounted by the killed run');
  const c = spawnSync(process.execPath, [BIN, 'cleanup'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(c.status, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /mount +\/sys\/kernel\/tracing +tracefs, mounted by nsbench where none was/);
  assert.equal(mounted(), false, 'cleanup unmounted it');
  assert.equal(existsSync(TRACEFS_MARKER), false);
});

test('--kernel-trace functions where the function tracer is missing or refused: exit 2 before measuring', {
  skip: needsRootAndBuild,
}, () => {
  const wasMounted = mounted();
  if (wasMounted && tracingFacilities().functionTracer) return; // this kernel has it: nothing to refuse
  const out = tempDir('nsb-test-tracefs-');
  const r = spawnSync(
    process.execPath,
    [BIN, 'run', 'boot', '--ns', 'bare', '--rounds', '2', '--kernel-trace', 'functions', '-o', out],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status === 0) return; // the kernel had the function tracer after all (tracefs was not mounted to tell)
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error: --kernel-trace functions: .* — /);
  assert.deepEqual(readdirSync(out), [], 'nothing measured');
  assert.equal(mounted(), wasMounted, 'tracefs as it was');
});
