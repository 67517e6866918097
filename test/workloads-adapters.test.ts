// Tool adapters parse recorded real outputs, and run for real where the tool is installed.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { which } from '../src/host/index.ts';
import { SandboxLauncher } from '../src/launcher/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { validateScenario } from '../src/scenario/index.ts';
import {
  outputMetrics,
  parseFio,
  parseIperf3,
  parseStressNg,
  parseSysbench,
  workloadCommand,
  workloadSkipReason,
} from '../src/workloads/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'fixtures', name), 'utf8');

describe('adapters parse recorded real outputs', () => {
  test('sysbench cpu, memory, threads, fileio', () => {
    const cpu = parseSysbench(fixture('sysbench-cpu.txt'));
    assert.equal(cpu['workload.eventsPerSec'], 45525.5);
    assert.equal(cpu['workload.events'], 45565);
    assert.equal(cpu['workload.latencyP95Ns'], 0.02 * 1e6);
    assert.ok(Math.abs((cpu['workload.totalTimeNs'] ?? 0) - 1.0001e9) < 1);
    const mem = parseSysbench(fixture('sysbench-memory.txt'));
    assert.equal(mem['workload.memoryMiBPerSec'], 6843.36);
    assert.equal(mem['workload.memoryOpsPerSec'], 7007600.54);
    const thr = parseSysbench(fixture('sysbench-threads.txt'));
    assert.ok((thr['workload.events'] ?? 0) > 0);
    const fileio = parseSysbench(fixture('sysbench-fileio.txt'));
    assert.equal(fileio['workload.readsPerSec'], 46484.07);
    assert.equal(fileio['workload.writtenMiBPerSec'], 484.21);
  });

  test('stress-ng --metrics --yaml', () => {
    const m = parseStressNg(fixture('stress-ng-cpu.yaml'));
    assert.ok((m['workload.cpu.bogoOps'] ?? 0) > 0, JSON.stringify(m));
    assert.ok((m['workload.cpu.bogoOpsPerSec'] ?? 0) > 0);
    assert.ok((m['workload.cpu.wallClockNs'] ?? 0) > 0.5e9, 'seconds scaled to ns');
  });

  test('fio --output-format=json', () => {
    const m = parseFio(fixture('fio-randrw.json'));
    assert.equal(m['workload.readKiBPerSec'], 53148);
    assert.equal(m['workload.writeKiBPerSec'], 53180);
    assert.ok(Math.abs((m['workload.readIops'] ?? 0) - 13287.138584) < 1e-6);
    assert.equal(m['workload.readClatP99Ns'], 123392);
  });

  test('sysbench fileio phases keep the options and swap the command', async () => {
    const { sysbenchPhases } = await import('../src/workloads/index.ts');
    assert.deepEqual(sysbenchPhases(['fileio', '--file-total-size=4M', '--file-test-mode=rndrw', '--time=1', 'run']), {
      prepare: ['fileio', '--file-total-size=4M', 'prepare'],
      cleanup: ['fileio', '--file-total-size=4M', 'cleanup'],
    });
    assert.equal(sysbenchPhases(['cpu', 'run']), null);
  });

  test('iperf3 -J', () => {
    const m = parseIperf3(fixture('iperf3-tcp.json'));
    assert.ok(Math.abs((m['workload.throughputMbitPerSec'] ?? 0) - 22220.65628960868) < 1e-6);
    assert.equal(m['workload.retransmits'], 0);
  });

  test('a missing tool is a skip with the install command', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const reason = workloadSkipReason({ tool: 'sysbench', args: [] });
      if (which('sysbench', '/nonexistent')) assert.equal(reason, null);
      else assert.equal(reason, 'sysbench is not installed: apt-get install sysbench');
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('adapters run the real tools in a sandbox', { skip: needsRootAndBuild }, () => {
  let launcher: SandboxLauncher;
  before(() => {
    launcher = SandboxLauncher.start();
  });
  after(() => launcher.close());

  const cases = [
    {
      tool: 'sysbench',
      args: ['cpu', '--cpu-max-prime=2000', '--events=200', '--time=0', 'run'],
      key: 'workload.eventsPerSec',
    },
    { tool: 'stress-ng', args: ['--cpu', '1', '--cpu-ops', '50'], key: 'workload.cpu.bogoOps' },
    {
      tool: 'fio',
      args: ['--name=nsb', '--directory=/tmp', '--size=2M', '--rw=randread', '--bs=4k', '--runtime=1', '--unlink=1'],
      key: 'workload.readIops',
    },
  ];
  for (const c of cases) {
    test(`${c.tool} in pid+mnt+user namespaces`, {
      skip: which(c.tool) ? false : `${c.tool} is not installed (apt-get install ${c.tool})`,
    }, async () => {
      const w = { tool: c.tool, args: c.args };
      const { path, argv } = workloadCommand(w);
      const r = await launcher.run({ ns: ['user', 'pid', 'mnt'], path, argv, timeoutMs: 60_000 });
      assert.equal(r.state, 'exited', r.stderr);
      assert.equal(r.exitCode, 0, r.stderr);
      const m = outputMetrics(w, r.stdout);
      assert.ok((m[c.key] ?? 0) > 0, `${c.key} in ${JSON.stringify(m)}`);
    });
  }

  test('sysbench fileio: prepare, measured run and cleanup in a fresh folder, through the runner', {
    skip: which('sysbench') ? false : 'sysbench is not installed (apt-get install sysbench)',
  }, async () => {
    const sc = validateScenario(
      {
        name: 'fio',
        description: 'x',
        workload: {
          tool: 'sysbench',
          args: ['fileio', '--file-total-size=4M', '--file-num=2', '--file-test-mode=rndrw', '--time=1', 'run'],
        },
        variants: [{ ns: [] }, { ns: ['user', 'pid', 'mnt'] }],
      },
      'test/fio.ts',
    );
    const before = readdirSync('/var/tmp').filter((f) => f.startsWith('nsb-work-'));
    const { run } = await runBenchmark({
      scenarios: [sc],
      rounds: 1,
      warmup: 0,
      defaultRounds: 1,
      defaultWarmup: 0,
      defaultTimeoutMs: 30_000,
      outDir: tempDir(),
      seed: 1,
    });
    for (const v of run.scenarios[0]?.summary ?? []) {
      assert.equal(v.completed, 1, JSON.stringify(run.scenarios[0]?.samples));
      assert.ok(
        (v.metrics['workload.readsPerSec']?.median ?? 0) > 0 && (v.metrics['workload.writesPerSec']?.median ?? 0) > 0,
      );
    }
    assert.deepEqual(
      readdirSync('/var/tmp').filter((f) => f.startsWith('nsb-work-')),
      before,
      'the working folders are gone',
    );
  });

  test('iperf3 client and server on loopback', {
    skip: which('iperf3') ? false : 'iperf3 is not installed (apt-get install iperf3)',
  }, async () => {
    const port = String(40000 + (process.pid % 20000));
    const server = spawn(which('iperf3') as string, ['-s', '-1', '-p', port, '-B', '127.0.0.1'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const w = { tool: 'iperf3', args: ['-c', '127.0.0.1', '-p', port, '-t', '1'] };
      const out = execFileSync(workloadCommand(w).path, workloadCommand(w).argv.slice(1), {
        encoding: 'utf8',
        timeout: 30_000,
      });
      const m = outputMetrics(w, out);
      assert.ok((m['workload.throughputMbitPerSec'] ?? 0) > 0, JSON.stringify(m));
    } finally {
      server.kill('SIGKILL'); // our own child, by its pid
    }
  });
});
