import { CommanderError } from 'commander';
import { formatError } from '../errors/index.ts';
import { buildProgram } from './program.ts';

/** Runs the CLI; returns the exit code. One top-level catch prints `error: <cause> — <fix>`. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  program.configureOutput({
    // commander's own messages ("error: unknown option '--x'") are already one line
    outputError: (str, write) => write(str),
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2
      return e.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`${formatError(e, argv.includes('--debug'))}\n`);
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
}
