import type { TopLevelSpec } from 'vega-lite';
import { PHASES } from '../launcher/index.ts';
import {
  type KernelRow,
  kernelAttribution,
  NS_FUNCTIONS,
  type RunResults,
  type ScenarioResult,
} from '../results/index.ts';
import { formatNs } from '../util/index.ts';
import type { Chart } from './charts.ts';
import { carryOverRows } from './conditions.ts';

// "Inside the kernel": per traced launch scenario (kernelTrace), the boot
// breakdown with slices named after kernel work, running and waiting per
// phase, the system calls, the work each exit leaves behind, the carry-over
// beside the deferred work that explains it, the function-level split and
// the footprint. Figures from results/kernel.ts; tables as header + rows so
// that HTML and Markdown show the same.

const short = (phase: string) => phase.replace(/Ns$/, '');

interface KernelTables {
  sc: ScenarioResult;
  /** what was traced, in one line */
  traced: string;
  chart: Chart | null;
  tables: { title: string; note: string; header: string[]; rows: string[][] }[];
}

/** The scenarios of a run traced with kernelTrace (or that asked for it and were not), each with its tables. */
export function kernelSections(run: RunResults): KernelTables[] {
  const out: KernelTables[] = [];
  for (const sc of run.scenarios) {
    if (!sc.kernelTrace) continue;
    const k = sc.kernelTrace;
    const rows = kernelAttribution(sc);
    const traced = k.traced
      ? `traced: system calls, waiting, cgroup events${sc.kernelWork?.traced ? ', deferred work' : ''}; ${k.functions ? 'function-level split of clone (function tracer)' : `no function-level split (${k.reason ?? 'this kernel does not allow it: nsbench doctor'})`}${k.footprint ? '; kernel footprint' : ''}`
      : `not traced: ${k.reason ?? 'unknown'} — its samples were skipped`;
    if (!rows?.length) {
      out.push({ sc, traced, chart: null, tables: [] });
      continue;
    }
    out.push({ sc, traced, chart: sliceChart(sc, rows), tables: tablesOf(sc, rows) });
  }
  return out;
}

function tablesOf(sc: ScenarioResult, rows: KernelRow[]): KernelTables['tables'] {
  const t: KernelTables['tables'] = [];
  t.push({
    title: 'Running and waiting during boot (median per launch)',
    note: 'On a CPU: the launcher or a task of the sandbox was running. Waiting: none was (blocked in the kernel, or waiting for a CPU — its own column). Per phase: the wait inside it.',
    header: [
      'variant',
      'n',
      'boot',
      'on a CPU',
      'waiting',
      'of it for a CPU',
      ...PHASES.map((p) => `wait in ${short(p)}`),
    ],
    rows: rows.map((r) => [
      r.variant,
      String(r.n),
      formatNs(r.bootNs),
      formatNs(r.runNs),
      formatNs(r.waitNs),
      formatNs(r.waitCpuNs),
      ...PHASES.map((p) => formatNs(r.waitByPhase[p])),
    ]),
  });
  const calls = [...new Set(rows.flatMap((r) => r.syscalls.map((c) => c.name)))];
  t.push({
    title: 'System calls of the sandbox and of the launcher for it (median time per launch, calls per launch)',
    note: 'mapWrite: the launcher writing uid_map, setgroups and gid_map; cgroupWrite: its cgroup.procs writes; exit_group runs until the task is gone (namespaces put, deferred work queued).',
    header: ['variant', ...calls],
    rows: rows.map((r) => [
      r.variant,
      ...calls.map((c) => {
        const x = r.syscalls.find((s) => s.name === c);
        return x ? `${formatNs(x.ns)}${x.count !== 1 ? ` (×${+x.count.toFixed(1)})` : ''}` : '-';
      }),
    ]),
  });
  const fns = [...new Set(rows.flatMap((r) => r.work.map((w) => w.fn)))];
  if (fns.length)
    t.push({
      title: 'Left behind after exit: the deferred work each launch leaves (median per launch)',
      note: 'Per work function: its run time, and in brackets the delay from queued to started and the CPU its kworker got; until done: exit → the last of it finished. A batched run (cleanup_net, free_ipc) is shared among the sandboxes it freed.',
      header: ['variant', 'until done', ...fns],
      rows: rows.map((r) => [
        r.variant,
        formatNs(r.doneNs),
        ...fns.map((f) => {
          const w = r.work.find((x) => x.fn === f);
          return w ? `${formatNs(w.ns)} (${formatNs(w.delayNs)} delay, ${formatNs(w.cpuNs)} cpu)` : '-';
        }),
      ]),
    });
  const carry = carryOverRows(sc);
  if (carry.length) {
    const byVariant = new Map(rows.map((r) => [r.variant, r]));
    t.push({
      title: 'Carry-over beside the deferred work that explains it',
      note: 'How much the launch before shifts the next one, beside what the launch before left for the kernel to do: a predecessor whose teardown is still running when the next launch starts is a reason for its shift.',
      header: [
        'after',
        'n',
        'shift of the next launch',
        '95% CI',
        'significant',
        'deferred work it left (cpu)',
        'its teardown done after',
      ],
      rows: carry.map((c) => {
        const r = byVariant.get(c[0] as string);
        const cpu = r ? r.work.reduce((a, w) => a + w.cpuNs, 0) : NaN;
        return [
          ...c,
          r?.work.length
            ? `${formatNs(cpu)} (${r.work
                .slice(0, 2)
                .map((w) => w.fn)
                .join(', ')})`
            : '-',
          formatNs(r?.doneNs),
        ];
      }),
    });
  }
  const order = Object.keys(NS_FUNCTIONS);
  const split = [...new Set(rows.flatMap((r) => r.functions.map((f) => f.fn)))].sort(
    (a, b) => order.indexOf(a) - order.indexOf(b),
  );
  if (split.length)
    t.push({
      title: "Inside clone: each namespace constructor's slice (function tracer, median per launch)",
      note: "From a function's entry to the next traced function's entry (or the call's return): its own work and what it calls; in brackets what it copies or creates (a namespace type; task: the rest of the process copy; nsproxy: the namespace set).",
      header: ['variant', ...split.map((f) => `${f} (${NS_FUNCTIONS[f] ?? '?'})`)],
      rows: rows.map((r) => [r.variant, ...split.map((f) => formatNs(r.functions.find((x) => x.fn === f)?.ns))]),
    });
  if (rows.some((r) => r.footprint)) {
    const base = rows.find((r) => r.variant === sc.baseline)?.footprint;
    t.push({
      title: 'Kernel footprint: distinct kernel functions run per launch, and their calls',
      note: "The function tracer on every function, for the launcher and the sandbox during the launch (request → reaped); after Anjali et al. (VEE '20).",
      header: ['variant', 'distinct functions', 'calls', 'functions vs baseline'],
      rows: rows.map((r) => [
        r.variant,
        r.footprint ? String(Math.round(r.footprint.functions)) : '-',
        r.footprint ? String(Math.round(r.footprint.calls)) : '-',
        r.footprint && base ? `${(r.footprint.functions / base.functions).toFixed(2)}×` : '-',
      ]),
    });
  }
  return t;
}

/**
 * The boot breakdown with kernel-named slices: per variant, each phase split into its system calls (or constructors)
 * and the rest.
 */
function sliceChart(sc: ScenarioResult, rows: KernelRow[]): Chart {
  const ids = rows.map((r) => r.variant);
  const values = rows.flatMap((r) =>
    r.slices.map((s, step) => ({
      variant: r.variant,
      slice: s.name === 'other' ? `${short(s.phase)}: rest` : `${short(s.phase)}: ${s.name}`,
      step,
      us: s.ns / 1e3,
    })),
  );
  // the legend in time order: phase by phase, each phase's named slices as they first appear, its rest last
  const order = PHASES.flatMap((p) => {
    const named = [
      ...new Set(
        rows.flatMap((r) =>
          r.slices.filter((s) => s.phase === p && s.name !== 'other').map((s) => `${short(p)}: ${s.name}`),
        ),
      ),
    ];
    return [...named, `${short(p)}: rest`];
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 640,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'variant', type: 'nominal', sort: ids, title: null },
      x: { field: 'us', type: 'quantitative', stack: 'zero', title: 'µs' },
      color: {
        field: 'slice',
        type: 'nominal',
        sort: order,
        scale: { scheme: 'tableau20' },
        title: 'phase: kernel work',
      },
      order: { field: 'step', type: 'quantitative' },
    },
  };
  return {
    id: `${sc.name}-kernel-breakdown`,
    title: 'Boot inside the kernel: each phase split into the kernel work named in it (medians)',
    read: "Each bar is a variant's boot, phase by phase in time order; a phase's named slices are its system calls (clone3, the map and cgroup writes, mount, sethostname, execve) or, where the function tracer ran, clone's namespace constructors; 'rest' is the phase's time outside them (user space, the launcher's bookkeeping, waiting).",
    spec,
  };
}
