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
    cells
      .map((c, i) => (i >= rightAlignFrom ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
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

/** Characters a string takes on a terminal (code points; every glyph nsbench prints is one column wide). */
const columns = (s: string): number => [...s].length;

/**
 * A plain-text table that fits `width` columns: where the whole table is
 * wider, its columns are split over several tables, each repeating the first
 * (the variant) so that every row stays readable on its own.
 */
export function fitTable(header: string[], rows: string[][], width: number, rightAlignFrom = 1): string {
  const w = header.map((h, i) => Math.max(columns(h), ...rows.map((r) => columns(r[i] ?? ''))));
  const total = (idx: number[]) => idx.reduce((a, i) => a + (w[i] ?? 0), 0) + 2 * (idx.length - 1);
  const groups: number[][] = [];
  let cur = [0];
  for (let i = 1; i < header.length; i++) {
    if (cur.length > 1 && total([...cur, i]) > width) {
      groups.push(cur);
      cur = [0];
    }
    cur.push(i);
  }
  groups.push(cur);
  const pad = (c: string, i: number, right: boolean) => {
    const n = Math.max(0, (w[i] ?? 0) - columns(c));
    return right ? ' '.repeat(n) + c : c + ' '.repeat(n);
  };
  const render = (idx: number[]) => {
    const line = (cells: string[]) =>
      idx
        .map((i) => pad(cells[i] ?? '', i, i >= rightAlignFrom))
        .join('  ')
        .trimEnd();
    return [line(header), idx.map((i) => '─'.repeat(w[i] ?? 0)).join('  '), ...rows.map(line)].join('\n');
  };
  return groups.map(render).join('\n\n');
}

/**
 * Text wrapped at word boundaries to `width` columns, continuation lines indented; a word longer than a line is kept
 * whole.
 */
export function wrapText(text: string, width: number, indent = '', first = ''): string {
  const out: string[] = [];
  let line = first;
  let lead = first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const sep = columns(line) > columns(lead) ? ' ' : '';
    if (columns(line) + sep.length + columns(word) > width && columns(line) > columns(lead)) {
      out.push(line);
      line = indent + word;
      lead = indent;
    } else line += sep + word;
  }
  if (columns(line) > columns(lead) || !out.length) out.push(line);
  return out.join('\n');
}

/**
 * A difference in time with its CI, in one unit — the one the largest of the three needs: "+1.12 ms [+1.05, +1.19]",
 * "−0.5 µs [−11, +7.6]" (never a raw ns count beside a CI of µs).
 */
export function formatDelta(ns: number, ci?: readonly [number, number] | null): string {
  const a = Math.max(Math.abs(ns), ...(ci ? ci.map((x) => Math.abs(x)) : []));
  const [div, unit] = a >= 1e9 ? [1e9, 's'] : a >= 1e6 ? [1e6, 'ms'] : a >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  const d = (x: number) => {
    const v = Math.abs(x) / div;
    const digits = div <= 1e3 ? (v >= 10 || div === 1 ? 0 : 1) : v >= 100 ? 0 : v >= 10 ? 1 : 2;
    return `${x >= 0 ? '+' : '−'}${v.toFixed(digits)}`;
  };
  return `${d(ns)} ${unit}${ci ? ` [${d(ci[0])}, ${d(ci[1])}]` : ''}`;
}

/**
 * A table whose last column (free text) wraps within `width`, its continuation lines under its start: a listing that
 * fits a terminal.
 */
export function wrapLastColumn(header: string[], rows: string[][], width: number): string {
  const last = header.length - 1;
  const w = header.slice(0, last).map((h, i) => Math.max(columns(h), ...rows.map((r) => columns(r[i] ?? ''))));
  const lead = w.reduce((a, b) => a + b + 2, 0);
  const room = Math.max(20, width - lead);
  const pad = (c: string, n: number) => c + ' '.repeat(Math.max(0, n - columns(c)));
  const line = (cells: string[]) => {
    const text = wrapText(cells[last] ?? '', room).split('\n');
    return [
      `${cells
        .slice(0, last)
        .map((c, i) => pad(c, w[i] ?? 0))
        .join('  ')}  ${text[0] ?? ''}`,
      ...text.slice(1).map((t) => ' '.repeat(lead) + t),
    ]
      .map((l) => l.trimEnd())
      .join('\n');
  };
  return [
    line(header),
    [
      ...w.map((n) => '─'.repeat(n)),
      '─'.repeat(Math.min(room, Math.max(columns(header[last] ?? ''), ...rows.map((r) => columns(r[last] ?? ''))))),
    ].join('  '),
    ...rows.map(line),
  ].join('\n');
}
