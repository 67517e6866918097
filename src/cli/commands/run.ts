import { relative } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { runSummary, writeReports } from '../../report/index.ts';
import { TerminalProgress, runBenchmark } from '../../runner/index.ts';
import { loadScenario, parseVariantSpecs } from '../../scenario/index.ts';

export interface RunCommandOptions {
  ns?: string[];
  rounds?: number;
  warmup?: number;
  seed?: number;
  timeoutMs?: number;
  out?: string;
  config?: string;
  quiet?: boolean;
  report?: boolean;
}

/** `nsbench run [scenario...]` */
export async function runCommand(names: string[], o: RunCommandOptions): Promise<number> {
  const config = await loadConfig(o.config);
  const variants = o.ns && o.ns.length > 0 ? parseVariantSpecs(o.ns) : undefined;
  const scenarios = [];
  for (const name of names.length > 0 ? names : config.scenarios) scenarios.push(await loadScenario(name));

  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ninterrupted: finishing the current launch and writing what was measured (Ctrl-C again to force)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    if (!o.quiet) process.stderr.write(`nsbench: running ${scenarios.map((s) => s.name).join(', ')}\n`);
    const outcome = await runBenchmark({
      scenarios,
      ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
      ...(o.warmup !== undefined ? { warmup: o.warmup } : {}),
      defaultRounds: config.rounds,
      defaultWarmup: config.warmup,
      defaultTimeoutMs: o.timeoutMs ?? config.timeoutMs,
      ...((o.seed ?? config.seed) !== undefined ? { seed: (o.seed ?? config.seed) as number } : {}),
      outDir: o.out ?? config.outDir,
      ...(variants ? { variants } : {}),
      ...(o.quiet ? {} : { progress: new TerminalProgress() }),
      signal: abort.signal,
    });
    process.stdout.write(`${runSummary(outcome.run)}\n\n`);
    const f = outcome.files;
    const rel = (p: string) => relative(process.cwd(), p) || p;
    process.stdout.write(
      `${outcome.interrupted ? 'partial results' : 'results'}: ${rel(f.json)}\n  samples as measured: ${rel(f.samplesJsonl)}\n  CSV: ${rel(f.csv)} (raw, long form), ${rel(f.summaryCsv)} (summary)\n`,
    );
    if (o.report !== false) {
      const r = await writeReports(outcome.run, config.reportsDir);
      process.stdout.write(`  report: ${rel(r.html)} (HTML, ${r.charts} charts), ${rel(r.markdown)} (Markdown)\n`);
    }
    return outcome.interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
