import { UserError } from '../errors/index.ts';
import { aptPackageOf, builtinWorkload, missingTool, which } from '../host/index.ts';
import { type Metrics, TOOL_ADAPTERS, type ToolAdapter } from './adapters.ts';

/**
 * What a scenario names as its workload: one of nsbench's own (built-in), a real tool through its adapter, or any
 * program.
 */
export type WorkloadRef =
  | { builtin: string; args?: string[] }
  | { tool: string; args: string[] }
  | { command: string[] };

/** The program and argv a workload runs as. */
export function workloadCommand(w: WorkloadRef): { path: string; argv: string[] } {
  if ('builtin' in w) return { path: builtinWorkload(w.builtin), argv: [w.builtin, ...(w.args ?? [])] };
  if ('tool' in w) {
    const adapter = TOOL_ADAPTERS[w.tool] as ToolAdapter;
    const path = which(w.tool);
    if (!path) throw new UserError(`${w.tool} is not installed`, `apt-get install ${aptPackageOf(w.tool)}`);
    return { path, argv: [w.tool, ...adapter.fixedArgs(w.args)] };
  }
  return { path: w.command[0] as string, argv: w.command };
}

/** Why a workload cannot run here (a tool that is not installed), or null. */
export function workloadSkipReason(w: WorkloadRef): string | null {
  return 'tool' in w ? missingTool(w.tool) : null;
}

/** Metrics from the workload's output: the tool's adapter, or the JSON line of our own workloads. */
export function outputMetrics(w: WorkloadRef, stdout: string): Metrics {
  return 'tool' in w ? (TOOL_ADAPTERS[w.tool] as ToolAdapter).parse(stdout) : workloadMetrics(stdout);
}

/** Numeric fields of the workload's JSON line (its last line on stdout), as `workload.<name>`. */
export function workloadMetrics(stdout: string): Metrics {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim() ?? '';
    if (!line.startsWith('{')) continue;
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      const out: Metrics = {};
      for (const [k, v] of Object.entries(obj))
        if (typeof v === 'number' && Number.isFinite(v)) out[`workload.${k}`] = v;
      return out;
    } catch {
      return {};
    }
  }
  return {};
}
