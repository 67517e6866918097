import { accessSync, constants, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { errorMessage, UserError } from '../errors/index.ts';

/**
 * A host knob: a sysctl under /proc/sys or a setting under /sys, written as
 * root for an A/B comparison and put back as it was. Only a regular file that
 * resolves (symlinks followed) under those two trees is taken, so that a knob
 * named on a command line never writes anywhere else.
 */
export interface Knob {
  path: string;
  /** the value as read before the first write (what is restored) */
  original: string;
}

const KNOB_ROOTS = ['/proc/sys/', '/sys/'];

export function openKnob(path: string): Knob {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(
      `knob ${path} cannot be read (${code === 'ENOENT' ? 'no such file' : code})`,
      'name a sysctl under /proc/sys or a setting under /sys that this kernel has',
    );
  }
  if (!KNOB_ROOTS.some((r) => real.startsWith(r)))
    throw new UserError(
      `knob ${path} is not under /proc/sys or /sys${real !== path ? ` (it resolves to ${real})` : ''}`,
      'name a sysctl under /proc/sys or a setting under /sys',
    );
  let regular = false;
  try {
    regular = statSync(real).isFile();
  } catch {
    regular = false;
  }
  if (!regular)
    throw new UserError(
      `knob ${path} is not a file`,
      'name a single setting, e.g. /proc/sys/kernel/randomize_va_space',
    );
  try {
    accessSync(real, constants.R_OK | constants.W_OK);
  } catch {
    throw new UserError(`knob ${path} is not writable here`, 'run as root, on a setting the kernel lets root change');
  }
  let original: string;
  try {
    original = readFileSync(real, 'utf8').trim();
  } catch (e) {
    throw new UserError(
      `knob ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      'pick a setting that can be read back',
    );
  }
  return { path: real, original };
}

/** Writes a value; the kernel's refusal (EINVAL, EPERM…) is a UserError naming the value. */
export function writeKnob(k: Knob, value: string): void {
  try {
    writeFileSync(k.path, value);
  } catch (e) {
    throw new UserError(
      `the kernel refused ${JSON.stringify(value)} for ${k.path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      'give values this setting accepts (cat it to see the current one)',
    );
  }
}

/**
 * What to restore from a /sys setting read back: many show their choices with
 * the current one in brackets ("always [madvise] never"); the bracketed word
 * is what to write back.
 */
function restorableValue(read: string): string {
  const m = /\[([^\]]+)\]/.exec(read);
  return m ? (m[1] as string) : read;
}

/** Puts the knob back as it was; returns an error message instead of throwing (it runs on the way out). */
export function restoreKnob(k: Knob): string | null {
  try {
    writeFileSync(k.path, restorableValue(k.original));
    return null;
  } catch (e) {
    return `could not restore ${k.path} to ${JSON.stringify(k.original)}: ${errorMessage(e)}`;
  }
}
