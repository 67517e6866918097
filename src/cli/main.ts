import { CommanderError } from 'commander';
import { formatError } from '../errors/index.ts';
import { registry, removeAllAndExit } from '../host/index.ts';
import { buildProgram, checkArgv } from './program.ts';

/**
 * An exception nothing caught (a bug, or a failure outside any await chain):
 * one line, everything this run created removed, exit 70.
 */
function onFatal(e: unknown, debug: boolean): void {
  process.stderr.write(`${formatError(e, debug).replace(/^error: /, 'error: internal error: ')}\n`);
  removeAllAndExit(70);
}

/** Runs the CLI; returns the exit code. One top-level catch prints `error: <cause> — <fix>`. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  // a closed stdout (nsbench … | head -1) ends the program quietly, as Unix tools do (after removing what it made);
  // a closed stderr only silences the progress: a run goes on
  process.stdout.on('error', (e: NodeJS.ErrnoException) =>
    e.code === 'EPIPE'
      ? removeAllAndExit(typeof process.exitCode === 'number' ? process.exitCode : 0)
      : onFatal(e, debug),
  );
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') onFatal(e, debug);
  });
  process.on('uncaughtException', (e) => onFatal(e, debug));
  process.on('unhandledRejection', (e) => onFatal(e, debug));
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    checkArgv(program, argv);
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2
      return e.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`${formatError(e, argv.includes('--debug'))}\n`);
    // whatever a command still had registered when the error left it (a full disk mid-run: the trace instance) goes too
    for (const f of await registry.removeAll())
      process.stderr.write(`warning: could not remove ${f} — run \`nsbench cleanup\`\n`);
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
}
