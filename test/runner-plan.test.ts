// The planner (runner/plan.ts): a plan that would hold more namespaces of a kind at once than the kernel lets a user
// is refused before anything runs, with the limit named; where a scenario file's placement and --placement meet.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '../src/errors/index.ts';
import { checkNamespaceLimits, planScenarios } from '../src/runner/index.ts';
import { scenarioCreate } from '../src/runner/plan.ts';
import { validateScenario } from '../src/scenario/index.ts';

const plan = (
  o: Partial<Parameters<typeof planScenarios>[0]> & { scenarios: Parameters<typeof planScenarios>[0]['scenarios'] },
) => planScenarios({ defaultRounds: 3, defaultWarmup: 0, defaultTimeoutMs: 10_000, ...o });

test('a density ramp beyond user.max_<kind>_namespaces is refused with the limit named; within it, and other kinds, pass', () => {
  const density = validateScenario(
    {
      name: 'ramp',
      description: 'x',
      kind: 'density',
      workload: { builtin: 'idle' },
      variants: [{ id: 'net', ns: ['user', 'net'], density: { target: 300 } }],
    },
    'ramp.ts',
  );
  const boot = validateScenario(
    { name: 'boot', description: 'x', workload: { builtin: 'noop' }, variants: [{ id: 'net', ns: ['net'] }] },
    'boot.ts',
  );
  const plans = plan({ scenarios: [boot, density] });
  assert.throws(
    () => checkNamespaceLimits(plans, (k) => (k === 'net' ? 100 : 96_367)),
    (e: unknown) =>
      e instanceof UserError &&
      /ramp\/net: a ramp holds 300 net namespaces at once, more than user\.max_net_namespaces \(100\) allows/.test(
        e.message,
      ) &&
      /sysctl -w user\.max_net_namespaces=600/.test(e.fix),
  );
  assert.doesNotThrow(() => checkNamespaceLimits(plans, () => 300), 'exactly at the limit');
  assert.doesNotThrow(() => checkNamespaceLimits(plans, () => null), 'a limit this kernel does not have');
  assert.doesNotThrow(() => checkNamespaceLimits(plan({ scenarios: [boot] }), () => 0), 'launch scenarios hold none');
});

test("placement: the command line over the scenario file's, the file's over the default; other kinds are not placed", () => {
  const sc = validateScenario(
    {
      name: 'p',
      description: 'x',
      workload: { builtin: 'noop' },
      variants: [{ id: 'bare', ns: [] }],
      placement: 'spread',
    },
    'p.ts',
  );
  assert.equal(plan({ scenarios: [sc] })[0]?.placement, 'spread');
  assert.equal(plan({ scenarios: [sc], placement: 'free' })[0]?.placement, 'free');
  const plain = validateScenario(
    { name: 'q', description: 'x', workload: { builtin: 'noop' }, variants: [{ id: 'bare', ns: [] }] },
    'q.ts',
  );
  assert.equal(plan({ scenarios: [plain] })[0]?.placement, 'auto');
  assert.throws(
    () =>
      validateScenario(
        {
          name: 'f',
          description: 'x',
          kind: 'freeze',
          workload: { builtin: 'hog', args: ['procs', '1', 'busy'] },
          variants: [{ id: 'v2', ns: ['pid'], freeze: { freezer: 'v2', processes: 1, mode: 'busy' } }],
          placement: 'one-cpu',
        },
        'f.ts',
      ),
    /only launch scenarios are placed on CPUs/,
  );
});

describe('how a scenario’s sandboxes are made', () => {
  const plan = (variants: object[], kind?: string) => {
    const sc = validateScenario(
      {
        name: 'c',
        description: 'x',
        ...(kind ? { kind } : {}),
        workload: { builtin: 'noop' },
        variants,
      },
      'test/c.ts',
    );
    return { sc, variants: sc.variants, create: 'vfork' as const };
  };
  const me = { uid: 0, gid: 0 };
  test('vfork-style where every variant can be made so', () => {
    assert.deepEqual(
      scenarioCreate(plan([{ ns: [] }, { ns: ['user'] }]), () => false, me),
      { create: 'vfork', why: null },
    );
    assert.deepEqual(
      scenarioCreate(plan([{ ns: ['user'], userMap: { uid: 0, gid: 0 } }]), () => false, me).create,
      'vfork',
    );
    assert.equal(
      scenarioCreate(plan([{ ns: [], cgroup: {} }]), () => false, me).create,
      'vfork',
      'v2: CLONE_INTO_CGROUP',
    );
  });
  test('fork-style throughout where one variant needs the launcher between clone and exec, and why', () => {
    const nobody = scenarioCreate(
      plan([{ ns: [] }, { id: 'n', ns: ['user'], userMap: { uid: 65534, gid: 65534 } }]),
      () => false,
      me,
    );
    assert.equal(nobody.create, 'fork');
    assert.match(nobody.why ?? '', /n maps its user namespace to another uid/);
    const v1 = scenarioCreate(plan([{ ns: [] }, { id: 'own', ns: [], cgroup: {} }]), () => true, me);
    assert.equal(v1.create, 'fork');
    assert.match(v1.why ?? '', /own is placed in its cgroup by cgroup\.procs writes/);
  });
  test('kinds that compare no creation keep what was asked', () => {
    const p = plan([{ ns: ['pid'], cgroup: {}, freeze: { processes: 1, mode: 'sleep', freezer: 'v1' } }], 'freeze');
    assert.equal(scenarioCreate(p, () => true, me).create, 'vfork');
  });
});
