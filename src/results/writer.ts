import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { samplesCsv, summaryCsv } from './csv.ts';
import type { RunResults, Sample } from './types.ts';

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

/**
 * Results of one run on disk: every sample is appended to a JSONL file as it
 * arrives (a crash loses nothing measured); the JSON and CSV files are
 * written atomically at the end (and at each scenario's end, as "partial").
 */
export class ResultsWriter {
  readonly files: ResultFiles;

  constructor(outDir: string, runId: string, header: Record<string, unknown>) {
    mkdirSync(outDir, { recursive: true });
    this.files = {
      json: join(outDir, `${runId}.json`),
      samplesJsonl: join(outDir, `${runId}.samples.jsonl`),
      csv: join(outDir, `${runId}.csv`),
      summaryCsv: join(outDir, `${runId}.summary.csv`),
    };
    appendFileSync(this.files.samplesJsonl, `${JSON.stringify({ type: 'run', runId, ...header })}\n`);
  }

  append(sample: Sample): void {
    appendFileSync(this.files.samplesJsonl, `${JSON.stringify({ type: 'sample', ...sample })}\n`);
  }

  write(run: RunResults): void {
    writeFileAtomic(this.files.json, `${JSON.stringify(run, null, 1)}\n`);
    writeFileAtomic(this.files.csv, samplesCsv(run));
    writeFileAtomic(this.files.summaryCsv, summaryCsv(run));
  }
}
