import type { CgroupManager } from '../../cgroup/index.ts';
import type { LaunchResult, SandboxSpec } from '../../launcher/index.ts';
import type { CreateMethod, Sample, SampleBase, ScenarioKind } from '../../results/index.ts';
import type { ResolvedVariant, Scenario, ScenarioOf, VariantOf } from '../../scenario/index.ts';
import type { Pacing } from '../pacing.ts';

/** What the runner needs of a launcher to take launch samples; tests pass one with fixed timings. */
export interface Launchable {
  /** the launcher process, where there is one (its CPU affinity can be set) */
  readonly pid?: number;
  /** every launcher process, where there are several (an A/B of two launcher builds): each is placed as `pid` is */
  readonly pids?: readonly number[];
  run(spec: SandboxSpec): Promise<LaunchResult>;
  /** back-to-back pacing: `count` launches in a row inside the launcher */
  runMany(spec: SandboxSpec, count: number): Promise<LaunchResult[]>;
  close(): unknown;
}

/** A launcher that also holds sandboxes alive until released (freeze, network, density, isolation, interference). */
export interface Holder extends Launchable {
  hold(spec: SandboxSpec): Promise<LaunchResult>;
  holdMany(spec: SandboxSpec, count: number): Promise<LaunchResult[]>;
  release(id: number, opts?: { signal?: number; timeoutMs?: number }): Promise<LaunchResult>;
}

/**
 * The launcher as a Holder, or the one error of a launcher that cannot hold (a test's fixed launcher in a holding
 * scenario).
 */
export function asHolder(l: Launchable): Holder {
  const h = l as Partial<Holder>;
  if (typeof h.hold !== 'function' || typeof h.holdMany !== 'function' || typeof h.release !== 'function')
    throw new Error('this launcher cannot hold sandboxes');
  return l as Holder;
}

/**
 * Where a sample sits in the run, and the conditions the runner set for it (pace, predecessor, quiesce wait): results'
 * one definition.
 */
export type { SampleBase };

export interface ProcedureContext<S extends { kind: ScenarioKind } = Scenario> {
  scenario: S;
  timeoutMs: number;
  /** the current launcher (it may be restarted between samples) */
  launcher(): Launchable;
  /** the current launcher as a Holder (procedures that keep sandboxes alive) */
  holder(): Holder;
  cgroups(): CgroupManager;
  euid: number;
  /** how this scenario's launches are paced (launch scenarios apply the gap, back-to-back bursts) */
  pacing: Pacing;
  /** how the launcher makes this scenario's sandboxes (launcher() and holder() already ask for it) */
  create: CreateMethod;
}

/**
 * The launcher, asking for vfork-style creation on every request that does not say (the one place a scenario's
 * create method reaches the launcher: every kind's procedure launches through it).
 */
export function creating<L extends Launchable>(l: L, create: CreateMethod): L {
  if (create === 'fork') return l;
  const ask = (spec: SandboxSpec): SandboxSpec => (spec.vfork === undefined ? { ...spec, vfork: true } : spec);
  return new Proxy(l, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      if (prop === 'run' || prop === 'runMany' || prop === 'hold' || prop === 'holdMany')
        return (spec: SandboxSpec, ...rest: unknown[]) =>
          (v as (s: SandboxSpec, ...r: unknown[]) => unknown).call(target, ask(spec), ...rest);
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/**
 * How one kind of scenario takes a sample. The runner owns the rounds, the
 * shuffled order, the results and the launcher's restarts; a procedure owns
 * what a single measurement is.
 */
export interface Procedure<V extends ResolvedVariant = ResolvedVariant> {
  /** Why the variant cannot run here (checked once), or null. */
  skipReason(v: V): string | null;
  /** Prepares long-lived state (held sandboxes) before the first round. */
  setup?(variants: V[]): Promise<void>;
  /** One measurement; failures are returned as errored samples. Throws only if the launcher channel broke. */
  sample(v: V, base: SampleBase): Promise<Sample>;
  /**
   * back-to-back pacing: `count` launches of the variant in a row inside the launcher, one sample each (the first is
   * the lead-in).
   */
  burst?(v: V, base: SampleBase, count: number): Promise<Sample[]>;
  /** Removes whatever setup made; runs on success and on error. */
  teardown?(): Promise<void>;
}

/** The context and procedure of one scenario kind: its variants typed as that kind's (VariantOf<K>). */
export type ContextOf<K extends ScenarioKind> = ProcedureContext<ScenarioOf<K>>;
export type ProcedureOf<K extends ScenarioKind> = Procedure<VariantOf<K>>;

/**
 * One step of a procedure's teardown (release a sandbox, thaw or remove a group): a step that fails — the sandbox
 * already gone, a group that will not go — does not stop the steps after it. Its error is dropped on purpose: what
 * it leaves behind is found and named by the run's leak check and removed by `nsbench cleanup`, and where the
 * teardown runs in a `finally`, the error that ended the measurement is the one reported.
 */
export async function bestEffort(step: Promise<unknown>): Promise<void> {
  await step.catch(() => undefined); // see above: the leak check reports what this step left
}
