// vfork-style creation (CLONE_VM | CLONE_VFORK on a stack of the launcher's own): it works with every namespace
// flag, the user namespace included (the child maps itself, and the maps are the launcher's own ids); a request that
// rules it out is made fork-style and says why; a child that fails before its exec is a failure like any other; and
// a run records the method per sample, per scenario and in the CSV, fork-style when asked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { builtinWorkload } from '../src/host/index.ts';
import { NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import { SandboxLauncher } from '../src/launcher/index.ts';
import { samplesCsv } from '../src/results/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild } from './helpers/env.ts';
import { runFixed } from './helpers/run.ts';

describe('vfork-style creation', { skip: needsRootAndBuild }, () => {
  let launcher: SandboxLauncher;
  let noop: string;
  before(() => {
    launcher = SandboxLauncher.start();
    noop = builtinWorkload('noop');
  });
  after(() => launcher.close());

  test('every namespace alone and all eight together, the user namespace mapped by the child itself', async () => {
    for (const ns of [[], ...NAMESPACES.map((n) => [n]), [...NAMESPACES]] as Namespace[][]) {
      const r = await launcher.run({ ns, path: noop, vfork: true, timeoutMs: 10_000 });
      const what = ns.join('+') || 'bare';
      assert.equal(r.state, 'exited', `${what}: ${r.error?.message ?? r.stderr}`);
      assert.equal(r.exitCode, 0, what);
      assert.equal(r.createMethod, 'vfork', what);
      const o = r.offsetsNs;
      assert.ok(
        o.cloneStart <= o.cloneDone && o.cloneDone <= o.exec && o.exec <= o.ready,
        `${what}: ${JSON.stringify(o)}`,
      );
      if (ns.includes('user')) assert.ok(o.mapsDone >= o.childStart, `${what}: the child wrote its maps`);
    }
  });

  test('inside, the user namespace maps root to the launcher’s own uid, as fork-style does', async () => {
    const maps = async (vfork: boolean) => {
      const r = await launcher.run({
        ns: ['user'],
        path: '/bin/cat',
        argv: ['cat', '/proc/self/uid_map', '/proc/self/gid_map', '/proc/self/setgroups'],
        vfork,
        timeoutMs: 10_000,
      });
      assert.equal(r.exitCode, 0, r.stderr);
      return r.stdout.replace(/\s+/g, ' ').trim();
    };
    assert.equal(await maps(true), await maps(false));
    assert.match(await maps(true), /^0 0 1 0 0 1 deny$/);
  });

  test('a user namespace mapped to another uid is made fork-style, and the result says why', async () => {
    const r = await launcher.run({ ns: ['user'], path: noop, vfork: true, userMap: { uid: 65534, gid: 65534 } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.createMethod, 'fork (vfork: maps to another id)');
    const plain = await launcher.run({ ns: ['user'], path: noop });
    assert.equal(plain.createMethod, 'fork', 'not asked: fork-style, no reason');
  });

  test('a child that fails before its exec: a setup failure with its errno, the launcher goes on', async () => {
    const r = await launcher.run({ ns: ['mnt'], path: '/nonexistent/nsb-program', vfork: true, timeoutMs: 10_000 });
    assert.equal(r.state, 'setup-failed');
    assert.equal(r.error?.code, 'ENOENT');
    const next = await launcher.run({ ns: [], path: noop, vfork: true });
    assert.equal(next.exitCode, 0, 'the launcher still launches');
  });

  test('a run records the method per sample, per scenario and in the CSV; one variant that cannot be made vfork-style makes its scenario fork-style throughout, and says why; --create fork is fork throughout', async () => {
    for (const [create, nobody] of [
      ['vfork', false],
      ['vfork', true],
      ['fork', false],
    ] as const) {
      const sc = validateScenario(
        {
          name: 'create',
          description: 'x',
          workload: { builtin: 'noop' },
          variants: [
            { id: 'bare', ns: [] },
            { id: 'user', ns: ['user'] },
            ...(nobody ? [{ id: 'nobody', ns: ['user'], userMap: { uid: 65534, gid: 65534 } }] : []),
          ],
        },
        'test/create.ts',
      );
      const { run, r } = await runFixed(sc, { rounds: 2, seed: 3, ...(create === 'fork' ? { create } : {}) });
      const made = nobody ? 'fork' : create;
      assert.equal(r?.create, made);
      if (nobody) assert.match(r?.createWhy ?? '', /nobody maps its user namespace to another uid/);
      else assert.equal(r?.createWhy, undefined);
      for (const s of r?.samples ?? []) {
        assert.equal(s.state, 'completed');
        assert.equal(s.conditions?.create, made, `${create}: ${s.variant}`);
      }
      const csv = samplesCsv(run).split('\n');
      const col = csv[0]?.split(',').indexOf('create') ?? -1;
      assert.ok(col > 0, 'the CSV has a create column');
      assert.ok(csv.slice(1).every((l) => !l || l.split(',')[col] === made));
    }
  });
});
