import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { samplesCsv, summaryCsv } from './csv.ts';
import type { RoundLoad, RunResults, Sample, ScenarioResult } from './types.ts';

/** A late record: metrics to add, and flags to set, on the sample with that seq. */
export interface LateUpdate {
  metrics?: Record<string, number>;
  disturbed?: string[];
  superseded?: true;
}

/** Applies a late update to a sample (in memory, and when a samples file is read back). */
export function applyLate(sample: Sample, u: LateUpdate): void {
  if (u.metrics && (sample.state === 'completed' || sample.state === 'errored')) sample.metrics = { ...(sample.metrics ?? {}), ...u.metrics };
  if (u.disturbed) sample.disturbed = u.disturbed;
  if (u.superseded) sample.superseded = true;
}

/** Writes a file so that readers see the old or the new content, never half. */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export interface ResultFiles {
  json: string;
  samplesJsonl: string;
  csv: string;
  summaryCsv: string;
}

/** A run killed while writing leaves a last line without its newline: cut it off before appending more. */
function dropTornLine(path: string): void {
  const text = readFileSync(path);
  if (text.length === 0 || text[text.length - 1] === 0x0a) return;
  truncateSync(path, text.lastIndexOf(0x0a) + 1);
}

/**
 * Results of one run on disk: every sample is appended to a JSONL file as it
 * arrives (a crash loses nothing measured); the JSON and CSV files are
 * written atomically at the end (and at each scenario's end, as "partial").
 */
export class ResultsWriter {
  readonly files: ResultFiles;

  /** `resume`: append to an existing samples file (its run header is already there). */
  constructor(outDir: string, runId: string, header: Record<string, unknown>, resume = false) {
    mkdirSync(outDir, { recursive: true });
    this.files = {
      json: join(outDir, `${runId}.json`),
      samplesJsonl: join(outDir, `${runId}.samples.jsonl`),
      csv: join(outDir, `${runId}.csv`),
      summaryCsv: join(outDir, `${runId}.summary.csv`),
    };
    if (resume) dropTornLine(this.files.samplesJsonl);
    else appendFileSync(this.files.samplesJsonl, `${JSON.stringify({ type: 'run', runId, ...header })}\n`);
  }

  /** What a scenario is (kind, variants, baseline), before its samples: enough to rebuild a report from this file alone. */
  scenario(meta: Omit<ScenarioResult, 'samples' | 'summary'>): void {
    appendFileSync(this.files.samplesJsonl, `${JSON.stringify({ type: 'scenario', ...meta })}\n`);
  }

  append(sample: Sample): void {
    appendFileSync(this.files.samplesJsonl, `${JSON.stringify({ type: 'sample', ...sample })}\n`);
  }

  /** The load seen during a round (attempt). */
  round(scenario: string, load: RoundLoad): void {
    appendFileSync(this.files.samplesJsonl, `${JSON.stringify({ type: 'round', scenario, ...load })}\n`);
  }

  /** What became known about an already written sample (kernel work that finished later, a round judged disturbed). */
  late(sample: Sample, update: LateUpdate): void {
    appendFileSync(this.files.samplesJsonl, `${JSON.stringify({ type: 'late', scenario: sample.scenario, seq: sample.seq, ...update })}\n`);
  }

  write(run: RunResults): void {
    writeFileAtomic(this.files.json, `${JSON.stringify(run, null, 1)}\n`);
    writeFileAtomic(this.files.csv, samplesCsv(run));
    writeFileAtomic(this.files.summaryCsv, summaryCsv(run));
  }
}
