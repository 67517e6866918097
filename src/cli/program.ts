import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { nsbenchVersion } from '../runner/index.ts';
import { doctorCommand } from './commands/doctor.ts';
import { listCommand } from './commands/list.ts';
import { runCommand, type RunCommandOptions } from './commands/run.ts';

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The command table; each action parses options and calls the library. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('nsbench')
    .description('Measure what Linux isolation costs: namespaces and cgroups against bare processes.')
    .version(nsbenchVersion())
    .option('--debug', 'print stack traces for unexpected errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('run scenarios (default: those in bench.config.ts) and write results/<run-id>.{json,csv}')
    .argument('[scenario...]', 'scenario names (scenarios/<name>.ts) or paths to scenario files')
    .addOption(new Option('-n, --ns <set>', 'run this namespace set instead of the scenarios\' variants; repeat for several. A set is a list like "user,pid" or "bare", "all", "each" (each alone), "powerset", or a preset name').argParser(collect))
    .option('-r, --rounds <n>', 'measured rounds (each runs every variant once, in random order)', integer(1))
    .option('-w, --warmup <n>', 'warm-up rounds, dropped from the statistics', integer(0))
    .option('--seed <n>', 'seed of the per-round shuffle (default: random, recorded in the results)', integer(0))
    .option('--timeout-ms <ms>', 'kill a sandbox that runs longer than this', integer(1))
    .option('-o, --out <dir>', 'results folder (default: outDir of bench.config.ts, "results")')
    .option('-c, --config <file>', 'config file (default: bench.config.ts)')
    .option('-q, --quiet', 'no progress output')
    .action(async (names: string[], opts: RunCommandOptions) => setExit(await runCommand(names, opts)));

  program
    .command('list')
    .description('list scenarios, namespaces, presets and built-in workloads')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => setExit(await listCommand(opts)));

  program
    .command('doctor')
    .description('check privileges, kernel support per namespace, cgroup mode and tools, with the fix for each problem')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }) => setExit(await doctorCommand(opts)));

  return program;
}

export { CommanderError };
