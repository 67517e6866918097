// npm run perf:kernel-trace — what kernel tracing costs, and whether its figures agree with a plain C loop.
//
// Blocks of the same launch scenario (a no-op, the sets below, interleaved)
// rotate through three modes — nothing traced, the deferred work alone
// (kernelWork), --kernel-trace — in palindromic order (so that drift falls on
// every mode alike); boot p50 per set per mode, and the overheads. Beside it,
// the clone system call three ways: as the trace timed it (sys_enter →
// sys_exit in the launcher), as nsbench's launcher timed its clone phase
// (untraced blocks), and as native/bench/refloop.c — a clone3 + exec + wait
// loop that shares no code with nsbench — timed its own clone3 around the
// call, replaying each traced block's launches (same order, same gaps, same
// CPUs); costs (set minus bare) side by side. Then, for each set, the kernel-named slices of boot and the work each
// exit leaves behind (from the traced blocks).
//
// Usage: npm run perf:kernel-trace [-- --sets bare,net,ipc,mnt,all --rounds 20 --blocks 4 (per mode) --json FILE]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { builtinWorkload, NATIVE_PATHS, nativeBinding, tracefsState } from '../src/host/index.ts';
import { canonicalSet, NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import {
  isMeasured,
  kernelAttribution,
  type Sample,
  type ScenarioResult,
  writeFileAtomic,
} from '../src/results/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { formatNs, textTable } from '../src/util/index.ts';

const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'bare,net,ipc,mnt,all' },
    rounds: { type: 'string', default: '20' },
    blocks: { type: 'string', default: '4' },
    json: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const BLOCKS = Number(args.blocks);
const sets = (args.sets as string).split(',').map((s) => s.trim());
const nsOf = (s: string): Namespace[] =>
  s === 'bare' ? [] : s === 'all' ? [...NAMESPACES] : canonicalSet(s.split('+') as Namespace[]);

/**
 * The independent yardstick: the C loop replays a traced block's launches —
 * the same sets in the same order, each after the same gap — on the CPUs the
 * sandboxes ran on, timing its own clone3 around the call.
 */
const loopClones = new Map<string, number[]>();
function replay(res: ScenarioResult): void {
  const launches = [...res.samples].sort((a, b) => a.seq - b.seq);
  const file = join(out, 'schedule');
  writeFileSync(
    file,
    `${launches.map((x) => `${x.variant === 'bare' ? 'bare' : nsOf(x.variant).join(',')} ${Math.round(x.conditions?.gapNs ?? 0)}`).join('\n')}\n`,
  );
  const cpus = res.cpus?.sandboxes ?? null;
  const b = nativeBinding();
  const was = b.getAffinity(0);
  if (cpus) b.setAffinity(0, cpus);
  let o: { cloneNs: number[] };
  try {
    o = JSON.parse(
      execFileSync(NATIVE_PATHS.refloop, ['--setup', '--schedule', file, builtinWorkload('noop')], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      }),
    ) as { cloneNs: number[] };
  } finally {
    if (cpus) b.setAffinity(0, was);
  }
  launches.forEach((x, i) => {
    if (x.state === 'completed' && isMeasured(x))
      loopClones.set(x.variant, [...(loopClones.get(x.variant) ?? []), o.cloneNs[i] as number]);
  });
}

const before = tracefsState();
const out = mkdtempSync(join(tmpdir(), 'nsb-perf-ktrace-'));
// three modes: nothing traced; the deferred work alone (kernelWork, what the boot scenario asks for); --kernel-trace
// (which brings the deferred work with it)
type Mode = 'off' | 'work' | 'on';
const pooled: Record<Mode, Sample[]> = { off: [], work: [], on: [] };
const traced: ScenarioResult[] = [];
const t0 = performance.now();
const ORDER: Mode[] = ['off', 'work', 'on', 'on', 'work', 'off']; // palindromic: a drift falls on every mode alike
for (let b = 0; b < BLOCKS * 3; b++) {
  const mode = ORDER[b % ORDER.length] as Mode;
  const sc = validateScenario(
    {
      name: 'ktrace-cost',
      description: 'boot with and without kernel tracing',
      workload: { builtin: 'noop' },
      // fork-style on both sides: the C loop times its clone3 around the call, which vfork-style would stretch to the
      // child's execve
      create: 'fork',
      variants: sets.map((id) => ({ id, ns: nsOf(id) })),
      ...(mode === 'on' ? { kernelTrace: true } : { kernelWork: mode === 'work' }),
    },
    'scripts/perf-kernel-trace.ts',
  );
  const r = await runBenchmark({
    scenarios: [sc],
    defaultRounds: ROUNDS,
    defaultWarmup: 2,
    defaultTimeoutMs: 10_000,
    outDir: out,
    seed: 1800 + b,
  });
  const res = r.run.scenarios[0] as ScenarioResult;
  if (mode === 'on') {
    if (!res.kernelTrace?.traced) throw new Error(`cannot trace here: ${res.kernelTrace?.reason}`);
    traced.push(res);
    replay(res);
  }
  pooled[mode].push(...res.samples.filter((s) => s.state === 'completed' && isMeasured(s)));
  process.stderr.write(
    `block ${b + 1}/${BLOCKS * 3} (${mode}) done at ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
  );
}
const after = tracefsState();
const restored = JSON.stringify(before) === JSON.stringify(after);

const loop = new Map(sets.map((s) => [s, median(loopClones.get(s) ?? [NaN])]));

const m = (xs: Sample[], set: string, k: string) => {
  const v = xs.flatMap((s) =>
    s.variant === set && s.state === 'completed' && s.metrics[k] !== undefined ? [s.metrics[k] as number] : [],
  );
  return v.length ? median(v) : NaN;
};
const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
const rows = sets.map((s) => {
  const off = m(pooled.off, s, 'bootNs');
  const work = m(pooled.work, s, 'bootNs');
  const on = m(pooled.on, s, 'bootNs');
  const traceClone = m(pooled.on, s, 'kernel.syscall.clone3.ns');
  const phase = m(pooled.off, s, 'cloneNs');
  const ref = loop.get(s) as number;
  return {
    set: s,
    bootOffNs: off,
    bootWorkNs: work,
    bootOnNs: on,
    overheadNs: on - off,
    workOverheadNs: work - off,
    overheadPct: ((on - off) / off) * 100,
    clone3TraceNs: traceClone,
    clonePhaseNs: phase,
    clone3LoopNs: ref,
  };
});
console.log(
  `\nBoot p50 untraced, with the deferred work traced (kernelWork), and with --kernel-trace (${BLOCKS} blocks of ${ROUNDS} rounds each, in palindromic order; ${pooled.off.length} + ${pooled.work.length} + ${pooled.on.length} launches):`,
);
console.log(
  textTable(
    ['set', 'untraced', 'kernelWork', 'overhead', '--kernel-trace', 'overhead'],
    rows.map((r) => [
      r.set,
      formatNs(r.bootOffNs),
      formatNs(r.bootWorkNs),
      `${formatNs(r.workOverheadNs)} (${pct(r.bootWorkNs, r.bootOffNs)})`,
      formatNs(r.bootOnNs),
      `${formatNs(r.overheadNs)} (${r.overheadPct.toFixed(1)}%)`,
    ]),
  ),
);
const bare = rows.find((r) => r.set === 'bare');
const cost = (r: (typeof rows)[number], k: 'clone3TraceNs' | 'clonePhaseNs' | 'clone3LoopNs') =>
  bare ? r[k] - bare[k] : NaN;
console.log(
  "\nThe clone call (p50): traced, the launcher's own clone phase (untraced blocks), the C loop replaying the traced launches; and each set's cost (minus bare):",
);
console.log(
  textTable(
    [
      'set',
      'clone3 (trace)',
      'clone phase (untraced)',
      'clone3 (C loop)',
      'trace vs C loop',
      'cost: trace',
      'cost: clone phase',
      'cost: C loop',
    ],
    rows.map((r) => [
      r.set,
      formatNs(r.clone3TraceNs),
      formatNs(r.clonePhaseNs),
      formatNs(r.clone3LoopNs),
      pct(r.clone3TraceNs, r.clone3LoopNs),
      ...(r.set === 'bare'
        ? ['-', '-', '-']
        : [formatNs(cost(r, 'clone3TraceNs')), formatNs(cost(r, 'clonePhaseNs')), formatNs(cost(r, 'clone3LoopNs'))]),
    ]),
  ),
);

// the kernel-named slices of boot and the post-exit work, from the traced blocks pooled
const merged: ScenarioResult = { ...(traced[0] as ScenarioResult), samples: traced.flatMap((t) => t.samples) };
const attribution = kernelAttribution(merged) ?? [];
console.log('\nKernel-named slices of boot (median per launch; phase: work):');
for (const r of attribution) {
  const named = r.slices
    .filter((s) => s.name !== 'other' && s.ns > 0)
    .map((s) => `${s.phase.replace(/Ns$/, '')}: ${s.name} ${formatNs(s.ns)}`);
  console.log(
    `  ${r.variant.padEnd(5)} boot ${formatNs(r.bootNs)}, on a CPU ${formatNs(r.runNs)}, waiting ${formatNs(r.waitNs)} — ${named.join(', ')}`,
  );
}
console.log('\nLeft behind after exit (median per launch; run time, delay, kworker CPU):');
for (const r of attribution)
  console.log(
    `  ${r.variant.padEnd(5)} done after ${formatNs(r.doneNs)}: ${r.work.map((w) => `${w.fn} ${formatNs(w.ns)} (${formatNs(w.delayNs)} delay, ${formatNs(w.cpuNs)} cpu)`).join('; ') || 'nothing'}`,
  );
console.log(
  `\ntracefs as it was after the run: ${restored ? 'yes' : 'NO'}; ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
if (args.json) writeFileAtomic(args.json, `${JSON.stringify({ rows, attribution, restored }, null, 2)}\n`);
rmSync(out, { recursive: true, force: true });
if (!restored) process.exitCode = 1;
