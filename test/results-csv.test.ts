// The CSVs as a researcher loads them: one call in pandas (or Python's csv where pandas is not
// installed) gives the right types; every recorded condition is a column; units come from one
// vocabulary; booleans are true/false; the raw CSV can be gzipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  CSV_UNITS,
  csvUnit,
  ResultsWriter,
  readResults,
  SAMPLES_CSV_COLUMNS,
  SUMMARY_CSV_COLUMNS,
  samplesCsv,
  summaryCsv,
} from '../src/results/index.ts';
import { hasCommand, tempDir } from './helpers/env.ts';

const FIXTURE = new URL('./fixtures/results/quick-run.json', import.meta.url).pathname;
const run = readResults(FIXTURE);

test('units from one vocabulary, values converted to them', () => {
  assert.deepEqual(csvUnit('bootNs'), { unit: 'ns', factor: 1 });
  assert.deepEqual(csvUnit('childCpuUs'), { unit: 'ns', factor: 1e3 });
  assert.deepEqual(csvUnit('childMaxRssKb'), { unit: 'bytes', factor: 1024 });
  assert.deepEqual(csvUnit('launchesPerSec'), { unit: 'ops/s', factor: 1 });
  assert.deepEqual(csvUnit('workload.throughputMbitPerSec'), { unit: 'Mbit/s', factor: 1 });
  assert.deepEqual(csvUnit('workload.nsPerCall'), { unit: 'ns', factor: 1 });
  assert.deepEqual(csvUnit('held'), { unit: 'count', factor: 1 });
  const raw = samplesCsv(run).trim().split('\n');
  assert.equal(raw[0], SAMPLES_CSV_COLUMNS.join(','));
  const unit = SAMPLES_CSV_COLUMNS.indexOf('unit');
  const units = new Set(
    raw
      .slice(1)
      .map((l) => l.split(',')[unit])
      .filter(Boolean),
  );
  for (const u of units) assert.ok((CSV_UNITS as readonly string[]).includes(u as string), `unit ${u}`);
  assert.ok(!/,persec,|,us,|,kb,/.test(raw.join('\n')));
  assert.equal(summaryCsv(run).split('\n')[0], SUMMARY_CSV_COLUMNS.join(','));
});

test('both CSVs load in one call with the right types (pandas where installed, else csv)', {
  skip: hasCommand('python3') ? false : 'python3 is not installed',
}, () => {
  const dir = tempDir('nsb-csv-');
  writeFileSync(join(dir, 'raw.csv'), samplesCsv(run));
  writeFileSync(join(dir, 'summary.csv'), summaryCsv(run));
  const py = `
import sys, json, warnings
warnings.simplefilter('error')  # a DtypeWarning (a column read as numbers in one part, text in another) fails
d = sys.argv[1]
bools = ['warmup', 'measured', 'disturbed', 'superseded']
try:
    import pandas as pd
    raw = pd.read_csv(d + '/raw.csv')
    summ = pd.read_csv(d + '/summary.csv')
    out = {'how': 'pandas', 'raw': {c: str(raw[c].dtype) for c in raw.columns}, 'summary': {c: str(summ[c].dtype) for c in summ.columns}, 'rows': len(raw),
           'flagged': int(raw[raw.disturbed].shape[0]), 'measured_ns': int(raw[(raw.measured) & (raw.unit == 'ns')].shape[0])}
    out['raw'] = {c: ('bool' if t == 'bool' else t) for c, t in out['raw'].items()}
except ImportError:
    import csv
    def load(p):
        with open(p, newline='') as f:
            return list(csv.DictReader(f))
    raw = load(d + '/raw.csv'); summ = load(d + '/summary.csv')
    def kind(rows, c):
        vals = [r[c] for r in rows if r[c] != '']
        if vals and all(v in ('true', 'false') for v in vals): return 'bool'
        try:
            [float(v) for v in vals]; return 'float64'
        except ValueError: return 'object'
    out = {'how': 'csv', 'raw': {c: kind(raw, c) for c in raw[0]}, 'summary': {c: kind(summ, c) for c in summ[0]}, 'rows': len(raw),
           'flagged': sum(r['disturbed'] == 'true' for r in raw), 'measured_ns': sum(r['measured'] == 'true' and r['unit'] == 'ns' for r in raw)}
print(json.dumps(out))
`;
  // Debian's python3 (where apt's python3-pandas lives) before whatever python3 is first on the PATH
  const r = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', py, dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    how: string;
    raw: Record<string, string>;
    summary: Record<string, string>;
    rows: number;
    measured_ns: number;
  };
  for (const c of ['warmup', 'measured', 'disturbed', 'superseded'])
    assert.equal(out.raw[c], 'bool', `${c} is a boolean (${out.how})`);
  for (const c of ['value', 'gap_ns']) assert.equal(out.raw[c], 'float64', `${c} is a number (${out.how})`);
  for (const c of ['round', 'attempt', 'seq'])
    assert.match(out.raw[c] ?? '', /int64|float64/, `${c} is a number (${out.how})`);
  for (const c of ['median', 'p95', 'ratio_to_baseline', 'ratio_ci95_low'])
    assert.equal(out.summary[c], 'float64', `${c} (${out.how})`);
  assert.equal(out.summary.too_few, 'bool');
  assert.equal(out.raw.cpus, 'object', 'the CPUs as text');
  assert.equal(out.raw.problem, 'object');
  assert.ok(out.measured_ns > 100, 'rows filter by the flags nsbench recorded');
});

test('--gzip-csv: the raw CSV as .csv.gz, the same rows', () => {
  const dir = tempDir('nsb-gz-');
  const w = new ResultsWriter(dir, run.runId, { startedAt: run.startedAt }, false, undefined, true);
  assert.match(w.files.csv, /\.csv\.gz$/);
  w.write(run);
  assert.equal(gunzipSync(readFileSync(w.files.csv)).toString(), samplesCsv(run));
  assert.ok(readFileSync(w.files.csv).length * 5 < samplesCsv(run).length, 'much smaller');
});
