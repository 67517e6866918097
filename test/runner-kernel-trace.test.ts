// Kernel attribution per launch (kernelTrace / --kernel-trace), for real: the
// system calls of the sandbox and of the launcher on its behalf, the boot's
// wall time split into running and waiting per phase, cgroup events, the
// deferred teardown work; what the kernel lacks gives skipped samples with the
// reason; tracefs is as it was afterwards, and after kill -9 plus cleanup.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { median } from 'simple-statistics';
import { findLeftovers } from '../src/cleanup/index.ts';
import {
  PROJECT_ROOT,
  parseTraceLine,
  tracefsRoot,
  tracefsState,
  tracefsUnavailable,
  tracingFacilities,
} from '../src/host/index.ts';
import { PHASES } from '../src/launcher/index.ts';
import type { Sample } from '../src/results/index.ts';
import { runBenchmark } from '../src/runner/index.ts';
import { KernelTrace } from '../src/runner/kernel-trace.ts';
import { validateScenario } from '../src/scenario/index.ts';
import { needsRootAndBuild, tempDir } from './helpers/env.ts';

const CLI = join(PROJECT_ROOT, 'bin/nsbench.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scenario = (extra: Record<string, unknown>, variants: Record<string, unknown>[]) =>
  validateScenario(
    { name: 'ktrace', description: 'kernel trace', workload: { builtin: 'noop' }, variants, ...extra },
    'test/ktrace.ts',
  );
const run = async (sc: ReturnType<typeof scenario>, rounds: number) =>
  (
    await runBenchmark({
      scenarios: [sc],
      defaultRounds: rounds,
      defaultWarmup: 1,
      defaultTimeoutMs: 10_000,
      outDir: tempDir(),
      seed: 18,
    })
  ).run.scenarios[0] as NonNullable<Awaited<ReturnType<typeof runBenchmark>>['run']['scenarios'][number]>;
/**
 * The tracefs files that differ between two snapshots, with both values (an assertion message that says what changed).
 */
const changed = (a: Record<string, string>, b: Record<string, string>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
const measured = (xs: Sample[]) =>
  xs.filter((s): s is Extract<Sample, { state: 'completed' }> => s.state === 'completed' && !s.warmup);

test('trace lines of system calls and of the function tracer parse, with the call named', () => {
  const enter = parseTraceLine(
    '    nsb-launcher-4242    [001] ..... 33150.381229: sys_clone3(uargs: 7ffd5c3e0a10, size: 58)',
  );
  assert.deepEqual(enter && { event: enter.event, call: enter.call, pid: enter.pid, tsNs: enter.tsNs }, {
    event: 'sys_enter',
    call: 'clone3',
    pid: 4242,
    tsNs: 33_150_381_229_000,
  });
  const exit = parseTraceLine('    nsb-launcher-4242    [001] ..... 33150.382000: sys_clone3 -> 0x10a2');
  assert.deepEqual(exit && { event: exit.event, call: exit.call, fields: exit.fields }, {
    event: 'sys_exit',
    call: 'clone3',
    fields: '0x10a2',
  });
  const fn = parseTraceLine('    nsb-launcher-4242    [001] ...1. 33150.381300: copy_net_ns <-create_new_namespaces');
  assert.deepEqual(fn && { event: fn.event, call: fn.call, fields: fn.fields }, {
    event: 'function',
    call: 'copy_net_ns',
    fields: 'create_new_namespaces',
  });
  assert.equal(
    parseTraceLine('    bash-1 [000] ..... 1.000001: something odd here'),
    null,
    'a line of no known shape is not guessed at',
  );
});

test('what cannot be traced is said: not root, no tracefs, a function tracer the kernel lacks or refuses', () => {
  const f = { ...tracingFacilities(), tracefs: '/sys/kernel/tracing' };
  const all = { sched: true, workqueue: true, syscalls: true, raw_syscalls: true, cgroup: true };
  assert.match(
    KernelTrace.unavailable(1000, { functions: false, footprint: false }, { ...f, tracepoints: all }) ?? '',
    /needs root/,
  );
  assert.match(
    KernelTrace.unavailable(
      0,
      { functions: false, footprint: false },
      { ...f, tracepoints: { ...all, syscalls: false } },
    ) ?? (tracefsUnavailable(0) as string),
    /syscalls tracepoints|tracefs/,
  );
  if (!tracefsUnavailable(0)) {
    assert.equal(KernelTrace.unavailable(0, { functions: false, footprint: false }, { ...f, tracepoints: all }), null);
    const refused = { ...f, tracepoints: all, functionTracer: false, functionTracerRefused: true };
    assert.match(
      KernelTrace.unavailable(0, { functions: true, footprint: false }, refused) ?? '',
      /function-level split needs the function tracer, which this kernel lists but refuses/,
    );
    assert.match(
      KernelTrace.unavailable(0, { functions: false, footprint: true }, { ...refused, functionTracerRefused: false }) ??
        '',
      /footprint needs the function tracer, which this kernel does not have/,
    );
  }
});

test('kernelTrace in a scenario: true or { functions, footprint }; other kinds and other shapes are refused', () => {
  assert.deepEqual(scenario({ kernelTrace: true }, [{ ns: [] }]).kernelTrace, { functions: false, footprint: false });
  assert.deepEqual(scenario({ kernelTrace: { footprint: true } }, [{ ns: [] }]).kernelTrace, {
    functions: false,
    footprint: true,
  });
  assert.equal(scenario({}, [{ ns: [] }]).kernelTrace, null, 'never unless asked for');
  assert.throws(
    () => scenario({ kernelTrace: 'yes' }, [{ ns: [] }]),
    /kernelTrace: expected true, false or \{ functions\?: boolean, footprint\?: boolean \}/,
  );
  assert.throws(() => scenario({ kernelTrace: { funcs: true } }, [{ ns: [] }]), /kernelTrace/);
  assert.throws(
    () =>
      validateScenario(
        {
          name: 'c',
          description: 'c',
          kind: 'freeze',
          workload: { builtin: 'idle' },
          kernelTrace: true,
          variants: [{ ns: [] }],
        },
        'c.ts',
      ),
    /only a launch scenario traces the kernel/,
  );
});

describe('kernel trace on this kernel', { skip: needsRootAndBuild || tracefsUnavailable(0) || false }, () => {
  test('per launch: clone3 and execve inside the boot, running + waiting = boot by phase, cleanup_net after net and none after bare; tracefs as it was', async () => {
    const before = tracefsState();
    const r = await run(
      scenario({ kernelTrace: true, pace: 'quiesced' }, [
        { id: 'bare', ns: [] },
        { id: 'net', ns: ['net'] },
        { id: 'user', ns: ['user', 'mnt'] },
        { id: 'cg', ns: ['pid'], cgroup: { pids: { max: 64 } } },
      ]),
      4,
    );
    assert.deepEqual(
      changed(before, tracefsState()),
      [],
      'every tracefs file nsbench could touch is as it was, and its instances are gone',
    );
    assert.equal(r.kernelTrace?.traced, true, r.kernelTrace?.reason);
    assert.equal(r.kernelWork?.traced, true, 'kernelTrace brings the deferred work with it');
    const samples = measured(r.samples);
    assert.ok(samples.length >= 14, `launches measured (${samples.length})`);
    for (const s of samples) {
      const m = s.metrics;
      const boot = m.bootNs as number;
      const where = `${s.variant} launch ${s.seq}`;
      assert.equal(m['kernel.syscall.clone3.count'] ?? m['kernel.syscall.clone.count'], 1, `${where}: its clone`);
      assert.equal(m['kernel.syscall.execve.count'], 1, `${where}: its execve`);
      const inBoot = Object.entries(m).filter(
        ([k]) => /^kernel\.syscall\.\w+\.ns$/.test(k) && k !== 'kernel.syscall.exit_group.ns',
      );
      const sum = inBoot.reduce((a, [, v]) => a + v, 0);
      assert.ok(
        sum > 0 && sum < boot,
        `${where}: the system calls (${inBoot.map(([k, v]) => `${k.split('.')[2]} ${v}`).join(', ')}) sum to ${sum} ns, less than boot ${boot}`,
      );
      assert.ok(
        Math.abs((m['kernel.runNs'] ?? 0) + (m['kernel.waitNs'] ?? 0) - boot) < 1,
        `${where}: running + waiting = boot`,
      );
      const byPhase = PHASES.reduce((a, p) => a + (m[`kernel.wait.${p}`] ?? 0), 0);
      assert.ok(
        Math.abs(byPhase - (m['kernel.waitNs'] ?? 0)) < 1,
        `${where}: the waits of the phases add up to the boot's (${byPhase} vs ${m['kernel.waitNs']})`,
      );
      assert.ok(
        (m['kernel.waitCpuNs'] ?? 0) <= (m['kernel.waitNs'] ?? 0) + 1,
        `${where}: waiting for a CPU is part of waiting`,
      );
      assert.ok((m['kernel.syscall.exit_group.count'] ?? 0) >= 1, `${where}: its exit`);
      if (s.variant === 'net')
        assert.ok((m['kernel.work.cleanup_net.ns'] ?? 0) > 0, `${where}: cleanup_net ran for it, with a run time`);
      if (s.variant === 'bare')
        assert.equal(m['kernel.work.cleanup_net.ns'], undefined, `${where}: bare leaves no net namespace behind`);
      if (s.variant === 'user')
        assert.equal(
          m['kernel.syscall.mapWrite.count'],
          3,
          `${where}: uid_map, setgroups and gid_map written (by the launcher, or by the child itself vfork-style)`,
        );
      if (s.variant === 'cg') {
        assert.ok(
          m['kernel.syscall.cgroupWrite.count'] || m['kernel.cgroup.attach_task.count'] || m.cgroupNs === 0,
          `${where}: the cgroup placement is seen (a cgroup.procs write or CLONE_INTO_CGROUP)`,
        );
        assert.ok(
          (m['kernel.cgroup.mkdir.count'] ?? 0) >= 1 && (m['kernel.cgroup.rmdir.count'] ?? 0) >= 1,
          `${where}: its cgroup made before it and removed after it (${m['kernel.cgroup.mkdir.count']}, ${m['kernel.cgroup.rmdir.count']})`,
        );
      } else assert.equal(m['kernel.cgroup.mkdir.count'], undefined, `${where}: no cgroup of its own`);
    }
    const clone = (v: string) =>
      median(
        samples
          .filter((s) => s.variant === v)
          .map((s) => s.metrics['kernel.syscall.clone3.ns'] ?? s.metrics['kernel.syscall.clone.ns'] ?? 0),
      );
    assert.ok(
      clone('net') > clone('bare'),
      `a net namespace makes clone slower in the kernel (${clone('net')} vs ${clone('bare')} ns)`,
    );
  });

  test('asked for a function-level split: taken where the kernel allows it, else every sample skipped with the reason', async () => {
    const why = KernelTrace.unavailable(0, { functions: true, footprint: false });
    const before = tracefsState();
    const r = await run(
      scenario({ kernelTrace: { functions: true } }, [
        { id: 'bare', ns: [] },
        { id: 'net', ns: ['net'] },
      ]),
      2,
    );
    assert.deepEqual(changed(before, tracefsState()), []);
    if (why) {
      assert.equal(r.kernelTrace?.traced, false);
      assert.ok(
        r.samples.length > 0 &&
          r.samples.every(
            (s) => s.state === 'skipped' && /kernel tracing was asked for, and .*function tracer/.test(s.reason),
          ),
        'skipped, saying what is missing',
      );
      return;
    }
    assert.equal(r.kernelTrace?.functions, true);
    for (const s of measured(r.samples).filter((x) => x.variant === 'net'))
      assert.ok((s.metrics['kernel.fn.copy_net_ns.ns'] ?? 0) > 0, 'copy_net_ns has its slice of clone');
  });

  test('kill -9 while tracing: the instance stays until nsbench cleanup, which leaves tracefs as it was', async () => {
    const root = tracefsRoot() as string;
    const before = tracefsState();
    const out = tempDir();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        'boot',
        '--ns',
        'bare',
        '--ns',
        'net',
        '--kernel-trace',
        '--rounds',
        '500',
        '--warmup',
        '0',
        '--out',
        out,
        '-q',
        '--no-report',
      ],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    let exited = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', () => (exited = true));
    const ours = () => readdirSync(join(root, 'instances')).filter((n) => n.startsWith('nsb-') && n.endsWith('-k'));
    const end = Date.now() + 180_000; // an emulated machine (scripts/v2-vm.sh) takes a minute to start nsbench
    while (!ours().length && !exited && Date.now() < end) await sleep(20);
    assert.ok(!exited, `the run ended before it traced: ${stderr}`);
    await sleep(500); // mid-run: launches are being traced
    assert.ok(ours().length, 'the run traces in an nsb- instance of its own');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(ours().length, 'a killed run cannot remove its instance');
    assert.notDeepEqual(changed(before, tracefsState()), []);
    const c = spawnSync(process.execPath, [CLI, 'cleanup'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 300_000 }); // minutes under emulation
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout + c.stderr, /tracefs instance/);
    assert.deepEqual(changed(before, tracefsState()), [], 'after cleanup, every file is as it was');
    assert.deepEqual(findLeftovers(), []);
  });
});
