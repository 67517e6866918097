/**
 * A list for one line of text: every name up to `max`, then how many more (a warning about 5 000 variants stays one
 * readable line).
 */
export function listSome(names: readonly string[], max = 12): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
