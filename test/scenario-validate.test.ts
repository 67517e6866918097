import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../src/config/index.ts';
import { loadScenario, validateScenario } from '../src/scenario/index.ts';

const ok = {
  name: 'x',
  description: 'd',
  workload: { builtin: 'noop' },
  variants: [{ ns: [] }, { ns: ['pid', 'net'] }],
};

test('a valid scenario gets ids and defaults', () => {
  const s = validateScenario(ok, 'scenarios/x.ts');
  assert.deepEqual(
    s.variants.map((v) => v.id),
    ['bare', 'pid+net'],
  );
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
    [
      { ...ok, workload: { tool: 'iperf' } },
      /workload\.tool: no adapter for "iperf" \(did you mean "iperf3"\? known: sysbench, stress-ng, fio, iperf3\)/,
    ],
    [{ ...ok, workload: { builtin: 'no op' } }, /workload\.builtin: not a workload name/],
    [{ ...ok, workload: { command: [] } }, /workload\.command: expected a non-empty array/],
    [{ ...ok, variants: [] }, /variants: expected a non-empty array/],
    [
      { ...ok, variants: [{ ns: [] }, { ns: ['pid'] }, { ns: ['ipc'] }, { ns: ['nett'] }] },
      /variants\[3\]\.ns\[0\]: unknown namespace "nett" \(did you mean "net"\? known: user, pid, mnt, net, ipc, uts, cgroup, time\)/,
    ],
    [{ ...ok, variants: [{ ns: [] }, { ns: [] }] }, /variants\[1\]\.id: duplicate variant id "bare"/],
    [
      { ...ok, variants: [{ ns: ['pid'], userMap: { uid: 1, gid: 1 } }] },
      /variants\[0\]\.userMap: a uid map needs the user namespace/,
    ],
    [{ ...ok, rounds: 0 }, /rounds: expected an integer 1\.\.1000000, got 0/],
    [{ ...ok, warmup: 1.5 }, /warmup: expected an integer 0\.\.1000000/],
    [{ ...ok, baseline: 'nope' }, /baseline: no variant with id "nope"/],
    [{ ...ok, params: { a: {} } }, /params\.a: expected an object of strings/],
    [{ ...ok, pace: 'quiet' }, /pace: expected one of "interleaved", "quiesced", "back-to-back", got "quiet"/],
    [
      { ...ok, kind: 'density', variants: [{ ns: [], density: { target: 5 } }], pace: 'quiesced' },
      /pace: only launch scenarios can be paced quiesced \(this one is "density"\)/,
    ],
    [{ ...ok, gapMs: -1 }, /gapMs: expected 0\.\.60000 ms, got -1/],
    [{ ...ok, burst: 10 }, /burst: burst is the length of a back-to-back burst/],
    [{ ...ok, pace: 'back-to-back', burst: 0 }, /burst: expected an integer 1\.\.999, got 0/],
    [{ ...ok, quiesceTimeoutMs: 500 }, /quiesceTimeoutMs: quiesceTimeoutMs bounds the wait of quiesced pacing/],
    [{ ...ok, variants: [{ ns: ['net'], setup: 'no' }] }, /variants\[0\]\.setup: expected true or false, got "no"/],
    [
      { ...ok, variants: [{ ns: ['mnt'], setup: false, tmpfs: '/dev/shm' }] },
      /variants\[0\]\.tmpfs: a tmpfs of its own is part of the in-sandbox setup/,
    ],
    [{ ...ok, kernelWork: 'yes' }, /kernelWork: expected true or false/],
  ];
  for (const [def, re] of bad) assert.throws(() => validateScenario(def, 'scenarios/x.ts'), re, JSON.stringify(def));
});

test('pacing is kept as written, with its defaults where the runner fills them', () => {
  const s = validateScenario({ ...ok, pace: 'back-to-back', burst: 5, gapMs: 2 }, 'scenarios/x.ts');
  assert.deepEqual(
    [s.pace, s.burst, s.gapMs, s.kernelWork],
    ['back-to-back', 5, 2, undefined],
    'kernel work: the runner decides (traced only when asked for)',
  );
  const q = validateScenario(
    { ...ok, pace: 'quiesced', quiesceTimeoutMs: 500, kernelWork: false, variants: [{ ns: ['net'], setup: false }] },
    'scenarios/x.ts',
  );
  assert.deepEqual([q.pace, q.quiesceTimeoutMs, q.kernelWork, q.variants[0]?.setup], ['quiesced', 500, false, false]);
  assert.equal(validateScenario(ok, 'scenarios/x.ts').pace, undefined, 'interleaved unless asked');
});

test('config: defaults, and malformed fields named', () => {
  const c = validateConfig({}, 'bench.config.ts');
  assert.deepEqual(c.scenarios, ['boot']);
  assert.equal(c.rounds, 30);
  assert.throws(
    () => validateConfig({ rounds: 0 }, 'bench.config.ts'),
    /bench\.config\.ts: rounds: expected an integer 1\.\.1000000, got 0/,
  );
  assert.throws(
    () => validateConfig({ scenario: ['boot'] }, 'bench.config.ts'),
    (e: Error & { fix?: string }) =>
      e.message === 'bench.config.ts: scenario: unknown key' && e.fix === 'did you mean "scenarios"?',
  );
  assert.throws(
    () => validateConfig({ seed: 2 ** 32 }, 'c.ts'),
    /c\.ts: seed: expected an integer 0\.\.4294967295, got 4294967296/,
  );
  assert.throws(
    () => validateConfig({ compare: { thresholds: { bootNS: 10 } } }, 'c.ts'),
    /c\.ts: compare\.thresholds\.bootNS: no metric "bootNS" \(did you mean "bootNs"\?\)/,
  );
  assert.deepEqual(
    validateConfig({ compare: { thresholds: { bootNs: 10, 'workload.elapsedNs': 3 } } }, 'c.ts').compare.thresholds,
    { bootNs: 10, 'workload.elapsedNs': 3 },
  );
  assert.throws(() => validateConfig({ scenarios: [] }, 'bench.config.ts'), /scenarios: expected a non-empty array/);
  assert.throws(() => validateConfig([], 'bench.config.ts'), /does not export a config/);
});

test('the shipped boot scenario loads and covers bare, each alone and all eight', async () => {
  const s = await loadScenario('boot');
  const ids = s.variants.map((v) => v.id);
  for (const id of ['bare', 'user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup', 'time', 'all'])
    assert.ok(ids.includes(id), id);
});
