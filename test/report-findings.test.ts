// What a newcomer reading a fresh quick run found wrong (issue 27), each on its failing input: the
// real quick run of test/fixtures/results/quick-run.json, or the smallest input that showed it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CELL_DEFINITION,
  type HostObservations,
  isolationCells,
  NAMESPACE_DESCRIPTIONS,
  type ProbeReport,
} from '../src/isolation/index.ts';
import {
  chartsFor,
  chartValues,
  formatP,
  formatShare,
  formatVs,
  htmlReport,
  markdownSummary,
  runSummary,
  summaryRows,
  TERMINAL_WIDTH,
} from '../src/report/index.ts';
import {
  costRows,
  densityMemAvailableDoubt,
  directionOf,
  interferenceRows,
  keyFindings,
  loadWarnings,
  type RoundLoad,
  readResults,
} from '../src/results/index.ts';

const FIXTURE = new URL('./fixtures/results/quick-run.json', import.meta.url).pathname;
const run = readResults(FIXTURE);
const sc = (kind: string) => {
  const s = run.scenarios.find((x) => x.kind === kind);
  assert.ok(s, `the fixture has a ${kind} scenario`);
  return s;
};

test('a warning names the measured figures, never a placeholder', () => {
  const load = (round: number, pct: number): RoundLoad =>
    ({
      round,
      attempt: 0,
      source: 'psi',
      pressure: null,
      foreignCpu: pct / 100,
      foreignTop: [],
      disturbed: [`other processes used ${pct}% of the CPUs (bash ${pct}%)`],
    }) as unknown as RoundLoad;
  const [w] = loadWarnings([load(0, 29), load(1, 61), { ...load(2, 0), disturbed: [] }], false);
  assert.match(w ?? '', /other processes used 29–61% of the CPUs/);
  assert.doesNotMatch(w ?? '', /N%/);
  for (const s of run.scenarios) for (const x of s.warnings ?? []) assert.doesNotMatch(x, /\bN%/, x);
});

test('each warning once in the terminal; at most 100 columns; plurals right; what to do next', () => {
  const out = runSummary(run, TERMINAL_WIDTH);
  const long = out.split('\n').filter((l) => [...l].length > TERMINAL_WIDTH);
  assert.deepEqual(long, []);
  const flat = out.replace(/\s+/g, ' ');
  for (const s of run.scenarios)
    for (const w of s.warnings ?? [])
      assert.equal(flat.split(`warning: ${w.replace(/\s+/g, ' ')}`).length - 1, 1, `printed once: ${w}`);
  // the same warning in two scenarios (the load at the start of the run) is printed once and named after that
  const twin = structuredClone(run);
  for (const s of twin.scenarios)
    s.warnings = [
      ...(s.warnings ?? []),
      'load average per core was 1.68 at the start: other work competed for the CPUs',
    ];
  const twice = runSummary(twin).replace(/\s+/g, ' ');
  assert.equal(twice.split('warning: load average per core was 1.68').length - 1, 1);
  assert.match(twice, /warning: the same one as under boot above/);
  assert.doesNotMatch(out, /\b1 workloads\b|\b1 rounds\b|\b1 variants\b/);
  assert.match(out, /^How to read the tables: /);
  assert.match(out, /── summary ─/);
  // a phase that does not apply is "-", never "0 ns": bare has no user namespace to map
  const bare = out.split('\n').find((l) => /^bare\s+\d/.test(l) && /µs|ms/.test(l) && !/×/.test(l));
  assert.ok(bare, 'the boot phases row of bare');
  assert.doesNotMatch(bare, /\b0 ns\b/);
});

test('a freeze scenario has no baseline: its rows say "-", never "too few (n=0)"', () => {
  const fr = sc('freeze');
  for (const v of fr.summary) {
    const m = v.metrics.freezeNs;
    assert.ok(m && m.n >= 6);
    assert.equal(m.tooFew, undefined);
    assert.equal(formatVs(m, v.variant === v.baseline), '-');
  }
  assert.doesNotMatch(markdownSummary(run), /too few \(n=0\)/);
});

test('noisy neighbour: "harm removed" names its reference, is 0–100 %, and p is never printed as 0.000', () => {
  const rows = interferenceRows(sc('interference'));
  for (const r of rows)
    if (r.removed !== null) assert.ok(r.referenceSetting && r.reference?.endsWith(`/${r.referenceSetting}`));
  const fork = rows.find((r) => r.antagonist === 'fork-storm' && r.setting !== 'pids-64');
  assert.equal(fork?.referenceSetting, 'pids-64', 'no unlimited fork storm: the reference is pids-64, and it says so');
  assert.equal(formatShare(1.01), '100 %');
  assert.equal(formatShare(-0.2), '0 %');
  assert.equal(formatP(0.00001), '< 0.001');
  const out = runSummary(run);
  assert.match(out, /\d+ % of (none|pids-64)'s/);
  assert.doesNotMatch(out, /\b0\.000\b/);
});

test('one definition per isolation cell: sharing the host UTS namespace is not isolation, whatever the user namespace prevents', () => {
  const probe = {
    ownUtsNs: 0,
    sethostnameErrno: 1,
    hostnameBefore: 'h',
    hostnameAfter: 'h',
    interfaces: 'lo',
    uidMap: '0 1000 1',
    cgroup: '0::/\n',
  } as Partial<ProbeReport>;
  const host = {
    hostnameBefore: 'h',
    hostnameAfter: 'h',
    hostInterfaces: ['lo'],
    hostViewCgroup: '0::/\n',
    timeOffsets: null,
    hostFileMode: 0o100600,
  } as Partial<HostObservations>;
  const uts = isolationCells(probe as ProbeReport, host as HostObservations).find((c) => c.ns === 'uts');
  assert.equal(uts?.status, 'not-isolated');
  assert.match(uts?.evidence ?? '', /shares the host's UTS namespace.*user namespace/);
  const m = run.scenarios.find((s) => s.kind === 'isolation');
  const userRow = m?.samples.find((s) => s.variant === 'user' && s.state === 'completed');
  if (userRow && userRow.state === 'completed')
    assert.equal(
      userRow.isolation?.find((c) => c.ns === 'uts')?.status,
      'not-isolated',
      'the user namespace alone does not isolate uts',
    );
  assert.doesNotMatch(NAMESPACE_DESCRIPTIONS.pid, /sees only its own processes'?$/);
  assert.match(NAMESPACE_DESCRIPTIONS.pid, /only its own processes with mnt too \(its own \/proc\)/);
  assert.match(CELL_DEFINITION, /^isolated: the sandbox has its own instance/);
});

test('findings are computed with direction, size and CI, cover every kind that ran, and none comes from fewer than 6 samples', () => {
  const f = keyFindings(run);
  const text = f.map((x) => x.text).join('\n');
  assert.match(text, /Boot time against bare .*slower — /);
  assert.match(text, /thaw .* \(p99 /, 'thaw, with its p99');
  assert.match(
    text,
    /Placing a sandbox in a cgroup of its own .*noop boot time .*sieve (boot|run) time/,
    'placement per workload',
  );
  assert.match(text, /Noisy neighbour: .*\d\.\d\d× \[\d\.\d\d, \d\.\d\d\]/, 'noisy-neighbour slowdowns with CIs');
  assert.match(text, /Network, against host loopback: .*request\/response p50/, 'latency');
  assert.match(text, /teardown of \d+ .* kernel work after it/, 'teardown and its debt');
  assert.match(
    text,
    /Isolation against boot cost: .*\d\/8 — [\w:-]+ \d\.\d\d× \[\d\.\d\d, \d\.\d\d\]/,
    'isolation frontier with CIs',
  );
  for (const x of f) assert.doesNotMatch(x.text, /…$|\w…/, `not cut: ${x.text.slice(-40)}`);
  for (const x of f)
    if (x.section && x.section !== 'axioms' && x.section !== 'kernel')
      assert.ok(
        run.scenarios.some((s) => s.name === x.section),
        `links to a section: ${x.section}`,
      );
  // a direction word only where the CI excludes 1, and the right one for a rate
  for (const s of run.scenarios)
    for (const r of costRows(s)) {
      assert.ok(r.n >= 6 && r.baselineN >= 6);
      if (r.ratioCI && r.ratioCI[0] <= 1 && r.ratioCI[1] >= 1) assert.equal(r.direction, 'no difference');
    }
  assert.equal(
    directionOf({ ratioToBaseline: 1.19, ratioCI95: [1.1, 1.3] }, 'workload.throughputMbitPerSec'),
    'faster',
  );
  assert.equal(directionOf({ ratioToBaseline: 1.19, ratioCI95: [1.1, 1.3] }, 'bootNs'), 'slower');
  assert.equal(directionOf({ ratioToBaseline: 1.19, ratioCI95: [0.9, 1.3] }, 'bootNs'), 'no difference');
  assert.equal(directionOf({ ratioToBaseline: 1.19, ratioCI95: undefined }, 'bootNs'), null);
});

test('tables show every metric a scenario reports: no empty request/response or no-op rows, no boot times from the isolation probe', async () => {
  const md = markdownSummary(run);
  const net = md.slice(md.indexOf('## network'), md.indexOf('\n## ', md.indexOf('## network') + 5));
  for (const line of net.split('\n').filter((l) => /^\| rr\//.test(l)))
    assert.match(line, /µs/, `a request/response row has its latency: ${line}`);
  const cg = md.slice(md.indexOf('## cgroup-overhead'), md.indexOf('\n## ', md.indexOf('## cgroup-overhead') + 5));
  for (const line of cg.split('\n').filter((l) => /^\| noop\/own/.test(l))) assert.match(line, /ms/, line);
  const iso = md.slice(md.indexOf('## isolation'), md.indexOf('\n## ', md.indexOf('## isolation') + 5));
  assert.doesNotMatch(iso, /boot time p50/, 'no boot-time column from the probe');
  assert.match(iso, /boot vs bare \[95% CI\]/);
  // the absolute difference the findings quote is in the summary table of the Markdown and the HTML
  const rows = summaryRows(run);
  assert.ok(rows.some((r) => /^[+−]\d/.test(r.delta)));
  for (const r of rows.filter((x) => x.direction !== 'baseline' && x.what !== 'memory'))
    assert.ok(md.includes(r.delta), `Markdown has ${r.delta}`);
  const { html } = await htmlReport(run);
  for (const r of rows.filter((x) => x.direction !== 'baseline'))
    assert.ok(html.includes(r.delta.replace(/&/g, '&amp;')), `HTML has ${r.delta}`);
  assert.match(html, /This run: \d+ variants \(/, 'what the run actually ran, beside the description');
});

test('charts: ratios on a log axis around 1, no boot charts for the probe or the noisy neighbour, every density ramp, freeze with p99, thaw and teardown drawn', () => {
  const charts = run.scenarios.flatMap((s) => chartsFor(s).map((c) => ({ kind: s.kind, c })));
  const json = (c: { spec: unknown }) => JSON.stringify(c.spec);
  for (const { c } of charts.filter((x) => /-overhead-(bootNs|workload\.)/.test(x.c.id))) {
    assert.match(json(c), /"scale":\{"type":"log","domain":\[/, `${c.id}: log ratio axis`);
    assert.match(json(c), /"datum":1/, `${c.id}: a reference line at 1`);
  }
  assert.deepEqual(
    charts.filter((x) => x.kind === 'isolation').map((x) => x.c.id),
    [],
    'the probe draws no boot chart',
  );
  assert.ok(
    !charts.some((x) => x.kind === 'interference' && /-boot|-breakdown/.test(x.c.id)),
    'the noisy neighbour draws its slowdown, not boot',
  );
  assert.ok(charts.some((x) => x.kind === 'interference' && x.c.id.endsWith('-overhead-workload.elapsedNs')));
  const density = charts.find((x) => x.c.id.endsWith('-density'))?.c;
  const de = sc('density');
  const ramps = new Set(chartValues(density?.spec as never).map((v) => v.ramp));
  assert.equal(
    ramps.size,
    de.samples.filter((s) => s.state === 'completed' && !s.warmup).length,
    'one line per measured ramp',
  );
  assert.ok(charts.some((x) => x.c.id.endsWith('-teardown')));
  // memory against sandboxes held: drawn from the ramps' charged series (runs from before it have none: no chart)
  assert.ok(!charts.some((x) => x.c.id.endsWith('-memory')));
  const withSeries = structuredClone(de);
  for (const s of withSeries.samples)
    if (s.state === 'completed')
      s.series = { ...s.series, chargedHeld: [16, 32, 48], chargedBytes: [16, 32, 48].map((n) => n * 140 * 1024) };
  const mem = chartsFor(withSeries).find((c) => c.id.endsWith('-memory'));
  assert.ok(mem, 'a memory-against-held chart');
  assert.equal(new Set(chartValues(mem.spec).map((v) => v.ramp)).size, ramps.size, 'one line per ramp');
  const freeze = chartValues(charts.find((x) => x.c.id.endsWith('-freeze'))?.c.spec as never);
  assert.ok(
    freeze.some((v) => v.what === 'thaw' && v.stat === 'p99'),
    'thaw p99 drawn',
  );
  for (const { c } of charts) assert.match(json(c), /"labelFontSize":12/);
  assert.match(JSON.stringify(charts[0]?.c.spec), /#0072B2/, 'Okabe-Ito palette');
});

test('density: a MemAvailable view other processes moved is flagged beside the charged and PSS views', () => {
  const de = structuredClone(sc('density'));
  for (const s of de.samples)
    if (s.state === 'completed' && s.variant === 'bare') s.metrics.memPerInstanceBytes = 1641 * 1024;
  assert.match(
    densityMemAvailableDoubt(de) ?? '',
    /MemAvailable view \(bare 1641 KiB against \d+ KiB charged\) moved with other processes' memory/,
  );
  assert.equal(densityMemAvailableDoubt(sc('density')), null, 'the run as measured: the views agree');
});

test('the terminal: the syscall workload per call, jargon explained once in the legend', () => {
  const out = runSummary(run);
  const cpu = out.slice(out.indexOf('\n── cpu '), out.indexOf('\n── ', out.indexOf('\n── cpu ') + 5));
  assert.match(cpu, /per call\/op p50/);
  assert.match(cpu, /syscall\/all\s+\d+\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+× \[[\d.]+, [\d.]+\]\s+[\d.]+ (ns|µs)/);
  assert.equal(out.split('How to read the tables:').length, 2);
  assert.doesNotMatch(
    out.replace(/^.*teardown and its debt$/m, ''),
    /of it: setup work|\bdebt\b/,
    "no jargon (the fixture's recorded description aside)",
  );
});
