import { validateCgroupSpec, type CgroupSpec } from '../cgroup/spec.ts';
import { UserError } from '../errors/index.ts';
import { ENGINES } from '../engines/index.ts';
import { TOOL_ADAPTERS } from '../workloads/index.ts';
import { setId, validateNamespaceArray } from '../isolation/index.ts';
import { TOPOLOGIES, type TopologyKind } from '../network/topology.ts';
import { PACES, type Pace } from '../results/types.ts';
import { SCENARIO_KINDS, type AntagonistSpec, type DensityTarget, type FreezeTarget, type NetTarget, type ScenarioDefinition, type ScenarioKind, type VariantDefinition, type WorkloadRef } from './define.ts';

/** A scenario after validation: defaults filled, ids unique. */
export interface Scenario {
  name: string;
  description: string;
  file: string;
  kind: ScenarioKind;
  workload: WorkloadRef;
  variants: ResolvedVariant[];
  rounds: number | undefined;
  warmup: number | undefined;
  timeoutMs: number | undefined;
  hostname: string;
  baseline: string;
  params: Record<string, string | number | boolean>;
  pace: Pace | undefined;
  gapMs: number | undefined;
  burst: number | undefined;
  quiesceTimeoutMs: number | undefined;
  kernelWork: boolean;
}

export interface ResolvedVariant {
  id: string;
  label: string;
  ns: VariantDefinition['ns'];
  userMap?: { uid: number; gid: number };
  cgroup?: CgroupSpec;
  workload?: WorkloadRef;
  baseline?: string;
  freeze?: FreezeTarget;
  net?: NetTarget;
  tmpfs?: string;
  density?: DensityTarget;
  engine?: string;
  antagonist?: AntagonistSpec;
  /** false: no in-sandbox setup */
  setup?: false;
}

const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

function fail(where: string, what: string, fix: string): never {
  throw new UserError(`${where}: ${what}`, fix);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalCount(v: unknown, where: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(where, `expected an integer >= ${min}, got ${JSON.stringify(v)}`, `set ${where.split(': ').pop()} to a whole number`);
  return v;
}

function validateWorkload(v: unknown, where: string): WorkloadRef {
  if (!isRecord(v)) fail(where, 'expected { builtin: "noop" } or { command: ["prog", ...] }', 'set workload to a built-in name or a command');
  if ('builtin' in v) {
    if (typeof v.builtin !== 'string' || !NAME_RE.test(v.builtin)) fail(`${where}.builtin`, `not a workload name: ${JSON.stringify(v.builtin)}`, 'use a name from `nsbench list`');
    const args = v.args ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) fail(`${where}.args`, 'expected an array of strings', 'pass arguments as strings');
    return { builtin: v.builtin, args: args as string[] };
  }
  if ('tool' in v) {
    if (typeof v.tool !== 'string' || !(v.tool in TOOL_ADAPTERS)) fail(`${where}.tool`, `no adapter for ${JSON.stringify(v.tool)} (known: ${Object.keys(TOOL_ADAPTERS).join(', ')})`, 'use a known tool, or { command: [...] }');
    const args = v.args ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) fail(`${where}.args`, 'expected an array of strings', 'pass arguments as strings');
    return { tool: v.tool, args: args as string[] };
  }
  if ('command' in v) {
    const c = v.command;
    if (!Array.isArray(c) || c.length === 0 || c.some((a) => typeof a !== 'string')) fail(`${where}.command`, 'expected a non-empty array of strings', 'e.g. command: ["/bin/true"]');
    if (!(c[0] as string).startsWith('/')) fail(`${where}.command[0]`, `"${c[0]}" is not an absolute path`, 'give the program as an absolute path (no shell, no PATH lookup)');
    return { command: c as string[] };
  }
  return fail(where, 'has neither "builtin", "tool" nor "command"', 'set workload to { builtin: "noop" }, { tool: "sysbench", args: [...] } or { command: [...] }');
}

function validateNet(n: unknown, where: string): NetTarget {
  if (!isRecord(n)) fail(where, 'expected { topology, test, seconds | count, msgSize? }', 'use networkVariants({...})');
  if (!TOPOLOGIES.includes(n.topology as TopologyKind)) fail(`${where}.topology`, `unknown topology ${JSON.stringify(n.topology)} (known: ${TOPOLOGIES.join(', ')})`, 'use one of the known topologies');
  if (n.test !== 'stream' && n.test !== 'rr') fail(`${where}.test`, `expected "stream" or "rr", got ${JSON.stringify(n.test)}`, 'pick stream or rr');
  const out: NetTarget = { topology: n.topology as TopologyKind, test: n.test };
  if (n.tool !== undefined) {
    if (n.tool !== 'net' && n.tool !== 'iperf3') fail(`${where}.tool`, `expected "net" or "iperf3", got ${JSON.stringify(n.tool)}`, 'leave it out for nsbench\'s own client and server');
    if (n.tool === 'iperf3' && (n.test !== 'stream' || (n.seconds !== undefined && !Number.isInteger(n.seconds)) || n.topology === 'loopback'))
      fail(`${where}.tool`, 'iperf3 runs stream tests of whole seconds, between two places (not the loopback topology)', 'use test: "stream", seconds: 1, and another topology');
    out.tool = n.tool;
  }
  if (n.test === 'stream') {
    const sec = n.seconds ?? 1;
    if (typeof sec !== 'number' || !(sec > 0 && sec <= 600)) fail(`${where}.seconds`, 'expected 0 < seconds <= 600', 'e.g. seconds: 1');
    out.seconds = sec;
  } else {
    const count = n.count ?? 2000;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10_000_000) fail(`${where}.count`, 'expected an integer 1..10000000', 'e.g. count: 2000');
    out.count = count;
  }
  if (n.msgSize !== undefined) {
    if ((typeof n.msgSize !== 'string' && typeof n.msgSize !== 'number') || !/^\d+[KMG]?$/i.test(String(n.msgSize))) fail(`${where}.msgSize`, 'expected a size like "128K" or a byte count', 'fix the size');
    out.msgSize = n.msgSize;
  }
  return out;
}

/** A fork storm is only ever started with pids.max on its cgroup (and its own internal cap). */
function isForkStorm(w: WorkloadRef): boolean {
  return 'builtin' in w && w.builtin === 'hog' && w.args?.[0] === 'forkstorm';
}

function validateAntagonist(a: unknown, where: string): AntagonistSpec {
  if (!isRecord(a)) fail(where, 'expected { workload, ns?, cgroup?, settleMs? }', "e.g. antagonist: { workload: { builtin: 'hog', args: ['procs', '4', 'busy'] } }");
  const workload = validateWorkload(a.workload, `${where}.workload`);
  const ns = a.ns === undefined ? (['pid'] as VariantDefinition['ns']) : validateNamespaceArray(a.ns, `${where}.ns`);
  if (!ns.includes('pid')) fail(`${where}.ns`, 'an antagonist runs in a pid namespace, so that one kill ends every process it made', "add 'pid' to its ns");
  const out: AntagonistSpec = { workload, ns };
  if (a.cgroup !== undefined) out.cgroup = validateCgroupSpec(a.cgroup, `${where}.cgroup`);
  if (isForkStorm(workload) && out.cgroup?.pids?.max === undefined)
    fail(`${where}.cgroup.pids.max`, 'a fork storm needs pids.max on its cgroup (nsbench refuses to start one without a limit)', 'e.g. cgroup: { pids: { max: 64 } }');
  if (a.settleMs !== undefined) {
    if (typeof a.settleMs !== 'number' || !Number.isInteger(a.settleMs) || a.settleMs < 0 || a.settleMs > 60_000) fail(`${where}.settleMs`, 'expected 0..60000 ms', 'e.g. settleMs: 200');
    out.settleMs = a.settleMs;
  }
  return out;
}

function validateVariant(v: unknown, where: string): ResolvedVariant {
  if (!isRecord(v)) fail(where, 'expected a variant object { ns: [...] }', 'use the helpers bare(), eachAlone(), all(), nsSet(...)');
  const ns = validateNamespaceArray(v.ns, `${where}.ns`);
  const id = v.id === undefined ? setId(ns) : v.id;
  if (typeof id !== 'string' || id.length === 0) fail(`${where}.id`, 'expected a non-empty string', 'give the variant an id or leave it out');
  const out: ResolvedVariant = { id, label: typeof v.label === 'string' ? v.label : id, ns };
  if (v.userMap !== undefined) {
    const m = v.userMap;
    if (!isRecord(m) || !Number.isInteger(m.uid) || !Number.isInteger(m.gid) || (m.uid as number) < 0 || (m.gid as number) < 0)
      fail(`${where}.userMap`, 'expected { uid: number, gid: number } (host ids >= 0)', 'e.g. userMap: { uid: 65534, gid: 65534 }');
    if (!ns.includes('user')) fail(`${where}.userMap`, 'a uid map needs the user namespace in ns', "add 'user' to ns or drop userMap");
    out.userMap = { uid: m.uid as number, gid: m.gid as number };
  }
  if (v.cgroup !== undefined) out.cgroup = validateCgroupSpec(v.cgroup, `${where}.cgroup`);
  if (v.workload !== undefined) out.workload = validateWorkload(v.workload, `${where}.workload`);
  if (v.baseline !== undefined) {
    if (typeof v.baseline !== 'string') fail(`${where}.baseline`, 'expected a variant id', 'name another variant');
    out.baseline = v.baseline;
  }
  if (v.freeze !== undefined) {
    const f = v.freeze;
    if (!isRecord(f) || !Number.isInteger(f.processes) || (f.processes as number) < 1 || (f.processes as number) > 100_000 || !['busy', 'sleep'].includes(f.mode as string) || !['v1', 'v2'].includes(f.freezer as string))
      fail(`${where}.freeze`, 'expected { processes: 1..100000, mode: "busy" | "sleep", freezer: "v1" | "v2" }', 'use freezeVariants({...})');
    out.freeze = { processes: f.processes as number, mode: f.mode as 'busy' | 'sleep', freezer: f.freezer as 'v1' | 'v2' };
  }
  if (v.net !== undefined) out.net = validateNet(v.net, `${where}.net`);
  if (v.engine !== undefined) {
    if (typeof v.engine !== 'string' || !(v.engine in ENGINES)) fail(`${where}.engine`, `unknown engine ${JSON.stringify(v.engine)} (known: ${Object.keys(ENGINES).join(', ')})`, 'use a known engine, or leave it out for nsbench\'s own launcher');
    out.engine = v.engine;
  }
  if (v.density !== undefined) {
    const d = v.density;
    const int = (x: unknown, min: number, max: number) => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
    if (!isRecord(d) || !int(d.target, 1, 1_000_000)) fail(`${where}.density.target`, 'expected a number of sandboxes 1..1000000', 'e.g. density: { target: 2000 }');
    if (d.minFreeBytes !== undefined && !int(d.minFreeBytes, 0, Number.MAX_SAFE_INTEGER)) fail(`${where}.density.minFreeBytes`, 'expected bytes >= 0', 'e.g. 1073741824');
    if (d.timeBudgetMs !== undefined && !int(d.timeBudgetMs, 1, 86_400_000)) fail(`${where}.density.timeBudgetMs`, 'expected 1..86400000 ms', 'e.g. 120000');
    if (d.holdMs !== undefined && !int(d.holdMs, 0, 3_600_000)) fail(`${where}.density.holdMs`, 'expected 0..3600000 ms', 'e.g. 500');
    out.density = { target: d.target as number, ...(d.minFreeBytes !== undefined ? { minFreeBytes: d.minFreeBytes as number } : {}), ...(d.timeBudgetMs !== undefined ? { timeBudgetMs: d.timeBudgetMs as number } : {}), ...(d.holdMs !== undefined ? { holdMs: d.holdMs as number } : {}), ...(d.perSandboxCgroup ? { perSandboxCgroup: true } : {}) };
  }
  if (v.antagonist !== undefined) out.antagonist = validateAntagonist(v.antagonist, `${where}.antagonist`);
  if (v.setup !== undefined) {
    if (typeof v.setup !== 'boolean') fail(`${where}.setup`, `expected true or false, got ${JSON.stringify(v.setup)}`, 'setup: false skips the in-sandbox setup; leave it out to keep it');
    if (v.setup === false) out.setup = false;
  }
  if (v.tmpfs !== undefined) {
    if (typeof v.tmpfs !== 'string' || !v.tmpfs.startsWith('/')) fail(`${where}.tmpfs`, 'expected an absolute directory path', "e.g. tmpfs: '/dev/shm'");
    if (!ns.includes('mnt')) fail(`${where}.tmpfs`, 'a tmpfs of its own needs the mount namespace in ns', "add 'mnt' to ns");
    if (out.setup === false) fail(`${where}.tmpfs`, 'a tmpfs of its own is part of the in-sandbox setup (it needs private propagation)', 'drop setup: false or the tmpfs');
    out.tmpfs = v.tmpfs;
  }
  return out;
}

/** Checks a scenario module's default export; every message names the file and field. */
export function validateScenario(def: unknown, file: string): Scenario {
  const at = (field: string) => `${file}: ${field}`;
  if (!isRecord(def)) fail(file, 'does not export a scenario (export default defineScenario({...}))', 'add `export default defineScenario({...})`');
  const d = def as Partial<ScenarioDefinition> & Record<string, unknown>;
  if (typeof d.name !== 'string' || !NAME_RE.test(d.name)) fail(at('name'), `expected a lower-case name, got ${JSON.stringify(d.name)}`, 'use letters, digits, ".", "_" and "-"');
  if (typeof d.description !== 'string') fail(at('description'), 'expected a string', 'describe what the scenario measures');
  const workload = validateWorkload(d.workload, at('workload'));
  if (!Array.isArray(d.variants) || d.variants.length === 0) fail(at('variants'), 'expected a non-empty array', 'e.g. variants: [bare(), ...eachAlone(), all()]');
  const variants = d.variants.map((v, i) => validateVariant(v, at(`variants[${i}]`)));
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (seen.has(v.id)) fail(at(`variants[${i}].id`), `duplicate variant id "${v.id}"`, 'give each variant a distinct id');
    seen.add(v.id);
  });
  const baseline = d.baseline ?? 'bare';
  if (typeof baseline !== 'string' || (!seen.has(baseline) && d.baseline !== undefined))
    fail(at('baseline'), `no variant with id ${JSON.stringify(baseline)}`, 'name one of the variant ids');
  variants.forEach((v, i) => {
    if (v.baseline !== undefined && !seen.has(v.baseline)) fail(at(`variants[${i}].baseline`), `no variant with id ${JSON.stringify(v.baseline)}`, 'name one of the variant ids');
  });
  const kind = d.kind ?? 'launch';
  if (!(SCENARIO_KINDS as readonly string[]).includes(kind)) fail(at('kind'), `expected one of ${SCENARIO_KINDS.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(kind)}`, 'leave it out for a launch scenario');
  if (kind === 'isolation' && !('builtin' in workload && workload.builtin === 'probe'))
    fail(at('workload'), 'an isolation scenario runs the probe', "set workload: { builtin: 'probe' }");
  if (kind !== 'interference')
    variants.forEach((v, i) => {
      if (v.antagonist) fail(at(`variants[${i}].antagonist`), `only an interference scenario runs antagonists (this one is "${kind}")`, "set kind: 'interference' or drop the antagonist");
    });
  if (kind === 'freeze')
    variants.forEach((v, i) => {
      if (!v.freeze) fail(at(`variants[${i}].freeze`), 'a freeze scenario needs freeze: { processes, mode, freezer } in every variant', 'build the variants with freezeVariants({...})');
    });
  if (kind === 'density')
    variants.forEach((v, i) => {
      if (!v.density) fail(at(`variants[${i}].density`), 'a density scenario needs density: { target } in every variant (it refuses to ramp without a limit)', 'e.g. density: { target: 2000 }');
    });
  if (kind === 'network')
    variants.forEach((v, i) => {
      if (!v.net) fail(at(`variants[${i}].net`), 'a network scenario needs net: { topology, test } in every variant', 'build the variants with networkVariants({...})');
    });
  if (d.hostname !== undefined && (typeof d.hostname !== 'string' || d.hostname.length === 0 || d.hostname.length > 64))
    fail(at('hostname'), 'expected 1 to 64 characters', 'shorten the hostname');
  if (d.params !== undefined && (!isRecord(d.params) || Object.values(d.params).some((p) => !['string', 'number', 'boolean'].includes(typeof p))))
    fail(at('params'), 'expected an object of strings, numbers and booleans', 'flatten the parameters');
  const pacing = validatePacing(d, kind, at);
  if (kind !== 'launch')
    variants.forEach((v, i) => {
      if (v.setup === false) fail(at(`variants[${i}].setup`), `only a launch scenario can skip the in-sandbox setup (this one is "${kind}")`, 'drop setup: false');
    });
  if (d.kernelWork !== undefined && typeof d.kernelWork !== 'boolean') fail(at('kernelWork'), `expected true or false, got ${JSON.stringify(d.kernelWork)}`, 'kernelWork: false turns the tracing of kernel work off');
  return {
    name: d.name,
    description: d.description,
    file,
    kind,
    workload,
    variants,
    rounds: optionalCount(d.rounds, at('rounds'), 1),
    warmup: optionalCount(d.warmup, at('warmup'), 0),
    timeoutMs: optionalCount(d.timeoutMs, at('timeoutMs'), 1),
    hostname: d.hostname ?? 'nsb-sandbox',
    baseline,
    params: (d.params ?? {}) as Record<string, string | number | boolean>,
    ...pacing,
    kernelWork: d.kernelWork !== false,
  };
}

/** pace, gapMs, burst and quiesceTimeoutMs: each only where it means something. */
export function validatePacing(
  d: { pace?: unknown; gapMs?: unknown; burst?: unknown; quiesceTimeoutMs?: unknown },
  kind: ScenarioKind,
  at: (field: string) => string,
): { pace: Pace | undefined; gapMs: number | undefined; burst: number | undefined; quiesceTimeoutMs: number | undefined } {
  if (d.pace !== undefined && !(PACES as readonly unknown[]).includes(d.pace))
    fail(at('pace'), `expected one of ${PACES.map((p) => `"${p}"`).join(', ')}, got ${JSON.stringify(d.pace)}`, 'leave it out for interleaved');
  const pace = d.pace as Pace | undefined;
  if (pace && pace !== 'interleaved' && kind !== 'launch') fail(at('pace'), `only launch scenarios can be paced ${pace} (this one is "${kind}")`, 'leave pace out');
  if (d.gapMs !== undefined && (typeof d.gapMs !== 'number' || !Number.isFinite(d.gapMs) || d.gapMs < 0 || d.gapMs > 60_000)) fail(at('gapMs'), `expected 0..60000 ms, got ${JSON.stringify(d.gapMs)}`, 'e.g. gapMs: 2');
  if (d.gapMs !== undefined && kind !== 'launch') fail(at('gapMs'), `only launch scenarios keep a gap between launches (this one is "${kind}")`, 'leave gapMs out');
  if (d.burst !== undefined) {
    if (typeof d.burst !== 'number' || !Number.isInteger(d.burst) || d.burst < 1 || d.burst > 999) fail(at('burst'), `expected a whole number 1..999, got ${JSON.stringify(d.burst)}`, 'e.g. burst: 10');
    if (pace !== 'back-to-back') fail(at('burst'), 'burst is the length of a back-to-back burst', "set pace: 'back-to-back' or drop burst");
  }
  if (d.quiesceTimeoutMs !== undefined) {
    if (typeof d.quiesceTimeoutMs !== 'number' || !Number.isInteger(d.quiesceTimeoutMs) || d.quiesceTimeoutMs < 1 || d.quiesceTimeoutMs > 600_000) fail(at('quiesceTimeoutMs'), `expected 1..600000 ms, got ${JSON.stringify(d.quiesceTimeoutMs)}`, 'e.g. quiesceTimeoutMs: 2000');
    if (pace !== 'quiesced') fail(at('quiesceTimeoutMs'), 'quiesceTimeoutMs bounds the wait of quiesced pacing', "set pace: 'quiesced' or drop quiesceTimeoutMs");
  }
  return { pace, gapMs: d.gapMs as number | undefined, burst: d.burst as number | undefined, quiesceTimeoutMs: d.quiesceTimeoutMs as number | undefined };
}
