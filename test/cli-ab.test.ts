// nsbench ab: both sides in one run, interleaved round by round, then B against A with no run-to-run term.
// Real launches (root): a host knob that changes nothing (no verdict, the knob put back), two builds of the
// workload where B is 20 ms slower (a regression, exit 1), and bad input refused before anything is measured.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NATIVE_PATHS, PROJECT_ROOT } from '../src/host/index.ts';
import { readResults } from '../src/results/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const KNOB = '/proc/sys/kernel/printk_ratelimit';
const nsbench = (args: string[]) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), ...args], {
    encoding: 'utf8',
    cwd: PROJECT_ROOT,
    timeout: 240_000,
  });
const knobValue = () => readFileSync(KNOB, 'utf8').trim();

describe('nsbench ab (real launches)', {
  skip: needsRootAndBuild || (!existsSync(KNOB) && `${KNOB} is missing`),
}, () => {
  test('a knob that changes nothing: both sides in every round, no regression, the knob put back, the sides recorded', () => {
    const before = knobValue();
    const other = String(Number(before) + 1);
    const out = tempDir('nsb-test-ab-');
    const r = nsbench([
      'ab',
      '--knob',
      `${KNOB}=${before},${other}`,
      '--ns',
      'bare',
      '--ns',
      'pid',
      '--rounds',
      '10',
      '--warmup',
      '1',
      '--seed',
      '7',
      '-o',
      out,
      '-q',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(knobValue(), before, 'restored');
    const res = JSON.parse(r.stdout) as {
      rows: { variant: string; metric: string; runVariance: string; verdict: string }[];
      method: string;
      sides: { A: string; B: string };
      results: string;
    };
    assert.deepEqual([...new Set(res.rows.map((x) => x.variant))].sort(), ['bare', 'pid']);
    assert.ok(res.rows.every((x) => x.runVariance === 'same-run'));
    assert.match(res.method, /interleaved round by round in one run/);
    assert.deepEqual(res.sides, { what: `knob ${KNOB} (was "${before}"; restored afterwards)`, A: before, B: other });
    const run = readResults(res.results);
    assert.deepEqual(run.environment.ab, {
      what: `knob ${KNOB} (was "${before}"; restored afterwards)`,
      A: before,
      B: other,
    });
    const sc = run.scenarios[0];
    assert.deepEqual(
      sc?.variants.map((v) => v.id),
      ['bare@A', 'pid@A', 'bare@B', 'pid@B'],
    );
    assert.equal(sc?.variants.find((v) => v.id === 'pid@B')?.baseline, 'bare@B', 'each side against its own baseline');
    for (let round = 1; round <= 10; round++) {
      const ids = sc?.samples
        .filter((s) => s.round === round)
        .map((s) => s.variant)
        .sort();
      assert.deepEqual(ids, ['bare@A', 'bare@B', 'pid@A', 'pid@B'], `round ${round} runs both sides`);
    }
  });

  test('two builds of the workload, B 20 ms slower: a regression on both metrics, exit 1, with a Markdown table', () => {
    const dir = tempDir('nsb-test-ab-');
    const slow = join(dir, 'noop-slow');
    writeFileSync(slow, `#!/bin/sh\nsleep 0.02\nexec ${join(NATIVE_PATHS.workloads, 'noop')} "$@"\n`);
    chmodSync(slow, 0o755);
    const md = join(dir, 'ab.md');
    const r = nsbench([
      'ab',
      '--program-a',
      join(NATIVE_PATHS.workloads, 'noop'),
      '--program-b',
      slow,
      '--ns',
      'bare',
      '--rounds',
      '8',
      '--seed',
      '3',
      '-o',
      dir,
      '-q',
      '--markdown',
      md,
    ]);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^B against A — the workload program: A .*noop, B .*noop-slow$/m);
    assert.match(r.stdout, /REGRESSION in 2 of 2 comparisons: boot\/bare bootNs \+\d+/);
    assert.match(readFileSync(md, 'utf8'), /❌ regression/);
  });

  test('two engine builds (runc at two paths): only the runc variants, each through its build', {
    skip: !existsSync('/usr/bin/runc') && 'runc is not installed (apt-get install runc)',
  }, () => {
    const dir = tempDir('nsb-test-ab-');
    const b = join(dir, 'runc-b');
    copyFileSync('/usr/bin/runc', b);
    chmodSync(b, 0o755);
    const r = nsbench([
      'ab',
      'engines',
      '--engine-a',
      '/usr/bin/runc',
      '--engine-b',
      b,
      '--rounds',
      '6',
      '--warmup',
      '1',
      '--seed',
      '2',
      '-o',
      dir,
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /note: engines: the 2 variant\(s\) that launch through runc are compared, 8 left out/);
    const res = JSON.parse(r.stdout) as { rows: { variant: string }[]; sides: { what: string }; results: string };
    assert.equal(res.sides.what, 'the runc build');
    assert.deepEqual([...new Set(res.rows.map((x) => x.variant))].sort(), ['runc/no-net', 'runc/runc']);
    const sc = readResults(res.results).scenarios[0];
    assert.equal(sc?.variants.find((v) => v.id === 'runc/runc@B')?.engineBinary, b, 'B launches through its build');
    assert.ok(
      sc?.samples.filter((s) => !s.warmup).every((s) => s.state === 'completed'),
      JSON.stringify(sc?.samples.find((s) => s.state !== 'completed')),
    );
  });

  test('two launcher builds (the same build at two paths): each side through its own launcher process, no verdict', () => {
    const dir = tempDir('nsb-test-ab-');
    const b = join(dir, 'nsb-launcher-b');
    copyFileSync(NATIVE_PATHS.launcher, b);
    chmodSync(b, 0o755);
    const r = nsbench([
      'ab',
      '--launcher-a',
      NATIVE_PATHS.launcher,
      '--launcher-b',
      b,
      '--ns',
      'bare',
      '--ns',
      'net',
      '--rounds',
      '10',
      '--seed',
      '5',
      '-o',
      dir,
      '-q',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const res = JSON.parse(r.stdout) as {
      rows: { variant: string; verdict: string }[];
      sides: { what: string; B: string };
      results: string;
    };
    assert.equal(res.sides.what, 'the launcher build');
    assert.equal(res.sides.B, b);
    assert.deepEqual([...new Set(res.rows.map((x) => x.variant))].sort(), ['bare', 'net']);
    const sc = readResults(res.results).scenarios[0];
    assert.ok(
      sc?.samples.filter((s) => s.variant.endsWith('@B')).every((s) => s.state === 'completed'),
      'every launch of B completed through its launcher',
    );
  });
});

const NOT_EXECUTABLE = join(tempDir('nsb-test-ab-'), 'plain.txt');
writeFileSync(NOT_EXECUTABLE, 'not a program\n', { mode: 0o644 });

describe('nsbench ab: bad input, one line and exit 2, nothing measured', () => {
  const cases: [string, string[], RegExp][] = [
    ['nothing tells A from B', ['ab'], /^error: ab needs what tells A from B — e\.g\. --knob/],
    [
      'both kinds at once',
      ['ab', '--knob', `${KNOB}=1,2`, '--program-a', '/bin/true', '--program-b', '/bin/false'],
      /one thing at a time/,
    ],
    ['one program', ['ab', '--program-a', '/bin/true'], /--program-a and --program-b go together/],
    ['one launcher', ['ab', '--launcher-b', '/bin/true'], /--launcher-a and --launcher-b go together/],
    [
      'an engine build of no known engine',
      ['ab', 'engines', '--engine-a', '/bin/true', '--engine-b', '/bin/false'],
      /--engine-a\/--engine-b \/bin\/true: which engine is it\? \(known: unshare, bwrap, runc, crun\) — name it/,
    ],
    [
      'two different engines',
      ['ab', 'engines', '--engine-a', 'runc=/bin/true', '--engine-b', 'crun=/bin/false'],
      /--engine-a is runc and --engine-b crun/,
    ],
    [
      'a launcher that is not executable',
      ['ab', '--launcher-a', NOT_EXECUTABLE, '--launcher-b', '/bin/true'],
      /launcher \/.*\/plain\.txt is not an executable file/,
    ],
    ['a relative program', ['ab', '--program-a', 'noop', '--program-b', '/bin/true'], /is not an absolute path/],
    ['a knob without values', ['ab', '--knob', KNOB], /expected PATH=A,B/],
    ['a knob outside /proc/sys and /sys', ['ab', '--knob', '/etc/hostname=a,b'], /is not under \/proc\/sys or \/sys/],
    ['a missing knob', ['ab', '--knob', '/proc/sys/kernel/no_such_knob=1,2'], /cannot be read \(no such file\)/],
    ['the same value twice', ['ab', '--knob', `${KNOB}=5,5`], /A and B are both "5"/],
    [
      'a freeze scenario',
      ['ab', 'freeze', '--knob', `${KNOB}=5,6`],
      /ab: freeze is a freeze scenario; ab interleaves launches/,
    ],
  ];
  for (const [what, argv, re] of cases)
    test(what, () => {
      const out = tempDir('nsb-test-ab-');
      const r = nsbench([...argv, '-o', out]);
      assert.equal(r.status, 2, r.stderr + r.stdout);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] as string, re);
      assert.deepEqual(readdirSync(out), [], 'nothing written');
    });

  test('a value the kernel refuses is found before measuring, and the knob is left as it was', {
    skip: needsRootAndBuild || (!existsSync(KNOB) && `${KNOB} is missing`),
  }, () => {
    const before = knobValue();
    const out = tempDir('nsb-test-ab-');
    const r = nsbench(['ab', '--knob', `${KNOB}=${before},not-a-number`, '-o', out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /^error: the kernel refused "not-a-number" for \/proc\/sys\/kernel\/printk_ratelimit \(EINVAL\) — /,
    );
    assert.equal(knobValue(), before);
    assert.deepEqual(readdirSync(out), []);
  });
});
