/** Dying cgroups below a cgroup v2 group (cgroup.stat nr_dying_descendants): removed, still being torn down. */
export function parseDyingDescendants(text: string): number | null {
  const m = /^nr_dying_descendants (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Cgroups per v1 hierarchy (/proc/cgroups num_cgroups, by subsystem): a removed group stays counted until torn down.
 */
export function parseProcCgroups(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, , num] = line.split(/\s+/);
    if (name && Number.isFinite(Number(num))) out[name] = Number(num);
  }
  return out;
}
