import { createReadStream, lstatSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { UserError } from '../errors/index.ts';
import { DAMAGED_RESULTS, parseOrFail } from '../util/index.ts';
import { loadPerCoreAtStart } from './environment.ts';
import { finalizeScenario } from './finalize.ts';
import {
  RESULTS_SCHEMA,
  RESULTS_SCHEMA_VERSION,
  roundLoadSchema,
  runResultsSchema,
  sampleSchema,
  samplesHeaderSchema,
  scenarioMetaSchema,
} from './schema.ts';
import type { RunResults, ScenarioResult } from './types.ts';
import { applyLate, type LateUpdate } from './writer.ts';

/**
 * The largest results JSON read whole: V8 cannot hold a string much past
 * 512 MB, and a run that big has a samples file, which is read line by line.
 */
const MAX_JSON_BYTES = 256 * 2 ** 20;

const USE_A_RESULTS_FILE = 'use a results/<run-id>.json (or .samples.jsonl) written by `nsbench run`';

/** Why a file cannot be read, in words, with what to do. */
function unreadable(path: string, e: unknown): UserError {
  let code = (e as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOENT') {
    try {
      if (lstatSync(path).isSymbolicLink()) code = 'DANGLING'; // the link is there, what it names is not
    } catch {
      // not there at all
    }
  }
  const why: Record<string, [string, string]> = {
    ENOENT: ['no such file', 'check the path'],
    DANGLING: ['it is a symbolic link to nothing', 'check where the link points'],
    EISDIR: ['it is a folder, not a results file', 'give a results/<run-id>.json inside it'],
    EACCES: ['permission denied', 'make it readable, or run as its owner'],
    EPERM: ['not permitted', 'make it readable, or run as its owner'],
    ENAMETOOLONG: ['the path is too long', 'check the path'],
    ENOTDIR: ['a part of the path is a file, not a folder', 'check the path'],
    ELOOP: ['its symbolic links loop', 'check the links on the path'],
    NOTFILE: [
      'it is not a regular file (a pipe, a socket or a device)',
      'give a results/<run-id>.json written by nsbench run',
    ],
    EIO: ['the disk could not read it', 'check the disk, or use a copy of the file'],
  };
  const [what, fix] = why[code] ?? [code || String(e), 'check the path'];
  return new UserError(
    `cannot read results file ${path}: ${what}${code && why[code] && code !== 'NOTFILE' && code !== 'DANGLING' ? ` (${code})` : ''}`,
    fix,
  );
}

/** A results file's text, without a UTF-8 BOM; a missing, unreadable or oversized file is one clear UserError. */
export function readResultsText(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // a pipe would block the read (and a device never end): regular files only
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'NOTFILE' });
    size = st.size;
  } catch (e) {
    throw unreadable(path, e);
  }
  if (size > MAX_JSON_BYTES && !path.endsWith('.jsonl'))
    throw new UserError(
      `${path} is ${Math.round(size / 2 ** 20)} MB, more than nsbench reads at once (${MAX_JSON_BYTES / 2 ** 20} MB)`,
      'report its samples file instead (results/<run-id>.samples.jsonl, read line by line)',
    );
  try {
    const text = readFileSync(path, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (e) {
    throw unreadable(path, e);
  }
}

const isSamplesFile = (path: string, text: string) =>
  path.endsWith('.jsonl') || /^\s*\{"type":"run"/.test(text.slice(0, 64));

/** A results JSON, checked against the schema: its kind and version first (the clearest message), then every field. */
export function parseResultsJson(path: string, text: string): RunResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${path} is not valid JSON (corrupt or truncated)`, USE_A_RESULTS_FILE);
  }
  const d = data as Partial<RunResults> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d) || d.schema !== RESULTS_SCHEMA)
    throw new UserError(
      `${path} is not an nsbench results file (schema is ${JSON.stringify(d?.schema)})`,
      USE_A_RESULTS_FILE,
    );
  if (d.schemaVersion !== RESULTS_SCHEMA_VERSION)
    throw new UserError(
      `${path} has results schema version ${String(d.schemaVersion)}, this nsbench reads ${RESULTS_SCHEMA_VERSION}`,
      'use the nsbench version that wrote it',
    );
  if (!Array.isArray(d.scenarios))
    throw new UserError(
      d.scenarios === undefined
        ? `${path}: "scenarios" is missing`
        : `${path}: "scenarios" is ${d.scenarios === null ? 'null' : typeof d.scenarios}, not a list`,
      'the file is damaged; rerun the benchmark',
    );
  return parseOrFail(runResultsSchema, data, path, ': ', DAMAGED_RESULTS);
}

/**
 * Reads and checks a results file (the run's JSON, or the samples JSONL of a run that died); every problem is one clear
 * UserError.
 */
export function readResults(path: string): RunResults {
  const text = readResultsText(path);
  return isSamplesFile(path, text) ? fromSamplesJsonl(path, text).run : parseResultsJson(path, text);
}

/** readResults for any size: a samples file is read line by line, not whole. */
export async function loadResults(path: string): Promise<RunResults> {
  if (!path.endsWith('.jsonl')) return readResults(path);
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'NOTFILE' });
  } catch (e) {
    throw unreadable(path, e);
  }
  const reader = new SamplesReader(path);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) reader.line(line);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw unreadable(path, e);
  }
  return reader.finish().run;
}

interface JsonlRun {
  run: RunResults;
  /** lines that could not be read (a truncated last line of a run killed mid-write is expected) */
  skippedLines: number;
}

const resumeSchema = z.object({
  at: z.string(),
  loadAverage: z.array(z.number()).optional(),
  changed: z.record(z.string(), z.unknown()).optional(),
});

const lateSchema = z.object({
  scenario: z.string(),
  seq: z.number(),
  metrics: z.record(z.string(), z.number()).optional(),
  disturbed: z.array(z.string()).optional(),
  superseded: z.literal(true).optional(),
});

/**
 * A samples file, line by line: the run header (its schema and version
 * checked), each scenario's description, every sample, each round's load and
 * the late updates — each record checked against the schema. A torn last line
 * (a run killed mid-write) is dropped; anything else unreadable is an error
 * naming the line.
 */
class SamplesReader {
  #header: z.infer<typeof samplesHeaderSchema> | null = null;
  readonly #scenarios: ScenarioResult[] = [];
  #no = 0;
  #pending: string | null = null;
  #skipped = 0;
  readonly #resumes: z.infer<typeof resumeSchema>[] = [];

  constructor(private readonly path: string) {}

  /** One line; the one before it is handled first (so that only a torn last line is forgiven). */
  line(text: string): void {
    if (this.#pending !== null) this.#record(this.#pending, false);
    this.#no++;
    this.#pending = this.#no === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  #record(text: string, last: boolean): void {
    const no = this.#no; // the pending line is handled before the next is counted
    if (text.trim() === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch {
      if (last) {
        this.#skipped++;
        return; // the run died while writing its last line
      }
      throw new UserError(
        `${this.path}: line ${no} is not valid JSON (the file is corrupt)`,
        "restore the file, or report on the run's .json instead",
      );
    }
    const r = rec as { type?: unknown } | null;
    const where = `${this.path}: line ${no}`;
    if (!this.#header) {
      if (!r || typeof r !== 'object' || r.type !== 'run')
        throw new UserError(
          `${this.path} is not an nsbench samples file (its first line is not a run header)`,
          'use results/<run-id>.samples.jsonl written by `nsbench run`',
        );
      const h = r as { schemaVersion?: unknown };
      if (h.schemaVersion !== undefined && h.schemaVersion !== RESULTS_SCHEMA_VERSION)
        throw new UserError(
          `${this.path} has results schema version ${String(h.schemaVersion)}, this nsbench reads ${RESULTS_SCHEMA_VERSION}`,
          'use the nsbench version that wrote it',
        );
      this.#header = parseOrFail(samplesHeaderSchema, rec, where, ': ', DAMAGED_RESULTS);
      return;
    }
    if (!r || typeof r !== 'object' || Array.isArray(r))
      throw new UserError(
        `${where}: expected a record, got ${JSON.stringify(rec)}`,
        "the file is damaged; report on the run's .json instead",
      );
    const { type, ...rest } = r as Record<string, unknown>;
    if (type === 'scenario') {
      const meta = parseOrFail(scenarioMetaSchema, rest, where, ': ', DAMAGED_RESULTS);
      const again = this.#scenarios.findIndex((s) => s.name === meta.name); // a resumed run describes its scenarios again
      const sc: ScenarioResult = {
        ...meta,
        samples: again >= 0 ? (this.#scenarios[again] as ScenarioResult).samples : [],
        summary: [],
      };
      if (again >= 0) this.#scenarios[again] = sc;
      else this.#scenarios.push(sc);
    } else if (type === 'sample') {
      const sample = parseOrFail(sampleSchema, rest, where, ': ', DAMAGED_RESULTS);
      const sc = this.#scenarios.findLast((s) => s.name === sample.scenario);
      if (!sc)
        throw new UserError(
          `${where}: a sample of scenario ${JSON.stringify(sample.scenario)} before its description`,
          "the file was written by an older nsbench: report on the run's .json instead",
        );
      sc.samples.push(sample);
    } else if (type === 'round') {
      const { scenario, ...load } = rest;
      const sc = this.#scenarios.findLast((s) => s.name === scenario);
      if (sc) (sc.load ??= []).push(parseOrFail(roundLoadSchema, load, where, ': ', DAMAGED_RESULTS));
    } else if (type === 'late') {
      const u = parseOrFail(lateSchema, rest, where, ': ', DAMAGED_RESULTS);
      const sample = this.#scenarios.findLast((s) => s.name === u.scenario)?.samples.findLast((x) => x.seq === u.seq);
      if (sample) applyLate(sample, u as LateUpdate); // its sample was cut off with a torn line: nothing to add to
    } else if (type === 'resume') {
      this.#resumes.push(parseOrFail(resumeSchema, rest, where, ': ', DAMAGED_RESULTS));
    } else
      throw new UserError(
        `${where}: unknown record type ${JSON.stringify(type)}`,
        'use results/<run-id>.samples.jsonl written by `nsbench run`',
      );
  }

  finish(): JsonlRun {
    if (this.#pending !== null) this.#record(this.#pending, true);
    this.#pending = null;
    const h = this.#header;
    if (!h) throw new UserError(`${this.path} is empty`, 'use results/<run-id>.samples.jsonl written by `nsbench run`');
    const env = h.environment;
    const loadPerCore = loadPerCoreAtStart(env);
    for (const sc of this.#scenarios)
      finalizeScenario(
        sc,
        { loadPerCore },
        sc.samples.some((s) => s.superseded),
      );
    const run: RunResults = {
      schema: RESULTS_SCHEMA,
      schemaVersion: RESULTS_SCHEMA_VERSION,
      runId: h.runId,
      status: 'partial',
      startedAt: h.startedAt,
      finishedAt: null,
      tool: h.tool,
      ...(isProfile(env.profile) ? { profile: env.profile } : {}),
      environment: {
        ...env,
        seed: h.seed,
        rebuiltFrom: this.path,
        ...(this.#resumes.length ? { resumes: this.#resumes } : {}),
      },
      scenarios: this.#scenarios,
    };
    return { run, skippedLines: this.#skipped };
  }
}

/**
 * Rebuilds a (partial) run from its samples file's text: summarized afresh,
 * with every warning. A truncated last line is dropped; anything else
 * unreadable is an error.
 */
export function fromSamplesJsonl(path: string, text: string): JsonlRun {
  const reader = new SamplesReader(path);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const l of lines) reader.line(l);
  return reader.finish();
}

function isProfile(p: unknown): p is { name: string; description: string } {
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof (p as { name?: unknown }).name === 'string' &&
    typeof (p as { description?: unknown }).description === 'string'
  );
}
