import { writeFileSync } from 'node:fs';
import { compareMarkdown, compareRuns, compareText } from '../../compare/index.ts';
import { loadConfig } from '../../config/index.ts';
import { readResults } from '../../results/index.ts';

export interface CompareCommandOptions {
  threshold?: number;
  alpha?: number;
  metric?: string[];
  markdown?: string;
  json?: boolean;
  config?: string;
}

/** `nsbench compare <baseline> <current>`: exit 0 no regression, 1 regression, 2 bad input. */
export async function compareCommand(baselineFile: string, currentFile: string, o: CompareCommandOptions): Promise<number> {
  const config = await loadConfig(o.config);
  const baseline = readResults(baselineFile);
  const current = readResults(currentFile);
  const res = compareRuns(baseline, current, {
    thresholdPct: o.threshold ?? config.compare.thresholdPct,
    alpha: o.alpha ?? config.compare.alpha,
    ...(config.compare.thresholds ? { thresholds: config.compare.thresholds } : {}),
    ...(o.metric?.length ? { metrics: o.metric } : {}),
  });
  if (o.markdown) writeFileSync(o.markdown, compareMarkdown(res));
  process.stdout.write(o.json ? `${JSON.stringify(res, null, 1)}\n` : `${compareText(res)}\n`);
  return res.exitCode;
}
