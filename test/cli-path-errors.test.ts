// Every errno on a path a user gives is a user error: one line, exit 2 — and a pipe where a results file is
// expected is refused, never read (it would block), also among the earlier results in the output folder.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';
import { oneLineProblems } from './helpers/one-line.ts';

const nsbench = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), ...args], {
    encoding: 'utf8',
    cwd,
    timeout: 60_000,
  });

test('a pipe, a dangling link, a link loop, a file used as a folder: one line each, exit 2, no hang', () => {
  const dir = tempDir('nsb-test-paths-');
  execFileSync('mkfifo', [join(dir, 'pipe.json')]);
  execFileSync('mkfifo', [join(dir, 'pipe.samples.jsonl')]);
  symlinkSync(join(dir, 'nowhere.json'), join(dir, 'dangling.json'));
  symlinkSync(join(dir, 'loop-b.json'), join(dir, 'loop-a.json'));
  symlinkSync(join(dir, 'loop-a.json'), join(dir, 'loop-b.json'));
  writeFileSync(join(dir, 'plain'), 'x');
  const cases: [string[], RegExp][] = [
    [
      ['report', 'pipe.json'],
      /cannot read results file pipe\.json: it is not a regular file \(a pipe, a socket or a device\) — /,
    ],
    [['report', 'pipe.samples.jsonl'], /pipe\.samples\.jsonl: it is not a regular file/],
    [['compare', 'pipe.json', 'pipe.json'], /it is not a regular file/],
    [['merge', 'pipe.json', '-o', 'fleet.json'], /it is not a regular file/],
    [['history', 'pipe.json'], /it is not a regular file/],
    [
      ['report', 'dangling.json'],
      /cannot read results file dangling\.json: it is a symbolic link to nothing — check where the link points/,
    ],
    [['report', 'loop-a.json'], /its symbolic links loop \(ELOOP\)/],
    [['report', 'plain/x.json'], /a part of the path is a file, not a folder \(ENOTDIR\)/],
  ];
  const failures: string[] = [];
  for (const [argv, cause] of cases) {
    const r = nsbench(argv, dir);
    const wrong = oneLineProblems(r, cause);
    if (wrong.length) failures.push(`${argv.join(' ')}: ${wrong.join(', ')}\n    ${r.stderr.trim()}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('a pipe named like a results file in the output folder does not hang the run (the estimate reads regular files only)', {
  skip: needsRootAndBuild,
}, () => {
  const out = tempDir('nsb-test-paths-');
  execFileSync('mkfifo', [join(out, '20261201-000000-abcd.json')]);
  const r = nsbench(
    ['run', 'boot', '--ns', 'bare', '--rounds', '2', '--warmup', '0', '-o', out, '-q', '--no-report'],
    PROJECT_ROOT,
  );
  assert.equal(r.error, undefined, 'it finished');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^results: /m);
});
