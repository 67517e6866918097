import { all, bare, eachAlone, preset, type VariantDefinition } from '../src/scenario/index.ts';

// The namespace sets the throughput scenarios compare: bare, each namespace
// alone, the runc preset, and all eight. (Files starting with "_" are not scenarios.)
export function standardSets(): VariantDefinition[] {
  return [bare(), ...eachAlone(), preset('runc'), all()];
}
