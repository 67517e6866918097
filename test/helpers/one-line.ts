/**
 * What is wrong with a CLI answer to bad input, or nothing: the exit code, one line on stderr in the form
 * "error: <cause> — <fix>", the cause named, no stack trace, and (where asked) nothing that says "null".
 */
export function oneLineProblems(
  r: { status: number | null; stderr: string; error?: Error | undefined },
  cause: RegExp,
  o: { code?: number; noNull?: boolean } = {},
): string[] {
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  return [
    r.error && `did not finish (${r.error.message})`,
    r.status !== (o.code ?? 2) && `exit ${r.status}`,
    lines.length !== 1 && `${lines.length} lines on stderr`,
    !/^error: .+ — .+/.test(lines[0] ?? '') && 'not "error: <cause> — <fix>"',
    !cause.test(r.stderr) && `cause not named (${cause})`,
    /^\s+at /m.test(r.stderr) && 'a stack trace',
    o.noNull && /null/.test(r.stderr) && 'says null',
  ].filter((x): x is string => Boolean(x));
}
