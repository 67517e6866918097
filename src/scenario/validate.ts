import { type Stats, statSync } from 'node:fs';
import type { z } from 'zod';
import { UserError } from '../errors/index.ts';
import { setId } from '../isolation/index.ts';
import type { variantSchema } from '../results/index.ts';
import {
  type CreateMethod,
  isVariantOf,
  KIND_TARGET,
  type Pace,
  type Placement,
  type ResolvedVariant,
  type VariantOf,
} from '../results/index.ts';
import { parseOrFail } from '../util/index.ts';
import { type NetTarget, type ScenarioKind, scenarioSchema, type WorkloadRef } from './schema.ts';

export type { ResolvedVariant, VariantOf };

/** What every scenario has, whatever its kind. */
interface ScenarioCommon {
  name: string;
  description: string;
  file: string;
  workload: WorkloadRef;
  rounds: number | undefined;
  warmup: number | undefined;
  timeoutMs: number | undefined;
  hostname: string;
  baseline: string;
  params: Record<string, string | number | boolean>;
  pace: Pace | undefined;
  placement: Placement | undefined;
  create: CreateMethod | undefined;
  gapMs: number | undefined;
  burst: number | undefined;
  quiesceTimeoutMs: number | undefined;
  /** explicitly asked for or refused; undefined: on with kernelTrace or quiesced pacing */
  kernelWork: boolean | undefined;
  /** kernel attribution asked for (launch scenarios), or null */
  kernelTrace: { functions: boolean; footprint: boolean } | null;
}

/** A scenario of kind K: its variants are VariantOf<K> (a freeze scenario's all carry `freeze`, …). */
export type ScenarioOf<K extends ScenarioKind> = K extends ScenarioKind
  ? ScenarioCommon & { kind: K; variants: VariantOf<K>[] }
  : never;

/**
 * A scenario after validation — a discriminated union on its kind: defaults filled, ids unique, every rule across
 * fields checked.
 */
export type Scenario = { [K in ScenarioKind]: ScenarioOf<K> }[ScenarioKind];

function fail(where: string, what: string, fix: string): never {
  throw new UserError(`${where}: ${what}`, fix);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A fork storm is only ever started with pids.max on its cgroup (and its own internal cap). */
function isForkStorm(w: WorkloadRef): boolean {
  return 'builtin' in w && w.builtin === 'hog' && w.args?.[0] === 'forkstorm';
}

/**
 * A command workload's program, told apart: missing, a folder, not
 * executable. (nsbench execs it as it is: no shell, no PATH lookup.)
 */
function checkProgram(w: WorkloadRef, where: string): void {
  if (!('command' in w)) return;
  const path = w.command[0] as string;
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    fail(
      `${where}.command[0]`,
      `there is no program at ${path}`,
      'check the path (nsbench runs it as it is: no shell, no PATH lookup)',
    );
  }
  if (st.isDirectory())
    fail(`${where}.command[0]`, `${path} is a folder, not a program`, "give the program's own path");
  if (!st.isFile()) fail(`${where}.command[0]`, `${path} is not a regular file`, 'give the path of a program');
  if ((st.mode & 0o111) === 0)
    fail(
      `${where}.command[0]`,
      `${path} is not executable (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`,
      `chmod +x ${path}`,
    );
}

/** A network test with its defaults; iperf3's own limits. */
function resolveNet(n: NetTarget, where: string): NetTarget {
  if (
    n.tool === 'iperf3' &&
    (n.test !== 'stream' || (n.seconds !== undefined && !Number.isInteger(n.seconds)) || n.topology === 'loopback')
  )
    fail(
      `${where}.tool`,
      'iperf3 runs stream tests of whole seconds, between two places (not the loopback topology)',
      'use test: "stream", seconds: 1, and another topology',
    );
  return n.test === 'stream' ? { ...n, seconds: n.seconds ?? 1 } : { ...n, count: n.count ?? 2000 };
}

/** The rules one variant must keep beyond its shape. */
function resolveVariant(v: z.output<typeof variantSchema>, where: string): ResolvedVariant {
  const id = v.id ?? setId(v.ns);
  const { setup, ...rest } = v;
  const out: ResolvedVariant = {
    ...rest,
    id,
    label: v.label ?? id,
    ...(setup === false ? { setup: false as const } : {}),
  };
  if (v.userMap && !v.ns.includes('user'))
    fail(`${where}.userMap`, 'a uid map needs the user namespace in ns', "add 'user' to ns or drop userMap");
  if (v.tmpfs !== undefined) {
    if (!v.ns.includes('mnt'))
      fail(`${where}.tmpfs`, 'a tmpfs of its own needs the mount namespace in ns', "add 'mnt' to ns");
    if (setup === false)
      fail(
        `${where}.tmpfs`,
        'a tmpfs of its own is part of the in-sandbox setup (it needs private propagation)',
        'drop setup: false or the tmpfs',
      );
  }
  if (v.net) out.net = resolveNet(v.net, `${where}.net`);
  if (v.workload) checkProgram(v.workload, `${where}.workload`);
  if (v.antagonist) {
    const a = v.antagonist;
    const ns = a.ns ?? ['pid'];
    if (!ns.includes('pid'))
      fail(
        `${where}.antagonist.ns`,
        'an antagonist runs in a pid namespace, so that one kill ends every process it made',
        "add 'pid' to its ns",
      );
    if (isForkStorm(a.workload) && a.cgroup?.pids?.max === undefined)
      fail(
        `${where}.antagonist.cgroup.pids.max`,
        'a fork storm needs pids.max on its cgroup (nsbench refuses to start one without a limit)',
        'e.g. cgroup: { pids: { max: 64 } }',
      );
    checkProgram(a.workload, `${where}.antagonist.workload`);
    out.antagonist = { ...a, ns };
  }
  return out;
}

/** Each kind's own requirements on its variants. */
const KIND_NEEDS: { [K in keyof typeof KIND_TARGET]: { field: (typeof KIND_TARGET)[K]; what: string; fix: string } } = {
  freeze: {
    field: KIND_TARGET.freeze,
    what: 'a freeze scenario needs freeze: { processes, mode, freezer } in every variant',
    fix: 'build the variants with freezeVariants({...})',
  },
  density: {
    field: KIND_TARGET.density,
    what: 'a density scenario needs density: { target } in every variant (it refuses to ramp without a limit)',
    fix: 'e.g. density: { target: 2000 }',
  },
  network: {
    field: KIND_TARGET.network,
    what: 'a network scenario needs net: { topology, test } in every variant',
    fix: 'build the variants with networkVariants({...})',
  },
  scaling: {
    field: KIND_TARGET.scaling,
    what: 'a scaling scenario needs scaling: { k } in every variant (how many launchers at once)',
    fix: 'build the variants with scalingVariants({ sets: [...] })',
  },
};

/**
 * Checks a scenario module's default export against the schema and the rules across its fields; every message names the
 * file and field.
 */
export function validateScenario(def: unknown, file: string): Scenario {
  const at = (field: string) => `${file}: ${field}`;
  if (!isRecord(def))
    fail(
      file,
      'does not export a scenario (export default defineScenario({...}))',
      'add `export default defineScenario({...})`',
    );
  const d = parseOrFail(scenarioSchema, def, file);
  checkProgram(d.workload, at('workload'));
  const variants = d.variants.map((v, i) => resolveVariant(v, at(`variants[${i}]`)));
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (seen.has(v.id))
      fail(at(`variants[${i}].id`), `duplicate variant id "${v.id}"`, 'give each variant a distinct id');
    seen.add(v.id);
  });
  const baseline = d.baseline ?? 'bare';
  if (d.baseline !== undefined && !seen.has(baseline))
    fail(at('baseline'), `no variant with id ${JSON.stringify(baseline)}`, 'name one of the variant ids');
  variants.forEach((v, i) => {
    if (v.baseline !== undefined && !seen.has(v.baseline))
      fail(
        at(`variants[${i}].baseline`),
        `no variant with id ${JSON.stringify(v.baseline)}`,
        'name one of the variant ids',
      );
  });
  const kind = d.kind ?? 'launch';
  if (d.kernelTrace && kind !== 'launch')
    fail(
      at('kernelTrace'),
      `only a launch scenario traces the kernel per launch (this one is "${kind}")`,
      'drop kernelTrace, or trace a launch scenario',
    );
  if (kind === 'isolation' && !('builtin' in d.workload && d.workload.builtin === 'probe'))
    fail(at('workload'), 'an isolation scenario runs the probe', "set workload: { builtin: 'probe' }");
  const needs = (
    KIND_NEEDS as Partial<Record<ScenarioKind, { field: keyof ResolvedVariant; what: string; fix: string }>>
  )[kind];
  variants.forEach((v, i) => {
    if (v.antagonist && kind !== 'interference')
      fail(
        at(`variants[${i}].antagonist`),
        `only an interference scenario runs antagonists (this one is "${kind}")`,
        "set kind: 'interference' or drop the antagonist",
      );
    if (needs && !v[needs.field]) fail(at(`variants[${i}].${needs.field}`), needs.what, needs.fix);
    for (const [other, field] of Object.entries(KIND_TARGET))
      if (other !== kind && v[field] !== undefined)
        fail(
          at(`variants[${i}].${field}`),
          `only a ${other} scenario's variants have ${field} (this one is "${kind}")`,
          `set kind: '${other}' or drop ${field}`,
        );
    if (v.mounts !== undefined && (kind !== 'launch' || v.engine))
      fail(
        at(`variants[${i}].mounts`),
        kind !== 'launch'
          ? `only a launch scenario's sandboxes are created from a crowded mount table (this one is "${kind}")`
          : "an engine makes its own mount namespace: a crowded mount table is for nsbench's own launcher",
        'drop mounts',
      );
    if (kind === 'scaling' && (v.cgroup || v.engine || v.tmpfs))
      fail(
        at(`variants[${i}].${v.cgroup ? 'cgroup' : v.engine ? 'engine' : 'tmpfs'}`),
        "a scaling scenario's launchers create bare namespace sets (no cgroup, engine or tmpfs)",
        'measure those in a launch scenario, or drop the field',
      );
    if (v.setup === false && kind !== 'launch')
      fail(
        at(`variants[${i}].setup`),
        `only a launch scenario can skip the in-sandbox setup (this one is "${kind}")`,
        'drop setup: false',
      );
  });
  validatePacing(d, kind, at);
  if (!variants.every((v) => isVariantOf(kind, v)))
    throw new Error(`internal: ${file}: a variant passed validation without what a ${kind} scenario needs`);
  return {
    name: d.name,
    description: d.description,
    file,
    kind,
    workload: d.workload,
    variants: variants as VariantOf<typeof kind>[],
    rounds: d.rounds,
    warmup: d.warmup,
    timeoutMs: d.timeoutMs,
    hostname: d.hostname ?? 'nsb-sandbox',
    baseline,
    params: d.params ?? {},
    pace: d.pace,
    placement: d.placement,
    create: d.create,
    gapMs: d.gapMs,
    burst: d.burst,
    quiesceTimeoutMs: d.quiesceTimeoutMs,
    kernelWork: d.kernelWork,
    kernelTrace: d.kernelTrace
      ? {
          functions: d.kernelTrace === true ? false : d.kernelTrace.functions === true,
          footprint: d.kernelTrace === true ? false : d.kernelTrace.footprint === true,
        }
      : null,
  } as unknown as Scenario; // each variant checked by isVariantOf just above
}

/** The scenario with only the variants `keep` accepts (its kind, and so its variants' type, kept). */
export function keepVariants<S extends Scenario>(sc: S, keep: (v: S['variants'][number]) => boolean): S {
  return { ...sc, variants: (sc.variants as S['variants'][number][]).filter(keep) };
}

/** pace, gapMs, burst and quiesceTimeoutMs: each only where it means something. */
function validatePacing(
  d: {
    pace?: Pace | undefined;
    placement?: Placement | undefined;
    gapMs?: number | undefined;
    burst?: number | undefined;
    quiesceTimeoutMs?: number | undefined;
  },
  kind: ScenarioKind,
  at: (field: string) => string,
): void {
  if (d.pace && d.pace !== 'interleaved' && kind !== 'launch')
    fail(at('pace'), `only launch scenarios can be paced ${d.pace} (this one is "${kind}")`, 'leave pace out');
  if (d.placement !== undefined && kind !== 'launch')
    fail(
      at('placement'),
      `only launch scenarios are placed on CPUs (this one is "${kind}" and uses the whole machine)`,
      'leave placement out',
    );
  if (d.gapMs !== undefined && kind !== 'launch')
    fail(at('gapMs'), `only launch scenarios keep a gap between launches (this one is "${kind}")`, 'leave gapMs out');
  if (d.burst !== undefined && d.pace !== 'back-to-back')
    fail(at('burst'), 'burst is the length of a back-to-back burst', "set pace: 'back-to-back' or drop burst");
  if (d.quiesceTimeoutMs !== undefined && d.pace !== 'quiesced')
    fail(
      at('quiesceTimeoutMs'),
      'quiesceTimeoutMs bounds the wait of quiesced pacing',
      "set pace: 'quiesced' or drop quiesceTimeoutMs",
    );
}
