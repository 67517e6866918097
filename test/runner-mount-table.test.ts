// A crowded mount table: sandboxes created from a private mount namespace of nsbench's own holding 1 000 bind mounts
// pay for copying them when they get a mount namespace of their own (mnt at 1 000 mounts above mnt at 0, its CI above
// 1), the crowd's mounts never show on the host, and nothing of it is left after the run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { findLeftovers } from '../src/cleanup/index.ts';
import { mountTableVariants, nsSet, validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, processTable } from './helpers/env.ts';
import { runFixed } from './helpers/run.ts';

describe('a crowded mount table', () => {
  test('mounts is for launch scenarios of nsbench’s own launcher only', () => {
    const sc = (kind: string | undefined, extra: object) =>
      validateScenario(
        {
          name: 'x',
          description: 'x',
          ...(kind ? { kind } : {}),
          workload: { builtin: 'noop' },
          variants: [{ ns: ['mnt'], mounts: 10, ...extra }],
        },
        'test/x.ts',
      );
    assert.equal(sc(undefined, {}).variants[0]?.mounts, 10);
    assert.throws(() => sc('scaling', { scaling: { k: 1 } }), /variants\[0\]\.mounts: only a launch scenario/);
    assert.throws(() => sc(undefined, { engine: 'unshare' }), /an engine makes its own mount namespace/);
  });

  test('mnt costs more at 1 000 mounts than at 0, bare does not care, and nothing is left', {
    skip: needsRootAndBuild,
  }, async () => {
    const sc = validateScenario(
      {
        name: 'mount-table-test',
        description: 'x',
        workload: { builtin: 'noop' },
        variants: mountTableVariants({ sets: [nsSet('mnt')], counts: [0, 1000] }),
      },
      'test/mount-table-test.ts',
    );
    let crowdsSeen = 0;
    const watch = setInterval(() => {
      crowdsSeen = Math.max(crowdsSeen, processTable().filter((p) => p.comm === 'crowd').length);
      assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), /nsb-crowd/, 'the crowd mounts stay private');
    }, 100);
    let r: Awaited<ReturnType<typeof runFixed>>['r'];
    try {
      ({ r } = await runFixed(sc, { rounds: 10, warmup: 1, seed: 5 }));
    } finally {
      clearInterval(watch);
    }
    assert.equal(crowdsSeen, 2, 'one crowded namespace per mount count, held during the run');
    const m1000 = r.summary.find((v) => v.variant === 'mnt/m1000')?.metrics.bootNs;
    const m0 = r.summary.find((v) => v.variant === 'mnt/m0')?.metrics.bootNs;
    assert.ok(m0 && m1000?.ratioCI95, 'both measured, the ratio with its CI');
    assert.equal(r.summary.find((v) => v.variant === 'mnt/m1000')?.baseline, 'mnt/m0');
    assert.ok(
      m1000.median > m0.median && m1000.ratioCI95[0] > 1,
      `mnt at 1000 mounts ${m1000.median} ns vs ${m0.median} ns at 0 (ratio CI ${m1000.ratioCI95})`,
    );
    const clone = (id: string) => r.summary.find((v) => v.variant === id)?.metrics.cloneNs?.median ?? 0;
    assert.ok(clone('mnt/m1000') > clone('mnt/m0'), 'the copy lands in the clone');
    assert.deepEqual(
      processTable().filter((p) => p.comm === 'crowd' && p.state !== 'Z'),
      [],
    );
    assert.deepEqual(
      findLeftovers().map((l) => `${l.kind} ${l.id}`),
      [],
    );
  });
});
