// Pacing as a recorded choice, for real: quiesced waits for the kernel's
// teardown of the last sandbox (and attributes it), back-to-back runs bursts in
// the launcher, interleaved records its order, the gap is kept, and the
// in-sandbox setup is a cost of its own that a variant can skip.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { median } from 'simple-statistics';
import { tracefsUnavailable } from '../src/host/index.ts';
import { isMeasured, type Sample } from '../src/results/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const launchScenario = (extra: Record<string, unknown>, variants: Record<string, unknown>[]) =>
  validateScenario(
    { name: 'pacing', description: 'pacing', workload: { builtin: 'noop' }, variants, ...extra },
    'test/pacing.ts',
  );
const run = async (sc: ReturnType<typeof launchScenario>, rounds: number) =>
  (
    await runBenchmark({
      scenarios: [sc],
      defaultRounds: rounds,
      defaultWarmup: 1,
      defaultTimeoutMs: 10_000,
      outDir: tempDir(),
      seed: 12,
    })
  ).run.scenarios[0] as NonNullable<Awaited<ReturnType<typeof runBenchmark>>['run']['scenarios'][number]>;
const bySeq = (xs: Sample[]) => [...xs].sort((a, b) => a.seq - b.seq);
const metric = (s: Sample | undefined, k: string) => (s?.state === 'completed' ? s.metrics[k] : undefined);

describe('pacing', { skip: needsRootAndBuild }, () => {
  test('quiesced: each launch waits until the last sandbox is torn down; the teardown is attributed to it', async () => {
    const r = await run(
      launchScenario({ pace: 'quiesced', rounds: 5 }, [
        { id: 'bare', ns: [] },
        { id: 'net', ns: ['net'] },
        { id: 'ipc', ns: ['ipc'] },
      ]),
      5,
    );
    assert.equal(r.pace, 'quiesced');
    const launches = bySeq(r.samples);
    assert.ok(
      launches.every((s) => s.conditions?.pace === 'quiesced' && (s.conditions.quiesceWaitNs ?? 0) > 0),
      'every launch waited, and says how long',
    );
    assert.ok(
      launches.filter((s) => s.conditions?.quiet === false).length <= 1,
      'the kernel got quiet before the timeout',
    );
    const traced = tracefsUnavailable(0);
    if (traced) {
      assert.equal(r.kernelWork?.traced, false);
      assert.match(r.kernelWork?.reason ?? '', /tracefs/);
      return;
    }
    assert.equal(r.kernelWork?.traced, true);
    for (const [i, s] of launches.entries()) {
      const next = launches[i + 1];
      if (s.variant === 'net') {
        assert.ok(
          (metric(s, 'kernel.work.cleanup_net.count') ?? 0) > 0,
          `launch ${s.seq}: its cleanup_net is attributed to it`,
        );
        assert.ok((metric(s, 'kernel.deferredCpuNs') ?? 0) > 0, 'with the CPU its kworker got');
        if (next)
          assert.ok(
            (metric(s, 'kernel.deferredDoneNs') ?? Infinity) <= (next.conditions?.gapNs ?? 0),
            `launch ${s.seq}: torn down before the next launch began`,
          );
      }
      if (s.variant === 'ipc')
        assert.ok((metric(s, 'kernel.work.free_ipc.count') ?? 0) > 0, `launch ${s.seq}: free_ipc`);
      if (s.variant === 'bare')
        assert.equal(metric(s, 'kernel.work.cleanup_net.count'), undefined, 'bare leaves no namespace to tear down');
    }
    const waitAfter = (v: string) =>
      median(launches.filter((s) => s.conditions?.prev === v).map((s) => s.conditions?.quiesceWaitNs ?? 0));
    assert.ok(
      waitAfter('net') > waitAfter('bare'),
      `waits after net (${waitAfter('net')}) exceed those after bare (${waitAfter('bare')})`,
    );
  });

  test('back-to-back: bursts run in the launcher, each records its place; lead-ins are kept raw, not summarized', async () => {
    const r = await run(
      launchScenario({ pace: 'back-to-back', burst: 4, rounds: 3 }, [
        { id: 'bare', ns: [] },
        { id: 'pid', ns: ['pid'] },
      ]),
      3,
    );
    assert.equal(r.burst, 4);
    const launches = bySeq(r.samples);
    assert.equal(launches.length, 2 * (3 + 1) * 5, 'rounds × variants × (lead-in + burst)');
    for (let i = 0; i < launches.length; i += 5) {
      const burst = launches.slice(i, i + 5);
      assert.deepEqual(
        burst.map((s) => s.conditions?.burst),
        [0, 1, 2, 3, 4],
      );
      assert.ok(burst.every((s) => s.variant === burst[0]?.variant && s.round === burst[0]?.round));
      assert.ok(
        burst.slice(1).every((s) => s.conditions?.prev === s.variant),
        'after the lead-in each launch follows its twin',
      );
      assert.ok(
        burst.slice(1).every((s) => (s.conditions?.gapNs ?? Infinity) < 5e6),
        'no round trip between them',
      );
      if (i > 0)
        assert.equal(burst[0]?.conditions?.prev, launches[i - 1]?.variant, 'the lead-in follows the variant before');
    }
    assert.equal(
      r.summary.find((v) => v.variant === 'pid')?.metrics.bootNs?.n,
      3 * 4,
      'measured: rounds × burst, no lead-ins, no warm-up',
    );
    assert.ok(launches.filter((s) => !isMeasured(s)).every((s) => s.warmup || s.conditions?.burst === 0));
  });

  test('interleaved: the order and the gap before each launch are recorded, and a gap asked for is kept', async () => {
    const r = await run(
      launchScenario({ gapMs: 3, rounds: 4 }, [
        { id: 'bare', ns: [] },
        { id: 'uts', ns: ['uts'] },
        { id: 'ipc', ns: ['ipc'] },
      ]),
      4,
    );
    assert.equal(r.pace, 'interleaved');
    assert.equal(r.gapMs, 3);
    const launches = bySeq(r.samples);
    for (const [i, s] of launches.entries())
      assert.equal(
        s.conditions?.prev,
        i === 0 ? null : launches[i - 1]?.variant,
        `launch ${s.seq} records its predecessor`,
      );
    assert.ok(
      launches.slice(1).every((s) => (s.conditions?.gapNs ?? 0) >= 3e6),
      'the launcher kept at least 3 ms after every exit',
    );
    assert.ok(
      launches.some((s) => (s.conditions?.gapWaitNs ?? 0) > 0),
      'by waiting where nsbench itself was quicker',
    );
    assert.ok(
      new Set(
        Array.from({ length: 4 }, (_, k) =>
          launches
            .filter((s) => s.round === k + 1)
            .map((s) => s.variant)
            .join(),
        ),
      ).size > 1,
      'a fresh order each round',
    );
  });

  test('the in-sandbox setup is a cost of its own, and setup: false leaves it out', async () => {
    const r = await run(
      launchScenario({ rounds: 6 }, [
        { id: 'bare', ns: [] },
        { id: 'net', ns: ['pid', 'mnt', 'net', 'uts'] },
        { id: 'net/no-setup', ns: ['pid', 'mnt', 'net', 'uts'], setup: false },
      ]),
      6,
    );
    const m = (v: string) => r.summary.find((x) => x.variant === v)?.metrics ?? {};
    for (const k of ['setup.propagationNs', 'setup.procNs', 'setup.loNs', 'setup.hostnameNs'])
      assert.ok((m('net')[k]?.median ?? 0) > 0, `${k} timed`);
    const steps = ['setup.propagationNs', 'setup.procNs', 'setup.loNs', 'setup.hostnameNs'].reduce(
      (a, k) => a + (m('net')[k]?.median ?? 0),
      0,
    );
    assert.ok(
      Math.abs((m('net').setupWorkNs?.median ?? 0) - steps) < steps * 0.5,
      'setupWorkNs is the sum of its steps',
    );
    assert.equal(m('net/no-setup').setupWorkNs, undefined, 'no setup, no setup cost');
    assert.equal(m('bare').setupWorkNs, undefined);
  });
});
