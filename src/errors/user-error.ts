/**
 * An error the user can cause and fix: a bad config or scenario, a missing
 * privilege or tool. Printed as one line, `error: <cause> — <fix>`, with a
 * non-zero exit code and no stack trace (unless --debug).
 */
export class UserError extends Error {
  readonly fix: string;
  readonly exitCode: number;
  constructor(cause: string, fix: string, exitCode = 2) {
    super(cause);
    this.name = 'UserError';
    this.fix = fix;
    this.exitCode = exitCode;
  }
}

function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The one line the CLI prints for an error. */
export function formatError(e: unknown, debug = false): string {
  if (isUserError(e)) return `error: ${e.message} — ${e.fix}`;
  const err = e instanceof Error ? e : new Error(String(e));
  const sys = err as Error & { code?: string; syscall?: string };
  const where = sys.syscall ? ` (${sys.syscall}${sys.code ? `: ${sys.code}` : ''})` : sys.code ? ` (${sys.code})` : '';
  const line = `error: ${err.message}${where} — rerun with --debug for details, and report it if it persists`;
  return debug && err.stack ? `${line}\n${err.stack}` : line;
}

/**
 * What went wrong, in words, from anything thrown: an Error's message, or the value itself (a library may throw a
 * string). `firstLine` keeps only its first line (a tool's message may carry its whole output).
 */
export function errorMessage(e: unknown, firstLine = false): string {
  const text = e instanceof Error ? e.message : String(e);
  return firstLine ? (text.split('\n')[0] ?? '') : text;
}
