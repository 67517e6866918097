// A fleet: one run per host merged into one file (nsbench merge), reported
// side by side (nsbench report fleet.json) and compared host by host or
// pooled with the host as a blocking factor (nsbench compare). Runs of three
// "hosts" are a real run's results with the hostname changed, one of them
// made twice as slow.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../src/host/index.ts';
import { fleetAnalysis, mergeRuns, type RunResults, readResults } from '../src/results/index.ts';
import { tempDir } from './helpers/env.ts';

const CLI = join(PROJECT_ROOT, 'bin/nsbench.js');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'results', 'kernel-trace.json');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const nsbench = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });

/** The fixture run as if taken on `hostname`, its launches `factor` times as long. */
function hostRun(hostname: string, factor = 1): RunResults {
  const r = readResults(FIXTURE);
  (r.environment as Record<string, unknown>).hostname = hostname;
  r.runId = `${r.runId}-${hostname}`;
  for (const sc of r.scenarios)
    for (const s of sc.samples)
      if (s.state === 'completed')
        for (const k of Object.keys(s.metrics)) if (k.endsWith('Ns')) s.metrics[k] = (s.metrics[k] as number) * factor;
  return r;
}

function fleetFiles(dir: string, slow = 2): string[] {
  return [hostRun('node1'), hostRun('node2'), hostRun('node3', slow)].map((r, i) => {
    const f = join(dir, `node${i + 1}.json`);
    writeFileSync(f, JSON.stringify(r));
    return f;
  });
}

test('merge: keyed by host fingerprint; two runs of one host, or runs of different plans, are refused with one line', () => {
  const fleet = mergeRuns([hostRun('a'), hostRun('b')].map((run, i) => ({ file: `${i}.json`, run })));
  assert.deepEqual(
    fleet.hosts.map((h) => [
      h.key,
      h.fingerprint.hostname,
      h.fingerprint.cores === null ? null : typeof h.fingerprint.cores,
    ]),
    [
      ['a', 'a', 'number'],
      ['b', 'b', 'number'],
    ],
  );
  assert.equal(fleet.mixedPlans, false);
  const dir = tempDir();
  const [one, two] = fleetFiles(dir) as [string, string];
  const twice = nsbench('merge', one, one, '-o', join(dir, 'f.json'));
  assert.equal(twice.status, 2);
  assert.match(
    twice.stderr,
    /^error: .*node1\.json and .*node1\.json are runs of one host \(node1 \| .*\) — merge one run per host/,
  );
  const other = hostRun('node9');
  other.scenarios[0]?.variants.pop(); // another plan: one variant fewer
  const otherFile = join(dir, 'other.json');
  writeFileSync(otherFile, JSON.stringify(other));
  const mixed = nsbench('merge', one, otherFile, '-o', join(dir, 'f.json'));
  assert.equal(mixed.status, 2);
  assert.equal(mixed.stderr.trim().split('\n').length, 1, 'one line');
  assert.match(
    mixed.stderr,
    /^error: .*node1\.json and .*other\.json ran different plans: boot's variants .* vs .* — merge runs of one plan .*, or add --mixed to merge them anyway$/m,
  );
  const anyway = nsbench('merge', one, otherFile, '-o', join(dir, 'f.json'), '--mixed');
  assert.equal(anyway.status, 0, anyway.stderr);
  assert.match(anyway.stdout, /2 host\(s\): node1, node9 \(different plans, merged with --mixed\)/);
  assert.equal(
    nsbench('merge', one, two, '-o', join(dir, 'no-such-dir', 'f.json')).status,
    2,
    'a bad output path: exit 2 before anything is read',
  );
  assert.match(
    nsbench('merge', one, '-o', join(dir, 'f.json'), '--failed', 'nohost').stderr,
    /--failed nohost: expected HOST=REASON/,
  );
});

test('the fleet side by side: the slow host differs significantly, the same ones do not; environments compared', () => {
  const fleet = mergeRuns(
    [hostRun('node1'), hostRun('node2'), hostRun('node3', 2)].map((run, i) => ({ file: `n${i}.json`, run })),
    { failed: [{ host: 'node4', reason: 'ssh: connection refused' }] },
  );
  const a = fleetAnalysis(fleet);
  assert.equal(a.reference, 'node1');
  for (const r of a.rows) {
    const [ref, same, slow] = r.cells as [
      NonNullable<(typeof r.cells)[0]>,
      NonNullable<(typeof r.cells)[0]>,
      NonNullable<(typeof r.cells)[0]>,
    ];
    assert.equal(ref.ratio, 1);
    assert.ok(
      !same.differs && Math.abs((same.ratio ?? 0) - 1) < 1e-9,
      `${r.variant}: an identical host does not differ`,
    );
    assert.ok(
      slow.differs && Math.abs((slow.ratio ?? 0) - 2) < 1e-6,
      `${r.variant}: twice as slow, significant (q ${slow.q})`,
    );
  }
  assert.deepEqual(a.environment.node3, ['hostname "node1" vs "node3"']);
  assert.equal(fleetAnalysis(fleet, { reference: 'node3' }).reference, 'node3');
  assert.throws(
    () => fleetAnalysis(fleet, { reference: 'nodeX' }),
    /no host "nodeX" in this fleet \(it has node1, node2, node3\)/,
  );
});

test('nsbench report fleet.json: a row per host and variant, the failed host listed; compare host by host and pooled finds the slow host', async () => {
  const dir = tempDir();
  const files = fleetFiles(dir);
  const base = fleetFiles(tempDir(), 1); // the same three hosts before node3 became slow
  const fleet = join(dir, 'fleet.json');
  const before = join(dir, 'before.json');
  assert.equal(
    nsbench('merge', ...files, '-o', fleet, '--failed', 'node4=ssh: connection refused', '--failed=node5=no results')
      .status,
    0,
    'repeatable',
  );
  assert.equal(nsbench('merge', ...base, '-o', before).status, 0);
  const r = nsbench('report', fleet, '-o', join(dir, 'rep'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /fleet report: .*fleet\.html \(3 hosts, reference node1/);
  assert.match(r.stdout, /differ significantly from node1: node3 boot\/bare/);
  const html = readFileSync(join(dir, 'rep', 'fleet.html'), 'utf8');
  const boot = html.slice(html.indexOf('<section id="boot">'));
  const variants = readResults(FIXTURE).scenarios[0]?.variants.length ?? 0;
  assert.equal(
    (boot.match(/<tr( class="differs")?><td>node\d<\/td>/g) ?? []).length,
    3 * variants,
    'a row per host and variant',
  );
  assert.match(html, /node4 \(ssh: connection refused\)/);
  assert.match(readFileSync(join(dir, 'rep', 'fleet.md'), 'utf8'), /^\| node3 \| bare \| 10 \| .* \| 2\.00× \[/m);
  const byHost = nsbench('compare', before, fleet);
  assert.equal(byHost.status, 1, 'node3 regressed');
  assert.match(byHost.stdout, /node3: boot/);
  assert.doesNotMatch(
    byHost.stdout
      .split('\n')
      .filter((l) => /regression/.test(l) && /node[12]:/.test(l))
      .join('\n'),
    /node/,
    'node1 and node2 did not',
  );
  const one = JSON.parse(nsbench('compare', before, fleet, '--pooled', '--json').stdout) as {
    rows: { ratio: number }[];
    warnings: string[];
  };
  assert.ok(
    one.rows.every((x) => x.ratio < 2),
    "pooled: one slow host of three moves the fleet's median less than itself",
  );
  assert.ok(one.warnings.some((w) => /pooled over 3 host\(s\).*blocking factor/.test(w)));
  const all = join(dir, 'all-slower.json');
  const slower = [1, 2, 3].map((i) => {
    const f = join(dir, `slow${i}.json`);
    writeFileSync(f, JSON.stringify(hostRun(`node${i}`, 1.3)));
    return f;
  });
  assert.equal(nsbench('merge', ...slower, '-o', all).status, 0);
  const pooled = nsbench('compare', before, all, '--pooled', '--json');
  assert.equal(pooled.status, 1, 'every host 1.3× slower: a regression of the fleet');
  const res = JSON.parse(pooled.stdout) as { rows: { ratio: number; metric: string }[] };
  assert.ok(
    res.rows.filter((x) => x.metric === 'bootNs').every((x) => Math.abs(x.ratio - 1.3) < 0.01),
    "in units of each host's own baseline: 1.3×",
  );
  assert.equal(nsbench('compare', before, before, '--pooled').status, 0);
  assert.match(
    nsbench('compare', files[0] as string, files[1] as string, '--pooled').stderr,
    /--pooled pools the hosts of fleet files/,
  );

  if (!CHROMIUM) return;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${join(dir, 'rep', 'fleet.html')}`, { waitUntil: 'load' });
    assert.deepEqual(errors, []);
    const hosts = await page.$$eval('section#boot tbody tr td:first-child', (tds) => [
      ...new Set(tds.map((t) => t.textContent)),
    ]);
    assert.deepEqual(hosts, ['node1', 'node2', 'node3'], 'a row per host, in Chromium');
    assert.equal(
      await page.locator('section#boot tr.differs').count(),
      variants,
      'the slow host marked in every variant',
    );
  } finally {
    await browser.close();
  }
});

test('merge compares the whole plan each scenario ran: pace, gap, rounds; a final file and a samples file of one plan agree; --failed may not name a merged host', () => {
  const differs = (edit: (r: RunResults) => void) => {
    const b = hostRun('node2');
    edit(b);
    return () =>
      mergeRuns([
        { file: 'a.json', run: hostRun('node1') },
        { file: 'b.json', run: b },
      ]);
  };
  const sc = (r: RunResults) => r.scenarios[0] as RunResults['scenarios'][number];
  assert.throws(
    differs((r) => (sc(r).pace = 'back-to-back')),
    /ran different plans: \S+'s conditions: pace "interleaved" vs "back-to-back"/,
  );
  assert.throws(
    differs((r) => (sc(r).gapMs = 5)),
    /conditions: gapMs 0 vs 5/,
  );
  assert.throws(
    differs((r) => (sc(r).warmupRounds = sc(r).warmupRounds + 1)),
    /conditions: warmupRounds/,
  );
  assert.throws(
    differs((r) => {
      sc(r).sampling = { mode: 'fixed', stoppedBy: 'rounds', rounds: sc(r).rounds + 5 };
      sc(r).rounds += 5;
    }),
    /'s rounds: .*"fixed".* vs /,
  );
  // the same plan, one host's run as its final file, the other's as a dead run's samples file (no sampling said)
  const dead = hostRun('node2');
  for (const s of dead.scenarios) delete s.sampling;
  (dead.environment as Record<string, unknown>).plan = { scenarios: ['boot'], rounds: 10 };
  assert.equal(
    mergeRuns([
      { file: 'a.json', run: hostRun('node1') },
      { file: 'b.samples.jsonl', run: dead },
    ]).hosts.length,
    2,
  );
  assert.throws(
    () =>
      mergeRuns(
        [
          { file: 'a.json', run: hostRun('node1') },
          { file: 'b.json', run: hostRun('node2') },
        ],
        { failed: [{ host: 'node2', reason: 'x' }] },
      ),
    /--failed node2: that host's results are merged too/,
  );
});
