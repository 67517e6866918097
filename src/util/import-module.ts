import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { UserError } from '../errors/index.ts';

/**
 * Imports a TypeScript (or JavaScript) module file and returns its default
 * export. tsImport loads it as TypeScript wherever it lies (also outside a
 * "type": "module" package, where tsx compiles it to CommonJS and the default
 * export arrives wrapped once more).
 */
export async function importDefault(file: string): Promise<unknown> {
  const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
  let d = mod.default;
  // compiled to CommonJS, a module without a default export arrives as its exports object, marked __esModule
  if (d && typeof d === 'object' && (d as { __esModule?: unknown }).__esModule && !('default' in d)) return undefined;
  if (d && typeof d === 'object' && 'default' in d && Object.keys(d).every((k) => k === 'default' || k === '__esModule')) {
    d = (d as { default: unknown }).default;
  }
  return d;
}

/** importDefault, with a load failure (syntax error, missing import) as one UserError line. */
export async function importDefaultOrExplain(file: string, shown: string, fix: string): Promise<unknown> {
  try {
    return await importDefault(file);
  } catch (e) {
    const msg = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    throw new UserError(`${shown} could not be loaded: ${msg}`, fix);
  }
}
