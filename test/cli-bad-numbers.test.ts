// Numbers and names from the command line and the config: an empty string is no number, NaN and Infinity say
// what they are, crossed bounds are refused rather than clamped, and a name that happens to be a property of
// every JavaScript object ("constructor") is just an unknown name. One line, exit 2, no stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { syntheticRun } from '../src/compare/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { tempDir } from './helpers/env.ts';
import { oneLineProblems } from './helpers/one-line.ts';

test('numbers, names and options that cannot apply: one line with the cause and the fix, exit 2', () => {
  const dir = tempDir('nsb-test-numbers-');
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const a = file(
    'a.json',
    JSON.stringify({ ...syntheticRun(1, { variants: 2, n: 8, mu: 1e6, cv: 0.05 }), runId: 'a' }),
  );
  const b = file(
    'b.json',
    JSON.stringify({ ...syntheticRun(2, { variants: 2, n: 8, mu: 1e6, cv: 0.05 }), runId: 'b' }),
  );
  const crossed = file(
    'crossed.config.ts',
    "export default { profiles: { p: { description: 'x', scenarios: ['boot'], adaptive: { minRounds: 50, maxRounds: 10 } } } };\n",
  );
  const nan = file('nan.config.ts', 'export default { rounds: NaN };\n');
  const inf = file('inf.config.ts', 'export default { compare: { thresholdPct: Infinity } };\n');
  const longBoot = file(
    'long.config.ts',
    "export default { profiles: { p: { description: 'x', scenarios: [{ name: 'boot', durationScale: 3 }] } } };\n",
  );
  const cases: [string, string[], RegExp][] = [
    [
      'compare -t with nothing',
      ['compare', a, b, '-t', ''],
      /--threshold <pct>.*expected a percentage 0\.\.1000, got nothing/,
    ],
    ['compare --run-sd with nothing', ['compare', a, b, '--run-sd', ' '], /--run-sd <pct>.*got nothing/],
    [
      'history --fail-on-step with nothing',
      ['history', a, b, '--fail-on-step', ''],
      /--fail-on-step \[pct\].*got nothing/,
    ],
    [
      'run --profile constructor',
      ['run', '--profile', 'constructor'],
      /--profile constructor: no profile "constructor"/,
    ],
    ['export --format constructor', ['export', a, '--format', 'constructor'], /unknown export format "constructor"/],
    [
      'config: minRounds over maxRounds',
      ['run', '--config', crossed, '--profile', 'p'],
      /minRounds 50 is more than maxRounds 10 — make minRounds at most maxRounds/,
    ],
    ['config: rounds NaN', ['run', '--config', nan], /rounds.*got NaN/],
    ['config: a threshold of Infinity', ['compare', a, b, '--config', inf], /thresholdPct.*Infinity/],
    // options that cannot apply: refused in one line, not dropped without a word
    [
      '--gap-ms on a freeze scenario',
      ['run', 'freeze', '--gap-ms', '5'],
      /--gap-ms 5: none of freeze is a launch scenario, the only kind it applies to — run a launch scenario/,
    ],
    [
      '--placement on a network scenario',
      ['run', 'network', '--placement', 'free'],
      /--placement free: none of network is a launch scenario/,
    ],
    [
      '--burst without back-to-back pacing',
      ['run', 'boot', '--burst', '5'],
      /--burst is the length of a back-to-back burst — add --pace back-to-back/,
    ],
    [
      "a profile's durationScale on a scenario without a duration",
      ['run', '--config', longBoot, '--profile', 'p'],
      /profile p: boot: durationScale lengthens network tests, and boot is a launch scenario/,
    ],
  ];
  const failures: string[] = [];
  for (const [what, argv, cause] of cases) {
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), ...argv], {
      encoding: 'utf8',
      cwd: dir,
      timeout: 60_000,
    });
    const wrong = oneLineProblems(r, cause, { noNull: true });
    if (wrong.length) failures.push(`${what}: ${wrong.join(', ')}\n    ${r.stderr.trim()}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('a config naming a scenario 200 000 times is answered in one line (the duplicate is found before anything is loaded)', () => {
  const dir = tempDir('nsb-test-numbers-');
  const config = join(dir, 'many.config.ts');
  writeFileSync(
    config,
    `export default { scenarios: ${JSON.stringify(Array.from({ length: 200_000 }, () => 'boot'))} };\n`,
  );
  const r = spawnSync(
    process.execPath,
    [join(PROJECT_ROOT, 'bin/nsbench.js'), 'run', '--config', config, '-o', join(dir, 'out')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.error, undefined, 'answered within a minute');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error: scenario "boot" is named twice in one run — name each scenario once\n$/);
});
