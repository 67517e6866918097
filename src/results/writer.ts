import {
  appendFileSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../errors/index.ts';
import { insideDir, outputDir, writing } from '../util/index.ts';
import { samplesCsv, summaryCsv } from './csv.ts';
import { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, RUN_ID_RE } from './schema.ts';
import type { RoundLoad, RunResults, Sample, ScenarioResult } from './types.ts';

/** A late record: metrics to add, and flags to set, on the sample with that seq. */
export interface LateUpdate {
  metrics?: Record<string, number>;
  disturbed?: string[];
  superseded?: true;
}

/** Applies a late update to a sample (in memory, and when a samples file is read back). */
export function applyLate(sample: Sample, u: LateUpdate): void {
  if (u.metrics && (sample.state === 'completed' || sample.state === 'errored'))
    sample.metrics = { ...(sample.metrics ?? {}), ...u.metrics };
  if (u.disturbed) sample.disturbed = u.disturbed;
  if (u.superseded) sample.superseded = true;
}

/** Writes a file so that readers see the old or the new content, never half. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    try {
      if (typeof content === 'string') writeSync(fd, content);
      else writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true }); // never leave the half-written copy behind
    throw e;
  }
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

  /**
   * `resume`: append to an existing samples file (its run header is already there): `samplesPath`, where it was given
   * under another name.
   */
  readonly #gzipCsv: boolean;

  /** `gzipCsv`: the raw CSV as <run-id>.csv.gz (a tenth of the size; pandas and R read it as it is). */
  constructor(
    outDir: string,
    runId: string,
    header: Record<string, unknown>,
    resume = false,
    samplesPath?: string,
    gzipCsv = false,
  ) {
    this.#gzipCsv = gzipCsv;
    if (!RUN_ID_RE.test(runId))
      throw new UserError(
        `run id ${JSON.stringify(runId)} is not a run id`,
        'a run id is letters, digits, ".", "_" and "-" (it names files)',
      );
    outputDir(outDir, 'results');
    this.files = {
      json: insideDir(outDir, join(outDir, `${runId}.json`), 'results'),
      samplesJsonl: samplesPath ?? insideDir(outDir, join(outDir, `${runId}.samples.jsonl`), 'results'),
      csv: insideDir(outDir, join(outDir, `${runId}.csv${gzipCsv ? '.gz' : ''}`), 'results'),
      summaryCsv: insideDir(outDir, join(outDir, `${runId}.summary.csv`), 'results'),
    };
    if (resume) dropTornLine(this.files.samplesJsonl);
    else
      writing(this.files.samplesJsonl, 'the samples file', () =>
        appendFileSync(
          this.files.samplesJsonl,
          `${JSON.stringify({ type: 'run', schema: RESULTS_SCHEMA, schemaVersion: RESULTS_SCHEMA_VERSION, runId, ...header })}\n`,
        ),
      );
  }

  /** One record more in the samples file; a full disk or a vanished folder is one line naming what was kept. */
  #add(record: Record<string, unknown>): void {
    const f = this.files.samplesJsonl;
    writing(
      f,
      'the samples file',
      () => appendFileSync(f, `${JSON.stringify(record)}\n`),
      `${f} (up to the last sample written)`,
    );
  }

  /**
   * What a scenario is (kind, variants, baseline), before its samples: enough to rebuild a report from this file alone.
   */
  scenario(meta: Omit<ScenarioResult, 'samples' | 'summary'>): void {
    this.#add({ type: 'scenario', ...meta });
  }

  /** A resume of this run: when, and what differs from the machine it started on. */
  resumed(entry: Record<string, unknown>): void {
    this.#add({ type: 'resume', ...entry });
  }

  append(sample: Sample): void {
    this.#add({ type: 'sample', ...sample });
  }

  /** The load seen during a round (attempt). */
  round(scenario: string, load: RoundLoad): void {
    this.#add({ type: 'round', scenario, ...load });
  }

  /** What became known about an already written sample (kernel work that finished later, a round judged disturbed). */
  late(sample: Sample, update: LateUpdate): void {
    this.#add({ type: 'late', scenario: sample.scenario, seq: sample.seq, ...update });
  }

  write(run: RunResults): void {
    const kept = this.files.samplesJsonl;
    const raw = samplesCsv(run);
    for (const [path, text] of [
      [this.files.json, `${JSON.stringify(run, null, 1)}\n`],
      [this.files.csv, this.#gzipCsv ? gzipSync(raw) : raw],
      [this.files.summaryCsv, summaryCsv(run)],
    ] as const)
      writing(path, 'results', () => writeFileAtomic(path, text), kept);
  }
}
