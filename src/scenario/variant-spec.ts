import { UserError } from '../errors/index.ts';
import { findPreset, isNamespace, NAMESPACES, PRESETS, parseNamespaceList, setId } from '../isolation/index.ts';
import { knownList, nearest } from '../util/index.ts';
import { eachAlone, powerset, preset } from './define.ts';
import type { ResolvedVariant } from './validate.ts';

/**
 * Variants from a command-line word: a namespace list ("user,pid", "bare",
 * "all"), "each" (each namespace alone), "powerset" (all 256 subsets), or a
 * preset name ("runc", "docker", ...).
 */
export function parseVariantSpec(text: string, where = '--ns'): ResolvedVariant[] {
  const word = text.trim();
  const label = (ns: ResolvedVariant['ns']) => setId(ns);
  if (word === 'each') return eachAlone().map((v) => ({ id: v.id as string, label: v.label ?? label(v.ns), ns: v.ns }));
  if (word === 'powerset') return powerset().map((v) => ({ id: v.id as string, label: label(v.ns), ns: v.ns }));
  const name = word.startsWith('preset:') ? word.slice(7) : word;
  const isNsList = word.split(/[,+\s]+/).every((w) => w === 'bare' || w === 'none' || w === 'all' || isNamespace(w));
  if (!isNsList && findPreset(name)) {
    const p = preset(name);
    return [{ id: p.id as string, label: p.label ?? name, ns: p.ns }];
  }
  const presets = PRESETS.map((p) => p.name);
  if (word.startsWith('preset:'))
    throw new UserError(
      `${where}: unknown preset "${name}"${knownList(name, presets)}`,
      'run `nsbench list` to see presets',
    );
  const single = !/[,+\s]/.test(word);
  if (single && !isNsList) {
    // one word that is neither a namespace, a keyword nor a preset: the nearest of all of them
    const n = nearest(word, [...NAMESPACES, ...presets, 'bare', 'all', 'each', 'powerset']);
    throw new UserError(
      `${where}: "${word}" is no namespace, preset or keyword${n ? ` (did you mean "${n}"?)` : ''} (namespaces: ${NAMESPACES.join(', ')}; presets: ${presets.join(', ')}; bare, all, each, powerset)`,
      'run `nsbench list` to see them',
    );
  }
  const ns = parseNamespaceList(word, `${where} "${word}"`);
  return [{ id: setId(ns), label: setId(ns), ns }];
}

/** Several --ns words, duplicates (by id) dropped, order kept. */
export function parseVariantSpecs(words: readonly string[]): ResolvedVariant[] {
  const out = new Map<string, ResolvedVariant>();
  for (const w of words) for (const v of parseVariantSpec(w)) if (!out.has(v.id)) out.set(v.id, v);
  return [...out.values()];
}
