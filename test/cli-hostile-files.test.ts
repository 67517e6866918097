// Files from other machines are hostile: a name read from a file never becomes a path outside the chosen
// folder, and no output ever replaces an input (after symlinks), in every command that reads and writes.
// Each case: one line "error: <cause> — <fix>", exit 2, no file outside the output folder, every input unchanged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { syntheticRun } from '../src/compare/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { finalizeScenario, type RunResults } from '../src/results/index.ts';
import { tempDir } from './helpers/env.ts';
import { oneLineProblems } from './helpers/one-line.ts';

const nsbench = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), ...args], {
    encoding: 'utf8',
    cwd,
    timeout: 60_000,
  });

function run(seed: number, runId: string): RunResults {
  const r = syntheticRun(seed, { variants: 2, n: 8, mu: 1e6, cv: 0.05 });
  for (const sc of r.scenarios) finalizeScenario(sc, {});
  return { ...r, runId, startedAt: new Date(Date.UTC(2026, 10, 1 + seed)).toISOString() };
}

/** Every file under a folder with its content, to prove nothing changed and nothing appeared. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, e.isSymbolicLink() ? `-> link` : readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

test('names from files never become paths, outputs never replace inputs: one line, exit 2, nothing written', () => {
  const root = tempDir('nsb-test-hostile-');
  const work = join(root, 'work');
  mkdirSync(join(work, 'out'), { recursive: true });
  const put = (name: string, content: string) => {
    const p = join(work, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  };
  const good = put('good.json', JSON.stringify(run(1, 'good')));
  const other = put('other.json', JSON.stringify(run(2, 'other')));
  const escaping = put('escape.json', JSON.stringify(run(3, '../../escaped')));
  const absolute = put('absolute.json', JSON.stringify(run(4, '/tmp/nsb-hostile-abs')));
  const nul = put('nul.json', JSON.stringify(run(5, 'a\u0000b')));
  const dotted = put('dotted.json', JSON.stringify(run(6, '.hidden')));
  const samples = put(
    'evil.samples.jsonl',
    `${JSON.stringify({ type: 'run', schema: 'nsbench.results', schemaVersion: 1, runId: '../../escaped', startedAt: '2026-12-01T00:00:00.000Z', seed: 1, tool: { name: 'nsbench', version: '0', commit: null }, environment: {} })}\n`,
  );
  // a results file that is named like the report it would produce, and a link to an input
  const asReport = put('out/good.html', JSON.stringify(run(7, 'good')));
  symlinkSync(good, join(work, 'link.md'));
  const historyInput = put('hist/history.csv', JSON.stringify(run(8, 'h8')));
  const noDate = put('nodate.json', JSON.stringify({ ...run(9, 'nodate'), startedAt: 'not-a-date' }));
  const escaped = run(10, 'esc');
  const v0 = escaped.scenarios[0]?.variants[0];
  if (v0) v0.id = 'v0\u001b[2J';
  for (const smp of escaped.scenarios[0]?.samples ?? []) if (smp.variant === 'v0') smp.variant = 'v0\u001b[2J';
  const ansi = put('ansi.json', JSON.stringify(escaped));
  const huge = run(11, 'huge');
  if (huge.scenarios[0]) huge.scenarios[0].name = 'x'.repeat(100_000);
  const long = put('long.json', JSON.stringify(huge));

  const cases: [string, string[], RegExp][] = [
    ['report: a run id that climbs out of the folder', ['report', escaping, '-o', 'out'], /runId: not a run id/],
    ['report: an absolute run id', ['report', absolute, '-o', 'out'], /runId: not a run id/],
    ['report: a NUL in the run id', ['report', nul, '-o', 'out'], /runId: not a run id/],
    ['report: a hidden-file run id', ['report', dotted, '-o', 'out'], /runId: not a run id/],
    ['report of a samples file whose header climbs out', ['report', samples, '-o', 'out'], /runId: not a run id/],
    ['run --resume of a samples file whose header climbs out', ['run', '--resume', samples], /runId: not a run id/],
    [
      'compare: --markdown through a link onto an input',
      ['compare', good, other, '--markdown', join(work, 'link.md')],
      /cannot write the Markdown table to .*link\.md: it is the file read as .*good\.json/,
    ],
    [
      'compare: --markdown onto the current run',
      ['compare', good, other, '--markdown', other],
      /it is one of the files read/,
    ],
    [
      'merge: -o onto one of its inputs',
      ['merge', good, other, '-o', other],
      /cannot write the fleet file to .*other\.json: it is one of the files read/,
    ],
    [
      'export: -o onto its input',
      ['export', good, '--format', 'bencher', '-o', good],
      /cannot write the export to .*good\.json: it is one of the files read/,
    ],
    [
      'report: the report would replace the input',
      ['report', asReport, '-o', 'out'],
      /cannot write the report to .*good\.html: it is the file read as .*out\/good\.html/,
    ],
    ['report: a terminal escape in a variant id', ['report', ansi, '-o', 'out'], /a control character in a name/],
    ['compare: a scenario name of 100 000 characters', ['compare', good, long], /a name of more than 256 characters/],
    [
      'history: a start that is no date (runs are ordered by it)',
      ['history', good, noDate, '-o', 'out2'],
      /nodate\.json: startedAt "not-a-date" is not a date, and history orders runs by it/,
    ],
    [
      'history: history.csv would replace an input',
      ['history', historyInput, '-o', 'hist'],
      /cannot write the history to .*history\.csv: it is the file read as .*hist\/history\.csv/,
    ],
  ];
  const before = snapshot(root);
  const failures: string[] = [];
  for (const [what, argv, cause] of cases) {
    const r = nsbench(argv, work);
    const wrong = oneLineProblems(r, cause);
    if (wrong.length) failures.push(`${what}: ${wrong.join(', ')}\n    ${r.stderr.trim()}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.deepEqual(snapshot(root), before, 'no input changed and nothing was written');
  assert.deepEqual(
    readdirSync(dirname(root)).filter((n) => n === 'escaped'),
    [],
    'nothing escaped the folders',
  );
});
