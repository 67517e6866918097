// The bad-input corpus, second part: one or more cases for each class of
// failure a held-out corpus found (issue 15) — typos accepted silently, a CI
// gate that passes on nothing, results files of the wrong shape, outputs that
// cannot be written, scenario files that never finish loading, numbers out
// of range, workload commands, --resume, the run lock, kill -9 while frozen,
// 5 000 variants, a closed stdout. Every case asserts the exact exit code,
// one line on stderr, no stack trace, and that no file it was given (nothing
// already measured) changed or went.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findLeftovers } from '../src/cleanup/index.ts';
import { syntheticRun } from '../src/compare/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { finalizeScenario } from '../src/results/index.ts';
import { IS_ROOT, needsRootAndBuild, processTable, tempDir } from './helpers/env.ts';

const BIN = join(PROJECT_ROOT, 'bin/nsbench.js');
const dir = tempDir('nsb-test-heldout-');
const file = (name: string, body: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
const sc = (name: string, body: string) => file(`${name}.ts`, `export default ${body};\n`);
const ok = (extra = '', variants = "[{ id: 'bare', ns: [] }]", workload = "{ builtin: 'noop' }") =>
  `{ name: 'bad', description: 'x', workload: ${workload}, variants: ${variants}${extra} }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// results files: a good one, two synthetic runs that compare, a samples header as nsbench writes it
const RUN = {
  schema: 'nsbench.results',
  schemaVersion: 1,
  runId: 'r',
  status: 'complete',
  startedAt: '',
  finishedAt: '',
  tool: { name: 'nsbench', version: '0', commit: null },
  environment: {},
  scenarios: [],
};
const HEADER = {
  type: 'run',
  schema: 'nsbench.results',
  schemaVersion: 1,
  runId: 'x',
  startedAt: '2026-12-01T00:00:00Z',
  seed: 1,
  tool: { name: 'nsbench', version: '0', commit: null },
  environment: {},
};
const good = file('good.json', JSON.stringify(RUN));
const synthetic = (seed: number, variants: number) => {
  const run = syntheticRun(seed, { variants, n: 12, mu: 1e6, cv: 0.05 });
  for (const s of run.scenarios) finalizeScenario(s, {});
  return run;
};
const base = file('base.json', JSON.stringify(synthetic(1, 3)));
const cur = file('cur.json', JSON.stringify(synthetic(2, 3)));
const fewer = file('fewer.json', JSON.stringify(synthetic(3, 2)));
const other = (() => {
  const r = synthetic(4, 2);
  for (const s of r.scenarios) s.name = 'elsewhere';
  return file('other.json', JSON.stringify(r));
})();
const jsonl = (name: string, ...lines: unknown[]) =>
  file(name, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
const noexec = file('noexec', 'hello\n');
const scenarioLine = {
  type: 'scenario',
  name: 's',
  description: '',
  file: '',
  kind: 'launch',
  workload: {},
  params: {},
  rounds: 1,
  warmupRounds: 0,
  seed: 1,
  timeoutMs: 1,
  baseline: 'a',
  variants: [],
};

// mounts for the output cases: a read-only file system and a full one (root only)
const mounts: string[] = [];
const mountDir = tempDir('heldout-mnt-'); // not nsb-: a test's own mount is no leftover of a run
const mount = (name: string, opts: string): string | null => {
  if (!IS_ROOT) return null;
  const p = join(mountDir, name);
  mkdirSync(p, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'heldout', p]);
  if (r.status !== 0) return null;
  mounts.push(p);
  return p;
};
const ro = mount('ro', 'ro,size=1m');
const full = mount('full', 'size=48k');
after(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
});
const aFile = file('a-file', 'x');

interface Case {
  what: string;
  argv: string[];
  cause: RegExp;
  code?: number; // 2 unless given
  env?: Record<string, string>;
  skip?: string | false;
}

const CASES: Case[] = [
  // 1. typos accepted silently: every key known, near misses named, contradictions refused
  {
    what: 'typo: variant cgroups',
    argv: ['run', '-q', sc('t1', ok('', "[{ id: 'a', ns: [], cgroups: { memory: { max: '64M' } } }]"))],
    cause: /variants\[0\]\.cgroups: unknown key — did you mean "cgroup"\?/,
  },
  {
    what: 'typo: scenario round',
    argv: ['run', '-q', sc('t2', ok(', round: 3'))],
    cause: /round: unknown key — did you mean "rounds"\?/,
  },
  {
    what: 'typo: scenario timeoutMS',
    argv: ['run', '-q', sc('t3', ok(', timeoutMS: 3'))],
    cause: /timeoutMS: unknown key — did you mean "timeoutMs"\?/,
  },
  {
    what: 'typo: workload arg',
    argv: ['run', '-q', sc('t4', ok('', undefined, "{ builtin: 'noop', arg: ['1'] }"))],
    cause: /workload\.arg: unknown key — did you mean "args"\?/,
  },
  {
    what: 'typo: cgroup controller',
    argv: ['run', '-q', sc('t5', ok('', "[{ id: 'a', ns: [], cgroup: { memroy: { max: '64M' } } }]"))],
    cause: /cgroup\.memroy: unknown key — did you mean "memory"\?/,
  },
  {
    what: 'typo: config key',
    argv: ['run', '-q', '--config', file('c1.ts', 'export default { round: 3 };')],
    cause: /c1\.ts: round: unknown key — did you mean "rounds"\?/,
  },
  {
    what: 'contradiction: builtin and command',
    argv: ['run', '-q', sc('t6', ok('', undefined, "{ builtin: 'noop', command: ['/bin/true'] }"))],
    cause: /workload: has both "builtin" and "command"/,
  },
  {
    what: 'metric: compare -m bootNS',
    argv: ['compare', base, cur, '-m', 'bootNS'],
    cause: /--metric bootNS: no metric "bootNS" \(did you mean "bootNs"\?\)/,
  },
  {
    what: 'metric: config thresholds key',
    argv: [
      'compare',
      base,
      cur,
      '--config',
      file('c2.ts', 'export default { compare: { thresholds: { bootNS: 5 } } };'),
    ],
    cause: /compare\.thresholds\.bootNS: no metric "bootNS" \(did you mean "bootNs"\?\)/,
  },
  {
    what: '--ns on a scenario that is not a launch scenario',
    argv: ['run', '-q', 'density', '--ns', 'pid'],
    cause: /--ns: none of density is a launch scenario/,
  },
  {
    what: '--ns near miss of a preset',
    argv: ['run', '-q', '--ns', 'dockr'],
    cause: /"dockr" is no namespace, preset or keyword \(did you mean "docker"\?\)/,
  },
  {
    what: '--ns contradiction',
    argv: ['run', '-q', '--ns', 'bare,pid'],
    cause: /"bare" \(no namespaces\) and "pid" contradict each other/,
  },
  {
    what: 'flag given twice',
    argv: ['run', '-q', '--rounds', '3', '--rounds', '4'],
    cause: /--rounds and --rounds both given/,
  },
  {
    what: 'scenario named twice',
    argv: ['run', '-q', 'boot', 'boot'],
    cause: /scenario "boot" is named twice in one run/,
  },
  // 2. a CI gate that never passes on nothing
  {
    what: 'compare: nothing in common',
    argv: ['compare', base, other],
    cause: /nothing to compare: .* have no scenario, variant and metric in common/,
  },
  {
    what: 'compare: scenarios [1, 2]',
    argv: ['compare', base, file('n12.json', JSON.stringify({ ...RUN, scenarios: [1, 2] }))],
    cause: /n12\.json: scenarios\[0\]: .*expected object/,
  },
  {
    what: 'compare: --markdown into a missing folder',
    argv: ['compare', base, cur, '--markdown', join(dir, 'none', 'x.md')],
    cause: /cannot write the Markdown table to .*x\.md: the folder .* does not exist/,
  },
  {
    what: 'compare: --markdown onto a folder',
    argv: ['compare', base, cur, '--markdown', dir],
    cause: /cannot write the Markdown table to .*: it is a folder/,
  },
  // 3. results files of the wrong shape
  {
    what: 'results: environment null',
    argv: ['report', file('en.json', JSON.stringify({ ...RUN, environment: null }))],
    cause: /en\.json: environment: .*received null/,
  },
  {
    what: 'results: scenarios an object',
    argv: ['report', file('so.json', JSON.stringify({ ...RUN, scenarios: {} }))],
    cause: /so\.json: "scenarios" is object, not a list/,
  },
  {
    what: 'results: a sample of the wrong shape',
    argv: [
      'report',
      file(
        'ws.json',
        JSON.stringify({
          ...synthetic(5, 1),
          scenarios: [{ ...synthetic(5, 1).scenarios[0], samples: [{ state: 'completed' }] }],
        }),
      ),
    ],
    cause: /ws\.json: scenarios\[0\]\.samples\[0\]/,
  },
  {
    what: 'results: a null line in a samples file',
    argv: ['report', jsonl('nl.samples.jsonl', HEADER, 'null')],
    cause: /nl\.samples\.jsonl: line 2: expected a record, got null/,
  },
  {
    what: 'results: a scenario with no variants',
    argv: ['report', jsonl('nv.samples.jsonl', HEADER, scenarioLine)],
    cause: /nv\.samples\.jsonl: line 2: variants: .*>=1/,
  },
  {
    what: 'results: a samples file from a newer nsbench',
    argv: ['report', jsonl('nw.samples.jsonl', { ...HEADER, schemaVersion: 9 })],
    cause: /nw\.samples\.jsonl has results schema version 9, this nsbench reads 1/,
  },
  {
    what: 'results: a JSON file from a newer nsbench',
    argv: ['compare', base, file('nw.json', JSON.stringify({ ...RUN, schemaVersion: 2 }))],
    cause: /nw\.json has results schema version 2/,
  },
  {
    what: 'results: a file too big to read at once',
    argv: [
      'report',
      (() => {
        const p = file('big.json', '');
        spawnSync('truncate', ['-s', '300M', p]);
        return p;
      })(),
    ],
    cause: /big\.json is 300 MB, more than nsbench reads at once \(256 MB\)/,
  },
  { what: 'results: a folder', argv: ['report', dir], cause: /is a folder|not a file/ },
  // 4. outputs
  {
    what: 'output: run -o onto a file',
    argv: ['run', '-q', '--ns', 'bare', '-r', '1', 'boot', '-o', aFile],
    cause: /cannot write results to .*a-file: it is a file, not a folder/,
  },
  {
    what: 'output: report -o under a file',
    argv: ['report', good, '-o', join(aFile, 'sub')],
    cause: /cannot write the report to .*a-file\/sub: a part of the path is a file, not a folder \(ENOTDIR\)/,
  },
  {
    what: 'output: export -o onto a folder',
    argv: ['export', '-f', 'bencher', base, '-o', dir],
    cause: /cannot write the export to .*: it is a folder — give a file name/,
  },
  {
    what: 'output: export -o into a missing folder',
    argv: ['export', '-f', 'bencher', base, '-o', join(dir, 'none', 'x.json')],
    cause: /cannot write the export to .*x\.json/,
  },
  {
    what: 'output: run -o on a read-only file system',
    argv: ['run', '-q', '--ns', 'bare', '-r', '1', 'boot', '-o', ro ?? '/'],
    cause: /the file system is read-only \(EROFS\) — pick a path on a writable file system/,
    skip: !ro && 'needs root to mount a read-only tmpfs',
  },
  {
    what: 'output: report -o on a read-only file system',
    argv: ['report', good, '-o', ro ?? '/'],
    cause: /cannot write the report to .*: the file system is read-only \(EROFS\)/,
    skip: !ro && 'needs root to mount a read-only tmpfs',
  },
  {
    what: 'output: export onto a read-only file system',
    argv: ['export', '-f', 'github-smaller', base, '-o', join(ro ?? '/', 'x.json')],
    cause: /cannot write the export to .*: the file system is read-only \(EROFS\)/,
    skip: !ro && 'needs root to mount a read-only tmpfs',
  },
  // 5. scenario files that never finish loading; the compiler's own cause and line
  {
    what: 'loading: a default export that never settles',
    argv: ['run', '-q', file('p1.ts', 'export default new Promise(() => {});\n')],
    cause: /p1\.ts did not finish loading within 10 s/,
  },
  {
    what: 'loading: an endless loop at import',
    argv: ['run', '-q', file('p2.ts', 'while (true) {}\nexport default {};\n')],
    cause: /p2\.ts did not finish loading within 10 s/,
  },
  {
    what: 'loading: a syntax error names its cause and line',
    argv: ['run', '-q', file('p3.ts', 'export default {\n  name: "x",\n  description: 1 +* 2,\n};\n')],
    cause: /p3\.ts could not be loaded: Unexpected "\*" \(line 3, column 18\)/,
  },
  {
    what: 'loading: a config that throws',
    argv: ['run', '-q', '--config', file('p4.ts', "throw new Error('boom');\nexport default {};\n")],
    cause: /p4\.ts.*boom/,
  },
  // 6. numbers: ranges checked where read, stated, the same everywhere
  {
    what: 'number: --seed 2^64',
    argv: ['run', '-q', '--seed', '18446744073709551616'],
    cause: /--seed <n>' argument '18446744073709551616' is invalid\. expected a whole number 0\.\.4294967295/,
  },
  {
    what: 'number: --seed 2^32',
    argv: ['run', '-q', '--seed', '4294967296'],
    cause: /expected a whole number 0\.\.4294967295/,
  },
  {
    what: 'number: config seed 2^32',
    argv: ['run', '-q', '--config', file('c3.ts', 'export default { seed: 4294967296 };')],
    cause: /seed: expected an integer 0\.\.4294967295, got 4294967296/,
  },
  {
    what: 'number: a memory limit beyond any machine',
    argv: [
      'run',
      '-q',
      sc('t7', ok('', "[{ id: 'm', ns: [], cgroup: { memory: { max: '99999999999999999999T' } } }]")),
    ],
    cause: /cgroup\.memory\.max: "99999999999999999999T" is more than any machine has/,
  },
  {
    what: 'number: -r 1e9',
    argv: ['run', '-q', '-r', '1000000000'],
    cause: /--rounds <n>' argument '1000000000' is invalid\. expected a whole number 1\.\.1000000/,
  },
  {
    what: 'number: a plan of more than an hour asks for --yes',
    argv: ['run', '-q', '-r', '200000', 'boot'],
    cause: /this plan takes at least 1\.\d hours .* — add --yes to run it anyway/,
  },
  { what: 'number: --gap-ms negative', argv: ['run', '-q', '--gap-ms', '-1'], cause: /--gap-ms/ },
  // 7. workload commands told apart
  {
    what: 'command: no such program',
    argv: ['run', '-q', sc('t8', ok('', undefined, "{ command: ['/nonexistent/prog'] }"))],
    cause: /workload\.command\[0\]: there is no program at \/nonexistent\/prog — check the path/,
  },
  {
    what: 'command: a folder',
    argv: ['run', '-q', sc('t9', ok('', undefined, "{ command: ['/tmp'] }"))],
    cause: /workload\.command\[0\]: \/tmp is a folder, not a program/,
  },
  {
    what: 'command: not executable',
    argv: ['run', '-q', sc('t10', ok('', undefined, `{ command: ['${noexec}'] }`))],
    cause: /is not executable \(mode 0644\) — chmod \+x/,
  },
  {
    what: 'command: a builtin typo lists the builtins',
    argv: ['run', '-q', sc('t11', ok('', undefined, "{ builtin: 'sleeep' }"))],
    cause: /workload\.builtin: not a workload name: "sleeep" \(known: noop, idle, /,
    skip: needsRootAndBuild,
  },
  // 12. small things
  { what: 'help of an unknown command', argv: ['help', 'nosuch'], cause: /unknown command 'nosuch'/ },
  {
    what: 'an unknown export format',
    argv: ['export', '-f', 'nope', base],
    cause: /unknown export format "nope" \(known: github-smaller, bencher\)/,
  },
];

/** Every file under `root` with its content hash: what a case was given must be there, unchanged, after it. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size < 2 ** 24)
        out.set(p, createHash('sha1').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

function nsbench(
  argv: string[],
  env?: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What is wrong with one answer, or nothing. */
function problems(r: { code: number | null; stderr: string }, code: number, cause: RegExp): string[] {
  // a case that measures before it fails (the full disk) may rightly say that outside load disturbed its rounds:
  // that warning is about the machine this test runs on, not about the bad input, and holds under any load
  const lines = r.stderr.split('\n').filter((l) => l.trim() && !/^warning: [^:]+: competing load disturbed /.test(l));
  return [
    r.code !== code && `exit ${r.code}, expected ${code}`,
    lines.length !== 1 && `${lines.length} lines on stderr`,
    !/^error: .+ — .+/.test(lines[0] ?? '') && 'not "error: <cause> — <fix>"',
    !cause.test(r.stderr) && `cause not named (${cause})`,
    /^\s+at /m.test(r.stderr) && 'a stack trace',
  ].filter((x): x is string => Boolean(x));
}

describe('held-out bad inputs (issue 15)', () => {
  test(`${CASES.length} cases across the classes: exact exit code, one line, cause and fix, no stack trace, nothing given lost`, async () => {
    assert.ok(CASES.length >= 40, `${CASES.length} cases`);
    const before = snapshot(dir);
    const failures: string[] = [];
    const skipped: string[] = [];
    for (const c of CASES) if (c.skip) skipped.push(`${c.what}: ${c.skip}`);
    const todo = CASES.filter((c) => !c.skip);
    // two at a time: the two cores of the machine, and the 10 s loading limits overlap
    const work = [...todo];
    await Promise.all(
      [0, 1].map(async () => {
        for (let c = work.shift(); c; c = work.shift()) {
          const r = await nsbench(c.argv, c.env);
          const p = problems(r, c.code ?? 2, c.cause);
          if (p.length)
            failures.push(
              `${c.what}: ${p.join(', ')}\n    stderr: ${r.stderr.trim().split('\n').join('\n            ')}`,
            );
        }
      }),
    );
    const afterwards = snapshot(dir);
    for (const [p, h] of before)
      if (afterwards.get(p) !== h) failures.push(`${p} was ${afterwards.has(p) ? 'changed' : 'removed'}`);
    for (const p of afterwards.keys()) if (!before.has(p) && p.endsWith('.tmp')) failures.push(`${p} left behind`);
    assert.deepEqual(failures, [], failures.join('\n'));
    if (skipped.length) console.log(`# skipped: ${skipped.join('; ')}`);
  });

  test('a CI gate on fewer comparisons than the baseline had warns and names what is missing', async () => {
    const r = await nsbench(['compare', base, fewer]);
    assert.ok(r.code === 0 || r.code === 1, `a verdict: ${r.code} ${r.stderr}`);
    assert.match(
      r.stderr,
      /^warning: 1 of the baseline's scenarios, variants or metrics are missing from .*fewer\.json, so not compared: synthetic\/v2$/m,
    );
    assert.match(r.stdout, /synthetic\/v2 is only in the baseline run/);
  });

  test('a UTF-8 BOM is read; the same run given twice to history is counted once', async () => {
    const bom = file('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(base)]));
    const out = join(dir, 'bom-rep');
    const r = await nsbench(['report', bom, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readdirSync(out).some((f) => f.endsWith('.html')));
    const h = await nsbench(['history', base, base, cur, '-o', join(dir, 'bom-history')]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stderr, /is run synthetic-1 again .*counted once/);
  });

  test('a closed stdout ends the program quietly (nsbench … | head -1)', () => {
    for (const cmd of [
      `node ${BIN} list | head -1`,
      `node ${BIN} export -f bencher ${base} | head -c 10`,
      `node ${BIN} --help | head -1`,
    ]) {
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { encoding: 'utf8', cwd: PROJECT_ROOT });
      assert.equal(r.status, 0, `${cmd}: exit ${r.status}: ${r.stderr}`);
      assert.equal(r.stderr, '', `${cmd}: nothing on stderr`);
      assert.ok(r.stdout.length > 0);
    }
  });

  test('TERM=dumb and NO_COLOR: no escape sequence on either stream', async () => {
    for (const env of [{ TERM: 'dumb' }, { NO_COLOR: '1' }] as Record<string, string>[]) {
      const r = await nsbench(['list'], env);
      assert.equal(r.code, 0);
      const e = await nsbench(['run', '-q', '--ns', 'dockr'], env);
      assert.equal(e.code, 2);
      assert.doesNotMatch(r.stdout + r.stderr + e.stderr, /\x1b\[/, `escapes under ${JSON.stringify(env)}`);
    }
  });

  test('--resume refuses what it cannot honour; a finished run has nothing left to resume', {
    skip: needsRootAndBuild,
  }, async () => {
    const out = join(dir, 'finished');
    const r = await nsbench(['run', '-q', '--no-report', '-r', '1', '-w', '0', '--ns', 'bare', 'boot', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const samples = join(out, readdirSync(out).find((f) => f.endsWith('.samples.jsonl')) as string);
    const json = samples.replace(/\.samples\.jsonl$/, '.json');
    const kept = snapshot(out);
    for (const [argv, cause] of [
      [['--seed', '3'], /--resume continues the run with its own seed .* — leave --seed out/],
      [['-o', join(dir, 'elsewhere')], /--resume continues the run with its own results folder .* — leave -o out/],
      [['-r', '5'], /--resume continues the run as it was asked for: .* — leave them out/],
      [[], /run .* finished \(.*\.json is complete\): there is nothing left to resume — report it/],
    ] as [string[], RegExp][]) {
      const x = await nsbench(['run', '-q', '--resume', samples, ...argv]);
      assert.deepEqual(problems(x, 2, cause), [], `--resume ${argv.join(' ')}: ${x.stderr}`);
    }
    assert.deepEqual(snapshot(out), kept, 'the finished run is untouched');
    assert.ok(existsSync(json));
  });

  test('a full disk mid-run: one line, exit 2, and it names where what was measured is', {
    skip: !full ? 'needs root to mount a small tmpfs' : needsRootAndBuild,
  }, async () => {
    const r = await nsbench(['run', '-q', '--no-report', '-r', '3', 'boot', '-o', full as string]);
    assert.deepEqual(
      problems(r, 2, /the disk is full \(ENOSPC\); what was measured is in .*\.samples\.jsonl/),
      [],
      r.stderr,
    );
    const samples = readdirSync(full as string).find((f) => f.endsWith('.samples.jsonl'));
    assert.ok(samples, 'the samples file stays');
    assert.ok(
      readFileSync(join(full as string, samples), 'utf8').includes('"type":"sample"'),
      'with the samples it could write',
    );
    assert.deepEqual(findLeftovers(), [], 'and nothing of the run is left on the machine');
  });
});

/** A v1 freezer (or v2 cgroup.freeze) of an nsb- cgroup that reads frozen, with its process count. */
function frozenGroup(): { path: string; procs: number } | null {
  for (const root of ['/sys/fs/cgroup/freezer', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    let runs: string[];
    try {
      runs = readdirSync(root).filter((d) => d.startsWith('nsb-'));
    } catch {
      // no such folder on this machine: nothing left there
      continue;
    }
    for (const run of runs)
      for (const g of readdirSync(join(root, run)).filter((d) => d.startsWith('nsb-'))) {
        const p = join(root, run, g);
        try {
          const frozen = existsSync(join(p, 'freezer.state'))
            ? readFileSync(join(p, 'freezer.state'), 'utf8').trim() === 'FROZEN'
            : /frozen 1/.test(readFileSync(join(p, 'cgroup.events'), 'utf8'));
          if (frozen)
            return { path: p, procs: readFileSync(join(p, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).length };
        } catch {
          // gone between the listing and the read
        }
      }
  }
  return null;
}

describe('held-out kill -9 moments and runs side by side (issue 15)', { skip: needsRootAndBuild }, () => {
  test('kill -9 while sandboxes are frozen: one `nsbench cleanup` exits 0 and leaves nothing', async () => {
    assert.deepEqual(findLeftovers(), [], 'a clean machine to start from');
    const out = join(dir, 'freeze');
    const child = spawn(process.execPath, [BIN, 'run', 'freeze', '-q', '--no-report', '-r', '3', '-o', out], {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
    });
    let hit: { path: string; procs: number } | null = null;
    for (const end = Date.now() + 60_000; !hit && Date.now() < end; ) {
      const g = frozenGroup();
      if (g && g.procs >= 10) hit = g;
      else await sleep(5);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(hit, 'the run froze a sandbox of 10 processes or more within a minute');
    assert.ok(
      findLeftovers().length > 0,
      `the killed run left its frozen sandboxes (${hit.path}, ${hit.procs} processes)`,
    );
    const r = spawnSync(process.execPath, [BIN, 'cleanup'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `one cleanup is enough: ${r.stdout}${r.stderr}`);
    assert.deepEqual(findLeftovers(), [], 'nothing of the run is left');
    const hogs = processTable().filter((p) => p.comm === 'hog' && p.state !== 'Z');
    assert.deepEqual(hogs, [], 'no sandbox process is left, frozen or not');
  });

  test('a run beside a live one: neither blames the other, `cleanup` leaves the live run alone, `--force` names it', async () => {
    assert.deepEqual(findLeftovers(), [], 'a clean machine to start from');
    const out = join(dir, 'live');
    // the long run holds cgroups: a variant with a memory limit keeps its run's cgroup folders for the whole scenario
    const scenario = sc(
      'live',
      "{ name: 'live', description: 'x', workload: { builtin: 'noop' }, variants: [{ id: 'bare', ns: [] }, { id: 'capped', ns: ['pid'], cgroup: { memory: { max: '64M' } } }], rounds: 100000, warmup: 0 }",
    );
    const long = spawn(process.execPath, [BIN, 'run', scenario, '-q', '--no-report', '--yes', '-o', out], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let longErr = '';
    long.stderr.on('data', (d) => (longErr += d));
    try {
      const end = Date.now() + 30_000;
      while (Date.now() < end && !findLeftovers().some((l) => l.kind === 'cgroup')) await sleep(50);
      const held = findLeftovers().map((l) => `${l.kind} ${l.id}`);
      assert.ok(held.length > 0, 'the live run holds objects');
      // a small run beside it: the live run's objects are not its leaks, and it says a run is beside it
      const small = await nsbench([
        'run',
        '-q',
        '--no-report',
        '-r',
        '2',
        '-w',
        '0',
        '--ns',
        'bare',
        'boot',
        '-o',
        join(dir, 'small'),
      ]);
      assert.equal(small.code, 0, small.stderr);
      assert.doesNotMatch(small.stderr, /left .* nsb- object|earlier runs/, 'no blame for the live run');
      assert.match(small.stderr, /note: run \S+ \(pid \d+\) is running beside this one/);
      const json = JSON.parse(
        readFileSync(
          join(
            dir,
            'small',
            readdirSync(join(dir, 'small')).find((f) => f.endsWith('.json') && !f.includes('samples')) as string,
          ),
          'utf8',
        ),
      );
      assert.equal(json.environment.leaks, undefined);
      // cleanup: the live run's objects stay, and it is named
      const c = await nsbench(['cleanup']);
      assert.equal(c.code, 0, c.stderr);
      assert.match(
        c.stdout,
        new RegExp(
          `run \\S+ \\(pid ${long.pid},.*is alive and holds \\d+ object\\(s\\): left alone \\(\`nsbench cleanup --force\` removes them`,
        ),
      );
      // the run's own roots (its cgroup folders, its trace instance) live as long as it does; a launch's own cgroup
      // comes and goes
      const roots = held.filter((h) => /\/nsb-\d{8}-\d{6}-[0-9a-f]{4}(-\d+)?$/.test(h));
      assert.ok(roots.length > 0, `the live run's roots: ${held.join(', ')}`);
      const now = new Set(findLeftovers().map((l) => `${l.kind} ${l.id}`));
      assert.deepEqual(
        roots.filter((h) => !now.has(h)),
        [],
        'every root of the live run is still there',
      );
      assert.equal(long.exitCode, null, 'the live run still runs');
      const d = await nsbench(['cleanup', '--force', '--dry-run']);
      assert.equal(d.code, 0);
      assert.match(
        d.stdout,
        new RegExp(`pid ${long.pid},.*is alive and holds \\d+ object\\(s\\): --force removes them too`),
      );
      assert.match(d.stdout, /\d+ leftovers \(dry run: nothing removed\)/);
    } finally {
      long.kill('SIGINT');
      await new Promise((r) => long.once('exit', r));
    }
    assert.doesNotMatch(longErr, /left .* nsb- object/, `the live run ends clean: ${longErr}`);
    assert.deepEqual(findLeftovers(), [], 'it removed its own objects');
  });
});

describe('a report of 5 000 variants (issue 15)', () => {
  test('HTML and Markdown render: charts aggregated, the tables complete', async () => {
    const run = syntheticRun(7, { variants: 5000, n: 2, mu: 1e6, cv: 0.1 });
    for (const s of run.scenarios) finalizeScenario(s, {});
    const f = file('v5000.json', JSON.stringify(run));
    const out = join(dir, 'v5000');
    const r = await nsbench(['report', f, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(out, 'synthetic-7.html'), 'utf8');
    const md = readFileSync(join(out, 'synthetic-7.md'), 'utf8');
    for (let i = 0; i < 5000; i += 499) assert.ok(html.includes(`<td>v${i}</td>`), `v${i} in the HTML table`);
    assert.ok(html.includes('<td>v4999</td>'));
    assert.ok(
      /40 of 5000 variants: the baseline and those with the highest and lowest ratio; every variant is in the table/.test(
        html,
      ),
      'the per-variant charts show 40',
    );
    assert.ok(/ratio to baseline of all 4999 variants/.test(html), 'the histogram bins every variant');
    assert.ok(/fewer than 10 measured samples for all 5000 variants/.test(html), 'a warning stays one readable line');
    assert.ok((html.match(/<svg/g) ?? []).length >= 2, 'the charts are there');
    assert.ok(md.includes('v4999'), 'the Markdown table is complete');
  });
});
