// The runner end to end with a launcher that returns fixed timings: shuffling,
// warm-up, skips, failures as data, a launcher restart, an interrupted run.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NativeResult } from '../native/nsb.d.ts';
import type { SandboxSpec } from '../src/launcher/index.ts';
import { fromSamplesJsonl, readResults } from '../src/results/index.ts';
import { type Launchable, runBenchmark, skipReason } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { tempDir } from './helpers/env.ts';
import { fixedResult, runInTurn } from './helpers/fixed-launcher.ts';

/** Boot time is 500 µs + 100 µs per namespace; "net" fails with a timeout. */
class FixedLauncher implements Launchable {
  calls: SandboxSpec[] = [];
  closed = 0;
  async run(spec: SandboxSpec): Promise<NativeResult> {
    this.calls.push(spec);
    if (spec.ns.includes('net')) return fixedResult(0, { state: 'timeout', signal: 9 });
    return fixedResult(500_000 + 100_000 * spec.ns.length);
  }
  async runMany(spec: SandboxSpec, count: number): Promise<NativeResult[]> {
    return runInTurn(this, spec, count);
  }
  close() {
    this.closed++;
  }
}

const scenario = validateScenario(
  {
    name: 'fixed',
    description: 'fixed timings',
    workload: { command: ['/bin/true'] },
    variants: [{ ns: [] }, { ns: ['pid'] }, { ns: ['user', 'pid', 'mnt'] }, { ns: ['net'] }],
  },
  'test/fixed.ts',
);

const base = { defaultRounds: 6, defaultWarmup: 2, defaultTimeoutMs: 1000, outDir: '', euid: 0 }; // as root would: the fixed launcher needs no privilege, so no variant is skipped for want of it

test('rounds interleave variants in a seeded random order; statistics come from the fixed timings', async () => {
  const launcher = new FixedLauncher();
  const out = tempDir('nsb-fixed-');
  const { run, files } = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: out,
    seed: 99,
    startLauncher: () => launcher,
  });
  assert.equal(launcher.calls.length, 4 * 8, 'every variant once per round, warm-up included');
  assert.equal(launcher.closed, 1);
  const sc = run.scenarios[0];
  assert.ok(sc);
  const orders = Array.from({ length: 8 }, (_, r) =>
    sc.samples
      .filter((s) => s.round === r)
      .map((s) => s.variant)
      .join(','),
  );
  assert.ok(new Set(orders).size > 1, 'the order changes from round to round');
  for (const o of orders)
    assert.equal(o.split(',').sort().join(','), 'bare,net,pid,user+pid+mnt', 'each round runs every variant once');
  const again = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: out,
    seed: 99,
    startLauncher: () => new FixedLauncher(),
  });
  assert.deepEqual(
    again.run.scenarios[0]?.samples.map((s) => s.variant),
    sc.samples.map((s) => s.variant),
    'same seed, same order',
  );

  const byId = new Map(sc.summary.map((v) => [v.variant, v]));
  assert.equal(byId.get('bare')?.metrics.bootNs?.median, 500_000);
  assert.equal(byId.get('pid')?.metrics.bootNs?.ratioToBaseline, 1.2);
  assert.equal(byId.get('user+pid+mnt')?.metrics.bootNs?.ratioToBaseline, 1.6);
  assert.equal(byId.get('bare')?.metrics.bootNs?.n, 6, 'warm-up rounds dropped from statistics');
  assert.equal(sc.samples.filter((s) => s.warmup).length, 8, 'but kept as raw samples');
  assert.equal(byId.get('bare')?.metrics.childCpuUs?.median, 310);
  assert.equal(byId.get('net')?.errored, 6, 'a timeout is an errored sample, the run goes on');
  const netSample = sc.samples.find((s) => s.variant === 'net');
  assert.ok(
    netSample?.state === 'errored' && netSample.cause === 'timeout' && /killed \(timeout\)/.test(netSample.reason),
  );

  const disk = readResults(files.json);
  assert.equal(disk.status, 'complete');
  assert.equal(disk.scenarios[0]?.samples.length, 32);
  const types = readFileSync(files.samplesJsonl, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { type: string }).type);
  assert.deepEqual(
    [
      types.filter((t) => t === 'run').length,
      types.filter((t) => t === 'scenario').length,
      types.filter((t) => t === 'sample').length,
      types.filter((t) => t === 'round').length,
    ],
    [1, 1, 32, 8],
    'header, the scenario, one line per sample, the load of each round',
  );
});

test('a launcher that dies is restarted once; the lost launch is recorded', async () => {
  let starts = 0;
  const flaky: Launchable = {
    async run(spec) {
      if (starts === 1 && spec.ns.length === 1)
        throw Object.assign(new Error('the launcher channel is closed'), { code: 'ECONNRESET' });
      return fixedResult(500_000);
    },
    runMany(spec, count) {
      return runInTurn(this, spec, count);
    },
    close() {},
  };
  const { run } = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: tempDir(),
    seed: 1,
    startLauncher: () => {
      starts++;
      return flaky;
    },
  });
  assert.equal(starts, 2);
  const died = run.scenarios[0]?.samples.filter((s) => s.state === 'errored' && s.cause === 'launcher-died');
  assert.equal(died?.length, 1);
});

test('an interrupted run stops between launches and keeps what it measured as partial', async () => {
  const ac = new AbortController();
  const launcher = new FixedLauncher();
  const orig = launcher.run.bind(launcher);
  launcher.run = async (spec) => {
    if (launcher.calls.length === 9) ac.abort();
    return orig(spec);
  };
  const { run, interrupted } = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: tempDir(),
    seed: 3,
    startLauncher: () => launcher,
    signal: ac.signal,
  });
  assert.ok(interrupted);
  assert.equal(run.status, 'partial');
  assert.equal(run.scenarios[0]?.samples.length, 10);
});

test('variants that cannot run here are skipped with the reason', () => {
  assert.equal(skipReason(['user', 'pid'], 1000), null);
  assert.match(skipReason(['pid'], 1000) ?? '', /needs root/);
  assert.equal(skipReason([], 1000), null);
  assert.equal(skipReason(['pid', 'net'], 0), null);
});

test('a tmpfs that would hide the workload makes the variant a skip with the reason', async () => {
  const sc = validateScenario(
    {
      name: 'hide',
      description: 'x',
      workload: { command: ['/bin/true'] },
      variants: [{ ns: [] }, { id: 'hidden', ns: ['mnt'], tmpfs: '/bin' }],
    },
    'test/hide.ts',
  );
  const { run } = await runBenchmark({
    ...base,
    scenarios: [sc],
    outDir: tempDir(),
    seed: 2,
    rounds: 1,
    warmup: 0,
    startLauncher: () => new FixedLauncher(),
  });
  const hidden = run.scenarios[0]?.samples.find((s) => s.variant === 'hidden');
  assert.ok(
    hidden?.state === 'skipped' &&
      /its tmpfs on \/bin would hide the workload \/bin\/true — mount the tmpfs on another folder/.test(hidden.reason),
    JSON.stringify(hidden),
  );
});

test('a run killed halfway: its samples file reports what was measured, and --resume completes it without repeating a launch', async () => {
  const out = tempDir('nsb-fixed-');
  const full = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: out,
    seed: 7,
    startLauncher: () => new FixedLauncher(),
    runId: 'full',
  });
  // the same run as if killed after 11 samples, in the middle of writing the 12th
  const lines = readFileSync(full.files.samplesJsonl, 'utf8').trim().split('\n');
  const dead = join(out, 'dead.samples.jsonl');
  const cut = lines.findIndex(
    (l, i) =>
      lines.slice(0, i).filter((x) => x.startsWith('{"type":"sample"')).length === 11 &&
      l.startsWith('{"type":"sample"'),
  );
  writeFileSync(dead, `${lines.slice(0, cut).join('\n')}\n${(lines[cut] as string).slice(0, 40)}`);
  const partial = fromSamplesJsonl(dead, readFileSync(dead, 'utf8'));
  assert.equal(partial.skippedLines, 1, 'the torn last line is dropped');
  assert.equal(partial.run.status, 'partial');
  assert.equal(partial.run.scenarios[0]?.samples.length, 11);
  assert.ok(
    partial.run.scenarios[0]?.summary.find((v) => v.variant === 'bare'),
    'summarized afresh',
  );
  assert.equal(readResults(dead).scenarios[0]?.samples.length, 11, 'readResults takes a samples file too');

  const launcher = new FixedLauncher();
  const resumed = await runBenchmark({
    ...base,
    scenarios: [scenario],
    outDir: out,
    startLauncher: () => launcher,
    resume: {
      runId: 'dead',
      seed: 7,
      startedAt: partial.run.startedAt,
      environment: partial.run.environment,
      samples: partial.run.scenarios.flatMap((s) => s.samples),
    },
  });
  assert.equal(launcher.calls.length, 32 - 11, 'only what was missing is launched');
  const order = (r: typeof full.run) => r.scenarios[0]?.samples.map((s) => `${s.variant}/${s.round}`);
  assert.deepEqual(order(resumed.run), order(full.run), 'same seed, same plan: the same order');
  assert.equal(resumed.run.status, 'complete');
  assert.equal(resumed.run.runId, 'dead');
  assert.equal(resumed.run.startedAt, full.run.startedAt, 'the original start is kept');
  assert.equal(resumed.run.environment.hostname, full.run.environment.hostname);
  const resumes = resumed.run.environment.resumes as { at: string; changed?: unknown }[];
  assert.equal(resumes.length, 1, 'the resume is recorded');
  assert.ok(
    resumes[0]?.at && resumes[0].at >= full.run.startedAt && resumes[0].changed === undefined,
    JSON.stringify(resumes),
  );
  const after = fromSamplesJsonl(dead, readFileSync(dead, 'utf8'));
  assert.equal(after.skippedLines, 0, 'the torn line was cut off before appending');
  assert.equal(after.run.scenarios[0]?.samples.length, 32, 'the samples file holds the whole run once');
  assert.equal((after.run.environment.resumes as unknown[]).length, 1, 'the samples file records the resume too');
});
