// Plain formatters for reports, tables and terminals: durations, ratios, tables, HTML text.

/** A duration in ns, in the unit that reads best. */
export function formatNs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '-';
  if (ns < 0) return `-${formatNs(-ns)}`;
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 1 : 0)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function formatRatio(r: number | null | undefined, ci?: readonly [number, number]): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '-';
  return ci ? `${r.toFixed(2)}× [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]` : `${r.toFixed(2)}×`;
}

/** A plain-text table with right-aligned numbers. */
export function textTable(header: string[], rows: string[][], rightAlignFrom = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= rightAlignFrom ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A metric's value: durations by formatNs, other values with two decimals below 100. */
export function formatMetric(metric: string, v: number | undefined): string {
  if (v === undefined) return '-';
  return /Ns$/.test(metric) ? formatNs(v) : v.toFixed(v >= 100 ? 0 : 2);
}

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
