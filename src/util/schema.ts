import { z } from 'zod';
import { UserError } from '../errors/index.ts';

/**
 * One schema per file format (zod): the static type is inferred from it and
 * the same object validates config files, scenarios and results files. A
 * schema's message is "<cause> — <fix>"; the first issue of a failed parse
 * becomes one UserError naming the file and the field's path.
 */

const SEP = ' — ';

/** A message with its fix, for a schema's `error`. */
export const says = (cause: string, fix: string): string => `${cause}${SEP}${fix}`;

/** Levenshtein distance, for near misses. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        diag + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
      diag = row[j] as number;
      row[j] = next;
    }
  }
  return row[b.length] as number;
}

/** The known word nearest to `word`, if it is near enough to be a typo of it (a third of its letters at most). */
export function nearest(word: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    if (k === word) return null; // not a miss at all
    const d = distance(word, k); // letter case does not count: bootNS is a miss of bootNs
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== null && bestD <= Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)) ? best : null;
}

/** ' (did you mean "x"?)' for a near miss, else "". */
export function didYouMean(word: string, known: readonly string[]): string {
  const n = nearest(word, known);
  return n ? ` (did you mean "${n}"?)` : '';
}

/** " (did you mean "x"? known: a, b, c)" for a near miss, " (known: a, b, c)" otherwise. */
export function knownList(word: unknown, known: readonly string[]): string {
  const n = typeof word === 'string' ? nearest(word, known) : null;
  return ` (${n ? `did you mean "${n}"? ` : ''}known: ${known.join(', ')})`;
}

/** The issue of a key that is not in the shape, with the near miss and what is known. */
function unknownKey(key: string, known: readonly string[]): string {
  const n = nearest(key, known);
  return n
    ? says('unknown key', `did you mean "${n}"?`)
    : says(`unknown key (known: ${known.join(', ')})`, 'remove or rename it');
}

/** An object that knows all its keys: any other is an error naming the near miss. */
export function strict<T extends z.ZodRawShape>(shape: T, expected: string) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys')
        return `\u0000${(iss.keys as string[])[0]}\u0000${unknownKey((iss.keys as string[])[0] as string, known)}`;
      if (iss.code === 'invalid_type')
        return says(`expected ${expected}, got ${show(iss.input)}`, `write it as ${expected}`);
      return undefined;
    },
  });
}

/** A value as the user wrote it, short. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  // JSON writes NaN and ±Infinity as null: say what they are
  const s =
    typeof v === 'bigint'
      ? `${v}n`
      : typeof v === 'number' && !Number.isFinite(v)
        ? String(v)
        : (JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A whole number in [min, max], with the range in the message. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER, fix = 'write a whole number') {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
  const error = (iss: { input?: unknown }) => says(`expected an integer ${range}, got ${show(iss.input)}`, fix);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A number in [min, max]. */
export function num(min: number, max: number, fix = 'fix the value') {
  const error = (iss: { input?: unknown }) => says(`expected a number in ${min}..${max}, got ${show(iss.input)}`, fix);
  return z.number({ error }).min(min, { error }).max(max, { error }).refine(Number.isFinite, { error });
}

/** One of a list of words, with the near miss. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, fix: string) {
  return z.enum(values, {
    error: (iss) =>
      says(
        `expected one of ${values.map((v) => `"${v}"`).join(', ')}, got ${show(iss.input)}${typeof iss.input === 'string' ? didYouMean(iss.input, values) : ''}`,
        fix,
      ),
  });
}

/** A path as people write it: variants[3].cgroup.memory.max */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/**
 * The first issue of a failed parse, as one UserError: "<where>: <path>: <cause>" (or "<where>.<path>" for a field) and
 * the fix.
 */
function issueError(
  issue: z.core.$ZodIssue,
  where: string,
  join: ': ' | '.' = ': ',
  fallbackFix = 'fix the value',
): UserError {
  let path = [...issue.path];
  // a record's key: the key's own check says what is wrong with it
  let text = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message;
  const key = /^\u0000(.*?)\u0000/.exec(text);
  if (key) {
    path = [...path, key[1] as string];
    text = text.slice(key[0].length);
  }
  const cut = text.indexOf(SEP);
  const cause = cut >= 0 ? text.slice(0, cut) : text;
  const fix = cut >= 0 ? text.slice(cut + SEP.length) : fallbackFix;
  const at = formatPath(path);
  return new UserError(
    `${where}${at ? `${join}${at.startsWith('[') && join === '.' ? at : at}`.replace('.[', '[') : ''}: ${cause}`,
    fix,
  );
}

/** The issue to report of several: the deepest one (the most specific place), the first of those. */
function pick(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues.reduce((a, b) => (b.path.length > a.path.length ? b : a));
}

/**
 * Parses `value`; the first (deepest) issue is one UserError naming `where` (a file, or with join '.' a field) and the
 * path.
 */
export function parseOrFail<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
  join: ': ' | '.' = ': ',
  fallbackFix?: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw issueError(pick(r.error.issues), where, join, fallbackFix);
}

/** What to do about a results file that does not match its schema (written by something else, or damaged). */
export const DAMAGED_RESULTS =
  "the file is damaged or was not written by this nsbench: rerun the benchmark, or use the run's other file (.json or .samples.jsonl)";
