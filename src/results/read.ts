import { readFileSync } from 'node:fs';
import { UserError } from '../errors/index.ts';
import { finalizeScenario } from './finalize.ts';
import { applyLate, type LateUpdate } from './writer.ts';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, type RoundLoad, type RunResults, type Sample, type ScenarioResult } from './types.ts';

/** A results file's text; a missing or unreadable file is one clear UserError. */
export function readResultsText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read results file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'check the path');
  }
}

/** Reads and checks a results file (the run's JSON, or the samples JSONL of a run that died); every problem is one clear UserError. */
export function readResults(path: string): RunResults {
  const text = readResultsText(path);
  if (path.endsWith('.jsonl') || text.startsWith('{"type":"run"')) return fromSamplesJsonl(path, text).run;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${path} is not valid JSON (corrupt or truncated)`, 'use a results/<run-id>.json written by `nsbench run`');
  }
  const d = data as Partial<RunResults> | null;
  if (!d || typeof d !== 'object' || d.schema !== RESULTS_SCHEMA)
    throw new UserError(`${path} is not an nsbench results file (schema is ${JSON.stringify(d?.schema)})`, 'use a results/<run-id>.json written by `nsbench run`');
  if (d.schemaVersion !== RESULTS_SCHEMA_VERSION)
    throw new UserError(`${path} has results schema version ${String(d.schemaVersion)}, this nsbench reads ${RESULTS_SCHEMA_VERSION}`, 'use the nsbench version that wrote it');
  if (!Array.isArray(d.scenarios)) throw new UserError(`${path}: "scenarios" is missing`, 'the file is damaged; rerun the benchmark');
  return d as RunResults;
}

export interface JsonlRun {
  run: RunResults;
  /** lines that could not be read (a truncated last line of a run killed mid-write is expected) */
  skippedLines: number;
}

/**
 * Rebuilds a (partial) run from its samples file: the run header, each
 * scenario's description and every sample measured, summarized afresh. A
 * truncated last line is dropped; anything else unreadable is an error.
 */
export function fromSamplesJsonl(path: string, text: string): JsonlRun {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let header: Record<string, unknown> | null = null;
  const scenarios: ScenarioResult[] = [];
  let skippedLines = 0;
  lines.forEach((line, i) => {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (i === lines.length - 1) {
        skippedLines++;
        return; // the run died while writing its last line
      }
      throw new UserError(`${path}: line ${i + 1} is not valid JSON (the file is corrupt)`, 'restore the file, or report on the run\'s .json instead');
    }
    const { type, ...rest } = rec;
    if (i === 0 && type !== 'run') throw new UserError(`${path} is not an nsbench samples file (its first line is not a run header)`, 'use results/<run-id>.samples.jsonl written by `nsbench run`');
    if (type === 'run') header = rest;
    else if (type === 'scenario') {
      const again = scenarios.findIndex((s) => s.name === rest.name); // a resumed run describes its scenarios again
      const sc = { ...(rest as unknown as ScenarioResult), samples: again >= 0 ? (scenarios[again] as ScenarioResult).samples : [], summary: [] };
      if (again >= 0) scenarios[again] = sc;
      else scenarios.push(sc);
    }
    else if (type === 'late') {
      const sample = scenarios.findLast((s) => s.name === rest.scenario)?.samples.findLast((x) => x.seq === rest.seq);
      if (sample) applyLate(sample, rest as LateUpdate); // its sample was cut off with a torn line: nothing to add to
    } else if (type === 'round') {
      const sc = scenarios.findLast((s) => s.name === rest.scenario);
      if (sc) {
        const { scenario: _s, ...load } = rest;
        (sc.load ??= []).push(load as unknown as RoundLoad);
      }
    } else if (type === 'sample') {
      const sc = scenarios.findLast((s) => s.name === rest.scenario);
      if (!sc) throw new UserError(`${path}: line ${i + 1}: a sample of scenario ${JSON.stringify(rest.scenario)} before its description`, 'the file was written by an older nsbench: report on the run\'s .json instead');
      sc.samples.push(rest as unknown as Sample);
    } else throw new UserError(`${path}: line ${i + 1}: unknown record type ${JSON.stringify(type)}`, 'use results/<run-id>.samples.jsonl written by `nsbench run`');
  });
  const h = header as Record<string, unknown> | null;
  if (!h) throw new UserError(`${path} is empty`, 'use results/<run-id>.samples.jsonl written by `nsbench run`');
  const env = (h.environment as Record<string, unknown> | undefined) ?? {};
  const cores = (env.cpu as { cores?: number } | undefined)?.cores ?? 1;
  const loadPerCore = ((env.loadAverage as number[] | undefined)?.[0] ?? 0) / cores;
  for (const sc of scenarios) finalizeScenario(sc, { loadPerCore }, sc.samples.some((s) => s.superseded));
  const run: RunResults = {
    schema: RESULTS_SCHEMA,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: String(h.runId),
    status: 'partial',
    startedAt: String(h.startedAt),
    finishedAt: null,
    tool: (h.tool as RunResults['tool']) ?? { name: 'nsbench', version: '?', commit: null },
    environment: { ...((h.environment as Record<string, unknown>) ?? {}), seed: h.seed, rebuiltFrom: path },
    scenarios,
  };
  return { run, skippedLines };
}
