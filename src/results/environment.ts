import { z } from 'zod';

/**
 * A fact about the machine read back from a results file: its value where it has the shape nsbench writes, else
 * absent. The environment describes a run, it does not decide one: a file from an older nsbench, or one another
 * machine mangled, still reads, with the facts it lacks shown as unknown ("?") — never a reason to refuse the
 * samples it carries.
 */
const fact = <T extends z.ZodType>(t: T) => t.optional().catch(undefined);

const str = fact(z.string());
const strOrNull = fact(z.string().nullable());
const int = fact(z.number());

/** The machine and the run's circumstances (results.environment): declared once, read everywhere without casts. */
export const environmentSchema = z
  .object({
    hostname: str,
    kernel: fact(z.object({ release: str, version: str, arch: str })),
    cpu: fact(z.object({ model: str, cores: int, governor: strOrNull })),
    memoryBytes: int,
    freeMemoryBytes: int,
    /** 1, 5 and 15 minute load averages when the run started, and when it ended */
    loadAverage: fact(z.array(z.number())),
    loadAverageAtEnd: fact(z.array(z.number())),
    virtualization: fact(
      z.object({
        detected: strOrNull,
        hypervisorFlag: fact(z.boolean()),
        dmiVendor: strOrNull,
        dmiProduct: strOrNull,
        container: strOrNull,
      }),
    ),
    /** /sys/devices/system/cpu/vulnerabilities, file by file */
    mitigations: fact(z.record(z.string(), z.string())),
    cgroups: fact(
      z.object({
        mode: str,
        v2Root: strOrNull,
        v2Controllers: fact(z.array(z.string())),
        v1Controllers: fact(z.record(z.string(), z.string())),
        self: fact(z.record(z.string(), z.string())),
      }),
    ),
    /** what the launcher says it can do (`nsb-launcher probe`), as it says it */
    launcher: z.unknown().optional(),
    sysctl: fact(z.record(z.string(), z.string().nullable())),
    euid: fact(z.number().nullable()),
    node: str,
    nsbench: str,
    commit: strOrNull,
    /** the run's seed and its plan as the command line asked for it (what `--resume` replays) */
    seed: int,
    plan: z.unknown().optional(),
    /** an A/B run: what tells its sides apart */
    ab: z.unknown().optional(),
    /** nsb- objects of earlier runs on the machine when this one started, and runs alive beside it */
    leftoversBefore: fact(z.array(z.string())),
    liveRunsBeside: fact(z.array(z.object({ runId: str, pid: int }).catchall(z.unknown()))),
    /** a resumed run: how many samples it started from, and per resume what differed from the original machine */
    resumedWith: int,
    resumes: fact(
      z.array(
        z.object({ at: str, loadAverage: fact(z.array(z.number())), changed: fact(z.record(z.string(), z.unknown())) }),
      ),
    ),
    /** a run rebuilt from its samples file (a run that died): that file */
    rebuiltFrom: str,
    /** the profile a samples file's run followed (the final .json carries it beside the environment) */
    profile: z.unknown().optional(),
    /** where the run's cgroups were, what could not be removed, and nsb- objects the run left */
    cgroupPlacement: z.unknown().optional(),
    cleanupFailures: fact(z.array(z.string())),
    leaks: fact(z.array(z.string())),
    /** share of CPU time the hypervisor took (steal) during the run */
    stealFraction: fact(z.number()),
  })
  // facts a newer nsbench records: kept as they are
  .catchall(z.unknown());

export type Environment = z.infer<typeof environmentSchema>;

/** Load average per core when the run started: how busy the machine was before nsbench began. */
export function loadPerCoreAtStart(env: Environment): number {
  return (env.loadAverage?.[0] ?? 0) / (env.cpu?.cores || 1);
}
