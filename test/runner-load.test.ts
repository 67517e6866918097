// Competing load, seen while it happens: a CPU hog outside nsbench's process
// tree marks the rounds it overlapped, warns, and --retry-noisy runs them
// again; without it nothing is flagged; without PSI the run says so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { builtinWorkload } from '../src/host/index.ts';
import { isMeasured, loadWarnings, type ScenarioResult } from '../src/results/index.ts';
import { type ProgressSink, runBenchmark } from '../src/runner/index.ts';
import { LoadWatch } from '../src/runner/load-watch.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

/**
 * A CPU hog outside nsbench's tree (its shell parent exits at once: it is reparented), spinning on every CPU for ms;
 * its pids.
 */
function foreignHog(ms: number): number[] {
  const hog = builtinWorkload('hog');
  const out = execFileSync('/bin/sh', ['-c', `for i in 1 2; do "${hog}" spin ${ms} >/dev/null 2>&1 & echo $!; done`], {
    encoding: 'utf8',
  });
  return out.trim().split('\n').map(Number);
}
const stop = (pids: number[]) => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL'); // the hogs this test started, by pid
    } catch {
      /* done already */
    }
  }
  // until init has reaped them: their CPU time must not land in the next test's rounds
  const deadline = Date.now() + 3000;
  while (pids.some((p) => existsSync(`/proc/${p}`)) && Date.now() < deadline) execFileSync('/bin/sleep', ['0.02']);
};

// each launch runs 40 ms, so a round of three takes ~120 ms
const sc = validateScenario(
  {
    name: 'load',
    description: 'load',
    workload: { builtin: 'hog', args: ['spin', '40'] },
    variants: [
      { id: 'a', ns: [] },
      { id: 'b', ns: ['uts'] },
      { id: 'c', ns: ['ipc'] },
    ],
    rounds: 10,
    warmup: 0,
  },
  'test/load.ts',
);
const opts = { scenarios: [sc], defaultRounds: 10, defaultWarmup: 0, defaultTimeoutMs: 10_000, seed: 3 };

/**
 * A progress sink that starts the hog after launch `from` and stops it after launch `to`: it overlaps known
 * rounds. The test is its only load source (`counted`, no PSI): the suite holds beside any outside load.
 */
function hogBetween(
  from: number,
  to: number,
): ProgressSink & { stop: () => void; loadWatch: { counted: (pid: number) => boolean; pressure: () => null } } {
  let n = 0;
  let pids: number[] = [];
  const ever = new Set<number>();
  return {
    start() {},
    tick() {
      n++;
      if (n === from) for (const p of (pids = foreignHog(20_000))) ever.add(p);
      if (n === to) stop(pids);
    },
    done() {},
    stop: () => stop(pids),
    loadWatch: { counted: (pid) => ever.has(pid), pressure: () => null },
  };
}

describe('competing load', { skip: needsRootAndBuild }, () => {
  test('a CPU hog started during the run disturbs the rounds it overlapped, and the run says so', async () => {
    // from the end of round 0 into round 4: rounds 1-3 run beside it throughout (a process that exits during a round
    // is counted only where its reaper keeps its time, so the end of its life is left to a round not judged here)
    const hog = hogBetween(3, 13);
    let r: ScenarioResult | undefined;
    try {
      r = (await runBenchmark({ ...opts, outDir: tempDir(), progress: hog, loadWatch: hog.loadWatch })).run
        .scenarios[0];
    } finally {
      hog.stop();
    }
    const load = r?.load ?? [];
    assert.equal(load.length, 10, 'every round watched');
    const bad = load.filter((l) => l.disturbed.length);
    const rounds = bad.map((l) => l.round);
    assert.ok(
      [1, 2, 3].every((k) => rounds.includes(k)),
      `rounds 1-3 overlapped the hog: ${JSON.stringify(load.map((l) => l.foreignCpu.toFixed(2)))}`,
    );
    assert.ok(
      rounds.every((k) => k <= 4),
      'the rounds after it are quiet',
    );
    assert.ok(
      bad.every(
        (l) => l.foreignCpu > 0.1 && /other processes used \d+% of the CPUs \(.*hog \d+%/.test(l.disturbed.join()),
      ),
      bad.map((l) => l.disturbed.join()).join('\n'),
    );
    const marked = r?.samples.filter((s) => s.disturbed?.length) ?? [];
    assert.deepEqual([...new Set(marked.map((s) => s.round))], rounds, 'the samples of those rounds are marked');
    assert.ok(
      r?.warnings?.some((w) => /^competing load disturbed \d+ of 10 rounds/.test(w)),
      (r?.warnings ?? []).join('\n'),
    );
  });

  test("without the hog no round is disturbed; nsbench's own processes are never counted as competition", async () => {
    // the test's load source only (none started): whatever else the machine runs, no round is disturbed
    const r = (
      await runBenchmark({ ...opts, outDir: tempDir(), loadWatch: { counted: () => false, pressure: () => null } })
    ).run.scenarios[0];
    assert.deepEqual(
      r?.load?.filter((l) => l.disturbed.length).map((l) => l.disturbed),
      [],
    );
    assert.ok(!r?.warnings?.some((w) => /^competing load/.test(w)));
    // every process counted (the real watch): what it names is never the run's own (its hog workload, node)
    const real = (await runBenchmark({ ...opts, outDir: tempDir() })).run.scenarios[0];
    const named = (real?.load ?? []).flatMap((l) => l.foreignTop.map((p) => p.pid));
    assert.ok(!named.includes(process.pid), 'the harness itself is not competition');
    assert.ok(
      !(real?.load ?? []).some((l) => l.foreignTop.some((p) => p.comm === 'hog')),
      `the run's own workload is not competition: ${JSON.stringify((real?.load ?? []).map((l) => l.foreignTop))}`,
    );
  });

  test('--retry-noisy runs disturbed rounds again; the disturbed samples stay raw, marked, out of the statistics', async () => {
    const hog = hogBetween(3, 10); // round 1, its first retry, and into the second
    let r: ScenarioResult | undefined;
    try {
      r = (await runBenchmark({ ...opts, outDir: tempDir(), retryNoisy: 4, progress: hog, loadWatch: hog.loadWatch }))
        .run.scenarios[0];
    } finally {
      hog.stop();
    }
    const superseded = r?.samples.filter((s) => s.superseded) ?? [];
    assert.ok(
      superseded.length >= 3 && superseded.every((s) => s.disturbed?.length && s.round === 1),
      `the disturbed attempts are kept, marked: ${JSON.stringify(superseded.map((s) => ({ round: s.round, attempt: s.attempt, disturbed: s.disturbed })))}; rounds: ${JSON.stringify((r?.load ?? []).map((l) => [l.round, l.attempt ?? 0, l.disturbed]))}`,
    );
    assert.ok(
      r?.samples.some((s) => s.round === 1 && (s.attempt ?? 0) > 0 && !s.superseded),
      'and the round run again',
    );
    const final = new Map<number, number>();
    for (const l of r?.load ?? []) final.set(l.round, l.disturbed.length);
    assert.ok(
      [...final.values()].every((d) => d === 0),
      'every round ends quiet',
    );
    for (const v of r?.summary ?? [])
      assert.equal(v.metrics['workload.wallNs']?.n, 10, `${v.variant}: one measured sample per round`);
    assert.ok(r?.samples.filter(isMeasured).every((s) => !s.superseded));
  });
});

// pure: runs for everyone, root or not
test('without PSI the load is judged from /proc and the run says so', () => {
  const watch = new LoadWatch({ pressure: () => null });
  watch.begin();
  const l = watch.end(0, 0);
  assert.equal(l.source, 'proc-stat');
  assert.equal(l.pressure, null);
  assert.ok(l.busy >= 0 && l.foreignCpu >= 0);
  assert.match(
    loadWarnings([l], false).join(),
    /no pressure stall information \(PSI\): competing load is judged from \/proc\/stat and process CPU alone/,
  );
});
