// Bad input gets one clear line naming the cause and the fix, and a non-zero exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { tempDir } from './helpers/env.ts';

const BIN = join(PROJECT_ROOT, 'bin/nsbench.js');

function nsbench(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 120_000 });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    lines: r.stderr.split('\n').filter((l) => l.trim().length > 0),
  };
}

function scenarioFile(body: string): string {
  const dir = tempDir();
  const file = join(dir, 'bad.ts');
  writeFileSync(file, body);
  return file;
}

function assertOneErrorLine(r: ReturnType<typeof nsbench>, pattern: RegExp): void {
  assert.notEqual(r.code, 0, 'non-zero exit');
  assert.equal(r.lines.length, 1, `exactly one line on stderr, got:\n${r.stderr}`);
  assert.match(r.lines[0] as string, /^error: /);
  assert.match(r.lines[0] as string, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

describe('cli: bad input', () => {
  test('unknown namespace on the command line', () => {
    const r = nsbench(['run', '--ns', 'user,nett', '-q']);
    assertOneErrorLine(
      r,
      /unknown namespace "nett" \(did you mean "net"\? known: user, pid, mnt, net, ipc, uts, cgroup, time\) — /,
    );
    assert.equal(r.code, 2);
  });

  test('unknown scenario', () => {
    const r = nsbench(['run', 'no-such-scenario', '-q']);
    assertOneErrorLine(r, /unknown scenario "no-such-scenario" \(available: .*boot.*\) — run `nsbench list`/);
  });

  test('a scenario with an unknown namespace names the file and field', () => {
    const file = scenarioFile(
      `export default { name: 'bad', description: 'x', workload: { builtin: 'noop' }, variants: [{ ns: [] }, { ns: ['pid', 'nett'] }] };\n`,
    );
    const r = nsbench(['run', file, '-q']);
    assertOneErrorLine(r, /bad\.ts: variants\[1\]\.ns\[1\]: unknown namespace "nett"/);
  });

  test('a scenario that is not valid TypeScript', () => {
    const file = scenarioFile('export default { name: \n');
    const r = nsbench(['run', file, '-q']);
    assertOneErrorLine(r, /bad\.ts could not be loaded: .* — fix the scenario file/);
  });

  test('a scenario with a malformed field', () => {
    const file = scenarioFile(
      `export default { name: 'bad', description: 'x', workload: { command: ['true'] }, variants: [{ ns: [] }] };\n`,
    );
    const r = nsbench(['run', file, '-q']);
    assertOneErrorLine(r, /workload\.command\[0\]: "true" is not an absolute path/);
  });

  test('an unknown flag', () => {
    const r = nsbench(['run', '--nett']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: unknown option '--nett'/);
  });

  test('an unknown pace, a burst without back-to-back, --pace on scenarios that cannot be paced', () => {
    assertOneErrorLine(
      nsbench(['run', 'boot', '--pace', 'quiesed']),
      /--pace.*expected one of interleaved, quiesced, back-to-back \(did you mean "quiesced"\?\)/,
    );
    assertOneErrorLine(
      nsbench(['run', 'boot', '--burst', '5']),
      /--burst is the length of a back-to-back burst — add --pace back-to-back/,
    );
    assertOneErrorLine(
      nsbench(['run', 'freeze', '--pace', 'quiesced']),
      /--pace quiesced: none of freeze is a launch scenario/,
    );
    assertOneErrorLine(
      nsbench(['run', 'boot', '--placement', 'sometimes']),
      /--placement.*Allowed choices are one-cpu, spread, free/,
    );
  });

  test('a bad number', () => {
    const r = nsbench(['run', '--rounds', 'many']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /option '-r, --rounds <n>' argument 'many' is invalid\. expected a whole number 1\.\.1000000/,
    );
  });

  test('a malformed config file', () => {
    const file = scenarioFile(`export default { rounds: -3 };\n`);
    const r = nsbench(['run', '--config', file, '-q']);
    assertOneErrorLine(r, /rounds: expected an integer 1\.\.1000000, got -3/);
  });

  test('a corrupt results file given to report', () => {
    const file = scenarioFile('{"schema": "nsbench.results", "schemaVersion": 1, "scen');
    const r = nsbench(['report', file]);
    assertOneErrorLine(r, /is not valid JSON \(corrupt or truncated\) — use a results\/<run-id>\.json/);
    assert.equal(r.code, 2);
  });

  test('--help lists the commands and exits 0', () => {
    const r = nsbench(['--help']);
    assert.equal(r.code, 0);
    for (const cmd of ['run', 'compare', 'report', 'list', 'doctor'])
      assert.match(r.stdout, new RegExp(`\\n  ${cmd} `));
  });
});
