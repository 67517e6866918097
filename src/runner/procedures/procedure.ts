import type { CgroupManager } from '../../cgroup/index.ts';
import type { LaunchResult, SandboxSpec } from '../../launcher/index.ts';
import type { Sample } from '../../results/index.ts';
import type { ResolvedVariant, Scenario } from '../../scenario/index.ts';

/** What the runner needs of a launcher; tests pass one with fixed timings. */
export interface Launchable {
  run(spec: SandboxSpec): Promise<LaunchResult>;
  hold?(spec: SandboxSpec): Promise<LaunchResult>;
  holdMany?(spec: SandboxSpec, count: number): Promise<LaunchResult[]>;
  release?(id: number, opts?: { signal?: number; timeoutMs?: number }): Promise<LaunchResult>;
  close(): unknown;
}

/** Where a sample sits in the run. */
export interface SampleBase {
  scenario: string;
  variant: string;
  round: number;
  warmup: boolean;
  seq: number;
}

export interface ProcedureContext {
  scenario: Scenario;
  timeoutMs: number;
  /** the current launcher (it may be restarted between samples) */
  launcher(): Launchable;
  cgroups(): CgroupManager;
  euid: number;
}

/**
 * How one kind of scenario takes a sample. The runner owns the rounds, the
 * shuffled order, the results and the launcher's restarts; a procedure owns
 * what a single measurement is.
 */
export interface Procedure {
  /** Why the variant cannot run here (checked once), or null. */
  skipReason(v: ResolvedVariant): string | null;
  /** Prepares long-lived state (held sandboxes) before the first round. */
  setup?(variants: ResolvedVariant[]): Promise<void>;
  /** One measurement; failures are returned as errored samples. Throws only if the launcher channel broke. */
  sample(v: ResolvedVariant, base: SampleBase): Promise<Sample>;
  /** Removes whatever setup made; runs on success and on error. */
  teardown?(): Promise<void>;
}
