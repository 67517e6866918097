import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type FreezeTarget,
  isVariantOf,
  type NetTarget,
  recordedVariantSchema,
  recordVariant,
  type VariantOf,
} from '../src/results/index.ts';
import { listScenarioNames, loadScenario, type Scenario, validateScenario } from '../src/scenario/index.ts';

// The variant is declared once (results/variant.ts): the scenario format takes its schema, validation narrows it per
// kind (VariantOf<K>), the runner records it with recordVariant, and a results file reads it back with the same schema.

test('every variant of every built-in scenario is recorded and read back unchanged, with its baseline', async () => {
  let n = 0;
  for (const name of listScenarioNames()) {
    const sc = await loadScenario(name);
    for (const v of sc.variants) {
      const recorded = recordVariant(v, sc.baseline);
      assert.equal(recorded.baseline, v.baseline ?? sc.baseline);
      for (const [k, x] of Object.entries(v))
        if (x !== undefined) assert.deepEqual((recorded as Record<string, unknown>)[k], x, `${name}/${v.id}.${k}`);
      const back = recordedVariantSchema.parse(JSON.parse(JSON.stringify(recorded)));
      assert.deepEqual(back, recorded, `${name}/${v.id} reads back as recorded`);
      assert.ok(isVariantOf(sc.kind, v), `${name}/${v.id} is a ${sc.kind} variant`);
      n++;
    }
  }
  assert.ok(n > 50, `checked ${n} variants`);
});

test('a recorded variant naming a workload, tool or engine that no longer exists still reads', () => {
  const old = {
    id: 'x',
    label: 'x',
    ns: ['pid'],
    workload: { builtin: 'retired-workload', args: [] },
    engine: 'retired-engine',
    baseline: 'bare',
    futureKey: 1,
  };
  const back = recordedVariantSchema.parse(old);
  assert.deepEqual(back.workload, { builtin: 'retired-workload', args: [] });
  assert.equal(back.engine, 'retired-engine');
  assert.equal('futureKey' in back, false, 'unknown keys are dropped, as everywhere in the results');
});

test("a variant carrying another kind's target is refused, naming the field and the fix", () => {
  const base = { name: 'x', description: 'd', workload: { builtin: 'noop' } };
  const net = { topology: 'veth', test: 'rr' } as const;
  const freeze = { processes: 1, mode: 'sleep', freezer: 'v2' } as const;
  assert.throws(
    () => validateScenario({ ...base, variants: [{ ns: [], net }] }, 's.ts'),
    (e: Error & { fix?: string }) =>
      /^s\.ts: variants\[0\]\.net: only a network scenario's variants have net \(this one is "launch"\)$/.test(
        e.message,
      ) && e.fix === "set kind: 'network' or drop net",
  );
  assert.throws(
    () => validateScenario({ ...base, kind: 'network', variants: [{ ns: ['net'], net, freeze }] }, 's.ts'),
    /variants\[0\]\.freeze: only a freeze scenario's variants have freeze \(this one is "network"\)/,
  );
  assert.throws(
    () => validateScenario({ ...base, kind: 'freeze', variants: [{ ns: [] }] }, 's.ts'),
    /variants\[0\]\.freeze: a freeze scenario needs freeze/,
  );
});

test('the scenario is a discriminated union on its kind: a freeze scenario hands its procedure freeze variants', () => {
  const sc: Scenario = validateScenario(
    {
      name: 'x',
      description: 'd',
      kind: 'freeze',
      workload: { builtin: 'hog' },
      variants: [{ ns: ['pid'], freeze: { processes: 2, mode: 'busy', freezer: 'v1' } }],
    },
    's.ts',
  );
  assert.equal(sc.kind, 'freeze');
  if (sc.kind !== 'freeze') return;
  // no cast: the compiler knows the freeze target is there (npm test type-checks this file)
  const f: FreezeTarget = sc.variants[0]!.freeze;
  assert.deepEqual(f, { processes: 2, mode: 'busy', freezer: 'v1' });
  const launchVariant: VariantOf<'launch'> = { id: 'a', label: 'a', ns: [] };
  // @ts-expect-error a launch variant has no network target
  const _net: NetTarget = launchVariant.net;
  assert.equal(isVariantOf('launch', launchVariant), true);
  assert.equal(isVariantOf('network', launchVariant), false);
  assert.equal(isVariantOf('launch', { ...launchVariant, net: { topology: 'veth', test: 'rr' } }), false);
});

test('a results file written before the one variant type still reads, reports and compares (test/fixtures/results)', async () => {
  const { readResults } = await import('../src/results/index.ts');
  const { htmlReport, markdownSummary } = await import('../src/report/index.ts');
  const { compareRuns } = await import('../src/compare/index.ts');
  const file = new URL('./fixtures/results/before-one-variant-type.json', import.meta.url).pathname;
  const run = readResults(file);
  assert.equal(run.scenarios.length, 12, 'every scenario kind of the full bench');
  const freeze = run.scenarios.find((s) => s.kind === 'freeze');
  assert.deepEqual(
    freeze?.variants[0]?.freeze,
    { processes: 1, mode: 'sleep', freezer: 'v2' },
    "a freeze variant's target reads typed",
  );
  assert.ok(
    run.scenarios.find((s) => s.kind === 'network')?.variants.every((v) => v.net?.topology),
    'network variants keep their topology',
  );
  assert.ok(
    run.scenarios.find((s) => s.kind === 'interference')?.variants.some((v) => v.antagonist?.workload),
    'interference variants keep their antagonist',
  );
  const { html, charts } = await htmlReport(run);
  assert.ok(charts > 10 && html.includes('freeze') && html.includes('noisy-neighbour'), `${charts} charts`);
  assert.match(markdownSummary(run), /boot/);
  const c = compareRuns(run, run);
  assert.equal(c.exitCode, 0);
  assert.equal(c.regressions.length, 0);
  assert.ok(c.rows.length > 100, `${c.rows.length} comparisons`);
});
