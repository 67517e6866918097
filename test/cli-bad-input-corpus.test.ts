// A corpus of bad inputs — configs, scenarios, command-line flags, results
// files — each answered with one line naming the cause and the fix
// ("error: <cause> — <fix>"), exit code 2, and no stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { tempDir } from './helpers/env.ts';

const BIN = join(PROJECT_ROOT, 'bin/nsbench.js');
const dir = tempDir('nsb-test-bad-');
mkdirSync(dir, { recursive: true });
const file = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
const scenario = (name: string, body: string) => file(`${name}.ts`, `export default ${body};\n`);
const okScenario = (extra: string, variants = "[{ id: 'bare', ns: [] }]") =>
  `{ name: 'bad', description: 'x', workload: { builtin: 'noop' }, variants: ${variants}${extra} }`;
const results = (name: string, body: string) => file(name, body);
/** A samples file's first line as nsbench writes it. */
const HEADER = JSON.stringify({
  type: 'run',
  schema: 'nsbench.results',
  schemaVersion: 1,
  runId: 'x',
  startedAt: '2026-12-01T00:00:00Z',
  seed: 1,
  tool: { name: 'nsbench', version: '0', commit: null },
  environment: {},
});
const goodRun = JSON.stringify({
  schema: 'nsbench.results',
  schemaVersion: 1,
  runId: 'r',
  status: 'complete',
  startedAt: '',
  finishedAt: '',
  tool: { name: 'nsbench', version: '0', commit: null },
  environment: {},
  scenarios: [],
});

/** [what, argv, the cause the line must name] */
const CORPUS: [string, string[], RegExp][] = [
  // configs
  [
    'config: negative rounds',
    ['run', '-q', '--config', file('c1.ts', 'export default { rounds: -3 };')],
    /rounds: expected an integer 1\.\.1000000, got -3/,
  ],
  [
    'config: scenarios not a list',
    ['run', '-q', '--config', file('c2.ts', "export default { scenarios: 'boot' };")],
    /scenarios/,
  ],
  [
    'config: unknown scenario',
    ['run', '-q', '--config', file('c3.ts', "export default { scenarios: ['nope'] };")],
    /unknown scenario "nope"/,
  ],
  ['config: zero timeout', ['run', '-q', '--config', file('c4.ts', 'export default { timeoutMs: 0 };')], /timeoutMs/],
  ['config: not an object', ['run', '-q', '--config', file('c5.ts', 'export default 42;')], /c5\.ts/],
  ['config: syntax error', ['run', '-q', '--config', file('c6.ts', 'export default { rounds: ')], /c6\.ts/],
  ['config: missing file', ['run', '-q', '--config', join(dir, 'none.ts')], /none\.ts/],
  [
    'config: compare threshold not a number',
    ['run', '-q', '--config', file('c8.ts', "export default { compare: { thresholdPct: 'x' } };")],
    /thresholdPct/,
  ],
  // scenarios
  [
    'scenario: unknown namespace',
    ['run', '-q', scenario('s1', okScenario('', "[{ ns: [] }, { ns: ['pid', 'nett'] }]"))],
    /s1\.ts: variants\[1\]\.ns\[1\]: unknown namespace "nett" \(did you mean "net"\? known: user, pid, mnt, net, ipc, uts, cgroup, time\)/,
  ],
  ['scenario: syntax error', ['run', '-q', file('s2.ts', 'export default { name: ')], /s2\.ts could not be loaded/],
  [
    'scenario: relative command',
    [
      'run',
      '-q',
      scenario('s3', "{ name: 'bad', description: 'x', workload: { command: ['true'] }, variants: [{ ns: [] }] }"),
    ],
    /workload\.command\[0\]: "true" is not an absolute path/,
  ],
  [
    'scenario: no name',
    ['run', '-q', scenario('s4', "{ description: 'x', workload: { builtin: 'noop' }, variants: [{ ns: [] }] }")],
    /s4\.ts: name: expected a lower-case name/,
  ],
  [
    'scenario: no variants',
    ['run', '-q', scenario('s5', okScenario('', '[]'))],
    /s5\.ts: variants: expected a non-empty array/,
  ],
  [
    'scenario: duplicate variant',
    ['run', '-q', scenario('s6', okScenario('', "[{ id: 'a', ns: [] }, { id: 'a', ns: ['pid'] }]"))],
    /variants\[1\]\.id: duplicate variant id "a"/,
  ],
  [
    'scenario: unknown baseline',
    ['run', '-q', scenario('s7', okScenario(", baseline: 'nope'"))],
    /baseline: no variant with id "nope"/,
  ],
  [
    'scenario: unknown kind',
    ['run', '-q', scenario('s8', okScenario(", kind: 'speed'"))],
    /kind: expected one of "launch".*got "speed"/,
  ],
  [
    'scenario: freeze without target',
    ['run', '-q', scenario('s9', okScenario(", kind: 'freeze'"))],
    /variants\[0\]\.freeze: a freeze scenario needs/,
  ],
  [
    'scenario: density without a limit',
    ['run', '-q', scenario('s10', okScenario(", kind: 'density'"))],
    /variants\[0\]\.density: a density scenario needs density: \{ target \}.*refuses to ramp without a limit/,
  ],
  [
    'scenario: network without net',
    ['run', '-q', scenario('s11', okScenario(", kind: 'network'"))],
    /variants\[0\]\.net: a network scenario needs/,
  ],
  [
    'scenario: userMap without user',
    ['run', '-q', scenario('s12', okScenario('', "[{ id: 'u', ns: ['pid'], userMap: { uid: 1, gid: 1 } }]"))],
    /variants\[0\]\.userMap: a uid map needs the user namespace/,
  ],
  [
    'scenario: tmpfs without mnt',
    ['run', '-q', scenario('s13', okScenario('', "[{ id: 't', ns: ['pid'], tmpfs: '/dev/shm' }]"))],
    /variants\[0\]\.tmpfs: a tmpfs of its own needs the mount namespace/,
  ],
  [
    'scenario: unknown tool',
    [
      'run',
      '-q',
      scenario(
        's14',
        "{ name: 'bad', description: 'x', workload: { tool: 'stress', args: [] }, variants: [{ ns: [] }] }",
      ),
    ],
    /workload\.tool: no adapter for "stress"/,
  ],
  [
    'scenario: fork storm without pids.max',
    [
      'run',
      '-q',
      scenario(
        's15',
        okScenario(
          ", kind: 'interference'",
          "[{ id: 'a', ns: [] }, { id: 'b', ns: [], antagonist: { workload: { builtin: 'hog', args: ['forkstorm', '100'] } } }]",
        ),
      ),
    ],
    /variants\[1\]\.antagonist\.cgroup\.pids\.max: a fork storm needs pids\.max/,
  ],
  [
    'scenario: antagonist in a launch scenario',
    [
      'run',
      '-q',
      scenario(
        's16',
        okScenario('', "[{ id: 'a', ns: [] }, { id: 'b', ns: [], antagonist: { workload: { builtin: 'idle' } } }]"),
      ),
    ],
    /variants\[1\]\.antagonist: only an interference scenario runs antagonists/,
  ],
  [
    'scenario: bad memory size',
    ['run', '-q', scenario('s17', okScenario('', "[{ id: 'm', ns: [], cgroup: { memory: { max: 'lots' } } }]"))],
    /variants\[0\]\.cgroup\.memory\.max/,
  ],
  [
    'scenario: isolation without the probe',
    ['run', '-q', scenario('s18', okScenario(", kind: 'isolation'"))],
    /workload: an isolation scenario runs the probe/,
  ],
  [
    'scenario: no default export',
    ['run', '-q', file('s19.ts', 'export const x = 1;\n')],
    /s19\.ts: does not export a scenario/,
  ],
  [
    'scenario: unknown engine',
    ['run', '-q', scenario('s20', okScenario('', "[{ id: 'e', ns: [], engine: 'docker' }]"))],
    /variants\[0\]\.engine: unknown engine "docker"/,
  ],
  // command line
  ['flag: unknown option', ['run', '--nett'], /unknown option '--nett'/],
  ['flag: rounds not a number', ['run', '--rounds', 'many'], /--rounds <n>' argument 'many' is invalid/],
  ['flag: unknown namespace in --ns', ['run', '-q', '--ns', 'user,nett'], /unknown namespace "nett"/],
  ['flag: unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  [
    "flag: a scenario read as --kernel-trace's value",
    ['run', '-q', '--kernel-trace', 'boot'],
    /"boot" after --kernel-trace is read as its value: name the scenarios first, or write --kernel-trace on/,
  ],
  [
    'flag: --kernel-trace of no launch scenario',
    ['run', '-q', 'freeze', '--kernel-trace'],
    /--kernel-trace: none of freeze is a launch scenario/,
  ],
  [
    'scenario: kernelTrace of the wrong shape',
    ['run', '-q', scenario('s21', okScenario(", kernelTrace: 'all'"))],
    /s21\.ts: kernelTrace: expected true, false or \{ functions\?: boolean, footprint\?: boolean \}/,
  ],
  ['flag: zero timeout', ['run', '--timeout-ms', '0'], /--timeout-ms <ms>' argument '0' is invalid/],
  ['flag: unknown scenario', ['run', '-q', 'no-such-scenario'], /unknown scenario "no-such-scenario"/],
  [
    'flag: --resume of a JSON file',
    ['run', '-q', '--resume', results('r.json', goodRun)],
    /--resume .*expected the samples file of a run/,
  ],
  [
    'flag: compare threshold not a number',
    ['compare', 'a.json', 'b.json', '--threshold', 'abc'],
    /--threshold <pct>' argument 'abc' is invalid/,
  ],
  // results files
  [
    'results: corrupt JSON',
    ['report', results('r1.json', '{"schema": "nsbench.results", "schemaVersion": 1, "scen')],
    /r1\.json is not valid JSON \(corrupt or truncated\)/,
  ],
  [
    'results: another schema version',
    ['report', results('r2.json', goodRun.replace('"schemaVersion":1', '"schemaVersion":7'))],
    /r2\.json has results schema version 7, this nsbench reads 1/,
  ],
  [
    'results: another tool',
    ['report', results('r3.json', '{"benchmarks": []}')],
    /r3\.json is not an nsbench results file/,
  ],
  [
    'results: missing file',
    ['compare', join(dir, 'gone.json'), results('r4.json', goodRun)],
    /cannot read results file .*gone\.json: no such file \(ENOENT\)/,
  ],
  ['results: empty file', ['report', results('r5.json', '')], /r5\.json is not valid JSON/],
  [
    'results: samples file corrupt in the middle',
    ['report', results('r6.samples.jsonl', `${HEADER}\n{"type":"sample",\n{"type":"sample"}\n`)],
    /r6\.samples\.jsonl: line 2 is not valid JSON \(the file is corrupt\)/,
  ],
  [
    'results: samples file of another tool',
    ['report', results('r7.samples.jsonl', '{"hello":1}\n')],
    /r7\.samples\.jsonl is not an nsbench samples file/,
  ],
  [
    'results: scenarios missing',
    ['report', results('r8.json', goodRun.replace(',"scenarios":[]', ''))],
    /r8\.json: "scenarios" is missing/,
  ],
];

test(`a corpus of ${CORPUS.length} bad inputs: one line each, cause and fix, exit 2, no stack trace`, () => {
  assert.ok(CORPUS.length >= 30);
  const failures: string[] = [];
  for (const [what, argv, cause] of CORPUS) {
    const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 60_000 });
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    const problems = [
      r.status !== 2 && `exit ${r.status}`,
      lines.length !== 1 && `${lines.length} lines on stderr`,
      !/^error: .+ — .+/.test(lines[0] ?? '') && 'not "error: <cause> — <fix>"',
      !cause.test(r.stderr) && `cause not named (${cause})`,
      /^\s+at /m.test(r.stderr) && 'a stack trace',
    ].filter(Boolean);
    if (problems.length)
      failures.push(
        `${what}: ${problems.join(', ')}\n    stderr: ${r.stderr.trim().split('\n').join('\n            ')}`,
      );
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});
