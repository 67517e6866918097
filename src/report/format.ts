import type { MetricSummary } from '../results/index.ts';
import { formatRatio } from '../util/index.ts';

// The plain formatters (durations, ratios, tables, HTML escaping) are util's; here what needs the results' types.
export { escapeHtml, formatMetric, formatNs, formatRatio, textTable } from '../util/index.ts';

/** A variant's ratio to its baseline with its CI, "baseline" for the baseline itself, "too few (n=…)" below the minimum. */
export function formatVs(m: MetricSummary | undefined, isBaseline: boolean): string {
  if (isBaseline) return 'baseline';
  if (m?.tooFew) return `too few (n=${Math.min(m.n, m.baselineN ?? 0)})`;
  return formatRatio(m?.ratioToBaseline, m?.ratioCI95);
}

