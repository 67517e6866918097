// npm run perf:validity — do nsbench's namespace costs agree with a plain C loop?
//
// Per namespace set, the cost (boot p50 minus bare's) through nsbench and
// through native/bench/refloop.c, a clone3 + exec + wait loop that shares no
// code with nsbench, under the same pacing and in the same order: the C loop
// replays nsbench's own launch sequence (the random order, the warm-ups, the
// bursts), keeping nsbench's recorded gap before each launch (or the fixed
// gap both keep), on the CPUs nsbench kept its sandboxes on. Blocks alternate
// nsbench and the C loop and repeat until the pooled difference settles; the
// spread between blocks stands beside it. Both sides make their children the
// same way: vfork-style (nsbench's default) or fork-style (--create fork).
//
// Usage: npm run perf:validity [-- --modes interleaved,interleaved-gap,quiesced,back-to-back
//          --rounds 20 --min-blocks 3 --max-blocks 8 --gap-ms 3 --sets bare,user,...,all
//          --create fork|vfork --json FILE]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { builtinWorkload, NATIVE_PATHS, nativeBinding, PROJECT_ROOT } from '../src/host/index.ts';
import { canonicalSet, NAMESPACES, type Namespace } from '../src/isolation/index.ts';
import {
  CREATE_METHODS,
  type CreateMethod,
  isMeasured,
  PACES,
  type Pace,
  type Sample,
  writeFileAtomic,
} from '../src/results/index.ts';
import { captureEnvironment, DEFAULT_CREATE, runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { meanCI95 } from '../src/stats/index.ts';
import { formatNs, textTable } from '../src/util/index.ts';

const { values: args } = parseArgs({
  options: {
    modes: { type: 'string', default: 'interleaved,interleaved-gap,quiesced,back-to-back' },
    rounds: { type: 'string', default: '20' },
    'min-blocks': { type: 'string', default: '5' },
    'max-blocks': { type: 'string', default: '20' },
    'gap-ms': { type: 'string', default: '3' },
    burst: { type: 'string', default: '10' },
    sets: { type: 'string' },
    create: { type: 'string' },
    json: { type: 'string' },
  },
});
/** how both sides make their children: nsbench's default unless --create says (the C loop then does the same) */
const CREATE = (args.create ?? DEFAULT_CREATE) as CreateMethod;
if (!(CREATE_METHODS as readonly string[]).includes(CREATE)) {
  console.error(`error: --create ${CREATE} — use one of ${CREATE_METHODS.join(', ')}`);
  process.exit(2);
}
const ROUNDS = Number(args.rounds);
const MIN_BLOCKS = Number(args['min-blocks']);
const MAX_BLOCKS = Number(args['max-blocks']);
const GAP_MS = Number(args['gap-ms']);
const BURST = Number(args.burst);
/** The pooled difference moving by less than this after a block means the figures have settled. */
const STABLE_NS = 10_000;
/** The goal: within 10% of the C loop's cost, or 40 µs, whichever is larger. */
const AGREE_SHARE = 0.1;
const AGREE_NS = 40_000;

if (process.geteuid?.() !== 0) {
  console.error('error: perf:validity creates every namespace and needs root — run it as root');
  process.exit(2);
}

interface Mode {
  name: string;
  pace: Pace;
  gapMs: number;
  /** the C loop keeps nsbench's recorded gap before each launch (else the fixed gapMs) */
  replayGaps: boolean;
}
const MODES: Record<string, Mode> = {
  interleaved: { name: "interleaved (C loop replays nsbench's gaps)", pace: 'interleaved', gapMs: 0, replayGaps: true },
  'interleaved-gap': {
    name: `interleaved, both keep a ${GAP_MS} ms gap`,
    pace: 'interleaved',
    gapMs: GAP_MS,
    replayGaps: false,
  },
  quiesced: { name: "quiesced (C loop replays nsbench's waits)", pace: 'quiesced', gapMs: 0, replayGaps: true },
  'back-to-back': { name: `back-to-back, bursts of ${BURST}`, pace: 'back-to-back', gapMs: 0, replayGaps: true },
};
const modes = (args.modes as string).split(',').map((m) => {
  const mode = MODES[m];
  if (!mode) {
    console.error(`error: unknown mode ${m} — one of ${Object.keys(MODES).join(', ')}`);
    process.exit(2);
  }
  return mode;
});
void PACES;

const SETS: { id: string; ns: Namespace[] }[] = args.sets
  ? (args.sets as string).split(',').map((s) => {
      const ns =
        s === 'bare'
          ? []
          : s === 'all'
            ? [...NAMESPACES]
            : s === 'all-but-net'
              ? NAMESPACES.filter((n) => n !== 'net')
              : canonicalSet(s.split('+') as Namespace[]);
      return { id: s, ns };
    })
  : [
      { id: 'bare', ns: [] },
      ...NAMESPACES.map((n) => ({ id: n, ns: [n] })),
      { id: 'all-but-net', ns: NAMESPACES.filter((n) => n !== 'net') },
      { id: 'all', ns: [...NAMESPACES] },
    ];

const noop = builtinWorkload('noop');
const work = mkdtempSync(join(tmpdir(), 'nsb-validity-'));

/** Boot times per set of the measured launches, in the order they ran. */
type Boots = Map<string, number[]>;

const costs = (boots: Boots): Map<string, number> => {
  const bare = median(boots.get('bare') ?? [NaN]);
  return new Map(SETS.map((s) => [s.id, median(boots.get(s.id) ?? [NaN]) - bare]));
};

async function nsbenchBlock(
  mode: Mode,
  seed: number,
): Promise<{ launches: Sample[]; boots: Boots; sandboxCpus: number[] | null }> {
  const sc = validateScenario(
    {
      name: 'validity',
      description: 'nsbench against the C loop',
      workload: { builtin: 'noop' },
      create: CREATE,
      variants: SETS.map((s) => ({ id: s.id, ns: s.ns })),
      rounds: ROUNDS,
      warmup: 1,
      pace: mode.pace,
      ...(mode.gapMs ? { gapMs: mode.gapMs } : {}),
      ...(mode.pace === 'back-to-back' ? { burst: BURST } : {}),
    },
    'scripts/perf-validity.ts',
  );
  // a round disturbed by competing load runs again (both sides then leave it out: the C loop replays the same launches)
  const { run } = await runBenchmark({
    scenarios: [sc],
    defaultRounds: ROUNDS,
    defaultWarmup: 1,
    defaultTimeoutMs: 10_000,
    outDir: work,
    seed,
    retryNoisy: 2,
  });
  const launches = [...(run.scenarios[0]?.samples ?? [])].sort((a, b) => a.seq - b.seq);
  const boots: Boots = new Map();
  for (const s of launches)
    if (s.state === 'completed' && isMeasured(s))
      boots.set(s.variant, [...(boots.get(s.variant) ?? []), s.metrics.bootNs as number]);
  return { launches, boots, sandboxCpus: run.scenarios[0]?.cpus?.sandboxes ?? null };
}

/**
 * Runs the C loop where nsbench's sandboxes ran: on the same CPUs (a spawned child takes the spawning thread's
 * affinity).
 */
function onCpus<T>(cpus: number[] | null, fn: () => T): T {
  if (!cpus) return fn();
  const b = nativeBinding();
  const before = b.getAffinity(0);
  b.setAffinity(0, cpus);
  try {
    return fn();
  } finally {
    b.setAffinity(0, before);
  }
}

function cLoopBlock(mode: Mode, launches: Sample[], cpus: number[] | null): Boots {
  const nsOf = new Map(SETS.map((s) => [s.id, s.ns.length ? s.ns.join(',') : 'bare']));
  const lines = launches.map(
    (s) =>
      `${nsOf.get(s.variant)} ${mode.replayGaps ? Math.round(s.conditions?.gapNs ?? 0) : Math.round(mode.gapMs * 1e6)}`,
  );
  const file = join(work, 'schedule');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const out = JSON.parse(
    onCpus(cpus, () =>
      execFileSync(
        NATIVE_PATHS.refloop,
        ['--setup', ...(CREATE === 'vfork' ? ['--vfork'] : []), '--schedule', file, noop],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        },
      ),
    ),
  ) as { readyNs: number[] };
  const boots: Boots = new Map();
  launches.forEach((s, i) => {
    if (s.state === 'completed' && isMeasured(s))
      boots.set(s.variant, [...(boots.get(s.variant) ?? []), out.readyNs[i] as number]); // the same launches count on both sides
  });
  return boots;
}

const pool = (into: Boots, b: Boots) => {
  for (const [k, xs] of b) into.set(k, [...(into.get(k) ?? []), ...xs]);
};

const report: Record<string, unknown> = {
  rounds: ROUNDS,
  gapMs: GAP_MS,
  burst: BURST,
  create: CREATE,
  environment: captureEnvironment(),
  modes: {},
};
let seed = 20_261_201;
try {
  for (const mode of modes) {
    const nsbAll: Boots = new Map();
    const cAll: Boots = new Map();
    const perBlock: { nsb: Map<string, number>; c: Map<string, number> }[] = [];
    let lastDiff: Map<string, number> | null = null;
    let blocks = 0;
    for (; blocks < MAX_BLOCKS; blocks++) {
      const { launches, boots, sandboxCpus } = await nsbenchBlock(mode, seed++);
      const c = cLoopBlock(mode, launches, sandboxCpus);
      pool(nsbAll, boots);
      pool(cAll, c);
      perBlock.push({ nsb: costs(boots), c: costs(c) });
      const nsbCost = costs(nsbAll);
      const cCost = costs(cAll);
      const diff = new Map(SETS.map((s) => [s.id, (nsbCost.get(s.id) as number) - (cCost.get(s.id) as number)]));
      const settled =
        lastDiff !== null &&
        SETS.every(
          (s) =>
            Math.abs((diff.get(s.id) as number) - ((lastDiff as Map<string, number>).get(s.id) as number)) < STABLE_NS,
        );
      lastDiff = diff;
      process.stderr.write(`  ${mode.name}: block ${blocks + 1}${settled ? ' (settled)' : ''}\n`);
      if (blocks + 1 >= MIN_BLOCKS && settled) {
        blocks++;
        break;
      }
    }
    const nsbCost = costs(nsbAll);
    const cCost = costs(cAll);
    const rows: string[][] = [];
    const figures: Record<string, unknown> = {};
    let agreeing = 0;
    for (const s of SETS) {
      if (s.id === 'bare') continue;
      const a = nsbCost.get(s.id) as number;
      const b = cCost.get(s.id) as number;
      const spread = (k: 'nsb' | 'c') => {
        const xs = perBlock.map((p) => p[k].get(s.id) as number);
        return Math.max(...xs) - Math.min(...xs);
      };
      // the difference's 95% CI from the per-block differences (t interval: blocks are the independent replicates)
      const ci = meanCI95(perBlock.map((p) => (p.nsb.get(s.id) as number) - (p.c.get(s.id) as number)));
      const half = ci ? (ci.high - ci.low) / 2 : NaN;
      const agree = Math.abs(a - b) <= Math.max(AGREE_NS, AGREE_SHARE * Math.abs(b));
      if (agree) agreeing++;
      figures[s.id] = {
        nsbenchCostNs: a,
        cLoopCostNs: b,
        differenceNs: a - b,
        differenceCI95HalfNs: half,
        nsbenchSpreadNs: spread('nsb'),
        cLoopSpreadNs: spread('c'),
        agree,
        n: nsbAll.get(s.id)?.length ?? 0,
      };
      rows.push([
        s.id,
        formatNs(a),
        formatNs(b),
        `${a - b >= 0 ? '+' : ''}${formatNs(a - b)}`,
        `± ${formatNs(half)}`,
        formatNs(spread('nsb')),
        formatNs(spread('c')),
        agree ? 'yes' : 'no',
      ]);
    }
    const bare = { nsbenchNs: median(nsbAll.get('bare') ?? [NaN]), cLoopNs: median(cAll.get('bare') ?? [NaN]) };
    (report.modes as Record<string, unknown>)[mode.name] = { blocks, bare, sets: figures };
    console.log(
      `\n${mode.name} — ${blocks} blocks × ${ROUNDS} rounds; bare boot p50 nsbench ${formatNs(bare.nsbenchNs)}, C loop ${formatNs(bare.cLoopNs)}`,
    );
    console.log(
      textTable(
        ['set', 'nsbench cost', 'C-loop cost', 'difference', '95% CI', 'spread (nsbench)', 'spread (C loop)', 'agree'],
        rows,
      ),
    );
    console.log(
      `   cost: boot p50 minus bare's, pooled over the blocks; 95% CI of the difference from the per-block differences; spread: max − min of the per-block costs; agree: within ${AGREE_SHARE * 100}% or ${AGREE_NS / 1e3} µs — ${agreeing} of ${rows.length} sets`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const file =
  args.json ?? join(PROJECT_ROOT, 'results', `perf-validity-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileAtomic(file, `${JSON.stringify(report, null, 1)}\n`);
console.log(`\nfigures: ${file}`);
