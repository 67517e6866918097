// The harness killed with SIGKILL at 20 seeded points across boot, cgroup,
// network and density scenarios: `nsbench cleanup` leaves no cgroup, netns,
// link, mount, work folder or sandbox process behind, and what was measured
// can still be reported. SIGINT mid-run cleans up by itself.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findLeftovers } from '../src/cleanup/index.ts';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { ipAvailable } from '../src/network/index.ts';
import { seededRandom } from '../src/stats/index.ts';
import { needsRootAndBuild, processTable, tempDir } from './helpers/env.ts';

const CLI = join(PROJECT_ROOT, 'bin/nsbench.js');
const SANDBOX_PROGRAMS = new Set([
  'nsb-launcher',
  'noop',
  'idle',
  'hog',
  'net',
  'probe',
  'listenready',
  'sieve',
  'crowd',
]);
// A zombie is dead: once the launcher is gone, reaping it is the host init's job.
const alive = () => processTable().filter((p) => p.state !== 'Z');
const ours = () => alive().filter((p) => SANDBOX_PROGRAMS.has(p.comm));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sampleLines(file: string): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"type":"sample"')).length;
  } catch {
    return 0;
  }
}

/** Waits until this run's samples file (one not in `before`) holds `n` samples, or `ms` pass. */
async function waitSamples(dir: string, before: Set<string>, n: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const file = readdirSync(dir).find((f) => f.endsWith('.samples.jsonl') && !before.has(f));
    if (file && sampleLines(join(dir, file)) >= n) return;
    await sleep(20);
  }
}

async function waitGone(what: () => unknown[], ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (what().length && Date.now() < end) await sleep(50);
}

const SCENARIOS = [
  ['boot', '--rounds', '200'],
  ['cgroup-overhead', '--rounds', '50'],
  ['network', '--rounds', '20'],
  ['density', '--rounds', '3'],
];

describe('crash safety', {
  skip: needsRootAndBuild || (!ipAvailable() ? 'ip (iproute2) not installed' : false),
}, () => {
  test('kill -9 at 20 seeded points, then nsbench cleanup: nothing with the prefix remains', async () => {
    assert.deepEqual(findLeftovers(), [], 'a clean machine to start from');
    const random = seededRandom(20261123);
    const out = tempDir();
    let reported = 0;
    for (let i = 0; i < 20; i++) {
      const args = SCENARIOS[i % SCENARIOS.length] as string[];
      // Kill points: for the first round of scenarios and for density (whose ramp
      // is long), a seeded time from early setup to mid-run; for the others, a
      // seeded number of samples on disk, so that slow machines kill at the same
      // progress as fast ones.
      const byTime = i < SCENARIOS.length || args[0] === 'density';
      const delay = 700 + Math.floor(random() * 2500);
      // a network sample takes a second or more, a launch a few ms: up to 6 network samples reach as far into its
      // run (setup, the first variants, mid-run) as 40 launches do into the others'
      const afterSamples = 1 + Math.floor(random() * (args[0] === 'network' ? 6 : 40));
      const before = new Set(readdirSync(out));
      const child = spawn(process.execPath, [CLI, 'run', ...args, '--warmup', '0', '--out', out, '-q', '--no-report'], {
        cwd: PROJECT_ROOT,
        stdio: 'ignore',
      });
      if (byTime) await sleep(delay);
      else await waitSamples(out, before, afterSamples, 60_000);
      const point = byTime ? `${delay} ms` : `${afterSamples} samples`;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await waitGone(() => ours().filter((p) => p.comm === 'nsb-launcher')); // the launcher sees its harness go and kills what it holds
      const r = spawnSync(process.execPath, [CLI, 'cleanup'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `cleanup after kill ${i} (${args[0]} at ${point}): ${r.stderr}`);
      assert.deepEqual(
        findLeftovers().map((l) => `${l.kind} ${l.id}`),
        [],
        `after kill ${i} (${args[0]} at ${point})`,
      );
      await waitGone(ours);
      assert.deepEqual(ours(), [], `no sandbox process after kill ${i}`);
    }
    // what the killed runs measured is still there, and reportable: every file
    // holding a sample gives a report; one killed before its header was whole
    // says so in one line
    for (const f of readdirSync(out).filter((x) => x.endsWith('.samples.jsonl'))) {
      const r = spawnSync(process.execPath, [CLI, 'report', join(out, f), '--out', join(out, 'rep')], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      });
      if (sampleLines(join(out, f)) > 0) assert.equal(r.status, 0, `${f} holds samples: ${r.stderr}`);
      if (r.status === 0) reported++;
      else assert.match(r.stderr, /^error: .* — /, 'a file too early to report on says so in one line');
    }
    assert.ok(reported >= 10, `reports written from the partial samples files (${reported})`);
  });

  test('SIGINT mid-run finishes the current launch, writes what was measured and leaves nothing', async () => {
    const out = tempDir();
    const child = spawn(
      process.execPath,
      [CLI, 'run', 'network', '--rounds', '20', '--warmup', '0', '--out', out, '-q', '--no-report'],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // mid-run: once the run measures (a sample on disk) — a fixed 3 s was still loading on a cold clone, where a signal
    // ends nsbench at once
    const end = Date.now() + 60_000;
    while (
      !readdirSync(out).some((f) => f.endsWith('.samples.jsonl') && sampleLines(join(out, f)) > 0) &&
      Date.now() < end
    )
      await sleep(20);
    await sleep(300);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted \(SIGINT\): finishing the current launch/);
    const json = readdirSync(out).find((f) => f.endsWith('.json'));
    assert.ok(json && existsSync(join(out, json)), 'the partial results file is written');
    await waitGone(ours);
    assert.deepEqual(findLeftovers(), [], 'cleaned up by itself');
    assert.deepEqual(ours(), []);
  });

  for (const [name, how, code] of [
    ['an uncaught exception', 'uncaught', 70],
    ['a second Ctrl-C (forced)', 'SIGINT SIGINT', 130],
    ['SIGHUP', 'SIGHUP', 130],
    ['SIGTERM', 'SIGTERM', 130],
  ] as const)
    test(`${name} mid-run: what the run created is removed before it exits`, async () => {
      const out = tempDir();
      const env = how === 'uncaught' ? { ...process.env, NSB_INJECT_UNCAUGHT_MS: '2500' } : process.env;
      // forced: the current launch hangs for 60 s in its own cgroup and network namespace; Ctrl-C twice must not wait
      // for it
      const hang = join(out, 'hang.ts');
      writeFileSync(
        hang,
        `export default { name: 'hang', description: 'x', timeoutMs: 60000, workload: { builtin: 'fault', args: ['hang'] }, variants: [{ id: 'h', ns: ['pid', 'net'], cgroup: {} }] };\n`,
      );
      const what = how === 'SIGINT SIGINT' ? [hang, '--rounds', '1'] : ['network', '--rounds', '20'];
      const started = Date.now();
      const child = spawn(process.execPath, [CLI, 'run', ...what, '--warmup', '0', '--out', out, '-q', '--no-report'], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise((r) => child.once('exit', r));
      if (how !== 'uncaught') {
        // mid-run: once the run measures (a sample on disk), or its hanging launch is alive — not after a fixed
        // time, which a slow machine still spends loading (a signal then ends nsbench at once, exit 130, nothing made)
        const end = Date.now() + 60_000;
        const measuring = () =>
          how === 'SIGINT SIGINT'
            ? alive().some((p) => p.comm === 'fault')
            : readdirSync(out).some((f) => f.endsWith('.samples.jsonl') && sampleLines(join(out, f)) > 0);
        while (!measuring() && Date.now() < end) await sleep(20);
        await sleep(300);
        for (const sig of how.split(' ') as NodeJS.Signals[]) {
          child.kill(sig);
          await sleep(300); // signals of one kind are not queued: give the first its turn
        }
      }
      const exit = await exited;
      assert.equal(exit, code, stderr);
      if (how === 'uncaught')
        assert.match(stderr.trim(), /^error: internal error: injected fault \(NSB_INJECT_UNCAUGHT_MS\) — /);
      if (how === 'SIGINT SIGINT') {
        assert.match(stderr, /SIGINT again: forcing — removing what this run created/);
        assert.ok(Date.now() - started < 20_000, 'it did not wait for the hanging launch');
      }
      assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
      const oursOrFault = () => ours().concat(alive().filter((p) => p.comm === 'fault'));
      await waitGone(oursOrFault);
      assert.deepEqual(
        findLeftovers().map((l) => `${l.kind} ${l.id}`),
        [],
        'nothing left, without nsbench cleanup',
      );
      assert.deepEqual(oursOrFault(), []);
      const jsonl = readdirSync(out).find((f) => f.endsWith('.samples.jsonl'));
      assert.ok(jsonl, 'the samples file is on disk');
    });
});
