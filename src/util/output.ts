import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.ts';

/** What an errno means for a file nsbench writes, and what to do about it. */
const MEANING: Record<string, [string, string]> = {
  EACCES: ['permission denied', 'make it writable, or pick another path'],
  EPERM: ['not permitted', 'make it writable, or pick another path'],
  EROFS: ['the file system is read-only', 'pick a path on a writable file system'],
  ENOENT: ['its folder does not exist', 'create the folder, or pick another path'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'pick another path'],
  EISDIR: ['it is a folder', 'give a file name, not a folder'],
  EEXIST: ['a file is in the way of the folder', 'remove the file, or pick another path'],
  ENOSPC: ['the disk is full', 'free some space, or pick another disk'],
  EDQUOT: ['the disk quota is used up', 'free some space, or pick another disk'],
  ENAMETOOLONG: ['the path is too long', 'pick a shorter path'],
};

/**
 * The one-line error for a failed write of `path` (what: "results", "the report", …); `kept` names where what was
 * measured still is.
 */
function outputError(e: unknown, path: string, what: string, kept?: string): UserError | null {
  const code = (e as NodeJS.ErrnoException)?.code;
  const m = code ? MEANING[code] : undefined;
  if (!m) return null;
  return new UserError(
    `cannot write ${what} to ${path}: ${m[0]} (${code})${kept ? `; what was measured is in ${kept}` : ''}`,
    m[1],
  );
}

/**
 * Runs a write; an error a user can fix (a folder missing, read-only, full, a file in the way) becomes one UserError
 * line.
 */
export function writing<T>(path: string, what: string, fn: () => T, kept?: string): T {
  try {
    return fn();
  } catch (e) {
    throw outputError(e, path, what, kept) ?? e;
  }
}

/** A folder for outputs: made if missing; one clear line if a file is in the way or it cannot be made. */
export function outputDir(dir: string, what: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UserError(
      `cannot write ${what} to ${dir}: it is a file, not a folder`,
      'pick a folder (or remove the file)',
    );
  writing(dir, what, () => mkdirSync(dir, { recursive: true }));
}

/** An output file's path: not a folder, and in a folder that exists. */
export function outputFile(path: string, what: string): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UserError(`cannot write ${what} to ${path}: it is a folder`, 'give a file name, not a folder');
  const dir = dirname(path);
  if (!existsSync(dir))
    throw new UserError(
      `cannot write ${what} to ${path}: the folder ${dir} does not exist`,
      'create the folder, or pick another path',
    );
}

/** A path as the kernel would resolve it: symlinks followed where it exists (its folder's, where only that does). */
export function resolvedPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * An output that would replace one of the command's inputs (after symlinks):
 * refused in one line, before anything is written — every command that reads
 * files and writes others checks its outputs with it.
 */
export function notAnInput(output: string, inputs: readonly string[], what: string): void {
  const out = resolvedPath(output);
  const hit = inputs.find((i) => resolvedPath(i) === out);
  if (hit)
    throw new UserError(
      `cannot write ${what} to ${output}: it is ${hit === output ? 'one of the files read' : `the file read as ${hit}`}`,
      `write ${what} to a new file; nsbench never overwrites what it reads`,
    );
}

/**
 * A file name made from a name read from a file stays inside its folder (a checked name always does: this is the last
 * guard).
 */
export function insideDir(dir: string, file: string, what: string): string {
  const d = resolve(dir);
  const f = resolve(file);
  if (!f.startsWith(d.endsWith(sep) ? d : d + sep))
    throw new UserError(
      `cannot write ${what} to ${file}: it is outside ${dir}`,
      'the name comes from a damaged or hostile file; check it',
    );
  return file;
}
