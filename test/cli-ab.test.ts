// nsbench ab: both sides in one run, interleaved round by round, then B against A with no run-to-run term.
// Real launches (root): a host knob that changes nothing (no verdict, the knob put back), two builds of the
// workload where B is 20 ms slower (a regression, exit 1), and bad input refused before anything is measured.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NATIVE_PATHS, PROJECT_ROOT } from '../src/host/index.ts';
import { readResults } from '../src/results/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const KNOB = '/proc/sys/kernel/printk_ratelimit';
const nsbench = (args: string[]) => spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 240_000 });
const knobValue = () => readFileSync(KNOB, 'utf8').trim();

describe('nsbench ab (real launches)', { skip: needsRootAndBuild || (!existsSync(KNOB) && `${KNOB} is missing`) }, () => {
  test('a knob that changes nothing: both sides in every round, no regression, the knob put back, the sides recorded', () => {
    const before = knobValue();
    const other = String(Number(before) + 1);
    const out = tempDir('nsb-test-ab-');
    const r = nsbench(['ab', '--knob', `${KNOB}=${before},${other}`, '--ns', 'bare', '--ns', 'pid', '--rounds', '10', '--warmup', '1', '--seed', '7', '-o', out, '-q', '--json']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(knobValue(), before, 'restored');
    const res = JSON.parse(r.stdout) as { rows: { variant: string; metric: string; runVariance: string; verdict: string }[]; method: string; sides: { A: string; B: string }; results: string };
    assert.deepEqual([...new Set(res.rows.map((x) => x.variant))].sort(), ['bare', 'pid']);
    assert.ok(res.rows.every((x) => x.runVariance === 'same-run'));
    assert.match(res.method, /interleaved round by round in one run/);
    assert.deepEqual(res.sides, { what: `knob ${KNOB} (was "${before}"; restored afterwards)`, A: before, B: other });
    const run = readResults(res.results);
    assert.deepEqual(run.environment.ab, { what: `knob ${KNOB} (was "${before}"; restored afterwards)`, A: before, B: other });
    const sc = run.scenarios[0];
    assert.deepEqual(sc?.variants.map((v) => v.id), ['bare@A', 'pid@A', 'bare@B', 'pid@B']);
    assert.equal(sc?.variants.find((v) => v.id === 'pid@B')?.baseline, 'bare@B', 'each side against its own baseline');
    for (let round = 1; round <= 10; round++) {
      const ids = sc?.samples.filter((s) => s.round === round).map((s) => s.variant).sort();
      assert.deepEqual(ids, ['bare@A', 'bare@B', 'pid@A', 'pid@B'], `round ${round} runs both sides`);
    }
  });

  test('two builds of the workload, B 20 ms slower: a regression on both metrics, exit 1, with a Markdown table', () => {
    const dir = tempDir('nsb-test-ab-');
    const slow = join(dir, 'noop-slow');
    writeFileSync(slow, `#!/bin/sh\nsleep 0.02\nexec ${join(NATIVE_PATHS.workloads, 'noop')} "$@"\n`);
    chmodSync(slow, 0o755);
    const md = join(dir, 'ab.md');
    const r = nsbench(['ab', '--program-a', join(NATIVE_PATHS.workloads, 'noop'), '--program-b', slow, '--ns', 'bare', '--rounds', '8', '--seed', '3', '-o', dir, '-q', '--markdown', md]);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^B against A — the workload program: A .*noop, B .*noop-slow$/m);
    assert.match(r.stdout, /REGRESSION in 2 of 2 comparisons: boot\/bare bootNs \+\d+/);
    assert.match(readFileSync(md, 'utf8'), /❌ regression/);
  });
});

describe('nsbench ab: bad input, one line and exit 2, nothing measured', () => {
  const cases: [string, string[], RegExp][] = [
    ['nothing tells A from B', ['ab'], /^error: ab needs what tells A from B — e\.g\. --knob/],
    ['both kinds at once', ['ab', '--knob', `${KNOB}=1,2`, '--program-a', '/bin/true', '--program-b', '/bin/false'], /one thing at a time/],
    ['one program', ['ab', '--program-a', '/bin/true'], /--program-a and --program-b go together/],
    ['a relative program', ['ab', '--program-a', 'noop', '--program-b', '/bin/true'], /is not an absolute path/],
    ['a knob without values', ['ab', '--knob', KNOB], /expected PATH=A,B/],
    ['a knob outside /proc/sys and /sys', ['ab', '--knob', '/etc/hostname=a,b'], /is not under \/proc\/sys or \/sys/],
    ['a missing knob', ['ab', '--knob', '/proc/sys/kernel/no_such_knob=1,2'], /cannot be read \(no such file\)/],
    ['the same value twice', ['ab', '--knob', `${KNOB}=5,5`], /A and B are both "5"/],
    ['a freeze scenario', ['ab', 'freeze', '--knob', `${KNOB}=5,6`], /ab: freeze is a freeze scenario; ab interleaves launches/],
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

  test('a value the kernel refuses is found before measuring, and the knob is left as it was', { skip: needsRootAndBuild || (!existsSync(KNOB) && `${KNOB} is missing`) }, () => {
    const before = knobValue();
    const out = tempDir('nsb-test-ab-');
    const r = nsbench(['ab', '--knob', `${KNOB}=${before},not-a-number`, '-o', out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^error: the kernel refused "not-a-number" for \/proc\/sys\/kernel\/printk_ratelimit \(EINVAL\) — /);
    assert.equal(knobValue(), before);
    assert.deepEqual(readdirSync(out), []);
  });
});
