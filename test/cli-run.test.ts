// A real run through the CLI writes valid JSON, JSONL and CSV.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { readResults } from '../src/results/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

describe('cli: nsbench run', { skip: needsRootAndBuild }, () => {
  test('boot with two variants writes results that parse and add up', () => {
    const out = tempDir('nsb-results-');
    const r = spawnSync(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin/nsbench.js'),
        'run',
        'boot',
        '--ns',
        'bare',
        '--ns',
        'all',
        '-r',
        '6',
        '-w',
        '1',
        '--seed',
        '42',
        '-o',
        out,
        '-q',
        '--no-report',
      ],
      {
        encoding: 'utf8',
        cwd: PROJECT_ROOT,
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /results: .*\.json/);
    assert.match(r.stdout, /bare\s+6\s+[\d.]+ [µm]s/, 'terminal table lists bare with n=6');
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => [...l].length > 100),
      [],
      'the terminal output fits 100 columns (not a terminal: never wider)',
    );
    assert.match(
      r.stdout,
      /\nnext:\n {2}- [\s\S]*nsbench compare\s/,
      'the last lines say what to do next (no report asked for: no report to open)',
    );

    const files = readdirSync(out);
    const json = files.find((f) => /^\d{8}-\d{6}-[0-9a-f]{4}\.json$/.test(f));
    assert.ok(json, `a results JSON in ${files.join(', ')}`);
    const run = readResults(join(out, json));
    assert.equal(run.status, 'complete');
    assert.equal(run.environment.euid, 0);
    const sc = run.scenarios[0];
    assert.ok(sc);
    assert.equal(sc.samples.length, 2 * (6 + 1), 'every launch kept, warm-up included');
    assert.equal(sc.samples.filter((s) => s.warmup).length, 2);
    assert.ok(sc.samples.every((s) => s.state === 'completed'));
    const all = sc.summary.find((v) => v.variant === 'all');
    assert.ok(all?.metrics.bootNs && all.metrics.bootNs.n === 6);
    assert.ok((all.metrics.bootNs.ratioToBaseline ?? 0) > 1, 'all eight namespaces cost more than bare');
    const ci = all.metrics.bootNs.ratioCI95;
    assert.ok(
      ci && ci[0] <= (all.metrics.bootNs.ratioToBaseline ?? 0) && (all.metrics.bootNs.ratioToBaseline ?? 0) <= ci[1],
      'a bootstrap CI brackets the ratio',
    );
    const m = all.metrics;
    const phaseSum = ['prepareNs', 'cloneNs', 'mapNs', 'setupNs', 'execNs'].reduce(
      (a, k) => a + (m[k]?.median ?? 0),
      0,
    );
    assert.ok(phaseSum > 0);

    const jsonl = readFileSync(join(out, json.replace('.json', '.samples.jsonl')), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    assert.equal(jsonl[0]?.type, 'run');
    assert.equal(jsonl.filter((l) => l.type === 'sample').length, 14, 'every sample appended as measured');

    const csv = readFileSync(join(out, json.replace('.json', '.csv')), 'utf8')
      .trim()
      .split('\n');
    assert.equal(
      csv[0],
      'run_id,scenario,variant,namespaces,round,attempt,warmup,seq,state,measured,disturbed,superseded,pace,placement,create,prev,gap_ns,cpus,metric,value,unit,problem',
    );
    assert.ok(csv.some((l) => l.includes(',all,user+pid+mnt+net+ipc+uts+cgroup+time,') && l.includes(',bootNs,')));
    assert.ok(
      csv.some((l) => /,true,false,false,interleaved,(one-cpu|free),/.test(l) && l.includes(',bootNs,')),
      'a measured, undisturbed launch, its booleans as true/false',
    );
    const summary = readFileSync(join(out, json.replace('.json', '.summary.csv')), 'utf8')
      .trim()
      .split('\n');
    assert.match(summary[0] as string, /^run_id,scenario,variant,baseline,metric,unit,n,median,/);
    assert.ok(summary.some((l) => /,boot,all,bare,bootNs,ns,6,/.test(l)));
  });
});

describe('cli: doctor', { skip: needsRootAndBuild }, () => {
  test('doctor launches the no-op in every namespace and reports the cgroup mode', () => {
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'doctor', '--json'], {
      encoding: 'utf8',
      cwd: PROJECT_ROOT,
      timeout: 120_000,
    });
    const checks = JSON.parse(r.stdout) as {
      area: string;
      name: string;
      status: string;
      detail: string;
      fix?: string;
    }[];
    for (const ns of ['user', 'pid', 'mnt', 'net', 'ipc', 'uts', 'cgroup', 'time']) {
      const c = checks.find((x) => x.area === 'namespaces' && x.name === ns);
      assert.equal(c?.status, 'ok', `${ns}: ${c?.detail}`);
      assert.match(c?.detail ?? '', /launched the no-op in \d+ µs/);
    }
    assert.match(checks.find((c) => c.area === 'cgroups')?.detail ?? '', /^(cgroup v2 at|hybrid:|cgroup v1 only)/);
    for (const c of checks.filter((x) => x.status === 'warn' || x.status === 'fail'))
      assert.ok(c.fix, `${c.name} says how to fix it`);
    assert.equal(r.status, checks.some((c) => c.status === 'fail') ? 1 : 0);
  });
});

// needs neither root nor namespaces: runs for everyone
test('list --json names scenarios, namespaces, presets and workloads', () => {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/nsbench.js'), 'list', '--json'], {
    encoding: 'utf8',
    cwd: PROJECT_ROOT,
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const data = JSON.parse(r.stdout) as {
    scenarios: { name: string }[];
    namespaces: { name: string }[];
    presets: { name: string }[];
    workloads: string[];
  };
  assert.ok(data.scenarios.some((s) => s.name === 'boot'));
  assert.equal(data.namespaces.length, 8);
  assert.ok(data.presets.some((p) => p.name === 'runc'));
  assert.ok(data.workloads.includes('noop'));
});
