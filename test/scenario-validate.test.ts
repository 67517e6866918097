import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../src/config/index.ts';
import { loadScenario, validateScenario } from '../src/scenario/index.ts';

const ok = { name: 'x', description: 'd', workload: { builtin: 'noop' }, variants: [{ ns: [] }, { ns: ['pid', 'net'] }] };

test('a valid scenario gets ids and defaults', () => {
  const s = validateScenario(ok, 'scenarios/x.ts');
  assert.deepEqual(s.variants.map((v) => v.id), ['bare', 'pid+net']);
  assert.equal(s.baseline, 'bare');
  assert.equal(s.hostname, 'nsb-sandbox');
  assert.equal(s.rounds, undefined);
});

test('each malformed field is named with the file and its path', () => {
  const bad: [unknown, RegExp][] = [
    [null, /scenarios\/x\.ts: does not export a scenario/],
    [{ ...ok, name: 'Bad Name' }, /scenarios\/x\.ts: name: expected a lower-case name/],
    [{ ...ok, description: 3 }, /description: expected a string/],
    [{ ...ok, workload: {} }, /workload: has neither "builtin", "tool" nor "command"/],
    [{ ...ok, workload: { tool: "iperf" } }, /workload\.tool: no adapter for "iperf" \(known: sysbench, stress-ng, fio, iperf3\)/],
    [{ ...ok, workload: { builtin: 'no op' } }, /workload\.builtin: not a workload name/],
    [{ ...ok, workload: { command: [] } }, /workload\.command: expected a non-empty array/],
    [{ ...ok, variants: [] }, /variants: expected a non-empty array/],
    [{ ...ok, variants: [{ ns: [] }, { ns: ['pid'] }, { ns: ['ipc'] }, { ns: ['nett'] }] }, /variants\[3\]\.ns\[0\]: unknown namespace "nett" \(known: user, pid, mnt, net, ipc, uts, cgroup, time\)/],
    [{ ...ok, variants: [{ ns: [] }, { ns: [] }] }, /variants\[1\]\.id: duplicate variant id "bare"/],
    [{ ...ok, variants: [{ ns: ['pid'], userMap: { uid: 1, gid: 1 } }] }, /variants\[0\]\.userMap: a uid map needs the user namespace/],
    [{ ...ok, rounds: 0 }, /rounds: expected an integer >= 1, got 0/],
    [{ ...ok, warmup: 1.5 }, /warmup: expected an integer >= 0/],
    [{ ...ok, baseline: 'nope' }, /baseline: no variant with id "nope"/],
    [{ ...ok, params: { a: {} } }, /params: expected an object of strings/],
  ];
  for (const [def, re] of bad) assert.throws(() => validateScenario(def, 'scenarios/x.ts'), re, JSON.stringify(def));
});

test('config: defaults, and malformed fields named', () => {
  const c = validateConfig({}, 'bench.config.ts');
  assert.deepEqual(c.scenarios, ['boot']);
  assert.equal(c.rounds, 30);
  assert.throws(() => validateConfig({ rounds: 0 }, 'bench.config.ts'), /bench\.config\.ts: rounds: expected an integer >= 1, got 0/);
  assert.throws(() => validateConfig({ scenario: ['boot'] }, 'bench.config.ts'), /unknown field "scenario"/);
  assert.throws(() => validateConfig({ scenarios: [] }, 'bench.config.ts'), /scenarios: expected a non-empty array/);
  assert.throws(() => validateConfig([], 'bench.config.ts'), /does not export a config/);
});

test('the shipped boot scenario loads and covers bare, each alone and all eight', async () => {
  const s = await loadScenario('boot');
  const ids = s.variants.map((v) => v.id);
  for (const id of ['bare', 'user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup', 'time', 'all']) assert.ok(ids.includes(id), id);
});
