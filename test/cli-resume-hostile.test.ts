// --resume takes nothing on trust: the plan in a samples file's header is checked as the command line is,
// one process appends to a run at a time, and a renamed samples file is resumed where it is.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const BIN = join(PROJECT_ROOT, 'bin/nsbench.js');
const nsbench = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 120_000 });

/**
 * A run that "died" after 3 of `rounds` rounds: a real samples file, its header's plan asking for more, no final file.
 */
function deadRun(rounds: number, edit: (plan: Record<string, unknown>) => void = () => undefined): string {
  const out = tempDir('nsb-test-resume-');
  const r = nsbench(['run', 'boot', '--ns', 'bare', '--rounds', '3', '--warmup', '0', '-o', out, '-q', '--no-report']);
  assert.equal(r.status, 0, r.stderr);
  const samples = join(out, readdirSync(out).find((f) => f.endsWith('.samples.jsonl')) as string);
  const lines = readFileSync(samples, 'utf8').split('\n');
  const header = JSON.parse(lines[0] as string) as { environment: { plan: Record<string, unknown> } };
  header.environment.plan.rounds = rounds;
  edit(header.environment.plan);
  writeFileSync(samples, [JSON.stringify(header), ...lines.slice(1)].join('\n'));
  for (const f of readdirSync(out)) if (!f.endsWith('.samples.jsonl')) rmSync(join(out, f));
  return samples;
}

test('a plan the command line would refuse is refused from the file too: one line, exit 2, nothing appended', {
  skip: needsRootAndBuild,
}, () => {
  const cases: [string, (p: Record<string, unknown>) => void, RegExp][] = [
    [
      'rounds 0',
      (p) => (p.rounds = 0),
      /its run plan's rounds \(0\) is not one the command line takes: too small: expected number to be >=1 — the file is damaged or was edited/,
    ],
    [
      'a pace that does not exist',
      (p) => (p.pace = 'turbo'),
      /its run plan's pace \("turbo"\) is not one the command line takes/,
    ],
    ['a gap of an hour', (p) => (p.gapMs = 3_600_000), /its run plan's gapMs \(3600000\) is not one/],
    ['a burst of a million', (p) => (p.burst = 1_000_000), /its run plan's burst \(1000000\) is not one/],
  ];
  for (const [what, edit, cause] of cases) {
    const samples = deadRun(10, edit);
    const before = readFileSync(samples, 'utf8');
    const r = nsbench(['run', '--resume', samples]);
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, cause, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(readFileSync(samples, 'utf8'), before, `${what}: nothing appended`);
  }
});

test('two resumes of one run at once: one runs it, the other is refused; no sample is measured twice', {
  skip: needsRootAndBuild,
}, async () => {
  const samples = deadRun(150);
  const start = () =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'run', '--resume', samples, '-q', '--no-report'], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (code) => resolve({ code, stderr }));
    });
  const [a, b] = await Promise.all([start(), start()]);
  const codes = [a.code, b.code].sort();
  assert.deepEqual(codes, [0, 2], `${a.stderr}\n${b.stderr}`);
  const refused = a.code === 2 ? a : b;
  assert.match(
    refused.stderr,
    /^error: run \S+ is being run or resumed now \(pid \d+\): two would append to one samples file — wait for it to end/,
  );
  const keys = readFileSync(samples, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"type":"sample"'))
    .map((l) => JSON.parse(l) as { variant: string; round: number; superseded?: boolean })
    .filter((s) => !s.superseded)
    .map((s) => `${s.variant} ${s.round}`);
  assert.equal(new Set(keys).size, keys.length, 'no round measured twice');
  assert.equal(keys.length, 150, 'every round once');
});

test('a renamed samples file is resumed where it is (the run found from its own header)', {
  skip: needsRootAndBuild,
}, () => {
  const samples = deadRun(6);
  const renamed = join(samples, '..', 'my-run.jsonl.samples.jsonl');
  copyFileSync(samples, renamed);
  rmSync(samples);
  const r = nsbench(['run', '--resume', renamed, '-q', '--no-report']);
  assert.equal(r.status, 0, r.stderr);
  const n = readFileSync(renamed, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"type":"sample"')).length;
  assert.equal(n, 6, 'the three missing rounds were appended to the renamed file');
});
